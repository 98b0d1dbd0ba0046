//! The inbound journal: raw mail stored durably, deduplicated by mailbox + Message-ID (or the
//! SHA-256 of the bytes when there is no Message-ID).

use chrono::{SubsecRound, Utc};
use entity::inbound_mail;
use sea_orm::sea_query::{OnConflict, Query};
use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, NotSet, QueryFilter, QueryTrait, TransactionTrait,
};

use crate::blobs::BlobStore;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Imap,
    Http,
    /// The built-in receiver (`mail::receiver`).
    Smtp,
    Lmtp,
    Pop3,
    /// Microsoft Graph (`mail::graph`).
    Graph,
    Import,
    Demo,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Imap => "imap",
            Source::Http => "http",
            Source::Smtp => "smtp",
            Source::Lmtp => "lmtp",
            Source::Pop3 => "pop3",
            Source::Graph => "graph",
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
    /// What our SMTP receiver saw of the sending server, for SPF.
    pub envelope: Option<Envelope>,
}

impl<'a> NewMail<'a> {
    /// A mail as most channels hand it over: no caller key, not from IMAP, no envelope.
    pub fn new(source: Source, mailbox_id: Option<i64>, raw: &'a [u8]) -> Self {
        Self {
            mailbox_id,
            source,
            raw,
            explicit_key: None,
            imap: None,
            envelope: None,
        }
    }
}

/// The SMTP envelope of a mail our receiver took from the sending server itself: what SPF
/// checks. Mail fetched from a mailbox has none (its receiving host saw the sender, not us).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Envelope {
    pub ip: std::net::IpAddr,
    pub helo: String,
    /// `MAIL FROM` (empty for bounces).
    pub mail_from: String,
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
    store(db, new_entry(&mail)?).await
}

async fn store(db: &impl ConnectionTrait, mut entry: inbound_mail::Model) -> AppResult<Journaled> {
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
            let entry = by_key(db, &entry.idempotency_key).await?;
            Ok(Journaled { entry, duplicate: true })
        }
        Err(e) => Err(e.into()),
    }
}

/// Journals many mails in one transaction (one commit for all: the group commit that lets
/// durable ingest go faster than the disk's fsync rate). Each mail gets its own result: a
/// refused one (empty, too large) does not stop the others; a database error fails them all,
/// and then nothing was journaled.
pub async fn record_many(db: &DatabaseConnection, mails: &[NewMail<'_>]) -> AppResult<Vec<AppResult<Journaled>>> {
    let entries: Vec<AppResult<inbound_mail::Model>> = mails.iter().map(new_entry).collect();
    let txn = db.begin().await?;
    let out = if txn.support_returning() {
        insert_all(&txn, entries).await?
    } else {
        // Without INSERT … RETURNING (SQLite here): one insert each, still one commit.
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            out.push(match entry {
                Ok(entry) => Ok(store(&txn, entry).await?),
                Err(e) => Err(e),
            });
        }
        out
    };
    txn.commit().await?;
    Ok(out)
}

/// One multi-row insert for the whole batch, returning the new rows' ids with their keys (a
/// key it does not return was journaled before: that entry is read by its key).
async fn insert_all(
    txn: &DatabaseTransaction,
    entries: Vec<AppResult<inbound_mail::Model>>,
) -> AppResult<Vec<AppResult<Journaled>>> {
    let rows: Vec<inbound_mail::ActiveModel> = entries
        .iter()
        .flatten()
        .map(|e| {
            let mut row = e.clone().into_active_model().reset_all();
            row.id = NotSet;
            row
        })
        .collect();
    let ids: HashMap<String, i64> = if rows.is_empty() {
        HashMap::new()
    } else {
        let mut insert = inbound_mail::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(inbound_mail::Column::IdempotencyKey)
                    .do_nothing()
                    .to_owned(),
            )
            .into_query();
        insert.returning(Query::returning().columns([inbound_mail::Column::Id, inbound_mail::Column::IdempotencyKey]));
        let mut ids = HashMap::new();
        for row in txn.query_all(&insert).await? {
            let id: i64 = row.try_get("", "id")?;
            ids.insert(row.try_get::<String>("", "idempotency_key")?, id);
        }
        ids
    };
    // The first mail of the batch with a key is the one stored (or the duplicate of an older
    // entry); later copies in the same batch are duplicates of it.
    let mut seen: HashMap<String, inbound_mail::Model> = HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        if let Some(first) = seen.get(&entry.idempotency_key) {
            out.push(Ok(Journaled {
                entry: first.clone(),
                duplicate: true,
            }));
            continue;
        }
        let journaled = if let Some(id) = ids.get(&entry.idempotency_key) {
            entry.id = *id;
            Journaled {
                entry,
                duplicate: false,
            }
        } else {
            Journaled {
                entry: by_key(txn, &entry.idempotency_key).await?,
                duplicate: true,
            }
        };
        seen.insert(journaled.entry.idempotency_key.clone(), journaled.entry.clone());
        out.push(Ok(journaled));
    }
    Ok(out)
}

async fn by_key(db: &impl ConnectionTrait, key: &str) -> AppResult<inbound_mail::Model> {
    inbound_mail::Entity::find()
        .filter(inbound_mail::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("journal entry vanished after a conflict")))
}

/// The row a mail becomes (id 0 until inserted), after the size checks.
fn new_entry(mail: &NewMail<'_>) -> AppResult<inbound_mail::Model> {
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
    Ok(inbound_mail::Model {
        id: 0,
        mailbox_id: mail.mailbox_id,
        source: mail.source.as_str().into(),
        idempotency_key: key,
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
        envelope: mail.envelope.as_ref().and_then(|e| serde_json::to_string(e).ok()),
        checks: None,
        raw_purged_at: None,
    })
}
