//! Antivirus and spam scoring on the way in, against a real clamd (`scripts/clamd.sh`, its own
//! signature database) and a real rspamd (`scripts/rspamd.sh`, a rule scoring marker words): an
//! infected attachment is not stored, the message says so and the ticket is tagged, or the
//! mailbox quarantines the whole mail; clamd stopped mid-run keeps the mail pending (then it is
//! processed once clamd is back) or lets it through flagged, per setting — never lost; junk is
//! quarantined, a suspect mail tagged and scored for admins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use entity::inbound_mail;
use maildesk_tests::mail::mail;
use maildesk_tests::scanners::{self, Clamd};
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{InboundStatus, MailboxSettings, MalwareAction};
use sea_orm::EntityTrait;

const SUPPORT: &str = "support@help.example.com";

async fn app_scanning(clamd: &Clamd, when_down: &str) -> TestApp {
    let (socket, down) = (clamd.socket.clone(), when_down.to_owned());
    spawn_app_with(Backend::Sqlite, move |s| {
        s.scan.clamd_socket = socket;
        s.scan.clamd_down = down;
        s.scan.clamd_timeout_secs = 10;
    })
    .await
}

/// A mail with two attachments: `invoice.pdf` (clean) and `tool.exe` holding `payload`.
fn with_attachments(id: &str, payload: &str) -> Vec<u8> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let body = format!(
        "--b1\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n\
         --b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"tool.exe\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        b64("%PDF-1.4 a clean invoice"),
        b64(&format!("prefix {payload} suffix"))
    );
    mail("kim@customer.test", SUPPORT, "Files attached")
        .header("MIME-Version", "1.0")
        .header("Content-Type", "multipart/mixed; boundary=\"b1\"")
        .message_id(id)
        .body(&body)
        .build()
}

#[tokio::test]
async fn an_infected_attachment_is_removed_noted_and_tagged() {
    let clamd = scanners::clamd();
    let app = app_scanning(clamd, "wait").await;
    let mb = app.mailbox(SUPPORT).await;
    let got = app
        .deliver(&mb, &with_attachments("v1@customer.test", &clamd.marker))
        .await;
    assert_eq!(got.status, InboundStatus::Processed);
    let d = app.api.ticket(&app.admin.token, got.ticket_id.unwrap()).await;
    let m = &d.messages[0];
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["invoice.pdf"], "the infected file was stored");
    let found = &m.checks.as_ref().unwrap().malware;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].filename.as_str(), found[0].signature.as_str()),
        ("tool.exe", clamd.signature.as_str())
    );
    assert!(d.ticket.tags.iter().any(|t| t == "malware"), "{:?}", d.ticket.tags);
    let note = format!("attachment tool.exe removed: {}", clamd.signature);
    assert!(
        d.events.iter().any(|e| e.new_value.as_deref() == Some(note.as_str())),
        "{:?}",
        d.events
    );
}

#[tokio::test]
async fn a_mailbox_can_quarantine_the_whole_mail_instead() {
    let clamd = scanners::clamd();
    let app = app_scanning(clamd, "wait").await;
    let mb = app.mailbox(SUPPORT).await;
    let strict = MailboxSettings {
        malware_action: Some(MalwareAction::Quarantine),
        ..Default::default()
    };
    app.update_mailbox(&mb, &strict).await;
    let got = app
        .deliver(&mb, &with_attachments("v2@customer.test", &clamd.marker))
        .await;
    assert_eq!(got.status, InboundStatus::Quarantined);
    let row = inbound_mail::Entity::find_by_id(got.journal_id)
        .one(app.ctx.db())
        .await
        .unwrap()
        .unwrap();
    let reason = row.reason.unwrap_or_default();
    assert!(reason.contains("malware") && reason.contains("tool.exe"), "{reason}");
    // Clean mail goes through as usual.
    let clean = app
        .deliver(&mb, &with_attachments("v3@customer.test", "nothing here"))
        .await;
    assert_eq!(clean.status, InboundStatus::Processed);
}

