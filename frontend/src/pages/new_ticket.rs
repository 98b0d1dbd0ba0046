//! `/tickets/new`: a customer (or anyone signed in) opens a ticket from the browser.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use protocol::CreateTicket;

use crate::api::use_client;
use crate::components::kb_suggestions::KbSuggestions;
use crate::components::loaded::FormStatus;

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let client = use_client();
    let navigate = use_navigate();
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (s, b) = (subject.get_untracked().trim().to_owned(), body.get_untracked());
        if s.is_empty() || b.trim().is_empty() {
            error.set(Some("Enter a subject and describe your question.".into()));
            return;
        }
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let ticket = CreateTicket {
            subject: s,
            body: b,
            category_id: None,
            priority: None,
            requester_email: None,
            tags: Vec::new(),
        };
        spawn_local(async move {
            let result = client.create_ticket(&ticket).await;
            sending.set(false);
            match result {
                Ok(d) => navigate(&format!("/tickets/{}", d.ticket.id), Default::default()),
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <section class="page narrow new-ticket-page" aria-labelledby="new-ticket-title">
            <p class="back-link"><a href="/tickets">"← My tickets"</a></p>
            <h1 id="new-ticket-title">"New ticket"</h1>
            <form class="card" on:submit=on_submit novalidate data-testid="new-ticket-form">
                <div class="field">
                    <label for="new-ticket-subject">"Subject"</label>
                    <input
                        id="new-ticket-subject"
                        type="text"
                        required
                        maxlength="250"
                        autofocus
                        data-testid="new-ticket-subject"
                        bind:value=subject
                    />
                </div>
                <KbSuggestions subject />
                <div class="field">
                    <label for="new-ticket-body">"How can we help?"</label>
                    <textarea id="new-ticket-body" rows="8" required data-testid="new-ticket-body" bind:value=body></textarea>
                </div>
                <FormStatus error />
                <button type="submit" class="btn btn-primary" data-testid="new-ticket-submit" disabled=move || sending.get()>
                    {move || if sending.get() { "Sending…" } else { "Send" }}
                </button>
            </form>
        </section>
    }
}
