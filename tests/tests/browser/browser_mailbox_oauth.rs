//! The admin connects a mailbox's OAuth account in headless Chromium: the mailbox's OAuth panel
//! takes the application, "Connect" sends the browser to the test authorization server, which
//! sends it back to `/oauth/callback` (the cookie set by "Connect" rides along), and the panel
//! then shows the connected account. Needs `bash scripts/chromium.sh`, `bash scripts/oauth.sh`
//! and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::Browser;
use maildesk_tests::imap::create_mailbox;
use maildesk_tests::{oauth, spawn_app};
use protocol::{AfterImport, MailAuth};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_connects_a_mailbox_through_the_provider_and_sees_the_account() {
    let issuer = oauth::issuer();
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |s| {
        s.imap_password = None;
        s.imap_auth = Some(MailAuth::Xoauth2);
    })
    .await;

    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.goto("/admin/mailboxes").await;
    let row = format!("[data-testid=admin-mailbox-row][data-mailbox-id=\"{}\"]", mb.id);
    b.click(&format!("{row} [data-testid=mailbox-edit]")).await;
    b.wait_attr("[data-testid=oauth-status]", "data-status", "no application yet", |s| {
        s == "none"
    })
    .await;
    b.choose("[data-testid=oauth-provider]", "oidc").await;
    b.fill("[data-testid=oauth-issuer]", &issuer).await;
    b.fill("[data-testid=oauth-client-id]", "maildesk-test").await;
    b.fill("[data-testid=oauth-client-secret]", "test-secret").await;
    b.click("[data-testid=oauth-save]").await;
    b.wait_attr(
        "[data-testid=oauth-status]",
        "data-status",
        "the saved application",
        |s| s == "not_connected",
    )
    .await;
    let redirect = b
        .attr("[data-testid=oauth-redirect-uri]", "value")
        .await
        .unwrap_or_default();
    assert!(redirect.ends_with("/oauth/callback"), "{redirect}");

    b.click("[data-testid=oauth-connect]").await;
    b.wait_js(
        "to come back from the provider to /oauth/callback",
        "return location.pathname === '/oauth/callback'",
        vec![],
    )
    .await;
    b.wait_for_text("h1", "Mailbox connected").await;
    let landed = b.wait_for_text("main", &mb.user).await;
    assert!(landed.contains("is now connected"), "{landed}");

    b.goto("/admin/mailboxes").await;
    b.click(&format!("{row} [data-testid=mailbox-edit]")).await;
    b.wait_attr("[data-testid=oauth-status]", "data-status", "connected", |s| {
        s == "connected"
    })
    .await;
    let status = b.wait_for_text("[data-testid=oauth-status]", &mb.user).await;
    assert!(status.contains("Connected"), "{status}");
    b.wait_js(
        "to show the OAuth panel",
        "document.querySelector('[data-testid=mailbox-oauth]').scrollIntoView(); return true",
        vec![],
    )
    .await;
    b.screenshot("admin-mailbox-oauth").await;
    b.close().await;
}
