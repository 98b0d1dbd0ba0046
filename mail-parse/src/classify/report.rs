//! Step 1 of the classification: report parts (`multipart/report`, delivery status, ARF
//! feedback, MDN read receipts), and the Message-ID of our mail a report answers.

use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

use super::bounce::{failed_recipients_from_text, looks_like_bounce_text, looks_like_delay};
use super::{class, ctype, dedup, part_string, parts_of_type, strip_id};
use crate::decode::headers::HeaderFields;
use crate::parsed::{Classification, MailKind};

pub(super) fn report(msg: &Message<'_>, fields: &HeaderFields) -> Option<Classification> {
    let root = msg.parts.first()?;
    let root_ct = root.content_type();
    let is_report = root_ct.is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart") && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let report_type = root_ct
        .and_then(|ct| ct.attribute("report-type"))
        .unwrap_or_default()
        .to_ascii_lowercase();

    let dsn_parts: Vec<_> = ["message/delivery-status", "message/global-delivery-status"]
        .iter()
        .flat_map(|t| parts_of_type(msg, t))
        .collect();
    let has_feedback = !parts_of_type(msg, "message/feedback-report").is_empty();
    let mdn_parts = parts_of_type(msg, "message/disposition-notification");

    if report_type == "delivery-status" || (!dsn_parts.is_empty() && (is_report || report_type.is_empty())) {
        return Some(delivery_status(msg, fields, &dsn_parts));
    }
    if report_type == "feedback-report" || has_feedback {
        return Some(Classification {
            kind: MailKind::FeedbackReport,
            reason: "multipart/report; report-type=feedback-report".to_string(),
            bounced_recipients: Vec::new(),
            original_message_id: original_message_id(msg),
        });
    }
    if report_type == "disposition-notification" || !mdn_parts.is_empty() {
        let original = mdn_parts
            .iter()
            .find_map(|p| field_value(&part_string(msg, p), "original-message-id"))
            .map(|v| strip_id(&v))
            .or_else(|| original_message_id(msg))
            .or_else(|| fields.in_reply_to.first().cloned());
        return Some(Classification {
            kind: MailKind::DeliveryReport,
            reason: "multipart/report; report-type=disposition-notification".to_string(),
            bounced_recipients: Vec::new(),
            original_message_id: original,
        });
    }
    if is_report {
        let label = if report_type.is_empty() {
            "unknown".to_string()
        } else {
            report_type
        };
        return Some(class(
            MailKind::DeliveryReport,
            format!("multipart/report; report-type={label}"),
        ));
    }
    None
}

