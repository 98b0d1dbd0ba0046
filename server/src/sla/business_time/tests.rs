//! The clock maths against hand-worked cases (nights, weekends, holidays, DST in both
//! directions, zones off UTC by half hours and switching at midnight) and against a
//! minute-by-minute reference that applies the definition directly.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use protocol::{Holiday, WeekHours, WorkInterval};

use super::*;
use crate::sla::calendar::Calendar;

fn iv(start: &str, end: &str) -> WorkInterval {
    WorkInterval {
        start: start.into(),
        end: end.into(),
    }
}

fn office() -> Vec<WorkInterval> {
    vec![iv("09:00", "17:00")]
}

/// Monday to Friday, 09:00–17:00.
fn weekdays(tz: &str, holidays: &[Holiday]) -> Calendar {
    let hours = WeekHours {
        mon: office(),
        tue: office(),
        wed: office(),
        thu: office(),
        fri: office(),
        ..Default::default()
    };
    Calendar::parse(tz, &hours, holidays).unwrap()
}

fn always(tz: &str) -> Calendar {
    let day = || vec![iv("00:00", "24:00")];
    let hours = WeekHours {
        mon: day(),
        tue: day(),
        wed: day(),
        thu: day(),
        fri: day(),
        sat: day(),
        sun: day(),
    };
    Calendar::parse(tz, &hours, &[]).unwrap()
}

fn holiday(date: &str, yearly: bool) -> Holiday {
    Holiday {
        date: date.into(),
        yearly,
        name: String::new(),
    }
}

/// An instant given as UTC `YYYY-MM-DD HH:MM`.
fn utc(s: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
}

/// An instant given as local wall-clock time in `tz` (unambiguous times only).
fn local(tz: &str, s: &str) -> DateTime<Utc> {
    let tz: Tz = tz.parse().unwrap();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

// 2026-11-30 is a Monday.

#[test]
fn within_one_working_day() {
    let cal = weekdays("UTC", &[]);
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 10:00"), 60),
        Some(utc("2026-11-30 11:00"))
    );
    assert_eq!(
        between(&cal, utc("2026-11-30 10:00"), utc("2026-11-30 11:00")),
        mins(60)
    );
}

#[test]
fn ending_exactly_at_closing_time_stays_on_that_day() {
    let cal = weekdays("UTC", &[]);
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 16:00"), 60),
        Some(utc("2026-11-30 17:00"))
    );
}

#[test]
fn the_night_is_skipped() {
    let cal = weekdays("UTC", &[]);
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 16:30"), 60),
        Some(utc("2026-12-01 09:30"))
    );
    assert_eq!(
        between(&cal, utc("2026-11-30 16:30"), utc("2026-12-01 09:30")),
        mins(60)
    );
}

#[test]
fn before_opening_the_clock_starts_at_opening() {
    let cal = weekdays("UTC", &[]);
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 07:00"), 30),
        Some(utc("2026-11-30 09:30"))
    );
    assert_eq!(
        between(&cal, utc("2026-11-30 00:00"), utc("2026-11-30 09:00")),
        Duration::zero()
    );
}

#[test]
fn the_weekend_is_skipped() {
    let cal = weekdays("UTC", &[]);
    // Friday 16:00 + 2h → Monday 10:00.
    assert_eq!(
        add_minutes(&cal, utc("2026-12-04 16:00"), 120),
        Some(utc("2026-12-07 10:00"))
    );
    // Starting on a Saturday.
    assert_eq!(
        add_minutes(&cal, utc("2026-12-05 12:00"), 1),
        Some(utc("2026-12-07 09:01"))
    );
    assert_eq!(
        between(&cal, utc("2026-12-04 16:00"), utc("2026-12-07 10:00")),
        mins(120)
    );
    assert_eq!(
        between(&cal, utc("2026-12-05 00:00"), utc("2026-12-07 00:00")),
        Duration::zero()
    );
}

#[test]
fn a_full_week_and_one_minute_more() {
    let cal = weekdays("UTC", &[]);
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 09:00"), 5 * 8 * 60),
        Some(utc("2026-12-04 17:00"))
    );
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 09:00"), 5 * 8 * 60 + 1),
        Some(utc("2026-12-07 09:01"))
    );
    assert_eq!(
        minutes_between(&cal, utc("2026-11-30 00:00"), utc("2026-12-07 00:00")),
        2400
    );
}

