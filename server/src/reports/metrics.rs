//! The arithmetic of a report row, pure: nearest-rank percentiles, ratios, and the
//! accumulator one group's samples are collected in. The live dashboard uses the same
//! percentile so a median means one thing everywhere.

use protocol::{Rating, ReportRow};

/// Nearest-rank percentile of `values` (sorted here): the value at 1-based rank
/// `ceil(p / 100 · n)` (at least 1) of the ascending values. The median is `p = 50`: the lower
/// middle value for an even count, never an average. PostgreSQL's `percentile_disc(p / 100)`
/// gives the same value. `None` for no values.
pub fn percentile(values: &mut [u64], p: usize) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (p * values.len()).div_ceil(100).max(1);
    values.get(rank - 1).copied()
}

/// `part / whole`, `None` when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    // Counts stay far below 2^52, so the conversion is exact.
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Whole seconds from `from` to `to`; 0 if `to` is earlier (a clock skew, not a negative wait).
pub fn secs_between(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> u64 {
    u64::try_from((to - from).num_seconds()).unwrap_or(0)
}

/// One group's counts and samples while tickets are tallied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Acc {
    pub created: u64,
    pub resolved: u64,
    pub first_response: Vec<u64>,
    pub resolution: Vec<u64>,
    pub reopened: u64,
    pub sla_met: u64,
    pub sla_breached: u64,
    pub csat_good: u64,
    pub csat_ok: u64,
    pub csat_bad: u64,
}

impl Acc {
    pub fn rate(&mut self, rating: Rating) {
        match rating {
            Rating::Good => self.csat_good += 1,
            Rating::Ok => self.csat_ok += 1,
            Rating::Bad => self.csat_bad += 1,
        }
    }

    pub fn row(mut self, key: String, label: String) -> ReportRow {
        let rated = self.csat_good + self.csat_ok + self.csat_bad;
        ReportRow {
            key,
            label,
            created: self.created,
            resolved: self.resolved,
            first_response_median_secs: percentile(&mut self.first_response, 50),
            first_response_p90_secs: percentile(&mut self.first_response, 90),
            resolution_median_secs: percentile(&mut self.resolution, 50),
            resolution_p90_secs: percentile(&mut self.resolution, 90),
            reopened: self.reopened,
            reopen_rate: ratio(self.reopened, self.resolved),
            sla_met: self.sla_met,
            sla_breached: self.sla_breached,
            sla_compliance: ratio(self.sla_met, self.sla_met + self.sla_breached),
            csat_good: self.csat_good,
            csat_ok: self.csat_ok,
            csat_bad: self.csat_bad,
            csat_score: ratio(self.csat_good, rated),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&mut [], 50), None);
        assert_eq!(percentile(&mut [7], 50), Some(7));
        assert_eq!(percentile(&mut [7], 90), Some(7));
        let mut ten: Vec<u64> = (1..=10).rev().collect();
        assert_eq!(percentile(&mut ten, 50), Some(5), "lower middle, not 5.5");
        assert_eq!(percentile(&mut ten, 90), Some(9));
        let mut eleven: Vec<u64> = (1..=11).collect();
        assert_eq!(percentile(&mut eleven, 50), Some(6));
        assert_eq!(percentile(&mut eleven, 90), Some(10), "rank ceil(9.9) = 10");
        assert_eq!(percentile(&mut [30, 10], 50), Some(10));
        assert_eq!(percentile(&mut [30, 10], 90), Some(30));
    }

    #[test]
    fn ratios_are_none_without_a_denominator() {
        assert_eq!(ratio(0, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
    }

    #[test]
    fn negative_durations_count_as_zero() {
        let a = "2026-11-01T10:00:00Z".parse().unwrap();
        let b = "2026-11-01T10:01:30Z".parse().unwrap();
        assert_eq!(secs_between(a, b), 90);
        assert_eq!(secs_between(b, a), 0);
    }

    #[test]
    fn a_row_derives_its_rates() {
        let acc = Acc {
            created: 3,
            resolved: 4,
            first_response: vec![60, 10, 30],
            resolution: vec![100, 400, 200, 300],
            reopened: 1,
            sla_met: 3,
            sla_breached: 1,
            csat_good: 2,
            csat_ok: 1,
            csat_bad: 1,
        };
        let row = acc.row("k".into(), "K".into());
        assert_eq!(row.first_response_median_secs, Some(30));
        assert_eq!(row.first_response_p90_secs, Some(60));
        assert_eq!(row.resolution_median_secs, Some(200));
        assert_eq!(row.resolution_p90_secs, Some(400));
        assert_eq!(row.reopen_rate, Some(0.25));
        assert_eq!(row.sla_compliance, Some(0.75));
        assert_eq!(row.csat_score, Some(0.5));
        let empty = Acc::default().row("e".into(), "E".into());
        assert_eq!(empty.first_response_median_secs, None);
        assert_eq!(
            (empty.reopen_rate, empty.sla_compliance, empty.csat_score),
            (None, None, None)
        );
    }
}
