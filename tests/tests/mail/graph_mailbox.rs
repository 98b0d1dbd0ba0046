//! Microsoft Graph mailboxes against the contract stand-in (`maildesk_tests::graph_standin`,
//! written from Microsoft's published API reference; Graph itself cannot be reached from here —
//! `scripts/graph-check` runs the same calls against a real tenant). The OAuth grant comes from
//! the real test authorization server. Covered: delta paging across cycles and later deltas,
//! raw MIME through `$value`, acknowledging only after the journal (mark read, delete), 429 with
//! `Retry-After`, an expired token refreshed on 401, a forgotten sync state, replies through
//! `sendMail` keeping our threading headers, and a shared mailbox read by a delegate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use maildesk::mail::imap::fetch_once;
use maildesk_tests::graph_standin::GraphStandIn;
use maildesk_tests::imap::{mail, ticket_with_subject, unique_user};
use maildesk_tests::oauth;
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{AfterImport, FetchProtocol, MailboxCheck, MailboxSettings};

async fn app(graph: &GraphStandIn) -> TestApp {
    oauth::issuer();
    let url = graph.base_url();
    spawn_app_with(Backend::Postgres, |s| {
        s.mail.graph_url = url;
        s.outbound.poll_interval_ms = 100;
    })
    .await
}

/// A Graph mailbox for `address`, signing in as `account` (the address itself, or a delegate).
async fn graph_mailbox(app: &TestApp, address: &str, account: &str, after: AfterImport) -> i64 {
    let id = app
        .create_mailbox(MailboxSettings {
            name: Some(format!("Graph {address}")),
            address: Some(address.into()),
            fetch_protocol: Some(FetchProtocol::Graph),
            imap_username: Some(account.into()),
            imap_folder: Some("inbox".into()),
            after_import: Some(after),
            // A well-known folder name (Graph's move takes ids or these, not display names).
            move_to_folder: (after == AfterImport::Move).then(|| "archive".into()),
            batch_size: Some(5),
            graph_send: Some(true),
            ..Default::default()
        })
        .await
        .mailbox
        .id;
    let landing = oauth::connect(app, id, "maildesk-test").await;
    assert_eq!(landing.status, 200, "{}", landing.page);
    id
}

