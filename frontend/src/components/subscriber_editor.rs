//! Who is copied on the ticket's mail (CC subscribers): the list, removing one, adding an address.

use leptos::prelude::*;

use crate::components::list_editor::{ChipRemove, InlineAdd};
use crate::pages::ticket_live::TicketContext;

#[component]
pub fn SubscriberEditor(ctx: TicketContext) -> impl IntoView {
    let subscribers = move || ctx.with_detail(|d| d.subscribers.clone()).unwrap_or_default();
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let add = Callback::new(move |()| {
        let email = draft.get_untracked().trim().to_owned();
        // The server checks the address properly; this only catches an obvious slip early.
        if !email.contains('@') || email.contains(char::is_whitespace) {
            problem.set(Some("Enter one e-mail address, like name@example.com.".into()));
            return;
        }
        problem.set(None);
        let request = async move { ctx.client.add_subscriber(ctx.id, email).await };
        ctx.change("Subscribers", request, move || draft.set(String::new()));
    });
    let remove = move |email: String| {
        let request = async move { ctx.client.remove_subscriber(ctx.id, &email).await };
        ctx.change("Subscribers", request, || {});
    };

    view! {
        <div class="action-field subscriber-editor" role="group" aria-labelledby="subscribers-title">
            <span id="subscribers-title" class="action-label">"Subscribers (CC)"</span>
            <ul class="plain-list subscriber-list">
                {move || {
                    let list = subscribers();
                    if list.is_empty() {
                        return view! { <li class="muted">"Nobody is copied."</li> }.into_any();
                    }
                    list.into_iter()
                        .map(|s| {
                            let label = format!("Remove {} from the subscribers", s.email);
                            let email = s.email.clone();
                            let key = s.email.clone();
                            view! {
                                <li class="subscriber-row" data-testid="subscriber-row" data-email=key>
                                    <span class="subscriber-email">{s.email}</span>
                                    <ChipRemove
                                        testid="subscriber-remove"
                                        label
                                        disabled=ctx.editing
                                        on_click=Callback::new(move |()| remove(email.clone()))
                                    />
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <InlineAdd
                testid="subscriber"
                kind="email"
                label="E-mail address to copy on this ticket"
                placeholder="name@example.com"
                autocomplete="off"
                novalidate=true
                draft
                problem
                disabled=ctx.editing
                on_add=add
            />
        </div>
    }
}
