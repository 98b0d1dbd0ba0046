//! A ticket's service level in the sidebar: the policy (admins may read policies, so only
//! they see its name), when the first response and the resolution are due — relative, ticking,
//! with the exact time on hover — whether the clock is paused, and the overdue flag.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use protocol::{Ticket, TicketStatus};

use crate::api::use_client;
use crate::components::badges::OverdueBadge;
use crate::format::{datetime, due_relative};

/// How often "in 3 h" is recomputed.
const TICK: Duration = Duration::from_secs(30);

#[component]
pub fn SlaBlock(ticket: Memo<Option<Ticket>>, admin: bool) -> impl IntoView {
    let client = use_client();
    let policies = admin.then(|| LocalResource::new(move || async move { client.sla_policies().await }));
    let now = RwSignal::new(Utc::now());
    if let Ok(handle) = set_interval_with_handle(move || now.set(Utc::now()), TICK) {
        on_cleanup(move || handle.clear());
    }
    // A done ticket whose policy was deleted keeps its due times as a record, without the id.
    let shown = Memo::new(move |_| {
        ticket.with(|t| {
            t.as_ref()
                .filter(|t| {
                    t.sla_policy_id.is_some() || t.first_response_due_at.is_some() || t.resolution_due_at.is_some()
                })
                .cloned()
        })
    });
    // Nothing while the list loads or if it failed; the id if the list lacks it (just created).
    let policy_name = move |id: Option<i64>| {
        let id = id?;
        match policies?.get()? {
            Ok(list) => Some(
                list.into_iter()
                    .find(|p| p.id == id)
                    .map_or_else(|| format!("Policy #{id}"), |p| p.name),
            ),
            Err(_) => None,
        }
    };

    move || {
        shown.get().map(|t| {
            let name = policy_name(t.sla_policy_id);
            let done = matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed);
            let resolved = if done { t.resolved_at.or(t.closed_at) } else { None };
            let paused = t.sla_paused_at.map(|at| pause_note(t.status, at));
            view! {
                <section class="side-section sla-block" aria-labelledby="sla-title" data-testid="sla-block">
                    <h2 id="sla-title">
                        "SLA"
                        {t.overdue.then(|| view! { <OverdueBadge testid="sla-overdue" /> })}
                    </h2>
                    {name.map(|n| view! { <p class="muted" data-testid="sla-policy">{n}</p> })}
                    <dl class="facts">
                        <dt>"First response"</dt>
                        <DueLine
                            testid="sla-first-response-due"
                            due=t.first_response_due_at
                            done=t.first_response_at
                            done_word="Answered"
                            now
                            paused=t.sla_paused_at
                        />
                        <dt>"Resolution"</dt>
                        <DueLine
                            testid="sla-resolution-due"
                            due=t.resolution_due_at
                            done=resolved
                            done_word="Resolved"
                            now
                            paused=t.sla_paused_at
                        />
                    </dl>
                    {paused.map(|p| view! { <p class="muted sla-note" data-testid="sla-paused">{p}</p> })}
                </section>
            }
        })
    }
}

/// One target: none, met or missed once done, else how long until (or since) it is due — as
/// of the pause while the clock stands still (the due time then moves out by the pause).
#[component]
fn DueLine(
    testid: &'static str,
    due: Option<DateTime<Utc>>,
    done: Option<DateTime<Utc>>,
    done_word: &'static str,
    now: RwSignal<DateTime<Utc>>,
    paused: Option<DateTime<Utc>>,
) -> impl IntoView {
    let at = move || paused.unwrap_or_else(|| now.get());
    let Some(due) = due else {
        return view! { <dd class="muted" data-testid=testid>"No target"</dd> }.into_any();
    };
    let title = format!("Due {}", datetime(due));
    if let Some(at) = done {
        let (class, text) = if at <= due {
            ("sla-met", format!("{done_word} in time"))
        } else {
            ("sla-late", format!("{done_word} late"))
        };
        let title = format!("{title}; {} {}", done_word.to_lowercase(), datetime(at));
        return view! { <dd class=class data-testid=testid data-due=due.to_rfc3339() title=title>{text}</dd> }
            .into_any();
    }
    view! {
        <dd
            data-testid=testid
            data-due=due.to_rfc3339()
            class:sla-late=move || due <= at()
            title=title
        >
            {move || due_relative(due, at())}
        </dd>
    }
    .into_any()
}

/// Why the clock stands still.
fn pause_note(status: TicketStatus, since: DateTime<Utc>) -> String {
    let why = match status {
        TicketStatus::Pending => "Paused while pending (waiting on the customer)",
        TicketStatus::Resolved => "Stopped: resolved",
        TicketStatus::Closed => "Stopped: closed",
        TicketStatus::Open => "Paused",
    };
    format!("{why} since {}.", datetime(since))
}
