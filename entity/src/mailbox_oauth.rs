//! `mailbox_oauth`: a mailbox's OAuth2 application (provider, client) and its grant. The client
//! secret and both tokens are encrypted at rest with the server's key; the refresh lease makes
//! one node at a time refresh the access token (`mail::oauth::tokens`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mailbox_oauth")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mailbox_id: i64,
    /// `microsoft`, `google` or `oidc` (found by OpenID discovery from `issuer`).
    pub provider: String,
    /// Microsoft: the directory (tenant) id or domain; `organizations` when empty.
    pub tenant: Option<String>,
    pub client_id: String,
    #[serde(skip_serializing)]
    pub client_secret_enc: Option<String>,
    pub issuer: Option<String>,
    /// Space-separated; empty = the provider's defaults for how the mailbox is used.
    pub scopes: String,
    /// The account the grant belongs to (from the ID token or userinfo).
    pub account: Option<String>,
    #[serde(skip_serializing)]
    pub refresh_token_enc: Option<String>,
    #[serde(skip_serializing)]
    pub access_token_enc: Option<String>,
    pub access_expires_at: Option<DateTimeUtc>,
    /// `not_connected`, `connected` or `reconnect_needed` (the provider refused the grant).
    pub status: String,
    pub last_error: Option<String>,
    pub connected_at: Option<DateTimeUtc>,
    pub refreshed_at: Option<DateTimeUtc>,
    pub refresh_owner: Option<String>,
    pub refresh_lease_until: Option<DateTimeUtc>,
    /// When admins were told the grant needs reconnecting (cleared on reconnect).
    pub alerted_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
