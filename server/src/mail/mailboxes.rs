//! Mailbox administration: settings (validated), encrypted secrets, re-enabling.

use chrono::Utc;
use entity::mailbox;
use protocol::{AfterImport, Mailbox, MailboxSettings, MailboxStatus, MailboxWithSecret, Priority, TlsMode};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::crypto;
use crate::directory::users::normalize_email;
use crate::egress::{self, Egress};
use crate::error::{AppError, AppResult};
use crate::keys::Keys;
use crate::memo::{Memo, Memoized};
use crate::net::is_loopback;

fn tls_str(t: TlsMode) -> &'static str {
    match t {
        TlsMode::Implicit => "implicit",
        TlsMode::Starttls => "starttls",
        TlsMode::None => "none",
    }
}

fn after_str(a: AfterImport) -> &'static str {
    match a {
        AfterImport::Delete => "delete",
        AfterImport::MarkRead => "mark_read",
        AfterImport::Move => "move",
    }
}

fn u32_of(v: impl TryInto<u32>) -> u32 {
    v.try_into().unwrap_or(0)
}

/// Room for a mail's headers and text besides its attachments.
const MAIL_OVERHEAD_BYTES: usize = 1024 * 1024;

/// The largest raw mail any source hands the pipeline (the webhook, the receiver).
pub const MAX_INBOUND_BYTES: usize = 64 * 1024 * 1024;

/// The largest raw mail a mailbox takes: one attachment at the mailbox's limit, base64-encoded
/// (4/3 of its size), plus headers and text.
pub fn raw_limit(mailbox: &mailbox::Model) -> usize {
    let attachment = usize::try_from(mailbox.max_attachment_bytes).unwrap_or(MAX_INBOUND_BYTES);
    attachment
        .saturating_mul(4)
        .div_ceil(3)
        .saturating_add(MAIL_OVERHEAD_BYTES)
        .min(MAX_INBOUND_BYTES)
}

/// Whether the mailbox fetches from somewhere (an IMAP/POP3 server, or Microsoft Graph),
/// rather than only receiving (webhook, built-in receiver).
pub fn fetches(m: &mailbox::Model) -> bool {
    m.imap_host.as_deref().is_some_and(|h| !h.trim().is_empty()) || m.fetch_protocol == "graph"
}

/// [`fetches`] as a query condition.
pub fn fetches_condition() -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(mailbox::Column::ImapHost.is_not_null())
        .add(mailbox::Column::FetchProtocol.eq("graph"))
}

pub fn to_dto(m: mailbox::Model) -> Mailbox {
    Mailbox {
        id: m.id,
        imap_tls: match m.imap_tls.as_str() {
            "starttls" => TlsMode::Starttls,
            "none" => TlsMode::None,
            _ => TlsMode::Implicit,
        },
        after_import: match m.after_import.as_str() {
            "delete" => AfterImport::Delete,
            "move" => AfterImport::Move,
            _ => AfterImport::MarkRead,
        },
        has_password: m.imap_password_enc.is_some(),
        fetch_protocol: protocol::FetchProtocol::parse(&m.fetch_protocol),
        imap_auth: protocol::MailAuth::parse(&m.imap_auth),
        smtp_auth: protocol::MailAuth::parse(&m.smtp_auth),
        graph_send: m.graph_send,
        has_smtp_password: m.smtp_password_enc.is_some(),
        smtp_tls: match m.smtp_tls.as_str() {
            "implicit" => TlsMode::Implicit,
            "none" => TlsMode::None,
            _ => TlsMode::Starttls,
        },
        smtp_port: m.smtp_port.and_then(|p| u16::try_from(p).ok()),
        imap_port: m.imap_port.and_then(|p| u16::try_from(p).ok()),
        poll_interval_secs: u32_of(m.poll_interval_secs),
        batch_size: u32_of(m.batch_size),
        default_priority: Priority::parse(&m.default_priority).unwrap_or(Priority::Normal),
        followup_days: m.followup_days.map(u32_of),
        max_attachment_bytes: u64::try_from(m.max_attachment_bytes).unwrap_or(0),
        rate_limit_count: u32_of(m.rate_limit_count),
        rate_limit_minutes: u32_of(m.rate_limit_minutes),
        status: MailboxStatus {
            last_fetch_at: m.last_fetch_at,
            last_error: m.last_error,
            consecutive_failures: u32_of(m.consecutive_failures),
            fetched_count: u64::try_from(m.fetched_count).unwrap_or(0),
            failed_count: u64::try_from(m.failed_count).unwrap_or(0),
            disabled_at: m.disabled_at,
            lease_owner: m.lease_owner,
        },
        name: m.name,
        address: m.address,
        enabled: m.enabled,
        imap_host: m.imap_host,
        imap_username: m.imap_username,
        smtp_host: m.smtp_host,
        smtp_username: m.smtp_username,
        imap_folder: m.imap_folder,
        move_to_folder: m.move_to_folder,
        default_category_id: m.default_category_id,
        accept_unknown: m.accept_unknown,
        add_recipients_as_subscribers: m.add_recipients_as_subscribers,
        reopen_closed: m.reopen_closed,
        sender_policy: m.sender_policy,
        trusted_auth_hosts: m.trusted_auth_hosts,
        malware_action: m.malware_action,
        redact: m.redact,
        redact_patterns: m.redact_patterns,
        blocked_attachments: m.blocked_attachments,
        excluded_text: m.excluded_text,
    }
}

