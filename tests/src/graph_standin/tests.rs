//! The stand-in's own tests: its contract as the client sees it over HTTP (delta rounds, moves,
//! folders, `$value`, sendMail, throttling, tokens, grants, lost sync state).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use serde_json::{Value, json};

use super::GraphStandIn;
use super::responses::ACCESS_DENIED;

fn jwt(claims: Value) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.bm90LWEtcmVhbC1zaWduYXR1cmU",
        enc(&json!({"alg": "RS256", "typ": "JWT"})),
        enc(&claims)
    )
}

fn token_for(email: &str) -> String {
    jwt(json!({
        "email": email,
        "exp": Utc::now().timestamp() + 3600,
        "nonce": uuid::Uuid::new_v4().to_string(),
    }))
}

fn mime(n: usize) -> Vec<u8> {
    format!(
        "From: Customer {n} <customer{n}@example.test>\r\nTo: support@example.test\r\n\
         Subject: Question {n}\r\nMessage-ID: <q{n}@example.test>\r\n\
         Date: Mon, 4 Sep 2017 10:00:00 +0000\r\n\r\nHello {n}\r\n"
    )
    .into_bytes()
}

struct Client {
    http: reqwest::Client,
    token: String,
}

impl Client {
    fn new(token: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            token: token.to_owned(),
        }
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).bearer_auth(&self.token).send().await.expect("GET")
    }

    async fn get_json(&self, url: &str) -> Value {
        let resp = self.get(url).await;
        assert_eq!(resp.status(), 200, "GET {url}");
        resp.json().await.expect("JSON body")
    }

    async fn delta_page(&self, url: &str, page_size: Option<usize>) -> Value {
        let mut req = self.http.get(url).bearer_auth(&self.token);
        if let Some(n) = page_size {
            req = req.header("Prefer", format!("odata.maxpagesize={n}"));
        }
        let resp = req.send().await.expect("delta");
        assert_eq!(resp.status(), 200, "delta {url}");
        resp.json().await.expect("delta JSON")
    }

    async fn post_json(&self, url: &str, body: Value) -> reqwest::Response {
        self.http
            .post(url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("POST")
    }
}

/// Follows a round to its deltaLink; returns (items, deltaLink, pages).
async fn full_round(client: &Client, first: &str, page_size: Option<usize>) -> (Vec<Value>, String, usize) {
    let mut url = first.to_owned();
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let page = client.delta_page(&url, page_size).await;
        pages += 1;
        assert!(page["@odata.context"].is_string(), "delta pages carry @odata.context");
        items.extend(page["value"].as_array().expect("value array").iter().cloned());
        if let Some(next) = page["@odata.nextLink"].as_str() {
            assert!(page.get("@odata.deltaLink").is_none(), "a page has one link");
            assert!(next.contains("$skiptoken="), "nextLink carries a skiptoken: {next}");
            url = next.to_owned();
            continue;
        }
        let delta = page["@odata.deltaLink"]
            .as_str()
            .expect("the last page has a deltaLink");
        assert!(
            delta.contains("$deltatoken="),
            "deltaLink carries a deltatoken: {delta}"
        );
        return (items, delta.to_owned(), pages);
    }
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "error body: {body}");
    assert!(body["error"]["message"].is_string(), "error body: {body}");
    assert!(body["error"]["innerError"]["date"].is_string(), "error body: {body}");
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "error body: {body}"
    );
}

async fn error_of(resp: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status(), status);
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let body: Value = resp.json().await.expect("error JSON");
    assert_error(&body, code);
    body
}

