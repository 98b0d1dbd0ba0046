//! Business-time arithmetic on a [`Calendar`]: adding business time to an instant and
//! measuring the business time between two instants. Pure functions, no I/O.
//!
//! An instant is working time when its local wall-clock time (in the calendar's zone) falls in
//! one of the working intervals of its local date, and that date is no holiday. Durations are
//! real elapsed time: a working day across a DST switch has 23 or 25 hours; a wall-clock time
//! the switch skips is never worked; an hour repeated in autumn is worked twice when the
//! interval covers it.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::calendar::Calendar;

/// How far ahead we look for working time before giving up (a calendar whose working days
/// are all holidays would otherwise loop forever).
const MAX_DAYS: i64 = 366 * 50;

/// `start` plus `amount` of business time: the instant at which that much working time has
/// passed. `None` when the calendar has no such time within fifty years.
pub fn add(cal: &Calendar, start: DateTime<Utc>, amount: Duration) -> Option<DateTime<Utc>> {
    if amount <= Duration::zero() {
        return Some(start);
    }
    let mut left = amount;
    let mut cursor = start;
    for _ in 0..MAX_DAYS {
        let end = cursor + Duration::days(1);
        for (a, b) in working_ranges(cal, cursor, end) {
            let len = b - a;
            if len >= left {
                return Some(a + left);
            }
            left -= len;
        }
        cursor = end;
    }
    None
}

pub fn add_minutes(cal: &Calendar, start: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
    add(cal, start, Duration::minutes(minutes))
}

/// Whether `at` falls inside working time (not on a holiday, inside a day's hours).
pub fn is_working(cal: &Calendar, at: DateTime<Utc>) -> bool {
    !working_ranges(cal, at, at + Duration::seconds(1)).is_empty()
}

/// The working time within `[from, to)`; zero when `to` is not after `from`.
pub fn between(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    let mut total = Duration::zero();
    let mut cursor = from;
    while cursor < to {
        let end = (cursor + Duration::days(1)).min(to);
        for (a, b) in working_ranges(cal, cursor, end) {
            total += b - a;
        }
        cursor = end;
    }
    total
}

/// Whole business minutes within `[from, to)`.
pub fn minutes_between(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    between(cal, from, to).num_minutes()
}

/// The working time within `[from, to)` as ordered, disjoint UTC ranges. The window is cut
/// where the zone's offset changes; within each piece local time runs evenly, so a working
/// interval maps back to UTC by subtracting that piece's offset.
pub fn working_ranges(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    for (seg_from, seg_to) in constant_offset_pieces(cal.tz, from, to) {
        let offset = offset_at(cal.tz, seg_from);
        let local_from = seg_from.naive_utc() + offset;
        let local_to = seg_to.naive_utc() + offset;
        let mut date = local_from.date();
        while date.and_time(chrono::NaiveTime::MIN) < local_to {
            let midnight = date.and_time(chrono::NaiveTime::MIN);
            for &(s, e) in cal.intervals(date) {
                let a = (midnight + Duration::minutes(i64::from(s))).max(local_from);
                let b = (midnight + Duration::minutes(i64::from(e))).min(local_to);
                if a < b {
                    out.push((to_utc(a - offset), to_utc(b - offset)));
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
    }
    out
}

fn to_utc(naive: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&naive)
}

/// The zone's offset from UTC at `t`, as a duration to add to UTC to get local time.
fn offset_at(tz: Tz, t: DateTime<Utc>) -> Duration {
    Duration::seconds(i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc(),
    ))
}

/// `[from, to)` cut at every change of the zone's offset. Offsets change at whole seconds and
/// months apart, so a window of a day holds at most one change; it is found by bisection.
fn constant_offset_pieces(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        match next_change(tz, start, to) {
            Some(change) => {
                out.push((start, change));
                start = change;
            }
            None => {
                out.push((start, to));
                break;
            }
        }
    }
    out
}

/// The first whole second in `(from, to)` at which the offset differs from the one at `from`.
fn next_change(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let at = |secs: i64| Utc.timestamp_opt(secs, 0).single().map(|t| offset_at(tz, t));
    let initial = offset_at(tz, from);
    // The last whole second before `to`.
    let mut hi = to.timestamp();
    if to.timestamp_subsec_nanos() == 0 {
        hi -= 1;
    }
    let mut lo = from.timestamp();
    if hi <= lo || at(hi)? == initial {
        return None;
    }
    // Invariant: offset(lo) == initial, offset(hi) != initial.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if at(mid)? == initial {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Utc.timestamp_opt(hi, 0).single()
}

#[cfg(test)]
mod tests;
