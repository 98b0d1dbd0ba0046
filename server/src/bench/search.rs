//! `maildesk bench search`: indexes generated help-desk tickets and articles into each chosen
//! engine — the embedded one (Tantivy, in a scratch folder) and/or the shared one (the
//! configured Meilisearch, under scratch index names it deletes afterwards) — and prints the
//! indexing rate and query latency (p50/p99) for ticket search and article suggestions, plus
//! how long one change takes to become searchable in the full index. Every engine gets the
//! same documents and the same queries (one seed), and a table puts them side by side.
//! Asserts nothing.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration as Days, Utc};
use protocol::{KbVisibility, SearchSort};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::bench::stats::{Summary, ms, summarize};
use crate::search::meili::MeiliEngine;
use crate::search::tantivy_engine::{TantivyEngine, language};
use crate::search::{Access, ArticleDoc, ArticleQuery, Batch, SearchEngine, TicketDoc, TicketFilters, TicketQuery};
use crate::settings::SearchSettings;

const TOPICS: &[(&str, &[&str])] = &[
    (
        "printer",
        &[
            "paper jam in the printer",
            "the printer prints blank pages",
            "toner low warning on the printer",
        ],
    ),
    (
        "password",
        &[
            "I forgot my password",
            "password reset link expired",
            "account locked after wrong password",
        ],
    ),
    (
        "invoice",
        &[
            "invoice shows the wrong amount",
            "charged twice on my invoice",
            "need a copy of last year's invoice",
        ],
    ),
    (
        "vpn",
        &[
            "vpn disconnects every hour",
            "cannot connect to the vpn from home",
            "vpn is very slow",
        ],
    ),
    (
        "email",
        &[
            "emails stuck in the outbox",
            "cannot send email from my phone",
            "spam filter blocks a customer",
        ],
    ),
    (
        "laptop",
        &[
            "laptop battery drains fast",
            "laptop does not start",
            "laptop screen flickers",
        ],
    ),
    (
        "calendar",
        &[
            "shared calendar does not sync",
            "meeting invites go missing",
            "calendar shows the wrong time zone",
        ],
    ),
    (
        "refund",
        &[
            "please refund my annual plan",
            "refund not received yet",
            "cancel and refund my order",
        ],
    ),
    (
        "shipping",
        &[
            "my parcel has not arrived",
            "tracking number does not work",
            "order shipped to the wrong address",
        ],
    ),
    (
        "login",
        &[
            "two factor code not accepted",
            "login page keeps reloading",
            "single sign on fails",
        ],
    ),
];

const FILLER: &[&str] = &[
    "Thanks for your help.",
    "This started yesterday after the update.",
    "It happens on every machine in our office.",
    "Could you please look into it as soon as possible?",
    "I already restarted everything twice.",
    "Our team depends on this for the monthly report.",
    "Let me know if you need screenshots or logs.",
    "The error message says something went wrong.",
    "We are on the business plan since last year.",
    "Best regards from the accounting department.",
];

const NAMES: &[&str] = &[
    "Ann Baker",
    "Bob Chen",
    "Carla Diaz",
    "Dev Patel",
    "Eva Novak",
    "Finn Olsen",
    "Gita Rao",
];

fn sentence(rng: &mut StdRng, list: &[&str]) -> String {
    list[rng.random_range(0..list.len())].to_owned()
}

fn paragraph(rng: &mut StdRng, topic: usize) -> String {
    let (_, lines) = TOPICS[topic];
    let mut s = sentence(rng, lines);
    for _ in 0..rng.random_range(2..6) {
        s.push(' ');
        s.push_str(&sentence(rng, FILLER));
    }
    s
}

