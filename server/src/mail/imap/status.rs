//! The fetch status columns of a mailbox: what the admin sees (last fetch, last error, counts)
//! and the "disabled after 5 failures in a row" rule. Re-enabling (enabled = true,
//! consecutive_failures = 0) is the admin's, in `mail::mailboxes`.

use chrono::Utc;
use entity::mailbox;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{FetchError, FetchReport};

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A fetch went through: the failure streak ends; counts grow. `note` (e.g. a mail left on the
/// server because it is too large) becomes the `last_error`, or clears it.
pub async fn record_success(
    db: &impl ConnectionTrait,
    mailbox_id: i64,
    report: &FetchReport,
    note: Option<String>,
) -> Result<(), FetchError> {
    let update = mailbox::Entity::update_many()
        .col_expr(mailbox::Column::LastFetchAt, Expr::value(Utc::now()))
        .col_expr(mailbox::Column::ConsecutiveFailures, Expr::value(0i32))
        .col_expr(mailbox::Column::LastError, Expr::value(note));
    counted(update, report)
        .filter(mailbox::Column::Id.eq(mailbox_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Adds what a fetch handled to the mailbox's counters.
fn counted(update: sea_orm::UpdateMany<mailbox::Entity>, report: &FetchReport) -> sea_orm::UpdateMany<mailbox::Entity> {
    update
        .col_expr(
            mailbox::Column::FetchedCount,
            Expr::col(mailbox::Column::FetchedCount).add(i64_of(report.fetched)),
        )
        .col_expr(
            mailbox::Column::FailedCount,
            Expr::col(mailbox::Column::FailedCount).add(i64_of(report.failed)),
        )
}

/// Mails handled before a fetch failed still count.
pub async fn record_progress(
    db: &impl ConnectionTrait,
    mailbox_id: i64,
    report: &FetchReport,
) -> Result<(), FetchError> {
    if *report == FetchReport::default() {
        return Ok(());
    }
    counted(mailbox::Entity::update_many(), report)
        .filter(mailbox::Column::Id.eq(mailbox_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The mailbox waits for an admin: the reason is shown, nothing is counted.
pub async fn record_waiting(db: &impl ConnectionTrait, mailbox_id: i64, why: &str) -> Result<(), FetchError> {
    mailbox::Entity::update_many()
        .col_expr(
            mailbox::Column::LastError,
            Expr::value(why.chars().take(2000).collect::<String>()),
        )
        .filter(mailbox::Column::Id.eq(mailbox_id))
        .exec(db)
        .await?;
    Ok(())
}

/// One more failure in a row; after `max_failures` the mailbox is disabled (seed 002: "5 errors
/// in a row connecting to the server"). Returns whether this failure disabled it.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    mailbox_id: i64,
    error: &str,
    max_failures: i32,
) -> Result<bool, FetchError> {
    let error: String = error.chars().take(2000).collect();
    mailbox::Entity::update_many()
        .col_expr(
            mailbox::Column::ConsecutiveFailures,
            Expr::col(mailbox::Column::ConsecutiveFailures).add(1),
        )
        .col_expr(mailbox::Column::LastError, Expr::value(error))
        .filter(mailbox::Column::Id.eq(mailbox_id))
        .exec(db)
        .await?;
    let disabled = mailbox::Entity::update_many()
        .col_expr(mailbox::Column::Enabled, Expr::value(false))
        .col_expr(mailbox::Column::DisabledAt, Expr::value(Utc::now()))
        .filter(mailbox::Column::Id.eq(mailbox_id))
        .filter(mailbox::Column::Enabled.eq(true))
        .filter(mailbox::Column::ConsecutiveFailures.gte(max_failures))
        .exec(db)
        .await?;
    Ok(disabled.rows_affected == 1)
}
