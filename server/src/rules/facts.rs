//! Loading the [`Facts`] a rule is matched against, inside the caller's transaction (so rules
//! see the change that caused the event, and the changes of rules before them).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{inbound_mail, message, ticket, user};
use mail_parse::parsed::MailKind;
use protocol::MessageKind;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{AppError, AppResult};
use crate::mail::inbound::apply::kind_str;
use crate::rules::conditions::Facts;
use crate::rules::engine::MailFacts;
use crate::sla::{business_time, calendars};

/// What the facts are about beyond the ticket: the event's message and mail, its time, and
/// the business calendars the rules ask about.
pub struct Context<'a> {
    pub message_id: Option<i64>,
    pub mail: Option<&'a MailFacts>,
    pub at: DateTime<Utc>,
    pub calendars: &'a [i64],
}

pub async fn load(db: &impl ConnectionTrait, ticket_id: i64, cx: &Context<'_>) -> AppResult<Facts> {
    let (message_id, mail) = (cx.message_id, cx.mail);
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let tags = crate::tickets::write::tags(db, ticket_id).await?;
    let requester = user::Entity::find_by_id(t.requester_id).one(db).await?;
    let m = match message_id {
        Some(id) => message::Entity::find_by_id(id).one(db).await?,
        // No message came with the event: the latest public one speaks for the ticket.
        None => {
            message::Entity::find()
                .filter(message::Column::TicketId.eq(ticket_id))
                .filter(message::Column::Kind.is_in([MessageKind::Customer, MessageKind::Reply]))
                .order_by_desc(message::Column::Id)
                .one(db)
                .await?
        }
    };
    let author = match m.as_ref().and_then(|m| m.author_id) {
        Some(a) => user::Entity::find_by_id(a).one(db).await?,
        None => None,
    };
    let sender = m
        .as_ref()
        .and_then(|m| m.from_email.clone())
        .or_else(|| author.map(|a| a.email))
        .or_else(|| requester.as_ref().map(|r| r.email.clone()))
        .map(|s| s.to_lowercase());
    let auto_reply = match (mail, m.as_ref().and_then(|m| m.inbound_id)) {
        (Some(mail), _) => mail.auto_reply,
        (None, Some(inbound)) => inbound_mail::Entity::find_by_id(inbound)
            .one(db)
            .await?
            .and_then(|e| e.kind)
            .is_some_and(|k| k == kind_str(MailKind::AutoReply)),
        (None, None) => false,
    };
    let sender_verified = match mail {
        Some(mail) => mail.sender_verified,
        None => m
            .as_ref()
            .and_then(|m| m.mail_checks.as_deref())
            .and_then(|c| serde_json::from_str::<protocol::MailChecks>(c).ok())
            .and_then(|c| c.authentication)
            .is_some_and(|a| a.verified()),
    };
    let mut business_hours = HashMap::new();
    for &id in cx.calendars {
        if let Some(cal) = calendars::load(db, id).await? {
            business_hours.insert(id, business_time::is_working(&cal, cx.at));
        }
    }
    let custom_fields = crate::custom_fields::values::of_ticket(db, ticket_id)
        .await?
        .into_iter()
        .map(|(f, v)| (f.id, crate::custom_fields::values::display(&v)))
        .collect();
    Ok(Facts {
        mailbox_id: t.mailbox_id,
        recipients: mail.map(|m| m.recipients.clone()).unwrap_or_default(),
        sender,
        subject: t.subject,
        body: m.as_ref().map(|m| m.body_text.clone()).unwrap_or_default(),
        category_id: t.category_id,
        priority: t.priority,
        status: t.status,
        tags,
        company_id: requester.and_then(|r| r.company_id),
        channel: t.via,
        auto_reply,
        sender_verified,
        message_kind: m.map(|m| m.kind),
        business_hours,
        custom_fields,
    })
}
