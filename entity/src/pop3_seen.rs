//! `pop3_seen`: the POP3 unique ids (UIDL) of messages a mailbox has journaled, so a message
//! left on the server is not taken again, and one whose deletion did not happen is deleted
//! next time. Rows of ids no longer on the server are dropped after each fetch.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pop3_seen")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mailbox_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub uidl: String,
    pub seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
