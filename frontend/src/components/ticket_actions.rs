//! Staff actions on a ticket beside its facts: status, priority, assignee, category, due date
//! (unless an SLA policy sets it), tags, subscribers, time spent, merge into another ticket.
//! Each sends the version on screen; what went wrong (a colleague's change got there first, a
//! refused value) is said at the top.

use leptos::prelude::*;
use protocol::{Priority, TicketStatus, UpdateTicket};

use crate::components::subscriber_editor::SubscriberEditor;
use crate::components::tag_editor::TagEditor;
use crate::components::ticket_fields::{ActionSelect, AssigneeField, CategoryField, DueField};
use crate::format::{priority_label, status_label};
use crate::pages::ticket_edit::explain;
use crate::pages::ticket_live::TicketContext;
use crate::staff_directory::StaffDirectory;

#[component]
pub fn TicketActions(ctx: TicketContext, directory: StaffDirectory) -> impl IntoView {
    view! {
        <section class="side-section ticket-actions" aria-labelledby="ticket-actions-title" data-testid="ticket-actions">
            <h2 id="ticket-actions-title">"Actions"</h2>
            <ActionNotice ctx />
            <StatusAction ctx />
            <PriorityAction ctx />
            <AssigneeField ctx directory />
            <CategoryField ctx directory />
            <DueAction ctx />
            <TagEditor ctx />
            <SubscriberEditor ctx />
            <LogTimeForm ctx />
            <MergeForm ctx />
        </section>
    }
}

