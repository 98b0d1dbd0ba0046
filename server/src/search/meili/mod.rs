//! The shared engine of a scaled-out setup: Meilisearch through meilisearch-sdk.
//!
//! Three indexes named `<prefix>tickets`, `<prefix>articles` and `<prefix>meta` (the catch-up
//! mark). Settings are applied at start; every write waits for its task, so once `apply`
//! returns, searches see the change — the same promise Tantivy gives. Text is analyzed as
//! Tantivy analyzes it (`words`), so both engines stem and drop stop words alike.

pub mod filters;
pub mod highlight;
pub mod mapping;
pub mod relevance;
pub mod settings;
pub mod words;

use std::time::Duration;

use chrono::{DateTime, Utc};
use meilisearch_sdk::client::Client;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, SearchQuery, Selectors};
use meilisearch_sdk::task_info::TaskInfo;
use protocol::{KbVisibility, SearchSort};
use secrecy::ExposeSecret;
use tantivy::tokenizer::TextAnalyzer;

use crate::search::query::{ArticleQuery, TicketQuery};
use crate::search::{ArticleMatch, Batch, SearchEngine, SearchError, SearchResult, TicketMatch, TicketMatches};
use crate::settings::SearchSettings;
use mapping::{ArticleHead, IdOnly, MeiliArticle, MeiliTicket, SYNC_MARK_ID, SyncMark};
use words::{Matching, Term};

const TASK_TIMEOUT: Duration = Duration::from_secs(120);
const TASK_POLL: Duration = Duration::from_millis(25);
/// Words around a match in a snippet.
const CROP_WORDS: usize = 30;

fn engine_err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Engine(format!("meilisearch: {e}"))
}

pub struct MeiliEngine {
    client: Client,
    tickets: Index,
    articles: Index,
    meta: Index,
    /// `search.language`'s analyzer: the stemmed copies and the queries.
    analyzer: TextAnalyzer,
    /// Written with the catch-up mark (`settings::layout`).
    layout: String,
}

impl MeiliEngine {
    /// Connects, creates the indexes if needed and applies their settings.
    pub async fn connect(s: &SearchSettings) -> anyhow::Result<Self> {
        let language = crate::search::tantivy_engine::language(&s.language)
            .ok_or_else(|| anyhow::anyhow!("unknown search.language {}", s.language))?;
        let key = s.meili_api_key.expose_secret();
        let client = Client::new(
            s.meili_url.trim_end_matches('/'),
            (!key.is_empty()).then(|| key.to_owned()),
        )?;
        let name = |what: &str| format!("{}{what}", s.meili_index_prefix);
        let engine = Self {
            tickets: client.index(name("tickets")),
            articles: client.index(name("articles")),
            meta: client.index(name("meta")),
            client,
            analyzer: crate::search::tantivy_engine::analyzer(language),
            layout: settings::layout(&s.language),
        };
        for (index, settings) in [
            (&engine.tickets, settings::tickets()),
            (&engine.articles, settings::articles()),
        ] {
            let task = index
                .set_settings(&settings)
                .await
                .map_err(|e| anyhow::anyhow!("applying Meilisearch settings to {}: {e}", index.uid))?;
            engine.wait(task).await?;
        }
        // Ticket searches never leave a word unfinished and use no facets: without the prefix
        // and facet-search structures each write costs Meilisearch less. Only an optimisation
        // (Meilisearch 1.12 and later have these settings), so an older server just warns.
        let task = engine
            .tickets
            .set_prefix_search(meilisearch_sdk::settings::PrefixSearchSettings::Disabled)
            .await;
        let done = match task {
            Ok(task) => engine.wait(task).await,
            Err(e) => Err(engine_err(e)),
        };
        let done = match done {
            Ok(()) => match engine.tickets.set_facet_search(false).await {
                Ok(task) => engine.wait(task).await,
                Err(e) => Err(engine_err(e)),
            },
            failed => failed,
        };
        if let Err(e) = done {
            tracing::warn!(error = %e, "Meilisearch kept prefix and facet search on the tickets index");
        }
        Ok(engine)
    }

    /// Removes this helpdesk's indexes (tests clean up with it).
    pub async fn delete_indexes(&self) -> SearchResult<()> {
        for index in [&self.tickets, &self.articles, &self.meta] {
            let task = index.clone().delete().await.map_err(engine_err)?;
            let done = task
                .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
                .await
                .map_err(engine_err)?;
            // An index never written to (the meta index before the first mark) is not there.
            if let meilisearch_sdk::tasks::Task::Failed { content } = &done
                && content.error.error_code != meilisearch_sdk::errors::ErrorCode::IndexNotFound
            {
                return Err(engine_err(done.unwrap_failure()));
            }
        }
        Ok(())
    }