#[test]
fn several_intervals_a_day_skip_the_lunch_break() {
    let split = vec![iv("09:00", "12:00"), iv("13:00", "17:00")];
    let hours = WeekHours {
        mon: split,
        ..Default::default()
    };
    let cal = Calendar::parse("UTC", &hours, &[]).unwrap();
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 11:30"), 60),
        Some(utc("2026-11-30 13:30"))
    );
    assert_eq!(
        minutes_between(&cal, utc("2026-11-30 00:00"), utc("2026-12-01 00:00")),
        7 * 60
    );
    // Monday only: the next working time is a week later.
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 16:59"), 2),
        Some(utc("2026-12-07 09:01"))
    );
}

#[test]
fn a_night_shift_split_at_midnight_runs_through() {
    let hours = WeekHours {
        mon: vec![iv("22:00", "24:00")],
        tue: vec![iv("00:00", "06:00")],
        ..Default::default()
    };
    let cal = Calendar::parse("UTC", &hours, &[]).unwrap();
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 23:00"), 120),
        Some(utc("2026-12-01 01:00"))
    );
    assert_eq!(
        minutes_between(&cal, utc("2026-11-30 12:00"), utc("2026-12-01 12:00")),
        8 * 60
    );
}

#[test]
fn holidays_are_skipped_one_off_and_yearly() {
    // Friday 2026-12-25 (yearly) and Monday 2026-12-28 (one-off) are off.
    let cal = weekdays("UTC", &[holiday("2020-12-25", true), holiday("2026-12-28", false)]);
    // Thursday 16:00 + 2h → Tuesday 10:00.
    assert_eq!(
        add_minutes(&cal, utc("2026-12-24 16:00"), 120),
        Some(utc("2026-12-29 10:00"))
    );
    assert_eq!(
        between(&cal, utc("2026-12-24 16:00"), utc("2026-12-29 10:00")),
        mins(120)
    );
    // The yearly one recurs; the one-off does not: Friday 2027-12-24 works, Saturday is off
    // anyway, Monday 2027-12-27 works.
    assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2027, 12, 25).unwrap()));
    assert_eq!(
        add_minutes(&cal, utc("2027-12-24 16:00"), 120),
        Some(utc("2027-12-27 10:00"))
    );
}

#[test]
fn a_non_utc_zone_counts_in_local_hours() {
    let cal = weekdays("America/New_York", &[]);
    // Monday 16:30 EST (21:30 UTC) + 1h → Tuesday 09:30 EST (14:30 UTC).
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 21:30"), 60),
        Some(utc("2026-12-01 14:30"))
    );
    // Monday 08:00 UTC is 03:00 in New York: nothing worked yet.
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 08:00"), 1),
        Some(utc("2026-11-30 14:01"))
    );
    // A half-hour offset: Kolkata is UTC+05:30, so 09:00 there is 03:30 UTC.
    let cal = weekdays("Asia/Kolkata", &[]);
    assert_eq!(
        add_minutes(&cal, utc("2026-11-30 00:00"), 30),
        Some(utc("2026-11-30 04:00"))
    );
}

#[test]
fn holidays_follow_the_local_date() {
    // 2026-12-25 00:00–09:00 UTC is still 24 December in New York.
    let cal = weekdays("America/New_York", &[holiday("2026-12-25", false)]);
    // Thursday 24th 16:00 EST + 2h: Friday is off → Monday 28th 10:00 EST (15:00 UTC).
    assert_eq!(
        add_minutes(&cal, utc("2026-12-24 21:00"), 120),
        Some(utc("2026-12-28 15:00"))
    );
}

#[test]
fn spring_forward_makes_a_23_hour_day() {
    // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    let cal = always("Europe/Berlin");
    let sunday = local("Europe/Berlin", "2026-03-29 00:00");
    let monday = local("Europe/Berlin", "2026-03-30 00:00");
    assert_eq!(between(&cal, sunday, monday), Duration::hours(23));
    assert_eq!(
        add(&cal, sunday, Duration::hours(24)),
        Some(local("Europe/Berlin", "2026-03-30 01:00"))
    );
}

#[test]
fn fall_back_makes_a_25_hour_day() {
    // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET.
    let cal = always("Europe/Berlin");
    let sunday = local("Europe/Berlin", "2026-10-25 00:00");
    let monday = local("Europe/Berlin", "2026-10-26 00:00");
    assert_eq!(between(&cal, sunday, monday), Duration::hours(25));
}

