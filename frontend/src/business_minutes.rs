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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_through_hours_and_minutes() {
        assert_eq!(split(Some(90)), ("1".to_owned(), "30".to_owned()));
        assert_eq!(split(None), (String::new(), String::new()));
        assert_eq!(join("1", ""), Ok(Some(60)));
        assert_eq!(join("", "45"), Ok(Some(45)));
        assert_eq!(join(" 2 ", "5"), Ok(Some(125)));
        assert_eq!(join(" ", ""), Ok(None));
        assert_eq!(join("1.5", ""), Err(()));
        assert_eq!(join("-1", ""), Err(()));
    }

    #[test]
    fn labels_use_hours_and_minutes_only() {
        assert_eq!(label(45), "45 min");
        assert_eq!(label(240), "4 h");
        assert_eq!(label(90), "1 h 30 min");
        assert_eq!(label(72 * 60), "72 h");
    }
}
