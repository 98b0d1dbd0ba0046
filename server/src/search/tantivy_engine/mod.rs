//! The embedded engine: two Tantivy indexes under `data/search` (tickets, articles).
//!
//! Tantivy allows one writer per index across processes, so a writer is opened for each batch
//! and closed after its commit: the server's indexer and a `maildesk reindex` run beside it
//! take turns instead of locking each other out. Readers reload on every commit, ours at once
//! and another process's within half a second.

mod queries;
mod schema;
mod snippets;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use protocol::{KbVisibility, SearchSort};
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Schema, Value};
use tantivy::tokenizer::{Language, TextAnalyzer};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::search::query::{ArticleQuery, TicketQuery};
use crate::search::{ArticleDoc, ArticleMatch, Batch, SearchEngine, SearchError, SearchResult, TicketDoc};
use crate::search::{TicketMatch, TicketMatches};
use queries::{Combine, TextOptions, Weighted};
use schema::{ANALYZER, ArticleFields, TicketFields, as_u64, id_or_zero};
pub use schema::{analyzer, language};

/// Memory for one batch's writer (Tantivy's floor is 15 MB per thread).
const BATCH_WRITER_BYTES: usize = 32 * 1024 * 1024;
/// How long a batch waits for another process's writer (a reindex) to let go.
const LOCK_WAIT: Duration = Duration::from_secs(60);

fn engine_err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Engine(e.to_string())
}

struct Side<F> {
    index: Index,
    reader: IndexReader,
    fields: F,
}

impl<F> Side<F> {
    /// Opens the index in `dir`, or creates it; an index written with another schema (an
    /// older version) is replaced — the indexer then rebuilds it from the database.
    fn open(dir: &Path, schema: Schema, fields: F, analyzer: &TextAnalyzer) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let index = match Index::open_in_dir(dir) {
            Ok(index) if index.schema() == schema => index,
            Ok(_) => {
                tracing::warn!(dir = %dir.display(), "search index has an old layout; rebuilding it");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                Index::create_in_dir(dir, schema)?
            }
            Err(TantivyError::OpenDirectoryError(_)) | Err(TantivyError::OpenReadError(_)) => {
                Index::create_in_dir(dir, schema)?
            }
            Err(e) => return Err(e.into()),
        };
        index.tokenizers().register(ANALYZER, analyzer.clone());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Self { index, reader, fields })
    }

    /// A writer, waiting while another process holds the index's lock.
    fn writer(&self, bytes: usize) -> SearchResult<IndexWriter> {
        let started = Instant::now();
        loop {
            match self.index.writer_with_num_threads(1, bytes) {
                Ok(w) => return Ok(w),
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(engine_err(e)),
            }
        }
    }
}

struct Inner {
    tickets: Side<TicketFields>,
    articles: Side<ArticleFields>,
    analyzer: TextAnalyzer,
    /// One batch at a time from this process.
    writing: Mutex<()>,
    /// Writer memory per batch (larger for a bulk rebuild).
    writer_bytes: usize,
}

#[derive(Clone)]
pub struct TantivyEngine {
    inner: Arc<Inner>,
}

impl TantivyEngine {
    pub fn open(dir: &Path, language: Language) -> anyhow::Result<Self> {
        Self::open_with_memory(dir, language, BATCH_WRITER_BYTES)
    }

