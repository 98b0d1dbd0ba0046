//! The contract every search engine keeps, run against the engine trait directly: Tantivy in
//! every test run, Meilisearch when `MEILI_URL` is set (tests/examples/meili_contract.rs).
//!
//! It checks relevance on realistic help-desk questions, typo tolerance, phrases, filters and
//! sorting, and above all rights: a customer, or an agent outside a category, never gets a hit
//! they may not see — not even through the text of an internal note.

use chrono::{Duration, TimeZone, Utc};
use maildesk::search::{Access, ArticleDoc, ArticleQuery, Batch, SearchEngine, TicketDoc, TicketFilters, TicketQuery};
use protocol::{KbVisibility, SearchSort};

pub const BILLING: i64 = 11;
pub const HARDWARE: i64 = 12;
pub const ANN: i64 = 101;
pub const BOB: i64 = 102;
pub const ACME: i64 = 501;
pub const AGENT_BILLING: i64 = 201;
pub const AGENT_HARDWARE: i64 = 202;
/// Only ever in an internal note.
pub const NOTE_SECRET: &str = "zebracorn";

fn article(id: i64, title: &str, body: &str, tags: &[&str], visibility: KbVisibility) -> ArticleDoc {
    ArticleDoc {
        id,
        title: title.into(),
        body: body.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        category_id: None,
        visibility,
        updated_at: Utc::now(),
    }
}

/// A knowledge base a real help desk could have.
pub fn articles() -> Vec<ArticleDoc> {
    use KbVisibility::{Agents, Public};
    vec![
        article(
            1,
            "How to reset your password",
            "If you forgot your password, open the sign-in page and choose 'Forgot password'. We send a reset link to your e-mail address; it is valid for one hour.",
            &["account", "login"],
            Public,
        ),
        article(
            2,
            "Printer shows a paper jam",
            "Open the front tray, remove any stuck paper, close the tray and press resume. If the printer still reports a jam, check the rear door.",
            &["printer", "hardware"],
            Public,
        ),
        article(
            3,
            "Updating your billing address",
            "Invoices use the billing address of your account. Change it under Settings, Billing; the next invoice shows the new address.",
            &["billing", "invoice"],
            Public,
        ),
        article(
            4,
            "Requesting a refund",
            "Refunds for annual plans are possible within 30 days. Reply to your invoice mail and ask for a refund; we pay back to the original card.",
            &["billing", "refund"],
            Public,
        ),
        article(
            5,
            "Connecting to the VPN from home",
            "Install the VPN client, sign in with your company account and pick the nearest gateway. Slow connections usually mean a distant gateway.",
            &["network", "vpn"],
            Public,
        ),
        article(
            6,
            "Setting up e-mail on your phone",
            "On iPhone or Android add an Exchange account with your work address. Mail, calendar and contacts then sync automatically.",
            &["mobile", "email"],
            Public,
        ),
        article(
            7,
            "Escalating a server outage",
            "Internal: page the on-call engineer, open an incident channel and post status updates every 30 minutes.",
            &["incident"],
            Agents,
        ),
        article(
            8,
            "Exporting your data",
            "Under Settings, Privacy you can download all your data as a ZIP archive. Large exports are mailed to you when ready.",
            &["privacy", "gdpr"],
            Public,
        ),
    ]
}

/// (question, the article that answers it).
pub const QUESTIONS: &[(&str, i64)] = &[
    ("I forgot my password and cannot log in", 1),
    ("the printer says paper jam", 2),
    ("how do I change the address on my invoices", 3),
    ("can I get my money back, I want a refund", 4),
    ("vpn is very slow when working from home", 5),
    ("configure mail on my android phone", 6),
    ("download all my data", 8),
];

