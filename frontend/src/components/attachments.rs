//! The files attached to a message.

use leptos::prelude::*;
use protocol::Attachment;

use crate::api::use_client;
use crate::downloads;
use crate::format::file_size;

#[component]
pub fn AttachmentList(attachments: Vec<Attachment>) -> impl IntoView {
    if attachments.is_empty() {
        return None;
    }
    let client = use_client();
    let items = attachments
        .into_iter()
        .map(|a| {
            let url = a.url.clone();
            // A link opened by the browser cannot send the Authorization header: the click
            // fetches a one-time ticket for it first.
            let on_click = downloads::on_click(client, move || url.clone(), Some(a.filename.clone()));
            view! {
                <li class="attachment" data-testid="attachment">
                    <a href=a.url.clone() download=a.filename.clone() rel="external" on:click=on_click>
                        <span class="attachment-icon" aria-hidden="true">"📎"</span>
                        <span class="attachment-name">{a.filename.clone()}</span>
                    </a>
                    <span class="attachment-meta">
                        {format!("{} · {}", file_size(a.size), a.content_type)}
                    </span>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <ul class="attachments" aria-label="Attachments">
            {items}
        </ul>
    })
}
