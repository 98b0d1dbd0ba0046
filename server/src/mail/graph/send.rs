//! Sending through Microsoft Graph: `POST /users/{mailbox}/sendMail` with our finished MIME,
//! base64-encoded as `text/plain` (Graph's MIME form), answered 202. Graph takes the
//! recipients from the message's own To/Cc/Bcc and saves the mail to that mailbox's Sent Items.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;

use super::{Graph, GraphError};
use crate::context::WeakContext;
use crate::mail::outbound::transport::{SendError, Transport};

pub struct GraphSend {
    pub ctx: WeakContext,
    /// The mailbox that sends (its user: a shared mailbox's address with a delegated grant).
    pub mailbox_id: i64,
}

#[async_trait]
impl Transport for GraphSend {
    fn name(&self) -> &'static str {
        "graph"
    }

    async fn send(&self, _mail_from: &str, _rcpts: &[String], raw: &[u8]) -> Result<String, SendError> {
        let Some(ctx) = self.ctx.upgrade() else {
            return Err(SendError::Transient("the server is shutting down".into()));
        };
        let mailbox = crate::mail::mailboxes::get(ctx.db(), self.mailbox_id)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        let user = super::user_of(&mailbox);
        let mut graph = Graph::new(&ctx, self.mailbox_id);
        let url = graph.user_url(&user, "/sendMail");
        let body = STANDARD.encode(raw);
        match graph
            .call(Method::POST, &url, |r| {
                r.header(reqwest::header::CONTENT_TYPE, "text/plain").body(body.clone())
            })
            .await
        {
            Ok(response) => Ok(format!(
                "{} accepted by Microsoft Graph for {user}",
                response.status().as_u16()
            )),
            // Graph refused this message itself (bad MIME, no permission to send as): retrying
            // will not help; the admin sees the code.
            Err(GraphError::Refused(why)) => Err(SendError::Permanent(format!("Microsoft Graph: {why}"))),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
