//! Who may get automatic mail: never a robot address, never an address that hard-bounced in
//! the last 60 days, and never more than the loop caps allow — so two helpdesks answering
//! each other stop after a few mails. People's replies are not held back (agents get a
//! warning instead).

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, Utc};
use entity::{email_suppression, outbound_mail};
use protocol::{NotificationSettings, OutboundStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::AppResult;
use crate::write_behind::WriteBehind;

/// Local parts that belong to machines, not people.
pub fn is_robot(email: &str) -> bool {
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    let local = local.split('+').next().unwrap_or_default();
    const EXACT: &[&str] = &[
        "mailer-daemon",
        "mailer_daemon",
        "mailerdaemon",
        "postmaster",
        "mail-daemon",
        "maildaemon",
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "bounce",
        "bounces",
        "listserv",
        "majordomo",
    ];
    EXACT.contains(&local)
        || local.starts_with("noreply")
        || local.starts_with("no-reply")
        || local.starts_with("donotreply")
        || local.starts_with("do-not-reply")
        || local.starts_with("bounce-")
        || local.starts_with("bounces-")
}

/// The reason an address hard-bounced, while its suppression lasts.
pub async fn suppressed(db: &impl ConnectionTrait, email: &str) -> AppResult<Option<String>> {
    Ok(email_suppression::Entity::find()
        .filter(email_suppression::Column::Email.eq(email.to_lowercase()))
        .filter(email_suppression::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
        .map(|s| s.reason))
}

/// Recent automatic mails to the address, those on the ticket, its live suppression, the
/// reserved row id.
type CapRow = (i64, Option<i64>, Option<String>, Option<i64>);

/// The policy's answer for one automatic mail.
#[derive(Debug, Default)]
pub struct Hold {
    /// Why the mail must not go, if it must not.
    pub reason: Option<String>,
    /// The mail's row id, taken from the sequence by the same statement when the mail is to
    /// wait in a [`WriteBehind`].
    pub reserved_id: Option<i64>,
}

/// Whether an automatic mail to `recipient` may go. `behind`: the batch's rows not yet
/// written; they count for the caps, and the mail's id is reserved to join them.
pub async fn hold_automatic(
    db: &impl ConnectionTrait,
    settings: &NotificationSettings,
    recipient: &str,
    ticket_id: Option<i64>,
    behind: Option<&WriteBehind>,
) -> AppResult<Hold> {
    if is_robot(recipient) {
        return Ok(Hold {
            reason: Some(format!("{recipient} is a robot address; no automatic mail")),
            reserved_id: None,
        });
    }
    let recipient = recipient.to_lowercase();
    let reserve = behind.is_some() && crate::backend::concurrent_writers(db);
    // A batch read the caps of its senders up front: no query of its own.
    if let Some(b) = behind.filter(|_| reserve)
        && let Some(stored) = b.caps(|c| c.recent(&recipient, ticket_id))
    {
        return Ok(Hold {
            reason: verdict(settings, &recipient, ticket_id, stored, behind),
            reserved_id: Some(b.reserve_id(db).await?),
        });
    }
    let since = Utc::now() - Duration::minutes(i64::from(settings.auto_cap_minutes));
    // One read for all three checks: the address's live suppression, the recent automatic
    // mails to it, and how many of those belong to this ticket.
    let suppression = Query::select()
        .column(email_suppression::Column::Reason)
        .from(email_suppression::Entity)
        .and_where(email_suppression::Column::Email.eq(recipient.to_lowercase()))
        .and_where(email_suppression::Column::ExpiresAt.gt(Utc::now()))
        .limit(1)
        .to_owned();
    let on_ticket: Expr = match ticket_id {
        Some(t) => Func::sum(Expr::case(outbound_mail::Column::TicketId.eq(t), 1).finally(0)).into(),
        None => Expr::val(0i64),
    };
    // An aggregate without GROUP BY is one row: the sequence advances once.
    let next_id: Expr = if reserve {
        Expr::cust("nextval(pg_get_serial_sequence('outbound_mails', 'id'))")
    } else {
        Expr::val(Option::<i64>::None)
    };
    let row: Option<CapRow> = outbound_mail::Entity::find()
        .select_only()
        .column_as(Expr::col(outbound_mail::Column::Id).count(), "total")
        .column_as(on_ticket, "on_ticket")
        .column_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::from(suppression))),
            "suppressed",
        )
        .column_as(next_id, "next_id")
        .filter(outbound_mail::Column::Recipient.eq(recipient.clone()))
        .filter(outbound_mail::Column::Automatic.eq(true))
        .filter(outbound_mail::Column::Status.ne(OutboundStatus::Suppressed))
        .filter(outbound_mail::Column::CreatedAt.gt(since))
        .into_tuple()
        .one(db)
        .await?;
    let (total, on_ticket, suppressed, reserved_id) = row.unwrap_or((0, None, None, None));
    let stored = Recent {
        total,
        on_ticket: on_ticket.unwrap_or(0),
        suppressed,
    };
    Ok(Hold {
        reason: verdict(settings, &recipient, ticket_id, stored, behind),
        reserved_id,
    })
}

