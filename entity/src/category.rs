//! `categories`: ticket queues (unique name). Owns its agent assignments
//! (`category_agents`, deleted with it); tickets and canned responses that
//! point at a deleted category get `category_id = NULL`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "categories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub description: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::category_agent::Entity")]
    CategoryAgents,
    #[sea_orm(has_many = "super::ticket::Entity")]
    Tickets,
    #[sea_orm(has_many = "super::canned_response::Entity")]
    CannedResponses,
}

impl Related<super::category_agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CategoryAgents.def()
    }
}

/// Agents of this category, through `category_agents`.
impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        super::category_agent::Relation::User.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::category_agent::Relation::Category.def().rev())
    }
}

impl Related<super::ticket::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tickets.def()
    }
}

impl Related<super::canned_response::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CannedResponses.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