/// Redaction: on or off, and the admin's patterns (each must compile).
fn apply_redaction(m: &mut mailbox::ActiveModel, s: &MailboxSettings) -> AppResult<()> {
    if let Some(v) = s.redact {
        m.redact = Set(v);
    }
    if let Some(v) = &s.redact_patterns {
        crate::mail::inbound::redact::check_patterns(v)
            .map_err(|e| AppError::validation(format!("redact_patterns: {e}")))?;
        m.redact_patterns = Set(v.clone());
    }
    Ok(())
}

/// Host names, one per line, lowercased; anything but a host name is refused.
fn hosts_list(v: &str) -> AppResult<String> {
    let hosts: Vec<String> = v
        .split(['\n', ',', ' '])
        .map(|h| h.trim().to_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if let Some(bad) = hosts
        .iter()
        .find(|h| h.len() > 253 || !h.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
    {
        return Err(AppError::validation(format!(
            "trusted_auth_hosts: {bad:?} is not a host name"
        )));
    }
    Ok(hosts.join("\n"))
}

fn i32_of(v: u32, field: &str) -> AppResult<i32> {
    i32::try_from(v).map_err(|_| AppError::validation(format!("{field}: too large")))
}

/// Applies the given settings onto `m`, validating each.
fn apply_settings(keys: &Keys, egress: Egress, m: &mut mailbox::ActiveModel, s: &MailboxSettings) -> AppResult<()> {
    apply_identity(m, s)?;
    apply_fetching(keys, egress, m, s)?;
    apply_intake(m, s)?;
    apply_sending(keys, egress, m, s)
}

/// Name, address and whether the mailbox runs.
fn apply_identity(m: &mut mailbox::ActiveModel, s: &MailboxSettings) -> AppResult<()> {
    if let Some(name) = &s.name {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::validation("name: must not be empty"));
        }
        m.name = Set(name.to_owned());
    }
    if let Some(address) = &s.address {
        m.address = Set(normalize_email(address).map_err(|_| AppError::validation("address: not an e-mail address"))?);
    }
    if let Some(v) = s.enabled {
        m.enabled = Set(v);
        if v {
            // Re-enabling is how an admin answers "disabled after 5 failures".
            m.consecutive_failures = Set(0);
            m.disabled_at = Set(None);
        }
    }
    Ok(())
}

