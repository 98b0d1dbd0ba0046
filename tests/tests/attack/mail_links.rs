//! The unsubscribe and rating links in our mails: mail scanners, link previews and antivirus
//! gateways fetch every link of a mail with GET before anyone reads it. A GET shows a page that
//! asks (a plain form, no script); only its POST — or a mail client's RFC 8058 one-click
//! unsubscribe, a POST to the same link — changes anything.

use maildesk::mail::outbound::links::LinkBase;
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::{TestApp, spawn_app};
use protocol::{AddSubscriber, Role, TicketDetail, TicketStatus, UpdateTicket};

/// A resolved ticket of a customer, with a watcher subscribed: `(ticket, customer id, watcher)`.
async fn resolved_ticket_with_watcher(app: &TestApp) -> (i64, i64, String) {
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Links in mails"))
        .await
        .ticket;
    let watcher = format!("watcher-{}@example.test", uuid::Uuid::new_v4().simple());
    let resp = app
        .api
        .post_json(
            &app.admin.token,
            &format!("/tickets/{}/subscribers", t.id),
            &AddSubscriber { email: watcher.clone() },
        )
        .await;
    assert!(resp.status().is_success(), "subscribing: {}", resp.status());
    let now = app.api.ticket(&app.admin.token, t.id).await.ticket;
    let _: TicketDetail = ok_json(
        app.api
            .patch_json(
                &app.admin.token,
                &format!("/tickets/{}", t.id),
                &UpdateTicket {
                    version: now.version,
                    status: Some(TicketStatus::Resolved),
                    ..Default::default()
                },
            )
            .await,
    )
    .await;
    (t.id, customer.id, watcher)
}

/// The path (under `/api/v1`) of a link our mails carry.
fn api_path(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&format!("{}/api/v1", app.address()))
        .unwrap_or_else(|| panic!("link {url} is not under {}", app.address()))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetching_the_links_changes_nothing_until_a_person_confirms() {
    let app = spawn_app().await;
    let (ticket, customer, watcher) = resolved_ticket_with_watcher(&app).await;
    let keys = app.keys();
    let links = LinkBase {
        public_url: app.address(),
        keys: &keys,
    };
    let unsubscribe = api_path(&app, &links.unsubscribe(ticket, &watcher).expect("unsubscribe link"));
    let [good, _, _] = links.ratings(customer, ticket).expect("rating links");
    let good = api_path(&app, &good);

    // The scanner: GET (twice, as they do), HEAD.
    for path in [&unsubscribe, &good] {
        for _ in 0..2 {
            let resp = app.api.get_anon(path).await;
            assert_eq!(resp.status(), 200, "GET {path}");
            let csp = resp
                .headers()
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let page = resp.text().await.expect("page");
            assert!(
                page.contains("<form method=\"post\""),
                "GET {path}: no form to confirm: {page}"
            );
            assert!(!page.contains("<script"), "GET {path}: the page runs script");
            assert!(
                csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
                "GET {path}: {csp}"
            );
        }
        let head = app.api.http().head(app.api.url(path)).send().await.expect("HEAD");
        assert!(head.status().as_u16() < 500, "HEAD {path}: {}", head.status());
    }
    let detail = app.api.ticket(&app.admin.token, ticket).await;
    assert!(
        detail.subscribers.iter().any(|s| s.email == watcher),
        "a GET of the unsubscribe link unsubscribed"
    );
    assert_eq!(detail.ticket.rating, None, "a GET of the rating link rated the ticket");

    // A person presses the buttons (the rating page's form posts token and rating).
    let token = good
        .split("token=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .expect("token in the rating link");
    let resp = app
        .api
        .http()
        .post(app.api.url("/public/rate"))
        .form(&[("token", token), ("rating", "good"), ("comment", "")])
        .send()
        .await
        .expect("rate");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.api.ticket(&app.admin.token, ticket).await.ticket.rating.as_deref(),
        Some("good")
    );

    // RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` to the link itself,
    // as multipart (what the RFC recommends) or form-encoded.
    let one_click =
        "--b0undary\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b0undary--\r\n";
    let resp = app
        .api
        .http()
        .post(app.api.url(&unsubscribe))
        .header("Content-Type", "multipart/form-data; boundary=b0undary")
        .body(one_click)
        .send()
        .await
        .expect("one-click unsubscribe");
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap_or_default());
    assert!(
        app.api
            .ticket(&app.admin.token, ticket)
            .await
            .subscribers
            .iter()
            .all(|s| s.email != watcher),
        "the one-click unsubscribe did not unsubscribe"
    );

    // A forged or mismatched token changes nothing by POST either.
    let resp = app
        .api
        .http()
        .post(app.api.url("/public/unsubscribe?token=forged.token.value"))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .expect("forged unsubscribe");
    assert_eq!(resp.status(), 422);
    let resp = app
        .api
        .http()
        .post(app.api.url(&format!("/public/unsubscribe?token={token}")))
        .send()
        .await
        .expect("a rating token on the unsubscribe link");
    assert_eq!(resp.status(), 422);
}
