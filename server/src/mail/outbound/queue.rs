//! Writing a mail into the outbox, inside the caller's transaction: the mail exists exactly
//! when the change that caused it does. Policy (robots, bounces, loop caps) is applied here,
//! and a held mail is still recorded — as `suppressed`, with the reason — for the admin.

use chrono::{DateTime, Utc};
use entity::outbound_mail;
use lettre::message::dkim::DkimConfig;
use protocol::{NotificationSettings, OutboundStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::error::AppResult;
use crate::keys::Keys;
use crate::mail::outbound::compose::{self, Draft};
use crate::mail::outbound::{policy, thread_index};
use crate::mail::signed_ids;
use crate::write_behind::{Counted, WriteBehind};

/// What the outbox needs besides the mail itself.
pub struct Env<'a> {
    /// A batch's rows not yet written: an automatic mail waits there (see [`WriteBehind`]).
    pub behind: Option<&'a WriteBehind>,
    pub keys: &'a Keys,
    /// Domain of our Message-IDs.
    pub domain: &'a str,
    pub dkim: Option<&'a DkimConfig>,
    pub notifications: &'a NotificationSettings,
}

pub struct Outgoing {
    pub ticket_id: Option<i64>,
    /// When the ticket started (for Outlook's Thread-Index).
    pub ticket_started: Option<DateTime<Utc>>,
    pub message_row_id: Option<i64>,
    pub template: String,
    /// A notification (subject to policy) rather than a person's reply.
    pub automatic: bool,
    /// `message_id` and `thread_index` are filled in here.
    pub draft: Draft,
}

#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    pub message_id: String,
    pub status: OutboundStatus,
    /// Why policy held it (suppressed), or why it could not be built (failed).
    pub note: Option<String>,
}

fn addresses(people: &[compose::Person]) -> String {
    people
        .iter()
        .map(|p| p.email.to_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn enqueue(db: &impl ConnectionTrait, env: &Env<'_>, mut out: Outgoing) -> AppResult<Queued> {
    let recipient = out.draft.to.first().map(|p| p.email.to_lowercase()).unwrap_or_default();
    let hold = if out.automatic {
        policy::hold_automatic(db, env.notifications, &recipient, out.ticket_id, env.behind).await?
    } else {
        policy::Hold::default()
    };
    let held = hold.reason;
    let now = Utc::now();
    // A random serial rather than the row id tells our Message-IDs apart: the mail is then
    // complete before its row exists, and written with one insert.
    let serial = i64::try_from(uuid::Uuid::new_v4().as_u64_pair().0 >> 1).unwrap_or(0);
    let message_id = signed_ids::message_id(env.keys, out.ticket_id.unwrap_or(0), serial, env.domain);
    out.draft.message_id = message_id.clone();
    if let (Some(t), Some(started)) = (out.ticket_id, out.ticket_started) {
        out.draft.thread_index = Some(thread_index::thread_index(env.domain, t, started, now, serial));
    }
    let (status, note, raw) = match (&held, compose::build(&out.draft, env.dkim)) {
        (Some(reason), Ok(raw)) => (OutboundStatus::Suppressed, Some(reason.clone()), raw),
        (_, Err(e)) => (OutboundStatus::Failed, Some(e.to_string()), Vec::new()),
        (None, Ok(raw)) => (OutboundStatus::Queued, None, raw),
    };
    let row = outbound_mail::ActiveModel {
        ticket_id: Set(out.ticket_id),
        message_row_id: Set(out.message_row_id),
        template: Set(out.template.clone()),
        automatic: Set(out.automatic),
        recipient: Set(recipient.clone()),
        recipients: Set(addresses(&out.draft.to)),
        cc: Set(addresses(&out.draft.cc)),
        mail_from: Set(out.draft.from.email.to_lowercase()),
        message_id: Set(message_id.clone()),
        subject: Set(out.draft.subject.clone()),
        raw: Set(raw),
        status: Set(status),
        last_error: Set(note.clone()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    };
    let id = match (env.behind, hold.reserved_id) {
        (Some(behind), Some(id)) => {
            let counted = Counted {
                capped: out.automatic && status != OutboundStatus::Suppressed,
                recipient,
                ticket_id: out.ticket_id,
            };
            behind.outbound(counted, outbound_mail::ActiveModel { id: Set(id), ..row });
            id
        }
        _ => row.insert(db).await?.id,
    };
    if let Some(n) = &note {
        tracing::info!(outbound_id = id, status = status.as_str(), note = %n, "outbound mail not queued for sending");
    }
    Ok(Queued {
        id,
        message_id,
        status,
        note,
    })
}
