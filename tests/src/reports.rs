//! Report fixtures: rows written straight into the tables (a report reads history, which the
//! API can only write as "now"), a deterministic random source for generating them, an
//! independent oracle that computes the figures in plain PostgreSQL SQL, and the comparisons of
//! a report with the oracle and of its CSV with its JSON.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{category, company, ticket, ticket_event, user};
use protocol::{Channel, Priority, Report, ReportRow, Role, TicketStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set, Statement};

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

pub async fn add_company(db: &DatabaseConnection, name: &str) -> i64 {
    let row = company::ActiveModel {
        name: Set(name.into()),
        domain: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    row.insert(db).await.expect("inserting a company").id
}

pub async fn add_category(db: &DatabaseConnection, name: &str) -> i64 {
    let row = category::ActiveModel {
        name: Set(name.into()),
        description: Set(String::new()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    row.insert(db).await.expect("inserting a category").id
}

/// A user without a password.
pub async fn add_user(db: &DatabaseConnection, role: Role, name: &str, company_id: Option<i64>) -> i64 {
    let row = user::ActiveModel {
        email: Set(format!("{}@{}.test", uuid::Uuid::new_v4().simple(), role.as_str())),
        name: Set(name.into()),
        role: Set(role),
        password_hash: Set(None),
        company_id: Set(company_id),
        is_active: Set(true),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    row.insert(db).await.expect("inserting a user").id
}

/// SLA due times: (first response, resolution); `None` where the policy sets no target.
pub type DueTimes = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// A ticket row as a report sees it; everything else gets a neutral value.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub requester_id: i64,
    /// `None`: open.
    pub status: Option<TicketStatus>,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<(&'static str, DateTime<Utc>)>,
    /// Some: under an SLA policy, with these due times.
    pub sla: Option<DueTimes>,
}

pub async fn add_ticket(db: &DatabaseConnection, s: &Spec) -> i64 {
    let row = ticket::ActiveModel {
        subject: Set("Report fixture".into()),
        status: Set(s.status.unwrap_or(TicketStatus::Open)),
        priority: Set(Priority::Normal),
        category_id: Set(s.category_id),
        requester_id: Set(s.requester_id),
        assignee_id: Set(s.assignee_id),
        via: Set(Channel::Email),
        created_at: Set(s.created_at),
        updated_at: Set(s.created_at),
        first_response_at: Set(s.first_response_at),
        resolved_at: Set(s.resolved_at),
        closed_at: Set(s.closed_at),
        // No due time: the overdue checker leaves these rows alone.
        due_at: Set(None),
        version: Set(1),
        rating: Set(s.rating.map(|r| r.0.to_owned())),
        rated_at: Set(s.rating.map(|r| r.1)),
        time_spent_minutes: Set(0),
        sla_policy_id: Set(s.sla.map(|_| 1)),
        first_response_due_at: Set(s.sla.and_then(|d| d.0)),
        resolution_due_at: Set(s.sla.and_then(|d| d.1)),
        sla_paused_secs: Set(0),
        overdue: Set(false),
        ..Default::default()
    };
    row.insert(db).await.expect("inserting a ticket").id
}

/// A history row, as `apply_status` writes it for a status change.
pub async fn add_event(
    db: &DatabaseConnection,
    ticket_id: i64,
    field: &str,
    old: &str,
    new: &str,
    when: DateTime<Utc>,
) {
    let row = ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        actor_id: Set(None),
        field: Set(field.into()),
        old_value: Set(Some(old.into())),
        new_value: Set(Some(new.into())),
        created_at: Set(when),
        ..Default::default()
    };
    row.insert(db).await.expect("inserting a ticket event");
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): the same data every run.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform enough in `0..n` for test data.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn secs(&mut self, max: i64) -> Duration {
        Duration::seconds(self.below(max as u64) as i64)
    }
}

/// The figures of one group as the oracle computes them (absent groups: all zero / none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub created: i64,
    pub resolved: i64,
    pub first_response: (Option<i64>, Option<i64>),
    pub resolution: (Option<i64>, Option<i64>),
    pub reopened: i64,
    pub sla_met: i64,
    pub sla_breached: i64,
    pub csat: (i64, i64, i64),
}

/// The group key of an instant column, per grouping; `total` puts everything in one group.
fn key_sql(group_by: &str, ts: &str, tz: &str) -> String {
    match group_by {
        "day" => format!("to_char(timezone('{tz}', {ts}), 'YYYY-MM-DD')"),
        // PostgreSQL's weeks are ISO weeks: they start on Monday.
        "week" => format!("to_char(date_trunc('week', timezone('{tz}', {ts})), 'YYYY-MM-DD')"),
        "category" => "COALESCE(t.category_id::text, 'none')".into(),
        "agent" => "COALESCE(t.assignee_id::text, 'none')".into(),
        "company" => "COALESCE(t.company_id::text, 'none')".into(),
        "total" => "'total'".into(),
        other => panic!("no oracle for group_by {other}"),
    }
}

/// Computes every figure of a report in SQL, following the definitions in
/// `maildesk::reports` independently of its code. PostgreSQL only.
pub async fn oracle(
    db: &DatabaseConnection,
    group_by: &str,
    tz: &str,
    from: &str,
    to: &str,
) -> BTreeMap<String, Figures> {
    let within = |ts: &str| {
        format!(
            "{ts} >= timezone('{tz}', DATE '{from}'::timestamp) AND {ts} < timezone('{tz}', (DATE '{to}' + 1)::timestamp)"
        )
    };
    let k = |ts: &str| key_sql(group_by, ts, tz);
    let tk = "WITH tk AS (SELECT tickets.*, users.company_id, COALESCE(tickets.resolved_at, tickets.closed_at) AS done_at \
              FROM tickets JOIN users ON users.id = tickets.requester_id)";
    let secs = |a: &str, b: &str| format!("EXTRACT(EPOCH FROM {a} - {b})::bigint");
    let pct = |p: &str, v: &str| format!("percentile_disc({p}) WITHIN GROUP (ORDER BY {v})");
    let fr = secs("t.first_response_at", "t.created_at");
    let res = secs("t.done_at", "t.created_at");
    let met = "(t.first_response_due_at IS NULL OR COALESCE(t.first_response_at, t.done_at) <= t.first_response_due_at) \
               AND (t.resolution_due_at IS NULL OR t.done_at <= t.resolution_due_at)";
    let created = format!(
        "{tk} SELECT {k} AS k, COUNT(*) AS a, {m} FILTER (WHERE t.first_response_at IS NOT NULL) AS b, \
         {p} FILTER (WHERE t.first_response_at IS NOT NULL) AS c, 0::bigint AS d, 0::bigint AS e \
         FROM tk t WHERE {w} GROUP BY 1",
        k = k("t.created_at"),
        m = pct("0.5", &fr),
        p = pct("0.9", &fr),
        w = within("t.created_at"),
    );
    let resolved = format!(
        "{tk} SELECT {k} AS k, COUNT(*) AS a, {m} AS b, {p} AS c, \
         COUNT(*) FILTER (WHERE t.sla_policy_id IS NOT NULL AND {met}) AS d, \
         COUNT(*) FILTER (WHERE t.sla_policy_id IS NOT NULL AND NOT ({met})) AS e \
         FROM tk t WHERE {w} GROUP BY 1",
        k = k("t.done_at"),
        m = pct("0.5", &res),
        p = pct("0.9", &res),
        w = within("t.done_at"),
    );
    let reopened = format!(
        "{tk} SELECT {k} AS k, COUNT(*) AS a, NULL::bigint AS b, NULL::bigint AS c, 0::bigint AS d, 0::bigint AS e \
         FROM ticket_events e JOIN tk t ON t.id = e.ticket_id \
         WHERE e.field = 'status' AND e.old_value IN ('resolved', 'closed') AND e.new_value IN ('open', 'pending') \
         AND {w} GROUP BY 1",
        k = k("e.created_at"),
        w = within("e.created_at"),
    );
    let csat = format!(
        "{tk} SELECT {k} AS k, COUNT(*) FILTER (WHERE t.rating = 'good') AS a, \
         COUNT(*) FILTER (WHERE t.rating = 'ok') AS b, COUNT(*) FILTER (WHERE t.rating = 'bad') AS c, \
         0::bigint AS d, 0::bigint AS e FROM tk t WHERE t.rating IS NOT NULL AND {w} GROUP BY 1",
        k = k("t.rated_at"),
        w = within("t.rated_at"),
    );
    let mut out: BTreeMap<String, Figures> = BTreeMap::new();
    for (which, sql) in [(0, created), (1, resolved), (2, reopened), (3, csat)] {
        for (key, a, b, c, d, e) in rows(db, &sql).await {
            let f = out.entry(key).or_default();
            match which {
                0 => (f.created, f.first_response) = (a, (b, c)),
                1 => (f.resolved, f.resolution, f.sla_met, f.sla_breached) = (a, (b, c), d, e),
                2 => f.reopened = a,
                _ => f.csat = (a, b.unwrap_or(0), c.unwrap_or(0)),
            }
        }
    }
    out
}

type OracleRow = (String, i64, Option<i64>, Option<i64>, i64, i64);

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<OracleRow> {
    let stmt = Statement::from_string(db.get_database_backend(), sql.to_owned());
    let rows = db
        .query_all_raw(stmt)
        .await
        .unwrap_or_else(|e| panic!("oracle query failed: {e}\n{sql}"));
    rows.iter()
        .map(|r| {
            let get = |c: &str| {
                r.try_get::<Option<i64>>("", c)
                    .unwrap_or_else(|e| panic!("column {c}: {e}"))
            };
            (
                r.try_get::<String>("", "k").expect("key column"),
                get("a").unwrap_or(0),
                get("b"),
                get("c"),
                get("d").unwrap_or(0),
                get("e").unwrap_or(0),
            )
        })
        .collect()
}

/// Asserts that a report row carries the oracle's figures (`what` names it in failures).
pub fn assert_row(what: &str, row: &ReportRow, e: &Figures) {
    let got = (row.created, row.resolved, row.reopened, row.sla_met, row.sla_breached);
    let want = (e.created, e.resolved, e.reopened, e.sla_met, e.sla_breached);
    let want = (
        want.0 as u64,
        want.1 as u64,
        want.2 as u64,
        want.3 as u64,
        want.4 as u64,
    );
    assert_eq!(got, want, "{what}: created, resolved, reopened, sla met, sla breached");
    let secs = |p: (Option<i64>, Option<i64>)| (p.0.map(|v| v as u64), p.1.map(|v| v as u64));
    assert_eq!(
        (row.first_response_median_secs, row.first_response_p90_secs),
        secs(e.first_response),
        "{what}: first response median, p90"
    );
    assert_eq!(
        (row.resolution_median_secs, row.resolution_p90_secs),
        secs(e.resolution),
        "{what}: resolution median, p90"
    );
    let csat = (e.csat.0 as u64, e.csat.1 as u64, e.csat.2 as u64);
    assert_eq!((row.csat_good, row.csat_ok, row.csat_bad), csat, "{what}: csat");
    let ratio = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
    let close = |got: Option<f64>, want: Option<f64>, name: &str| match (got, want) {
        (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{what}: {name} {g} != {w}"),
        _ => assert_eq!(got, want, "{what}: {name}"),
    };
    close(row.reopen_rate, ratio(e.reopened, e.resolved), "reopen rate");
    close(
        row.sla_compliance,
        ratio(e.sla_met, e.sla_met + e.sla_breached),
        "sla compliance",
    );
    close(
        row.csat_score,
        ratio(e.csat.0, e.csat.0 + e.csat.1 + e.csat.2),
        "csat score",
    );
}

/// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CR without LF"),
            (false, '\n') => panic!("a record must end in CRLF"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            record.push(std::mem::take(&mut field));
            records.push(std::mem::take(&mut record));
        }
    }
    assert!(record.is_empty() && field.is_empty(), "the last record ends in CRLF");
    records
}

/// Every CSV cell equals the JSON figure (as text; empty for none), totals last.
pub fn assert_same(json: &Report, csv: &[Vec<String>]) {
    assert_eq!(csv[0][..3], ["key", "label", "created"]);
    let header = &csv[0];
    let rows: Vec<&ReportRow> = json.rows.iter().chain([&json.totals]).collect();
    assert_eq!(csv.len(), rows.len() + 1, "header, rows, totals");
    for (record, row) in csv[1..].iter().zip(rows) {
        let value = serde_json::to_value(row).unwrap();
        assert_eq!(record.len(), header.len());
        for (name, cell) in header.iter().zip(record) {
            let want = match &value[name.as_str()] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match (cell.parse::<f64>(), want.parse::<f64>()) {
                // serde_json's default float parsing may be one ulp off; the figures are not.
                (Ok(a), Ok(b)) => assert!((a - b).abs() < 1e-12, "{name} of {}: {a} != {b}", row.key),
                _ => assert_eq!(cell, &want, "{name} of {}", row.key),
            }
        }
    }
}
