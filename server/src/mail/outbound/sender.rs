//! The sender: claims due mail from the outbox and hands it to the transport, recording the
//! state before (`sending`, with a lease) and after (`sent` / retry / `failed`). Several nodes
//! share the outbox: on PostgreSQL the claim skips rows another node holds (`FOR UPDATE SKIP
//! LOCKED`). A node that dies mid-send leaves a `sending` row whose lease runs out; it is sent
//! again under the SAME Message-ID, so the receiving side sees one message, never two
//! different ones — and nothing is ever dropped.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use entity::outbound_mail;
use protocol::live::ChangeKind;
use protocol::{EventKind, MessageKind, OutboundStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::backend::{self, Claim};
use crate::change::Change;
use crate::context::AppContext;
use crate::error::AppResult;
use crate::mail::outbound::transport::{SendError, Transport};
use crate::tickets::events;
use crate::tickets::write::{self, NewMessage};

/// How long a claim holds a mail before another node may take it over.
const LEASE_SECS: i64 = 300;
const BATCH: i64 = 20;

/// Claims up to `BATCH` due mails (new, retry due, or abandoned by a dead sender).
pub async fn claim(db: &impl ConnectionTrait) -> AppResult<Vec<outbound_mail::Model>> {
    let now = Utc::now();
    let lease = now + chrono::Duration::seconds(LEASE_SECS);
    let mut rows = Claim {
        table: "outbound_mails",
        set: "status = 'sending', locked_until = {lease}, attempts = attempts + 1",
        due: "(status = 'queued' AND next_attempt_at <= {now}) OR (status = 'sending' AND locked_until < {now})",
        limit: BATCH,
    }
    .run::<outbound_mail::Entity>(db, now, lease)
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The delay before attempt `attempts + 1`: base, 2×, 4×… capped at an hour.
pub fn backoff(base_secs: u64, attempts: i32) -> Duration {
    backend::backoff(Duration::from_secs(base_secs), attempts, Duration::from_secs(3600))
}

fn rcpts(m: &outbound_mail::Model) -> Vec<String> {
    m.recipients
        .split(',')
        .chain(m.cc.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Sends one claimed mail and records the result. Never returns an error for the mail itself:
/// a bad mail is recorded as failed; only a database error is passed up.
pub async fn deliver(
    ctx: &AppContext,
    transport: &dyn Transport,
    m: outbound_mail::Model,
) -> AppResult<OutboundStatus> {
    // A mailbox with its own SMTP account sends its replies through it; one that cannot be
    // set up (a bad host, a key that no longer decrypts) delays this mail, nothing else.
    let result = match ctx.outbound().routes.own_for_sender(ctx, &m.mail_from).await {
        Ok(Some(own)) => own.send(&m.mail_from, &rcpts(&m), &m.raw).await,
        Ok(None) => transport.send(&m.mail_from, &rcpts(&m), &m.raw).await,
        Err(e) => Err(SendError::Transient(format!(
            "the sending mailbox's SMTP account cannot be used: {e}"
        ))),
    };
    let out = &ctx.settings().outbound;
    let (status, error, next) = match &result {
        Ok(_) => (OutboundStatus::Sent, None, None),
        Err(SendError::Transient(e)) if m.attempts < out.max_attempts => (
            OutboundStatus::Queued,
            Some(e.clone()),
            Some(Utc::now() + backoff(out.retry_base_secs, m.attempts)),
        ),
        Err(SendError::Transient(e)) => (
            OutboundStatus::Failed,
            Some(format!("gave up after {} attempts: {e}", m.attempts)),
            None,
        ),
        Err(SendError::Permanent(e)) => (OutboundStatus::Failed, Some(e.clone()), None),
    };
    let change = Change::open(ctx, None).await?.by_sender();
    let txn = change.db();
    let mut q = outbound_mail::Entity::update_many()
        .col_expr(outbound_mail::Column::Status, Expr::value(status))
        .col_expr(outbound_mail::Column::LastError, Expr::value(error.clone()))
        .col_expr(
            outbound_mail::Column::LockedUntil,
            Expr::value(None::<chrono::DateTime<Utc>>),
        )
        .col_expr(outbound_mail::Column::Transport, Expr::value(transport.name()));
    if status == OutboundStatus::Sent {
        q = q.col_expr(outbound_mail::Column::SentAt, Expr::value(Utc::now()));
    }
    if let Some(next) = next {
        q = q.col_expr(outbound_mail::Column::NextAttemptAt, Expr::value(next));
    }
    q.filter(outbound_mail::Column::Id.eq(m.id))
        .filter(outbound_mail::Column::Status.eq(OutboundStatus::Sending))
        .exec(txn)
        .await?;
    let failed_on = (status == OutboundStatus::Failed).then_some(m.ticket_id).flatten();
    let mut note_id = None;
    if let Some(ticket_id) = failed_on {
        note_id = Some(record_failure(txn, ticket_id, &m, error.as_deref().unwrap_or("failed")).await?);
    }
    if let Some(ticket_id) = failed_on {
        change.touched(ticket_id, ChangeKind::Message, note_id);
    }
    change.commit().await?;
    match (&result, failed_on) {
        (Ok(answer), _) => tracing::debug!(outbound_id = m.id, %answer, "mail sent"),
        (Err(e), None) => tracing::warn!(outbound_id = m.id, error = ?e, "mail not sent yet"),
        (Err(e), Some(ticket_id)) => {
            tracing::warn!(outbound_id = m.id, ticket_id, error = ?e, "mail delivery failed");
        }
    }
    Ok(status)
}

/// Agents see "delivery failed" on the ticket: a system message in the thread (staff-only
/// wording, no customer data beyond the address) and an event in its history.
async fn record_failure(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    m: &outbound_mail::Model,
    error: &str,
) -> AppResult<i64> {
    let to = m.recipients.replace(',', ", ");
    events::record(
        db,
        ticket_id,
        None,
        EventKind::DeliveryFailed,
        None,
        Some(format!("{to}: {error}")),
    )
    .await?;
    let line = format!("Delivery failed to {to} (\"{}\"): {error}", m.subject);
    let row = write::add_message(db, NewMessage::new(ticket_id, MessageKind::System, line)).await?;
    Ok(row.id)
}

/// Claims and sends until nothing is due; returns how many mails were handled.
pub async fn run_once(ctx: &AppContext, transport: &dyn Transport) -> AppResult<usize> {
    let mut handled = 0;
    loop {
        let batch = claim(ctx.db()).await?;
        if batch.is_empty() {
            return Ok(handled);
        }
        for m in batch {
            handled += 1;
            if let Err(e) = deliver(ctx, transport, m).await {
                tracing::warn!(error = %e, "recording a send result failed; the lease will retry it");
            }
        }
    }
}

/// The background sender of this node.
pub async fn run(ctx: AppContext, transport: Arc<dyn Transport>) {
    let every = Duration::from_millis(ctx.settings().outbound.poll_interval_ms.max(20));
    loop {
        if let Err(e) = run_once(&ctx, transport.as_ref()).await {
            tracing::warn!(error = %e, "outbound sender: claiming failed; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = ctx.outbound_wake().notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(30, 1).as_secs(), 30);
        assert_eq!(backoff(30, 2).as_secs(), 60);
        assert_eq!(backoff(30, 4).as_secs(), 240);
        assert_eq!(backoff(30, 40).as_secs(), 3600);
        assert_eq!(backoff(0, 1).as_secs(), 1);
    }
}
