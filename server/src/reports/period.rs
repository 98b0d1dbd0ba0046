//! The range a report covers and how instants fall into its days and weeks: whole local days
//! `from..=to` of a time zone, i.e. the instants `[from 00:00, to + 1 day 00:00)` there.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use protocol::{ReportGroupBy, ReportQuery};

use crate::error::{AppError, AppResult};

/// Longer ranges would load too much at once; a year and a day covers any yearly report.
pub const MAX_DAYS: i64 = 366;

/// The query string as sent: everything is text so each mistake gets its own message (422).
#[derive(Debug, Clone, Default)]
pub struct RawQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub group_by: Option<String>,
    pub tz: Option<String>,
}

/// A validated range in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tz: Tz,
    /// The first instant of `from`, local.
    pub start: DateTime<Utc>,
    /// The first instant after `to`, local (exclusive).
    pub end: DateTime<Utc>,
}

/// Checks the query: dates as `YYYY-MM-DD`, `from <= to`, at most [`MAX_DAYS`] days, a known
/// grouping (default `day`) and an IANA zone (default `UTC`).
pub fn parse(raw: &RawQuery) -> AppResult<(ReportQuery, Period)> {
    let from = date("from", raw.from.as_deref())?;
    let to = date("to", raw.to.as_deref())?;
    let group_by = match raw.group_by.as_deref().map(str::trim) {
        None | Some("") => ReportGroupBy::Day,
        Some(g) => ReportGroupBy::parse(g).ok_or_else(|| {
            let known: Vec<&str> = ReportGroupBy::ALL.iter().map(|g| g.as_str()).collect();
            AppError::validation(format!("group_by: {g:?} is not one of {}", known.join(", ")))
        })?,
    };
    let tz_name = raw
        .tz
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("UTC");
    let tz = Tz::from_str(tz_name).map_err(|_| {
        AppError::validation(format!(
            "tz: {tz_name:?} is not an IANA time zone (like Europe/Berlin or UTC)"
        ))
    })?;
    if from > to {
        return Err(AppError::validation(format!("from ({from}) is after to ({to})")));
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(AppError::validation(format!(
            "the range has {days} days; at most {MAX_DAYS} are allowed"
        )));
    }
    let period = Period::new(from, to, tz)?;
    let query = ReportQuery {
        from,
        to,
        group_by,
        tz: tz.name().to_owned(),
    };
    Ok((query, period))
}

fn date(field: &str, value: Option<&str>) -> AppResult<NaiveDate> {
    let value = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| AppError::validation(format!("{field}: a date like 2026-11-30 is required")))?;
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| AppError::validation(format!("{field}: {value:?} is not a date like 2026-11-30")))
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate, tz: Tz) -> AppResult<Self> {
        let next = to
            .succ_opt()
            .ok_or_else(|| AppError::validation("to: the date is out of range"))?;
        Ok(Self {
            from,
            to,
            tz,
            start: local_midnight(tz, from),
            end: local_midnight(tz, next),
        })
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// The local day of an instant.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// The Monday of the ISO week of an instant's local day.
    pub fn week_of(&self, at: DateTime<Utc>) -> NaiveDate {
        monday(self.day_of(at))
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.from.iter_days().take_while(|d| *d <= self.to).collect()
    }

    /// The Monday of every ISO week touching the range, in order (the first and last may be
    /// partial: only the days inside the range count).
    pub fn weeks(&self) -> Vec<NaiveDate> {
        monday(self.from).iter_weeks().take_while(|m| *m <= self.to).collect()
    }
}

/// `2026-W48`: the ISO week-numbering year and week.
pub fn week_label(monday: NaiveDate) -> String {
    let w = monday.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first instant of a local day. Where a DST change skips midnight (some zones switch at
/// 00:00), the day starts at the first local time that exists.
fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    (0..=4)
        .find_map(|h| tz.from_local_datetime(&(midnight + Duration::hours(h))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(from: &str, to: &str, group_by: Option<&str>, tz: Option<&str>) -> RawQuery {
        RawQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            group_by: group_by.map(Into::into),
            tz: tz.map(Into::into),
        }
    }

    fn message(r: AppResult<(ReportQuery, Period)>) -> String {
        match r {
            Err(AppError::Validation(m)) => m,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_utc_and_by_day() {
        let (q, p) = parse(&raw("2026-11-01", "2026-11-30", None, None)).unwrap();
        assert_eq!(q.group_by, ReportGroupBy::Day);
        assert_eq!(q.tz, "UTC");
        assert_eq!(p.start.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(p.end.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(p.days().len(), 30);
    }

    #[test]
    fn days_are_cut_in_the_time_zone() {
        let (_, p) = parse(&raw("2026-07-01", "2026-07-01", Some("day"), Some("Europe/Berlin"))).unwrap();
        assert_eq!(p.start.to_rfc3339(), "2026-06-30T22:00:00+00:00");
        assert_eq!(p.end.to_rfc3339(), "2026-07-01T22:00:00+00:00");
        let late = "2026-06-30T23:30:00Z".parse().unwrap();
        assert!(p.contains(late));
        assert_eq!(p.day_of(late).to_string(), "2026-07-01");
    }

    #[test]
    fn iso_weeks_start_on_monday_and_cover_the_range() {
        // 2026-11-25 is a Wednesday; 2026-12-07 a Monday.
        let (_, p) = parse(&raw("2026-11-25", "2026-12-07", Some("week"), None)).unwrap();
        let weeks: Vec<String> = p.weeks().iter().map(ToString::to_string).collect();
        assert_eq!(weeks, ["2026-11-23", "2026-11-30", "2026-12-07"]);
        let sunday = "2026-11-29T23:59:59Z".parse().unwrap();
        assert_eq!(p.week_of(sunday).to_string(), "2026-11-23");
        assert_eq!(week_label(p.week_of(sunday)), "2026-W48");
        // ISO week-numbering year: 2027-01-01 (a Friday) belongs to 2026-W53.
        assert_eq!(week_label(monday("2027-01-01".parse().unwrap())), "2026-W53");
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        assert!(message(parse(&raw("2026-11-30", "2026-11-01", None, None))).contains("after"));
        assert!(message(parse(&raw("2025-01-01", "2026-12-31", None, None))).contains("at most 366"));
        assert!(message(parse(&raw("2026-11-01", "2026-11-02", Some("month"), None))).contains("group_by"));
        assert!(message(parse(&raw("2026-11-01", "2026-11-02", None, Some("Mars/Olympus")))).contains("tz"));
        assert!(message(parse(&raw("yesterday", "2026-11-02", None, None))).contains("from"));
        assert!(message(parse(&RawQuery::default())).contains("required"));
        // A leap year's whole year plus nothing more is allowed.
        assert!(parse(&raw("2028-01-01", "2028-12-31", None, None)).is_ok());
    }
}
