//! One fetch cycle, and "fetch now" ([`fetch_once`]).
//!
//! A cycle SELECTs the folder, checks UIDVALIDITY, lists the UIDs above `last_uid` and reads
//! them in batches with `BODY.PEEK[]` (fetching never sets `\Seen` by itself). Mails are taken
//! by UID, never by `UNSEEN`: a mail someone already read in another client still arrives.
//! For each mail, in UID order: journal (committed) → process (errors stay on the journal
//! entry) → acknowledge (delete / mark read / move) → `last_uid`.

use std::collections::BTreeMap;
use std::fmt;
use std::pin::pin;
use std::time::{Duration, Instant};

use async_imap::error::Error as ImapError;
use entity::mailbox;
use futures_util::TryStreamExt;
use sea_orm::EntityTrait;

use super::connect::{self, Connection, Endpoint};
use super::lease::{self, Lease};
use super::{FetchError, FetchReport, WorkerOptions, folder_name, status, supervisor};
use crate::context::AppContext;
use crate::egress::Egress;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::journal::{self, Journaled, NewMail, Source};
use crate::mail::inbound::pipeline;

/// A mail larger than this is left on the server (the journal refuses it).
const MAX_MAIL_BYTES: u64 = journal::MAX_RAW_BYTES as u64;
/// Bodies read in one `UID FETCH` are held in memory together: a batch stops at this size.
const MAX_BATCH_BYTES: u64 = 64 * 1024 * 1024;

/// Points where a fetch can be observed or stopped, as a crash would stop it: the seam the
/// crash-safety tests use. An `Err` ends the fetch there with [`FetchError::Aborted`]; nothing
/// after that point happens (no processing, no acknowledgement, no `last_uid`).
pub trait FetchHooks: Send + Sync {
    /// The mail is committed to the journal; it has been neither processed nor acknowledged.
    fn after_journal(&self, _uid: u32, _journaled: &Journaled) -> Result<(), String> {
        Ok(())
    }

    /// The mail is journaled and processed; the server has not been told yet.
    fn before_ack(&self, _uid: u32) -> Result<(), String> {
        Ok(())
    }
}

/// The hooks of a normal fetch: none.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl FetchHooks for NoHooks {}

/// Runs `fut` (an IMAP exchange) within `limit`, naming `what` in the error.
pub async fn within<T, E: fmt::Display>(
    limit: Duration,
    what: &str,
    fut: impl Future<Output = Result<T, E>>,
) -> Result<T, FetchError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(FetchError::imap(what, e)),
        Err(_) => Err(FetchError::Imap(format!(
            "{what}: no answer within {} s",
            limit.as_secs()
        ))),
    }
}

pub(crate) async fn load(ctx: &AppContext, mailbox_id: i64) -> Result<Option<mailbox::Model>, FetchError> {
    Ok(mailbox::Entity::find_by_id(mailbox_id).one(ctx.db()).await?)
}

pub fn folder_of(m: &mailbox::Model) -> String {
    let f = m.imap_folder.trim();
    if f.is_empty() { "INBOX".to_owned() } else { f.to_owned() }
}

/// What one fetch cycle runs with, fixed for the cycle (the session and the report change).
#[derive(Clone, Copy)]
pub(crate) struct Cycle<'a> {
    pub ctx: &'a AppContext,
    pub m: &'a mailbox::Model,
    pub lease: &'a Lease,
    pub hooks: &'a dyn FetchHooks,
    pub opts: &'a WorkerOptions,
}