    /// Round one of a question (see `relevance`): how many articles the filter lets through,
    /// and for each term the articles holding it, with Meilisearch's score.
    async fn word_hits(
        &self,
        terms: &[Term],
        matching: Matching,
        filter: Option<&str>,
    ) -> SearchResult<(u64, Vec<relevance::WordHits>)> {
        let last = terms.len().saturating_sub(1);
        let texts: Vec<String> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| words::query(&[t], unfinished_only_last(matching, i == last)))
            .collect();
        let mut multi = self.client.multi_search();
        let mut everything = SearchQuery::new(&self.articles);
        everything.with_query("").with_limit(0);
        if let Some(f) = filter {
            everything.with_filter(f);
        }
        multi.with_search_query(everything);
        for text in &texts {
            let mut search = SearchQuery::new(&self.articles);
            search
                .with_query(text)
                .with_matching_strategy(MatchingStrategies::ALL)
                .with_limit(relevance::HITS_PER_WORD)
                .with_attributes_to_retrieve(Selectors::Some(&["id"]))
                .with_show_ranking_score(true);
            if let Some(f) = filter {
                search.with_filter(f);
            }
            multi.with_search_query(search);
        }
        let mut results = multi.execute::<IdOnly>().await.map_err(engine_err)?.results.into_iter();
        let articles = results.next().and_then(|r| r.estimated_total_hits).unwrap_or(0) as u64;
        let per_word = results
            .map(|r| relevance::WordHits {
                total: r.estimated_total_hits.unwrap_or(r.hits.len()) as u64,
                hits: r
                    .hits
                    .into_iter()
                    .map(|h| (h.result.id, h.ranking_score.unwrap_or(0.0)))
                    .collect(),
            })
            .collect();
        Ok((articles, per_word))
    }

    async fn wait(&self, task: TaskInfo) -> SearchResult<()> {
        let done = task
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await
            .map_err(engine_err)?;
        if done.is_failure() {
            return Err(engine_err(done.unwrap_failure()));
        }
        Ok(())
    }
}

/// Someone typing leaves only the last word unfinished: a query without it has none.
fn unfinished_only_last(matching: Matching, holds_last: bool) -> Matching {
    match matching {
        Matching::AsYouType if !holds_last => Matching::Typos,
        other => other,
    }
}

/// The sort a ticket search asks Meilisearch for: newest first also for relevance without words.
fn ticket_sort(sort: SearchSort, no_words: bool) -> Option<&'static [&'static str]> {
    match sort {
        SearchSort::Newest => Some(&["updated_at:desc"]),
        SearchSort::Oldest => Some(&["updated_at:asc"]),
        SearchSort::Relevance if no_words => Some(&["updated_at:desc"]),
        SearchSort::Relevance => None,
    }
}

/// One article query per chosen article (its words, and a filter on its id when several words
/// were ranked), or the one query of a single word.
fn article_queries(
    terms: &[Term],
    chosen: &[relevance::Ranked],
    matching: Matching,
    single: bool,
    filter: Option<&str>,
) -> Vec<(String, Option<String>)> {
    let last = terms.len() - 1;
    chosen
        .iter()
        .map(|r| {
            let picked: Vec<&Term> = r.words.iter().map(|i| &terms[*i]).collect();
            let text = words::query(&picked, unfinished_only_last(matching, r.words.last() == Some(&last)));
            let filter = match (single, filter) {
                (true, f) => f.map(str::to_owned),
                (false, None) => Some(format!("id = {}", r.id)),
                (false, Some(f)) => Some(format!("({f}) AND id = {}", r.id)),
            };
            (text, filter)
        })
        .collect()
}

/// Every stem of the query, to mark the words that matched through their stem.
fn all_stems(terms: &[Term]) -> Vec<String> {
    terms.iter().flat_map(|t| t.stems.iter().cloned()).collect()
}

