//! The journal as admins see it: quarantine and dead letters, with release and replay.

use entity::inbound_mail;
use protocol::{InboundMail, InboundStatus, Page};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::{AppError, AppResult};
use crate::mail::inbound::journal::status;
use crate::paging::Paging;

pub fn status_of(s: &str) -> InboundStatus {
    match s {
        status::PROCESSED => InboundStatus::Processed,
        status::QUARANTINED => InboundStatus::Quarantined,
        status::FAILED => InboundStatus::Failed,
        _ => InboundStatus::Pending,
    }
}

pub fn status_str(s: InboundStatus) -> &'static str {
    match s {
        InboundStatus::Pending => status::PENDING,
        InboundStatus::Processed => status::PROCESSED,
        InboundStatus::Quarantined => status::QUARANTINED,
        InboundStatus::Failed => status::FAILED,
    }
}

pub fn to_dto(m: inbound_mail::Model) -> InboundMail {
    InboundMail {
        id: m.id,
        mailbox_id: m.mailbox_id,
        source: m.source,
        message_id: m.message_id,
        size: m.size,
        status: status_of(&m.status),
        kind: m.kind,
        reason: m.reason,
        error: m.error,
        attempts: m.attempts,
        ticket_id: m.ticket_id,
        thread_rule: m.thread_rule,
        received_at: m.received_at,
        processed_at: m.processed_at,
    }
}

/// Columns without the raw bytes: a list must not load every mail's body.
fn without_raw() -> sea_orm::Select<inbound_mail::Entity> {
    use inbound_mail::Column as C;
    inbound_mail::Entity::find().select_only().columns([
        C::Id,
        C::MailboxId,
        C::Source,
        C::IdempotencyKey,
        C::MessageId,
        C::RawSha256,
        C::Size,
        C::Status,
        C::Kind,
        C::Reason,
        C::Error,
        C::Attempts,
        C::TicketId,
        C::MessageRowId,
        C::ThreadRule,
        C::ImapUid,
        C::ImapUidValidity,
        C::ReceivedAt,
        C::ProcessedAt,
    ])
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    id: i64,
    mailbox_id: Option<i64>,
    source: String,
    message_id: Option<String>,
    size: i64,
    status: String,
    kind: Option<String>,
    reason: Option<String>,
    error: Option<String>,
    attempts: i32,
    ticket_id: Option<i64>,
    thread_rule: Option<String>,
    received_at: chrono::DateTime<chrono::Utc>,
    processed_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: Option<InboundStatus>,
    paging: Paging,
) -> AppResult<Page<InboundMail>> {
    let Paging { page, per_page } = paging;
    let mut q = without_raw().order_by_desc(inbound_mail::Column::Id);
    if let Some(s) = filter {
        q = q.filter(inbound_mail::Column::Status.eq(status_str(s)));
    }
    let paginator = q.into_model::<Row>().paginate(db, per_page);
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .map(|r| InboundMail {
            id: r.id,
            mailbox_id: r.mailbox_id,
            source: r.source,
            message_id: r.message_id,
            size: r.size,
            status: status_of(&r.status),
            kind: r.kind,
            reason: r.reason,
            error: r.error,
            attempts: r.attempts,
            ticket_id: r.ticket_id,
            thread_rule: r.thread_rule,
            received_at: r.received_at,
            processed_at: r.processed_at,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The raw mail as received, while retention keeps it.
pub async fn raw(db: &impl ConnectionTrait, id: i64) -> AppResult<Vec<u8>> {
    let entry = inbound_mail::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("mail"))?;
    if entry.raw_purged_at.is_some() {
        return Err(AppError::NotFound("raw mail (retention removed it; the messages stay)"));
    }
    Ok(entry.raw)
}
