//! `/dashboard`: live figures for managers (admins) — counters and charts that the server
//! pushes on the `dashboard` topic whenever a ticket changes.

use leptos::prelude::*;
use protocol::Role;
use protocol::live::{DashboardGroup, DashboardStats, Topic};

use crate::auth::use_auth;
use crate::components::admin_only::AdminOnlyPage;
use crate::components::bar_chart::{BarChart, BarRow};
use crate::components::feedback::Loading;
use crate::format::{datetime, duration_short};
use crate::live::use_live;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let auth = use_auth();
    let admin = move || auth.user().is_some_and(|u| u.role == Role::Admin);
    view! {
        <AdminOnlyPage name="dashboard" title="Dashboard" forbidden="The dashboard is for admins." allowed=admin>
            <LiveDashboard />
        </AdminOnlyPage>
    }
}

#[component]
fn LiveDashboard() -> impl IntoView {
    let live = use_live();
    live.watch(Topic::Dashboard);
    let stats = Memo::new(move |_| live.dashboard());
    move || match stats.get() {
        None => view! { <Loading label="Waiting for the live figures…" /> }.into_any(),
        Some(stats) => view! { <Figures stats /> }.into_any(),
    }
}

fn rows(groups: &[DashboardGroup], values: impl Fn(&DashboardGroup) -> Vec<(f64, String)>) -> Vec<BarRow> {
    groups
        .iter()
        .map(|g| BarRow {
            label: g.name.clone(),
            values: values(g),
        })
        .filter(|r| r.values.iter().any(|(v, _)| *v > 0.0))
        .collect()
}

#[allow(clippy::cast_precision_loss)] // counts and seconds, drawn at screen precision
fn count(n: u64) -> (f64, String) {
    (n as f64, n.to_string())
}

#[allow(clippy::cast_precision_loss)]
fn secs(s: Option<u64>) -> (f64, String) {
    match s {
        Some(s) => (s as f64, duration_short(s)),
        None => (0.0, "–".to_owned()),
    }
}

/// The series of the time charts.
const TIMES: &[&str] = &["Median", "90th percentile"];

#[component]
fn Figures(stats: DashboardStats) -> impl IntoView {
    let open_by_category = rows(&stats.by_category, |g| vec![count(g.open)]);
    let open_by_agent = rows(&stats.by_agent, |g| vec![count(g.open)]);
    let first_response = rows(&stats.by_category, |g| {
        vec![secs(g.first_response_median_secs), secs(g.first_response_p90_secs)]
    });
    let resolution = rows(&stats.by_category, |g| {
        vec![secs(g.resolution_median_secs), secs(g.resolution_p90_secs)]
    });
    let per_day: Vec<BarRow> = stats
        .per_day
        .iter()
        .map(|d| BarRow {
            label: d.date.format("%a %d %b").to_string(),
            values: vec![count(d.created), count(d.resolved)],
        })
        .collect();
    let overdue = stats.overdue > 0;
    let stale = stats.stale_mailboxes.clone();
    view! {
        <p class="muted dashboard-updated" data-testid="dashboard-updated">
            "Live · figures of " {datetime(stats.computed_at)}
        </p>
        {(!stale.is_empty()).then(|| view! {
            <div class="notice notice-error" role="alert" data-testid="stale-mailboxes">
                <strong>"Mail is not being fetched"</strong>
                <ul>
                    {stale.into_iter().map(|m| view! {
                        <li>
                            {format!("{} <{}>", m.name, m.address)}
                            " · last fetch: "
                            {m.last_fetch_at.map(datetime).unwrap_or_else(|| "never".into())}
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        })}
        <dl class="stats">
            <Stat label="Open" value=stats.open testid="stat-open" />
            <Stat label="Unassigned" value=stats.unassigned testid="stat-unassigned" />
            <Stat
                label="Overdue (SLA breached)"
                value=stats.overdue
                testid="stat-overdue"
                warn=overdue
                href="/tickets?overdue=true"
            />
            <Stat label="New today" value=stats.new_today testid="stat-new-today" />
            <Stat label="Agents online" value=stats.agents_online testid="stat-agents-online" />
        </dl>
        <div class="charts">
            <BarChart title="Created and resolved per day (14 days)" testid="chart-per-day" series=&["Created", "Resolved"] rows=per_day />
            <BarChart title="Open tickets by category" testid="chart-open-by-category" series=&["Open"] rows=open_by_category />
            <BarChart title="Open tickets by agent" testid="chart-open-by-agent" series=&["Open"] rows=open_by_agent />
            <BarChart title="First response time by category (30 days)" testid="chart-first-response" series=TIMES rows=first_response />
            <BarChart title="Resolution time by category (30 days)" testid="chart-resolution" series=TIMES rows=resolution />
        </div>
    }
}

#[component]
fn Stat(
    label: &'static str,
    value: u64,
    testid: &'static str,
    #[prop(optional)] warn: bool,
    /// The queue listing what is counted.
    #[prop(optional)]
    href: Option<&'static str>,
) -> impl IntoView {
    let shown = match href {
        Some(href) => view! { <a href=href>{value}</a> }.into_any(),
        None => view! { {value} }.into_any(),
    };
    view! {
        <div class="stat" class:stat-warn=warn>
            <dt>{label}</dt>
            <dd data-testid=testid data-value=value>{shown}</dd>
        </div>
    }
}
