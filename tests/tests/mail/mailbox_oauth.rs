//! OAuth2 mailboxes against real servers: the test authorization server (`scripts/oauth.sh`,
//! oauth2-mock-server) issues and refreshes the tokens; Dovecot validates them locally for IMAP
//! and POP3 (SASL XOAUTH2 and OAUTHBEARER) and for Postfix's SMTP AUTH. Covered: connecting
//! through the browser flow (PKCE, single-use state bound to the admin and their browser), mail
//! in → ticket → reply out through the same account, the flow's bad inputs (replayed or foreign
//! state, denied consent, a refused code) storing nothing, one refresh across two nodes, and a
//! revoked grant stopping only its own mailbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::Utc;
use entity::{mailbox, mailbox_oauth, outbound_mail};
use maildesk::mail::imap::fetch_once;
use maildesk::mail::oauth::tokens;
use maildesk_tests::imap::{
    TestMailbox, create_mailbox, dovecot_env, mail, ticket_with_subject, unique_user, wait_for_ticket,
};
use maildesk_tests::oauth;
use maildesk_tests::smtp::{from_of, smtp_port, wait_for_mail};
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{AfterImport, FetchProtocol, MailAuth, OAuthConnection, OAuthStatus, TlsMode};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

const WAIT: Duration = Duration::from_secs(30);

fn submission_port() -> u16 {
    std::env::var("MAILDESK_SMTP_SUBMISSION_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10587)
}

/// An app whose mailboxes may send through the test Postfix (its CA trusted).
async fn app(backend: Backend) -> TestApp {
    smtp_port();
    oauth::issuer();
    let ca = dovecot_env()
        .get("MAILDESK_DOVECOT_CA")
        .cloned()
        .expect("the test Dovecot has a CA (restart: bash scripts/dovecot.sh stop; bash scripts/smtp.sh)");
    spawn_app_with(backend, |s| {
        s.smtp.ca_file = ca;
        s.outbound.poll_interval_ms = 100;
    })
    .await
}

/// A Dovecot mailbox that signs in to IMAP (or POP3) and SMTP with its OAuth grant.
async fn oauth_mailbox(app: &TestApp, fetch: FetchProtocol, imap: MailAuth, smtp: MailAuth) -> TestMailbox {
    let pop3_port = dovecot_env()
        .get("MAILDESK_DOVECOT_POP3_PORT")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10110);
    create_mailbox(app, AfterImport::MarkRead, |s| {
        s.fetch_protocol = Some(fetch);
        if fetch == FetchProtocol::Pop3 {
            s.imap_port = Some(pop3_port);
        }
        s.imap_password = None;
        s.imap_auth = Some(imap);
        s.smtp_host = Some("localhost".into());
        s.smtp_port = Some(submission_port());
        s.smtp_tls = Some(TlsMode::Starttls);
        s.smtp_auth = Some(smtp);
    })
    .await
}

async fn connection(app: &TestApp, id: i64) -> OAuthConnection {
    maildesk_tests::client::ok_json(app.api.get(&app.admin.token, &format!("/mailboxes/{id}/oauth")).await).await
}

async fn grant(app: &TestApp, id: i64) -> mailbox_oauth::Model {
    mailbox_oauth::Entity::find_by_id(id)
        .one(app.ctx.db())
        .await
        .unwrap()
        .expect("a grant")
}