    /// `writer_bytes`: memory per write batch; a bulk load gives it more.
    pub fn open_with_memory(dir: &Path, language: Language, writer_bytes: usize) -> anyhow::Result<Self> {
        let analyzer = schema::analyzer(language);
        let (ts, tf) = TicketFields::schema();
        let (asch, af) = ArticleFields::schema();
        Ok(Self {
            inner: Arc::new(Inner {
                tickets: Side::open(&dir.join("tickets"), ts, tf, &analyzer)?,
                articles: Side::open(&dir.join("articles"), asch, af, &analyzer)?,
                analyzer,
                writing: Mutex::new(()),
                writer_bytes: writer_bytes.max(BATCH_WRITER_BYTES),
            }),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> SearchResult<T> + Send + 'static,
    ) -> SearchResult<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(engine_err)?
    }
}

fn ticket_document(f: &TicketFields, t: &TicketDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_u64(f.id, as_u64(t.id));
    d.add_text(f.subject, &t.subject);
    d.add_text(f.messages, &t.messages);
    d.add_text(f.notes, &t.notes);
    d.add_text(f.people, &t.people);
    d.add_text(f.status, &t.status);
    d.add_text(f.priority, &t.priority);
    for tag in &t.tags {
        d.add_text(f.tags, tag.to_lowercase());
    }
    d.add_u64(f.category, id_or_zero(t.category_id));
    d.add_u64(f.assignee, id_or_zero(t.assignee_id));
    d.add_u64(f.requester, as_u64(t.requester_id));
    d.add_u64(f.company, id_or_zero(t.company_id));
    d.add_date(
        f.created,
        tantivy::DateTime::from_timestamp_micros(t.created_at.timestamp_micros()),
    );
    d.add_date(
        f.updated,
        tantivy::DateTime::from_timestamp_micros(t.updated_at.timestamp_micros()),
    );
    d
}

fn article_document(f: &ArticleFields, a: &ArticleDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_u64(f.id, as_u64(a.id));
    d.add_text(f.title, &a.title);
    d.add_text(f.body, &a.body);
    d.add_text(f.tags, a.tags.join(" "));
    d.add_u64(f.category, id_or_zero(a.category_id));
    d.add_text(f.visibility, a.visibility.as_str());
    d.add_date(
        f.updated,
        tantivy::DateTime::from_timestamp_micros(a.updated_at.timestamp_micros()),
    );
    d
}

/// The ticket fields a text query searches, with their weights: notes only for staff.
fn ticket_text_fields(f: &TicketFields, sees_notes: bool) -> Vec<Weighted> {
    let mut fields = vec![
        Weighted {
            field: f.subject,
            boost: 3.0,
        },
        Weighted {
            field: f.messages,
            boost: 1.0,
        },
        Weighted {
            field: f.people,
            boost: 1.5,
        },
    ];
    if sees_notes {
        fields.push(Weighted {
            field: f.notes,
            boost: 1.0,
        });
    }
    fields
}

fn stored_u64(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn read_payload(index: &Index) -> SearchResult<Option<DateTime<Utc>>> {
    let metas = index.load_metas().map_err(engine_err)?;
    Ok(metas
        .payload
        .and_then(|p| DateTime::parse_from_rfc3339(&p).ok())
        .map(|d| d.with_timezone(&Utc)))
}

impl Inner {
    fn apply(&self, batch: Batch) -> SearchResult<()> {
        let _one_at_a_time = self.writing.lock().map_err(engine_err)?;
        if !batch.articles.is_empty() || !batch.deleted_articles.is_empty() {
            let side = &self.articles;
            let mut w = side.writer(self.writer_bytes)?;
            for id in batch
                .deleted_articles
                .iter()
                .chain(batch.articles.iter().map(|a| &a.id))
            {
                w.delete_term(Term::from_field_u64(side.fields.id, as_u64(*id)));
            }
            for a in &batch.articles {
                w.add_document(article_document(&side.fields, a)).map_err(engine_err)?;
            }
            w.commit().map_err(engine_err)?;
            w.wait_merging_threads().map_err(engine_err)?;
            side.reader.reload().map_err(engine_err)?;
        }
        if !batch.tickets.is_empty() || batch.synced_until.is_some() {
            let side = &self.tickets;
            // The catch-up mark rides on the tickets index's commit, written last: a crash
            // before it leaves the old mark, and the catch-up redoes this batch.
            let mark = match batch.synced_until {
                Some(m) => Some(m),
                None => read_payload(&side.index)?,
            };
            let mut w = side.writer(self.writer_bytes)?;
            for t in &batch.tickets {
                w.delete_term(Term::from_field_u64(side.fields.id, as_u64(t.id)));
            }
            for t in &batch.tickets {
                w.add_document(ticket_document(&side.fields, t)).map_err(engine_err)?;
            }
            let mut commit = w.prepare_commit().map_err(engine_err)?;
            if let Some(m) = mark {
                commit.set_payload(&m.to_rfc3339());
            }
            commit.commit().map_err(engine_err)?;
            w.wait_merging_threads().map_err(engine_err)?;
            side.reader.reload().map_err(engine_err)?;
        }
        Ok(())
    }

    fn search_tickets(&self, q: &TicketQuery) -> SearchResult<TicketMatches> {
        let f = &self.tickets.fields;
        let fields = ticket_text_fields(f, q.access.sees_notes());
        let options = TextOptions {
            combine: Combine::All,
            typos: true,
            prefix_last: false,
        };
        let text = queries::text_query(&self.analyzer, &q.text, &fields, options);
        let has_text = text.is_some();
        let (text_q, highlight_q) = match text {
            Some((t, h)) => (Some(t), Some(h)),
            None => (None, None),
        };
        let query = queries::ticket_query(f, text_q, &q.access, &q.filters);
        let searcher = self.tickets.reader.searcher();
        // Tantivy allocates room for offset + limit results up front.
        let (offset, limit) = crate::paging::clamp_window(q.offset, q.limit.min(200));
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let order = match q.sort {
            SearchSort::Relevance if has_text => None,
            SearchSort::Oldest => Some(Order::Asc),
            _ => Some(Order::Desc),
        };
        let (found, total): (Vec<(f32, DocAddress)>, usize) = match order {
            None => searcher.search(&query, &(top, Count)).map_err(engine_err)?,
            Some(order) => {
                let (docs, total) = searcher
                    .search(
                        &query,
                        &(top.order_by_fast_field::<tantivy::DateTime>("updated", order), Count),
                    )
                    .map_err(engine_err)?;
                (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
            }
        };
        let mut snippet_fields = vec![("subject", f.subject, 200), ("messages", f.messages, 180)];
        if q.access.sees_notes() {
            snippet_fields.push(("notes", f.notes, 180));
        }
        let generators = match &highlight_q {
            Some(h) => snippets::generators(&searcher, h.as_ref(), &snippet_fields)?,
            None => Vec::new(),
        };
        let mut hits = Vec::with_capacity(found.len());
        for (score, addr) in found {
            let doc: TantivyDocument = searcher.doc(addr).map_err(engine_err)?;
            let Some(id) = stored_u64(&doc, f.id).and_then(|v| i64::try_from(v).ok()) else {
                continue;
            };
            let mut found_snippets = snippets::of_doc(&generators, &doc);
            if found_snippets.is_empty() {
                found_snippets.extend(snippets::opening("messages", &stored_str(&doc, f.messages), 180));
            }
            hits.push(TicketMatch {
                id,
                score,
                snippets: found_snippets,
            });
        }
        Ok(TicketMatches {
            total: total as u64,
            hits,
        })
    }

    fn search_articles(&self, q: &ArticleQuery) -> SearchResult<Vec<ArticleMatch>> {
        // A desk without a knowledge base: nothing to analyse the text against (every new
        // ticket's confirmation asks for suggestions).
        if self.articles.reader.searcher().num_docs() == 0 {
            return Ok(Vec::new());
        }
        let f = &self.articles.fields;
        let fields = [
            Weighted {
                field: f.title,
                boost: 3.0,
            },
            Weighted {
                field: f.tags,
                boost: 2.0,
            },
            Weighted {
                field: f.body,
                boost: 1.0,
            },
        ];
        let options = TextOptions {
            combine: Combine::Any,
            typos: q.as_you_type,
            prefix_last: q.as_you_type,
        };
        let Some((text_q, highlight_q)) = queries::text_query(&self.analyzer, &q.text, &fields, options) else {
            return Ok(Vec::new());
        };
        let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_q)];
        if q.public_only {
            all.push(filter_term(Term::from_field_text(
                f.visibility,
                KbVisibility::Public.as_str(),
            )));
        }
        if let Some(c) = q.category_id {
            all.push(filter_term(Term::from_field_u64(f.category, id_or_zero(Some(c)))));
        }
        let query = BooleanQuery::new(all);
        let searcher = self.articles.reader.searcher();
        let found = searcher
            .search(&query, &TopDocs::with_limit(q.limit.clamp(1, 50)))
            .map_err(engine_err)?;
        let generators = snippets::generators(&searcher, highlight_q.as_ref(), &[("body", f.body, 180)])?;
        let mut out = Vec::with_capacity(found.len());
        for (score, addr) in found {
            let doc: TantivyDocument = searcher.doc(addr).map_err(engine_err)?;
            let Some(id) = stored_u64(&doc, f.id).and_then(|v| i64::try_from(v).ok()) else {
                continue;
            };
            let snippet = snippets::of_doc(&generators, &doc)
                .into_iter()
                .next()
                .or_else(|| snippets::opening("body", &stored_str(&doc, f.body), 180));
            out.push(ArticleMatch {
                id,
                title: stored_str(&doc, f.title),
                category_id: stored_u64(&doc, f.category)
                    .filter(|c| *c > 0)
                    .and_then(|c| i64::try_from(c).ok()),
                visibility: KbVisibility::parse(&stored_str(&doc, f.visibility)).unwrap_or(KbVisibility::Agents),
                score,
                snippet,
            });
        }
        Ok(out)
    }

    fn article_ids(&self) -> SearchResult<Vec<i64>> {
        let searcher = self.articles.reader.searcher();
        let addrs = searcher.search(&AllQuery, &DocSetCollector).map_err(engine_err)?;
        let mut ids = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr).map_err(engine_err)?;
            if let Some(id) = stored_u64(&doc, self.articles.fields.id).and_then(|v| i64::try_from(v).ok()) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }
}

