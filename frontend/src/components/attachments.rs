//! The files attached to a message.

use leptos::prelude::*;
use protocol::Attachment;

use crate::auth::use_auth;
use crate::format::file_size;

#[component]
pub fn AttachmentList(attachments: Vec<Attachment>) -> impl IntoView {
    if attachments.is_empty() {
        return None;
    }
    let auth = use_auth();
    let items = attachments
        .into_iter()
        .map(|a| {
            let url = a.url.clone();
            // A link opened by the browser cannot send the Authorization header; the server
            // accepts the access token as a query parameter for downloads.
            let href = move || download_href(&url, auth.access_token().as_deref());
            view! {
                <li class="attachment" data-testid="attachment">
                    <a href=href download=a.filename.clone() rel="external">
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

fn download_href(url: &str, token: Option<&str>) -> String {
    match token {
        Some(token) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let token = String::from(js_sys::encode_uri_component(token));
            format!("{url}{sep}access_token={token}")
        }
        None => url.to_owned(),
    }
}
