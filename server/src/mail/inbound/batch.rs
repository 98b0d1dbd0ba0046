//! Ingest in batches. Every durable step costs a commit (an fsync) and every mail dozens of
//! round trips, so mails submitted at the same time are gathered: the batch is journaled with
//! one commit (only then is anyone told the mail is safe), then applied in order in ONE
//! transaction, so each mail still sees the tickets the mails before it made. If the batch
//! transaction fails, nothing of it stays and every mail is processed on its own: the bad one
//! becomes a dead letter, the others go through as usual.
//!
//! A few lanes take batches from one queue, so one batch is parsed while others wait on the
//! database. The tickets a batch's mails answer by Message-ID are locked as they are read, in
//! id order ([`KnownIds`]), so two batches answering the same tickets queue instead of
//! deadlocking; a ticket found otherwise (a subject token) is still locked in mail order, and
//! should two batches deadlock on those, the one PostgreSQL picks as the victim is redone mail
//! by mail (new customers, the other shared key, are created before the transaction: see
//! [`accounts`](crate::mail::inbound::accounts)). Batches stay small, and there are several
//! lanes: batches larger than the mails waiting leave lanes idle, and a single lane (one
//! connection ping-ponging with the database server) leaves both cores half idle. The sweep of
//! lanes and batch sizes in `maildesk bench ingest` that chose the defaults is in
//! `docs/PERFORMANCE.md`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use entity::{inbound_mail, mailbox};
use mail_parse::parsed::ParsedMail;
use protocol::MailChecks;
use sea_orm::EntityTrait;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::change::Change;
use crate::context::{AppContext, WeakContext};
use crate::error::{AppError, AppResult};
use crate::mail::inbound::accounts;
use crate::mail::inbound::apply::{self, Claim, Outcome};
use crate::mail::inbound::final_state;
use crate::mail::inbound::journal::{self, Journaled, NewMail, Source};
use crate::mail::inbound::known_ids::{self, KnownIds};
use crate::mail::inbound::pipeline;
use crate::mail::inbound::rules::MailboxRules;
use crate::mail::inbound::screen;
use crate::mail::mailboxes;
use crate::mail::outbound::notification_settings;
use crate::mail::outbound::policy::CapsSnapshot;

const QUEUE: usize = 1024;

type Reply = AppResult<(Journaled, Outcome)>;

/// A submitted mail, owned (it waits in a queue).
struct Job {
    mailbox_id: Option<i64>,
    source: Source,
    raw: Vec<u8>,
    explicit_key: Option<String>,
    imap: Option<(u32, u32)>,
    envelope: Option<journal::Envelope>,
    reply: oneshot::Sender<Reply>,
}

impl Job {
    fn mail(&self) -> NewMail<'_> {
        NewMail {
            mailbox_id: self.mailbox_id,
            source: self.source,
            raw: &self.raw,
            explicit_key: self.explicit_key.as_deref(),
            imap: self.imap,
            envelope: self.envelope.clone(),
        }
    }
}

/// The queue in front of the lanes, started by the first submission.
#[derive(Default)]
pub struct IngestQueue {
    sender: OnceLock<mpsc::Sender<Job>>,
}

impl IngestQueue {
    /// Journals and processes one mail as part of whatever batch it lands in.
    pub async fn submit(&self, ctx: &AppContext, mail: &NewMail<'_>) -> Reply {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            mailbox_id: mail.mailbox_id,
            source: mail.source,
            raw: mail.raw.to_vec(),
            explicit_key: mail.explicit_key.map(String::from),
            imap: mail.imap,
            envelope: mail.envelope.clone(),
            reply,
        };
        let sender = self.sender.get_or_init(|| {
            let settings = ctx.settings();
            // Each lane holds a connection for its transaction; the API and the workers need
            // the rest of the pool.
            let pool = usize::try_from(settings.database.max_connections).unwrap_or(usize::MAX);
            let lanes = (pool / 2).clamp(1, settings.ingest.max_lanes.max(1));
            start(ctx.downgrade(), lanes, settings.ingest.batch_mails.max(1))
        });
        sender
            .send(job)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the ingest queue is closed")))?;
        answer
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the ingest batch stopped before answering")))?
    }
}

