//! `/reports` (admins): ticket figures over a date range, grouped by day, week, category,
//! agent or company, with totals and a CSV download of the same rows.

mod figures;
mod table;

use chrono::{Duration, Utc};
use leptos::prelude::*;
use protocol::{ReportGroupBy, Role};

use self::table::ReportTable;
use crate::api::{report_csv_href, use_client};
use crate::auth::use_auth;
use crate::components::admin_only::AdminOnlyPage;
use crate::components::loaded::loaded;
use crate::downloads;

fn group_label(g: ReportGroupBy) -> &'static str {
    match g {
        ReportGroupBy::Day => "Day",
        ReportGroupBy::Week => "Week",
        ReportGroupBy::Category => "Category",
        ReportGroupBy::Agent => "Agent",
        ReportGroupBy::Company => "Company",
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let auth = use_auth();
    let admin = move || auth.user().is_some_and(|u| u.role == Role::Admin);
    view! {
        <AdminOnlyPage name="reports" title="Reports" forbidden="Reports are for admins." allowed=admin>
            <Reports />
        </AdminOnlyPage>
    }
}

#[component]
fn Reports() -> impl IntoView {
    let client = use_client();
    let today = Utc::now().date_naive();
    let from = RwSignal::new((today - Duration::days(29)).format("%Y-%m-%d").to_string());
    let to = RwSignal::new(today.format("%Y-%m-%d").to_string());
    let group = RwSignal::new(ReportGroupBy::Day);
    let report = LocalResource::new(move || {
        let (f, t, g) = (from.get(), to.get(), group.get());
        async move { client.report(&f, &t, g).await }
    });
    let csv = move || report_csv_href(&from.get(), &to.get(), group.get());
    let download = downloads::on_click(client, csv, Some("report.csv".into()));
    view! {
        <form class="report-query inline-form" aria-label="Report range" on:submit=|ev| ev.prevent_default()>
            <label>
                <span>"From"</span>
                <input type="date" data-testid="report-from" bind:value=from />
            </label>
            <label>
                <span>"To"</span>
                <input type="date" data-testid="report-to" bind:value=to />
            </label>
            <label>
                <span>"Group by"</span>
                <select
                    data-testid="report-group"
                    on:change=move |ev| {
                        if let Some(g) = ReportGroupBy::parse(&event_target_value(&ev)) {
                            group.set(g);
                        }
                    }
                >
                    {ReportGroupBy::ALL
                        .iter()
                        .map(|&g| view! { <option value=g.as_str() prop:selected=move || group.get() == g>{group_label(g)}</option> })
                        .collect_view()}
                </select>
            </label>
            <a class="btn" data-testid="report-csv" href=csv download="report.csv" on:click=download>"Download CSV"</a>
        </form>
        {loaded(report, "Loading the report…", move |r| {
            let label = group_label(r.query.group_by);
            view! { <ReportTable report=r group_label=label /> }
        })}
    }
}
