//! What a report groups by: which group a ticket's event falls into, what the group is called,
//! and the order of the rows.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use protocol::{ReportGroupBy, ReportRow};

use super::metrics::Acc;
use super::period::{Period, week_label};
use super::tally::TicketFacts;

/// A group: a local day or a week's Monday (time groupings), or an id with `None` for tickets
/// without one (category, agent, company).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    Date(NaiveDate),
    Id(Option<i64>),
}

/// The group of something that happened to ticket `t` at `at`: time groupings use the instant
/// (a ticket created on Monday and resolved on Friday counts on both days), the others the
/// ticket as it is now.
pub fn key_of(group_by: ReportGroupBy, period: &Period, t: &TicketFacts, at: DateTime<Utc>) -> GroupKey {
    match group_by {
        ReportGroupBy::Day => GroupKey::Date(period.day_of(at)),
        ReportGroupBy::Week => GroupKey::Date(period.week_of(at)),
        ReportGroupBy::Category => GroupKey::Id(t.category_id),
        ReportGroupBy::Agent => GroupKey::Id(t.assignee_id),
        ReportGroupBy::Company => GroupKey::Id(t.company_id),
    }
}

/// The groups that get a row even when nothing happened in them: every day or week of the
/// range, so a chart has no gaps. Other groupings list only groups with activity.
pub fn empty_groups(group_by: ReportGroupBy, period: &Period) -> Vec<GroupKey> {
    match group_by {
        ReportGroupBy::Day => period.days().into_iter().map(GroupKey::Date).collect(),
        ReportGroupBy::Week => period.weeks().into_iter().map(GroupKey::Date).collect(),
        _ => Vec::new(),
    }
}

/// Label for tickets without a category / assignee / company.
pub fn none_label(group_by: ReportGroupBy) -> &'static str {
    match group_by {
        ReportGroupBy::Category => "No category",
        ReportGroupBy::Agent => "Unassigned",
        _ => "No company",
    }
}

/// The rows in order: by date for time groupings; otherwise by name (then id, for two agents
/// of one name), with the "none" group last.
pub fn rows(group_by: ReportGroupBy, groups: BTreeMap<GroupKey, Acc>, names: &HashMap<i64, String>) -> Vec<ReportRow> {
    let mut rows: Vec<(bool, String, i64, ReportRow)> = groups
        .into_iter()
        .map(|(key, acc)| match key {
            GroupKey::Date(d) => {
                let label = match group_by {
                    ReportGroupBy::Week => week_label(d),
                    _ => d.to_string(),
                };
                (false, String::new(), 0, acc.row(d.to_string(), label))
            }
            GroupKey::Id(Some(id)) => {
                // A deleted record's id is still a group; show the id rather than drop it.
                let name = names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
                (false, name.to_lowercase(), id, acc.row(id.to_string(), name))
            }
            GroupKey::Id(None) => (
                true,
                String::new(),
                0,
                acc.row("none".into(), none_label(group_by).into()),
            ),
        })
        .collect();
    if !matches!(group_by, ReportGroupBy::Day | ReportGroupBy::Week) {
        rows.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    }
    rows.into_iter().map(|r| r.3).collect()
}
