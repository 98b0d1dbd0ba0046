//! Reports: ticket figures over a date range, grouped by day, week, category, agent or company
//! (`GET /api/v1/reports`, and the same rows as CSV from `GET /api/v1/reports.csv`). What each
//! figure counts is defined once, on the server's `reports` module.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the rows of a report are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportGroupBy {
    /// One row per calendar day of the range (in the report's time zone), empty days included.
    Day,
    /// One row per ISO week (Monday to Sunday) touching the range, empty weeks included.
    Week,
    /// The ticket's category now.
    Category,
    /// The ticket's assignee now.
    Agent,
    /// The company of the ticket's requester.
    Company,
}

impl ReportGroupBy {
    pub const ALL: &'static [ReportGroupBy] = &[Self::Day, Self::Week, Self::Category, Self::Agent, Self::Company];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Category => "category",
            Self::Agent => "agent",
            Self::Company => "company",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|g| g.as_str() == s)
    }
}

/// The query of a report, as the server understood it (echoed in [`Report::query`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportQuery {
    /// First day, inclusive (`YYYY-MM-DD`, in `tz`).
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    pub group_by: ReportGroupBy,
    /// IANA time zone the days and weeks are cut in; `UTC` when not given.
    pub tz: String,
}

/// The figures of one group, or of the whole range (the totals).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// Stable key: the date (`YYYY-MM-DD`; for weeks, the Monday), the id, `none` for tickets
    /// without one, or `total`.
    pub key: String,
    /// What to show: the date, `2026-W48`, the name, or `No category` / `Unassigned` /
    /// `No company` / `Total`.
    pub label: String,
    pub created: u64,
    pub resolved: u64,
    pub first_response_median_secs: Option<u64>,
    pub first_response_p90_secs: Option<u64>,
    pub resolution_median_secs: Option<u64>,
    pub resolution_p90_secs: Option<u64>,
    /// Reopenings (a status change from resolved/closed back to open/pending).
    pub reopened: u64,
    /// `reopened / resolved`; `None` when nothing was resolved.
    pub reopen_rate: Option<f64>,
    pub sla_met: u64,
    pub sla_breached: u64,
    /// `sla_met / (sla_met + sla_breached)`; `None` without SLA tickets.
    pub sla_compliance: Option<f64>,
    pub csat_good: u64,
    pub csat_ok: u64,
    pub csat_bad: u64,
    /// `good / (good + ok + bad)`; `None` without ratings.
    pub csat_score: Option<f64>,
}

/// A report: one row per group, in order, and the totals over the whole range (computed over
/// all tickets, not summed: a median of medians is no median).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub query: ReportQuery,
    pub rows: Vec<ReportRow>,
    pub totals: ReportRow,
}
