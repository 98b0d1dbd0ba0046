//! Ending sessions and changing the password, and the one-time tickets for URLs the browser
//! opens itself (the socket, downloads), which never carry the access token.

use protocol::{ChangePassword, RefreshRequest, TokenResponse, UrlTicket};

use super::{ApiError, Body, Call, Client, Method, read_empty};
use crate::auth::Session;

impl Call {
    /// A `POST` without a body.
    fn post_empty(path: impl Into<String>) -> Self {
        Self {
            method: Method::Post,
            body: None::<Body>,
            ..Self::get(path)
        }
    }
}

impl Client {
    /// `POST /auth/logout`, then forgets the session here. The session is forgotten even when
    /// the server cannot be reached: signing out must always work on this device.
    pub async fn logout(&self) {
        if let Some(session) = self.auth.session_untracked() {
            let body = RefreshRequest {
                refresh_token: session.refresh_token,
            };
            let ended = match Call::post("/auth/logout", &body) {
                Ok(call) => match call.send(None).await {
                    Ok(resp) => read_empty(resp).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            if let Err(e) = ended {
                leptos::logging::warn!("the server did not end the session: {}", e.user_message());
            }
        }
        self.auth.sign_out();
    }

    /// `POST /auth/password`: every session of the account ends; this one goes on with the
    /// fresh session the server answers with.
    pub async fn change_password(&self, current_password: String, new_password: String) -> Result<(), ApiError> {
        let body = ChangePassword {
            current_password,
            new_password,
        };
        let tokens: TokenResponse = self.call(Call::post("/auth/password", &body)?).await?;
        self.auth.set_session(Session::from(tokens));
        Ok(())
    }

    /// `POST /auth/ticket`: a ticket for one URL the browser opens itself, good once, for
    /// about a minute.
    pub async fn url_ticket(&self) -> Result<String, ApiError> {
        let ticket: UrlTicket = self.call(Call::post_empty("/auth/ticket")).await?;
        Ok(ticket.ticket)
    }

    /// `url` (under `/api/v1`) with a fresh one-time ticket in its query.
    pub async fn ticketed(&self, url: &str) -> Result<String, ApiError> {
        let ticket = self.url_ticket().await?;
        Ok(with_ticket(url, &ticket))
    }

    /// The bytes of `path` (under `/api/v1`, e.g. an attachment), fetched with the session's
    /// header, and their content type.
    pub async fn bytes(&self, path: &str) -> Result<(Vec<u8>, String), ApiError> {
        let call = Call::get(path);
        let Some(session) = self.auth.session_untracked() else {
            return Err(ApiError::signed_out());
        };
        let mut resp = call.send(Some(&session.access_token)).await?;
        if resp.status() == 401 {
            let fresh = self.refresh_session().await?;
            resp = call.send(Some(&fresh.access_token)).await?;
        }
        if !resp.ok() {
            return Err(ApiError::Http { status: resp.status() });
        }
        let kind = resp
            .headers()
            .get("content-type")
            .unwrap_or_else(|| "application/octet-stream".into());
        let bytes = resp.binary().await.map_err(|e| ApiError::Network(e.to_string()))?;
        Ok((bytes, kind))
    }
}

/// `url` with `ticket=…` added to its query.
pub fn with_ticket(url: &str, ticket: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}ticket={}", crate::uri_component::encode(ticket))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ticket_joins_the_query() {
        assert_eq!(
            with_ticket("/api/v1/attachments/7", "ab12"),
            "/api/v1/attachments/7?ticket=ab12"
        );
        assert_eq!(
            with_ticket("/api/v1/reports.csv?from=2026-11-01", "ab12"),
            "/api/v1/reports.csv?from=2026-11-01&ticket=ab12"
        );
    }
}
