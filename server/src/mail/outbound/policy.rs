//! Who may get automatic mail: never a robot address, never an address that hard-bounced in
//! the last 60 days, and never more than the loop caps allow — so two helpdesks answering
//! each other stop after a few mails. People's replies are not held back (agents get a
//! warning instead).

use chrono::{Duration, Utc};
use entity::{email_suppression, outbound_mail};
use protocol::{NotificationSettings, OutboundStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::AppResult;

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

/// Why an automatic mail to `recipient` must not go, if it must not.
pub async fn hold_automatic(
    db: &impl ConnectionTrait,
    settings: &NotificationSettings,
    recipient: &str,
    ticket_id: Option<i64>,
) -> AppResult<Option<String>> {
    if is_robot(recipient) {
        return Ok(Some(format!("{recipient} is a robot address; no automatic mail")));
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
        None => Expr::val(0),
    };
    let (total, on_ticket, suppressed): (i64, Option<i64>, Option<String>) = outbound_mail::Entity::find()
        .select_only()
        .column_as(Expr::col(outbound_mail::Column::Id).count(), "total")
        .column_as(on_ticket, "on_ticket")
        .column_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::from(suppression))),
            "suppressed",
        )
        .filter(outbound_mail::Column::Recipient.eq(recipient.to_lowercase()))
        .filter(outbound_mail::Column::Automatic.eq(true))
        .filter(outbound_mail::Column::Status.ne(OutboundStatus::Suppressed.as_str()))
        .filter(outbound_mail::Column::CreatedAt.gt(since))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None, None));
    if let Some(reason) = suppressed {
        return Ok(Some(format!(
            "{recipient} bounced recently ({reason}); no automatic mail"
        )));
    }
    let cap = i64::from(settings.auto_cap_count);
    let n = on_ticket.unwrap_or(0);
    if ticket_id.is_some() && n >= cap {
        return Ok(Some(format!(
            "loop protection: {n} automatic mails to {recipient} on this ticket in {} minutes",
            settings.auto_cap_minutes
        )));
    }
    // A loop that opens a new ticket every round escapes the per-ticket cap; this one holds.
    if total >= cap * 3 {
        return Ok(Some(format!(
            "loop protection: {total} automatic mails to {recipient} in {} minutes",
            settings.auto_cap_minutes
        )));
    }
    Ok(None)
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
