//! Who is copied on the ticket's mail (CC subscribers): the list, removing one, adding an address.

use leptos::prelude::*;

use crate::pages::ticket_live::TicketContext;

#[component]
pub fn SubscriberEditor(ctx: TicketContext) -> impl IntoView {
    let subscribers = move || ctx.with_detail(|d| d.subscribers.clone()).unwrap_or_default();
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let email = draft.get_untracked().trim().to_owned();
        // The server checks the address properly; this only catches an obvious slip early.
        if !email.contains('@') || email.contains(char::is_whitespace) {
            problem.set(Some("Enter one e-mail address, like name@example.com.".into()));
            return;
        }
        problem.set(None);
        let request = async move { ctx.client.add_subscriber(ctx.id, email).await };
        ctx.change("Subscribers", request, move || draft.set(String::new()));
    };
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
                                    <button
                                        type="button"
                                        class="chip-remove"
                                        data-testid="subscriber-remove"
                                        aria-label=label
                                        title="Remove"
                                        disabled=move || ctx.editing.get()
                                        on:click=move |_| remove(email.clone())
                                    >
                                        <span aria-hidden="true">"×"</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <form class="inline-form" novalidate on:submit=add>
                <input
                    type="email"
                    data-testid="subscriber-input"
                    aria-label="E-mail address to copy on this ticket"
                    placeholder="name@example.com"
                    autocomplete="off"
                    bind:value=draft
                />
                <button type="submit" class="btn" data-testid="subscriber-add" disabled=move || ctx.editing.get()>
                    "Add"
                </button>
            </form>
            {move || problem.get().map(|p| view! { <p class="field-problem" role="alert">{p}</p> })}
        </div>
    }
}
