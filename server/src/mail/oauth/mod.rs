//! OAuth2 for mailboxes: Microsoft 365, Google and any OpenID Connect provider. An admin sets a
//! mailbox's application (`admin`), connects an account with the authorization-code flow and
//! PKCE (`flow`), and from then on IMAP, POP3, SMTP (over the SASL mechanisms in `sasl`) and
//! Microsoft Graph ask `tokens` for a bearer token, which refreshes it — once per mailbox across
//! all nodes. A grant the provider refuses stops only its own mailbox ("reconnect needed").

pub mod admin;
pub mod flow;
pub mod providers;
pub mod sasl;
pub mod tokens;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::mailbox_oauth;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields, RedirectUrl,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::keys::Keys;
use crate::mail::imap::FetchError;
use providers::Endpoints;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// No application or no connected account: an admin has to act.
    #[error("{0}")]
    NotConfigured(String),
    /// The provider refused the grant (`invalid_grant`): an admin has to connect again.
    #[error("reconnect needed: {0}")]
    Revoked(String),
    /// The provider could not be reached or answered with an error: retried later.
    #[error("OAuth provider: {0}")]
    Provider(String),
    #[error(transparent)]
    Db(#[from] AppError),
}

impl From<sea_orm::DbErr> for OAuthError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Db(e.into())
    }
}

/// A fetch without a token: a missing or refused grant waits for an admin (retrying cannot
/// help, and must not disable the mailbox); a provider that fails counts like a server that does.
impl From<OAuthError> for FetchError {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::Db(db) => Self::Db(db),
            OAuthError::NotConfigured(_) | OAuthError::Revoked(_) => Self::Waiting(e.to_string()),
            OAuthError::Provider(_) => Self::Imap(e.to_string()),
        }
    }
}

impl From<OAuthError> for AppError {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::Db(db) => db,
            OAuthError::NotConfigured(m) => AppError::Validation(m),
            OAuthError::Revoked(m) => AppError::Conflict(format!("reconnect needed: {m}")),
            OAuthError::Provider(m) => AppError::Conflict(format!("OAuth provider: {m}")),
        }
    }
}

/// The token response's OpenID Connect field: the ID token names the connected account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

pub type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// An oauth2 client with an authorization and a token endpoint.
pub type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// How long one call to the provider may take.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(20);

/// The client for `app` at `endpoints`. The secret goes in the request body
/// (`client_secret_post`), which Microsoft, Google and OpenID providers all accept.
pub fn client(
    keys: &Keys,
    app: &mailbox_oauth::Model,
    endpoints: &Endpoints,
    redirect_uri: &str,
) -> Result<OAuthClient, OAuthError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| OAuthError::NotConfigured(format!("{what}: {e}"));
    let mut client = oauth2::Client::new(ClientId::new(app.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(endpoints.authorize.clone()).map_err(|e| bad("authorization endpoint", &e))?)
        .set_token_uri(TokenUrl::new(endpoints.token.clone()).map_err(|e| bad("token endpoint", &e))?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| bad("redirect URI", &e))?);
    if let Some(enc) = &app.client_secret_enc {
        let secret = crate::crypto::decrypt(keys, enc).map_err(|e| bad("reading the stored client secret", &e))?;
        if !secret.is_empty() {
            client = client.set_client_secret(ClientSecret::new(secret));
        }
    }
    Ok(client)
}

/// The account an ID token names: `email`, else Microsoft's `preferred_username` / `upn`.
/// The token came straight from the token endpoint over TLS, so its signature need not be
/// checked to trust it (OpenID Connect Core §3.1.3.7).
pub fn account_of_id_token(id_token: &str) -> Option<String> {
    let payload = id_token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    account_of_claims(&claims)
}

pub fn account_of_claims(claims: &serde_json::Value) -> Option<String> {
    ["email", "preferred_username", "upn", "unique_name"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_comes_from_the_id_token_claims() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"x","preferred_username":"Anna@Contoso.com"}"#);
        assert_eq!(
            account_of_id_token(&format!("h.{payload}.s")).as_deref(),
            Some("Anna@Contoso.com")
        );
        let both = URL_SAFE_NO_PAD.encode(br#"{"email":"a@b.test","upn":"other@b.test"}"#);
        assert_eq!(account_of_id_token(&format!("h.{both}.s")).as_deref(), Some("a@b.test"));
        assert_eq!(account_of_id_token("not-a-jwt"), None);
    }
}