/// Makes the stored access token look spent, so the next use refreshes it.
async fn expire_access(app: &TestApp, id: i64) {
    let mut row = grant(app, id).await.into_active_model();
    row.access_expires_at = Set(Some(Utc::now() - chrono::Duration::seconds(5)));
    row.update(app.ctx.db()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_over_xoauth2_and_smtp_over_oauthbearer_take_mail_in_and_send_the_reply_out() {
    let app = app(Backend::Postgres).await;
    let mb = oauth_mailbox(&app, FetchProtocol::Imap, MailAuth::Xoauth2, MailAuth::Oauthbearer).await;

    let none = app
        .api
        .get(&app.admin.token, &format!("/mailboxes/{}/oauth", mb.id))
        .await;
    assert_eq!(none.status(), 404, "no OAuth application yet");
    let landing = oauth::connect(&app, mb.id, "maildesk-test").await;
    assert_eq!(landing.status, 200, "{}", landing.page);
    assert!(
        landing.page.contains(&mb.user),
        "the page names the account: {}",
        landing.page
    );
    let after = connection(&app, mb.id).await;
    assert_eq!(after.status, OAuthStatus::Connected);
    assert_eq!(after.account.as_deref(), Some(mb.user.as_str()));
    let stored = grant(&app, mb.id).await;
    let refresh = maildesk::crypto::decrypt(app.ctx.keys(), stored.refresh_token_enc.as_deref().unwrap()).unwrap();
    assert!(
        !stored.refresh_token_enc.as_deref().unwrap().contains(&refresh),
        "the refresh token is stored encrypted"
    );

    let customer = unique_user("oauth-customer");
    let subject = format!("Printer on fire {}", mb.user);
    mb.imap()
        .append("INBOX", "", &mail(&customer, &subject, "Help, please."));
    let report = fetch_once(&app.ctx, mb.id).await.unwrap();
    assert_eq!(report.journaled_new, 1, "{report:?}");
    let ticket = ticket_with_subject(&app, &subject)
        .await
        .expect("a ticket from the OAuth IMAP mailbox");

    let check: protocol::MailboxCheck = maildesk_tests::client::ok_json(
        app.api
            .post_json(&app.admin.token, &format!("/mailboxes/{}/test-connection", mb.id), &())
            .await,
    )
    .await;
    assert!(check.ok && check.answer.contains("Signed in"), "{}", check.answer);

    app.admin_reply(ticket, "Sent with the mailbox's own OAuth grant.")
        .await;
    let got = wait_for_mail(&customer, WAIT, |m| {
        m.contains("Sent with the mailbox's own OAuth grant")
    })
    .await;
    assert_eq!(from_of(&got).1.as_deref(), Some(mb.user.as_str()));
    let (exchanges, _) = oauth::stats(&mb.user).await;
    assert_eq!(exchanges, 1, "one code exchange for one connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_over_oauthbearer_fetches_and_smtp_over_xoauth2_replies() {
    let app = app(Backend::Sqlite).await;
    let mb = oauth_mailbox(&app, FetchProtocol::Pop3, MailAuth::Oauthbearer, MailAuth::Xoauth2).await;
    let landing = oauth::connect(&app, mb.id, "maildesk-test").await;
    assert_eq!(landing.status, 200, "{}", landing.page);
    let customer = unique_user("pop-oauth-customer");
    let subject = format!("POP over OAuth {}", mb.user);
    mb.imap().append("INBOX", "", &mail(&customer, &subject, "Body."));
    let report = fetch_once(&app.ctx, mb.id).await.unwrap();
    assert_eq!(report.journaled_new, 1, "{report:?}");
    let ticket = ticket_with_subject(&app, &subject).await.expect("a ticket");
    app.admin_reply(ticket, "XOAUTH2 over SMTP.").await;
    let got = wait_for_mail(&customer, WAIT, |m| m.contains("XOAUTH2 over SMTP.")).await;
    assert_eq!(from_of(&got).1.as_deref(), Some(mb.user.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_replayed_state_a_denied_consent_and_a_refused_code_store_nothing() {
    let app = app(Backend::Sqlite).await;
    let mb = oauth_mailbox(&app, FetchProtocol::Imap, MailAuth::Xoauth2, MailAuth::Xoauth2).await;
    let put = app
        .api
        .put_json(
            &app.admin.token,
            &format!("/mailboxes/{}/oauth", mb.id),
            &oauth::test_app("maildesk-test"),
        )
        .await;
    assert_eq!(put.status(), 200);
    let not_connected = |c: &OAuthConnection| c.status == OAuthStatus::NotConnected && c.account.is_none();

    // Another browser (no cookie, or someone else's) cannot finish the admin's connection.
    let (url, cookie) = oauth::start(&app, mb.id).await;
    let back = oauth::authorize(&url).await;
    let foreign = oauth::land(&back, Some("maildesk_oauth=someone-elses")).await;
    assert_eq!(foreign.status, 400, "{}", foreign.page);
    assert!(foreign.page.contains("another browser"), "{}", foreign.page);
    // The state was used up by that attempt: even the right browser must start again.
    let replay = oauth::land(&back, Some(&cookie)).await;
    assert_eq!(replay.status, 400);
    assert!(replay.page.contains("already used"), "{}", replay.page);
    assert!(not_connected(&connection(&app, mb.id).await));

    // A state nobody issued, and none at all.
    let forged = oauth::land(
        &format!("{}/oauth/callback?code=x&state=forged", app.api.base()),
        Some(&cookie),
    )
    .await;
    assert_eq!(forged.status, 400);
    let bare = oauth::land(&format!("{}/oauth/callback", app.api.base()), None).await;
    assert_eq!(bare.status, 400);

    // The code is refused by the provider (replayed, expired or forged code: invalid_grant).
    let (url, cookie) = oauth::start(&app, mb.id).await;
    let back = oauth::authorize(&url).await;
    let tampered = back.replace("code=", "code=tampered");
    let refused = oauth::land(&tampered, Some(&cookie)).await;
    assert_eq!(refused.status, 400);
    assert!(refused.page.contains("invalid_grant"), "{}", refused.page);

    // An expired pending request (older than ten minutes).
    let (url, cookie) = oauth::start(&app, mb.id).await;
    let back = oauth::authorize(&url).await;
    for row in entity::oauth_state::Entity::find().all(app.ctx.db()).await.unwrap() {
        let mut row = row.into_active_model();
        row.expires_at = Set(Utc::now() - chrono::Duration::minutes(1));
        row.update(app.ctx.db()).await.unwrap();
    }
    let late = oauth::land(&back, Some(&cookie)).await;
    assert_eq!(late.status, 400);
    assert!(late.page.contains("10 minutes"), "{}", late.page);
    assert!(not_connected(&connection(&app, mb.id).await));

    // Denied consent: the provider sends the browser back with error=access_denied.
    let mut row = mailbox::Entity::find_by_id(mb.id)
        .one(app.ctx.db())
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    row.imap_username = Set(Some(format!("deny-{}", mb.user)));
    row.update(app.ctx.db()).await.unwrap();
    let (url, cookie) = oauth::start(&app, mb.id).await;
    let back = oauth::authorize(&url).await;
    assert!(back.contains("error=access_denied"), "{back}");
    let denied = oauth::land(&back, Some(&cookie)).await;
    assert_eq!(denied.status, 400);
    assert!(denied.page.contains("access_denied"), "{}", denied.page);
    assert!(not_connected(&connection(&app, mb.id).await));
    assert!(grant(&app, mb.id).await.refresh_token_enc.is_none(), "nothing stored");

    // Only admins start connections; agents are refused.
    let agent = app.new_user(protocol::Role::Agent).await;
    let resp = app
        .api
        .post_json(&agent.token, &format!("/mailboxes/{}/oauth/connect", mb.id), &())
        .await;
    assert_eq!(resp.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_refresh_a_spent_token_once() {
    let app = app(Backend::Postgres).await;
    let mb = oauth_mailbox(&app, FetchProtocol::Imap, MailAuth::Oauthbearer, MailAuth::Xoauth2).await;
    assert_eq!(oauth::connect(&app, mb.id, "maildesk-test").await.status, 200);
    let node = app.spawn_node().await;
    let first = tokens::bearer(&app.ctx, mb.id).await.unwrap();
    expire_access(&app, mb.id).await;
    let (_, refreshes_before) = oauth::stats(&mb.user).await;
    let mut asks = Vec::new();
    for i in 0..8 {
        let ctx = if i % 2 == 0 { app.ctx.clone() } else { node.ctx.clone() };
        asks.push(tokio::spawn(async move { tokens::bearer(&ctx, mb.id).await }));
    }
    let mut got = Vec::new();
    for a in asks {
        got.push(a.await.unwrap().unwrap().token);
    }
    assert!(got.iter().all(|t| *t == got[0]), "every caller got the one token");
    let expires = grant(&app, mb.id).await.access_expires_at.unwrap();
    assert!(
        expires > Utc::now() + chrono::Duration::minutes(30),
        "refreshed: {expires}"
    );
    assert!(!first.token.is_empty());
    let (_, refreshes_after) = oauth::stats(&mb.user).await;
    assert_eq!(refreshes_after - refreshes_before, 1, "refreshed once for both nodes");
    // The refreshed token signs in (IMAP over OAUTHBEARER).
    let report = fetch_once(&node.ctx, mb.id).await.unwrap();
    assert_eq!(report.fetched, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_grant_stops_only_its_mailbox_and_a_reconnect_brings_it_back() {
    let app = app(Backend::Postgres).await;
    let mut boxes = Vec::new();
    for _ in 0..4 {
        let mb = oauth_mailbox(&app, FetchProtocol::Imap, MailAuth::Xoauth2, MailAuth::Xoauth2).await;
        assert_eq!(oauth::connect(&app, mb.id, "maildesk-test").await.status, 200);
        boxes.push(mb);
    }
    let revoked = boxes[0].clone();
    let refresh = maildesk::crypto::decrypt(
        app.ctx.keys(),
        grant(&app, revoked.id).await.refresh_token_enc.as_deref().unwrap(),
    )
    .unwrap();
    oauth::revoke(&refresh).await;
    expire_access(&app, revoked.id).await;

    let supervisor = maildesk::mail::imap::spawn_supervisor_with(
        app.ctx.clone(),
        maildesk::mail::imap::WorkerOptions {
            scan_every: Duration::from_millis(200),
            ..Default::default()
        },
    );
    for mb in &boxes {
        mb.imap().append(
            "INBOX",
            "",
            &mail("kim@customer.test", &format!("Hello {}", mb.user), "x"),
        );
    }
    // The three others keep fetching (their workers, IDLE or the next poll, not us). The same
    // new customer writes to all four at once: their account is created once, no mail fails.
    for mb in &boxes[1..] {
        wait_for_ticket(&app, &format!("Hello {}", mb.user), WAIT).await;
    }
    let err = fetch_once(&app.ctx, revoked.id)
        .await
        .expect_err("the revoked grant cannot fetch");
    assert!(err.to_string().contains("reconnect needed"), "{err}");
    let c = connection(&app, revoked.id).await;
    assert_eq!(c.status, OAuthStatus::ReconnectNeeded);
    assert!(c.last_error.as_deref().unwrap_or("").contains("invalid_grant"), "{c:?}");
    assert!(
        ticket_with_subject(&app, &format!("Hello {}", revoked.user))
            .await
            .is_none()
    );
    let alerts = outbound_mail::Entity::find()
        .filter(outbound_mail::Column::Template.eq("mailbox_reconnect"))
        .all(app.ctx.db())
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1, "one alert mail to the one admin");
    // Further failures do not alert again.
    let _ = fetch_once(&app.ctx, revoked.id).await;
    let again = outbound_mail::Entity::find()
        .filter(outbound_mail::Column::Template.eq("mailbox_reconnect"))
        .all(app.ctx.db())
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    let shown = maildesk::mail::mailboxes::get(app.ctx.db(), revoked.id).await.unwrap();
    assert!(
        shown.enabled && shown.last_error.as_deref().unwrap_or("").contains("reconnect needed"),
        "the mailbox shows why it waits, and is not disabled: {shown:?}"
    );

    // Reconnecting: its worker notices within seconds and takes the waiting mail.
    assert_eq!(oauth::connect(&app, revoked.id, "maildesk-test").await.status, 200);
    assert_eq!(connection(&app, revoked.id).await.status, OAuthStatus::Connected);
    wait_for_ticket(&app, &format!("Hello {}", revoked.user), WAIT).await;
    supervisor.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_is_down_is_shown_and_retried_without_losing_the_grant() {
    let app = app(Backend::Sqlite).await;
    let mb = oauth_mailbox(&app, FetchProtocol::Imap, MailAuth::Xoauth2, MailAuth::Xoauth2).await;
    assert_eq!(oauth::connect(&app, mb.id, "maildesk-test").await.status, 200);
    // The provider stops answering (here: its address now leads nowhere) when a refresh is due.
    let mut row = grant(&app, mb.id).await.into_active_model();
    row.issuer = Set(Some("http://127.0.0.1:9".into()));
    row.update(app.ctx.db()).await.unwrap();
    expire_access(&app, mb.id).await;
    let err = fetch_once(&app.ctx, mb.id)
        .await
        .expect_err("no token while the provider is down");
    assert!(err.to_string().contains("OAuth provider"), "{err}");
    let m = maildesk::mail::mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert_eq!(
        m.consecutive_failures, 1,
        "counted like a server that is down (backoff)"
    );
    assert!(
        m.last_error.as_deref().unwrap_or("").contains("OAuth provider"),
        "{m:?}"
    );
    let c = connection(&app, mb.id).await;
    assert_eq!(
        c.status,
        OAuthStatus::Connected,
        "a provider outage is not a refused grant"
    );
    assert!(c.last_error.is_some());
    // Back up: the next cycle refreshes and fetches.
    let mut row = grant(&app, mb.id).await.into_active_model();
    row.issuer = Set(Some(oauth::issuer()));
    row.update(app.ctx.db()).await.unwrap();
    fetch_once(&app.ctx, mb.id).await.unwrap();
    assert!(connection(&app, mb.id).await.last_error.is_none());
}
