//! Staff actions on a ticket beside its facts: status, priority, assignee, category, due date
//! (unless an SLA policy sets it), tags, subscribers, time spent, merge into another ticket.
//! Each sends the version on screen; what went wrong (a colleague's change got there first, a
//! refused value) is said at the top.

use leptos::prelude::*;
use protocol::{Priority, TicketStatus, UpdateTicket};

use crate::components::subscriber_editor::SubscriberEditor;
use crate::components::tag_editor::TagEditor;
use crate::components::ticket_fields::{AssigneeField, CategoryField, DueField};
use crate::format::{priority_label, status_label};
use crate::pages::ticket_edit::explain;
use crate::pages::ticket_live::TicketContext;
use crate::staff_directory::StaffDirectory;

#[component]
pub fn TicketActions(ctx: TicketContext, directory: StaffDirectory) -> impl IntoView {
    let busy = ctx.editing;
    let minutes = RwSignal::new(String::new());
    let time_note = RwSignal::new(String::new());
    let merge_into = RwSignal::new(String::new());
    let current = move || ctx.with_detail(|d| d.ticket.clone());
    // Under an SLA the policy sets the due date, and the server refuses a manual one.
    let under_sla = Memo::new(move |_| ctx.with_detail(|d| d.ticket.sla_policy_id.is_some()) == Some(true));
    let set_status = move |value: String| {
        let (Some(t), Some(status)) = (current(), TicketStatus::parse(&value)) else {
            return;
        };
        if t.status == status {
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
    };
    let set_priority = move |value: String| {
        let (Some(t), Some(priority)) = (current(), Priority::parse(&value)) else {
            return;
        };
        if t.priority == priority {
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
    };
    let log = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
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
    };
    let merge = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(into) = merge_into.get_untracked().trim().trim_start_matches('#').parse::<i64>() else {
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
    };
    let status_options = move || {
        let now = current().map(|t| t.status);
        TicketStatus::ALL
            .iter()
            .map(|s| view! { <option value=s.as_str() prop:selected=now == Some(*s)>{status_label(*s)}</option> })
            .collect_view()
    };
    let priority_options = move || {
        let now = current().map(|t| t.priority);
        Priority::ALL
            .iter()
            .map(|p| view! { <option value=p.as_str() prop:selected=now == Some(*p)>{priority_label(*p)}</option> })
            .collect_view()
    };

    view! {
        <section class="side-section ticket-actions" aria-labelledby="ticket-actions-title" data-testid="ticket-actions">
            <h2 id="ticket-actions-title">"Actions"</h2>
            {move || {
                ctx.edit_notice
                    .get()
                    .map(|n| {
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
            }}
            <label class="action-field">
                <span>"Status"</span>
                <select
                    data-testid="action-status"
                    disabled=move || busy.get()
                    on:change=move |ev| set_status(event_target_value(&ev))
                >
                    {status_options}
                </select>
            </label>
            <label class="action-field">
                <span>"Priority"</span>
                <select
                    data-testid="action-priority"
                    disabled=move || busy.get()
                    on:change=move |ev| set_priority(event_target_value(&ev))
                >
                    {priority_options}
                </select>
            </label>
            <AssigneeField ctx directory />
            <CategoryField ctx directory />
            {move || {
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
            }}
            <TagEditor ctx />
            <SubscriberEditor ctx />
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
                <button type="submit" class="btn" data-testid="action-log-time" disabled=move || busy.get()>
                    "Log"
                </button>
            </form>
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
                <button type="submit" class="btn" data-testid="action-merge" disabled=move || busy.get()>
                    "Merge"
                </button>
            </form>
        </section>
    }
}
