//! Reports (admins): the figures as JSON, and the address of the same rows as CSV.

use protocol::{API_BASE, Report, ReportGroupBy};

use super::{ApiError, Call, Client};

/// `from`, `to` (`YYYY-MM-DD`) and the grouping, as the query of both report endpoints.
pub fn report_query(from: &str, to: &str, group_by: ReportGroupBy) -> Vec<(&'static str, String)> {
    vec![
        ("from", from.to_owned()),
        ("to", to.to_owned()),
        ("group_by", group_by.as_str().to_owned()),
    ]
}

/// `/api/v1/reports.csv?…`: the link's address; a click adds a one-time ticket (see
/// `downloads`).
pub fn report_csv_href(from: &str, to: &str, group_by: ReportGroupBy) -> String {
    let pairs = report_query(from, to, group_by);
    let query: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", crate::uri_component::encode(&v)))
        .collect();
    format!("{API_BASE}/reports.csv?{}", query.join("&"))
}

impl Client {
    /// `GET /reports?from=…&to=…&group_by=…`.
    pub async fn report(&self, from: &str, to: &str, group_by: ReportGroupBy) -> Result<Report, ApiError> {
        self.call(Call::get("/reports").query(report_query(from, to, group_by)))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_link_carries_the_query_and_no_token() {
        assert_eq!(
            report_csv_href("2026-11-01", "2026-11-30", ReportGroupBy::Week),
            format!("{API_BASE}/reports.csv?from=2026-11-01&to=2026-11-30&group_by=week")
        );
    }
}