/// A delivery status notification: a bounce when a recipient failed (or, without the
/// machine-readable part, when the text says so), else a delivery report.
fn delivery_status(msg: &Message<'_>, fields: &HeaderFields, dsn_parts: &[&MessagePart<'_>]) -> Classification {
    let mut recipients = Vec::new();
    for part in dsn_parts {
        recipients.extend(parse_delivery_status(&part_string(msg, part)));
    }
    let failed: Vec<String> = dedup(
        recipients
            .iter()
            .filter(|r| r.failed)
            .map(|r| r.address.clone())
            .collect(),
    );
    let original = original_message_id(msg).or_else(|| fields.in_reply_to.first().cloned());
    let (kind, reason) = if !failed.is_empty() {
        (
            MailKind::Bounce,
            "multipart/report; report-type=delivery-status (Action: failed)".to_string(),
        )
    } else if recipients.is_empty() && dsn_parts.is_empty() {
        // A report without its machine-readable part: decide from the text.
        let text = body_text(msg);
        if looks_like_delay(&fields.subject, &text) || !looks_like_bounce_text(&text) {
            (
                MailKind::DeliveryReport,
                "multipart/report; report-type=delivery-status".to_string(),
            )
        } else {
            let failed = failed_recipients_from_text(&text, fields);
            return Classification {
                kind: MailKind::Bounce,
                reason: "multipart/report; report-type=delivery-status (failure text)".to_string(),
                bounced_recipients: failed,
                original_message_id: original,
            };
        }
    } else {
        let action = recipients.first().map(|r| r.action.clone()).unwrap_or_default();
        let action = if action.is_empty() {
            "unknown".to_string()
        } else {
            action
        };
        (
            MailKind::DeliveryReport,
            format!("multipart/report; report-type=delivery-status (Action: {action})"),
        )
    };
    Classification {
        kind,
        reason,
        bounced_recipients: failed,
        original_message_id: original,
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct RecipientStatus {
    address: String,
    action: String,
    failed: bool,
}

/// Per-recipient blocks of a `message/delivery-status` body.
fn parse_delivery_status(text: &str) -> Vec<RecipientStatus> {
    let mut out: Vec<RecipientStatus> = Vec::new();
    let mut current: Option<RecipientStatus> = None;
    let mut status = String::new();
    let finish = |current: &mut Option<RecipientStatus>, status: &mut String, out: &mut Vec<RecipientStatus>| {
        if let Some(mut r) = current.take() {
            r.failed = r.action == "failed" || (r.action.is_empty() && status.starts_with('5'));
            if !r.address.is_empty() {
                out.push(r);
            }
        }
        status.clear();
    };
    for (name, value) in unfolded_fields(text) {
        match name.as_str() {
            "final-recipient" | "original-recipient" => {
                let address = value.rsplit(';').next().unwrap_or_default();
                let address = address
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .trim()
                    .to_lowercase();
                if name == "final-recipient" || current.is_none() {
                    if name == "final-recipient"
                        && current
                            .as_ref()
                            .is_some_and(|c| c.address.is_empty() || c.action.is_empty() && status.is_empty())
                    {
                        // `Original-Recipient` came first for this same recipient.
                        if let Some(c) = current.as_mut() {
                            c.address = address;
                        }
                        continue;
                    }
                    finish(&mut current, &mut status, &mut out);
                    current = Some(RecipientStatus {
                        address,
                        ..Default::default()
                    });
                }
            }
            "action" => {
                if let Some(c) = current.as_mut() {
                    c.action = value.split_whitespace().next().unwrap_or_default().to_lowercase();
                }
            }
            "status" => status = value.trim().to_string(),
            _ => {}
        }
    }
    finish(&mut current, &mut status, &mut out);
    out
}

/// `Name: value` fields of a header-like text, names lowercased, folded lines joined.
fn unfolded_fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':')
            && !name.is_empty()
            && !name.contains(char::is_whitespace)
        {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

fn field_value(text: &str, name: &str) -> Option<String> {
    unfolded_fields(text)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// The Message-ID of the original message enclosed in a report: from a `message/rfc822` part,
/// a `text/rfc822-headers` part, or a `Message-ID:` line in a text part after the report.
pub(super) fn original_message_id(msg: &Message<'_>) -> Option<String> {
    for part in &msg.parts {
        match &part.body {
            PartType::Message(nested) => {
                if let Some(id) = nested.message_id() {
                    return Some(strip_id(id));
                }
            }
            _ if matches!(
                ctype(part).as_str(),
                "text/rfc822-headers" | "message/rfc822-headers" | "message/rfc822"
            ) =>
            {
                if let Some(id) = message_id_in_headers_text(&part_string(msg, part)) {
                    return Some(id);
                }
            }
            _ => {}
        }
    }
    None
}

fn message_id_in_headers_text(text: &str) -> Option<String> {
    let crlf = format!(
        "{}\r\n\r\n",
        text.replace("\r\n", "\n").replace('\n', "\r\n").trim_end()
    );
    let parsed = MessageParser::default().parse_headers(crlf.as_bytes());
    parsed
        .as_ref()
        .and_then(|m| m.message_id().map(strip_id))
        .or_else(|| field_value(text, "message-id").map(|v| strip_id(&v)))
        .filter(|id| !id.is_empty())
}

fn body_text(msg: &Message<'_>) -> String {
    crate::decode::body::extract(msg).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_status_parsing() {
        let r = parse_delivery_status(
            "Reporting-MTA: dns; a\n\nOriginal-Recipient: rfc822;A@x.com\nFinal-Recipient: rfc822;\n a@x.com\nAction: failed\nStatus: 5.0.0\n\nFinal-Recipient: rfc822; b@x.com\nStatus: 5.2.2\n\nFinal-Recipient: rfc822; c@x.com\nStatus: 4.0.0\n",
        );
        let failed: Vec<_> = r.iter().filter(|r| r.failed).map(|r| r.address.as_str()).collect();
        assert_eq!(failed, vec!["a@x.com", "b@x.com"]);
        assert_eq!(r.len(), 3);
    }
}
