//! Formatting of times, sizes and labels for display.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use protocol::{MessageKind, Priority, TicketStatus};

/// `2024-05-01 14:03` in the browser's time zone.
pub fn datetime(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// The value of an `<input type="datetime-local">` showing `t` in the browser's time zone.
pub fn datetime_local_value(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%dT%H:%M").to_string()
}

/// The instant an `<input type="datetime-local">` value means in the browser's time zone; a
/// local time that a daylight-saving change repeats takes the earlier one, one it skips none.
pub fn parse_datetime_local(value: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `just now`, `5 min ago`, `3 h ago`, `2 days ago`, else the date.
pub fn relative(t: DateTime<Utc>) -> String {
    let secs = (Utc::now() - t).num_seconds();
    match secs {
        s if s < 60 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s if s < 86_400 * 2 => "yesterday".into(),
        s if s < 86_400 * 7 => format!("{} days ago", s / 86_400),
        _ => t.with_timezone(&Local).format("%Y-%m-%d").to_string(),
    }
}

/// `532 B`, `14.2 KB`, `3.1 MB`.
pub fn file_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    // Sizes of attachments fit an f64 exactly enough for display.
    #[allow(clippy::cast_precision_loss)]
    let b = bytes.max(0) as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

pub fn status_label(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Open => "Open",
        TicketStatus::Pending => "Pending",
        TicketStatus::Resolved => "Resolved",
        TicketStatus::Closed => "Closed",
    }
}

pub fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Low => "Low",
        Priority::Normal => "Normal",
        Priority::High => "High",
        Priority::Urgent => "Urgent",
    }
}

pub fn kind_label(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Customer => "Customer",
        MessageKind::Reply => "Reply",
        MessageKind::Note => "Internal note",
        MessageKind::System => "System",
    }
}

/// A span of time at a glance: `45 s`, `12 min`, `3.5 h`, `2.1 d`.
pub fn duration_short(secs: u64) -> String {
    // Display only: a few digits of precision are plenty.
    #[allow(clippy::cast_precision_loss)]
    let s = secs as f64;
    match secs {
        0..60 => format!("{secs} s"),
        60..3_600 => format!("{} min", secs / 60),
        3_600..86_400 => format!("{:.1} h", s / 3_600.0),
        _ => format!("{:.1} d", s / 86_400.0),
    }
}

/// The start of `text` up to about `max` characters, cut at a word, with `…` when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    let Some((cut, _)) = text.char_indices().nth(max) else {
        return text.to_owned();
    };
    let head = &text[..cut];
    let head = head.rfind(char::is_whitespace).map_or(head, |at| &head[..at]);
    format!("{}…", head.trim_end())
}

/// A due time against `now`: `in 25 min`, `in 3 h`, `in 4 days`, `due now`, `2 h overdue`.
pub fn due_relative(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (due - now).num_seconds();
    let span = |s: i64| match s {
        s if s < 3600 => format!("{} min", (s / 60).max(1)),
        s if s < 86_400 * 2 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    };
    match secs {
        s if s.abs() < 60 => "due now".into(),
        s if s > 0 => format!("in {}", span(s)),
        s => format!("{} overdue", span(-s)),
    }
}
