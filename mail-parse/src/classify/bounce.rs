//! Steps 2 and 3 of the classification: bounces without a report part (`X-Failed-Recipients`, a
//! bounce subject or text from a mailer daemon), delay notices, and the failed recipients and
//! original Message-ID read from the bounce text.

use mail_parser::Message;

use super::report::original_message_id;
use super::{dedup, strip_id};
use crate::decode::headers::{self, HeaderFields};
use crate::parsed::{Classification, MailKind};

pub(super) fn failed_recipients_header(msg: &Message<'_>, fields: &HeaderFields, text: &str) -> Option<Classification> {
    let values = headers::raw_texts(msg, "X-Failed-Recipients");
    if values.is_empty() {
        return None;
    }
    let mut recipients: Vec<String> = values
        .iter()
        .flat_map(|v| headers::parse_address_text(v))
        .map(|a| a.email)
        .collect();
    if recipients.is_empty() {
        recipients = failed_recipients_from_text(text, fields);
    }
    Some(Classification {
        kind: MailKind::Bounce,
        reason: format!("X-Failed-Recipients: {}", values.join(", ")),
        bounced_recipients: dedup(recipients),
        original_message_id: original_message_id(msg)
            .or_else(|| original_id_from_text(text))
            .or_else(|| fields.in_reply_to.first().cloned()),
    })
}

const BOUNCE_SUBJECTS: &[&str] = &[
    "undeliverable",
    "undelivered mail returned to sender",
    "undelivered mail",
    "undeliverable mail",
    "delivery status notification (failure)",
    "delivery failure",
    "delivery has failed",
    "mail delivery failed",
    "mail delivery failure",
    "mail delivery system",
    "returned mail",
    "failure notice",
    "mail system error - returned mail",
    "message not delivered",
    "nondeliverable",
    "non-deliverable",
    "unzustellbar",
    "nicht zustellbar",
    "non remis",
    "non distribuable",
    "no se puede entregar",
    "non recapitabile",
    "onbestelbaar",
    "kan niet worden bezorgd",
];

const DELAY_SUBJECTS: &[&str] = &[
    "delivery status notification (delay)",
    "delayed mail",
    "delivery delayed",
    "warning: could not send message",
    "mail delivery delayed",
    "delivery status notification (success)",
    "delivered:",
    "relayed:",
    "zugestellt:",
];

const BOUNCE_TEXT: &[&str] = &[
    "could not be delivered",
    "couldn't be delivered",
    "wasn't delivered",
    "was not delivered",
    "delivery has failed",
    "delivery to the following recipient",
    "following address(es) failed",
    "following addresses had permanent fatal errors",
    "permanent error",
    "permanent failure",
    "failed permanently",
    "undeliverable",
    "undelivered",
    "user unknown",
    "unknown user",
    "no such user",
    "mailbox unavailable",
    "mailbox not found",
    "recipient address rejected",
    "address rejected",
    "does not exist",
    "message could not be delivered",
    "i'm sorry to have to inform you",
    "i'm afraid i wasn't able to deliver",
    "this is a permanent error",
    "unable to deliver",
    "konnte nicht zugestellt werden",
    "n'a pas pu être remis",
    "no se pudo entregar",
];

fn subject_starts_with_any(subject: &str, list: &[&str]) -> bool {
    let lower = subject.trim().to_lowercase();
    list.iter().any(|p| lower.starts_with(p))
}

pub(super) fn is_daemon_sender(fields: &HeaderFields) -> bool {
    fields.from.as_ref().is_some_and(|a| {
        let local = a.email.split('@').next().unwrap_or_default();
        let name = a.name.as_deref().unwrap_or_default().to_lowercase();
        matches!(
            local,
            "mailer-daemon" | "mailer_daemon" | "mailerdaemon" | "postmaster" | "mail-daemon" | "maildaemon"
        ) || name.starts_with("mail delivery s")
            || name == "mailer-daemon"
            || name == "postmaster"
    })
}

