//! Keeps the index fresh: every ticket and article change published on the event bus is
//! gathered for `search.batch_ms` and written as one batch (well under a second end to end).
//!
//! The bus is not the only safety net. The index remembers up to when it is complete (the
//! catch-up mark); on start, on a bus resync and every few minutes the indexer re-reads what
//! changed in the database since that mark. So a crash, a lost event or a failed write never
//! leaves the index silently stale: the next catch-up repairs it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::error::RecvError;

use crate::error::AppResult;
use crate::realtime::Realtime;
use crate::realtime::bus::BusEvent;
use crate::search::{Batch, SearchEngine, documents};

/// A transaction may stamp `updated_at` this long before it commits (and its event arrives);
/// the catch-up mark stays this far behind so such a change is re-read, never skipped.
pub const MARK_SLACK: Duration = Duration::from_secs(60);
/// A catch-up runs this often even when nothing went wrong.
const CATCH_UP_EVERY: Duration = Duration::from_secs(300);
/// Tickets per write while catching up or rebuilding.
pub const CATCH_UP_CHUNK: u64 = 1000;
/// A failed write is retried after this long (the changes stay queued).
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Reports a catch-up's progress: (tickets done, tickets to do).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

/// This node's indexer handle: how many changes wait, and a way to wait for them in tests.
#[derive(Default)]
pub struct Indexer {
    pending: AtomicU64,
    /// Batches written since start (tests wait on it).
    written: AtomicU64,
}

impl Indexer {
    pub fn pending(&self) -> u64 {
        self.pending.load(Ordering::Relaxed)
    }

    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Starts the indexing task: a catch-up first, then batches from the bus.
    pub fn start(
        self: &Arc<Self>,
        engine: Arc<dyn SearchEngine>,
        db: DatabaseConnection,
        realtime: &Realtime,
        batch_ms: u64,
    ) {
        let me = self.clone();
        let mut events = realtime.subscribe();
        let gather = Duration::from_millis(batch_ms.max(1));
        tokio::spawn(async move {
            let mut tickets: BTreeSet<i64> = BTreeSet::new();
            let mut articles: BTreeSet<i64> = BTreeSet::new();
            let mut need_catch_up = true;
            let mut next_catch_up = tokio::time::Instant::now();
            loop {
                if need_catch_up || tokio::time::Instant::now() >= next_catch_up {
                    match catch_up(engine.as_ref(), &db, false, None).await {
                        Ok(n) => {
                            if n > 0 {
                                tracing::info!(tickets = n, "search index caught up with the database");
                            }
                            need_catch_up = false;
                            next_catch_up = tokio::time::Instant::now() + CATCH_UP_EVERY;
                            me.written.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "search index catch-up failed; retrying");
                            tokio::time::sleep(RETRY_AFTER).await;
                            continue;
                        }
                    }
                }
                // Wait for the first change (or the next scheduled catch-up), then gather.
                if tickets.is_empty() && articles.is_empty() {
                    let until = next_catch_up;
                    tokio::select! {
                        event = events.recv() => {
                            if !note(event, &mut tickets, &mut articles, &mut need_catch_up) {
                                return;
                            }
                        }
                        _ = tokio::time::sleep_until(until) => continue,
                    }
                }
                let deadline = tokio::time::Instant::now() + gather;
                loop {
                    tokio::select! {
                        event = events.recv() => {
                            if !note(event, &mut tickets, &mut articles, &mut need_catch_up) {
                                return;
                            }
                        }
                        _ = tokio::time::sleep_until(deadline) => break,
                    }
                }
                me.pending
                    .store((tickets.len() + articles.len()) as u64, Ordering::Relaxed);
                let t: Vec<i64> = tickets.iter().copied().collect();
                let a: Vec<i64> = articles.iter().copied().collect();
                match write(engine.as_ref(), &db, &t, &a).await {
                    Ok(()) => {
                        tickets.clear();
                        articles.clear();
                        me.pending.store(0, Ordering::Relaxed);
                        me.written.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, tickets = t.len(), "search index write failed; retrying");
                        tokio::time::sleep(RETRY_AFTER).await;
                    }
                }
            }
        });
    }
}

/// Records what an event changed. `false` when the bus is gone (the node is stopping).
fn note(
    event: Result<Arc<BusEvent>, RecvError>,
    tickets: &mut BTreeSet<i64>,
    articles: &mut BTreeSet<i64>,
    need_catch_up: &mut bool,
) -> bool {
    match event {
        Ok(e) => match e.as_ref() {
            BusEvent::Ticket(c) => {
                tickets.insert(c.ticket.id);
            }
            BusEvent::Article { article_id } => {
                articles.insert(*article_id);
            }
            BusEvent::Resync { .. } => *need_catch_up = true,
            BusEvent::Presence { .. } => {}
        },
        // Events were dropped: re-read the database instead.
        Err(RecvError::Lagged(_)) => *need_catch_up = true,
        Err(RecvError::Closed) => return false,
    }
    true
}

/// Writes the current state of these tickets and articles (a deleted article leaves).
async fn write(engine: &dyn SearchEngine, db: &DatabaseConnection, tickets: &[i64], articles: &[i64]) -> AppResult<()> {
    let ticket_docs = documents::load_tickets(db, tickets).await?;
    let article_docs = documents::load_articles(db, articles).await?;
    let deleted_articles = articles
        .iter()
        .copied()
        .filter(|id| !article_docs.iter().any(|a| a.id == *id))
        .collect();
    engine
        .apply(Batch {
            tickets: ticket_docs,
            articles: article_docs,
            deleted_articles,
            synced_until: None,
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(())
}

/// Re-indexes every ticket and article changed since the index's mark (everything when
/// `from_scratch`, or when the index has no mark), removes deleted articles, then moves the
/// mark. Idempotent: documents are replaced by id. Returns how many tickets it wrote.
pub async fn catch_up(
    engine: &dyn SearchEngine,
    db: &DatabaseConnection,
    from_scratch: bool,
    progress: Option<Progress<'_>>,
) -> AppResult<u64> {
    let started = Utc::now();
    let mark: Option<DateTime<Utc>> = if from_scratch {
        None
    } else {
        engine.synced_until().await.map_err(|e| anyhow::anyhow!(e))?
    };
    let to_do = documents::count_tickets_changed_since(db, mark).await?;
    let mut done = 0u64;
    let mut after = 0i64;
    loop {
        let ids = documents::tickets_changed_since(db, mark, after, CATCH_UP_CHUNK).await?;
        let Some(last) = ids.last().copied() else { break };
        after = last;
        let docs = documents::load_tickets(db, &ids).await?;
        done += docs.len() as u64;
        engine
            .apply(Batch {
                tickets: docs,
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        if let Some(report) = &progress {
            report(done, to_do);
        }
    }
    let changed = documents::articles_changed_since(db, mark).await?;
    let articles = documents::load_articles(db, &changed).await?;
    let live: BTreeSet<i64> = documents::all_article_ids(db).await?.into_iter().collect();
    let deleted_articles: Vec<i64> = engine
        .article_ids()
        .await
        .map_err(|e| anyhow::anyhow!(e))?
        .into_iter()
        .filter(|id| !live.contains(id))
        .collect();
    let slack = chrono::Duration::from_std(MARK_SLACK).unwrap_or_default();
    engine
        .apply(Batch {
            tickets: Vec::new(),
            articles,
            deleted_articles,
            synced_until: Some(started - slack),
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(done)
}
