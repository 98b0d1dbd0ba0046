//! The manager dashboard's figures, recomputed when tickets change (coalesced: at most a few
//! times per second, and only while someone watches).

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use entity::{category, ticket, user};
use protocol::TicketStatus;
use protocol::live::{DashboardGroup, DashboardStats, DayCount};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppResult;
// One definition of median and p90 for the dashboard and the reports.
use crate::reports::metrics::{percentile, secs_between};

/// How far back response and resolution times are measured.
const WINDOW_DAYS: i64 = 30;
/// Days in the created / resolved series.
const PER_DAY: i64 = 14;

type Row = (
    i64,                           // id
    TicketStatus,                  // status
    Option<i64>,                   // category
    Option<i64>,                   // assignee
    chrono::DateTime<Utc>,         // created
    Option<chrono::DateTime<Utc>>, // first response
    Option<chrono::DateTime<Utc>>, // resolved
    Option<chrono::DateTime<Utc>>, // due
    bool,                          // flagged overdue
);

/// `agents_online`: staff with the app open now (from the presence store, so every node's).
pub async fn compute(db: &impl ConnectionTrait, agents_online: u64) -> AppResult<DashboardStats> {
    let now = Utc::now();
    let since = now - Duration::days(WINDOW_DAYS);
    let open_states = [TicketStatus::Open, TicketStatus::Pending];
    let rows = ticket_rows(db, open_states, since).await?;
    let categories: HashMap<i64, String> = category::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let agent_ids: Vec<i64> = rows.iter().filter_map(|r| r.3).collect();
    let agents: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(agent_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();

    let today = now.date_naive();
    let mut total = Acc::default();
    let mut by_category: HashMap<Option<i64>, Acc> = HashMap::new();
    let mut by_agent: HashMap<i64, Acc> = HashMap::new();
    for r in &rows {
        let (_, status, cat, assignee, created, first, resolved, due, flagged) = r;
        let open = open_states.contains(status);
        let sample = Sample {
            open,
            unassigned: open && assignee.is_none(),
            overdue: open && crate::sla::overdue::is_overdue(*flagged, *status, *due, now),
            new_today: created.date_naive() == today,
            first_response: first.filter(|_| *created >= since).map(|f| secs_between(*created, f)),
            resolution: resolved.filter(|r| *r >= since).map(|r| secs_between(*created, r)),
        };
        total.add(&sample);
        by_category.entry(*cat).or_default().add(&sample);
        if let Some(a) = assignee {
            by_agent.entry(*a).or_default().add(&sample);
        }
    }
    let mut cats: Vec<DashboardGroup> = by_category
        .into_iter()
        .map(|(id, acc)| {
            let name = id
                .and_then(|i| categories.get(&i).cloned())
                .unwrap_or_else(|| "Uncategorised".into());
            acc.group(id, name)
        })
        .collect();
    cats.sort_by(|a, b| a.name.cmp(&b.name));
    let mut people: Vec<DashboardGroup> = by_agent
        .into_iter()
        .map(|(id, acc)| {
            let name = agents.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
            acc.group(Some(id), name)
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(DashboardStats {
        open: total.open,
        unassigned: total.unassigned,
        overdue: total.overdue,
        new_today: total.new_today,
        by_category: cats,
        by_agent: people,
        computed_at: now,
        per_day: per_day(&rows, today),
        agents_online,
        stale_mailboxes: stale_mailboxes(db).await?,
    })
}

/// The tickets the figures count: open or pending ones, and those created or resolved since `since`.
async fn ticket_rows(
    db: &impl ConnectionTrait,
    open_states: [TicketStatus; 2],
    since: chrono::DateTime<Utc>,
) -> AppResult<Vec<Row>> {
    Ok(ticket::Entity::find()
        .select_only()
        .columns([
            ticket::Column::Id,
            ticket::Column::Status,
            ticket::Column::CategoryId,
            ticket::Column::AssigneeId,
            ticket::Column::CreatedAt,
            ticket::Column::FirstResponseAt,
            ticket::Column::ResolvedAt,
            ticket::Column::DueAt,
            ticket::Column::Overdue,
        ])
        .filter(
            Condition::any()
                .add(ticket::Column::Status.is_in(open_states))
                .add(ticket::Column::CreatedAt.gte(since))
                .add(ticket::Column::ResolvedAt.gte(since)),
        )
        .into_tuple()
        .all(db)
        .await?)
}

/// The mailboxes whose "stopped fetching" alert is open (`mail::watch`).
async fn stale_mailboxes(db: &impl ConnectionTrait) -> AppResult<Vec<protocol::live::StaleMailbox>> {
    Ok(entity::mailbox::Entity::find()
        .filter(entity::mailbox::Column::StaleAlertedAt.is_not_null())
        .order_by_asc(entity::mailbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(protocol::live::StaleMailbox {
                id: m.id,
                since: m.stale_alerted_at?,
                name: m.name,
                address: m.address,
                last_fetch_at: m.last_fetch_at,
            })
        })
        .collect())
}

/// Created and resolved counts for each of the last `PER_DAY` days (UTC), oldest first.
fn per_day(rows: &[Row], today: NaiveDate) -> Vec<DayCount> {
    let first = today - Duration::days(PER_DAY - 1);
    let mut days: Vec<DayCount> = (0..PER_DAY)
        .map(|i| DayCount {
            date: first + Duration::days(i),
            created: 0,
            resolved: 0,
        })
        .collect();
    let slot = |d: NaiveDate| usize::try_from((d - first).num_days()).ok();
    for r in rows {
        if let Some(day) = slot(r.4.date_naive()).and_then(|i| days.get_mut(i)) {
            day.created += 1;
        }
        if let Some(day) = r.6.and_then(|at| slot(at.date_naive())).and_then(|i| days.get_mut(i)) {
            day.resolved += 1;
        }
    }
    days
}

struct Sample {
    open: bool,
    unassigned: bool,
    overdue: bool,
    new_today: bool,
    first_response: Option<u64>,
    resolution: Option<u64>,
}

#[derive(Default)]
struct Acc {
    open: u64,
    unassigned: u64,
    overdue: u64,
    new_today: u64,
    first_response: Vec<u64>,
    resolution: Vec<u64>,
}

impl Acc {
    fn add(&mut self, s: &Sample) {
        self.open += u64::from(s.open);
        self.unassigned += u64::from(s.unassigned);
        self.overdue += u64::from(s.overdue);
        self.new_today += u64::from(s.new_today);
        self.first_response.extend(s.first_response);
        self.resolution.extend(s.resolution);
    }

    fn group(mut self, id: Option<i64>, name: String) -> DashboardGroup {
        DashboardGroup {
            id,
            name,
            open: self.open,
            unassigned: self.unassigned,
            overdue: self.overdue,
            new_today: self.new_today,
            first_response_median_secs: percentile(&mut self.first_response, 50),
            first_response_p90_secs: percentile(&mut self.first_response, 90),
            resolution_median_secs: percentile(&mut self.resolution, 50),
            resolution_p90_secs: percentile(&mut self.resolution, 90),
        }
    }
}
