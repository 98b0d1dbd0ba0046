//! A business calendar as the clock maths needs it: a time zone, working intervals per
//! weekday in minutes from local midnight, and days off. Built only through [`Calendar::parse`],
//! which checks the admin's input and names the field that is wrong.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use protocol::{Holiday, WeekHours, WorkInterval};

use crate::error::{AppError, AppResult};

pub const MINUTES_PER_DAY: u16 = 24 * 60;
/// More would be a mistake in the input, not a calendar.
pub const MAX_INTERVALS_PER_DAY: usize = 24;
pub const MAX_HOLIDAYS: usize = 1000;

/// `[start, end)` in minutes from local midnight; `end` may be 1440 (the end of the day).
pub type Interval = (u16, u16);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub tz: Tz,
    /// Monday first; each day sorted and without overlaps.
    week: [Vec<Interval>; 7],
    dates: BTreeSet<NaiveDate>,
    /// (month, day) off every year.
    yearly: BTreeSet<(u32, u32)>,
}

impl Calendar {
    pub fn parse(time_zone: &str, hours: &WeekHours, holidays: &[Holiday]) -> AppResult<Self> {
        let tz = Tz::from_str(time_zone.trim()).map_err(|_| {
            AppError::validation(format!(
                "time_zone: {time_zone:?} is not an IANA time zone (like Europe/Berlin or UTC)"
            ))
        })?;
        let mut week: [Vec<Interval>; 7] = Default::default();
        for (slot, (day, intervals)) in week.iter_mut().zip(hours.days()) {
            *slot = parse_day(day, intervals)?;
        }
        if week.iter().all(Vec::is_empty) {
            return Err(AppError::validation(
                "hours: at least one working interval is needed, or the clock would never run",
            ));
        }
        if holidays.len() > MAX_HOLIDAYS {
            return Err(AppError::validation(format!("holidays: at most {MAX_HOLIDAYS}")));
        }
        let mut dates = BTreeSet::new();
        let mut yearly = BTreeSet::new();
        for (i, h) in holidays.iter().enumerate() {
            let date = NaiveDate::parse_from_str(h.date.trim(), "%Y-%m-%d").map_err(|_| {
                AppError::validation(format!(
                    "holidays[{i}].date: {:?} is not a date like 2026-12-25",
                    h.date
                ))
            })?;
            if h.yearly {
                yearly.insert((date.month(), date.day()));
            } else {
                dates.insert(date);
            }
        }
        Ok(Self {
            tz,
            week,
            dates,
            yearly,
        })
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date) || self.yearly.contains(&(date.month(), date.day()))
    }

    /// The working intervals of a local date (none on a holiday).
    pub fn intervals(&self, date: NaiveDate) -> &[Interval] {
        if self.is_holiday(date) {
            return &[];
        }
        let day = date.weekday().num_days_from_monday() as usize;
        self.week.get(day).map_or(&[], Vec::as_slice)
    }
}

fn parse_day(day: &str, intervals: &[WorkInterval]) -> AppResult<Vec<Interval>> {
    if intervals.len() > MAX_INTERVALS_PER_DAY {
        return Err(AppError::validation(format!(
            "hours.{day}: at most {MAX_INTERVALS_PER_DAY} intervals a day"
        )));
    }
    let mut out = Vec::with_capacity(intervals.len());
    for (i, iv) in intervals.iter().enumerate() {
        let field = format!("hours.{day}[{i}]");
        let start = parse_time(&iv.start, &format!("{field}.start"))?;
        let end = parse_time(&iv.end, &format!("{field}.end"))?;
        if start >= end {
            return Err(AppError::validation(format!(
                "{field}: end {} must be after start {} (split a night shift at 24:00)",
                iv.end, iv.start
            )));
        }
        out.push((start, end));
    }
    out.sort_unstable();
    if let Some(w) = out.windows(2).find(|w| w[0].1 > w[1].0) {
        return Err(AppError::validation(format!(
            "hours.{day}: intervals {} and {} overlap",
            show(w[0]),
            show(w[1])
        )));
    }
    Ok(out)
}

/// `HH:MM`, 00:00 to 24:00.
fn parse_time(text: &str, field: &str) -> AppResult<u16> {
    let bad = || AppError::validation(format!("{field}: {text:?} is not a time like 09:30 (00:00 to 24:00)"));
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h * 60 + m > MINUTES_PER_DAY {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn show((s, e): Interval) -> String {
    format!("{:02}:{:02}–{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(start: &str, end: &str) -> WorkInterval {
        WorkInterval {
            start: start.into(),
            end: end.into(),
        }
    }

    fn err(r: AppResult<Calendar>) -> String {
        match r {
            Err(e) => e.to_string(),
            Ok(c) => panic!("expected an error, got {c:?}"),
        }
    }

    #[test]
    fn parses_hours_sorted_and_holidays() {
        let hours = WeekHours {
            mon: vec![iv("13:00", "17:00"), iv("09:00", "12:00")],
            sun: vec![iv("00:00", "24:00")],
            ..Default::default()
        };
        let holidays = [
            Holiday {
                date: "2026-12-25".into(),
                yearly: true,
                name: "Christmas".into(),
            },
            Holiday {
                date: "2026-04-03".into(),
                yearly: false,
                name: String::new(),
            },
        ];
        let cal = Calendar::parse("Europe/Berlin", &hours, &holidays).unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(cal.intervals(monday), &[(540, 720), (780, 1020)]);
        let sunday = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(cal.intervals(sunday), &[(0, 1440)]);
        assert!(cal.intervals(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).is_empty());
        // Yearly: any year; one-off: only that date.
        assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2031, 12, 25).unwrap()));
        assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2026, 4, 3).unwrap()));
        assert!(!cal.is_holiday(NaiveDate::from_ymd_opt(2027, 4, 3).unwrap()));
    }

    #[test]
    fn bad_input_names_the_field() {
        let week = |mon| WeekHours {
            mon,
            ..Default::default()
        };
        let ok = week(vec![iv("09:00", "17:00")]);
        assert!(err(Calendar::parse("Mars/Olympus", &ok, &[])).starts_with("time_zone:"));
        assert!(err(Calendar::parse("UTC", &week(vec![]), &[])).starts_with("hours:"));
        assert!(err(Calendar::parse("UTC", &week(vec![iv("9", "17:00")]), &[])).starts_with("hours.mon[0].start:"));
        assert!(err(Calendar::parse("UTC", &week(vec![iv("09:00", "24:01")]), &[])).starts_with("hours.mon[0].end:"));
        assert!(err(Calendar::parse("UTC", &week(vec![iv("09:60", "10:00")]), &[])).starts_with("hours.mon[0].start:"));
        assert!(err(Calendar::parse("UTC", &week(vec![iv("17:00", "09:00")]), &[])).starts_with("hours.mon[0]:"));
        let overlap = week(vec![iv("09:00", "12:00"), iv("11:00", "13:00")]);
        assert!(err(Calendar::parse("UTC", &overlap, &[])).contains("overlap"));
        let holiday = Holiday {
            date: "25.12.2026".into(),
            yearly: false,
            name: String::new(),
        };
        assert!(err(Calendar::parse("UTC", &ok, &[holiday])).starts_with("holidays[0].date:"));
        // Touching intervals are fine; 24:00 ends the day.
        let touching = week(vec![iv("00:00", "12:00"), iv("12:00", "24:00")]);
        assert!(Calendar::parse(" UTC ", &touching, &[]).is_ok());
    }
}
