//! `attachments`: metadata of files attached to a ticket (and usually to one
//! of its messages). The bytes live in content-addressed storage keyed by
//! `sha256`; rows are deleted with their ticket or message.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub message_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
    /// Inline part (e.g. an image referenced from the HTML body via `cid:`).
    pub inline: bool,
    /// MIME `Content-ID` without angle brackets, if any.
    pub content_id: Option<String>,
    pub created_at: DateTimeUtc,
    /// Who uploaded it, while it is an upload (files that came with mail have none).
    pub uploaded_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::ticket::Entity",
        from = "Column::TicketId",
        to = "super::ticket::Column::Id",
        on_delete = "Cascade"
    )]
    Ticket,
    #[sea_orm(
        belongs_to = "super::message::Entity",
        from = "Column::MessageId",
        to = "super::message::Column::Id",
        on_delete = "Cascade"
    )]
    Message,
}

impl Related<super::ticket::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Ticket.def()
    }
}

impl Related<super::message::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Message.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