fn ticket(rng: &mut StdRng, id: i64) -> TicketDoc {
    let topic = rng.random_range(0..TOPICS.len());
    let mut messages = String::new();
    for _ in 0..rng.random_range(1..5) {
        messages.push_str(&paragraph(rng, topic));
        messages.push_str("\n\n");
    }
    let name = NAMES[rng.random_range(0..NAMES.len())];
    let created = Utc::now() - Days::minutes(rng.random_range(0..525_600));
    TicketDoc {
        id,
        subject: sentence(rng, TOPICS[topic].1),
        messages,
        notes: if rng.random_bool(0.3) {
            let other = rng.random_range(0..TOPICS.len());
            paragraph(rng, other)
        } else {
            String::new()
        },
        people: format!("{name} {}@example.com", name.to_lowercase().replace(' ', ".")),
        status: ["open", "pending", "resolved", "closed"][rng.random_range(0..4)].into(),
        priority: "normal".into(),
        tags: vec![TOPICS[topic].0.into()],
        category_id: Some(rng.random_range(1..=10)),
        assignee_id: rng.random_bool(0.7).then(|| rng.random_range(1_000..1_020)),
        requester_id: rng.random_range(10_000..40_000),
        company_id: rng.random_bool(0.5).then(|| rng.random_range(1..500)),
        created_at: created,
        updated_at: created,
    }
}

fn article(rng: &mut StdRng, id: i64) -> ArticleDoc {
    let topic = rng.random_range(0..TOPICS.len());
    ArticleDoc {
        id,
        title: format!("How to fix: {}", sentence(rng, TOPICS[topic].1)),
        body: (0..4).map(|_| paragraph(rng, topic)).collect::<Vec<_>>().join("\n"),
        tags: vec![TOPICS[topic].0.into()],
        category_id: None,
        visibility: if rng.random_bool(0.8) {
            KbVisibility::Public
        } else {
            KbVisibility::Agents
        },
        updated_at: Utc::now(),
    }
}

const BATCH: usize = 5_000;

/// The engines `maildesk bench search --engine` can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineChoice {
    Tantivy,
    Meilisearch,
}

/// One engine's figures, for the closing table.
struct Figures {
    engine: &'static str,
    tickets_per_s: f64,
    articles_per_s: f64,
    ticket_search: Summary,
    suggest_typing: Summary,
    suggest_ticket: Summary,
    one_change: Summary,
}

pub async fn run(
    engines: &[EngineChoice],
    search: &SearchSettings,
    tickets: usize,
    articles: usize,
    queries: usize,
) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for choice in engines {
        let figures = match choice {
            EngineChoice::Tantivy => {
                let dir = tempfile_dir()?;
                let result = tantivy(&dir, tickets, articles, queries).await;
                // The scratch index is removed even when the run failed.
                let _ = std::fs::remove_dir_all(&dir);
                result?
            }
            EngineChoice::Meilisearch => meilisearch(search, tickets, articles, queries).await?,
        };
        all.push(figures);
    }
    if all.len() > 1 {
        table(&all);
    }
    Ok(())
}

async fn tantivy(dir: &Path, tickets: usize, articles: usize, queries: usize) -> anyhow::Result<Figures> {
    let english = language("english").ok_or_else(|| anyhow::anyhow!("no english stemmer"))?;
    // A bulk load gets a bigger writer, as `maildesk reindex` could.
    let engine = TantivyEngine::open_with_memory(dir, english, 200 * 1024 * 1024)?;
    measure(&engine, "Tantivy", tickets, articles, queries).await
}

async fn meilisearch(
    search: &SearchSettings,
    tickets: usize,
    articles: usize,
    queries: usize,
) -> anyhow::Result<Figures> {
    anyhow::ensure!(
        search.meili_enabled(),
        "--engine meilisearch needs a Meilisearch: set MEILI_URL (and MEILI_MASTER_KEY) or search.meili_url"
    );
    let mut scratch = search.clone();
    scratch.language = "english".into();
    scratch.meili_index_prefix = format!("maildesk_bench_{}_", uuid::Uuid::new_v4().simple());
    let engine = MeiliEngine::connect(&scratch)
        .await
        .with_context(|| format!("connecting to Meilisearch at {}", search.meili_url))?;
    let result = measure(&engine, "Meilisearch", tickets, articles, queries).await;
    // The scratch indexes are removed even when the run failed.
    engine.delete_indexes().await?;
    result
}