fn ticket(id: i64, subject: &str, messages: &str, notes: &str, category: Option<i64>, requester: i64) -> TicketDoc {
    let created = Utc
        .with_ymd_and_hms(2026, 10, 1, 9, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
        + Duration::days(id);
    TicketDoc {
        id,
        subject: subject.into(),
        messages: messages.into(),
        notes: notes.into(),
        people: format!("Customer {requester} customer{requester}@example.com"),
        status: if id % 2 == 0 { "open".into() } else { "pending".into() },
        priority: "normal".into(),
        tags: if category == Some(BILLING) {
            vec!["invoice".into()]
        } else {
            vec![]
        },
        category_id: category,
        assignee_id: None,
        requester_id: requester,
        company_id: (requester == ANN).then_some(ACME),
        created_at: created,
        updated_at: created,
    }
}

pub fn tickets() -> Vec<TicketDoc> {
    vec![
        ticket(
            1,
            "Invoice shows the wrong amount",
            "My October invoice charged twice for the same plan.",
            &format!("Refund approved; {NOTE_SECRET} code applies."),
            Some(BILLING),
            ANN,
        ),
        ticket(
            2,
            "Printer on floor 3 jams",
            "The printer on the third floor jams on every page.",
            "Technician booked for Tuesday.",
            Some(HARDWARE),
            BOB,
        ),
        ticket(
            3,
            "Cannot open the shared calendar",
            "Since yesterday the shared calendar fails to load.",
            "",
            None,
            BOB,
        ),
        ticket(
            4,
            "Question about my invoice",
            "Where can I download last year's invoices?",
            "",
            Some(BILLING),
            BOB,
        ),
        ticket(
            5,
            "Laptop battery drains fast",
            "The battery of my laptop lasts only an hour.",
            "",
            Some(HARDWARE),
            ANN,
        ),
    ]
}

fn ids(hits: &[maildesk::search::TicketMatch]) -> Vec<i64> {
    let mut v: Vec<i64> = hits.iter().map(|h| h.id).collect();
    v.sort_unstable();
    v
}

fn query(text: &str, access: Access) -> TicketQuery {
    TicketQuery {
        text: text.into(),
        filters: TicketFilters::default(),
        access,
        sort: SearchSort::Relevance,
        offset: 0,
        limit: 50,
    }
}

fn agent(id: i64, categories: &[i64]) -> Access {
    Access::Agent {
        user_id: id,
        categories: categories.to_vec(),
    }
}

fn customer(id: i64) -> Access {
    Access::Customer {
        user_id: id,
        company_id: None,
        only_ticket: None,
    }
}

async fn tickets_for(engine: &dyn SearchEngine, text: &str, access: Access) -> Vec<i64> {
    ids(&engine
        .search_tickets(&query(text, access))
        .await
        .expect("ticket search")
        .hits)
}

async fn top_article(engine: &dyn SearchEngine, text: &str, public_only: bool, as_you_type: bool) -> Option<i64> {
    engine
        .search_articles(&ArticleQuery {
            text: text.into(),
            public_only,
            category_id: None,
            limit: 5,
            as_you_type,
        })
        .await
        .expect("article search")
        .first()
        .map(|a| a.id)
}

/// Loads the fixture into an empty engine.
pub async fn load(engine: &dyn SearchEngine) {
    engine
        .apply(Batch {
            tickets: tickets(),
            articles: articles(),
            deleted_articles: vec![],
            synced_until: Some(
                Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
                    .single()
                    .unwrap_or_else(Utc::now),
            ),
        })
        .await
        .expect("indexing the fixture");
}

pub async fn relevance(engine: &dyn SearchEngine) {
    for (question, expected) in QUESTIONS {
        assert_eq!(
            top_article(engine, question, true, false).await,
            Some(*expected),
            "best article for {question:?}"
        );
    }
}

pub async fn typos_and_typing(engine: &dyn SearchEngine) {
    // Misspelt words still find their article; so does an unfinished last word.
    assert_eq!(top_article(engine, "pasword resett", true, true).await, Some(1));
    assert_eq!(top_article(engine, "refnd", true, true).await, Some(4));
    assert_eq!(top_article(engine, "exporting your da", true, true).await, Some(8));
    // And tickets: "calender" for "calendar", "prnter" for "printer".
    assert_eq!(tickets_for(engine, "calender", Access::All).await, vec![3]);
    assert_eq!(tickets_for(engine, "prnter jams", Access::All).await, vec![2]);
}

pub async fn phrases_filters_and_sorting(engine: &dyn SearchEngine) {
    // Stemming: "jamming" and "jam" find "jams".
    assert_eq!(tickets_for(engine, "jam", Access::All).await, vec![2]);
    assert_eq!(tickets_for(engine, "jamming", Access::All).await, vec![2]);
    // A phrase must appear as written; the words apart do not count.
    assert_eq!(tickets_for(engine, "\"shared calendar\"", Access::All).await, vec![3]);
    assert!(tickets_for(engine, "\"calendar shared\"", Access::All).await.is_empty());
    // Every word must match (an agent narrowing down).
    assert_eq!(tickets_for(engine, "invoice download", Access::All).await, vec![4]);

    let mut q = query("invoice", Access::All);
    q.filters.status = Some("open".into());
    assert_eq!(ids(&engine.search_tickets(&q).await.expect("search").hits), vec![4]);
    let mut q = query("", Access::All);
    q.filters.tag = Some("Invoice".into());
    assert_eq!(ids(&engine.search_tickets(&q).await.expect("search").hits), vec![1, 4]);
    let mut q = query("", Access::All);
    q.filters.category_id = Some(HARDWARE);
    q.filters.requester_id = Some(BOB);
    assert_eq!(ids(&engine.search_tickets(&q).await.expect("search").hits), vec![2]);
    let mut q = query("", Access::All);
    q.filters.created_from = Some(
        Utc.with_ymd_and_hms(2026, 10, 3, 0, 0, 0)
            .single()
            .unwrap_or_else(Utc::now),
    );
    q.filters.created_to = Some(
        Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0)
            .single()
            .unwrap_or_else(Utc::now),
    );
    assert_eq!(ids(&engine.search_tickets(&q).await.expect("search").hits), vec![2, 3]);

    // No text: newest first, paged, with the total of all pages.
    let mut q = query("", Access::All);
    q.sort = SearchSort::Newest;
    q.limit = 2;
    let page = engine.search_tickets(&q).await.expect("search");
    assert_eq!(page.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![5, 4]);
    assert_eq!(page.total, 5);
    q.offset = 2;
    let page = engine.search_tickets(&q).await.expect("search");
    assert_eq!(page.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![3, 2]);
    q.sort = SearchSort::Oldest;
    q.offset = 0;
    let page = engine.search_tickets(&q).await.expect("search");
    assert_eq!(page.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![1, 2]);

    // Highlights point at the matched word.
    let hit = engine
        .search_tickets(&query("battery", Access::All))
        .await
        .expect("search");
    let snippet = hit.hits[0]
        .snippets
        .iter()
        .find(|s| !s.highlights.is_empty())
        .expect("a highlighted snippet");
    let [a, b] = snippet.highlights[0];
    assert_eq!(snippet.text[a as usize..b as usize].to_lowercase(), "battery");
}

