//! Rows a batch of inbound mail writes but never reads back inside its own transaction — the
//! outbound mails it queues and the "created" lines of the tickets it opens — kept aside and
//! written with one multi-row INSERT per table just before the batch commits. They become
//! visible at the same commit as before; only the statements per mail go down.
//!
//! An outbound mail needs its id at once (callers report it): the policy check that precedes
//! it takes the next value of the table's sequence in the same statement (PostgreSQL only;
//! elsewhere the mail is written at once). The loop caps count the mails waiting here too.

use std::sync::Mutex;

use entity::{outbound_mail, ticket_event};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::error::AppResult;

#[derive(Default)]
pub struct WriteBehind {
    outbound: Mutex<Vec<(Counted, outbound_mail::ActiveModel)>>,
    events: Mutex<Vec<ticket_event::ActiveModel>>,
}

/// What the loop caps ask of a waiting outbound mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// Automatic and not held back.
    pub capped: bool,
    /// Lowercase.
    pub recipient: String,
    pub ticket_id: Option<i64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl WriteBehind {
    /// An outbound mail whose id was reserved from the sequence.
    pub fn outbound(&self, counted: Counted, row: outbound_mail::ActiveModel) {
        lock(&self.outbound).push((counted, row));
    }

    pub fn event(&self, row: ticket_event::ActiveModel) {
        lock(&self.events).push(row);
    }

    /// Automatic mails waiting here that count for the loop caps of `recipient` (lowercase):
    /// (all of them, those on `ticket_id`).
    pub fn automatic_to(&self, recipient: &str, ticket_id: Option<i64>) -> (i64, i64) {
        let rows = lock(&self.outbound);
        let (mut total, mut on_ticket) = (0, 0);
        for (c, _) in rows.iter().filter(|(c, _)| c.capped && c.recipient == recipient) {
            total += 1;
            if ticket_id.is_some() && c.ticket_id == ticket_id {
                on_ticket += 1;
            }
        }
        (total, on_ticket)
    }

    /// Writes everything kept aside, inside the batch's transaction.
    pub async fn flush(&self, db: &impl ConnectionTrait) -> AppResult<()> {
        let events = std::mem::take(&mut *lock(&self.events));
        if !events.is_empty() {
            ticket_event::Entity::insert_many(events)
                .exec_without_returning(db)
                .await?;
        }
        let outbound = std::mem::take(&mut *lock(&self.outbound));
        if !outbound.is_empty() {
            let rows = outbound.into_iter().map(|(_, row)| row);
            outbound_mail::Entity::insert_many(rows)
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }
}