/// Where and how mail is fetched (protocol, server, folder, what happens to fetched mail).
fn apply_fetching(keys: &Keys, egress: Egress, m: &mut mailbox::ActiveModel, s: &MailboxSettings) -> AppResult<()> {
    if let Some(p) = s.fetch_protocol {
        if m.fetch_protocol.try_as_ref().map(String::as_str) != Some(p.as_str()) {
            // A Graph delta link belongs to one folder's sync: a new source starts afresh.
            m.graph_delta_link = Set(None);
        }
        m.fetch_protocol = Set(p.as_str().into());
    }
    if let Some(a) = s.imap_auth {
        m.imap_auth = Set(a.as_str().into());
    }
    if let Some(h) = &s.imap_host {
        let h = h.trim();
        if !h.is_empty() {
            // Names are checked again on every connection, after resolution.
            egress::check_host(h, egress).map_err(|e| AppError::validation(format!("imap_host: {e}")))?;
        }
        m.imap_host = Set((!h.is_empty()).then(|| h.to_owned()));
    }
    if let Some(p) = s.imap_port {
        if p == 0 {
            return Err(AppError::validation("imap_port: must be 1-65535"));
        }
        m.imap_port = Set(Some(i32::from(p)));
    }
    if let Some(t) = s.imap_tls {
        m.imap_tls = Set(tls_str(t).into());
    }
    if let Some(u) = &s.imap_username {
        m.imap_username = Set(Some(u.clone()));
    }
    if let Some(p) = &s.imap_password {
        m.imap_password_enc = Set(Some(crypto::encrypt(keys, p)?));
    }
    if let Some(f) = &s.imap_folder {
        if f.trim().is_empty() {
            return Err(AppError::validation("imap_folder: must not be empty"));
        }
        if m.imap_folder.try_as_ref().map(String::as_str) != Some(f.trim()) {
            m.graph_delta_link = Set(None);
        }
        m.imap_folder = Set(f.trim().to_owned());
    }
    if let Some(a) = s.after_import {
        m.after_import = Set(after_str(a).into());
    }
    if let Some(f) = &s.move_to_folder {
        m.move_to_folder = Set(Some(f.trim().to_owned()).filter(|f| !f.is_empty()));
    }
    if let Some(v) = s.poll_interval_secs {
        if !(5..=86_400).contains(&v) {
            return Err(AppError::validation("poll_interval_secs: between 5 and 86400"));
        }
        m.poll_interval_secs = Set(i32_of(v, "poll_interval_secs")?);
    }
    if let Some(v) = s.batch_size {
        if !(1..=1000).contains(&v) {
            return Err(AppError::validation("batch_size: between 1 and 1000"));
        }
        m.batch_size = Set(i32_of(v, "batch_size")?);
    }
    Ok(())
}

/// What becomes of a mail that arrives: category, priority, strangers, subscribers, reopening,
/// attachments, loop limits, excluded text.
fn apply_intake(m: &mut mailbox::ActiveModel, s: &MailboxSettings) -> AppResult<()> {
    if let Some(c) = s.default_category_id {
        m.default_category_id = Set(Some(c));
    }
    if let Some(p) = s.default_priority {
        m.default_priority = Set(p.as_str().into());
    }
    if let Some(v) = s.accept_unknown {
        m.accept_unknown = Set(v);
    }
    if let Some(v) = s.add_recipients_as_subscribers {
        m.add_recipients_as_subscribers = Set(v);
    }
    if let Some(v) = s.reopen_closed {
        m.reopen_closed = Set(v);
    }
    if let Some(v) = s.sender_policy {
        m.sender_policy = Set(v);
    }
    if let Some(v) = &s.trusted_auth_hosts {
        m.trusted_auth_hosts = Set(hosts_list(v)?);
    }
    if let Some(v) = s.malware_action {
        m.malware_action = Set(v);
    }
    apply_redaction(m, s)?;
    if let Some(v) = s.followup_days {
        m.followup_days = Set(Some(i32_of(v, "followup_days")?).filter(|d| *d > 0));
    }
    if let Some(v) = s.max_attachment_bytes {
        m.max_attachment_bytes =
            Set(i64::try_from(v).map_err(|_| AppError::validation("max_attachment_bytes: too large"))?);
    }
    if let Some(v) = &s.blocked_attachments {
        m.blocked_attachments = Set(v.clone());
    }
    if let Some(v) = s.rate_limit_count {
        m.rate_limit_count = Set(i32_of(v, "rate_limit_count")?);
    }
    if let Some(v) = s.rate_limit_minutes {
        m.rate_limit_minutes = Set(i32_of(v, "rate_limit_minutes")?);
    }
    if let Some(v) = &s.excluded_text {
        m.excluded_text = Set(v.clone());
    }
    Ok(())
}

