//! Attachment upload and download, with the ticket's visibility rules (and internal notes'
//! attachments hidden from customers).

use chrono::Utc;
use entity::{attachment, message};
use protocol::{Attachment, MessageKind};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::auth::CurrentUser;
use crate::blobs::BlobStore;
use crate::error::{AppError, AppResult};
use crate::settings::LimitSettings;
use crate::tickets::access::Scope;
use crate::tickets::mapping;

/// Uploads one person may have waiting at once, whatever their size.
pub const MAX_PENDING_UPLOADS: usize = 100;

/// A file for the caller's next message on this ticket. It is theirs alone until attached
/// (nobody else can attach it by guessing its id), counts against their quota of pending
/// uploads, and is swept if never attached ([`sweep_unclaimed`]).
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    db: &impl ConnectionTrait,
    blobs: &BlobStore,
    limits: &LimitSettings,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<Attachment> {
    scope.find_ticket(db, ticket_id).await?;
    let filename = sanitize_filename(filename)?;
    if bytes.is_empty() {
        return Err(AppError::validation("body: the file is empty"));
    }
    // A handful of rows at most: the quota keeps them few.
    let pending: Vec<i64> = attachment::Entity::find()
        .select_only()
        .column(attachment::Column::Size)
        .filter(attachment::Column::UploadedBy.eq(user.id))
        .filter(attachment::Column::MessageId.is_null())
        .into_tuple()
        .all(db)
        .await?;
    if pending.len() >= MAX_PENDING_UPLOADS {
        return Err(AppError::PayloadTooLarge(format!(
            "at most {MAX_PENDING_UPLOADS} uploads may wait to be attached to a message"
        )));
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let held = pending.iter().map(|s| u64::try_from(*s).unwrap_or(0)).sum::<u64>();
    if held.saturating_add(size) > limits.pending_upload_bytes {
        return Err(AppError::PayloadTooLarge(format!(
            "uploads not yet attached to a message may hold {} bytes per person; {held} are held: \
             send or wait for the unsent ones to expire",
            limits.pending_upload_bytes
        )));
    }
    let sha256 = blobs.put(bytes).await?;
    let model = attachment::ActiveModel {
        ticket_id: Set(ticket_id),
        message_id: Set(None),
        filename: Set(filename),
        content_type: Set(content_type.to_owned()),
        size: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
        sha256: Set(sha256),
        inline: Set(false),
        content_id: Set(None),
        created_at: Set(Utc::now()),
        uploaded_by: Set(Some(user.id)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(mapping::attachment(model))
}

/// Sweeps unclaimed uploads once an hour (each node does; deleting twice is harmless).
pub async fn run_sweeper(ctx: crate::context::AppContext) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        let hours = i64::from(ctx.settings().limits.pending_upload_hours);
        match sweep_unclaimed(ctx.db(), Utc::now() - chrono::Duration::hours(hours)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "unclaimed uploads swept"),
            Err(e) => tracing::warn!(error = %e, "sweeping unclaimed uploads failed"),
        }
    }
}

/// Deletes uploads that were never attached to a message and are older than `older_than`.
/// Their blobs stay: blobs are content-addressed and may be shared with stored mail.
pub async fn sweep_unclaimed(db: &impl ConnectionTrait, older_than: chrono::DateTime<Utc>) -> AppResult<u64> {
    let done = attachment::Entity::delete_many()
        .filter(attachment::Column::MessageId.is_null())
        .filter(attachment::Column::CreatedAt.lt(older_than))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The attachment's metadata and bytes, if the caller may read them.
pub async fn download(
    db: &impl ConnectionTrait,
    blobs: &BlobStore,
    scope: &Scope,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(attachment::Model, Vec<u8>)> {
    let a = attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("attachment"))?;
    scope
        .find_ticket(db, a.ticket_id)
        .await
        .map_err(|_| AppError::NotFound("attachment"))?;
    if !user.is_staff() {
        // Customers only get files of messages they can see: not notes, not staff uploads
        // that were never sent.
        let visible = match a.message_id {
            Some(mid) => message::Entity::find_by_id(mid)
                .one(db)
                .await?
                .is_some_and(|m| m.kind != MessageKind::Note),
            None => false,
        };
        if !visible {
            return Err(AppError::NotFound("attachment"));
        }
    }
    let bytes = blobs.get(&a.sha256).await?;
    Ok((a, bytes))
}

/// A file the mailbox did not store (too large, a blocked type), taken from the original mail
/// while retention keeps it: staff only, and only a file listed as withheld on that message (a
/// file the virus scanner flagged is never handed out).
pub async fn withheld_original(
    db: &impl ConnectionTrait,
    scope: &Scope,
    user: &CurrentUser,
    message_id: i64,
    index: usize,
) -> AppResult<(String, Vec<u8>)> {
    let gone = AppError::NotFound("file");
    if !user.is_staff() {
        return Err(gone);
    }
    let m = message::Entity::find_by_id(message_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("file"))?;
    scope
        .find_ticket(db, m.ticket_id)
        .await
        .map_err(|_| AppError::NotFound("file"))?;
    let listed = m
        .mail_checks
        .as_deref()
        .and_then(|c| serde_json::from_str::<protocol::MailChecks>(c).ok())
        .is_some_and(|c| c.withheld.iter().any(|w| w.index == index));
    let Some(inbound_id) = m.inbound_id.filter(|_| listed) else {
        return Err(gone);
    };
    let raw = crate::mail::inbound::admin::raw(db, inbound_id).await?;
    let parsed = mail_parse::parse_mail(&raw, &mail_parse::ParseOptions::default())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the original mail no longer parses: {e}")))?;
    let file = parsed.attachments.into_iter().nth(index).ok_or(gone)?;
    Ok((file.filename, file.bytes))
}

fn sanitize_filename(raw: &str) -> AppResult<String> {
    let name: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect();
    let name = name.trim().trim_start_matches('.').to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::validation("filename: required, at most 200 characters"));
    }
    Ok(name)
}
