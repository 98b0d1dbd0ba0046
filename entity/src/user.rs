//! `users`: every person known to the helpdesk — admins, agents and
//! customers. Owns the login identity (unique, lowercased email and optional
//! password hash) and the role; optionally belongs to a company.

use protocol::Role;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique; always stored lowercased.
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    /// Stored as `"admin"`, `"agent"` or `"customer"`.
    pub role: Role,
    pub password_hash: Option<String>,
    pub company_id: Option<i64>,
    pub is_active: bool,
    /// Carried in every token; raising it ends every session of the user at once.
    pub session_epoch: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::company::Entity",
        from = "Column::CompanyId",
        to = "super::company::Column::Id",
        on_delete = "SetNull"
    )]
    Company,
    /// Tickets this user opened (`tickets.requester_id`).
    #[sea_orm(has_many = "super::ticket::Entity", via_rel = "Relation::Requester")]
    RequestedTickets,
    /// Tickets assigned to this user (`tickets.assignee_id`).
    #[sea_orm(has_many = "super::ticket::Entity", via_rel = "Relation::Assignee")]
    AssignedTickets,
    #[sea_orm(has_many = "super::category_agent::Entity")]
    CategoryAgents,
    #[sea_orm(has_many = "super::message::Entity")]
    Messages,
    #[sea_orm(has_many = "super::subscriber::Entity")]
    Subscribers,
    #[sea_orm(has_many = "super::ticket_event::Entity")]
    TicketEvents,
    #[sea_orm(has_many = "super::canned_response::Entity")]
    CannedResponses,
}

impl Related<super::company::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Company.def()
    }
}

impl Related<super::category_agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CategoryAgents.def()
    }
}

/// Categories this agent works on, through `category_agents`.
impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        super::category_agent::Relation::Category.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::category_agent::Relation::User.def().rev())
    }
}

impl Related<super::message::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Messages.def()
    }
}

impl Related<super::subscriber::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Subscribers.def()
    }
}

impl Related<super::ticket_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TicketEvents.def()
    }
}

impl Related<super::canned_response::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CannedResponses.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
