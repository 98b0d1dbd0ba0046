//! A report's figures in words: durations as hours and minutes, ratios as percentages, a dash
//! where there is nothing to measure.

/// `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`.
pub fn duration(secs: Option<u64>) -> String {
    let Some(s) = secs else {
        return "–".into();
    };
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `0.875` → `87.5 %`, `1.0` → `100 %`.
pub fn percent(ratio: Option<f64>) -> String {
    let Some(r) = ratio else {
        return "–".into();
    };
    let p = (r * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(None), "–");
        assert_eq!(duration(Some(45)), "45 s");
        assert_eq!(duration(Some(12 * 60 + 5)), "12 min");
        assert_eq!(duration(Some(3 * 3600 + 20 * 60)), "3 h 20 min");
        assert_eq!(duration(Some(7200)), "2 h");
        assert_eq!(duration(Some(2 * 86_400 + 4 * 3600 + 59)), "2 d 4 h");
    }

    #[test]
    fn ratios_are_percentages() {
        assert_eq!(percent(None), "–");
        assert_eq!(percent(Some(1.0)), "100 %");
        assert_eq!(percent(Some(0.875)), "87.5 %");
        assert_eq!(percent(Some(1.0 / 3.0)), "33.3 %");
    }
}
