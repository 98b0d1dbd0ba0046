//! Where PostgreSQL and SQLite differ, in one place. PostgreSQL serves several nodes writing at
//! once: due work is claimed with `FOR UPDATE SKIP LOCKED` (each row to exactly one node, none
//! waiting on another), and concurrent writers serialise on transaction-scoped advisory locks
//! taken in key order (no deadlocks). SQLite has one writer and one node: the same statements
//! without locks. Also the one retry schedule every queue uses (exponential, capped).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Statement};

/// What to claim: `UPDATE {table} SET {set} WHERE id IN (SELECT id FROM {table} WHERE {due}
/// ORDER BY id LIMIT n) RETURNING *`. `set` and `due` name the parameters `{lease}` (the claim's
/// end) and `{now}`; they are bound, never formatted in.
pub struct Claim<'a> {
    pub table: &'a str,
    pub set: &'a str,
    pub due: &'a str,
    pub limit: i64,
}

impl Claim<'_> {
    fn sql(&self, backend: DbBackend) -> String {
        let (lease, now, limit, lock) = match backend {
            DbBackend::Postgres => ("$1", "$2", "$3", " FOR UPDATE SKIP LOCKED"),
            _ => ("?1", "?2", "?3", ""),
        };
        let bind = |s: &str| s.replace("{lease}", lease).replace("{now}", now);
        // No second check of `due` on the outer UPDATE: PostgreSQL then plans the IN as a
        // subplan run per row, each run locking another batch (one node took every row in
        // `two_nodes_draining_one_queue_send_every_mail_exactly_once`). The locked subselect
        // already re-checks each row's newest version.
        format!(
            "UPDATE {table} SET {set} WHERE id IN (SELECT id FROM {table} WHERE {due} ORDER BY id LIMIT {limit}{lock}) \
             RETURNING *",
            table = self.table,
            set = bind(self.set),
            due = bind(self.due),
        )
    }

    /// Claims the due rows as of `now` until `lease` (in no particular order: `RETURNING`
    /// promises none).
    pub async fn run<E>(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
        lease: DateTime<Utc>,
    ) -> Result<Vec<E::Model>, sea_orm::DbErr>
    where
        E: EntityTrait,
        E::Model: FromQueryResult,
    {
        let backend = db.get_database_backend();
        let stmt = Statement::from_sql_and_values(
            backend,
            self.sql(backend),
            [lease.into(), now.into(), self.limit.into()],
        );
        E::find().from_raw_sql(stmt).all(db).await
    }
}

/// Whether several nodes may write at once (PostgreSQL): only then are row and key locks, and
/// the batched statements that assume them, worth their round trips.
pub fn concurrent_writers(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// Takes transaction-scoped locks on `keys` in ascending order (one statement), so writers that
/// share keys wait for each other instead of deadlocking; they end with the transaction.
/// Nothing to do on SQLite, whose one writer already excludes the others.
pub async fn lock_keys(db: &impl ConnectionTrait, keys: impl IntoIterator<Item = i64>) -> Result<(), sea_orm::DbErr> {
    if !concurrent_writers(db) {
        return Ok(());
    }
    let keys: std::collections::BTreeSet<i64> = keys.into_iter().collect();
    if keys.is_empty() {
        return Ok(());
    }
    // One target list, evaluated left to right: the keys are taken in this order.
    let calls: Vec<String> = keys.iter().map(|k| format!("pg_advisory_xact_lock({k})")).collect();
    db.execute_unprepared(&format!("SELECT {}", calls.join(", "))).await?;
    Ok(())
}

/// The pause before attempt `attempts + 1`: `base`, 2×, 4×… capped at `cap`.
pub fn backoff(base: Duration, attempts: i32, cap: Duration) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(0);
    let factor = 1u32.checked_shl(exp).unwrap_or(u32::MAX);
    base.max(Duration::from_secs(1)).saturating_mul(factor).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_schedule_doubles_up_to_its_cap() {
        let s = Duration::from_secs;
        let schedule: Vec<u64> = (1..=9).map(|a| backoff(s(30), a, s(3600)).as_secs()).collect();
        assert_eq!(schedule, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(s(30), 0, s(3600)), s(30), "a first attempt waits the base");
        assert_eq!(backoff(s(30), i32::MAX, s(4 * 3600)), s(4 * 3600), "no overflow");
    }

    #[test]
    fn postgres_locks_the_claimed_rows_and_sqlite_needs_not() {
        let c = Claim {
            table: "jobs",
            set: "locked_until = {lease}",
            due: "next_at <= {now}",
            limit: 5,
        };
        let pg = c.sql(DbBackend::Postgres);
        assert!(
            pg.contains("FOR UPDATE SKIP LOCKED") && pg.contains("locked_until = $1") && pg.contains("next_at <= $2")
        );
        let lite = c.sql(DbBackend::Sqlite);
        assert!(!lite.contains("SKIP LOCKED") && lite.contains("LIMIT ?3") && lite.contains("next_at <= ?2"));
    }
}
