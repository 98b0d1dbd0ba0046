//! Shown when a reply or note was refused because the ticket moved on while it was written
//! (409 `version_conflict`): who got there first and what they wrote, with the draft kept.

use leptos::prelude::*;
use protocol::{Message, MessageKind, Ticket};

use crate::components::button::Button;
use crate::components::message::MessageItem;
use crate::format::status_label;

/// What the server said had changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The ticket as it is now.
    pub current: Option<Ticket>,
    /// The messages added since the draft's version.
    pub messages: Vec<Message>,
}

impl Conflict {
    /// "Alice replied meanwhile", "Alice and Bob replied meanwhile"…
    pub fn headline(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for m in &self.messages {
            let name = match (&m.author, m.kind) {
                (_, MessageKind::System) => continue,
                (Some(a), _) => a.name.clone(),
                (None, _) => "Someone".to_owned(),
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        match names.as_slice() {
            [] => "This ticket changed while you were writing".to_owned(),
            [one] => format!("{one} replied meanwhile"),
            [rest @ .., last] => format!("{} and {last} replied meanwhile", rest.join(", ")),
        }
    }

    /// The ticket's state now, when it is not only about messages.
    fn state(&self) -> Option<String> {
        let t = self.current.as_ref()?;
        let who = t.assignee.as_ref().map_or("nobody", |a| a.name.as_str());
        Some(format!("It is now {}, assigned to {who}.", status_label(t.status)))
    }
}

#[component]
pub fn ConflictBanner(
    conflict: Conflict,
    #[prop(into)] sending: Signal<bool>,
    /// Send the kept draft against the ticket as it is now.
    #[prop(into)]
    on_send_anyway: Callback<()>,
    #[prop(into)] on_discard: Callback<()>,
) -> impl IntoView {
    let headline = conflict.headline();
    let state = conflict.messages.is_empty().then(|| conflict.state()).flatten();
    let messages = conflict.messages;
    view! {
        <div
            class="notice notice-warning conflict-banner"
            role="alert"
            data-testid="conflict"
            aria-labelledby="conflict-title"
        >
            <div class="conflict-text">
                <p>
                    <strong id="conflict-title" data-testid="conflict-title">{headline}</strong>
                    " "
                    {state}
                </p>
                <p>"Your draft is kept. Read what changed, then send it anyway or discard it."</p>
            </div>
            {(!messages.is_empty())
                .then(|| {
                    view! {
                        <ol class="thread conflict-messages" aria-label="Messages added meanwhile">
                            {messages
                                .into_iter()
                                .map(|m| view! { <li><MessageItem message=m /></li> })
                                .collect_view()}
                        </ol>
                    }
                })}
            <div class="conflict-actions">
                <Button class="btn btn-primary" testid="conflict-send" disabled=sending on_click=on_send_anyway>
                    "Review and send anyway"
                </Button>
                <Button testid="conflict-discard" disabled=sending on_click=on_discard>
                    "Discard my draft"
                </Button>
            </div>
        </div>
    }
}