#[async_trait::async_trait]
impl SearchEngine for MeiliEngine {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    async fn apply(&self, batch: Batch) -> SearchResult<()> {
        if !batch.deleted_articles.is_empty() {
            let task = self
                .articles
                .delete_documents(&batch.deleted_articles)
                .await
                .map_err(engine_err)?;
            self.wait(task).await?;
        }
        if !batch.articles.is_empty() {
            let docs: Vec<MeiliArticle> = batch
                .articles
                .iter()
                .map(|a| MeiliArticle::new(a, &self.analyzer))
                .collect();
            let task = self
                .articles
                .add_or_replace(&docs, Some("id"))
                .await
                .map_err(engine_err)?;
            self.wait(task).await?;
        }
        if !batch.tickets.is_empty() {
            let docs: Vec<MeiliTicket> = batch
                .tickets
                .iter()
                .map(|t| MeiliTicket::new(t, &self.analyzer))
                .collect();
            let task = self
                .tickets
                .add_or_replace(&docs, Some("id"))
                .await
                .map_err(engine_err)?;
            self.wait(task).await?;
        }
        // Written last, like Tantivy's commit payload: a failure above leaves the old mark.
        if let Some(mark) = batch.synced_until {
            let doc = SyncMark {
                id: SYNC_MARK_ID.into(),
                synced_until: mark.to_rfc3339(),
                layout: self.layout.clone(),
            };
            let task = self.meta.add_or_replace(&[doc], Some("id")).await.map_err(engine_err)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn search_tickets(&self, q: &TicketQuery) -> SearchResult<TicketMatches> {
        let filter = filters::ticket_filter(&q.access, &q.filters);
        let staff = q.access.sees_notes();
        let searchable = if staff {
            settings::TICKET_SEARCHABLE
        } else {
            settings::TICKET_SEARCHABLE_PUBLIC
        };
        // `_formatted` holds exactly these fields: a customer's never includes notes.
        let shown: &[&str] = if staff {
            &["subject", "messages", "notes"]
        } else {
            &["subject", "messages"]
        };
        let crop: &[(&str, Option<usize>)] = if staff {
            &[("subject", None), ("messages", None), ("notes", None)]
        } else {
            &[("subject", None), ("messages", None)]
        };
        let (offset, limit) = crate::paging::clamp_window(q.offset, q.limit.min(200));
        // Every word must match, none may be unfinished (as on Tantivy).
        let terms = words::terms(&self.analyzer, &q.text, Matching::Typos);
        let text = words::query(&terms.iter().collect::<Vec<_>>(), Matching::Typos);
        let stems = all_stems(&terms);
        let mut search = self.tickets.search();
        search
            .with_query(&text)
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_attributes_to_search_on(searchable)
            .with_attributes_to_retrieve(Selectors::Some(&["id"]))
            .with_attributes_to_crop(Selectors::Some(crop))
            .with_crop_length(CROP_WORDS)
            .with_attributes_to_highlight(Selectors::Some(shown))
            .with_highlight_pre_tag(highlight::PRE)
            .with_highlight_post_tag(highlight::POST)
            .with_show_ranking_score(true);
        // The API asks for whole pages; as a page Meilisearch counts every hit exactly
        // (`totalHits`) instead of estimating.
        if offset % limit == 0 {
            search.with_page(offset / limit + 1).with_hits_per_page(limit);
        } else {
            search.with_offset(offset).with_limit(limit);
        }
        if let Some(f) = &filter {
            search.with_filter(f);
        }
        if let Some(sort) = ticket_sort(q.sort, terms.is_empty()) {
            search.with_sort(sort);
        }
        let results = search.execute::<IdOnly>().await.map_err(engine_err)?;
        let hits = results
            .hits
            .into_iter()
            .map(|h| {
                let snippets = h
                    .formatted_result
                    .as_ref()
                    .map(|f| {
                        shown
                            .iter()
                            .filter_map(|name| {
                                f.get(*name)
                                    .and_then(|v| v.as_str())
                                    .and_then(|t| highlight::snippet_with_stems(name, t, &self.analyzer, &stems))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                TicketMatch {
                    id: h.result.id,
                    score: h.ranking_score.unwrap_or(0.0) as f32,
                    snippets,
                }
            })
            .collect();
        Ok(TicketMatches {
            total: results.total_hits.or(results.estimated_total_hits).unwrap_or(0) as u64,
            hits,
        })
    }

    async fn search_articles(&self, q: &ArticleQuery) -> SearchResult<Vec<ArticleMatch>> {
        let matching = if q.as_you_type {
            Matching::AsYouType
        } else {
            Matching::Exact
        };
        let terms = words::terms(&self.analyzer, &q.text, matching);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let filter = filters::article_filter(q.public_only, q.category_id);
        let limit = q.limit.clamp(1, 50);
        // One word: Meilisearch ranks on its own (one query, `limit` hits). More: rank by word
        // weights (`relevance`), then fetch each chosen article (one query each, one hit) with
        // the words it matched, for its snippet.
        let single = terms.len() == 1;
        let chosen: Vec<relevance::Ranked> = if single {
            vec![relevance::Ranked {
                id: 0,
                score: 0.0,
                words: vec![0],
            }]
        } else {
            let (articles, per_word) = self.word_hits(&terms, matching, filter.as_deref()).await?;
            relevance::rank(&per_word, articles, limit)
        };
        if chosen.is_empty() {
            return Ok(Vec::new());
        }
        let queries = article_queries(&terms, &chosen, matching, single, filter.as_deref());
        let mut multi = self.client.multi_search();
        for (text, filter) in &queries {
            let mut search = SearchQuery::new(&self.articles);
            search
                .with_query(text)
                .with_matching_strategy(MatchingStrategies::ALL)
                .with_limit(if single { limit } else { 1 })
                .with_attributes_to_retrieve(Selectors::Some(&["id", "title", "category_id", "visibility"]))
                .with_attributes_to_crop(Selectors::Some(&[("body", None)]))
                .with_crop_length(CROP_WORDS)
                .with_attributes_to_highlight(Selectors::Some(&["body"]))
                .with_highlight_pre_tag(highlight::PRE)
                .with_highlight_post_tag(highlight::POST)
                .with_show_ranking_score(true);
            if let Some(f) = filter {
                search.with_filter(f);
            }
            multi.with_search_query(search);
        }
        let found = multi.execute::<ArticleHead>().await.map_err(engine_err)?.results;
        let stems = all_stems(&terms);
        let mut out: Vec<ArticleMatch> = Vec::with_capacity(limit);
        for (ranked, results) in chosen.iter().zip(found) {
            for h in results.hits {
                out.push(ArticleMatch {
                    id: h.result.id,
                    title: h.result.title,
                    category_id: (h.result.category_id > 0).then_some(h.result.category_id),
                    visibility: KbVisibility::parse(&h.result.visibility).unwrap_or(KbVisibility::Agents),
                    score: if single {
                        h.ranking_score.unwrap_or(0.0) as f32
                    } else {
                        ranked.score as f32
                    },
                    snippet: h
                        .formatted_result
                        .as_ref()
                        .and_then(|f| f.get("body"))
                        .and_then(|v| v.as_str())
                        .and_then(|t| highlight::snippet_with_stems("body", t, &self.analyzer, &stems)),
                });
            }
        }
        Ok(out)
    }

    async fn synced_until(&self) -> SearchResult<Option<DateTime<Utc>>> {
        match self.meta.get_document::<SyncMark>(SYNC_MARK_ID).await {
            // Documents of another layout are rewritten by a catch-up from the start.
            Ok(mark) if mark.layout != self.layout => Ok(None),
            Ok(mark) => Ok(DateTime::parse_from_rfc3339(&mark.synced_until)
                .ok()
                .map(|d| d.with_timezone(&Utc))),
            // A fresh Meilisearch has neither the index nor the document.
            Err(meilisearch_sdk::errors::Error::Meilisearch(e))
                if matches!(
                    e.error_code,
                    meilisearch_sdk::errors::ErrorCode::DocumentNotFound
                        | meilisearch_sdk::errors::ErrorCode::IndexNotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(engine_err(e)),
        }
    }

    async fn article_ids(&self) -> SearchResult<Vec<i64>> {
        let mut ids = Vec::new();
        let mut offset = 0;
        loop {
            let mut q = meilisearch_sdk::documents::DocumentsQuery::new(&self.articles);
            q.with_offset(offset).with_limit(1000).with_fields(["id"]);
            let page = match self.articles.get_documents_with::<IdOnly>(&q).await {
                Ok(page) => page,
                Err(meilisearch_sdk::errors::Error::Meilisearch(e))
                    if e.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound =>
                {
                    break;
                }
                Err(e) => return Err(engine_err(e)),
            };
            let n = page.results.len();
            ids.extend(page.results.into_iter().map(|d| d.id));
            if n < 1000 {
                break;
            }
            offset += n;
        }
        ids.sort_unstable();
        Ok(ids)
    }

    async fn counts(&self) -> SearchResult<(u64, u64)> {
        let mut out = [0u64; 2];
        for (slot, index) in out.iter_mut().zip([&self.tickets, &self.articles]) {
            let r = index
                .search()
                .with_query("")
                .with_limit(0)
                .execute::<serde_json::Value>()
                .await
                .map_err(engine_err)?;
            *slot = r.estimated_total_hits.unwrap_or(0) as u64;
        }
        Ok((out[0], out[1]))
    }
}
