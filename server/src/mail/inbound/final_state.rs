//! The state an applied journal entry ends in, and writing it. A batch gathers its mails'
//! final states and writes them with one statement on PostgreSQL; nothing is read back (the
//! entry's row holds the raw mail, which an UPDATE … RETURNING would ship back every time).

use chrono::{DateTime, Utc};
use entity::inbound_mail;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, Value};

use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalState {
    pub id: i64,
    pub status: String,
    pub kind: Option<String>,
    pub reason: Option<String>,
    pub ticket_id: Option<i64>,
    pub message_row_id: Option<i64>,
    pub thread_rule: Option<String>,
    pub processed_at: DateTime<Utc>,
}

/// Writes final states (the error is cleared: the entry went through).
pub async fn write(db: &impl ConnectionTrait, states: &[FinalState]) -> AppResult<()> {
    if states.is_empty() {
        return Ok(());
    }
    if crate::backend::concurrent_writers(db) {
        return write_together(db, states).await;
    }
    for s in states {
        inbound_mail::Entity::update_many()
            .col_expr(inbound_mail::Column::Status, Expr::value(s.status.clone()))
            .col_expr(inbound_mail::Column::Kind, Expr::value(s.kind.clone()))
            .col_expr(inbound_mail::Column::Reason, Expr::value(s.reason.clone()))
            .col_expr(inbound_mail::Column::Error, Expr::value(Option::<String>::None))
            .col_expr(inbound_mail::Column::TicketId, Expr::value(s.ticket_id))
            .col_expr(inbound_mail::Column::MessageRowId, Expr::value(s.message_row_id))
            .col_expr(inbound_mail::Column::ThreadRule, Expr::value(s.thread_rule.clone()))
            .col_expr(inbound_mail::Column::ProcessedAt, Expr::value(s.processed_at))
            .filter(inbound_mail::Column::Id.eq(s.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// One `UPDATE … FROM (VALUES …)` for all of them; every value is a bound, typed parameter.
async fn write_together(db: &impl ConnectionTrait, states: &[FinalState]) -> AppResult<()> {
    let mut rows = Vec::with_capacity(states.len());
    let mut values: Vec<Value> = Vec::with_capacity(states.len() * 8);
    for (i, s) in states.iter().enumerate() {
        let p = i * 8;
        rows.push(format!(
            "(${}::bigint, ${}::text, ${}::text, ${}::text, ${}::bigint, ${}::bigint, ${}::text, ${}::timestamptz)",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7,
            p + 8
        ));
        values.extend([
            s.id.into(),
            s.status.clone().into(),
            s.kind.clone().into(),
            s.reason.clone().into(),
            s.ticket_id.into(),
            s.message_row_id.into(),
            s.thread_rule.clone().into(),
            s.processed_at.into(),
        ]);
    }
    let sql = format!(
        "UPDATE inbound_mails AS m SET status = v.status, kind = v.kind, reason = v.reason, error = NULL, \
         ticket_id = v.ticket_id, message_row_id = v.message_row_id, thread_rule = v.thread_rule, \
         processed_at = v.processed_at \
         FROM (VALUES {}) AS v(id, status, kind, reason, ticket_id, message_row_id, thread_rule, processed_at) \
         WHERE m.id = v.id",
        rows.join(", ")
    );
    db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
        .await?;
    Ok(())
}
