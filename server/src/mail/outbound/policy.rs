//! Who may get automatic mail: never a robot address, never an address that hard-bounced in
//! the last 60 days, and never more than the loop caps allow — so two helpdesks answering
//! each other stop after a few mails. People's replies are not held back (agents get a
//! warning instead).

use chrono::{Duration, Utc};
use entity::{email_suppression, outbound_mail};
use protocol::{NotificationSettings, OutboundStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};

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
    let reserve = behind.is_some() && db.get_database_backend() == DbBackend::Postgres;
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
        .filter(outbound_mail::Column::Status.ne(OutboundStatus::Suppressed.as_str()))
        .filter(outbound_mail::Column::CreatedAt.gt(since))
        .into_tuple()
        .one(db)
        .await?;
    let (total, on_ticket, suppressed, reserved_id) = row.unwrap_or((0, None, None, None));
    let (waiting, waiting_on_ticket) = behind.map_or((0, 0), |b| b.automatic_to(&recipient, ticket_id));
    let (total, n) = (total + waiting, on_ticket.unwrap_or(0) + waiting_on_ticket);
    let cap = i64::from(settings.auto_cap_count);
    let reason = if let Some(reason) = suppressed {
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
    };
    Ok(Hold { reason, reserved_id })
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
