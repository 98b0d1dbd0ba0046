//! A typed client over the real HTTP API.

use protocol::{ErrorBody, ErrorCode, LoginRequest, TicketDetail, TokenResponse};
use reqwest::{Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(base: String) -> Self {
        Self {
            base,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        let send = || self.http.get(self.url(path)).bearer_auth(token).send();
        match send().await {
            Ok(resp) => resp,
            // A pooled connection the server closed as the request went out (a restarted node,
            // an idle timeout): a GET is safe to send once more, on a fresh connection.
            Err(e) if e.is_request() || e.is_connect() => send().await.expect("GET (sent twice)"),
            Err(e) => panic!("GET: {e:?}"),
        }
    }

    pub async fn get_anon(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json<T: Serialize + ?Sized>(&self, token: &str, path: &str, body: &T) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch_json<T: Serialize + ?Sized>(&self, token: &str, path: &str, body: &T) -> Response {
        self.http
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    pub async fn put_json<T: Serialize + ?Sized>(&self, token: &str, path: &str, body: &T) -> Response {
        self.http
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("DELETE")
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        let req = LoginRequest {
            email: email.into(),
            password: password.into(),
        };
        self.http
            .post(self.url("/auth/login"))
            .json(&req)
            .send()
            .await
            .expect("login")
    }

    pub async fn login_ok(&self, email: &str, password: &str) -> TokenResponse {
        ok_json(self.login(email, password).await).await
    }

    /// A one-time ticket for a URL the browser opens itself (`?ticket=`), as the page fetches
    /// one before opening the socket or a download.
    pub async fn url_ticket(&self, token: &str) -> Response {
        self.http
            .post(self.url("/auth/ticket"))
            .bearer_auth(token)
            .send()
            .await
            .expect("POST /auth/ticket")
    }

    pub async fn url_ticket_ok(&self, token: &str) -> String {
        ok_json::<protocol::UrlTicket>(self.url_ticket(token).await)
            .await
            .ticket
    }

    /// Creates a ticket and returns it (asserting 201).
    pub async fn create_ticket(&self, token: &str, req: &protocol::CreateTicket) -> TicketDetail {
        let resp = self.post_json(token, "/tickets", req).await;
        assert_eq!(
            resp.status(),
            StatusCode::CREATED,
            "create ticket: {}",
            resp.text().await.unwrap_or_default()
        );
        resp.json().await.expect("ticket detail")
    }

    pub async fn ticket(&self, token: &str, id: i64) -> TicketDetail {
        ok_json(self.get(token, &format!("/tickets/{id}")).await).await
    }

    /// The ids of every ticket the caller's list shows (one page of up to 200), in list order.
    pub async fn ticket_ids(&self, token: &str) -> Vec<i64> {
        let page: protocol::Page<protocol::Ticket> = ok_json(self.get(token, "/tickets?per_page=200").await).await;
        assert!(page.total <= 200, "more tickets than one page: {}", page.total);
        page.items.into_iter().map(|t| t.id).collect()
    }

    /// Uploads raw bytes to a ticket (`POST /tickets/{id}/attachments?filename=…`); `filename`
    /// goes into the query as given, so keep it URL-safe.
    pub async fn upload(&self, token: &str, ticket_id: i64, filename: &str, bytes: impl Into<Vec<u8>>) -> Response {
        let url = self.url(&format!("/tickets/{ticket_id}/attachments?filename={filename}"));
        let req = self
            .http
            .post(url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "text/plain");
        req.body(bytes.into()).send().await.expect("upload")
    }

    /// Uploads and returns the attachment (asserting 201).
    pub async fn upload_ok(
        &self,
        token: &str,
        ticket_id: i64,
        filename: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> protocol::Attachment {
        let resp = self.upload(token, ticket_id, filename, bytes).await;
        assert_eq!(
            resp.status(),
            StatusCode::CREATED,
            "upload: {}",
            resp.text().await.unwrap_or_default()
        );
        resp.json().await.expect("attachment")
    }

    /// Any request under `/api/v1`, for malformed input: optional token, content type and body
    /// (an empty body is not sent at all).
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(ct) = content_type {
            req = req.header(reqwest::header::CONTENT_TYPE, ct);
        }
        if !body.is_empty() {
            req = req.body(body);
        }
        req.send().await.expect("request")
    }
}

/// Asserts 2xx and decodes the body.
pub async fn ok_json<T: DeserializeOwned>(resp: Response) -> T {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    assert!(status.is_success(), "expected success, got {status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("decoding {text}: {e}"))
}

/// Asserts the status and the error code of a failed call, returning the body.
pub async fn expect_error(resp: Response, status: u16, code: ErrorCode) -> ErrorBody {
    expect_error_for("", resp, status, code).await
}

/// [`expect_error`], naming what was tried (`what`) in every assertion message.
pub async fn expect_error_for(what: &str, resp: Response, status: u16, code: ErrorCode) -> ErrorBody {
    let got = resp.status();
    let text = resp.text().await.expect("body");
    assert_eq!(got.as_u16(), status, "{what}: body: {text}");
    let body: ErrorBody =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: error body {text:?} is not JSON: {e}"));
    assert_eq!(body.code, code, "{what}: body: {text}");
    assert!(!body.message.is_empty(), "{what}: empty message");
    body
}

pub fn new_ticket(subject: &str) -> protocol::CreateTicket {
    protocol::CreateTicket {
        subject: subject.into(),
        body: format!("Body of {subject}"),
        category_id: None,
        priority: None,
        requester_email: None,
        tags: vec![],
    }
}
