//! The embedded search engine (Tantivy) keeps the engine contract (tests/src/search_contract.rs):
//! relevance, typos, phrases, filters, rights including internal notes, replacement and the
//! catch-up mark — and its index survives a restart and a second writer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk::search::tantivy_engine::{TantivyEngine, language};
use maildesk::search::{Access, Batch, SearchEngine, TicketFilters, TicketQuery};
use maildesk_tests::search_contract;
use protocol::SearchSort;

fn open(dir: &std::path::Path) -> TantivyEngine {
    TantivyEngine::open(dir, language("english").unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tantivy_keeps_the_search_contract() {
    let dir = tempfile::tempdir().unwrap();
    search_contract::run_all(&open(dir.path())).await;
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
