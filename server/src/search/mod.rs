//! Full-text search over tickets and knowledge-base articles, behind one trait with two
//! engines: Tantivy (an index under `data/search`, the embedded default) and Meilisearch
//! (`search.meili_url`, shared by every node of a scaled-out setup).
//!
//! Rights are part of every query ([`Access`]): the engine itself leaves out tickets the
//! caller may not see, and internal notes are searched only for staff — a page is never
//! post-filtered. The [`indexer`] keeps the index fresh from the event bus and catches up
//! from the database after a crash; `maildesk reindex` rebuilds it while the server serves.

pub mod documents;
pub mod indexer;
pub mod meili;
pub mod query;
pub mod reindex;
pub mod service;
pub mod tantivy_engine;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use protocol::{KbVisibility, Snippet};

use crate::settings::Settings;

pub use documents::{ArticleDoc, TicketDoc};
pub use indexer::Indexer;
pub use query::{Access, ArticleQuery, TicketFilters, TicketQuery};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Engine(String),
    #[error("the search query is not valid: {0}")]
    Query(String),
}

pub type SearchResult<T> = Result<T, SearchError>;

/// One ticket the engine found, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketMatch {
    pub id: i64,
    pub score: f32,
    pub snippets: Vec<Snippet>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketMatches {
    pub total: u64,
    pub hits: Vec<TicketMatch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleMatch {
    pub id: i64,
    pub title: String,
    pub category_id: Option<i64>,
    pub visibility: KbVisibility,
    pub score: f32,
    pub snippet: Option<Snippet>,
}

/// Changes for one write to the index. Upserts replace the whole document.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub tickets: Vec<TicketDoc>,
    pub articles: Vec<ArticleDoc>,
    pub deleted_articles: Vec<i64>,
    /// Everything changed up to this instant is in this batch or an earlier one (the
    /// catch-up point after a restart). `None` leaves the stored mark as it is.
    pub synced_until: Option<DateTime<Utc>>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty() && self.articles.is_empty() && self.deleted_articles.is_empty()
    }
}

#[async_trait::async_trait]
pub trait SearchEngine: Send + Sync {
    fn name(&self) -> &'static str;
    /// Applies a batch; once this returns, searches see it.
    async fn apply(&self, batch: Batch) -> SearchResult<()>;
    async fn search_tickets(&self, query: &TicketQuery) -> SearchResult<TicketMatches>;
    async fn search_articles(&self, query: &ArticleQuery) -> SearchResult<Vec<ArticleMatch>>;
    /// The `synced_until` of the last batch that carried one.
    async fn synced_until(&self) -> SearchResult<Option<DateTime<Utc>>>;
    /// Every article id in the index (to find deleted ones when catching up).
    async fn article_ids(&self) -> SearchResult<Vec<i64>>;
    /// (tickets, articles) in the index.
    async fn counts(&self) -> SearchResult<(u64, u64)>;
}

/// The engine and this node's indexer, as the rest of the server sees them.
#[derive(Clone)]
pub struct Search {
    engine: Arc<dyn SearchEngine>,
    indexer: Arc<Indexer>,
}

impl Search {
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        Ok(Self {
            engine: open_engine(settings).await?,
            indexer: Arc::new(Indexer::default()),
        })
    }

    pub fn engine(&self) -> &dyn SearchEngine {
        self.engine.as_ref()
    }

    pub fn indexer(&self) -> &Indexer {
        &self.indexer
    }

    /// Starts keeping the index fresh (`serve` calls it once).
    pub fn start(&self, db: sea_orm::DatabaseConnection, realtime: &crate::realtime::Realtime, batch_ms: u64) {
        self.indexer.start(self.engine.clone(), db, realtime, batch_ms);
    }
}

/// The engine this configuration asks for.
pub async fn open_engine(settings: &Settings) -> anyhow::Result<Arc<dyn SearchEngine>> {
    if settings.search.meili_enabled() {
        Ok(Arc::new(meili::MeiliEngine::connect(&settings.search).await?))
    } else {
        let language = tantivy_engine::language(&settings.search.language)
            .ok_or_else(|| anyhow::anyhow!("unknown search.language {}", settings.search.language))?;
        Ok(Arc::new(tantivy_engine::TantivyEngine::open(
            &settings.data_dir.join("search"),
            language,
        )?))
    }
}
