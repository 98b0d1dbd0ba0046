//! Webhook calls from automation rules. The `webhook` action writes a delivery row in the
//! transaction of the change that caused it (no call for a change that rolled back, none lost
//! for one that committed); the [`sender`] posts it afterwards, signed ([`signature`]), and
//! retries with growing pauses until the receiver answers 2xx or the attempts run out.

pub mod payload;
pub mod sender;
pub mod signature;

use chrono::Utc;
use entity::webhook_delivery;
use protocol::RuleEvent;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::error::AppResult;
use crate::rules::model::CompiledRule;

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// Writes the delivery; returns its id. `secret` is sealed ([`crate::rules::secrets`]).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    rule: &CompiledRule,
    event: RuleEvent,
    ticket_id: i64,
    url: &str,
    secret: &str,
) -> AppResult<i64> {
    let now = Utc::now();
    let body = payload::build(db, rule, event, ticket_id, now).await?;
    let row = webhook_delivery::ActiveModel {
        rule_id: Set(Some(rule.id)),
        ticket_id: Set(Some(ticket_id)),
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        payload: Set(body),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// The host of `url`, for history lines (never the path: it may carry a token).
pub fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "an invalid address".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_names_the_host_only() {
        assert_eq!(host_of("https://hooks.example.com/t/SECRET?x=1"), "hooks.example.com");
        assert_eq!(host_of("not a url"), "an invalid address");
    }
}