fn filter_term(term: Term) -> (Occur, Box<dyn Query>) {
    (
        Occur::Must,
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            0.0,
        )),
    )
}

#[async_trait::async_trait]
impl SearchEngine for TantivyEngine {
    fn name(&self) -> &'static str {
        "tantivy"
    }

    async fn apply(&self, batch: Batch) -> SearchResult<()> {
        self.blocking(move |inner| inner.apply(batch)).await
    }

    async fn search_tickets(&self, query: &TicketQuery) -> SearchResult<TicketMatches> {
        let query = query.clone();
        self.blocking(move |inner| inner.search_tickets(&query)).await
    }

    async fn search_articles(&self, query: &ArticleQuery) -> SearchResult<Vec<ArticleMatch>> {
        let query = query.clone();
        self.blocking(move |inner| inner.search_articles(&query)).await
    }

    async fn synced_until(&self) -> SearchResult<Option<DateTime<Utc>>> {
        self.blocking(|inner| read_payload(&inner.tickets.index)).await
    }

    async fn article_ids(&self) -> SearchResult<Vec<i64>> {
        self.blocking(|inner| inner.article_ids()).await
    }

    async fn counts(&self) -> SearchResult<(u64, u64)> {
        self.blocking(|inner| {
            Ok((
                inner.tickets.reader.searcher().num_docs(),
                inner.articles.reader.searcher().num_docs(),
            ))
        })
        .await
    }
}
