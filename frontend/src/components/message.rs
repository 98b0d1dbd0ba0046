//! One message of a ticket's thread; customer, reply, note and system messages look different.

use leptos::prelude::*;
use protocol::{Message, MessageKind};

use crate::components::attachments::AttachmentList;
use crate::format::{datetime, kind_label, relative};

#[component]
pub fn MessageItem(message: Message) -> impl IntoView {
    let kind = message.kind;
    let author = match (&message.author, kind) {
        (Some(a), _) => a.name.clone(),
        (None, MessageKind::System) => "Maildesk".to_owned(),
        (None, _) => "Unknown sender".to_owned(),
    };
    let body = match message.body_html.filter(|h| !h.trim().is_empty()) {
        // Sanitized by the server before it is stored.
        Some(html) => view! { <div class="message-body message-html" inner_html=html></div> }.into_any(),
        None => view! { <div class="message-body message-text">{message.body_text}</div> }.into_any(),
    };
    let created = message.created_at;

    view! {
        <article
            class=format!("message message-{}", kind.as_str())
            data-testid="message"
            data-kind=kind.as_str()
        >
            <header class="message-head">
                <span class="message-author">{author}</span>
                <span class=format!("message-label label-{}", kind.as_str())>
                    {kind_label(kind)}
                </span>
                <time
                    class="message-time"
                    datetime=created.to_rfc3339()
                    title=datetime(created)
                >
                    {relative(created)}
                </time>
            </header>
            {body}
            <AttachmentList attachments=message.attachments />
        </article>
    }
}
