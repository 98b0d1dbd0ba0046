//! One message of a ticket's thread; customer, reply, note and system messages look different.
//! Staff may split a message off into a ticket of its own.

use leptos::prelude::*;
use protocol::{Message, MessageKind, SenderAuth};

use crate::components::attachments::AttachmentList;
use crate::components::message_body::MessageBody;
use crate::components::screening_notes::ScreeningNotes;
use crate::format::{datetime, kind_label, relative};

#[component]
pub fn MessageItem(
    message: Message,
    /// "Split into new ticket", with the message's id; left out where splitting makes no sense.
    #[prop(default = None)]
    on_split: Option<Callback<i64>>,
) -> impl IntoView {
    let kind = message.kind;
    let author = match (&message.author, kind) {
        (Some(a), _) => a.name.clone(),
        (None, MessageKind::System) => "Maildesk".to_owned(),
        (None, _) => "Unknown sender".to_owned(),
    };
    let id = message.id;
    let created = message.created_at;
    // Staff only (the server leaves it out for customers): why this mail joined this ticket.
    let why = message.thread_rule.as_deref().map(why_joined);
    let sender = message
        .checks
        .as_ref()
        .and_then(|c| c.authentication.clone())
        .map(|a| view! { <SenderBadge auth=a /> });
    let notes = message
        .checks
        .clone()
        .map(|checks| view! { <ScreeningNotes message_id=id checks /> });

    view! {
        <article
            class=format!("message message-{}", kind.as_str())
            data-testid="message"
            data-kind=kind.as_str()
            data-message-id=id
        >
            <header class="message-head">
                <span class="message-author">{author}</span>
                {sender}
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
                {on_split
                    .map(|split| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-ghost btn-small message-action"
                                data-testid="message-split"
                                title="Move this message and its files into a new ticket"
                                on:click=move |_| split.run(id)
                            >
                                "Split into new ticket"
                            </button>
                        }
                    })}
            </header>
            {why.map(|w| view! { <p class="message-why muted" data-testid="thread-rule">{w}</p> })}
            <MessageBody text=message.body_text html=message.body_html />
            <AttachmentList attachments=message.attachments />
            {notes}
        </article>
    }
}

/// Whether the mail's sender is who its `From:` says (staff only): "sender verified", or "not
/// verified" with the reason in words and every method's result on hover.
#[component]
fn SenderBadge(auth: SenderAuth) -> impl IntoView {
    let details = format!(
        "SPF {} · DKIM {} · DMARC {}{} · checked by {}",
        auth.spf,
        auth.dkim,
        auth.dmarc,
        auth.dmarc_policy
            .as_deref()
            .map(|p| format!(" (policy {p})"))
            .unwrap_or_default(),
        auth.checked_by
    );
    let (class, text) = match auth.why_not() {
        None => (
            "badge sender-verified",
            format!("Sender verified ({})", auth.from_domain),
        ),
        Some(why) => ("badge sender-unverified", format!("Sender not verified: {why}")),
    };
    view! {
        <span class=class data-testid="sender-auth" title=details>
            {text}
        </span>
    }
}

/// The threading rule of an inbound mail, in words.
fn why_joined(rule: &str) -> String {
    match rule {
        "new" => "Started this ticket".to_owned(),
        "in_reply_to" => "Joined: it answers a mail of this ticket (In-Reply-To)".to_owned(),
        "references" => "Joined: it refers to a mail of this ticket (References)".to_owned(),
        "subject_token" => "Joined: the ticket number in its subject".to_owned(),
        "reference_marker" => "Joined: the ticket's reference in its text".to_owned(),
        "original_message_id" => "Joined: it returns a mail of this ticket (bounce)".to_owned(),
        "follow_up" => "Started this follow-up of a closed ticket".to_owned(),
        "subject_token_stranger" => "Started this ticket: a stranger quoted another ticket's number".to_owned(),
        "subject_token_unverified" => {
            "Started this ticket: it quoted another ticket's number, but its sender is not verified".to_owned()
        }
        other => format!("Joined by rule: {other}"),
    }
}