pub async fn rights(engine: &dyn SearchEngine) {
    // The billing agent sees billing and uncategorised tickets; not hardware ones.
    assert_eq!(
        tickets_for(engine, "", agent(AGENT_BILLING, &[BILLING])).await,
        vec![1, 3, 4]
    );
    assert_eq!(
        tickets_for(engine, "printer", agent(AGENT_BILLING, &[BILLING])).await,
        Vec::<i64>::new()
    );
    // …unless one is assigned to them.
    let mut assigned = tickets()[1].clone();
    assigned.assignee_id = Some(AGENT_BILLING);
    engine
        .apply(Batch {
            tickets: vec![assigned],
            ..Default::default()
        })
        .await
        .expect("reindexing ticket 2");
    assert_eq!(
        tickets_for(engine, "printer", agent(AGENT_BILLING, &[BILLING])).await,
        vec![2]
    );

    // Internal notes: staff of the category find them; customers never, not even their own.
    assert_eq!(
        tickets_for(engine, NOTE_SECRET, agent(AGENT_BILLING, &[BILLING])).await,
        vec![1]
    );
    let staff_hit = engine
        .search_tickets(&query(NOTE_SECRET, Access::All))
        .await
        .expect("search");
    assert!(
        staff_hit.hits[0].snippets.iter().any(|s| s.field == "notes"),
        "{:?}",
        staff_hit.hits[0].snippets
    );
    assert!(
        tickets_for(engine, NOTE_SECRET, agent(AGENT_HARDWARE, &[HARDWARE]))
            .await
            .is_empty()
    );
    assert!(tickets_for(engine, NOTE_SECRET, customer(ANN)).await.is_empty());
    assert!(tickets_for(engine, "refund approved", customer(ANN)).await.is_empty());

    // Customers: their own tickets; their company's only when allowed; one after autologin.
    assert_eq!(tickets_for(engine, "", customer(ANN)).await, vec![1, 5]);
    assert_eq!(tickets_for(engine, "", customer(BOB)).await, vec![2, 3, 4]);
    assert!(tickets_for(engine, "battery", customer(BOB)).await.is_empty());
    let company = Access::Customer {
        user_id: 999,
        company_id: Some(ACME),
        only_ticket: None,
    };
    assert_eq!(tickets_for(engine, "", company).await, vec![1, 5]);
    let one = Access::Customer {
        user_id: ANN,
        company_id: None,
        only_ticket: Some(5),
    };
    assert_eq!(tickets_for(engine, "", one).await, vec![5]);
    // A customer's snippets never come from notes.
    let own = engine
        .search_tickets(&query("invoice", customer(ANN)))
        .await
        .expect("search");
    assert!(own.hits.iter().all(|h| {
        h.snippets
            .iter()
            .all(|s| s.field != "notes" && !s.text.contains(NOTE_SECRET))
    }));

    // Agents-only articles: for staff, never for the public.
    assert_eq!(
        top_article(engine, "server outage escalation", false, false).await,
        Some(7)
    );
    assert_ne!(
        top_article(engine, "server outage escalation", true, false).await,
        Some(7)
    );
}