/// One cycle on a connected session: fetches every mail above `last_uid`. `report` holds what
/// was done even when the cycle fails part-way. Returns a note for the admin (a mail that had
/// to be left on the server), if any.
pub(crate) async fn run_cycle(
    cycle: Cycle<'_>,
    conn: &mut Connection,
    report: &mut FetchReport,
) -> Result<Option<String>, FetchError> {
    let Cycle {
        ctx, m, lease, opts, ..
    } = cycle;
    let t = opts.command_timeout;
    while conn.session.unsolicited_responses.try_recv().is_ok() {}
    let folder = folder_of(m);
    let wire = folder_name::encode(&folder);
    let selected = within(t, &format!("selecting folder {folder}"), conn.session.select(&wire)).await?;
    let validity = selected
        .uid_validity
        .ok_or_else(|| FetchError::Imap(format!("the server reported no UIDVALIDITY for {folder}")))?;
    let mut last = m.last_uid.and_then(|u| u32::try_from(u).ok()).unwrap_or(0);
    if m.uid_validity != Some(i64::from(validity)) {
        if let Some(old) = m.uid_validity {
            tracing::warn!(
                mailbox = m.id,
                old,
                new = validity,
                "UIDVALIDITY changed; fetching the folder again from the start"
            );
        }
        lease.reset_uid_validity(ctx.db(), validity).await?;
        last = 0;
    } else {
        lease.ensure(ctx.db()).await?;
    }

    let listing = list_new(conn, last, t).await?;
    let batch_size = usize::try_from(m.batch_size).unwrap_or(50).clamp(1, 1000);
    let mut note = None;
    let mut i = 0;
    while i < listing.len() {
        let (uid, size) = listing[i];
        if size > MAX_MAIL_BYTES {
            // Everything before it is done (batches end before an oversized mail).
            tracing::warn!(mailbox = m.id, uid, size, "mail too large; left on the server");
            note = Some(format!(
                "UID {uid} ({} MB) is larger than the {} MB limit and was left on the server",
                size / 1_048_576,
                MAX_MAIL_BYTES / 1_048_576
            ));
            report.failed += 1;
            lease.save_last_uid(ctx.db(), uid).await?;
            i += 1;
            continue;
        }
        let mut batch = Vec::new();
        let mut bytes = 0u64;
        while let Some(&(uid, size)) = listing.get(i) {
            if batch.len() >= batch_size
                || size > MAX_MAIL_BYTES
                || (!batch.is_empty() && bytes + size > MAX_BATCH_BYTES)
            {
                break;
            }
            batch.push(uid);
            bytes += size;
            i += 1;
        }
        lease.ensure(ctx.db()).await?;
        let mut bodies = fetch_bodies(conn, &batch, t).await?;
        for &uid in &batch {
            let Some(raw) = bodies.remove(&uid) else {
                // Expunged by another client meanwhile, or a server hiccup: if it is still there
                // the next cycle takes it, since `last_uid` stays below it.
                if still_exists(conn, uid, t).await? {
                    note = Some(format!(
                        "UID {uid}: the server sent no content; it will be fetched again"
                    ));
                    return Ok(note);
                }
                continue;
            };
            if let Some(n) = take_one(cycle, conn, report, (validity, uid), raw).await? {
                note = Some(n);
            }
        }
        if let Some(&max) = batch.last() {
            lease.save_last_uid(ctx.db(), max).await?;
        }
    }
    Ok(note)
}

/// UIDs (with sizes) above `last`, ascending. `last+1:*` also matches the highest UID when it is
/// below `last + 1` (RFC 3501 ranges are unordered), so the list is filtered.
async fn list_new(conn: &mut Connection, last: u32, t: Duration) -> Result<Vec<(u32, u64)>, FetchError> {
    let set = format!("{}:*", last.saturating_add(1));
    let session = &mut conn.session;
    let mut found = within(t, "listing new mail", async {
        let stream = session.uid_fetch(&set, "(UID RFC822.SIZE)").await?;
        let mut stream = pin!(stream);
        let mut out = Vec::new();
        while let Some(f) = stream.try_next().await? {
            if let Some(uid) = f.uid.filter(|u| *u > last) {
                out.push((uid, u64::from(f.size.unwrap_or(0))));
            }
        }
        Ok::<_, ImapError>(out)
    })
    .await?;
    found.sort_unstable();
    found.dedup_by_key(|(uid, _)| *uid);
    Ok(found)
}

