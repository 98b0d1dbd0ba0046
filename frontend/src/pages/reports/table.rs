//! A report as a table: one row per group, the totals in the footer.

use leptos::prelude::*;
use protocol::{Report, ReportRow};

use super::figures::{duration, percent};

const HEADS: &[&str] = &[
    "Created",
    "Resolved",
    "First response (median)",
    "First response (p90)",
    "Resolution (median)",
    "Resolution (p90)",
    "Reopen rate",
    "SLA compliance",
    "CSAT",
];

#[component]
pub fn ReportTable(report: Report, group_label: &'static str) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="report-table" data-testid="report-table">
                <caption class="visually-hidden">{format!("Tickets by {}", group_label.to_lowercase())}</caption>
                <thead>
                    <tr>
                        <th scope="col">{group_label}</th>
                        {HEADS.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {report.rows.into_iter().map(|r| view! { <Row r testid="report-row" /> }).collect_view()}
                </tbody>
                <tfoot>
                    <Row r=report.totals testid="report-totals" />
                </tfoot>
            </table>
        </div>
    }
}

#[component]
fn Row(r: ReportRow, testid: &'static str) -> impl IntoView {
    let cells = [
        ("created", r.created.to_string()),
        ("resolved", r.resolved.to_string()),
        ("frt-median", duration(r.first_response_median_secs)),
        ("frt-p90", duration(r.first_response_p90_secs)),
        ("resolution-median", duration(r.resolution_median_secs)),
        ("resolution-p90", duration(r.resolution_p90_secs)),
        ("reopen-rate", percent(r.reopen_rate)),
        ("sla", percent(r.sla_compliance)),
        ("csat", percent(r.csat_score)),
    ];
    view! {
        <tr data-testid=testid data-key=r.key>
            <th scope="row">{r.label}</th>
            {cells
                .into_iter()
                .map(|(name, text)| view! { <td data-cell=name>{text}</td> })
                .collect_view()}
        </tr>
    }
}
