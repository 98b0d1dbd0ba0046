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
        Self { base, http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client") }
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
        self.http.get(self.url(path)).bearer_auth(token).send().await.expect("GET")
    }

    pub async fn get_anon(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json<T: Serialize + ?Sized>(&self, token: &str, path: &str, body: &T) -> Response {
        self.http.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("POST")
    }

    pub async fn patch_json<T: Serialize + ?Sized>(&self, token: &str, path: &str, body: &T) -> Response {
        self.http.patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("PATCH")
    }

    pub async fn put_json<T: Serialize + ?Sized>(&self, token: &str, path: &str, body: &T) -> Response {
        self.http.put(self.url(path)).bearer_auth(token).json(body).send().await.expect("PUT")
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.http.delete(self.url(path)).bearer_auth(token).send().await.expect("DELETE")
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        let req = LoginRequest { email: email.into(), password: password.into() };
        self.http.post(self.url("/auth/login")).json(&req).send().await.expect("login")
    }

    pub async fn login_ok(&self, email: &str, password: &str) -> TokenResponse {
        ok_json(self.login(email, password).await).await
    }

    /// Creates a ticket and returns it (asserting 201).
    pub async fn create_ticket(&self, token: &str, req: &protocol::CreateTicket) -> TicketDetail {
        let resp = self.post_json(token, "/tickets", req).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "create ticket: {}", resp.text().await.unwrap_or_default());
        resp.json().await.expect("ticket detail")
    }

    pub async fn ticket(&self, token: &str, id: i64) -> TicketDetail {
        ok_json(self.get(token, &format!("/tickets/{id}")).await).await
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
    let got = resp.status();
    let text = resp.text().await.expect("body");
    assert_eq!(got.as_u16(), status, "body: {text}");
    let body: ErrorBody = serde_json::from_str(&text).unwrap_or_else(|e| panic!("error body {text:?} is not JSON: {e}"));
    assert_eq!(body.code, code, "body: {text}");
    assert!(!body.message.is_empty());
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