/// What went wrong with the last change, with a button to dismiss it.
#[component]
fn ActionNotice(ctx: TicketContext) -> impl IntoView {
    move || {
        ctx.edit_notice.get().map(|n| {
            view! {
                <div class="notice notice-warning action-notice" role="alert" data-testid="action-notice">
                    <p>{n}</p>
                    <button
                        type="button"
                        class="btn btn-ghost"
                        on:click=move |_| ctx.edit_notice.set(None)
                    >
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}

/// The status select; picking another status saves it.
#[component]
fn StatusAction(ctx: TicketContext) -> impl IntoView {
    let status_options = move || {
        let now = ctx.with_detail(|d| d.ticket.status);
        TicketStatus::ALL
            .iter()
            .map(|s| view! { <option value=s.as_str() prop:selected=now == Some(*s)>{status_label(*s)}</option> })
            .collect_view()
    };
    let on_change = Callback::new(move |v: String| set_status(ctx, &v));
    view! {
        <ActionSelect ctx label="Status" testid="action-status" on_change>
            {status_options}
        </ActionSelect>
    }
}

/// Saves the status picked (`value`), unless the ticket already has it.
fn set_status(ctx: TicketContext, value: &str) {
    let (Some(now), Some(status)) = (ctx.with_detail(|d| d.ticket.status), TicketStatus::parse(value)) else {
        return;
    };
    if now == status {
        return;
    }
    ctx.edit(
        "Status",
        move |version| UpdateTicket {
            version,
            status: Some(status),
            ..Default::default()
        },
        || {},
    );
}

/// The priority select; picking another priority saves it.
#[component]
fn PriorityAction(ctx: TicketContext) -> impl IntoView {
    let priority_options = move || {
        let now = ctx.with_detail(|d| d.ticket.priority);
        Priority::ALL
            .iter()
            .map(|p| view! { <option value=p.as_str() prop:selected=now == Some(*p)>{priority_label(*p)}</option> })
            .collect_view()
    };
    let on_change = Callback::new(move |v: String| set_priority(ctx, &v));
    view! {
        <ActionSelect ctx label="Priority" testid="action-priority" on_change>
            {priority_options}
        </ActionSelect>
    }
}

/// Saves the priority picked (`value`), unless the ticket already has it.
fn set_priority(ctx: TicketContext, value: &str) {
    let (Some(now), Some(priority)) = (ctx.with_detail(|d| d.ticket.priority), Priority::parse(value)) else {
        return;
    };
    if now == priority {
        return;
    }
    ctx.edit(
        "Priority",
        move |version| UpdateTicket {
            version,
            priority: Some(priority),
            ..Default::default()
        },
        || {},
    );
}

/// The due date field, or, under an SLA (whose policy sets it), a line saying so.
#[component]
fn DueAction(ctx: TicketContext) -> impl IntoView {
    // Under an SLA the policy sets the due date, and the server refuses a manual one.
    let under_sla = Memo::new(move |_| ctx.with_detail(|d| d.ticket.sla_policy_id.is_some()) == Some(true));
    move || {
        if under_sla.get() {
            view! {
                <p class="action-field muted" data-testid="action-due-sla">
                    "Due: set by the SLA policy (see SLA above)."
                </p>
            }
            .into_any()
        } else {
            view! { <DueField ctx /> }.into_any()
        }
    }
}

/// "Log time": minutes spent and an optional note.
#[component]
fn LogTimeForm(ctx: TicketContext) -> impl IntoView {
    let minutes = RwSignal::new(String::new());
    let time_note = RwSignal::new(String::new());
    let log = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        log_time(ctx, minutes, time_note);
    };
    view! {
        <form class="inline-form" on:submit=log>
            <label>
                <span>"Log time (min)"</span>
                <input
                    type="number"
                    min="1"
                    max="1440"
                    data-testid="action-minutes"
                    bind:value=minutes
                />
            </label>
            <label>
                <span>"Note (optional)"</span>
                <input type="text" maxlength="500" data-testid="action-time-note" bind:value=time_note />
            </label>
            <button type="submit" class="btn" data-testid="action-log-time" disabled=move || ctx.editing.get()>
                "Log"
            </button>
        </form>
    }
}

/// Logs the minutes typed with their note, emptying both once stored.
fn log_time(ctx: TicketContext, minutes: RwSignal<String>, time_note: RwSignal<String>) {
    let Ok(m) = minutes.get_untracked().trim().parse::<i64>() else {
        ctx.edit_notice.set(Some("Time: enter the minutes as a number.".into()));
        return;
    };
    let note = Some(time_note.get_untracked().trim().to_owned()).filter(|n| !n.is_empty());
    let request = async move { ctx.client.log_time(ctx.id, m, note).await };
    ctx.change("Time", request, move || {
        minutes.set(String::new());
        time_note.set(String::new());
    });
}

/// "Merge into #": the number of the ticket to merge this one into.
#[component]
fn MergeForm(ctx: TicketContext) -> impl IntoView {
    let merge_into = RwSignal::new(String::new());
    let merge = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        merge_ticket(ctx, &merge_into.get_untracked());
    };
    view! {
        <form class="inline-form" on:submit=merge>
            <label>
                <span>"Merge into #"</span>
                <input
                    type="text"
                    inputmode="numeric"
                    data-testid="action-merge-into"
                    bind:value=merge_into
                />
            </label>
            <button type="submit" class="btn" data-testid="action-merge" disabled=move || ctx.editing.get()>
                "Merge"
            </button>
        </form>
    }
}

/// Merges the ticket into the one numbered `into` (e.g. "#12"), then opens that one.
fn merge_ticket(ctx: TicketContext, into: &str) {
    let Ok(into) = into.trim().trim_start_matches('#').parse::<i64>() else {
        ctx.edit_notice
            .set(Some("Merge: enter the number of the ticket to merge into.".into()));
        return;
    };
    let Some(version) = ctx.version_untracked() else { return };
    let request = async move { ctx.client.merge(ctx.id, into, version).await };
    ctx.write(ctx.edit_notice, "Merge", request, explain, |d| {
        // A full load: the page of the ticket merged into, with its own live state.
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(&format!("/tickets/{}", d.ticket.id));
        }
    });
}
