//! Turning committed changes into bus events: the ticket as clients see it, the facts that
//! decide who may see it, and the new message. A batch of inbound mail publishes all its
//! changes with one read per table instead of one per mail.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{attachment, message, ticket};
use protocol::MessageKind;
use protocol::live::ChangeKind;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::directory::users::to_ref;
use crate::error::AppResult;
use crate::realtime::bus::{TicketChange, TicketFacts, next_event_id};
use crate::tickets::mapping;

/// One committed change to publish.
#[derive(Debug, Clone, Copy)]
pub struct Changed {
    pub ticket_id: i64,
    pub change: ChangeKind,
    pub message_id: Option<i64>,
    pub actor_id: Option<i64>,
}

/// The events for `changes`, in their order; a change whose ticket is gone is left out.
pub async fn load_changes(db: &impl ConnectionTrait, changes: &[Changed]) -> AppResult<Vec<TicketChange>> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let rows = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(changes.iter().map(|c| c.ticket_id)))
        .all(db)
        .await?;
    let message_ids: Vec<i64> = changes.iter().filter_map(|c| c.message_id).collect();
    let (message_rows, files) = if message_ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let rows = message::Entity::find()
            .filter(message::Column::Id.is_in(message_ids.iter().copied()))
            .all(db)
            .await?;
        let files = attachment::Entity::find()
            .filter(attachment::Column::MessageId.is_in(message_ids))
            .all(db)
            .await?;
        (rows, files)
    };
    // Requesters (and their companies), assignees and authors: one read.
    let people: HashSet<i64> = rows
        .iter()
        .flat_map(mapping::people_of)
        .chain(message_rows.iter().filter_map(|m| m.author_id))
        .collect();
    let users = mapping::user_rows(db, people).await?;
    let companies: HashMap<i64, Option<i64>> = users.iter().map(|u| (u.id, u.company_id)).collect();
    let refs: HashMap<i64, protocol::UserRef> = users.iter().map(|u| (u.id, to_ref(u))).collect();
    let facts: HashMap<i64, TicketFacts> = rows
        .iter()
        .map(|t| {
            let facts = TicketFacts {
                ticket_id: t.id,
                requester_id: t.requester_id,
                requester_company_id: companies.get(&t.requester_id).copied().flatten(),
                category_id: t.category_id,
                assignee_id: t.assignee_id,
            };
            (t.id, facts)
        })
        .collect();
    let tickets: HashMap<i64, protocol::Ticket> = mapping::tickets_with(db, rows, &refs)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut messages: HashMap<i64, protocol::Message> = mapping::messages_with(message_rows, files, &refs)
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut out = Vec::with_capacity(changes.len());
    for c in changes {
        let (Some(ticket), Some(facts)) = (tickets.get(&c.ticket_id), facts.get(&c.ticket_id)) else {
            continue;
        };
        let message = c.message_id.and_then(|id| messages.remove(&id));
        // A note is its own kind of change so that customers' sockets never hear of it.
        let change = match (&c.change, &message) {
            (ChangeKind::Message, Some(m)) if m.kind == MessageKind::Note => ChangeKind::Note,
            _ => c.change,
        };
        out.push(TicketChange {
            event_id: next_event_id(),
            change,
            ticket: ticket.clone(),
            facts: facts.clone(),
            message,
            actor_id: c.actor_id,
            at: Utc::now(),
        });
    }
    Ok(out)
}
