//! Microsoft Graph as a mail channel, with the mailbox's OAuth grant: `fetch` reads its folder
//! with the delta query and hands each message's raw MIME (`$value`) to the same pipeline as
//! IMAP; `send` posts our finished MIME to `sendMail`, so our Message-ID, References and
//! Thread-Index survive and the mail lands in that mailbox's Sent Items.
//!
//! Every call goes through [`Graph::call`]: throttling (429, 503) waits as long as
//! `Retry-After` says (capped) and tries again, a 401 gets a refreshed token once, and other
//! errors carry Graph's own `error.code` and `message`.

pub mod check;
pub mod fetch;
pub mod send;

use std::time::Duration;

use entity::mailbox;
use reqwest::{Method, StatusCode};

use crate::context::AppContext;
use crate::egress::{self, Egress};
use crate::mail::oauth::OAuthError;
use crate::mail::oauth::tokens::{self, Bearer};

/// Attempts per call while Graph throttles.
const THROTTLED_TRIES: u32 = 5;
/// The longest `Retry-After` we sleep through inside one call; longer ends the cycle.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// Graph answered with an error (its code and message), or could not be reached.
    #[error("Microsoft Graph: {0}")]
    Api(String),
    /// The delta or skip token is no longer known (410 `SyncStateNotFound`): sync afresh.
    #[error("Microsoft Graph: the sync state expired")]
    SyncStateGone,
    /// Graph refuses for good (400 on our own request, 403, 404): not worth retrying.
    #[error("Microsoft Graph: {0}")]
    Refused(String),
}

/// A mailbox's way into Graph.
pub struct Graph<'a> {
    ctx: &'a AppContext,
    mailbox_id: i64,
    base: String,
    http: reqwest::Client,
    bearer: Option<Bearer>,
}

pub fn is_graph(m: &mailbox::Model) -> bool {
    m.fetch_protocol == "graph"
}

/// Whose mail: the mailbox's address. The grant may be another account's (the user name, the
/// sign-in hint when connecting) with delegated access: a shared mailbox.
pub fn user_of(m: &mailbox::Model) -> String {
    m.address.clone()
}

/// One path segment, percent-encoded.
pub fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl<'a> Graph<'a> {
    pub fn new(ctx: &'a AppContext, mailbox_id: i64) -> Self {
        let egress = Egress::of(ctx.settings());
        Self {
            ctx,
            mailbox_id,
            base: ctx.settings().mail.graph_url.trim_end_matches('/').to_owned(),
            http: egress::http_client(egress),
            bearer: None,
        }
    }

    /// `{graph_url}/users/{user}` + `rest`.
    pub fn user_url(&self, user: &str, rest: &str) -> String {
        format!("{}/users/{}{rest}", self.base, segment(user))
    }

    /// A link Graph gave (`@odata.nextLink`, `@odata.deltaLink`) must point at Graph: the token
    /// is sent along, so a link elsewhere is refused.
    pub fn check_link(&self, link: &str) -> Result<(), GraphError> {
        if link.starts_with(&format!("{}/", self.base)) {
            Ok(())
        } else {
            Err(GraphError::Api(format!("a paging link outside {}: {link}", self.base)))
        }
    }

    /// Sends a request, answering throttling and an expired token as described above.
    pub async fn call(
        &mut self,
        method: Method,
        url: &str,
        prepare: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, GraphError> {
        egress::check_url(url, Egress::of(self.ctx.settings())).map_err(GraphError::Refused)?;
        let mut refreshed = false;
        let mut throttled = 0;
        loop {
            let bearer = match &self.bearer {
                Some(b) => b.clone(),
                None => {
                    let b = tokens::bearer(self.ctx, self.mailbox_id).await?;
                    self.bearer = Some(b.clone());
                    b
                }
            };
            let request = prepare(self.http.request(method.clone(), url))
                .bearer_auth(&bearer.token)
                .timeout(CALL_TIMEOUT);
            let response = request
                .send()
                .await
                .map_err(|e| GraphError::Api(format!("{method} {url}: {e}")))?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                // Expired or revoked early: one fresh token, then the answer stands.
                refreshed = true;
                self.bearer = Some(tokens::bearer_after_rejection(self.ctx, self.mailbox_id, &bearer.token).await?);
                continue;
            }
            if matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) {
                throttled += 1;
                let wait = retry_after(&response);
                if throttled >= THROTTLED_TRIES || wait > MAX_RETRY_AFTER {
                    return Err(GraphError::Api(format!(
                        "throttled ({status}); Retry-After {} s",
                        wait.as_secs()
                    )));
                }
                tracing::info!(mailbox = self.mailbox_id, ?wait, %status, "Graph throttles; waiting");
                tokio::time::sleep(wait).await;
                continue;
            }
            if status.is_success() {
                return Ok(response);
            }
            let said = error_text(response).await;
            return Err(match status {
                StatusCode::GONE => GraphError::SyncStateGone,
                StatusCode::BAD_REQUEST | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
                    GraphError::Refused(format!("{status}: {said}"))
                }
                _ => GraphError::Api(format!("{status}: {said}")),
            });
        }
    }
}

/// `Retry-After` in seconds (Graph sends seconds); 10 s when missing or unreadable.
fn retry_after(response: &reqwest::Response) -> Duration {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(10), Duration::from_secs)
}

/// Graph's `{"error":{"code","message"}}` as `code: message`.
async fn error_text(response: reqwest::Response) -> String {
    let body = response.text().await.unwrap_or_default();
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(v) => {
            let code = v["error"]["code"].as_str().unwrap_or("");
            let message = v["error"]["message"].as_str().unwrap_or("");
            format!("{code}: {message}")
        }
        Err(_) => body.chars().take(300).collect(),
    }
}

impl From<GraphError> for crate::mail::imap::FetchError {
    fn from(e: GraphError) -> Self {
        match e {
            GraphError::OAuth(o) => o.into(),
            other => Self::Imap(other.to_string()),
        }
    }
}

/// "Test connection" for a Graph mailbox: the user and the folder, as Graph sees them.
pub async fn test_connection(ctx: &AppContext, m: &mailbox::Model) -> Result<String, GraphError> {
    let mut graph = Graph::new(ctx, m.id);
    let user = user_of(m);
    let url = graph.user_url(&user, "");
    let me: serde_json::Value = graph
        .call(Method::GET, &url, |r| r)
        .await?
        .json()
        .await
        .map_err(|e| GraphError::Api(format!("reading {url}: {e}")))?;
    let account = graph.bearer.as_ref().map(|b| b.account.clone()).unwrap_or_default();
    Ok(format!(
        "Signed in to Microsoft Graph as {account}; mailbox {} ({}) is readable.",
        me["mail"]
            .as_str()
            .or(me["userPrincipalName"].as_str())
            .unwrap_or(&user),
        me["displayName"].as_str().unwrap_or("no display name"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(segment("support@contoso.com"), "support@contoso.com");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
        assert_eq!(segment("AAMkAD=="), "AAMkAD%3D%3D");
    }
}
