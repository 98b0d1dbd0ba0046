//! `messages`: the thread of a ticket — customer mails, agent replies,
//! internal notes and system lines. Owns its attachments (deleted with the
//! message); the author is set to NULL when the user is deleted.

use protocol::MessageKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    /// Stored as `"customer"`, `"reply"`, `"note"` or `"system"`.
    pub kind: MessageKind,
    pub author_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub body_html: Option<String>,
    pub created_at: DateTimeUtc,
    /// The e-mail Message-ID (without brackets) of the mail this message came in as or went out
    /// as; threading matches In-Reply-To/References against it.
    pub email_message_id: Option<String>,
    /// The inbound journal entry it came from.
    pub inbound_id: Option<i64>,
    /// Which threading rule attached an inbound mail to this ticket.
    pub thread_rule: Option<String>,
    /// The sender's address, for inbound mail.
    pub from_email: Option<String>,
    /// The ticket version this message brought the ticket to (conflicts list what came after
    /// the version a writer saw).
    pub ticket_version: Option<i64>,
    /// What screening found on the way in (`protocol::MailChecks` as JSON), for inbound mail.
    #[sea_orm(column_type = "Text", nullable)]
    pub mail_checks: Option<String>,
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
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "SetNull"
    )]
    Author,
    #[sea_orm(has_many = "super::attachment::Entity")]
    Attachments,
}

impl Related<super::ticket::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Ticket.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
