//! The Message-IDs a batch's mails carry or refer to (their own, In-Reply-To, References, the
//! original a bounce quotes), read with ONE query once the batch holds its Message-ID locks.
//! Threading then answers "a second delivery?" and "a reply to what?" from memory instead of
//! one or two queries per mail, and each mail the batch applies is added, so a later mail of
//! the same batch sees it exactly as it would see a committed one. The tickets those ids lead
//! to and their subscribers come with them (two more queries per batch instead of two per
//! reply); those tickets are locked in id order as they are read. The subscribers go to the
//! change's memo, where the notification's facts find them ([`facts::SubscribersRead`]); the
//! ids themselves ride there too ([`Batch`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use entity::{message, subscriber, ticket};
use mail_parse::parsed::ParsedMail;
use sea_orm::sea_query::LockType;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppResult;
use crate::mail::outbound::facts;
use crate::memo::{Memo, Memoized};

/// The batch's known ids in its change's memo.
#[derive(Hash, PartialEq, Eq)]
pub struct Batch;
impl Memoized for Batch {
    type Value = Arc<KnownIds>;
}

/// Above this many distinct ids (a mail with a huge References list) threading asks the
/// database per id, as it does outside a batch.
const MAX_IDS: usize = 2_000;

/// The stored messages with one Message-ID: (message row, ticket) of the oldest and newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub first: (i64, i64),
    pub last: (i64, i64),
}

#[derive(Debug, Default)]
pub struct KnownIds {
    seen: Mutex<HashMap<String, Seen>>,
    /// The tickets those messages belong to, read with them. Each row serves one mail: the
    /// next mail of the same ticket reads it again (the first may have changed it).
    tickets: Mutex<HashMap<i64, ticket::Model>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Every id threading may look up for `mail`.
fn ids_of(mail: &ParsedMail) -> impl Iterator<Item = &String> {
    mail.message_id
        .iter()
        .chain(&mail.in_reply_to)
        .chain(&mail.references)
        .chain(&mail.classification.original_message_id)
}

impl KnownIds {
    /// Reads what is stored for the mails' ids (the tickets' subscribers into `memo`); `None`
    /// when they are too many to ask at once.
    pub async fn load<'a>(
        db: &impl ConnectionTrait,
        memo: &Memo,
        mails: impl IntoIterator<Item = &'a ParsedMail>,
    ) -> AppResult<Option<Self>> {
        let ids: BTreeSet<&String> = mails.into_iter().flat_map(ids_of).collect();
        if ids.len() > MAX_IDS {
            return Ok(None);
        }
        let known = Self::default();
        if ids.is_empty() {
            return Ok(Some(known));
        }
        let rows: Vec<(i64, i64, Option<String>)> = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .column(message::Column::TicketId)
            .column(message::Column::EmailMessageId)
            .filter(message::Column::EmailMessageId.is_in(ids.into_iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        for (id, ticket_id, message_id) in rows {
            if let Some(message_id) = message_id {
                known.record(&message_id, id, ticket_id);
            }
        }
        // The tickets the mails answer (the newest message of each id decides).
        let ticket_ids: BTreeSet<i64> = lock(&known.seen).values().map(|s| s.last.1).collect();
        if !ticket_ids.is_empty() {
            let mut query = ticket::Entity::find()
                .filter(ticket::Column::Id.is_in(ticket_ids.iter().copied()))
                .order_by_asc(ticket::Column::Id);
            if crate::backend::concurrent_writers(db) {
                // Locked here, in id order, as the UPDATE of each reply would lock them (one at a
                // time, in mail order): two batches answering the same tickets then wait for
                // each other instead of deadlocking and being redone mail by mail (the long
                // tail of `maildesk bench ingest`: see docs/PERFORMANCE.md).
                query = query.lock(LockType::NoKeyUpdate);
            }
            let tickets = query.all(db).await?;
            let mut subscribers: HashMap<i64, Vec<subscriber::Model>> =
                ticket_ids.iter().map(|id| (*id, Vec::new())).collect();
            for s in subscriber::Entity::find()
                .filter(subscriber::Column::TicketId.is_in(ticket_ids))
                .order_by_asc(subscriber::Column::Id)
                .all(db)
                .await?
            {
                subscribers.entry(s.ticket_id).or_default().push(s);
            }
            *lock(&known.tickets) = tickets.into_iter().map(|t| (t.id, t)).collect();
            for (ticket_id, list) in subscribers {
                memo.put(facts::SubscribersRead(ticket_id), list);
            }
        }
        Ok(Some(known))
    }

    /// The ticket row read with the batch's ids, once.
    pub fn take_ticket(&self, id: i64) -> Option<ticket::Model> {
        lock(&self.tickets).remove(&id)
    }

    /// A message stored with `message_id` (read, or written by the batch).
    pub fn record(&self, message_id: &str, row_id: i64, ticket_id: i64) {
        let mut seen = lock(&self.seen);
        let entry = seen.entry(message_id.to_owned()).or_insert(Seen {
            first: (row_id, ticket_id),
            last: (row_id, ticket_id),
        });
        if row_id < entry.first.0 {
            entry.first = (row_id, ticket_id);
        }
        if row_id > entry.last.0 {
            entry.last = (row_id, ticket_id);
        }
    }

    pub fn get(&self, message_id: &str) -> Option<Seen> {
        lock(&self.seen).get(message_id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::KnownIds;

    #[test]
    fn the_oldest_and_newest_message_of_an_id_are_kept() {
        let k = KnownIds::default();
        k.record("a@x", 10, 1);
        k.record("a@x", 4, 2);
        k.record("a@x", 12, 3);
        let seen = k.get("a@x").unwrap();
        assert_eq!(seen.first, (4, 2));
        assert_eq!(seen.last, (12, 3));
        assert!(k.get("b@x").is_none());
    }
}