/// Polls until `address` has sent a mail containing `needle` through Graph.
async fn wait_sent(graph: &GraphStandIn, address: &str, needle: &str) -> String {
    let found = maildesk_tests::poll::until(
        &format!("a mail sent by {address} with {needle:?}"),
        Duration::from_secs(30),
        || async {
            graph
                .sent(address)
                .into_iter()
                .map(|m| String::from_utf8_lossy(&m).into_owned())
                .find(|m| m.contains(needle))
        },
        Option::is_some,
    )
    .await;
    found.unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_mail_pages_in_through_delta_and_the_reply_goes_out_through_send_mail() {
    let graph = GraphStandIn::start().await;
    let app = app(&graph).await;
    let support = unique_user("graph");
    let id = graph_mailbox(&app, &support, &support, AfterImport::MarkRead).await;

    let subjects: Vec<String> = (0..12).map(|i| format!("Graph {i} {support}")).collect();
    for s in &subjects {
        graph.deliver(&support, "inbox", &mail("kim@customer.test", s, "Over Graph."));
    }
    // Graph throttles the first call; the fetch waits out Retry-After and goes on.
    graph.throttle_next(1, 429, 1);
    let first = fetch_once(&app.ctx, id).await.unwrap();
    assert_eq!(first.journaled_new, 5, "one cycle takes batch_size (5): {first:?}");
    let mut total = first.journaled_new;
    for _ in 0..3 {
        total += fetch_once(&app.ctx, id).await.unwrap().journaled_new;
    }
    assert_eq!(total, 12, "the rest came over the following pages");
    for s in &subjects {
        assert!(ticket_with_subject(&app, s).await.is_some(), "{s}");
    }
    let requests = graph.requests();
    let throttled_at = requests[0].2;
    assert!(
        requests
            .iter()
            .skip(1)
            .all(|r| r.2.duration_since(throttled_at) >= Duration::from_millis(900)),
        "nothing was asked before Retry-After passed"
    );
    assert!(requests.iter().any(|r| r.1.contains("skiptoken")), "paged by nextLink");
    assert!(
        graph.folder(&support, "inbox").iter().all(|(_, read, _)| *read),
        "every message was marked read after its journal commit"
    );

    // Later: only what changed comes back (the delta link was kept).
    let late = format!("Graph late {support}");
    graph.deliver(&support, "inbox", &mail("kim@customer.test", &late, "Later."));
    let next = fetch_once(&app.ctx, id).await.unwrap();
    assert_eq!((next.fetched, next.journaled_new), (1, 1), "{next:?}");

    // The token expires early: one 401, a refresh, and the call goes through.
    let (_, refreshes_before) = oauth::stats(&support).await;
    let seen = graph.tokens_seen();
    graph.expire_token(seen.last().unwrap());
    let later = format!("Graph after expiry {support}");
    graph.deliver(&support, "inbox", &mail("kim@customer.test", &later, "Still here."));
    assert_eq!(fetch_once(&app.ctx, id).await.unwrap().journaled_new, 1);
    let (_, refreshes_after) = oauth::stats(&support).await;
    assert_eq!(refreshes_after - refreshes_before, 1, "refreshed once on the 401");

    // Graph is briefly unavailable (503 with Retry-After): waited out as well.
    graph.throttle_next(1, 503, 1);
    let unavailable = format!("Graph after 503 {support}");
    graph.deliver(&support, "inbox", &mail("kim@customer.test", &unavailable, "Again."));
    assert_eq!(fetch_once(&app.ctx, id).await.unwrap().journaled_new, 1);

    // Graph forgot our sync state (410): a full sync, nothing taken twice.
    graph.forget_sync_state();
    let resync = fetch_once(&app.ctx, id).await.unwrap();
    assert_eq!(resync.journaled_new, 0, "{resync:?}");

    // The reply goes out through sendMail, with our threading headers in the MIME.
    let ticket = ticket_with_subject(&app, &subjects[0]).await.unwrap();
    app.admin_reply(ticket, "Answered through Microsoft Graph.").await;
    let sent = wait_sent(&graph, &support, "Answered through Microsoft Graph.").await;
    assert!(sent.contains("In-Reply-To:") && sent.contains("Message-ID:"), "{sent}");
    assert!(sent.contains("To: "), "Graph takes the recipients from the MIME");

    let check: MailboxCheck = maildesk_tests::client::ok_json(
        app.api
            .post_json(&app.admin.token, &format!("/mailboxes/{id}/test-connection"), &())
            .await,
    )
    .await;
    assert!(check.ok && check.answer.contains(&support), "{}", check.answer);

    // What scripts/graph-check runs against a real tenant passes against the stand-in.
    let customer = unique_user("graph-check");
    assert!(
        maildesk::mail::graph::check::run(&app.ctx, id, Some(&customer))
            .await
            .unwrap()
    );
    wait_sent(&graph, &support, "Maildesk test mail").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_reads_and_answers_a_shared_mailbox_and_deleted_mail_leaves_it() {
    let graph = GraphStandIn::start().await;
    let app = app(&graph).await;
    let shared = unique_user("shared");
    let agent = unique_user("delegate");
    let id = graph_mailbox(&app, &shared, &agent, AfterImport::Delete).await;
    let subject = format!("To the team {shared}");
    graph.deliver(&shared, "inbox", &mail("kim@customer.test", &subject, "Hello team."));

    // Without delegated access Graph refuses, and the mailbox shows Graph's own words.
    let refused = fetch_once(&app.ctx, id).await.expect_err("no access yet");
    assert!(refused.to_string().contains("ErrorAccessDenied"), "{refused}");

    graph.grant_access(&shared, &agent);
    let report = fetch_once(&app.ctx, id).await.unwrap();
    assert_eq!(report.journaled_new, 1, "{report:?}");
    assert!(
        graph.folder(&shared, "inbox").is_empty(),
        "deleted after the journal commit"
    );
    let ticket = ticket_with_subject(&app, &subject).await.expect("a ticket");
    app.admin_reply(ticket, "From the shared mailbox.").await;
    let sent = wait_sent(&graph, &shared, "From the shared mailbox.").await;
    assert!(
        sent.contains(&format!("<{shared}>")) || sent.contains(&shared),
        "sent as the shared address: {sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moved_mail_leaves_the_folder_for_the_archive_after_the_journal_commit() {
    let graph = GraphStandIn::start().await;
    let app = app(&graph).await;
    let support = unique_user("graph-move");
    let id = graph_mailbox(&app, &support, &support, AfterImport::Move).await;
    let subject = format!("To be archived {support}");
    graph.deliver(&support, "inbox", &mail("kim@customer.test", &subject, "Keep it."));
    assert_eq!(fetch_once(&app.ctx, id).await.unwrap().journaled_new, 1);
    assert!(ticket_with_subject(&app, &subject).await.is_some());
    assert!(graph.folder(&support, "inbox").is_empty(), "moved out of the inbox");
    let archived = graph.folder(&support, "archive");
    assert_eq!(archived.len(), 1, "into the archive");
    assert!(String::from_utf8_lossy(&archived[0].2).contains(&subject));
}
