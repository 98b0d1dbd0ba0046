//! The embedded search engine (Tantivy) keeps the engine contract (tests/src/search_contract.rs):
//! relevance, typos, phrases, filters, rights including internal notes, replacement and the
//! catch-up mark — and its index survives a restart and a second writer. The shared engine
//! (Meilisearch) keeps the same contract against a private real Meilisearch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk::search::meili::MeiliEngine;
use maildesk::search::tantivy_engine::{TantivyEngine, language};
use maildesk::search::{Access, Batch, SearchEngine, TicketFilters, TicketQuery};
use maildesk_tests::meili_server::OwnMeili;
use maildesk_tests::search_contract;
use protocol::SearchSort;

fn open(dir: &std::path::Path) -> TantivyEngine {
    TantivyEngine::open(dir, language("english").unwrap()).unwrap()
}

/// The engine on a private Meilisearch (the tests named `meilisearch` start one each).
async fn meili_engine(meili: &OwnMeili, language: &str) -> MeiliEngine {
    let mut settings = maildesk::Settings::load_from(None, &[]).unwrap();
    settings.search.meili_url = meili.url.clone();
    settings.search.meili_api_key = secrecy::SecretString::from(meili.master_key.clone());
    settings.search.language = language.into();
    MeiliEngine::connect(&settings.search)
        .await
        .unwrap_or_else(|e| panic!("connecting to Meilisearch at {}: {e:#}", meili.url))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tantivy_keeps_the_search_contract() {
    let dir = tempfile::tempdir().unwrap();
    search_contract::run_all(&open(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tantivy_reaches_every_page() {
    let dir = tempfile::tempdir().unwrap();
    search_contract::deep_pages(&open(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_survives_a_restart_and_two_writers_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path());
    search_contract::load(&first).await;
    // A second engine on the same folder (a `maildesk reindex` beside the server) writes while
    // the first keeps writing: the per-batch writer lets them take turns.
    let second = open(dir.path());
    let mut docs = search_contract::tickets();
    let (a, b) = docs.split_at_mut(2);
    a[0].messages.push_str(" walrus");
    b[0].messages.push_str(" narwhal");
    let (one, two) = (a[0].clone(), b[0].clone());
    let (r1, r2) = tokio::join!(
        first.apply(Batch {
            tickets: vec![one],
            ..Default::default()
        }),
        second.apply(Batch {
            tickets: vec![two],
            ..Default::default()
        })
    );
    r1.unwrap();
    r2.unwrap();
    drop((first, second));

    let reopened = open(dir.path());
    assert_eq!(reopened.counts().await.unwrap(), (5, 8));
    for (word, id) in [("walrus", 1), ("narwhal", 3)] {
        let q = TicketQuery {
            text: word.into(),
            filters: TicketFilters::default(),
            access: Access::All,
            sort: SearchSort::Relevance,
            offset: 0,
            limit: 10,
        };
        let hits: Vec<i64> = reopened
            .search_tickets(&q)
            .await
            .unwrap()
            .hits
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(hits, vec![id], "{word}");
    }
    assert!(
        reopened.synced_until().await.unwrap().is_some(),
        "the mark is kept on disk"
    );
}

/// The shared engine keeps the same contract against a real Meilisearch of its own (skipped by
/// name, with a message, by `scripts/test` on a machine without a Meilisearch binary).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meilisearch_keeps_the_search_contract() {
    let meili = OwnMeili::start();
    search_contract::run_all(&meili_engine(&meili, "english").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meilisearch_reaches_every_page() {
    let meili = OwnMeili::start();
    search_contract::deep_pages(&meili_engine(&meili, "english").await).await;
}

/// Documents written for another layout or stemming language are rewritten: such an index
/// reports no catch-up mark, so the next catch-up starts from scratch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meilisearch_forgets_its_mark_when_the_document_layout_changes() {
    let meili = OwnMeili::start();
    let english = meili_engine(&meili, "english").await;
    search_contract::load(&english).await;
    assert!(english.synced_until().await.unwrap().is_some());
    let again = meili_engine(&meili, "english").await;
    assert!(
        again.synced_until().await.unwrap().is_some(),
        "same layout: the mark holds"
    );
    let german = meili_engine(&meili, "german").await;
    assert_eq!(german.synced_until().await.unwrap(), None, "stems of another language");
}