/// How answers go out (SMTP server and sign-in, or Microsoft Graph).
fn apply_sending(keys: &Keys, egress: Egress, m: &mut mailbox::ActiveModel, s: &MailboxSettings) -> AppResult<()> {
    if let Some(a) = s.smtp_auth {
        m.smtp_auth = Set(a.as_str().into());
    }
    if let Some(v) = s.graph_send {
        m.graph_send = Set(v);
    }
    if let Some(h) = &s.smtp_host {
        let h = h.trim();
        if !h.is_empty() {
            egress::check_host(h, egress).map_err(|e| AppError::validation(format!("smtp_host: {e}")))?;
        }
        m.smtp_host = Set((!h.is_empty()).then(|| h.to_owned()));
    }
    if let Some(p) = s.smtp_port {
        if p == 0 {
            return Err(AppError::validation("smtp_port: must be 1-65535"));
        }
        m.smtp_port = Set(Some(i32::from(p)));
    }
    if let Some(t) = s.smtp_tls {
        m.smtp_tls = Set(tls_str(t).into());
    }
    if let Some(u) = &s.smtp_username {
        m.smtp_username = Set(Some(u.trim().to_owned()).filter(|u| !u.is_empty()));
    }
    if let Some(p) = &s.smtp_password {
        m.smtp_password_enc = Set(Some(crypto::encrypt(keys, p)?));
    }
    Ok(())
}

fn check_consistency(m: &mailbox::Model) -> AppResult<()> {
    if let Some(host) = &m.smtp_host
        && m.smtp_tls == "none"
        && !is_loopback(host)
    {
        return Err(AppError::validation(
            "smtp_tls: none is only allowed for a loopback host; use starttls or implicit",
        ));
    }
    if m.after_import == "move" && m.move_to_folder.is_none() {
        return Err(AppError::validation(
            "move_to_folder: required when after_import is move",
        ));
    }
    if m.imap_tls == "none"
        && let Some(host) = &m.imap_host
        && !is_loopback(host)
    {
        return Err(AppError::validation(
            "imap_tls: none is only allowed for a loopback host",
        ));
    }
    Ok(())
}

