//! The inbound journal: raw mail stored durably, deduplicated by mailbox + Message-ID (or the
//! SHA-256 of the bytes when there is no Message-ID).

use chrono::{SubsecRound, Utc};
use entity::inbound_mail;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, NotSet, QueryFilter,
};

use crate::blobs::BlobStore;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Imap,
    Http,
    Import,
    Demo,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Imap => "imap",
            Source::Http => "http",
            Source::Import => "import",
            Source::Demo => "demo",
        }
    }
}

/// Journal states. `failed` entries are the dead letters.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const PROCESSED: &str = "processed";
    pub const QUARANTINED: &str = "quarantined";
    pub const FAILED: &str = "failed";
}

#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub mailbox_id: Option<i64>,
    pub source: Source,
    pub raw: &'a [u8],
    /// A caller-supplied key (HTTP `Idempotency-Key`), used when the mail has no Message-ID.
    pub explicit_key: Option<&'a str>,
    /// IMAP (UIDVALIDITY, UID) the mail was fetched as.
    pub imap: Option<(u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct Journaled {
    pub entry: inbound_mail::Model,
    /// True when this mail had been journaled before: nothing new was stored.
    pub duplicate: bool,
}

pub const MAX_RAW_BYTES: usize = 64 * 1024 * 1024;

/// The Message-ID from the headers alone (cheap: the body is not decoded).
pub fn header_message_id(raw: &[u8]) -> Option<String> {
    let msg = mail_parser::MessageParser::new().parse_headers(raw)?;
    let id = msg
        .message_id()?
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty()).then(|| id.to_owned())
}

pub fn idempotency_key(mailbox_id: Option<i64>, message_id: Option<&str>, explicit: Option<&str>, sha: &str) -> String {
    let mailbox = mailbox_id.map_or_else(|| "-".to_owned(), |m| m.to_string());
    let key = match (message_id, explicit) {
        (Some(mid), _) => format!("{mailbox}:mid:{mid}"),
        (None, Some(k)) => format!("{mailbox}:key:{k}"),
        (None, None) => format!("{mailbox}:sha:{sha}"),
    };
    // Keys are indexed: an absurdly long Message-ID is reduced to its hash.
    if key.len() > 400 {
        format!("{mailbox}:h:{}", BlobStore::sha256(key.as_bytes()))
    } else {
        key
    }
}

/// Stores the raw mail (committed when this returns) or finds the earlier copy of it.
pub async fn record(db: &impl ConnectionTrait, mail: NewMail<'_>) -> AppResult<Journaled> {
    if mail.raw.is_empty() {
        return Err(AppError::validation("the mail is empty"));
    }
    if mail.raw.len() > MAX_RAW_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "mails larger than {MAX_RAW_BYTES} bytes are refused"
        )));
    }
    let sha = BlobStore::sha256(mail.raw);
    let message_id = header_message_id(mail.raw);
    let key = idempotency_key(mail.mailbox_id, message_id.as_deref(), mail.explicit_key, &sha);
    let mut entry = inbound_mail::Model {
        id: 0,
        mailbox_id: mail.mailbox_id,
        source: mail.source.as_str().into(),
        idempotency_key: key.clone(),
        message_id,
        raw_sha256: sha,
        raw: mail.raw.to_vec(),
        size: i64::try_from(mail.raw.len()).unwrap_or(i64::MAX),
        status: status::PENDING.into(),
        kind: None,
        reason: None,
        error: None,
        attempts: 0,
        ticket_id: None,
        message_row_id: None,
        thread_rule: None,
        imap_uid: mail.imap.map(|(_, uid)| i64::from(uid)),
        imap_uid_validity: mail.imap.map(|(v, _)| i64::from(v)),
        // As the database keeps it (microseconds), so the returned row equals the stored one.
        received_at: Utc::now().trunc_subsecs(6),
        processed_at: None,
    };
    let mut row = entry.clone().into_active_model().reset_all();
    row.id = NotSet;
    let inserted = inbound_mail::Entity::insert(row)
        .on_conflict(
            OnConflict::column(inbound_mail::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .exec(db)
        .await;
    match inserted {
        // A new row is exactly what was written: no read back of the raw mail.
        Ok(done) => {
            entry.id = done.last_insert_id;
            Ok(Journaled {
                entry,
                duplicate: false,
            })
        }
        Err(DbErr::RecordNotInserted) => {
            let entry = inbound_mail::Entity::find()
                .filter(inbound_mail::Column::IdempotencyKey.eq(key))
                .one(db)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("journal entry vanished after a conflict")))?;
            Ok(Journaled { entry, duplicate: true })
        }
        Err(e) => Err(e.into()),
    }
}
