//! A mailbox's OAuth2 connection as the admin API shows it: the application (provider and
//! client) an admin registers, and the grant's state. Secrets and tokens are never returned.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OAuthProvider {
    /// Microsoft Entra ID (Microsoft 365), v2.0 endpoints of `tenant`.
    Microsoft,
    Google,
    /// Any OpenID Connect provider, found by discovery from `issuer`.
    Oidc,
}

impl OAuthProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Microsoft => "microsoft",
            Self::Google => "google",
            Self::Oidc => "oidc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "microsoft" => Some(Self::Microsoft),
            "google" => Some(Self::Google),
            "oidc" => Some(Self::Oidc),
            _ => None,
        }
    }
}

/// `PUT /mailboxes/{id}/oauth`: the OAuth application the mailbox signs in with. Changing the
/// provider, tenant, issuer or client drops the grant (it belongs to the old application).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OAuthApp {
    pub provider: OAuthProvider,
    /// Microsoft: directory (tenant) id or domain; default `organizations`.
    #[serde(default)]
    pub tenant: Option<String>,
    pub client_id: String,
    /// Write-only; stored encrypted. Omitted: the stored one is kept. Empty: a public client.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// `oidc`: the issuer URL (`{issuer}/.well-known/openid-configuration` is read).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Space-separated scopes; empty = the provider's defaults for how the mailbox is used.
    #[serde(default)]
    pub scopes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OAuthStatus {
    /// An application is set, no account is connected yet.
    NotConnected,
    Connected,
    /// The provider refused the grant (revoked, expired, password changed): an admin must
    /// connect again. Only this mailbox stops.
    ReconnectNeeded,
}

/// `GET /mailboxes/{id}/oauth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthConnection {
    pub provider: OAuthProvider,
    pub tenant: Option<String>,
    pub client_id: String,
    pub has_client_secret: bool,
    pub issuer: Option<String>,
    pub scopes: String,
    /// The scopes asked for when connecting (`scopes`, or the provider's defaults).
    pub effective_scopes: String,
    pub status: OAuthStatus,
    /// The connected account (e-mail address or user principal name).
    pub account: Option<String>,
    pub last_error: Option<String>,
    pub connected_at: Option<DateTime<Utc>>,
    pub refreshed_at: Option<DateTime<Utc>>,
    pub access_expires_at: Option<DateTime<Utc>>,
    /// The redirect URI to register with the provider.
    pub redirect_uri: String,
}

/// `POST /mailboxes/{id}/oauth/connect`: where to send the admin's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthStart {
    pub authorize_url: String,
}