async fn fetch_bodies(conn: &mut Connection, batch: &[u32], t: Duration) -> Result<BTreeMap<u32, Vec<u8>>, FetchError> {
    let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
        return Ok(BTreeMap::new());
    };
    let set = if first == last {
        first.to_string()
    } else {
        format!("{first}:{last}")
    };
    let session = &mut conn.session;
    within(t, &format!("fetching UIDs {set}"), async {
        let stream = session.uid_fetch(&set, "(UID RFC822.SIZE BODY.PEEK[])").await?;
        let mut stream = pin!(stream);
        let mut out = BTreeMap::new();
        while let Some(f) = stream.try_next().await? {
            // Unsolicited FETCH responses (flag changes) carry no body: ignored.
            if let (Some(uid), Some(body)) = (f.uid, f.body())
                && batch.contains(&uid)
            {
                out.insert(uid, body.to_vec());
            }
        }
        Ok::<_, ImapError>(out)
    })
    .await
}

async fn still_exists(conn: &mut Connection, uid: u32, t: Duration) -> Result<bool, FetchError> {
    let session = &mut conn.session;
    let found = within(t, "checking a mail", session.uid_search(format!("UID {uid}"))).await?;
    Ok(found.contains(&uid))
}

/// Journal → process → acknowledge → `last_uid`, for one mail.
async fn take_one(
    cycle: Cycle<'_>,
    conn: &mut Connection,
    report: &mut FetchReport,
    (validity, uid): (u32, u32),
    raw: Vec<u8>,
) -> Result<Option<String>, FetchError> {
    let Cycle {
        ctx,
        m,
        lease,
        hooks,
        opts,
    } = cycle;
    report.fetched += 1;
    let mail = NewMail {
        imap: Some((validity, uid)),
        ..NewMail::new(Source::Imap, Some(m.id), &raw)
    };
    let journaled = match journal::record(ctx.db(), mail).await {
        Ok(j) => j,
        Err(AppError::Validation(why) | AppError::PayloadTooLarge(why)) => {
            // Not storable at all (empty, too large): it stays on the server, untouched.
            tracing::warn!(mailbox = m.id, uid, %why, "mail refused by the journal; left on the server");
            report.failed += 1;
            lease.save_last_uid(ctx.db(), uid).await?;
            return Ok(Some(format!("UID {uid} was left on the server: {why}")));
        }
        Err(e) => return Err(FetchError::Db(e)),
    };
    if journaled.duplicate {
        report.duplicates += 1;
    } else {
        report.journaled_new += 1;
    }
    hooks.after_journal(uid, &journaled).map_err(FetchError::Aborted)?;
    match pipeline::process(ctx, journaled.entry.id, false).await {
        Ok(outcome) if outcome.status == journal::status::FAILED => report.failed += 1,
        Ok(_) => {}
        Err(e) => {
            // The entry stays pending; the pending worker processes it later. The mail is safe
            // in the journal, so the server may be told.
            tracing::warn!(mailbox = m.id, uid, journal_id = journaled.entry.id, error = %e, "processing failed; left pending");
            report.failed += 1;
        }
    }
    hooks.before_ack(uid).map_err(FetchError::Aborted)?;
    acknowledge(conn, m, uid, opts.command_timeout).await?;
    lease.save_last_uid(ctx.db(), uid).await?;
    Ok(None)
}

/// Tells the server the mail is taken, per `after_import`.
async fn acknowledge(conn: &mut Connection, m: &mailbox::Model, uid: u32, t: Duration) -> Result<(), FetchError> {
    match m.after_import.as_str() {
        "delete" => delete(conn, uid, t).await,
        "move" => {
            let folder = m
                .move_to_folder
                .as_deref()
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .ok_or_else(|| FetchError::Imap("after_import is move but no move_to_folder is set".into()))?;
            move_to(conn, uid, folder, t).await
        }
        // `mark_read`, and anything unknown: the least destructive acknowledgement.
        _ => store(conn, uid, "+FLAGS.SILENT (\\Seen)", t).await,
    }
}

