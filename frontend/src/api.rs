//! Typed client of the Maildesk REST API (`/api/v1`).
//!
//! Every call returns `Result<T, ApiError>`; an expired access token is refreshed once
//! (shared by concurrent calls), and a session the server rejects is forgotten, which sends the
//! user back to the login page.

mod admin;
mod custom_fields;
mod directory;
mod error;
mod kb;
mod portal;
mod refresh;
mod reports;
mod rules;
mod search;
mod session;
mod sla;
mod ticket_people;

use gloo_net::http::{Request, RequestBuilder, Response};
use protocol::{
    API_BASE, Category, ErrorBody, ErrorCode, LoginRequest, Page, PostMessage, TakeTicket, Ticket, TicketDetail,
    TicketQuery, TokenResponse, User,
};
use serde::{Serialize, de::DeserializeOwned};

pub use admin::OutboxFilter;
pub use error::ApiError;
pub use portal::autologin;
pub use reports::report_csv_href;

use crate::auth::{Auth, Session};

/// Which kind of message `POST /tickets/{id}/…` adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    /// A public reply, mailed to the requester and subscribers.
    Reply,
    /// An internal note, visible to staff only.
    Note,
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// What a request carries: JSON, or a file picked by the user (sent as raw bytes).
#[derive(Clone)]
enum Body {
    Json(String),
    File(web_sys::File),
}

/// One request, kept so it can be sent again after a token refresh.
struct Call {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Body>,
}

impl Call {
    fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    fn post(path: impl Into<String>, body: &impl Serialize) -> Result<Self, ApiError> {
        Self::with_json(Method::Post, path, body)
    }

    fn put(path: impl Into<String>, body: &impl Serialize) -> Result<Self, ApiError> {
        Self::with_json(Method::Put, path, body)
    }

    /// An admin form's save: `POST {path}` for a new item (`id` none), else `PUT {path}/{id}`.
    fn save(path: &str, id: Option<i64>, body: &impl Serialize) -> Result<Self, ApiError> {
        match id {
            None => Self::post(path, body),
            Some(id) => Self::put(format!("{path}/{id}"), body),
        }
    }

    fn patch(path: impl Into<String>, body: &impl Serialize) -> Result<Self, ApiError> {
        Self::with_json(Method::Patch, path, body)
    }

    fn delete(path: impl Into<String>) -> Self {
        Self {
            method: Method::Delete,
            ..Self::get(path)
        }
    }

    fn with_json(method: Method, path: impl Into<String>, body: &impl Serialize) -> Result<Self, ApiError> {
        let body = serde_json::to_string(body).map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Some(Body::Json(body)),
        })
    }

    /// A `POST` whose body is the file itself.
    fn upload(path: impl Into<String>, file: web_sys::File) -> Self {
        Self {
            method: Method::Post,
            path: path.into(),
            query: Vec::new(),
            body: Some(Body::File(file)),
        }
    }

    fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    async fn send(&self, token: Option<&str>) -> Result<Response, ApiError> {
        let url = format!("{API_BASE}{}", self.path);
        let mut rb: RequestBuilder = match self.method {
            Method::Get => Request::get(&url),
            Method::Post => Request::post(&url),
            Method::Put => Request::put(&url),
            Method::Patch => Request::patch(&url),
            Method::Delete => Request::delete(&url),
        };
        rb = rb.header("Accept", "application/json");
        if !self.query.is_empty() {
            rb = rb.query(self.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        if let Some(token) = token {
            rb = rb.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match &self.body {
            Some(Body::Json(body)) => rb.header("Content-Type", "application/json").body(body.clone()),
            Some(Body::File(file)) => {
                let kind = file.type_();
                let kind = if kind.is_empty() {
                    "application/octet-stream".to_owned()
                } else {
                    kind
                };
                rb.header("Content-Type", &kind).body(file.clone())
            }
            None => rb.build(),
        }
        .map_err(|e| ApiError::Network(e.to_string()))?;
        request.send().await.map_err(|e| ApiError::Network(e.to_string()))
    }
}

/// Turns a response into the expected value or the server's error.
async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    if resp.ok() {
        return resp.json::<T>().await.map_err(|e| ApiError::Decode(e.to_string()));
    }
    match resp.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Server { status, body }),
        Err(_) => Err(ApiError::Http { status }),
    }
}