#[tokio::test]
async fn clamd_down_keeps_the_mail_pending_until_it_is_back() {
    let clamd = Clamd::private("maildesk-clamd-down");
    let app = app_scanning(&clamd, "wait").await;
    let mb = app.mailbox(SUPPORT).await;
    clamd.stop();
    let got = app
        .deliver(&mb, &with_attachments("v4@customer.test", &clamd.marker))
        .await;
    assert_eq!(got.status, InboundStatus::Pending, "neither lost nor a dead letter");
    assert_eq!(got.ticket_id, None);
    clamd.restart();
    let outcomes = maildesk::mail::inbound::pipeline::process_pending(&app.ctx, 10, std::time::Duration::ZERO)
        .await
        .unwrap();
    let done = outcomes
        .iter()
        .find(|o| o.journal_id == got.journal_id)
        .expect("retried");
    assert_eq!(done.status, "processed");
    let d = app.api.ticket(&app.admin.token, done.ticket_id.unwrap()).await;
    assert_eq!(d.messages[0].attachments.len(), 1, "scanned once clamd was back");
}

#[tokio::test]
async fn clamd_down_can_let_mail_through_flagged_unscanned() {
    let clamd = Clamd::private("maildesk-clamd-unscanned");
    let app = app_scanning(&clamd, "unscanned").await;
    let mb = app.mailbox(SUPPORT).await;
    clamd.stop();
    let got = app
        .deliver(&mb, &with_attachments("v5@customer.test", "harmless"))
        .await;
    assert_eq!(got.status, InboundStatus::Processed);
    let d = app.api.ticket(&app.admin.token, got.ticket_id.unwrap()).await;
    let checks = d.messages[0].checks.clone().unwrap();
    assert!(checks.unscanned.unwrap().contains("unreachable"));
    assert_eq!(d.messages[0].attachments.len(), 2);
}

async fn app_scoring() -> TestApp {
    let url = scanners::rspamd_url().to_owned();
    spawn_app_with(Backend::Sqlite, move |s| s.scan.rspamd_url = url).await
}

#[tokio::test]
async fn junk_is_quarantined_a_suspect_mail_is_tagged_and_scored() {
    let app = app_scoring().await;
    let mb = app.mailbox(SUPPORT).await;
    let text = |id: &str, body: &str| {
        mail("sam@customer.test", SUPPORT, "Offer")
            .message_id(id)
            .body(body)
            .build()
    };

    let junk = app
        .deliver(&mb, &text("j1@customer.test", "Buy now MAILDESKSPAMMARKER cheap"))
        .await;
    assert_eq!(junk.status, InboundStatus::Quarantined);
    let row = inbound_mail::Entity::find_by_id(junk.journal_id)
        .one(app.ctx.db())
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.reason.unwrap_or_default().starts_with("junk: spam score"),
        "quarantined as junk"
    );

    let suspect = app
        .deliver(&mb, &text("j2@customer.test", "Hello MAILDESKSUSPECTMARKER there"))
        .await;
    assert_eq!(suspect.status, InboundStatus::Processed);
    let d = app.api.ticket(&app.admin.token, suspect.ticket_id.unwrap()).await;
    assert!(d.ticket.tags.iter().any(|t| t == "spam"), "{:?}", d.ticket.tags);
    let spam = d.messages[0].checks.clone().unwrap().spam.unwrap();
    assert!(spam.is_suspect() && spam.score >= 6.0, "{spam:?}");
    assert!(
        spam.symbols.iter().any(|s| s.name == "MAILDESK_TEST_SUSPECT"),
        "{spam:?}"
    );

    let clean = app
        .deliver(&mb, &text("j3@customer.test", "A normal question about my order."))
        .await;
    let d = app.api.ticket(&app.admin.token, clean.ticket_id.unwrap()).await;
    assert!(d.ticket.tags.is_empty(), "{:?}", d.ticket.tags);
    assert!(!d.messages[0].checks.clone().unwrap().spam.unwrap().is_suspect());
}