fn start(ctx: WeakContext, lanes: usize, batch_mails: usize) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..lanes {
        tokio::spawn(lane(rx.clone(), ctx.clone(), batch_mails));
    }
    tx
}

/// Takes what is queued (up to a batch) and runs it; ends when the context is gone.
async fn lane(rx: Arc<Mutex<mpsc::Receiver<Job>>>, ctx: WeakContext, batch_mails: usize) {
    loop {
        let jobs = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
            let mut jobs = vec![first];
            while jobs.len() < batch_mails {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            jobs
        };
        let Some(ctx) = ctx.upgrade() else { return };
        // Its own task: a panic in one batch costs that batch's answers, never the lane.
        if let Err(e) = tokio::spawn(run(ctx, jobs)).await {
            tracing::error!(error = %e, "an ingest batch panicked; its mails stay in the journal for the pending worker");
        }
    }
}

async fn run(ctx: AppContext, jobs: Vec<Job>) {
    let mails: Vec<NewMail<'_>> = jobs.iter().map(Job::mail).collect();
    let journaled = journal::record_many(ctx.db(), &mails).await;
    drop(mails);
    let journaled = match journaled {
        Ok(j) => j,
        Err(e) => {
            let why = e.to_string();
            for job in jobs {
                let _ = job
                    .reply
                    .send(Err(AppError::Internal(anyhow::anyhow!("journaling failed: {why}"))));
            }
            return;
        }
    };
    let entries: Vec<&inbound_mail::Model> = journaled.iter().flatten().map(|j| &j.entry).collect();
    let outcomes = process(&ctx, &entries).await;
    for (job, journaled) in jobs.into_iter().zip(journaled) {
        let reply = journaled.map(|j| {
            let outcome = outcomes
                .get(&j.entry.id)
                .cloned()
                .unwrap_or_else(|| Outcome::of(&j.entry));
            (j, outcome)
        });
        // The caller may have gone (a closed HTTP connection): the mail is journaled anyway.
        let _ = job.reply.send(reply);
    }
}

/// Processes journaled entries together (one [`Change`], in the given order: its commit
/// publishes the tickets and wakes the sender); outcomes by journal id.
pub async fn process(ctx: &AppContext, entries: &[&inbound_mail::Model]) -> HashMap<i64, Outcome> {
    let mut outcomes = HashMap::new();
    let mut todo: Vec<&inbound_mail::Model> = Vec::new();
    for e in entries {
        if pipeline::is_done(e, false) {
            outcomes.insert(e.id, Outcome::of(e));
        } else if !todo.iter().any(|t| t.id == e.id) {
            todo.push(e);
        }
    }
    let (prepared, alone, mailboxes) = match prepare(ctx, &todo).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "loading mailbox rules for a batch failed");
            (Vec::new(), todo.clone(), Vec::new())
        }
    };
    let batched: Vec<&inbound_mail::Model> = prepared.iter().map(|p| p.entry).collect();
    let together = if prepared.is_empty() {
        Ok(Vec::new())
    } else {
        apply_together(ctx, &prepared, mailboxes).await
    };
    let alone = match together {
        Ok(done) => {
            outcomes.extend(done.into_iter().map(|o| (o.journal_id, o)));
            alone
        }
        Err(e) => {
            tracing::info!(mails = batched.len(), error = %e, "an ingest batch failed; processing its mails one by one");
            batched.into_iter().chain(alone).collect()
        }
    };
    for entry in alone {
        let outcome = match pipeline::process_entry(ctx, entry, false).await {
            Ok(o) => o,
            Err(e) => {
                // Still pending in the journal: the pending worker tries again.
                tracing::warn!(journal_id = entry.id, error = %e, "inbound mail left pending");
                Outcome::of(entry)
            }
        };
        outcomes.insert(entry.id, outcome);
    }
    outcomes
}

struct Prepared<'a> {
    entry: &'a inbound_mail::Model,
    rules: Arc<MailboxRules>,
    parsed: ParsedMail,
    checks: MailChecks,
}

type Parsed<'a> = (Vec<Prepared<'a>>, Vec<&'a inbound_mail::Model>, Vec<mailbox::Model>);