/// What the caps ask of the stored mails to one address.
#[derive(Debug, Clone, Default)]
struct Recent {
    total: i64,
    on_ticket: i64,
    suppressed: Option<String>,
}

/// The reason to hold a mail, from the stored mails and those the batch keeps aside.
fn verdict(
    settings: &NotificationSettings,
    recipient: &str,
    ticket_id: Option<i64>,
    stored: Recent,
    behind: Option<&WriteBehind>,
) -> Option<String> {
    let (waiting, waiting_on_ticket) = behind.map_or((0, 0), |b| b.automatic_to(recipient, ticket_id));
    let (total, n) = (stored.total + waiting, stored.on_ticket + waiting_on_ticket);
    let suppressed = stored.suppressed;
    let cap = i64::from(settings.auto_cap_count);
    if let Some(reason) = suppressed {
        Some(format!("{recipient} bounced recently ({reason}); no automatic mail"))
    } else if ticket_id.is_some() && n >= cap {
        Some(format!(
            "loop protection: {n} automatic mails to {recipient} on this ticket in {} minutes",
            settings.auto_cap_minutes
        ))
    } else if total >= cap * 3 {
        // A loop that opens a new ticket every round escapes the per-ticket cap; this one holds.
        Some(format!(
            "loop protection: {total} automatic mails to {recipient} in {} minutes",
            settings.auto_cap_minutes
        ))
    } else {
        None
    }
}

/// The recent automatic mails to some addresses (by ticket) and their live suppressions, read
/// once for a batch of inbound mail whose senders its confirmations go to.
#[derive(Debug, Default)]
pub struct CapsSnapshot {
    counts: HashMap<String, HashMap<Option<i64>, i64>>,
    suppressed: HashMap<String, String>,
}

impl CapsSnapshot {
    /// Two queries for all `recipients` (lowercase).
    pub async fn read(
        db: &impl ConnectionTrait,
        settings: &NotificationSettings,
        recipients: BTreeSet<String>,
    ) -> AppResult<Self> {
        let mut snapshot = Self {
            counts: recipients.iter().map(|r| (r.clone(), HashMap::new())).collect(),
            suppressed: HashMap::new(),
        };
        if recipients.is_empty() {
            return Ok(snapshot);
        }
        let since = Utc::now() - Duration::minutes(i64::from(settings.auto_cap_minutes));
        let rows: Vec<(String, Option<i64>, i64)> = outbound_mail::Entity::find()
            .select_only()
            .column(outbound_mail::Column::Recipient)
            .column(outbound_mail::Column::TicketId)
            .column_as(Expr::col(outbound_mail::Column::Id).count(), "n")
            .filter(outbound_mail::Column::Recipient.is_in(recipients.iter().cloned()))
            .filter(outbound_mail::Column::Automatic.eq(true))
            .filter(outbound_mail::Column::Status.ne(OutboundStatus::Suppressed))
            .filter(outbound_mail::Column::CreatedAt.gt(since))
            .group_by(outbound_mail::Column::Recipient)
            .group_by(outbound_mail::Column::TicketId)
            .into_tuple()
            .all(db)
            .await?;
        for (recipient, ticket_id, n) in rows {
            snapshot.counts.entry(recipient).or_default().insert(ticket_id, n);
        }
        snapshot.suppressed = email_suppression::Entity::find()
            .filter(email_suppression::Column::Email.is_in(recipients))
            .filter(email_suppression::Column::ExpiresAt.gt(Utc::now()))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.email, s.reason))
            .collect();
        Ok(snapshot)
    }

    fn recent(&self, recipient: &str, ticket_id: Option<i64>) -> Option<Recent> {
        let by_ticket = self.counts.get(recipient)?;
        Some(Recent {
            total: by_ticket.values().sum(),
            on_ticket: ticket_id.and_then(|t| by_ticket.get(&Some(t))).copied().unwrap_or(0),
            suppressed: self.suppressed.get(recipient).cloned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_robot;

    #[test]
    fn robots_are_recognised() {
        for a in [
            "MAILER-DAEMON@mx.example.com",
            "postmaster@example.com",
            "noreply@shop.example",
            "no-reply+abc@x.test",
            "donotreply-billing@x.test",
            "bounces-123@lists.x.test",
        ] {
            assert!(is_robot(a), "{a}");
        }
        for a in [
            "carl@example.com",
            "norbert@example.com",
            "replyguy@x.test",
            "bouncer@club.test",
        ] {
            assert!(!is_robot(a), "{a}");
        }
    }
}
