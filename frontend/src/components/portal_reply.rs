//! A customer's reply: text and files. Files are uploaded to the ticket first, then the reply
//! names them (`attachment_ids`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{PostMessage, TicketDetail};

use crate::api::{ApiError, Client, PostKind, use_client};
use crate::components::file_picker::{FilePicker, PickedFiles};
use crate::components::loaded::FormStatus;

#[component]
pub fn PortalReply(
    ticket_id: i64,
    /// The version of the ticket on screen; a reply is written against it.
    #[prop(into)]
    version: Signal<i64>,
    /// Called with the ticket as it is after posting.
    #[prop(into)]
    on_updated: Callback<TicketDetail>,
    /// Called when the ticket changed meanwhile: the page reloads it.
    #[prop(into)]
    on_stale: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let body = RwSignal::new(String::new());
    let picked = PickedFiles::new();
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Write a message before sending.".into()));
            return;
        }
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        error.set(None);
        let files = picked.files.get_untracked();
        let against = version.get_untracked();
        spawn_local(async move {
            let result = send(client, ticket_id, text, against, files).await;
            sending.set(false);
            match result {
                Ok(detail) => {
                    body.set(String::new());
                    picked.clear();
                    on_updated.run(detail);
                }
                Err(e) if e.is_conflict() => {
                    error.set(Some(
                        "This ticket changed while you were writing; the new messages are shown above. \
                         Your text is kept: send it again if it still fits."
                            .into(),
                    ));
                    on_stale.run(());
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <section class="reply-box portal-reply" aria-labelledby="portal-reply-title">
            <form on:submit=on_submit data-testid="portal-reply-form">
                <h2 id="portal-reply-title">"Reply"</h2>
                <div class="field">
                    <label for="portal-reply-body">"Your message"</label>
                    <textarea id="portal-reply-body" rows="6" data-testid="portal-reply-body" bind:value=body></textarea>
                </div>
                <FilePicker picked id="portal-reply-files" />
                <FormStatus error />
                <div class="reply-actions">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="portal-reply-send"
                        disabled=move || sending.get()
                    >
                        {move || if sending.get() { "Sending…" } else { "Send reply" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

async fn send(
    client: Client,
    ticket_id: i64,
    body: String,
    version: i64,
    files: Vec<web_sys::File>,
) -> Result<TicketDetail, ApiError> {
    let attachment_ids = client.upload_all(ticket_id, files).await?;
    let msg = PostMessage {
        body,
        version,
        status: None,
        attachment_ids,
    };
    client.post_message(ticket_id, PostKind::Reply, &msg).await
}