fn new_secret() -> String {
    let mut b = [0u8; 24];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub async fn create(
    db: &DatabaseConnection,
    keys: &Keys,
    egress: Egress,
    s: &MailboxSettings,
) -> AppResult<MailboxWithSecret> {
    let (Some(_), Some(_)) = (&s.name, &s.address) else {
        return Err(AppError::validation("name and address: required"));
    };
    let now = Utc::now();
    let secret = new_secret();
    let mut m = mailbox::ActiveModel {
        enabled: Set(true),
        imap_tls: Set("implicit".into()),
        smtp_tls: Set("starttls".into()),
        fetch_protocol: Set("imap".into()),
        imap_auth: Set("password".into()),
        smtp_auth: Set("password".into()),
        graph_send: Set(false),
        imap_folder: Set("INBOX".into()),
        after_import: Set("mark_read".into()),
        poll_interval_secs: Set(60),
        batch_size: Set(50),
        default_priority: Set(Priority::Normal.as_str().into()),
        accept_unknown: Set(true),
        add_recipients_as_subscribers: Set(true),
        reopen_closed: Set(true),
        sender_policy: Set(protocol::SenderPolicy::Enforce),
        trusted_auth_hosts: Set(String::new()),
        malware_action: Set(protocol::MalwareAction::Strip),
        redact: Set(false),
        redact_patterns: Set(String::new()),
        max_attachment_bytes: Set(26_214_400),
        blocked_attachments: Set(String::new()),
        rate_limit_count: Set(20),
        rate_limit_minutes: Set(10),
        excluded_text: Set(String::new()),
        webhook_secret_enc: Set(Some(crypto::encrypt(keys, &secret)?)),
        consecutive_failures: Set(0),
        fetched_count: Set(0),
        failed_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply_settings(keys, egress, &mut m, s)?;
    ensure_free_address(db, &m, None).await?;
    // Checked inside a transaction, so an inconsistent mailbox is never stored.
    let txn = db.begin().await?;
    let saved = m.insert(&txn).await?;
    check_consistency(&saved)?;
    txn.commit().await?;
    Ok(MailboxWithSecret {
        mailbox: to_dto(saved),
        webhook_secret: secret,
    })
}

pub async fn update(
    db: &DatabaseConnection,
    keys: &Keys,
    egress: Egress,
    id: i64,
    s: &MailboxSettings,
) -> AppResult<Mailbox> {
    let current = mailbox::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("mailbox"))?;
    let mut m = current.into_active_model();
    apply_settings(keys, egress, &mut m, s)?;
    // Checked here, not left to the unique key: a taken address is the caller's conflict (409),
    // not a database failure (500).
    ensure_free_address(db, &m, Some(id)).await?;
    m.updated_at = Set(Utc::now());
    let txn = db.begin().await?;
    let saved = m.update(&txn).await?;
    check_consistency(&saved)?;
    txn.commit().await?;
    Ok(to_dto(saved))
}

/// A mailbox address (set by this change) that another mailbox than `except` already has is a conflict.
async fn ensure_free_address(
    db: &impl ConnectionTrait,
    m: &mailbox::ActiveModel,
    except: Option<i64>,
) -> AppResult<()> {
    let sea_orm::ActiveValue::Set(addr) = &m.address else {
        return Ok(());
    };
    let taken = mailbox::Entity::find()
        .filter(mailbox::Column::Address.eq(addr.as_str()))
        .one(db)
        .await?
        .is_some_and(|x| Some(x.id) != except);
    if taken {
        return Err(AppError::Conflict(format!("a mailbox for {addr} already exists")));
    }
    Ok(())
}

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<Mailbox>> {
    Ok(mailbox::Entity::find()
        .order_by_asc(mailbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_dto)
        .collect())
}

/// A mailbox row as a change read it first (a batch of inbound mail puts them all).
#[derive(Hash, PartialEq, Eq)]
pub struct Row(pub i64);
impl Memoized for Row {
    type Value = Option<mailbox::Model>;
}

/// Mailbox `id` (or none), read once per change.
pub async fn row(memo: &Memo, db: &impl ConnectionTrait, id: i64) -> AppResult<Option<mailbox::Model>> {
    memo.get_or_load(Row(id), || async { Ok(mailbox::Entity::find_by_id(id).one(db).await?) })
        .await
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<mailbox::Model> {
    mailbox::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("mailbox"))
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    let r = mailbox::Entity::delete_by_id(id).exec(db).await?;
    if r.rows_affected == 0 {
        Err(AppError::NotFound("mailbox"))
    } else {
        Ok(())
    }
}

pub async fn rotate_secret(db: &impl ConnectionTrait, keys: &Keys, id: i64) -> AppResult<MailboxWithSecret> {
    let mut m = get(db, id).await?.into_active_model();
    let secret = new_secret();
    m.webhook_secret_enc = Set(Some(crypto::encrypt(keys, &secret)?));
    m.updated_at = Set(Utc::now());
    Ok(MailboxWithSecret {
        mailbox: to_dto(m.update(db).await?),
        webhook_secret: secret,
    })
}

/// The webhook secret of a mailbox, for verifying `POST /inbound` signatures.
pub fn webhook_secret(keys: &Keys, m: &mailbox::Model) -> AppResult<String> {
    let enc = m
        .webhook_secret_enc
        .as_deref()
        .ok_or_else(|| AppError::forbidden("this mailbox has no webhook secret"))?;
    Ok(crypto::decrypt(keys, enc)?)
}