pub(super) fn looks_like_bounce_text(text: &str) -> bool {
    let lower = text.to_lowercase();
    BOUNCE_TEXT.iter().any(|p| lower.contains(p))
}

pub(super) fn looks_like_delay(subject: &str, text: &str) -> bool {
    let lower = text.to_lowercase();
    subject_starts_with_any(subject, DELAY_SUBJECTS)
        || lower.contains("will retry")
        || lower.contains("will continue trying")
        || lower.contains("delivery has been delayed")
        || lower.contains("has been delayed")
        || lower.contains("still trying")
}

pub(super) fn plain_bounce(msg: &Message<'_>, fields: &HeaderFields, text: &str) -> Option<Classification> {
    let daemon = is_daemon_sender(fields);
    let bounce_subject = subject_starts_with_any(&fields.subject, BOUNCE_SUBJECTS);
    let auto = headers::text(msg, "Auto-Submitted", None).is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"));
    let bounce_text = looks_like_bounce_text(text);

    if (daemon || auto) && looks_like_delay(&fields.subject, text) && !bounce_subject {
        return Some(Classification {
            kind: MailKind::DeliveryReport,
            reason: format!("delay notice: {}", fields.subject),
            bounced_recipients: Vec::new(),
            original_message_id: original_message_id(msg).or_else(|| original_id_from_text(text)),
        });
    }
    let reason = match (bounce_subject, daemon) {
        (true, _) if daemon || auto || bounce_text => format!("bounce subject: {}", fields.subject),
        (false, true) if bounce_text => {
            format!(
                "sender {} with a delivery failure text",
                fields.from.as_ref().map(|a| a.email.as_str()).unwrap_or_default()
            )
        }
        _ => return None,
    };
    Some(Classification {
        kind: MailKind::Bounce,
        reason,
        bounced_recipients: failed_recipients_from_text(text, fields),
        original_message_id: original_message_id(msg)
            .or_else(|| original_id_from_text(text))
            .or_else(|| fields.in_reply_to.first().cloned()),
    })
}

/// Lines where the copy of the original message starts in a bounce text.
fn is_original_copy_marker(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    l.contains("copy of the message")
        || l.contains("original message follows")
        || l.contains("below this line is a copy")
        || l.contains("original message headers")
        || l.contains("undelivered message attached")
        || l.contains("original message ---")
        || l.contains("original message --")
        || l.contains("unsent message below")
        || l.contains("message headers follow")
        || l.starts_with("return-path:")
        || l.starts_with("received:")
        || l.starts_with("message-id:")
        || l.starts_with("from:")
        || l.starts_with("to:")
        || l.starts_with("subject:")
}

/// Failed recipient addresses in a bounce text, from the part before the copy of the original
/// message; the daemon's own and postmaster addresses are left out.
pub(super) fn failed_recipients_from_text(text: &str, fields: &HeaderFields) -> Vec<String> {
    let mut head = Vec::new();
    for line in text.lines() {
        if is_original_copy_marker(line) {
            break;
        }
        head.push(line);
    }
    let head = head.join("\n");
    let sender = fields.from.as_ref().map(|a| a.email.clone()).unwrap_or_default();
    let addresses = headers::scan_addresses(&head);
    dedup(
        addresses
            .into_iter()
            .map(|a| a.email)
            .filter(|e| *e != sender)
            .filter(|e| {
                let local = e.split('@').next().unwrap_or_default();
                !matches!(
                    local,
                    "mailer-daemon" | "postmaster" | "mail-daemon" | "noreply" | "no-reply"
                )
            })
            .collect(),
    )
}

/// A `Message-ID:` line of the original message quoted in a bounce text.
fn original_id_from_text(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let t = line.trim().trim_start_matches('>').trim();
        let lower = t.to_ascii_lowercase();
        lower
            .starts_with("message-id:")
            .then(|| strip_id(&t[11..]))
            .filter(|id| !id.is_empty())
    })
}
