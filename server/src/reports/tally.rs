//! Folding tickets into report groups, pure: each thing that happened to a ticket inside the
//! range (created, resolved, reopened, rated) counts once in its group and once in the totals,
//! as the definitions in the module documentation say.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use protocol::{Rating, ReportGroupBy, ReportRow};

use super::dimension::{self, GroupKey};
use super::metrics::{Acc, secs_between};
use super::period::Period;

/// What a report reads of one ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFacts {
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// The requester's company.
    pub company_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    /// `resolved_at`, or `closed_at` for a ticket closed without being resolved first.
    pub done_at: Option<DateTime<Utc>>,
    /// Its SLA targets; `None`: no SLA policy applies.
    pub sla: Option<SlaTargets>,
    pub rating: Option<(Rating, DateTime<Utc>)>,
    /// When it went from resolved/closed back to open/pending, inside the range.
    pub reopened_at: Vec<DateTime<Utc>>,
}

/// A ticket's SLA due times (either may be unset when its policy has no such target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlaTargets {
    pub first_response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
}

impl SlaTargets {
    /// Whether a ticket done at `done_at` met both targets: its first response (or, with none,
    /// its resolution) came by the first-response due time, and it was done by the resolution
    /// due time.
    pub fn met(&self, first_response_at: Option<DateTime<Utc>>, done_at: DateTime<Utc>) -> bool {
        let answered = first_response_at.unwrap_or(done_at);
        self.first_response_due_at.is_none_or(|due| answered <= due)
            && self.resolution_due_at.is_none_or(|due| done_at <= due)
    }
}

/// The rows and the totals of a report over `tickets` (any ticket with nothing inside the
/// range simply adds nothing). `names`: the names of the groups' ids.
pub fn report_rows(
    period: &Period,
    group_by: ReportGroupBy,
    tickets: &[TicketFacts],
    names: &HashMap<i64, String>,
) -> (Vec<ReportRow>, ReportRow) {
    let mut groups: BTreeMap<GroupKey, Acc> = dimension::empty_groups(group_by, period)
        .into_iter()
        .map(|k| (k, Acc::default()))
        .collect();
    let mut totals = Acc::default();
    for t in tickets {
        for (at, happening) in happenings(period, t) {
            happening.add_to(&mut totals);
            happening.add_to(groups.entry(dimension::key_of(group_by, period, t, at)).or_default());
        }
    }
    let rows = dimension::rows(group_by, groups, names);
    (rows, totals.row("total".into(), "Total".into()))
}

/// One thing that happened to a ticket, with what it adds to a group.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Happening {
    /// Created, with its first-response time if it has one.
    Created(Option<u64>),
    /// Resolved (or closed), with its resolution time and, under an SLA, whether it was met.
    Done(u64, Option<bool>),
    Reopened,
    Rated(Rating),
}

impl Happening {
    fn add_to(self, a: &mut Acc) {
        match self {
            Self::Created(first) => {
                a.created += 1;
                a.first_response.extend(first);
            }
            Self::Done(took, sla) => {
                a.resolved += 1;
                a.resolution.push(took);
                match sla {
                    Some(true) => a.sla_met += 1,
                    Some(false) => a.sla_breached += 1,
                    None => {}
                }
            }
            Self::Reopened => a.reopened += 1,
            Self::Rated(rating) => a.rate(rating),
        }
    }
}

/// Everything about `t` that falls inside the range, with when it happened.
fn happenings(period: &Period, t: &TicketFacts) -> Vec<(DateTime<Utc>, Happening)> {
    let mut out = Vec::new();
    if period.contains(t.created_at) {
        let first = t.first_response_at.map(|f| secs_between(t.created_at, f));
        out.push((t.created_at, Happening::Created(first)));
    }
    if let Some(done) = t.done_at.filter(|d| period.contains(*d)) {
        let sla = t.sla.map(|s| s.met(t.first_response_at, done));
        out.push((done, Happening::Done(secs_between(t.created_at, done), sla)));
    }
    for at in t.reopened_at.iter().filter(|at| period.contains(**at)) {
        out.push((*at, Happening::Reopened));
    }
    if let Some((rating, at)) = t.rating.filter(|(_, at)| period.contains(*at)) {
        out.push((at, Happening::Rated(rating)));
    }
    out
}

#[cfg(test)]
mod tests;
