//! `rules`: automation rules — on an event, if the conditions match (all or any), run the
//! actions. Conditions and actions are JSON text of `protocol::rules` types, validated by the
//! server before they are stored.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// Rules run in ascending position (ties by id).
    pub position: i32,
    /// `ticket_created`, `message_added`, `status_changed`, `assignment_changed`,
    /// `ticket_idle` or `due_passed`.
    pub event: String,
    /// For `ticket_idle`: hours without an update before it fires.
    pub idle_hours: Option<i32>,
    /// `all` or `any`.
    pub match_mode: String,
    /// JSON array of `protocol::rules::Condition`.
    pub conditions: String,
    /// JSON array of `protocol::rules::Action`.
    pub actions: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