/// Parses and screens every mail (the mailboxes read once, for their rules and for the batch's
/// lookups; the screening of all of them at once, since it waits on DNS). Mails that do not
/// parse are returned apart: the one-by-one path makes them dead letters.
async fn prepare<'a>(ctx: &AppContext, entries: &[&'a inbound_mail::Model]) -> AppResult<Parsed<'a>> {
    let mailboxes = mailbox::Entity::find().all(ctx.db()).await?;
    let mut rules: HashMap<Option<i64>, Arc<MailboxRules>> = HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    let mut unparsed = Vec::new();
    for entry in entries {
        let r = rules
            .entry(entry.mailbox_id)
            .or_insert_with(|| Arc::new(MailboxRules::of(&mailboxes, entry.mailbox_id)))
            .clone();
        match pipeline::parse_entry(entry, &r) {
            Ok(parsed) => out.push(Prepared {
                entry,
                rules: r,
                parsed,
                checks: MailChecks::default(),
            }),
            Err(_) => unparsed.push(*entry),
        }
    }
    let screened =
        futures_util::future::join_all(out.iter().map(|p| screen::of_entry(ctx, p.entry, &p.rules, &p.parsed))).await;
    // A mail whose screening could not finish (the virus scanner is down) goes the one-by-one
    // way, which leaves it pending; the others stay in the batch.
    let mut ready = Vec::with_capacity(out.len());
    for (mut p, checks) in out.into_iter().zip(screened) {
        match checks {
            Ok(c) => {
                p.checks = c;
                ready.push(p);
            }
            Err(_) => unparsed.push(p.entry),
        }
    }
    let out = ready;
    Ok((out, unparsed, mailboxes))
}

async fn apply_together(
    ctx: &AppContext,
    prepared: &[Prepared<'_>],
    mailboxes: Vec<mailbox::Model>,
) -> AppResult<Vec<Outcome>> {
    let accounts = accounts::for_batch(ctx.db(), prepared.iter().map(|p| (p.rules.as_ref(), &p.parsed))).await?;
    let change = Change::open(ctx, None).await?.with_write_behind();
    let (txn, memo) = (change.db(), change.memo());
    if !apply::claim_batch(txn, prepared.iter().map(|p| (p.entry, &p.parsed))).await? {
        return Err(AppError::Conflict(
            "a mail of the batch was claimed by another worker".into(),
        ));
    }
    // Settings, templates, rules… read by the first mail serve the whole batch (the change's
    // memo); what the batch read up front is put there.
    accounts::remember(memo, accounts);
    for m in mailboxes {
        memo.put(mailboxes::Row(m.id), Some(m));
    }
    if let Some(known) = KnownIds::load(txn, memo, prepared.iter().map(|p| &p.parsed)).await? {
        memo.put(known_ids::Batch, Arc::new(known));
    }
    if let Some(behind) = change.write_behind()
        && crate::backend::concurrent_writers(txn)
    {
        // The batch's confirmations go to its senders: their loop caps, read at once.
        let settings = notification_settings::cached(memo, txn).await?;
        let senders = prepared
            .iter()
            .filter_map(|p| pipeline::sender_of(&p.parsed))
            .map(|a| a.email.to_lowercase())
            .collect();
        behind.set_caps(CapsSnapshot::read(txn, &settings, senders).await?);
    }
    let finished = apply::Finished::default();
    let mut done = Vec::with_capacity(prepared.len());
    for p in prepared {
        let mail = pipeline::Ready {
            entry: p.entry,
            rules: &p.rules,
            parsed: &p.parsed,
            checks: &p.checks,
        };
        let claim = Claim::ByBatch(&finished);
        let outcome = pipeline::apply_entry(&change, mail, false, claim).await?;
        // The next mails of the batch must find this one as if it were committed.
        if let (Some(known), Some(mid), Some(row), Some(ticket)) = (
            memo.get(&known_ids::Batch),
            p.parsed.message_id.as_deref(),
            outcome.message_row_id,
            outcome.ticket_id,
        ) {
            known.record(mid, row, ticket);
        }
        done.push(outcome);
    }
    let finished = finished.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    final_state::write(txn, &finished).await?;
    change.commit().await?;
    Ok(done)
}
