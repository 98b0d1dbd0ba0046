//! Which ticket an inbound mail belongs to. First match wins (docs/ARCHITECTURE.md):
//! a known own Message-ID (a second delivery) → In-Reply-To → References (newest first) →
//! the original Message-ID a bounce quotes → the signed reference marker in the body → the
//! subject token, only for the requester or a subscriber of that ticket (or a staff member),
//! proven to be who the `From:` says where the mailbox enforces sender authentication (staff
//! only so) → a new ticket (linked to the token's ticket when a token was there).

use entity::{message, subscriber, ticket, user};
use mail_parse::parsed::ParsedMail;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppResult;
use crate::keys::Keys;
use crate::mail::inbound::known_ids::KnownIds;
use crate::mail::signed_ids;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The same mail was applied before (e.g. it reached two of our mailboxes).
    Duplicate { ticket_id: i64, message_row_id: i64 },
    Existing {
        ticket: Box<ticket::Model>,
        rule: &'static str,
    },
    /// A new ticket; `parent` when it follows up an existing one.
    New { parent: Option<i64>, rule: &'static str },
}

/// What the subject token (`[#123]`) may do for this mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// Join the ticket when the sender is its requester or a subscriber.
    Use,
    /// Sender authentication proved the sender: a participant joins, and so does a staff
    /// member (their own answer, written fresh with the ticket number).
    Verified,
    /// The sender is not proven (sender authentication): a participant's address gets a new
    /// ticket linked to that one, as a stranger's does.
    UnverifiedSender,
    /// Robots: only answers to our own mails thread.
    Ignore,
}

/// `known`: the batch's Message-IDs read up front (see [`KnownIds`]); without it every lookup
/// asks the database.
pub async fn thread(
    db: &impl ConnectionTrait,
    keys: &Keys,
    parsed: &ParsedMail,
    sender: &str,
    token: Token,
    known: Option<&KnownIds>,
) -> AppResult<Decision> {
    if let Some(own) = parsed.message_id.as_deref()
        && let Some((message_row_id, ticket_id)) = stored(db, known, own, Newest::No).await?
    {
        return Ok(Decision::Duplicate {
            ticket_id,
            message_row_id,
        });
    }
    let own = parsed.message_id.as_deref();
    // A References list that contains the mail's own id (a loop) must not match itself.
    let not_own = |id: &&String| Some(id.as_str()) != own;
    let in_reply_to: Vec<&String> = parsed.in_reply_to.iter().filter(not_own).collect();
    if let Some(t) = by_message_ids(db, keys, known, &in_reply_to).await? {
        return Ok(Decision::Existing {
            ticket: Box::new(t),
            rule: "in_reply_to",
        });
    }
    let references: Vec<&String> = parsed.references.iter().rev().filter(not_own).collect();
    if let Some(t) = by_message_ids(db, keys, known, &references).await? {
        return Ok(Decision::Existing {
            ticket: Box::new(t),
            rule: "references",
        });
    }
    if let Some(orig) = parsed.classification.original_message_id.as_ref()
        && let Some(t) = by_message_ids(db, keys, known, &[orig]).await?
    {
        return Ok(Decision::Existing {
            ticket: Box::new(t),
            rule: "original_message_id",
        });
    }
    let body = format!("{}\n{}", parsed.text_full, parsed.quoted.as_deref().unwrap_or_default());
    if let Some(id) = signed_ids::find_reference_marker(keys, &body)
        && let Some(t) = ticket::Entity::find_by_id(id).one(db).await?
    {
        return Ok(Decision::Existing {
            ticket: Box::new(t),
            rule: "reference_marker",
        });
    }
    if token != Token::Ignore
        && let Some(number) = parsed.ticket_token
        && let Some(t) = ticket::Entity::find_by_id(number).one(db).await?
    {
        let joins =
            is_participant(db, &t, sender).await? || (token == Token::Verified && is_staff_address(db, sender).await?);
        if joins {
            if token == Token::UnverifiedSender {
                return Ok(Decision::New {
                    parent: Some(t.id),
                    rule: "subject_token_unverified",
                });
            }
            return Ok(Decision::Existing {
                ticket: Box::new(t),
                rule: "subject_token",
            });
        }
        // A stranger quoting a ticket number must not join (or read) that conversation.
        return Ok(Decision::New {
            parent: Some(t.id),
            rule: "subject_token_stranger",
        });
    }
    Ok(Decision::New {
        parent: None,
        rule: "new",
    })
}

/// The ticket of the newest stored message with one of `ids` (tried in the given order), or
/// of one of our own signed Message-IDs.
async fn by_message_ids(
    db: &impl ConnectionTrait,
    keys: &Keys,
    known: Option<&KnownIds>,
    ids: &[&String],
) -> AppResult<Option<ticket::Model>> {
    for id in ids {
        let id = id.as_str();
        if let Some((_, ticket_id)) = stored(db, known, id, Newest::Yes).await?
            && let Some(t) = ticket_row(db, known, ticket_id).await?
        {
            return Ok(Some(t));
        }
        if let Some(ticket_id) = signed_ids::verify_message_id(keys, id)
            && let Some(t) = ticket::Entity::find_by_id(ticket_id).one(db).await?
        {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

async fn ticket_row(db: &impl ConnectionTrait, known: Option<&KnownIds>, id: i64) -> AppResult<Option<ticket::Model>> {
    match known.and_then(|k| k.take_ticket(id)) {
        Some(t) => Ok(Some(t)),
        None => Ok(ticket::Entity::find_by_id(id).one(db).await?),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Newest {
    Yes,
    No,
}

/// (message row, ticket) of the oldest or newest stored message with this Message-ID.
async fn stored(
    db: &impl ConnectionTrait,
    known: Option<&KnownIds>,
    id: &str,
    newest: Newest,
) -> AppResult<Option<(i64, i64)>> {
    if let Some(known) = known {
        return Ok(known
            .get(id)
            .map(|seen| if newest == Newest::Yes { seen.last } else { seen.first }));
    }
    let q = message::Entity::find().filter(message::Column::EmailMessageId.eq(id));
    let q = if newest == Newest::Yes {
        q.order_by_desc(message::Column::Id)
    } else {
        q.order_by_asc(message::Column::Id)
    };
    Ok(q.one(db).await?.map(|m| (m.id, m.ticket_id)))
}

/// An active admin's or agent's address.
async fn is_staff_address(db: &impl ConnectionTrait, sender: &str) -> AppResult<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(sender.to_lowercase()))
        .one(db)
        .await?
        .is_some_and(|u| u.role.is_staff() && u.is_active))
}

/// The requester or a subscriber. Not staff by their address alone: a `From:` naming an agent
/// proves nothing, and an agent's real answer threads by our signed ids before this is asked.
pub async fn is_participant(db: &impl ConnectionTrait, t: &ticket::Model, sender: &str) -> AppResult<bool> {
    let sender = sender.to_lowercase();
    if let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(sender.clone()))
        .one(db)
        .await?
        && u.id == t.requester_id
    {
        return Ok(true);
    }
    Ok(subscriber::Entity::find()
        .filter(subscriber::Column::TicketId.eq(t.id))
        .filter(subscriber::Column::Email.eq(sender))
        .one(db)
        .await?
        .is_some())
}
