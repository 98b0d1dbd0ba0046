//! Who else is on a ticket: badges on queue rows, and on the ticket page the viewers and a
//! live "… is writing a reply" line. The user's own entry is left out: they know.

use leptos::prelude::*;
use protocol::live::{Activity, PresenceEntry};

use crate::auth::use_auth;
use crate::live::use_live;

fn activity_key(a: Activity) -> &'static str {
    match a {
        Activity::Viewing => "viewing",
        Activity::TypingNote => "typing_note",
        Activity::TypingReply => "typing_reply",
    }
}

fn activity_label(a: Activity) -> &'static str {
    match a {
        Activity::Viewing => "viewing",
        Activity::TypingNote => "writing a note",
        Activity::TypingReply => "replying",
    }
}

/// The people on a watched ticket other than the user (reactive).
fn others(ticket_id: i64) -> impl Fn() -> Vec<PresenceEntry> + Copy + Send + Sync + 'static {
    let live = use_live();
    let auth = use_auth();
    move || {
        let me = auth.session_untracked().map(|s| s.user.id);
        live.people(ticket_id)
            .into_iter()
            .filter(|p| Some(p.user_id) != me)
            .collect()
    }
}

#[component]
fn PresenceBadge(entry: PresenceEntry) -> impl IntoView {
    let label = activity_label(entry.activity);
    let title = format!("{} is {label}", entry.name);
    view! {
        <span
            class=format!("presence presence-{}", activity_key(entry.activity))
            data-testid="presence"
            data-user-id=entry.user_id
            data-activity=activity_key(entry.activity)
            title=title
        >
            <span class="presence-name">{entry.name}</span>
            <span class="presence-activity">{label}</span>
        </span>
    }
}

/// Badges for a queue row.
#[component]
pub fn RowPresence(ticket_id: i64) -> impl IntoView {
    let others = others(ticket_id);
    view! {
        <span class="presence-list">
            {move || {
                others()
                    .into_iter()
                    .map(|entry| view! { <PresenceBadge entry /> })
                    .collect_view()
            }}
        </span>
    }
}

/// The ticket page's line of who is here and who is typing. Customers are only told that an
/// agent is replying.
#[component]
pub fn TicketPresence(ticket_id: i64, staff: bool) -> impl IntoView {
    let live = use_live();
    let others = others(ticket_id);
    let typing = move || {
        if !staff {
            return live
                .agent_replying(ticket_id)
                .then(|| "An agent is writing a reply…".to_owned());
        }
        let lines: Vec<String> = others()
            .into_iter()
            .filter_map(|p| match p.activity {
                Activity::TypingReply => Some(format!("{} is writing a reply…", p.name)),
                Activity::TypingNote => Some(format!("{} is writing an internal note…", p.name)),
                Activity::Viewing => None,
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join(" "))
    };
    view! {
        <div class="ticket-presence">
            {staff
                .then(|| {
                    view! {
                        <Show when=move || !others().is_empty()>
                            <div class="viewers" data-testid="viewers">
                                <span class="muted">"Also here:"</span>
                                {move || {
                                    others()
                                        .into_iter()
                                        .map(|entry| view! { <PresenceBadge entry /> })
                                        .collect_view()
                                }}
                            </div>
                        </Show>
                    }
                })}
            <div class="typing-region" aria-live="polite">
                {move || {
                    typing()
                        .map(|text| {
                            view! {
                                <p class="typing" data-testid="typing">
                                    <span class="typing-dots" aria-hidden="true"></span>
                                    {text}
                                </p>
                            }
                        })
                }}
            </div>
        </div>
    }
}
