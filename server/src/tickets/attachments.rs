//! Attachment upload and download, with the ticket's visibility rules (and internal notes'
//! attachments hidden from customers).

use chrono::Utc;
use entity::{attachment, message};
use protocol::{Attachment, MessageKind};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use crate::auth::CurrentUser;
use crate::blobs::BlobStore;
use crate::error::{AppError, AppResult};
use crate::tickets::access::Scope;
use crate::tickets::mapping;

pub async fn upload(
    db: &impl ConnectionTrait,
    blobs: &BlobStore,
    scope: &Scope,
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
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(mapping::attachment(model))
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
                .is_some_and(|m| m.kind != MessageKind::Note.as_str()),
            None => false,
        };
        if !visible {
            return Err(AppError::NotFound("attachment"));
        }
    }
    let bytes = blobs.get(&a.sha256).await?;
    Ok((a, bytes))
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