#[tokio::test]
async fn delta_pages_with_next_links_then_reports_only_changes() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let client = Client::new(&token_for(mb));
    let ids: Vec<String> = (0..25).map(|n| g.deliver(mb, "inbox", &mime(n))).collect();
    let first = format!(
        "{}/users/{mb}/mailFolders/inbox/messages/delta?$select=subject,isRead",
        g.base_url()
    );
    let (items, delta_link, pages) = full_round(&client, &first, Some(10)).await;
    assert_eq!(pages, 3, "25 messages at 10 a page");
    let got: Vec<&str> = items.iter().map(|i| i["id"].as_str().expect("id")).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(delta_link.starts_with(&g.base_url()), "absolute links: {delta_link}");
    // $select is remembered by the round: subject and isRead, not the rest.
    assert_eq!(items[0]["subject"], "Question 0");
    assert_eq!(items[0]["isRead"], false);
    assert!(items[0].get("internetMessageId").is_none(), "{}", items[0]);

    // Nothing changed: an empty page and a fresh deltaLink.
    let (items, delta_link, _) = full_round(&client, &delta_link, None).await;
    assert!(items.is_empty());

    let new_id = g.deliver(mb, "Inbox", &mime(99));
    let (items, _, _) = full_round(&client, &delta_link, None).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], new_id.as_str());

    // Without Prefer the page size is 10; /me works the same and every item has Graph's fields.
    let first = format!("{}/me/mailFolders/inbox/messages/delta", g.base_url());
    let page = client.delta_page(&first, None).await;
    assert_eq!(page["value"].as_array().map(Vec::len), Some(10));
    let item = &page["value"][0];
    for field in [
        "id",
        "isRead",
        "subject",
        "receivedDateTime",
        "internetMessageId",
        "parentFolderId",
    ] {
        assert!(item.get(field).is_some(), "{field} missing: {item}");
    }
    assert_eq!(item["@odata.type"], "#microsoft.graph.message");
    assert_eq!(item["internetMessageId"], "<q0@example.test>");
    assert_eq!(item["from"]["emailAddress"]["address"], "customer0@example.test");
    assert_eq!(item["parentFolderId"].as_str(), Some(g.folder_id(mb, "inbox").as_str()));
    let paging = g
        .requests()
        .iter()
        .filter(|(_, p, _)| p.contains("$skiptoken="))
        .count();
    assert_eq!(paging, 2, "the first round followed two nextLinks");
}

#[tokio::test]
async fn move_delete_and_read_show_in_the_next_delta() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let client = Client::new(&token_for(mb));
    let moved = g.deliver(mb, "inbox", &mime(1));
    let deleted = g.deliver(mb, "inbox", &mime(2));
    let read = g.deliver(mb, "inbox", &mime(3));
    let base = format!("{}/users/{mb}", g.base_url());
    let (_, delta_link, _) = full_round(&client, &format!("{base}/mailFolders/inbox/messages/delta"), None).await;

    let resp = client
        .post_json(
            &format!("{base}/messages/{moved}/move"),
            json!({"destinationId": "deleteditems"}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.expect("moved message");
    let new_id = body["id"].as_str().expect("new id").to_owned();
    assert_ne!(new_id, moved, "a moved message gets a new id");
    assert_eq!(
        body["parentFolderId"].as_str(),
        Some(g.folder_id(mb, "deleteditems").as_str())
    );
    assert_eq!(g.folder(mb, "Deleted Items")[0].0, new_id);

    let resp = client
        .http
        .delete(format!("{base}/messages/{deleted}"))
        .bearer_auth(&client.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status(), 204);

    let resp = client
        .http
        .patch(format!("{base}/messages/{read}"))
        .bearer_auth(&client.token)
        .json(&json!({"isRead": true}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("patched message");
    assert_eq!(body["isRead"], true);
    assert_eq!(g.folder(mb, "inbox"), vec![(read.clone(), true, mime(3))]);

    let (items, _, _) = full_round(&client, &delta_link, None).await;
    let removed =
        |id: &str| json!({"@odata.type": "#microsoft.graph.message", "id": id, "@removed": {"reason": "deleted"}});
    assert!(items.contains(&removed(&moved)), "{items:?}");
    assert!(items.contains(&removed(&deleted)), "{items:?}");
    let update = items
        .iter()
        .find(|i| i["id"] == read.as_str())
        .expect("the read change is an update");
    assert_eq!(update["isRead"], true);
    assert_eq!(items.len(), 3);

    // The deleted-items folder's own delta shows the moved copy.
    let (items, _, _) = full_round(
        &client,
        &format!("{base}/mailFolders/deleteditems/messages/delta"),
        None,
    )
    .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], new_id.as_str());

    // The old id is gone.
    let resp = client.get(&format!("{base}/messages/{moved}/$value")).await;
    error_of(resp, 404, "ErrorItemNotFound").await;
}

#[tokio::test]
async fn folders_are_found_by_listing_and_moves_need_ids_not_names() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let client = Client::new(&token_for(mb));
    let id = g.deliver(mb, "inbox", &mime(1));
    let processed = g.folder_id(mb, "Processed");
    let base = format!("{}/users/{mb}", g.base_url());

    let resp = client
        .post_json(
            &format!("{base}/messages/{id}/move"),
            json!({"destinationId": "Processed"}),
        )
        .await;
    error_of(resp, 400, "ErrorInvalidIdMalformed").await;

    let list = client
        .get_json(&format!("{base}/mailFolders?$filter=displayName eq 'Processed'"))
        .await;
    assert_eq!(list["value"][0]["id"].as_str(), Some(processed.as_str()));
    // Nine folders: a page of 10 has no nextLink; $top=5 pages.
    let all = client.get_json(&format!("{base}/mailFolders")).await;
    assert_eq!(all["value"].as_array().map(Vec::len), Some(9));
    let first = client.get_json(&format!("{base}/mailFolders?$top=5")).await;
    let next = first["@odata.nextLink"].as_str().expect("nextLink");
    let second = client.get_json(next).await;
    assert_eq!(second["value"].as_array().map(Vec::len), Some(4));

    let resp = client
        .post_json(
            &format!("{base}/messages/{id}/move"),
            json!({"destinationId": processed}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(g.folder(mb, "processed").len(), 1);
    assert!(g.folder(mb, "inbox").is_empty());
}

#[tokio::test]
async fn value_returns_the_exact_mime_as_text_plain() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let client = Client::new(&token_for(mb));
    let mut raw = b"From: a@example.test\r\nTo: support@example.test\r\nSubject: =?UTF-8?B?w6k=?=\r\n\r\n".to_vec();
    raw.extend_from_slice(&[0xe9, 0x00, 0xff, b'\r', b'\n', b'.', b'\n']);
    let id = g.deliver(mb, "inbox", &raw);
    let resp = client.get(&format!("{}/me/messages/{id}/$value", g.base_url())).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/plain")
    );
    assert_eq!(resp.bytes().await.expect("body").as_ref(), raw.as_slice());

    let resp = client
        .get(&format!("{}/me/messages/AAMkAGnope/$value", g.base_url()))
        .await;
    error_of(resp, 404, "ErrorItemNotFound").await;
}