/// A line of the closing table: its label and how to read it off one engine's figures.
type Row = (&'static str, fn(&Figures) -> String);

fn table(all: &[Figures]) {
    println!();
    print!("{:<28}", "");
    for f in all {
        print!("{:>16}", f.engine);
    }
    println!();
    let rows: [Row; 8] = [
        ("indexing tickets/s", |f| format!("{:.0}", f.tickets_per_s)),
        ("indexing articles/s", |f| format!("{:.0}", f.articles_per_s)),
        ("ticket search p50", |f| ms(f.ticket_search.p50)),
        ("ticket search p99", |f| ms(f.ticket_search.p99)),
        ("suggest (typing) p50", |f| ms(f.suggest_typing.p50)),
        ("suggest (ticket) p50", |f| ms(f.suggest_ticket.p50)),
        ("suggest (ticket) p99", |f| ms(f.suggest_ticket.p99)),
        ("one change written p50", |f| ms(f.one_change.p50)),
    ];
    for (label, value) in rows {
        print!("{label:<28}");
        for f in all {
            print!("{:>16}", value(f));
        }
        println!();
    }
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("maildesk-search-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn measure(
    engine: &dyn SearchEngine,
    name: &'static str,
    tickets: usize,
    articles: usize,
    queries: usize,
) -> anyhow::Result<Figures> {
    let mut rng = StdRng::seed_from_u64(7);
    println!("search bench: {name}, {tickets} tickets, {articles} articles, {queries} queries each");
    let tickets_per_s = index_tickets(engine, &mut rng, tickets).await?;
    let articles_per_s = index_articles(engine, &mut rng, articles).await?;
    let ticket_search = ticket_search(engine, &mut rng, queries).await?;
    let suggest_typing = suggest(engine, &mut rng, queries, "suggest (typing)", true).await?;
    let suggest_ticket = suggest(engine, &mut rng, queries, "suggest (ticket)", false).await?;
    let one_change = one_change(engine, &mut rng).await?;
    Ok(Figures {
        engine: name,
        tickets_per_s,
        articles_per_s,
        ticket_search,
        suggest_typing,
        suggest_ticket,
        one_change,
    })
}

/// Indexes `tickets` generated tickets in batches; tickets per second.
async fn index_tickets(engine: &dyn SearchEngine, rng: &mut StdRng, tickets: usize) -> anyhow::Result<f64> {
    let docs: Vec<TicketDoc> = (1..=tickets as i64).map(|id| ticket(rng, id)).collect();
    let started = Instant::now();
    for chunk in docs.chunks(BATCH) {
        engine
            .apply(Batch {
                tickets: chunk.to_vec(),
                ..Default::default()
            })
            .await?;
    }
    let took = started.elapsed();
    let tickets_per_s = tickets as f64 / took.as_secs_f64();
    println!(
        "indexing tickets:   {tickets_per_s:>8.0} tickets/s ({tickets} in {:.1} s, batches of {BATCH})",
        took.as_secs_f64()
    );
    Ok(tickets_per_s)
}

/// Indexes `articles` generated articles in batches; articles per second.
async fn index_articles(engine: &dyn SearchEngine, rng: &mut StdRng, articles: usize) -> anyhow::Result<f64> {
    let kb: Vec<ArticleDoc> = (1..=articles as i64).map(|id| article(rng, id)).collect();
    let started = Instant::now();
    for chunk in kb.chunks(BATCH) {
        engine
            .apply(Batch {
                articles: chunk.to_vec(),
                ..Default::default()
            })
            .await?;
    }
    let took = started.elapsed();
    let articles_per_s = articles as f64 / took.as_secs_f64();
    println!(
        "indexing articles:  {articles_per_s:>8.0} articles/s ({articles} in {:.1} s)",
        took.as_secs_f64()
    );
    Ok(articles_per_s)
}

/// Ticket search as agents use it: 1–3 words (some misspelt), an agent's rights, a filter.
async fn ticket_search(engine: &dyn SearchEngine, rng: &mut StdRng, queries: usize) -> anyhow::Result<Summary> {
    let mut samples = Vec::with_capacity(queries);
    let mut hits = 0u64;
    for i in 0..queries {
        let q = ticket_query(rng, i);
        let t = Instant::now();
        let found = engine.search_tickets(&q).await?;
        samples.push(t.elapsed());
        hits += found.total;
    }
    let ticket_search = summarize(samples);
    let s = &ticket_search;
    println!(
        "ticket search:      p50 {} / p99 {} / max {} ({} queries, {} hits on average)",
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        s.count,
        hits / queries.max(1) as u64
    );
    Ok(ticket_search)
}

/// The `i`th ticket query: words of a generated subject, now and then a typo, an agent's or
/// everyone's rights, sometimes a status filter and newest-first order.
fn ticket_query(rng: &mut StdRng, i: usize) -> TicketQuery {
    let topic = rng.random_range(0..TOPICS.len());
    let subject = sentence(rng, TOPICS[topic].1);
    let n = rng.random_range(1..=3);
    let words: Vec<&str> = subject.split(' ').filter(|w| w.len() > 3).take(n).collect();
    let mut text = words.join(" ");
    if i.is_multiple_of(5) && text.len() > 5 {
        text.remove(2); // a typo
    }
    let access = if i.is_multiple_of(2) {
        Access::Agent {
            user_id: 1_000 + (i as i64 % 20),
            categories: vec![1 + (i as i64 % 10), 1 + ((i as i64 + 3) % 10)],
        }
    } else {
        Access::All
    };
    TicketQuery {
        text,
        filters: TicketFilters {
            status: i.is_multiple_of(3).then(|| "open".into()),
            ..Default::default()
        },
        access,
        sort: if i.is_multiple_of(4) {
            SearchSort::Newest
        } else {
            SearchSort::Relevance
        },
        offset: 0,
        limit: 25,
    }
}

/// Article suggestions: as the customer types (a cut sentence, public articles) or for a
/// ticket's whole text.
async fn suggest(
    engine: &dyn SearchEngine,
    rng: &mut StdRng,
    queries: usize,
    label: &str,
    as_you_type: bool,
) -> anyhow::Result<Summary> {
    let mut samples = Vec::with_capacity(queries);
    for _ in 0..queries {
        let topic = rng.random_range(0..TOPICS.len());
        let text = if as_you_type {
            let s = sentence(rng, TOPICS[topic].1);
            let cut = rng.random_range(s.len() / 2..=s.len());
            s[..cut].to_owned()
        } else {
            paragraph(rng, topic)
        };
        let t = Instant::now();
        engine
            .search_articles(&ArticleQuery {
                text,
                public_only: as_you_type,
                category_id: None,
                limit: 5,
                as_you_type,
            })
            .await?;
        samples.push(t.elapsed());
    }
    let s = summarize(samples);
    println!("{label:<19} p50 {} / p99 {} / max {}", ms(s.p50), ms(s.p99), ms(s.max));
    Ok(s)
}

/// Freshness: one changed ticket written into the full index until searchable.
async fn one_change(engine: &dyn SearchEngine, rng: &mut StdRng) -> anyhow::Result<Summary> {
    let mut samples = Vec::new();
    for i in 0..20 {
        let mut doc = ticket(rng, 1 + i);
        doc.messages.push_str(&format!(" marker{i}word"));
        let t = Instant::now();
        engine
            .apply(Batch {
                tickets: vec![doc],
                ..Default::default()
            })
            .await?;
        samples.push(t.elapsed());
    }
    let one_change = summarize(samples);
    println!(
        "one change written: p50 {} / p99 {} (plus the indexer's gathering window, search.batch_ms)",
        ms(one_change.p50),
        ms(one_change.p99)
    );
    Ok(one_change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_documents_look_like_help_desk_mail() {
        let mut rng = StdRng::seed_from_u64(1);
        let t = ticket(&mut rng, 1);
        assert!(!t.subject.is_empty() && t.messages.len() > t.subject.len());
        assert!(t.tags.len() == 1);
        let a = article(&mut rng, 1);
        assert!(a.title.starts_with("How to fix: "));
    }
}
