//! Rows a batch of inbound mail writes but never reads back inside its own transaction — the
//! outbound mails it queues and the "created" lines of the tickets it opens — kept aside and
//! written with one multi-row INSERT per table just before the batch commits. They become
//! visible at the same commit as before; only the statements per mail go down.
//!
//! An outbound mail needs its id at once (callers report it): ids are taken from the table's
//! sequence ahead, a block at a time, or by the mail's own policy check (PostgreSQL only;
//! elsewhere the mail is written at once). The loop caps count the mails waiting here too,
//! and the caps of the batch's senders (its confirmations' recipients) are read once.

use std::sync::Mutex;

use entity::{outbound_mail, ticket_event};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};

use crate::error::{AppError, AppResult};
use crate::mail::outbound::policy::CapsSnapshot;

#[derive(Default)]
pub struct WriteBehind {
    outbound: Mutex<Vec<(Counted, outbound_mail::ActiveModel)>>,
    events: Mutex<Vec<ticket_event::ActiveModel>>,
    /// The loop caps of the batch's senders, read once (see [`CapsSnapshot`]).
    caps: Mutex<Option<CapsSnapshot>>,
    /// Outbound row ids taken from the sequence ahead, a batch's worth at a time.
    ids: Mutex<Vec<i64>>,
}

/// Ids reserved per trip to the sequence.
const ID_BLOCK: i64 = 16;

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

    pub fn set_caps(&self, snapshot: CapsSnapshot) {
        *lock(&self.caps) = Some(snapshot);
    }

    pub fn caps<T>(&self, read: impl FnOnce(&CapsSnapshot) -> Option<T>) -> Option<T> {
        lock(&self.caps).as_ref().and_then(read)
    }

    /// The next outbound row id (PostgreSQL): unused ones are gaps in the sequence, no more.
    pub async fn reserve_id(&self, db: &impl ConnectionTrait) -> AppResult<i64> {
        if let Some(id) = lock(&self.ids).pop() {
            return Ok(id);
        }
        let sql = format!(
            "SELECT nextval(pg_get_serial_sequence('outbound_mails', 'id')) FROM generate_series(1, {ID_BLOCK})"
        );
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?;
        let mut ids = rows
            .iter()
            .map(|r| r.try_get_by_index::<i64>(0))
            .collect::<Result<Vec<i64>, _>>()?;
        // Handed out in ascending order (popped from the end).
        ids.sort_unstable_by(|a, b| b.cmp(a));
        let first = ids
            .pop()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the outbound id sequence returned nothing")))?;
        *lock(&self.ids) = ids;
        Ok(first)
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
