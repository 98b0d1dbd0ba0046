//! The rows one applied mail writes besides the ticket itself: its message (and the system
//! messages of robot mail), the ticket's version bump, the subscribers it brings, and the
//! suppression of an address that bounced. Called by `apply` inside its transaction.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::{attachment, email_suppression, message, subscriber, ticket, user};
use mail_parse::parsed::{MailKind, ParsedMail};
use protocol::{EventKind, MessageKind, RuleEvent};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, Set};

use crate::directory::users::normalize_email;
use crate::error::{AppError, AppResult};
use crate::mail::outbound::facts;
use crate::rules::{self, Trigger};
use crate::tickets::events;
use crate::tickets::write::{self, NewMessage};

use super::apply::{Input, kind_str, mail_facts};

/// An auto-reply or bounce answering one of our mails: kept on the ticket for the record,
/// without changing its state or notifying anyone.
pub(super) async fn system_message(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    t: &ticket::Model,
    sender: &str,
) -> AppResult<i64> {
    let c = &input.parsed.classification;
    let mut body = format!("{} from {sender}: {}", kind_str(c.kind).replace('_', " "), c.reason);
    if !c.bounced_recipients.is_empty() {
        body.push_str(&format!("\nUndeliverable to: {}", c.bounced_recipients.join(", ")));
    }
    if !input.parsed.text.trim().is_empty() {
        body.push_str("\n\n");
        body.push_str(input.parsed.text.trim());
    }
    let m = NewMessage {
        email_message_id: input.parsed.message_id.clone(),
        inbound_id: Some(input.entry.id),
        from_email: Some(sender.to_owned()),
        ..NewMessage::new(t.id, MessageKind::System, body)
    };
    let m = write::add_message(txn, m).await?;
    // Rules may still sort it (say, tag auto-replies); they see `auto_reply` and kind `system`.
    let trigger = Trigger::new([RuleEvent::MessageAdded])
        .with_message(m.id)
        .with_mail(mail_facts(input.parsed, input.checks));
    rules::run(input.change, t.id, trigger).await?;
    Ok(m.id)
}

pub(super) async fn suppress_bounced(txn: &DatabaseTransaction, parsed: &ParsedMail) -> AppResult<()> {
    if parsed.classification.kind != MailKind::Bounce {
        return Ok(());
    }
    let now = Utc::now();
    for rcpt in &parsed.classification.bounced_recipients {
        let row = email_suppression::ActiveModel {
            email: Set(rcpt.to_lowercase()),
            reason: Set(format!("hard bounce: {}", parsed.classification.reason)),
            created_at: Set(now),
            expires_at: Set(now + Duration::days(60)),
            ..Default::default()
        };
        email_suppression::Entity::insert(row)
            .on_conflict(
                OnConflict::column(email_suppression::Column::Email)
                    .update_columns([email_suppression::Column::Reason, email_suppression::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(txn)
            .await?;
    }
    Ok(())
}

pub(super) async fn insert_message(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    (ticket_id, ticket_version): (i64, i64),
    kind: MessageKind,
    author: Option<&user::Model>,
    rule: &str,
) -> AppResult<(message::Model, Vec<attachment::Model>)> {
    let parsed = input.parsed;
    let mut text = parsed.text.trim().to_owned();
    if text.is_empty() {
        text = parsed.text_full.trim().to_owned();
    }
    if text.is_empty() {
        text = "(no text)".into();
    }
    let m = NewMessage {
        author_id: author.map(|a| a.id),
        body_html: parsed.html.clone(),
        ticket_version: Some(ticket_version),
        from_email: author.map(|a| a.email.clone()),
        email_message_id: parsed.message_id.clone(),
        inbound_id: Some(input.entry.id),
        thread_rule: Some(rule.to_owned()),
        mail_checks: (input.checks != &protocol::MailChecks::default())
            .then(|| serde_json::to_string(input.checks).unwrap_or_default()),
        ..NewMessage::new(ticket_id, kind, text)
    };
    let m = write::add_message(txn, m).await?;
    let mut cids: HashMap<String, String> = HashMap::new();
    let mut files = Vec::with_capacity(input.attachments.len());
    for a in &input.attachments {
        let row = attachment::ActiveModel {
            ticket_id: Set(ticket_id),
            message_id: Set(Some(m.id)),
            filename: Set(a.filename.clone()),
            content_type: Set(a.content_type.clone()),
            size: Set(a.size),
            sha256: Set(a.sha256.clone()),
            inline: Set(a.inline),
            content_id: Set(a.content_id.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        if let Some(cid) = &a.content_id {
            cids.insert(cid.clone(), format!("{}/attachments/{}", protocol::API_BASE, row.id));
        }
        files.push(row);
    }
    let m = match parsed.html.as_ref().filter(|_| !cids.is_empty()) {
        Some(html) => {
            let mut rewritten = html.clone();
            for (cid, url) in &cids {
                rewritten = rewritten.replace(&format!("cid:{cid}"), url);
            }
            let mut active = m.into_active_model();
            active.body_html = Set(Some(rewritten));
            active.update(txn).await?
        }
        None => m,
    };
    for note in &input.refused {
        events::record(
            txn,
            ticket_id,
            None,
            EventKind::AttachmentRefused,
            None,
            Some(note.clone()),
        )
        .await?;
    }
    flag_ticket(txn, input.checks, ticket_id).await?;
    Ok((m, files))
}

/// Tags that let agents find what screening flagged: `malware` (a file was removed), `spam`
/// (the filter would mark it).
async fn flag_ticket(txn: &DatabaseTransaction, checks: &protocol::MailChecks, ticket_id: i64) -> AppResult<()> {
    if !checks.malware.is_empty() {
        write::toggle_tag(txn, ticket_id, "malware", true, None).await?;
    }
    if checks.spam.as_ref().is_some_and(protocol::SpamVerdict::is_suspect) {
        write::toggle_tag(txn, ticket_id, "spam", true, None).await?;
    }
    Ok(())
}

/// To/CC recipients other than our own mailboxes and the sender (seed 002: "Add all emails
/// from CC and TO fields to ticket subscribers").
pub(super) async fn add_subscribers(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    ticket_id: i64,
    sender: &user::Model,
) -> AppResult<Vec<subscriber::Model>> {
    if !input.rules.add_recipients_as_subscribers {
        return Ok(Vec::new());
    }
    let candidates: Vec<String> = input
        .parsed
        .to
        .iter()
        .chain(&input.parsed.cc)
        .filter_map(|addr| normalize_email(&addr.email).ok())
        .filter(|email| !input.rules.is_own(email) && *email != sender.email)
        .collect();
    // The usual mail is addressed to us alone: nothing to look up.
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut added = Vec::new();
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let requester = user::Entity::find_by_id(t.requester_id)
        .one(txn)
        .await?
        .map(|u| u.email);
    for email in candidates {
        if Some(&email) == requester.as_ref() {
            continue;
        }
        if let Some(row) = write::subscribe(txn, ticket_id, &email, Some(sender.id)).await? {
            added.push(row);
        }
    }
    if !added.is_empty() {
        forget_subscribers(input, ticket_id);
    }
    Ok(added)
}

/// The batch's early read of the ticket's subscribers no longer holds.
pub(super) fn forget_subscribers(input: &Input<'_>, ticket_id: i64) {
    input.change.memo().take(&facts::SubscribersRead(ticket_id));
}
