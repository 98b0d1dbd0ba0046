//! A business calendar while it is edited: rows with keys of their own (so that adding or
//! removing one leaves the others' inputs in place), turned back into the wire format on save,
//! plus the presets and the one-line summary of the list.

use std::sync::atomic::{AtomicU64, Ordering};

use protocol::{Holiday, WeekHours, WorkInterval};

/// The weekdays as the API names them, with their labels, Monday first.
pub const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalDraft {
    pub key: u64,
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayDraft {
    pub key: u64,
    pub date: String,
    pub name: String,
    pub yearly: bool,
}

/// Row keys, unique for the page's lifetime.
pub fn next_key() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl IntervalDraft {
    pub fn new(start: &str, end: &str) -> Self {
        Self {
            key: next_key(),
            start: start.to_owned(),
            end: end.to_owned(),
        }
    }
}

impl HolidayDraft {
    pub fn new(date: String, name: String, yearly: bool) -> Self {
        Self {
            key: next_key(),
            date,
            name,
            yearly,
        }
    }
}

pub type WeekDraft = [Vec<IntervalDraft>; 7];

pub fn week_draft(hours: &WeekHours) -> WeekDraft {
    hours
        .days()
        .map(|(_, day)| day.iter().map(|iv| IntervalDraft::new(&iv.start, &iv.end)).collect())
}

/// The rows as sent, in the order shown (the server names a bad one by that index).
pub fn week_hours(week: WeekDraft) -> WeekHours {
    let [mon, tue, wed, thu, fri, sat, sun] = week.map(|day| {
        day.into_iter()
            .map(|iv| WorkInterval {
                start: iv.start.trim().to_owned(),
                end: iv.end.trim().to_owned(),
            })
            .collect::<Vec<_>>()
    });
    WeekHours {
        mon,
        tue,
        wed,
        thu,
        fri,
        sat,
        sun,
    }
}

pub fn holiday_drafts(holidays: &[Holiday]) -> Vec<HolidayDraft> {
    holidays
        .iter()
        .map(|h| HolidayDraft::new(h.date.clone(), h.name.clone(), h.yearly))
        .collect()
}

pub fn holidays(drafts: Vec<HolidayDraft>) -> Vec<Holiday> {
    drafts
        .into_iter()
        .map(|h| Holiday {
            date: h.date.trim().to_owned(),
            yearly: h.yearly,
            name: h.name.trim().to_owned(),
        })
        .collect()
}

/// Monday to Friday, `start` to `end`.
pub fn weekdays(start: &str, end: &str) -> WeekDraft {
    std::array::from_fn(|day| {
        if day < 5 {
            vec![IntervalDraft::new(start, end)]
        } else {
            Vec::new()
        }
    })
}

/// Every minute of every day.
pub fn around_the_clock() -> WeekDraft {
    std::array::from_fn(|_| vec![IntervalDraft::new("00:00", "24:00")])
}

/// `Mon–Fri 09:00–12:00, 13:00–17:00 · Sat 10:00–14:00`: runs of days with the same hours.
pub fn summary(hours: &WeekHours) -> String {
    let days = hours.days();
    let text = |day: &[WorkInterval]| {
        day.iter()
            .map(|iv| format!("{}–{}", iv.start, iv.end))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let short = |name: &str| {
        let mut s = name.to_owned();
        if let Some(first) = s.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        s
    };
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let (first, hours) = days[i];
        let mut j = i;
        while j + 1 < days.len() && days[j + 1].1 == hours {
            j += 1;
        }
        if !hours.is_empty() {
            let span = if i == j {
                short(first)
            } else {
                format!("{}–{}", short(first), short(days[j].0))
            };
            runs.push(format!("{span} {}", text(hours)));
        }
        i = j + 1;
    }
    if runs.is_empty() {
        "No working hours".to_owned()
    } else {
        runs.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_equal_days_are_summarised_together() {
        let office = week_hours(weekdays("09:00", "17:00"));
        assert_eq!(summary(&office), "Mon–Fri 09:00–17:00");
        assert_eq!(summary(&week_hours(around_the_clock())), "Mon–Sun 00:00–24:00");
        let mut split = office;
        split.sat = vec![WorkInterval {
            start: "10:00".into(),
            end: "14:00".into(),
        }];
        assert_eq!(summary(&split), "Mon–Fri 09:00–17:00 · Sat 10:00–14:00");
        assert_eq!(summary(&WeekHours::default()), "No working hours");
    }
}
