//! `tickets`: the helpdesk conversations. Owns its messages, attachments,
//! subscribers, tags and audit events (all deleted with the ticket). Points
//! at a requester (required), an optional assignee and an optional category.
//!
//! There are two relations to `users` ([`Relation::Requester`] and
//! [`Relation::Assignee`]), so this entity deliberately does **not**
//! implement `Related<user::Entity>`; join with
//! `Relation::Requester.def()` / `Relation::Assignee.def()` explicitly.
//!
//! `due_at` is the effective next due time: for a ticket under an SLA policy the earlier of
//! the open first-response and resolution targets (none while the clock is paused); without
//! one, whatever an agent set.

use protocol::{Channel, Priority, TicketStatus};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub category_id: Option<i64>,
    pub requester_id: i64,
    pub assignee_id: Option<i64>,
    /// Channel the ticket came in through (e.g. email, web).
    pub via: Channel,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub first_response_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    /// Optimistic-concurrency counter; starts at 1.
    pub version: i64,
    /// The ticket this one follows up (a reply after the follow-up window, or a stranger
    /// quoting its number).
    pub parent_ticket_id: Option<i64>,
    /// The mailbox it came in through (and replies go out from).
    pub mailbox_id: Option<i64>,
    /// The customer's rating after closing: `good`, `ok` or `bad`.
    pub rating: Option<String>,
    pub rated_at: Option<DateTimeUtc>,
    /// What the customer wrote with their rating (optional).
    #[sea_orm(column_type = "Text", nullable)]
    pub rating_comment: Option<String>,
    pub time_spent_minutes: i32,
    /// The SLA policy whose targets apply; `None`: no SLA (then `due_at` is set by hand).
    pub sla_policy_id: Option<i64>,
    pub first_response_due_at: Option<DateTimeUtc>,
    pub resolution_due_at: Option<DateTimeUtc>,
    /// Since when the SLA clock stands still (the ticket is not open).
    pub sla_paused_at: Option<DateTimeUtc>,
    /// Business seconds the clock stood still so far (due times are pushed out by it).
    pub sla_paused_secs: i64,
    /// Its due time passed while it was open or pending (set by the overdue checker).
    pub overdue: bool,
    /// When the overdue alert for the current breach was queued; cleared when the due time
    /// moves into the future, so a later breach alerts again.
    pub overdue_alerted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::category::Entity",
        from = "Column::CategoryId",
        to = "super::category::Column::Id",
        on_delete = "SetNull"
    )]
    Category,
    /// The customer who opened the ticket (`requester_id`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::RequesterId",
        to = "super::user::Column::Id",
        on_delete = "Restrict"
    )]
    Requester,
    /// The agent working on the ticket (`assignee_id`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AssigneeId",
        to = "super::user::Column::Id",
        on_delete = "SetNull"
    )]
    Assignee,
    #[sea_orm(has_many = "super::message::Entity")]
    Messages,
    #[sea_orm(has_many = "super::attachment::Entity")]
    Attachments,
    #[sea_orm(has_many = "super::subscriber::Entity")]
    Subscribers,
    #[sea_orm(has_many = "super::ticket_tag::Entity")]
    TicketTags,
    #[sea_orm(has_many = "super::ticket_event::Entity")]
    TicketEvents,
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl Related<super::message::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Messages.def()
    }
}

impl Related<super::attachment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Attachments.def()
    }
}

impl Related<super::subscriber::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Subscribers.def()
    }
}

impl Related<super::ticket_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TicketTags.def()
    }
}

impl Related<super::ticket_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TicketEvents.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
