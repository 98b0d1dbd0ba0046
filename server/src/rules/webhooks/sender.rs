//! The webhook sender: claims due deliveries with a lease (on PostgreSQL skipping rows another
//! node holds, `FOR UPDATE SKIP LOCKED`), posts each, and records the outcome. A node that dies
//! mid-call leaves a lease that runs out, and the call is made again: receivers must treat the
//! `X-Maildesk-Delivery` id as an idempotency key (at-least-once, never lost).

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::webhook_delivery;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::backend::{self, Claim};
use crate::context::AppContext;
use crate::egress::{self, Egress};
use crate::error::AppResult;
use crate::rules::secrets;
use crate::rules::webhooks::signature::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use crate::rules::webhooks::{DELIVERED, FAILED, PENDING};

/// How long a claim holds a delivery: longer than one call may take.
const LEASE_SECS: i64 = 120;
const BATCH: i64 = 20;
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts before a delivery is given up (about a day of retries with [`backoff`]).
pub const MAX_ATTEMPTS: i32 = 10;
/// How often an idle sender looks for due deliveries.
const POLL: Duration = Duration::from_secs(5);

/// What one pass did, by delivery id.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub delivered: Vec<i64>,
    pub retrying: Vec<i64>,
    pub failed: Vec<i64>,
}

/// The pause before attempt `attempts + 1`: 30 s, 1 min, 2 min… capped at 4 hours.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let pause = backend::backoff(
        std::time::Duration::from_secs(30),
        attempts,
        std::time::Duration::from_secs(4 * 3600),
    );
    chrono::Duration::from_std(pause).unwrap_or_else(|_| chrono::Duration::hours(4))
}

/// Claims due deliveries as of `now` (a parameter so tests need not wait out a backoff).
async fn claim(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Vec<webhook_delivery::Model>> {
    let lease = now + chrono::Duration::seconds(LEASE_SECS);
    let mut rows = Claim {
        table: "webhook_deliveries",
        set: "lease_until = {lease}, attempts = attempts + 1",
        due: "status = 'pending' AND next_attempt_at <= {now} AND (lease_until IS NULL OR lease_until < {now})",
        limit: BATCH,
    }
    .run::<webhook_delivery::Entity>(db, now, lease)
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// One call; `Err` says why it did not count as delivered.
async fn call(client: &reqwest::Client, ctx: &AppContext, d: &webhook_delivery::Model) -> Result<(), String> {
    // A literal address never reaches the client's resolver: checked here, before connecting.
    egress::check_url(&d.url, Egress::of(ctx.settings())).map_err(|e| format!("refused: {e}"))?;
    let keys = ctx.keys();
    let secret = secrets::delivery_secret(keys, &d.secret).map_err(|e| format!("cannot sign: {e}"))?;
    let timestamp = Utc::now().timestamp();
    let response = client
        .post(&d.url)
        .timeout(CALL_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, "Maildesk-Webhook/1")
        .header(DELIVERY_HEADER, d.id.to_string())
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, sign(&secret, timestamp, &d.payload))
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| format!("request failed: {}", with_causes(&e)))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered {status}"))
    }
}

/// reqwest's message and its causes (a refused address is a cause), for `last_error`.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Records a call's outcome, unless the lease was lost meanwhile (another node took over).
async fn record(
    db: &impl ConnectionTrait,
    d: &webhook_delivery::Model,
    outcome: Result<(), String>,
    now: DateTime<Utc>,
) -> AppResult<&'static str> {
    let mut q = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(None::<DateTime<Utc>>));
    let status = match &outcome {
        Ok(()) => {
            q = q
                .col_expr(webhook_delivery::Column::Status, Expr::value(DELIVERED))
                .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(Utc::now()))
                .col_expr(webhook_delivery::Column::LastError, Expr::value(None::<String>));
            DELIVERED
        }
        Err(e) if d.attempts >= MAX_ATTEMPTS => {
            q = q
                .col_expr(webhook_delivery::Column::Status, Expr::value(FAILED))
                .col_expr(
                    webhook_delivery::Column::LastError,
                    Expr::value(format!("gave up after {} attempts: {e}", d.attempts)),
                );
            FAILED
        }
        Err(e) => {
            q = q
                .col_expr(
                    webhook_delivery::Column::NextAttemptAt,
                    Expr::value(now + backoff(d.attempts)),
                )
                .col_expr(webhook_delivery::Column::LastError, Expr::value(e.clone()));
            PENDING
        }
    };
    q.filter(webhook_delivery::Column::Id.eq(d.id))
        .filter(webhook_delivery::Column::Attempts.eq(d.attempts))
        .filter(webhook_delivery::Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(status)
}

/// Claims and calls everything due at `now`.
pub async fn run_once(ctx: &AppContext, client: &reqwest::Client, now: DateTime<Utc>) -> AppResult<Pass> {
    let mut pass = Pass::default();
    loop {
        let batch = claim(ctx.db(), now).await?;
        if batch.is_empty() {
            return Ok(pass);
        }
        for d in batch {
            let outcome = call(client, ctx, &d).await;
            if let Err(e) = &outcome {
                tracing::warn!(delivery = d.id, attempt = d.attempts, error = %e, "webhook call failed");
            }
            match record(ctx.db(), &d, outcome, now).await? {
                DELIVERED => pass.delivered.push(d.id),
                FAILED => pass.failed.push(d.id),
                _ => pass.retrying.push(d.id),
            }
        }
    }
}

/// The client webhook calls go through: no redirects (a signed body must not wander), and
/// only to addresses `egress` allows, checked on the address connected to.
pub fn client(egress: Egress) -> reqwest::Client {
    egress::http_client(egress)
}

/// This node's sender.
pub async fn run(ctx: AppContext) {
    let client = client(Egress::of(ctx.settings()));
    loop {
        if let Err(e) = run_once(&ctx, &client, Utc::now()).await {
            tracing::warn!(error = %e, "webhook pass failed; retrying shortly");
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_and_is_capped() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(60));
        assert_eq!(backoff(4), chrono::Duration::seconds(240));
        assert_eq!(backoff(30), chrono::Duration::hours(4));
    }
}
