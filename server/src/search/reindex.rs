//! `maildesk reindex`: rebuilds the whole index from the database with a progress bar. It
//! replaces documents by id and never empties the index first, so searches keep answering
//! while it runs — beside a serving node too (Tantivy's writer is taken per batch; see
//! `tantivy_engine`).

use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use crate::search::{SearchEngine, indexer};

pub async fn run(engine: &dyn SearchEngine, db: &DatabaseConnection, show_progress: bool) -> anyhow::Result<u64> {
    let bar = if show_progress {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} tickets ({per_sec}, {eta} left)")?
                .progress_chars("=> "),
        );
        bar.set_message(format!("reindexing into {}", engine.name()));
        bar
    } else {
        ProgressBar::hidden()
    };
    let report = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let done = indexer::catch_up(engine, db, true, Some(&report)).await?;
    bar.finish_and_clear();
    let (tickets, articles) = engine.counts().await?;
    println!("reindexed {done} tickets; the index holds {tickets} tickets and {articles} articles");
    Ok(done)
}
