//! A report as CSV (RFC 4180): a header row, one row per group, then the totals row. Lines end
//! in CRLF; a field with a comma, quote or line break is quoted with its quotes doubled. Empty
//! figures (a median of nothing) are empty fields.

use protocol::{Report, ReportRow};

pub const HEADER: [&str; 17] = [
    "key",
    "label",
    "created",
    "resolved",
    "first_response_median_secs",
    "first_response_p90_secs",
    "resolution_median_secs",
    "resolution_p90_secs",
    "reopened",
    "reopen_rate",
    "sla_met",
    "sla_breached",
    "sla_compliance",
    "csat_good",
    "csat_ok",
    "csat_bad",
    "csat_score",
];

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    line(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for row in report.rows.iter().chain(std::iter::once(&report.totals)) {
        line(&mut out, fields(row));
    }
    out
}

/// `maildesk-report-2026-11-01-2026-11-30-week.csv`
pub fn filename(report: &Report) -> String {
    let q = &report.query;
    format!("maildesk-report-{}-{}-{}.csv", q.from, q.to, q.group_by.as_str())
}

fn fields(r: &ReportRow) -> impl Iterator<Item = String> {
    let n = |v: u64| v.to_string();
    let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    // `Display` of f64 is the shortest text that reads back as the same number.
    let rate = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    [
        text(&r.key),
        text(&r.label),
        n(r.created),
        n(r.resolved),
        opt(r.first_response_median_secs),
        opt(r.first_response_p90_secs),
        opt(r.resolution_median_secs),
        opt(r.resolution_p90_secs),
        n(r.reopened),
        rate(r.reopen_rate),
        n(r.sla_met),
        n(r.sla_breached),
        rate(r.sla_compliance),
        n(r.csat_good),
        n(r.csat_ok),
        n(r.csat_bad),
        rate(r.csat_score),
    ]
    .into_iter()
}

/// A name as a spreadsheet should show it: one starting with `=`, `+`, `-` or `@` gets a
/// leading `'`, or opening the export would run it as a formula (CSV injection).
fn text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&f);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use protocol::{ReportGroupBy, ReportQuery};

    use super::*;

    fn report(label: &str) -> Report {
        let row = ReportRow {
            key: "7".into(),
            label: label.into(),
            created: 3,
            resolved: 2,
            first_response_median_secs: Some(60),
            reopen_rate: Some(0.5),
            ..ReportRow::default()
        };
        Report {
            query: ReportQuery {
                from: "2026-11-01".parse().unwrap(),
                to: "2026-11-30".parse().unwrap(),
                group_by: ReportGroupBy::Company,
                tz: "UTC".into(),
            },
            totals: ReportRow {
                key: "total".into(),
                label: "Total".into(),
                ..row.clone()
            },
            rows: vec![row],
        }
    }

    #[test]
    fn header_rows_and_totals_with_crlf() {
        let csv = render(&report("Acme"));
        let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(lines[1], "7,Acme,3,2,60,,,,0,0.5,0,0,,0,0,0,");
        assert!(lines[2].starts_with("total,Total,3,2,60,"));
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn commas_quotes_and_formulas_are_escaped() {
        let csv = render(&report("Smith, \"Jones\" & Co"));
        assert!(csv.contains("\r\n7,\"Smith, \"\"Jones\"\" & Co\",3,"), "{csv}");
        let csv = render(&report("=HYPERLINK(\"x\")"));
        assert!(csv.contains("\r\n7,\"'=HYPERLINK(\"\"x\"\")\",3,"), "{csv}");
    }

    #[test]
    fn filename_names_the_range_and_grouping() {
        assert_eq!(
            filename(&report("A")),
            "maildesk-report-2026-11-01-2026-11-30-company.csv"
        );
    }
}
