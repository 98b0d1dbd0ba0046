//! Watching the fetchers: a mailbox that has failed and fetched nothing for longer than
//! `mail.stale_alert_minutes` is reported to every admin by mail (template `mailbox_stale`) and
//! on the dashboard; once it fetches again they get `mailbox_recovered`. Every node checks; the
//! alert is claimed by a conditional UPDATE of `stale_alerted_at` in the same transaction that
//! queues its mails, so each outage is reported exactly once, however many nodes look.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{mailbox, user};
use protocol::Role;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::change::Change;
use crate::context::AppContext;
use crate::error::AppResult;
use crate::mail::outbound::compose::{Draft, Person};
use crate::mail::outbound::notification_settings;
use crate::mail::outbound::queue::{self, Outgoing};

/// What one check did (mailbox ids).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Watched {
    pub alerted: Vec<i64>,
    pub recovered: Vec<i64>,
}

/// The mailboxes that fetch from a server and have been failing, with nothing fetched, since
/// before `now - stale_alert_minutes` (the dashboard's warning and the alert use this).
pub async fn stale(db: &impl ConnectionTrait, minutes: u64, now: DateTime<Utc>) -> AppResult<Vec<mailbox::Model>> {
    let cutoff = now - chrono::Duration::minutes(i64::try_from(Ord::max(minutes, 1)).unwrap_or(i64::MAX / 60_000));
    Ok(mailbox::Entity::find()
        .filter(crate::mail::mailboxes::fetches_condition())
        .filter(mailbox::Column::ConsecutiveFailures.gt(0))
        .filter(
            Condition::any().add(mailbox::Column::LastFetchAt.lt(cutoff)).add(
                Condition::all()
                    .add(mailbox::Column::LastFetchAt.is_null())
                    .add(mailbox::Column::CreatedAt.lt(cutoff)),
            ),
        )
        .order_by_asc(mailbox::Column::Id)
        .all(db)
        .await?)
}

/// One check against the instant `now` (a parameter, so tests need not wait).
pub async fn run_once(ctx: &AppContext, now: DateTime<Utc>) -> AppResult<Watched> {
    let db = ctx.db();
    let mut watched = Watched::default();
    let minutes = ctx.settings().mail.stale_alert_minutes;
    for m in stale(db, minutes, now).await? {
        if m.stale_alerted_at.is_some() {
            continue;
        }
        let change = Change::open(ctx, None).await?;
        let txn = change.db();
        let claimed = mailbox::Entity::update_many()
            .col_expr(mailbox::Column::StaleAlertedAt, Expr::value(now))
            .filter(mailbox::Column::Id.eq(m.id))
            .filter(mailbox::Column::StaleAlertedAt.is_null())
            .exec(txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue; // another node reported it
        }
        let since = m.last_fetch_at.map_or_else(
            || "it was set up".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
        let text = format!(
            "The mailbox {} <{}> has fetched no mail since {since}: every attempt in the last {minutes} minutes failed.\n\nLast error: {}\n\nCustomers' mail is waiting on the server and will be fetched once the connection works again. Check the mailbox under Admin → Mailboxes.\n",
            m.name,
            m.address,
            m.last_error.as_deref().unwrap_or("(none recorded)"),
        );
        let subject = format!("Mailbox {} stopped fetching", m.address);
        tell_admins(&change, "mailbox_stale", &subject, &text).await?;
        change.commit().await?;
        tracing::warn!(mailbox = m.id, "mailbox stopped fetching; admins told");
        watched.alerted.push(m.id);
    }
    // Back: fetched since the alert (or no longer fetches from a server at all).
    let back = mailbox::Entity::find()
        .filter(mailbox::Column::StaleAlertedAt.is_not_null())
        .filter(
            Condition::any()
                .add(crate::mail::mailboxes::fetches_condition().not())
                .add(
                    Condition::all()
                        .add(mailbox::Column::ConsecutiveFailures.eq(0))
                        .add(Expr::col(mailbox::Column::LastFetchAt).gt(Expr::col(mailbox::Column::StaleAlertedAt))),
                ),
        )
        .all(db)
        .await?;
    for m in back {
        let change = Change::open(ctx, None).await?;
        let txn = change.db();
        let claimed = mailbox::Entity::update_many()
            .col_expr(
                mailbox::Column::StaleAlertedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(mailbox::Column::Id.eq(m.id))
            .filter(mailbox::Column::StaleAlertedAt.eq(m.stale_alerted_at))
            .exec(txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        if crate::mail::mailboxes::fetches(&m) {
            let subject = format!("Mailbox {} is fetching again", m.address);
            let text = format!(
                "The mailbox {} <{}> fetched mail again at {}.\n",
                m.name,
                m.address,
                m.last_fetch_at.unwrap_or(now).format("%Y-%m-%d %H:%M UTC"),
            );
            tell_admins(&change, "mailbox_recovered", &subject, &text).await?;
        }
        change.commit().await?;
        watched.recovered.push(m.id);
    }
    Ok(watched)
}

/// Queues one mail to each active admin, inside the claiming change (its commit wakes the
/// sender).
pub(crate) async fn tell_admins(change: &Change<'_>, template: &str, subject: &str, text: &str) -> AppResult<()> {
    let (ctx, txn) = (change.ctx(), change.db());
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin))
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::Id)
        .all(txn)
        .await?;
    let settings = ctx.settings();
    let notifications = notification_settings::cached(change.memo(), txn).await?;
    let env = queue::Env {
        behind: None,
        keys: ctx.keys(),
        domain: settings.mail_domain(),
        dkim: ctx.outbound().dkim.as_ref(),
        notifications: &notifications,
    };
    for admin in admins {
        let draft = Draft::system(
            Person {
                name: Some(settings.outbound.from_name.clone()),
                email: settings.outbound.from_email.clone(),
            },
            Person {
                name: Some(admin.name.clone()),
                email: admin.email.clone(),
            },
            subject,
            text,
        );
        queue::enqueue(
            txn,
            &env,
            Outgoing {
                ticket_id: None,
                ticket_started: None,
                message_row_id: None,
                template: template.to_owned(),
                automatic: true,
                draft,
            },
        )
        .await?;
    }
    Ok(())
}

/// Every node checks once a minute (the first time a minute after start: no mailbox can have
/// been failing for long on a node that just started fetching).
pub async fn run(ctx: AppContext) {
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        if let Err(e) = run_once(&ctx, Utc::now()).await {
            tracing::warn!(error = %e, "checking for stale mailboxes failed");
        }
        // OAuth grants about to end are refreshed here too, ahead of the next fetch or send.
        if let Err(e) = crate::mail::oauth::tokens::refresh_due(&ctx).await {
            tracing::warn!(error = %e, "refreshing OAuth tokens ahead of time failed");
        }
    }
}