#[test]
fn office_hours_across_a_dst_weekend_keep_local_times() {
    let cal = weekdays("Europe/Berlin", &[]);
    // Friday 2026-03-27 16:00 CET (15:00 UTC) + 2h → Monday 10:00 CEST (08:00 UTC).
    assert_eq!(
        add_minutes(&cal, utc("2026-03-27 15:00"), 120),
        Some(utc("2026-03-30 08:00"))
    );
    assert_eq!(
        between(&cal, utc("2026-03-27 15:00"), utc("2026-03-30 08:00")),
        mins(120)
    );
    // And back in autumn: Friday 2026-10-23 16:00 CEST (14:00 UTC) → Monday 10:00 CET (09:00 UTC).
    assert_eq!(
        add_minutes(&cal, utc("2026-10-23 14:00"), 120),
        Some(utc("2026-10-26 09:00"))
    );
}

#[test]
fn skipped_wall_clock_time_is_not_worked_and_repeated_time_is_worked_twice() {
    let hours = WeekHours {
        sun: vec![iv("01:00", "04:00")],
        ..Default::default()
    };
    let cal = Calendar::parse("Europe/Berlin", &hours, &[]).unwrap();
    // Spring: 01:00–02:00 CET and 03:00–04:00 CEST exist; 02:00–03:00 never shows.
    let ranges = working_ranges(&cal, utc("2026-03-28 12:00"), utc("2026-03-29 12:00"));
    assert_eq!(
        ranges,
        vec![
            (utc("2026-03-29 00:00"), utc("2026-03-29 01:00")),
            (utc("2026-03-29 01:00"), utc("2026-03-29 02:00"))
        ]
    );
    assert_eq!(
        between(&cal, utc("2026-03-28 12:00"), utc("2026-03-29 12:00")),
        Duration::hours(2)
    );
    // Autumn: 01:00–03:00 CEST, then 02:00–04:00 CET: four hours of wall clock in 01:00–04:00.
    assert_eq!(
        between(&cal, utc("2026-10-24 12:00"), utc("2026-10-25 12:00")),
        Duration::hours(4)
    );
    assert_eq!(
        add(&cal, utc("2026-10-24 12:00"), Duration::hours(3)),
        Some(utc("2026-10-25 02:00"))
    );
}

#[test]
fn a_zone_that_skips_midnight() {
    // Santiago de Chile, 2026-09-06: 00:00 −04 jumps to 01:00 −03 (04:00 UTC).
    let hours = WeekHours {
        sun: vec![iv("00:00", "02:00")],
        ..Default::default()
    };
    let cal = Calendar::parse("America/Santiago", &hours, &[]).unwrap();
    assert_eq!(
        between(&cal, utc("2026-09-05 12:00"), utc("2026-09-07 00:00")),
        Duration::hours(1)
    );
    assert_eq!(
        add_minutes(&cal, utc("2026-09-05 12:00"), 1),
        Some(utc("2026-09-06 04:01"))
    );
}

#[test]
fn a_half_hour_dst_shift() {
    // Lord Howe Island, 2026-10-04: 02:00 +10:30 jumps to 02:30 +11.
    let cal = always("Australia/Lord_Howe");
    let sunday = local("Australia/Lord_Howe", "2026-10-04 00:00");
    let monday = local("Australia/Lord_Howe", "2026-10-05 00:00");
    assert_eq!(between(&cal, sunday, monday), Duration::minutes(23 * 60 + 30));
}

#[test]
fn nothing_to_add_and_backwards_windows() {
    let cal = weekdays("UTC", &[]);
    let sat = utc("2026-12-05 12:00");
    assert_eq!(add(&cal, sat, Duration::zero()), Some(sat));
    assert_eq!(
        between(&cal, utc("2026-12-01 12:00"), utc("2026-12-01 10:00")),
        Duration::zero()
    );
}

#[test]
fn seconds_are_kept() {
    let cal = always("UTC");
    let start = utc("2026-11-30 10:00") + Duration::seconds(17);
    assert_eq!(add_minutes(&cal, start, 1), Some(start + Duration::minutes(1)));
    assert_eq!(
        between(&cal, start, start + Duration::seconds(90)),
        Duration::seconds(90)
    );
}

#[test]
fn long_runs_of_holidays_are_crossed() {
    let hours = WeekHours {
        mon: office(),
        ..Default::default()
    };
    // Works Mondays only, and the next thousand Mondays (into 2046) are off.
    let mut days = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    while days.len() < 1000 {
        days.push(holiday(&d.format("%Y-%m-%d").to_string(), false));
        d += Duration::days(7);
    }
    let cal = Calendar::parse("UTC", &hours, &days).unwrap();
    let found = add_minutes(&cal, utc("2026-11-30 00:00"), 1).unwrap();
    assert_eq!(found, Utc.from_utc_datetime(&d.and_hms_opt(9, 1, 0).unwrap()));
}

