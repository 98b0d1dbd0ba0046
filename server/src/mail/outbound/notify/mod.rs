//! From a ticket event to the mails it causes: who gets which template, with which links,
//! from which address — all written to the outbox in the caller's transaction. The rules are
//! seed 002's settings; internal notes never appear (they are not even loaded, see facts.rs).
//!
//! This file owns the public face (the events, the report) and the run of one event, inside
//! the caller's [`Change`] (its transaction, services and memo); the parts live beside it so each can be read alone:
//! - [`rules`]: which mails an event causes (seed 002's switches),
//! - [`recipients`]: who a mail goes to,
//! - [`mail`]: building and queueing the mail of each recipient,
//! - [`rule_mail`]: an automation rule's own mail,
//! - [`preview`]: a template filled as a ticket's requester would get it.

mod mail;
mod preview;
mod recipients;
mod rule_mail;
mod rules;

use entity::user;
use protocol::EventKind;
use sea_orm::EntityTrait;

use crate::change::Change;
use crate::error::AppResult;
use crate::mail::outbound::facts::{self, TicketFacts};
use crate::mail::outbound::notification_settings;
use crate::mail::outbound::queue::Queued;
use crate::tickets::events;

// Callers name these as `notify::…`; the split into files is not theirs to know.
pub use preview::preview;
pub use rule_mail::{MailTo, RuleMail, rule_mail};

/// What happened, as far as mail is concerned.
#[derive(Debug, Clone, Copy)]
pub enum Event {
    /// A new ticket; `by_email` when it arrived as a mail (only those are confirmed).
    Created {
        ticket_id: i64,
        actor: i64,
        by_email: bool,
    },
    /// A person of staff answered publicly (in the browser or by mail).
    Reply {
        ticket_id: i64,
        message_id: i64,
        author: i64,
    },
    /// The customer (or a subscriber) wrote again.
    CustomerUpdate {
        ticket_id: i64,
        message_id: i64,
        author: i64,
    },
    Assigned {
        ticket_id: i64,
        assignee: i64,
        actor: Option<i64>,
    },
    Taken {
        ticket_id: i64,
        actor: i64,
    },
    Closed {
        ticket_id: i64,
        actor: Option<i64>,
    },
    Overdue {
        ticket_id: i64,
    },
}

impl Event {
    pub fn ticket_id(&self) -> i64 {
        match *self {
            Event::Created { ticket_id, .. }
            | Event::Reply { ticket_id, .. }
            | Event::CustomerUpdate { ticket_id, .. }
            | Event::Assigned { ticket_id, .. }
            | Event::Taken { ticket_id, .. }
            | Event::Closed { ticket_id, .. }
            | Event::Overdue { ticket_id } => ticket_id,
        }
    }

    /// Who caused it, if a person did: they are not told of their own doing.
    fn actor(&self) -> Option<i64> {
        match *self {
            Event::Created { actor, .. }
            | Event::Reply { author: actor, .. }
            | Event::CustomerUpdate { author: actor, .. }
            | Event::Taken { actor, .. } => Some(actor),
            Event::Assigned { actor, .. } | Event::Closed { actor, .. } => actor,
            Event::Overdue { .. } => None,
        }
    }
}

/// What was queued; `warnings` are for the agent (a bounced address mailed anyway).
#[derive(Debug, Default)]
pub struct Report {
    pub queued: Vec<Queued>,
    pub warnings: Vec<String>,
}

pub async fn notify(ch: &Change<'_>, event: Event) -> AppResult<Report> {
    let f = facts::load(ch.db(), ch.memo(), event.ticket_id()).await?;
    notify_with(ch, event, f).await
}

/// [`notify`] about a ticket row the caller holds as it now stands, with the people it has at
/// hand (see [`facts::load_for`]).
pub async fn notify_for(
    ch: &Change<'_>,
    event: Event,
    ticket: entity::ticket::Model,
    at_hand: &[&user::Model],
    written: Option<&entity::message::Model>,
) -> AppResult<Report> {
    let f = facts::load_for(ch.db(), ch.memo(), ticket, at_hand, written).await?;
    notify_with(ch, event, f).await
}

/// [`notify`] with the ticket's facts already at hand (a ticket just made from a mail).
pub async fn notify_with(ch: &Change<'_>, event: Event, mut f: TicketFacts) -> AppResult<Report> {
    let db = ch.db();
    let settings = notification_settings::cached(ch.memo(), db).await?;
    let ticket_id = event.ticket_id();
    let actor = event.actor();
    // Mail from a customer: the actor is the requester, loaded already.
    let actor_user = match actor {
        Some(id) if id == f.requester.id => Some(f.requester.clone()),
        Some(id) => user::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let by = rules::Actor {
        id: actor,
        name: actor_user
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "Maildesk".into()),
        user: actor_user.as_ref(),
    };
    let mut sends = rules::sends_for(ch, &settings, &f, event, &by).await?;
    let mut report = Report::default();
    // A customer's follow-up on an unassigned ticket often concerns nobody yet: then there is
    // nothing to render (the variables read the thread's files).
    sends.retain(|s| !s.recipients.is_empty());
    if sends.is_empty() {
        return Ok(report);
    }
    f.complete_thread(db).await?;
    let vars = f
        .vars(
            db,
            ch.memo(),
            &ch.ctx().settings().http.public_url,
            mail::first_message(&sends),
        )
        .await?;
    for s in sends {
        mail::send(ch, &settings, &f, &vars, s, &mut report).await?;
    }
    for w in &report.warnings {
        events::record(db, ticket_id, actor, EventKind::DeliveryWarning, None, Some(w.clone())).await?;
    }
    Ok(report)
}
