//! `oauth_states`: authorization requests an admin started ("Connect"), waiting for the
//! provider's redirect. Keyed by the SHA-256 of the `state` parameter; taken (deleted) by the
//! callback, so each works once; bound to the admin (user and session epoch) and to their
//! browser (the hash of a cookie set when the request started).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_states")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub mailbox_id: i64,
    pub user_id: i64,
    pub session_epoch: i64,
    pub browser_hash: String,
    /// The PKCE code verifier, encrypted.
    pub verifier_enc: String,
    pub redirect_uri: String,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
