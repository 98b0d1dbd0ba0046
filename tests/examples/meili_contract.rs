//! The Meilisearch engine keeps the same contract as Tantivy (tests/src/search_contract.rs),
//! against a real Meilisearch. The test suite runs it against a private Meilisearch it starts
//! itself (`search_engine::meilisearch_keeps_the_search_contract`); this program checks the
//! Meilisearch a deployment actually runs (it exits non-zero on the first broken promise):
//!
//!   MEILI_URL=http://127.0.0.1:7700 MEILI_API_KEY=<key> \
//!     cargo run -p maildesk-tests --example meili_contract
//!
//! or `docker compose --profile contract run --rm search-contract` beside the compose stack.
//! Each run uses its own index prefix and deletes its indexes afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk::Settings;
use maildesk::search::meili::MeiliEngine;
use maildesk_tests::search_contract;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        panic!("MEILI_URL is not set: start Meilisearch (docker compose up -d meilisearch) and export MEILI_URL");
    };
    let mut settings = Settings::load(None).unwrap();
    settings.search.meili_url = url.clone();
    let prefix = format!("mdtest_{}_", uuid::Uuid::new_v4().simple());
    settings.search.meili_index_prefix = prefix.clone();
    let engine = MeiliEngine::connect(&settings.search)
        .await
        .unwrap_or_else(|e| panic!("connecting to Meilisearch at {url}: {e:#}"));
    search_contract::run_all(&engine).await;
    engine.delete_indexes().await.unwrap();
    println!("Meilisearch at {url} keeps the search contract");
}