async fn store(conn: &mut Connection, uid: u32, what: &str, t: Duration) -> Result<(), FetchError> {
    let session = &mut conn.session;
    within(t, &format!("flagging UID {uid}"), async {
        let stream = session.uid_store(uid.to_string(), what).await?;
        let mut stream = pin!(stream);
        while stream.try_next().await?.is_some() {}
        Ok::<_, ImapError>(())
    })
    .await
}

async fn delete(conn: &mut Connection, uid: u32, t: Duration) -> Result<(), FetchError> {
    store(conn, uid, "+FLAGS.SILENT (\\Deleted)", t).await?;
    let uidplus = conn.caps.uidplus;
    let session = &mut conn.session;
    within(t, &format!("expunging UID {uid}"), async {
        if uidplus {
            let stream = session.uid_expunge(uid.to_string()).await?;
            let mut stream = pin!(stream);
            while stream.try_next().await?.is_some() {}
        } else {
            // Without UIDPLUS, EXPUNGE also removes what other clients flagged \Deleted.
            let stream = session.expunge().await?;
            let mut stream = pin!(stream);
            while stream.try_next().await?.is_some() {}
        }
        Ok::<_, ImapError>(())
    })
    .await
}

async fn move_to(conn: &mut Connection, uid: u32, folder: &str, t: Duration) -> Result<(), FetchError> {
    let what = format!("moving UID {uid} to {folder}");
    let first = copy_or_move(conn, uid, folder, t).await;
    match first {
        Ok(()) => {}
        Err(_) => {
            // Most likely the folder does not exist yet ([TRYCREATE]): create it, try once more.
            let session = &mut conn.session;
            let wire = folder_name::encode(folder);
            let _ = within(t, &format!("creating folder {folder}"), session.create(&wire)).await;
            copy_or_move(conn, uid, folder, t)
                .await
                .map_err(|e| FetchError::imap(&what, e))?;
        }
    }
    if conn.caps.moves {
        Ok(())
    } else {
        delete(conn, uid, t).await
    }
}

async fn copy_or_move(conn: &mut Connection, uid: u32, folder: &str, t: Duration) -> Result<(), ImapError> {
    let set = uid.to_string();
    let folder = folder_name::encode(folder);
    let fut = async {
        if conn.caps.moves {
            conn.session.uid_mv(&set, &folder).await
        } else {
            conn.session.uid_copy(&set, &folder).await
        }
    };
    match tokio::time::timeout(t, fut).await {
        Ok(r) => r,
        Err(_) => Err(ImapError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer",
        ))),
    }
}

/// The error a caller of [`fetch_once`] sees.
pub(crate) fn app_error(mailbox_id: i64, e: &FetchError) -> AppError {
    match e {
        FetchError::Imap(msg) => AppError::Validation(format!("fetching mailbox {mailbox_id} failed: {msg}")),
        FetchError::Waiting(msg) => AppError::Conflict(format!("mailbox {mailbox_id}: {msg}")),
        FetchError::LeaseLost => AppError::Conflict(format!("mailbox {mailbox_id} was taken over by another node")),
        FetchError::Aborted(why) => AppError::Conflict(format!("fetching mailbox {mailbox_id} was aborted: {why}")),
        FetchError::Db(inner) => AppError::Internal(anyhow::anyhow!("fetching mailbox {mailbox_id}: {inner}")),
    }
}

/// "Fetch now": one cycle on this mailbox, under its lease. When this node's worker holds the
/// lease, the worker runs the cycle (interrupting its IDLE); when another holder has it, this
/// waits up to 20 s for it and then answers with a conflict naming the holder.
pub async fn fetch_once(ctx: &AppContext, mailbox_id: i64) -> AppResult<FetchReport> {
    fetch_once_with(ctx, mailbox_id, &NoHooks).await
}