/// Like [`read`], for answers without a body worth reading (`204 No Content`).
async fn read_empty(resp: Response) -> Result<(), ApiError> {
    if resp.ok() {
        return Ok(());
    }
    let status = resp.status();
    match resp.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Server { status, body }),
        Err(_) => Err(ApiError::Http { status }),
    }
}

/// `POST /auth/login` (no session needed).
pub async fn login(email: String, password: String) -> Result<TokenResponse, ApiError> {
    let call = Call::post("/auth/login", &LoginRequest { email, password })?;
    read(call.send(None).await?).await
}

/// The authenticated API, bound to the session in [`Auth`].
#[derive(Debug, Clone, Copy)]
pub struct Client {
    auth: Auth,
}

impl Client {
    pub fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Sends `call` with the access token; on `token_expired` refreshes once and retries.
    async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        let Some(session) = self.auth.session_untracked() else {
            return Err(ApiError::signed_out());
        };
        let first = read(call.send(Some(&session.access_token)).await?).await;
        let result = match first {
            Err(e) if e.code() == Some(ErrorCode::TokenExpired) => {
                let fresh = refresh::fresh_session(self.auth, &session).await?;
                read(call.send(Some(&fresh.access_token)).await?).await
            }
            other => other,
        };
        self.check(result)
    }

    /// Like [`Self::call`], for calls answered without a body.
    async fn call_empty(&self, call: Call) -> Result<(), ApiError> {
        let Some(session) = self.auth.session_untracked() else {
            return Err(ApiError::signed_out());
        };
        let first = read_empty(call.send(Some(&session.access_token)).await?).await;
        let result = match first {
            Err(e) if e.code() == Some(ErrorCode::TokenExpired) => {
                let fresh = refresh::fresh_session(self.auth, &session).await?;
                read_empty(call.send(Some(&fresh.access_token)).await?).await
            }
            other => other,
        };
        self.check(result)
    }

    /// For endpoints that also answer visitors who are not signed in (the public help center):
    /// with the session when there is one, so staff see what staff may read; else without.
    async fn call_as_reader<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        let Some(session) = self.auth.session_untracked() else {
            return read(call.send(None).await?).await;
        };
        let first = read(call.send(Some(&session.access_token)).await?).await;
        let result = match first {
            // These endpoints take the session as optional: the server reads an expired token
            // as no session and answers `unauthorized` (not `token_expired`) when the help
            // center is not public. Refresh on either, rather than signing the user out.
            Err(e) if e.rejects_session() => {
                let fresh = refresh::fresh_session(self.auth, &session).await?;
                read(call.send(Some(&fresh.access_token)).await?).await
            }
            other => other,
        };
        self.check(result)
    }

    /// A session the server rejects is forgotten.
    fn check<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(e) = &result
            && e.rejects_session()
        {
            self.auth.expire();
        }
        result
    }

    /// A session with a newly refreshed access token (shared with any refresh in flight).
    pub async fn refresh_session(&self) -> Result<Session, ApiError> {
        let Some(session) = self.auth.session_untracked() else {
            return Err(ApiError::signed_out());
        };
        refresh::fresh_session(self.auth, &session).await
    }

    /// `GET /auth/me`.
    pub async fn me(&self) -> Result<User, ApiError> {
        self.call(Call::get("/auth/me")).await
    }

    /// `GET /tickets` with filters, sorting and paging.
    pub async fn tickets(&self, q: &TicketQuery) -> Result<Page<Ticket>, ApiError> {
        self.call(Call::get("/tickets").query(ticket_query_pairs(q))).await
    }

    /// `GET /tickets/{id}`.
    pub async fn ticket(&self, id: i64) -> Result<TicketDetail, ApiError> {
        self.call(Call::get(format!("/tickets/{id}"))).await
    }

    /// `POST /tickets/{id}/replies` or `/notes`.
    pub async fn post_message(&self, id: i64, kind: PostKind, msg: &PostMessage) -> Result<TicketDetail, ApiError> {
        let what = match kind {
            PostKind::Reply => "replies",
            PostKind::Note => "notes",
        };
        self.call(Call::post(format!("/tickets/{id}/{what}"), msg)?).await
    }

    /// `PATCH /tickets/{id}`: staff change fields against the version they saw.
    pub async fn update_ticket(&self, id: i64, update: &protocol::UpdateTicket) -> Result<TicketDetail, ApiError> {
        self.call(Call::patch(format!("/tickets/{id}"), update)?).await
    }

    /// `POST /tickets/{id}/time`: log minutes spent, with what they went into.
    pub async fn log_time(&self, id: i64, minutes: i64, note: Option<String>) -> Result<TicketDetail, ApiError> {
        self.call(Call::post(
            format!("/tickets/{id}/time"),
            &protocol::LogTime { minutes, note },
        )?)
        .await
    }

    /// `GET /tickets/{id}/time`: the time logged on the ticket, entry by entry.
    pub async fn time_entries(&self, id: i64) -> Result<Vec<protocol::TimeEntry>, ApiError> {
        self.call(Call::get(format!("/tickets/{id}/time"))).await
    }

    /// `POST /tickets/{id}/merge`: this ticket into another; answers with the other.
    pub async fn merge(&self, id: i64, into: i64, version: i64) -> Result<TicketDetail, ApiError> {
        let body = protocol::MergeTicket {
            into_ticket_id: into,
            version,
        };
        self.call(Call::post(format!("/tickets/{id}/merge"), &body)?).await
    }

    /// `POST /tickets/{id}/rating`: the requester rates their resolved or closed ticket.
    pub async fn rate(
        &self,
        id: i64,
        rating: protocol::Rating,
        comment: Option<String>,
    ) -> Result<TicketDetail, ApiError> {
        self.call(Call::post(
            format!("/tickets/{id}/rating"),
            &protocol::RateTicket { rating, comment },
        )?)
        .await
    }

    /// `POST /tickets/{id}/take`: assign to me, only while nobody else holds it.
    pub async fn take(&self, id: i64, version: Option<i64>) -> Result<TicketDetail, ApiError> {
        self.call(Call::post(format!("/tickets/{id}/take"), &TakeTicket { version })?)
            .await
    }

    /// `GET /categories`.
    pub async fn categories(&self) -> Result<Vec<Category>, ApiError> {
        self.call(Call::get("/categories")).await
    }
}

/// The query string of `GET /tickets`; unset fields are left out.
fn ticket_query_pairs(q: &TicketQuery) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut push = |k: &'static str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.push((k, v));
        }
    };
    push("status", q.status.map(|s| s.as_str().to_owned()));
    push("priority", q.priority.map(|p| p.as_str().to_owned()));
    push("category_id", q.category_id.map(|c| c.to_string()));
    push("assignee", q.assignee.clone());
    push("requester_id", q.requester_id.map(|r| r.to_string()));
    push("tag", q.tag.clone());
    push("q", q.q.clone());
    push("sort", q.sort.map(|s| s.as_str().to_owned()));
    push("order", q.order.map(|o| o.as_str().to_owned()));
    push("updated_since", q.updated_since.map(|t| t.to_rfc3339()));
    push("overdue", q.overdue.map(|o| o.to_string()));
    push("page", q.page.map(|p| p.to_string()));
    push("per_page", q.per_page.map(|p| p.to_string()));
    out
}

/// The client for the current session.
pub fn use_client() -> Client {
    Client::new(crate::auth::use_auth())
}
