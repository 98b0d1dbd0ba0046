//! SLA targets are business minutes on the wire; people enter and read them as hours and
//! minutes.

/// A target as the two fields of its editor: `(hours, minutes)`, both empty for none.
pub fn split(minutes: Option<i64>) -> (String, String) {
    match minutes {
        Some(m) => ((m / 60).to_string(), (m % 60).to_string()),
        None => (String::new(), String::new()),
    }
}

/// The target the two fields mean: `Ok(None)` when both are empty; `Err` when either is not a
/// whole number of at least zero.
pub fn join(hours: &str, minutes: &str) -> Result<Option<i64>, ()> {
    let (hours, minutes) = (hours.trim(), minutes.trim());
    if hours.is_empty() && minutes.is_empty() {
        return Ok(None);
    }
    let part = |s: &str| -> Result<i64, ()> {
        if s.is_empty() {
            return Ok(0);
        }
        s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or(())
    };
    let total = part(hours)?
        .checked_mul(60)
        .and_then(|h| h.checked_add(part(minutes).ok()?))
        .ok_or(())?;
    Ok(Some(total))
}

/// `45 min`, `4 h`, `1 h 30 min`, `72 h`: never days, which would read as calendar days while a
/// business day may have 8 hours.
pub fn label(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}
