//! One-time tickets for the few URLs a browser opens itself and cannot put a header on (the
//! WebSocket, download links, inline images). A URL ends up in proxy logs, browser history and
//! `Referer` headers, so it never carries the access token: it carries an opaque random ticket
//! that works once, within seconds, and only as the user who asked for it.
//!
//! Kept in memory by default; in Redis when configured, so a ticket fetched from one node opens
//! a socket on another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};

/// Who a ticket lets in, and for how long what it opens may last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub user_id: i64,
    pub session_epoch: i64,
    pub only_ticket: Option<i64>,
    /// The end of the credential the ticket was bought with (Unix seconds).
    pub ends: i64,
    /// The ticket's own end (Unix milliseconds), checked on use whatever the store's expiry.
    pub expires_at_ms: i64,
}

#[async_trait]
pub trait TicketStore: Send + Sync {
    async fn put(&self, ticket: &str, grant: &Grant, ttl: Duration) -> anyhow::Result<()>;
    /// The grant of `ticket`, removed in the same step: of two uses, one gets it.
    async fn take(&self, ticket: &str) -> anyhow::Result<Option<Grant>>;
}

#[derive(Default)]
pub struct MemoryTickets {
    entries: Mutex<HashMap<String, (Grant, Instant)>>,
}

#[async_trait]
impl TicketStore for MemoryTickets {
    async fn put(&self, ticket: &str, grant: &Grant, ttl: Duration) -> anyhow::Result<()> {
        // A poisoned lock only means another thread panicked mid-insert; the map is usable.
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, (_, until)| *until > now);
        map.insert(ticket.to_owned(), (grant.clone(), now + ttl));
        Ok(())
    }

    async fn take(&self, ticket: &str) -> anyhow::Result<Option<Grant>> {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(map
            .remove(ticket)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(grant, _)| grant))
    }
}

pub struct RedisTickets {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisTickets {
    pub fn new(conn: ConnectionManager, prefix: impl Into<String>) -> Self {
        Self {
            conn,
            prefix: prefix.into(),
        }
    }

    fn key(&self, ticket: &str) -> String {
        format!("{}url-ticket:{ticket}", self.prefix)
    }
}

#[async_trait]
impl TicketStore for RedisTickets {
    async fn put(&self, ticket: &str, grant: &Grant, ttl: Duration) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let _: () = redis::cmd("SET")
            .arg(self.key(ticket))
            .arg(serde_json::to_string(grant)?)
            .arg("PX")
            .arg(ms)
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    async fn take(&self, ticket: &str) -> anyhow::Result<Option<Grant>> {
        let mut conn = self.conn.clone();
        let raw: Option<String> = redis::cmd("GETDEL")
            .arg(self.key(ticket))
            .query_async(&mut conn)
            .await?;
        Ok(raw.map(|r| serde_json::from_str(&r)).transpose()?)
    }
}

/// A ticket for `user`, valid once for `auth.url_ticket_ttl_secs`.
pub async fn issue(ctx: &AppContext, user: &CurrentUser) -> AppResult<protocol::UrlTicket> {
    use rand::Rng;
    let ticket = hex::encode(rand::rng().random::<[u8; 32]>());
    let ttl = ctx.settings().auth.url_ticket_ttl_secs.max(1);
    let ttl_ms = i64::try_from(ttl.saturating_mul(1000)).unwrap_or(i64::MAX);
    let grant = Grant {
        user_id: user.id,
        session_epoch: user.session_epoch,
        only_ticket: user.only_ticket,
        ends: user.session_ends,
        expires_at_ms: Utc::now().timestamp_millis().saturating_add(ttl_ms),
    };
    ctx.url_tickets()
        .put(&ticket, &grant, Duration::from_secs(ttl))
        .await
        .map_err(|e| AppError::Internal(e.context("storing a URL ticket")))?;
    Ok(protocol::UrlTicket {
        ticket,
        expires_in: i64::try_from(ttl).unwrap_or(i64::MAX),
    })
}

/// The caller a ticket stands for; the ticket is used up. An unknown, used or expired ticket,
/// or one whose user was deactivated or had their sessions ended since, is refused.
pub async fn redeem(ctx: &AppContext, ticket: &str) -> AppResult<CurrentUser> {
    // Anything else is not one of ours; no need to ask the store.
    if ticket.len() != 64 || !ticket.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::Unauthorized);
    }
    let grant = ctx
        .url_tickets()
        .take(ticket)
        .await
        .map_err(|e| AppError::Internal(e.context("reading a URL ticket")))?
        .ok_or(AppError::Unauthorized)?;
    let now = Utc::now();
    if grant.expires_at_ms <= now.timestamp_millis() || grant.ends <= now.timestamp() {
        return Err(AppError::Unauthorized);
    }
    CurrentUser::load(ctx, grant.user_id, grant.session_epoch, grant.only_ticket, grant.ends).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> Grant {
        Grant {
            user_id: 7,
            session_epoch: 1,
            only_ticket: None,
            ends: 0,
            expires_at_ms: 0,
        }
    }

    #[tokio::test]
    async fn a_memory_ticket_works_once_and_not_after_its_time() {
        let store = MemoryTickets::default();
        store.put("t", &grant(), Duration::from_secs(60)).await.unwrap();
        assert_eq!(store.take("t").await.unwrap(), Some(grant()));
        assert_eq!(store.take("t").await.unwrap(), None);
        store.put("short", &grant(), Duration::ZERO).await.unwrap();
        assert_eq!(store.take("short").await.unwrap(), None);
    }
}