/// [`fetch_once`] with [`FetchHooks`]. The hooks apply to a fetch this call runs itself, not to
/// one delegated to a running worker.
pub async fn fetch_once_with(ctx: &AppContext, mailbox_id: i64, hooks: &dyn FetchHooks) -> AppResult<FetchReport> {
    let opts = WorkerOptions::default();
    let owner = format!("{}/once-{}", supervisor::process_tag(), uuid::Uuid::new_v4().simple());
    let lease = Lease::new(mailbox_id, owner, opts.lease_ttl);
    let deadline = Instant::now() + opts.manual_wait;
    loop {
        let m = load(ctx, mailbox_id)
            .await
            .map_err(|e| app_error(mailbox_id, &e))?
            .ok_or(AppError::NotFound("mailbox"))?;
        if !crate::mail::mailboxes::fetches(&m) {
            return Err(AppError::validation(format!(
                "mailbox {mailbox_id} has no IMAP server configured"
            )));
        }
        if !m.enabled {
            let why = m
                .last_error
                .as_deref()
                .map(|e| format!(" (last error: {e})"))
                .unwrap_or_default();
            return Err(AppError::Conflict(format!(
                "mailbox {mailbox_id} is disabled{why}; enable it first"
            )));
        }
        if let Some(holder) = lease::holder(&m)
            && let Some(worker) = supervisor::local_worker(holder, mailbox_id)
        {
            return supervisor::ask(worker, mailbox_id).await;
        }
        if lease.acquire(ctx.db()).await.map_err(|e| app_error(mailbox_id, &e))? {
            break;
        }
        if Instant::now() >= deadline {
            let holder = lease::holder(&m).unwrap_or("another fetch").to_owned();
            return Err(AppError::Conflict(format!(
                "mailbox {mailbox_id} is being fetched by {holder}; new mail arrives on its own, or try again shortly"
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let result = run_manual(ctx, &lease, hooks, &opts).await;
    if let Err(e) = lease.release(ctx.db()).await {
        tracing::warn!(mailbox = mailbox_id, error = %e, "releasing the mailbox lease failed; it expires by itself");
    }
    result
}

async fn run_manual(
    ctx: &AppContext,
    lease: &Lease,
    hooks: &dyn FetchHooks,
    opts: &WorkerOptions,
) -> AppResult<FetchReport> {
    let id = lease.mailbox_id;
    let mut report = FetchReport::default();
    let cycle = async {
        let m = load(ctx, id)
            .await?
            .ok_or_else(|| FetchError::Imap("the mailbox was deleted".into()))?;
        if crate::mail::pop3::is_pop3(&m) {
            return crate::mail::pop3::run_cycle(ctx, &m, Some(lease), opts, &mut report).await;
        }
        if crate::mail::graph::is_graph(&m) {
            return crate::mail::graph::fetch::run_cycle(ctx, &m, Some(lease), &mut report).await;
        }
        let endpoint = Endpoint::of_mailbox(ctx.keys(), Egress::of(ctx.settings()), &m)?
            .authorized(ctx)
            .await?;
        let mut conn = connect::connect(&endpoint, opts.connect_timeout).await?;
        let note = run_cycle(
            Cycle {
                ctx,
                m: &m,
                lease,
                hooks,
                opts,
            },
            &mut conn,
            &mut report,
        )
        .await?;
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.session.logout()).await;
        Ok::<_, FetchError>(note)
    }
    .await;
    match cycle {
        Ok(note) => {
            status::record_success(ctx.db(), id, &report, note)
                .await
                .map_err(|e| app_error(id, &e))?;
            Ok(report)
        }
        Err(e) => {
            let _ = status::record_progress(ctx.db(), id, &report).await;
            if let FetchError::Waiting(why) = &e {
                let _ = status::record_waiting(ctx.db(), id, why).await;
            }
            if e.counts_against_mailbox() {
                match status::record_failure(ctx.db(), id, &e.to_string(), opts.max_failures).await {
                    Ok(true) => tracing::warn!(mailbox = id, error = %e, "mailbox disabled after repeated failures"),
                    Ok(false) => {}
                    Err(db) => tracing::warn!(mailbox = id, error = %db, "recording a fetch failure failed"),
                }
            }
            Err(app_error(id, &e))
        }
    }
}
