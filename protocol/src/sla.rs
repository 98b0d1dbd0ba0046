//! Service levels: business calendars (when the clock runs) and SLA policies (how long a
//! first response and a resolution may take, in business minutes of a calendar).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::tickets::Priority;

/// One stretch of working time within a day, local wall-clock time of the calendar's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkInterval {
    /// `HH:MM`, e.g. `09:00`.
    pub start: String,
    /// `HH:MM` after `start`; `24:00` is the end of the day.
    pub end: String,
}

/// Working hours per weekday; a day left out (or empty) is not worked. Several intervals a
/// day (a lunch break); a night shift is `22:00–24:00` one day and `00:00–06:00` the next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[serde(default)]
    pub mon: Vec<WorkInterval>,
    #[serde(default)]
    pub tue: Vec<WorkInterval>,
    #[serde(default)]
    pub wed: Vec<WorkInterval>,
    #[serde(default)]
    pub thu: Vec<WorkInterval>,
    #[serde(default)]
    pub fri: Vec<WorkInterval>,
    #[serde(default)]
    pub sat: Vec<WorkInterval>,
    #[serde(default)]
    pub sun: Vec<WorkInterval>,
}

impl WeekHours {
    /// The days in order Monday..Sunday, with their names.
    pub fn days(&self) -> [(&'static str, &[WorkInterval]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// A day off, by local date of the calendar's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Every year on this month and day (the year of `date` is then ignored).
    #[serde(default)]
    pub yearly: bool,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BusinessCalendar {
    pub id: i64,
    pub name: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub hours: WeekHours,
    pub holidays: Vec<Holiday>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create or replace a calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveCalendar {
    pub name: String,
    pub time_zone: String,
    pub hours: WeekHours,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// Targets for the tickets it matches. Of all policies matching a ticket the most specific
/// wins (the most of priority, category and company set); among equals the first by position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaPolicy {
    pub id: i64,
    pub name: String,
    /// Order in the list (ascending).
    pub position: i32,
    /// `None`: any priority.
    pub priority: Option<Priority>,
    /// `None`: any category.
    pub category_id: Option<i64>,
    /// The requester's company; `None`: anyone.
    pub company_id: Option<i64>,
    pub calendar_id: i64,
    /// Business minutes until the first agent reply is due.
    pub first_response_minutes: Option<i64>,
    /// Business minutes until the ticket must be resolved.
    pub resolution_minutes: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create or replace a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveSlaPolicy {
    pub name: String,
    /// Left out on create: after the last policy; on replace: unchanged.
    #[serde(default)]
    pub position: Option<i32>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub company_id: Option<i64>,
    pub calendar_id: i64,
    #[serde(default)]
    pub first_response_minutes: Option<i64>,
    #[serde(default)]
    pub resolution_minutes: Option<i64>,
}