#[test]
fn a_calendar_that_never_works_gives_up() {
    let hours = WeekHours {
        mon: office(),
        ..Default::default()
    };
    // Every day of the year is a yearly holiday (2028 is a leap year: 29 February too).
    let mut days = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2028, 1, 1).unwrap();
    while d.year() == 2028 {
        days.push(holiday(&d.format("%Y-%m-%d").to_string(), true));
        d += Duration::days(1);
    }
    let cal = Calendar::parse("UTC", &hours, &days).unwrap();
    assert_eq!(add_minutes(&cal, utc("2026-11-30 00:00"), 1), None);
    assert_eq!(
        between(&cal, utc("2026-11-30 00:00"), utc("2027-11-30 00:00")),
        Duration::zero()
    );
}

// ---------------------------------------------------------------- reference model

/// The definition, applied one minute at a time: is the minute starting at `t` worked?
fn worked(cal: &Calendar, t: DateTime<Utc>) -> bool {
    let l = t.with_timezone(&cal.tz);
    let minute = u16::try_from(l.hour() * 60 + l.minute()).unwrap();
    cal.intervals(l.date_naive())
        .iter()
        .any(|&(s, e)| s <= minute && minute < e)
}

fn reference_minutes(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let mut n = 0;
    let mut t = from;
    while t < to {
        n += i64::from(worked(cal, t));
        t += Duration::minutes(1);
    }
    n
}

/// A small deterministic generator, so a failure reproduces.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn mixed(tz: &str) -> Calendar {
    let hours = WeekHours {
        mon: vec![iv("08:00", "12:00"), iv("13:00", "17:30")],
        tue: office(),
        wed: vec![iv("00:00", "03:15")],
        thu: office(),
        fri: vec![iv("09:00", "13:00"), iv("22:00", "24:00")],
        sat: vec![iv("00:00", "02:00")],
        sun: vec![iv("01:00", "04:00"), iv("23:30", "24:00")],
    };
    Calendar::parse(tz, &hours, &[holiday("2026-04-02", false), holiday("2026-11-05", true)]).unwrap()
}

#[test]
fn agrees_with_the_minute_by_minute_reference() {
    let zones = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
    ];
    // Windows around the 2026 switches of these zones and ordinary weeks.
    let anchors = [
        utc("2026-03-26 00:00"),
        utc("2026-10-22 00:00"),
        utc("2026-03-06 00:00"),
        utc("2026-10-30 00:00"),
        utc("2026-09-03 00:00"),
        utc("2026-04-02 00:00"),
        utc("2026-10-01 00:00"),
        utc("2026-11-03 00:00"),
    ];
    let mut rng = Lcg(42);
    for zone in zones {
        let cal = mixed(zone);
        for anchor in anchors {
            for _ in 0..3 {
                let from = anchor + Duration::minutes(i64::try_from(rng.below(4 * 1440)).unwrap());
                let to = from + Duration::minutes(i64::try_from(rng.below(5 * 1440)).unwrap());
                let expected = reference_minutes(&cal, from, to);
                assert_eq!(
                    minutes_between(&cal, from, to),
                    expected,
                    "{zone}: between {from} and {to}"
                );
                // Adding what lies between lands at or before `to`, on the end of worked time.
                if expected > 0 {
                    let end = add_minutes(&cal, from, expected).unwrap();
                    assert!(end <= to, "{zone}: {from} + {expected} = {end} > {to}");
                    assert!(
                        worked(&cal, end - Duration::minutes(1)),
                        "{zone}: {end} ends no worked minute"
                    );
                    assert_eq!(
                        reference_minutes(&cal, from, end),
                        expected,
                        "{zone}: {from} + {expected}"
                    );
                }
            }
        }
    }
}

#[test]
fn adding_then_measuring_gives_back_the_amount() {
    let mut rng = Lcg(7);
    for zone in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"] {
        let cal = mixed(zone);
        for _ in 0..200 {
            let from = utc("2026-01-01 00:00") + Duration::seconds(i64::try_from(rng.below(365 * 86_400)).unwrap());
            let amount = Duration::seconds(i64::try_from(rng.below(40 * 3600)).unwrap());
            let end = add(&cal, from, amount).unwrap();
            assert_eq!(between(&cal, from, end), amount, "{zone}: {from} + {amount}");
            // Associative: adding in two steps is adding once.
            let half = amount / 2;
            let two_steps = add(&cal, add(&cal, from, half).unwrap(), amount - half).unwrap();
            assert_eq!(two_steps, end, "{zone}: {from} + {amount} in two steps");
        }
    }
}