#[tokio::test]
async fn send_mail_takes_base64_mime() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let client = Client::new(&token_for(mb));
    let url = format!("{}/users/{mb}/sendMail", g.base_url());
    let raw = mime(7);
    // Line-wrapped base64, as in Microsoft's example.
    let encoded = STANDARD.encode(&raw);
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let resp = client
        .http
        .post(&url)
        .bearer_auth(&client.token)
        .header("Content-Type", "text/plain")
        .body(wrapped.join("\r\n"))
        .send()
        .await
        .expect("sendMail");
    assert_eq!(resp.status(), 202);
    assert!(resp.bytes().await.expect("body").is_empty());
    assert_eq!(g.sent(mb), vec![raw.clone()]);
    let sent_items = g.folder(mb, "sentitems");
    assert_eq!(sent_items.len(), 1);
    assert_eq!(sent_items[0].2, raw);

    for bad in ["", "not base64!!"] {
        let resp = client
            .http
            .post(&url)
            .bearer_auth(&client.token)
            .header("Content-Type", "text/plain")
            .body(bad)
            .send()
            .await
            .expect("sendMail");
        error_of(resp, 400, "ErrorMimeContentInvalidBase64String").await;
    }
    assert_eq!(g.sent(mb).len(), 1);
}

#[tokio::test]
async fn throttling_answers_with_retry_after_first() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let client = Client::new(&token_for(mb));
    let url = format!("{}/me", g.base_url());
    g.throttle_next(2, 429, 3);
    for _ in 0..2 {
        let resp = client.get(&url).await;
        assert_eq!(
            resp.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("3")
        );
        error_of(resp, 429, "TooManyRequests").await;
    }
    let me = client.get_json(&url).await;
    assert_eq!(me["mail"], mb);
    assert_eq!(me["userPrincipalName"], mb);
    assert!(me["id"].is_string() && me["displayName"].is_string());

    // Before authentication too: even a request without a token is throttled.
    g.throttle_next(1, 503, 1);
    let resp = reqwest::Client::new().get(&url).send().await.expect("GET");
    assert_eq!(
        resp.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    error_of(resp, 503, "serviceNotAvailable").await;
    let requests = g.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.windows(2).all(|w| w[0].2 <= w[1].2));
    assert!(requests.iter().all(|(m, p, _)| m == "GET" && p == "/v1.0/me"));
}