pub async fn updates_and_marks(engine: &dyn SearchEngine) {
    // Replacing a document replaces it (no duplicate), deleting an article removes it.
    let mut changed = tickets()[2].clone();
    changed.messages.push_str(" Also the quokka sync fails.");
    for _ in 0..2 {
        engine
            .apply(Batch {
                tickets: vec![changed.clone()],
                deleted_articles: vec![6],
                ..Default::default()
            })
            .await
            .expect("update");
    }
    assert_eq!(tickets_for(engine, "quokka", Access::All).await, vec![3]);
    assert_eq!(tickets_for(engine, "calendar", Access::All).await, vec![3]);
    assert!(!engine.article_ids().await.expect("ids").contains(&6));
    assert_ne!(
        top_article(engine, "configure mail on my android phone", true, false).await,
        Some(6)
    );
    let (t, a) = engine.counts().await.expect("counts");
    assert_eq!((t, a), (5, 7));

    // The catch-up mark survives batches that do not carry one.
    let mark = Utc
        .with_ymd_and_hms(2026, 11, 20, 8, 30, 0)
        .single()
        .unwrap_or_else(Utc::now);
    engine
        .apply(Batch {
            synced_until: Some(mark),
            ..Default::default()
        })
        .await
        .expect("mark");
    engine
        .apply(Batch {
            tickets: vec![changed],
            ..Default::default()
        })
        .await
        .expect("update");
    assert_eq!(engine.synced_until().await.expect("mark"), Some(mark));
}

/// Every page of the API's result window is reachable and totals are exact: 1,050 tickets,
/// paged 25 at a time past the first thousand. On an empty engine.
pub async fn deep_pages(engine: &dyn SearchEngine) {
    let template = tickets()[2].clone();
    let docs: Vec<TicketDoc> = (1..=1_050)
        .map(|id| {
            let mut t = template.clone();
            t.id = id;
            t.subject = format!("Bulk import row {id}");
            t.created_at = template.created_at + Duration::minutes(id);
            t.updated_at = t.created_at;
            t
        })
        .collect();
    engine
        .apply(Batch {
            tickets: docs,
            ..Default::default()
        })
        .await
        .expect("indexing 1,050 tickets");
    for text in ["", "bulk"] {
        let mut q = query(text, Access::All);
        q.sort = SearchSort::Newest;
        q.limit = 25;
        q.offset = 1_000;
        let page = engine.search_tickets(&q).await.expect("a deep page");
        assert_eq!(page.total, 1_050, "{text:?}");
        let got: Vec<i64> = page.hits.iter().map(|h| h.id).collect();
        assert_eq!(got, (26..=50).rev().collect::<Vec<i64>>(), "{text:?}");
        q.offset = 1_025;
        let last: Vec<i64> = engine
            .search_tickets(&q)
            .await
            .expect("the last page")
            .hits
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(last, (1..=25).rev().collect::<Vec<i64>>(), "{text:?}");
        q.offset = 1_050;
        assert!(engine.search_tickets(&q).await.expect("past the end").hits.is_empty());
    }
}

/// The whole contract, on an empty engine.
pub async fn run_all(engine: &dyn SearchEngine) {
    load(engine).await;
    relevance(engine).await;
    typos_and_typing(engine).await;
    phrases_filters_and_sorting(engine).await;
    rights(engine).await;
    updates_and_marks(engine).await;
}