#[tokio::test]
async fn card_numbers_and_admin_patterns_never_reach_text_html_search_or_notifications() {
    let app = maildesk_tests::spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let redacting = MailboxSettings {
        redact: Some(true),
        redact_patterns: Some("SSN \\d{3}-\\d{2}-\\d{4}".into()),
        ..Default::default()
    };
    app.update_mailbox(&mb, &redacting).await;
    let html = "<p>My card: <b>4111 1111 1111 1111</b>, SSN 123-45-6789</p>";
    let raw = mail("pat@customer.test", SUPPORT, "Charge 4111-1111-1111-1111 twice")
        .header("MIME-Version", "1.0")
        .header("Content-Type", "multipart/alternative; boundary=\"a1\"")
        .message_id("pii1@customer.test")
        .body(&format!(
            "--a1\r\nContent-Type: text/plain\r\n\r\nzebrapii card 4111111111111111 and SSN 123-45-6789\r\n\
             --a1\r\nContent-Type: text/html\r\n\r\n{html}\r\n--a1--\r\n"
        ))
        .build();
    let t = app.deliver(&mb, &raw).await.ticket_id.unwrap();
    let d = app.api.ticket(&app.admin.token, t).await;
    let m = &d.messages[0];
    let shown = format!(
        "{} {} {}",
        d.ticket.subject,
        m.body_text,
        m.body_html.clone().unwrap_or_default()
    );
    for secret in ["4111111111111111", "4111 1111 1111", "4111-1111-1111", "123-45-6789"] {
        assert!(!shown.contains(secret), "{secret} is stored: {shown}");
    }
    assert!(
        m.body_text.contains("••••••••••••1111") && m.body_text.contains("[redacted]"),
        "{}",
        m.body_text
    );
    assert!(
        m.body_html
            .as_deref()
            .unwrap_or_default()
            .contains("•••• •••• •••• 1111"),
        "{:?}",
        m.body_html
    );

    // The search index holds the masked text only.
    let path = "/search/tickets?q=zebrapii";
    let hits = || async {
        maildesk_tests::client::ok_json::<protocol::Page<protocol::TicketHit>>(
            app.api.get(&app.admin.token, path).await,
        )
        .await
        .items
    };
    maildesk_tests::poll::until(
        "the mail to be indexed",
        std::time::Duration::from_secs(20),
        hits,
        |h| !h.is_empty(),
    )
    .await;
    let by_card: protocol::Page<protocol::TicketHit> = maildesk_tests::client::ok_json(
        app.api
            .get(&app.admin.token, "/search/tickets?q=4111111111111111")
            .await,
    )
    .await;
    assert!(
        by_card.items.is_empty(),
        "the card number is searchable: {:?}",
        by_card.items
    );

    // Notifications (the confirmation to the customer, the alert to agents) carry it masked too.
    let mails = maildesk_tests::outbox::outbox(&app, t).await;
    assert!(!mails.is_empty());
    for mail in &mails {
        let raw = maildesk_tests::outbox::raw(&app, mail.id).await;
        let parsed = mail_parser::MessageParser::new().parse(raw.as_bytes()).unwrap();
        let all = format!(
            "{} {} {}",
            parsed.subject().unwrap_or_default(),
            parsed.body_text(0).unwrap_or_default(),
            parsed.body_html(0).unwrap_or_default()
        );
        assert!(
            !all.contains("4111111111111111") && !all.contains("123-45-6789"),
            "{all}"
        );
    }
}

#[tokio::test]
async fn a_file_too_large_to_store_is_noted_and_staff_take_it_from_the_original() {
    let app = maildesk_tests::spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let small = MailboxSettings {
        max_attachment_bytes: Some(30),
        ..Default::default()
    };
    app.update_mailbox(&mb, &small).await;
    let got = app
        .deliver(&mb, &with_attachments("big1@customer.test", &"x".repeat(200)))
        .await;
    let d = app.api.ticket(&app.admin.token, got.ticket_id.unwrap()).await;
    let m = &d.messages[0];
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["invoice.pdf"]);
    let withheld = &m.checks.as_ref().unwrap().withheld;
    assert_eq!(withheld.len(), 1, "{withheld:?}");
    assert_eq!(withheld[0].filename, "tool.exe");
    let url = format!("/messages/{}/original/{}", m.id, withheld[0].index);
    let resp = app.api.get(&app.admin.token, &url).await;
    assert_eq!(resp.status(), 200);
    assert!(String::from_utf8_lossy(&resp.bytes().await.unwrap()).contains(&"x".repeat(200)));
    // Only withheld files, only for staff.
    let stored = app
        .api
        .get(&app.admin.token, &format!("/messages/{}/original/0", m.id))
        .await;
    assert_eq!(stored.status(), 404, "a stored file is not served from the original");
    let customer = app.new_user(protocol::Role::Customer).await;
    assert_eq!(app.api.get(&customer.token, &url).await.status(), 404);
}
