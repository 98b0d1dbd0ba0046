//! `rule_timer_fires`: a time-based rule fired for a ticket's quiet period that began at
//! `anchor_at` (the ticket's `updated_at` then). Unique on (rule, ticket, anchor): inserting
//! the row is how a node claims the firing. Rows go with the rule or the ticket.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "rule_timer_fires")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub rule_id: i64,
    pub ticket_id: i64,
    pub anchor_at: DateTimeUtc,
    pub fired_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