#[tokio::test]
async fn tokens_are_checked_and_expire() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let url = format!("{}/users/{mb}", g.base_url());
    let old = token_for(mb);
    let client = Client::new(&old);
    client.get_json(&url).await;
    g.expire_token(&old);
    let body = error_of(client.get(&url).await, 401, "InvalidAuthenticationToken").await;
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );

    let fresh = Client::new(&token_for(mb));
    fresh.get_json(&url).await;
    assert_eq!(g.tokens_seen(), vec![old.clone(), fresh.token.clone()]);

    let body = error_of(
        reqwest::Client::new().get(&url).send().await.expect("GET"),
        401,
        "InvalidAuthenticationToken",
    )
    .await;
    assert_eq!(body["error"]["message"], "Access token is empty.");
    error_of(
        Client::new("opaque-token").get(&url).await,
        401,
        "InvalidAuthenticationToken",
    )
    .await;
    let lapsed = jwt(json!({"upn": mb, "exp": Utc::now().timestamp() - 60}));
    error_of(Client::new(&lapsed).get(&url).await, 401, "InvalidAuthenticationToken").await;
    // upn and preferred_username name the account when email is absent.
    Client::new(&jwt(json!({"preferred_username": mb})))
        .get_json(&url)
        .await;
}

#[tokio::test]
async fn shared_mailboxes_need_a_grant() {
    let g = GraphStandIn::start().await;
    let shared = "helpdesk@example.test";
    let agent = Client::new(&token_for("Agent@Example.test"));
    let id = g.deliver(shared, "inbox", &mime(1));
    let base = format!("{}/users/{shared}", g.base_url());
    for url in [
        base.clone(),
        format!("{base}/mailFolders/inbox/messages/delta"),
        format!("{base}/messages/{id}/$value"),
    ] {
        let body = error_of(agent.get(&url).await, 403, "ErrorAccessDenied").await;
        assert_eq!(body["error"]["message"], ACCESS_DENIED);
    }
    g.grant_access(shared, "agent@example.test");
    let (items, _, _) = full_round(&agent, &format!("{base}/mailFolders/inbox/messages/delta"), None).await;
    assert_eq!(items.len(), 1);
    let resp = agent
        .http
        .post(format!("{base}/sendMail"))
        .bearer_auth(&agent.token)
        .header("Content-Type", "text/plain")
        .body(STANDARD.encode(mime(2)))
        .send()
        .await
        .expect("sendMail");
    assert_eq!(resp.status(), 202);
    assert_eq!(g.sent(shared), vec![mime(2)]);
    assert!(g.sent("agent@example.test").is_empty());
    // The agent's own mailbox is theirs, by /me as by address.
    agent.get_json(&format!("{}/me/mailFolders/inbox", g.base_url())).await;
}

#[tokio::test]
async fn unknown_or_forgotten_sync_state_is_gone() {
    let g = GraphStandIn::start().await;
    let mb = "support@example.test";
    let client = Client::new(&token_for(mb));
    for n in 0..3 {
        g.deliver(mb, "inbox", &mime(n));
    }
    let endpoint = format!("{}/users/{mb}/mailFolders/inbox/messages/delta", g.base_url());
    for bad in ["$deltatoken=stale", "$skiptoken=stale"] {
        let resp = client.get(&format!("{endpoint}?{bad}")).await;
        assert!(resp.headers().get("location").is_some());
        error_of(resp, 410, "SyncStateNotFound").await;
    }
    let page = client.delta_page(&endpoint, Some(2)).await;
    let next = page["@odata.nextLink"].as_str().expect("nextLink").to_owned();
    let (_, delta_link, _) = full_round(&client, &next, Some(2)).await;
    // A token from another folder is not this folder's state.
    let elsewhere = delta_link.replace("mailFolders('inbox')", "mailFolders('sentitems')");
    error_of(client.get(&elsewhere).await, 410, "SyncStateNotFound").await;
    g.forget_sync_state();
    error_of(client.get(&next).await, 410, "SyncStateNotFound").await;
    error_of(client.get(&delta_link).await, 410, "SyncStateNotFound").await;
    // Starting over works.
    let (items, _, _) = full_round(&client, &endpoint, None).await;
    assert_eq!(items.len(), 3);
}
