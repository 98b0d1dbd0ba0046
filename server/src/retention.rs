//! Retention: how long raw mail and closed tickets are kept (seed 001: "define how long to
//! retain raw source email versus the parsed representation").
//!
//! - `retention.raw_mail_days`: the raw bytes of processed journal entries older than that are
//!   dropped (`raw` emptied, `raw_purged_at` set). The entry itself stays — it is what makes a
//!   redelivery a duplicate — and so do the messages and attachments the mail became. Mail still
//!   pending, quarantined or failed keeps its bytes: it may yet be processed, released, replayed.
//! - `retention.closed_ticket_days`: tickets closed longer ago are deleted with everything that
//!   hangs off them (messages, files, history, subscribers…: the foreign keys cascade), and their
//!   files' blobs once no other ticket refers to them.
//!
//! Every node runs the sweep. Each item is claimed by the statement that changes it (an
//! `UPDATE … WHERE raw is not yet purged`, a `DELETE … WHERE id = ? AND still closed long
//! enough`), so however many nodes sweep at once, each item is done once and counted once, by
//! the node that did it, in its log.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{attachment, inbound_mail, ticket};
use protocol::TicketStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait};

use crate::context::AppContext;
use crate::error::AppResult;
use crate::mail::inbound::journal::status;

/// A blob written or touched this recently is kept even when no row refers to it: a mail
/// storing the same bytes may not have committed its row yet.
pub const BLOB_GRACE: Duration = Duration::from_secs(3600);

/// At most this many tickets a sweep (the next sweep goes on).
const TICKETS_PER_SWEEP: u64 = 500;

/// What one sweep did on this node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub raw_mails: u64,
    pub tickets: u64,
    pub blobs: u64,
}

/// One sweep as of `now` (injected, so tests need not wait days); blobs written within
/// `blob_grace` stay.
pub async fn sweep(ctx: &AppContext, now: DateTime<Utc>, blob_grace: Duration) -> AppResult<Swept> {
    let settings = &ctx.settings().retention;
    let mut swept = Swept::default();
    if settings.raw_mail_days > 0 {
        swept.raw_mails = purge_raw(ctx.db(), now - chrono::Duration::days(settings.raw_mail_days)).await?;
    }
    if settings.closed_ticket_days > 0 {
        let cutoff = now - chrono::Duration::days(settings.closed_ticket_days);
        (swept.tickets, swept.blobs) = delete_closed(ctx, cutoff, blob_grace).await?;
    }
    if swept != Swept::default() {
        tracing::info!(
            raw_mails = swept.raw_mails,
            tickets = swept.tickets,
            blobs = swept.blobs,
            "retention: raw mail dropped, closed tickets deleted"
        );
    }
    Ok(swept)
}

/// Every node, every `retention.interval_minutes`.
pub async fn run(ctx: AppContext) {
    let every = Duration::from_secs(ctx.settings().retention.interval_minutes.max(1) * 60);
    loop {
        if let Err(e) = sweep(&ctx, Utc::now(), BLOB_GRACE).await {
            tracing::warn!(error = %e, "retention sweep failed; trying again later");
        }
        tokio::time::sleep(every).await;
    }
}

async fn purge_raw(db: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> AppResult<u64> {
    let done = inbound_mail::Entity::update_many()
        .col_expr(inbound_mail::Column::Raw, Expr::value(Vec::<u8>::new()))
        .col_expr(inbound_mail::Column::RawPurgedAt, Expr::value(Utc::now()))
        .filter(inbound_mail::Column::Status.eq(status::PROCESSED))
        .filter(inbound_mail::Column::ReceivedAt.lt(cutoff))
        .filter(inbound_mail::Column::RawPurgedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// (tickets deleted, blobs removed).
async fn delete_closed(ctx: &AppContext, cutoff: DateTime<Utc>, blob_grace: Duration) -> AppResult<(u64, u64)> {
    let closed = || {
        ticket::Entity::find()
            .filter(ticket::Column::Status.eq(TicketStatus::Closed))
            .filter(ticket::Column::ClosedAt.lt(cutoff))
    };
    let ids: Vec<i64> = closed()
        .select_only()
        .column(ticket::Column::Id)
        .limit(TICKETS_PER_SWEEP)
        .into_tuple()
        .all(ctx.db())
        .await?;
    let (mut tickets, mut blobs) = (0, 0);
    for id in ids {
        let txn = ctx.db().begin().await?;
        let files: Vec<String> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::Sha256)
            .filter(attachment::Column::TicketId.eq(id))
            .into_tuple()
            .all(&txn)
            .await?;
        // Still closed, and long enough: a reopened ticket is not deleted; another node that
        // got here first leaves nothing to delete.
        let gone = ticket::Entity::delete_many()
            .filter(ticket::Column::Id.eq(id))
            .filter(ticket::Column::Status.eq(TicketStatus::Closed))
            .filter(ticket::Column::ClosedAt.lt(cutoff))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        if gone == 0 {
            continue;
        }
        tickets += 1;
        blobs += remove_unreferenced(ctx, files, blob_grace).await?;
    }
    Ok((tickets, blobs))
}

async fn remove_unreferenced(ctx: &AppContext, mut files: Vec<String>, grace: Duration) -> AppResult<u64> {
    files.sort();
    files.dedup();
    let mut removed = 0;
    for sha in files {
        let still = attachment::Entity::find()
            .filter(attachment::Column::Sha256.eq(sha.clone()))
            .count(ctx.db())
            .await?;
        if still == 0 && ctx.blobs().remove_stale(&sha, grace).await? {
            removed += 1;
        }
    }
    Ok(removed)
}
