//! What screening found, as an agent sees it on a ticket: "Sender verified (domain)" on a mail
//! DKIM-signed by a domain with DMARC (against the project's Unbound), "Sender not verified: …"
//! on an unsigned one, and a file the mailbox did not store listed with its download link.
//! Needs `bash scripts/chromium.sh`, `bash scripts/build-frontend.sh` and `bash scripts/dns.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::dns::{self, Signer};
use maildesk_tests::mail::mail;
use maildesk_tests::{Backend, spawn_app_with};
use protocol::{MailboxSettings, Role};

const BADGE: &str = "[data-testid=thread] [data-testid=message] [data-testid=sender-auth]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_see_who_really_sent_a_mail_and_what_was_not_stored() {
    let dns = dns::shared();
    let shop = Signer::publish(dns, "badge");
    dns.publish_dmarc(&shop.domain, "reject");
    let addr = dns.addr().to_string();
    let app = spawn_app_with(Backend::Sqlite, move |s| s.scan.dns_resolvers = addr).await;
    let mb = app.mailbox("support@example.test").await;
    let small = MailboxSettings {
        max_attachment_bytes: Some(20),
        ..Default::default()
    };
    app.update_mailbox(&mb, &small).await;
    let agent = person(&app, Role::Agent, "Ann Carter").await;
    let signed = mail(&shop.address("lena"), "support@example.test", "Signed order question")
        .message_id("badge1@example.test")
        .body("Where is order 77?")
        .build();
    let verified = app.deliver(&mb, &shop.sign(&signed)).await.ticket_id.unwrap();
    let unsigned = mail("tom@unsigned.example.test", "support@example.test", "Unsigned with a big file")
        .header("MIME-Version", "1.0")
        .header("Content-Type", "multipart/mixed; boundary=\"z\"")
        .message_id("badge2@example.test")
        .body(
            "--z\r\nContent-Type: text/plain\r\n\r\nSee the scan.\r\n--z\r\nContent-Type: application/pdf\r\n\
             Content-Disposition: attachment; filename=\"scan.pdf\"\r\n\r\nmuch more than twenty bytes of pdf\r\n--z--\r\n",
        )
        .build();
    let unverified = app.deliver(&mb, &unsigned).await.ticket_id.unwrap();

    let b = Browser::signed_in(app.address(), "screening", &agent).await;
    b.goto(&format!("/tickets/{verified}")).await;
    let badge = b.wait_for_text(BADGE, "Sender verified").await;
    assert!(badge.contains(&shop.domain), "{badge}");
    b.goto(&format!("/tickets/{unverified}")).await;
    let badge = b.wait_for_text(BADGE, "Sender not verified").await;
    assert!(badge.contains("no signature"), "{badge}");
    let withheld = b.wait_for_text("[data-testid=withheld-file]", "scan.pdf").await;
    assert!(withheld.contains("download from the original mail"), "{withheld}");
    b.close().await;
}
