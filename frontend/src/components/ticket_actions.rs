//! Staff actions on a ticket beside its facts: status, priority, time spent, merge into
//! another ticket. Each sends the version on screen; a conflict shows the server's message.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{Priority, TicketStatus, UpdateTicket};

use crate::pages::ticket_live::TicketContext;

#[component]
pub fn TicketActions(ctx: TicketContext) -> impl IntoView {
    let busy = RwSignal::new(false);
    let minutes = RwSignal::new(String::new());
    let merge_into = RwSignal::new(String::new());
    let current = move || ctx.with_detail(|d| d.ticket.clone());
    let run = move |work: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| {
        busy.set(true);
        ctx.action_error.set(None);
        spawn_local(async move {
            work.await;
            busy.set(false);
        });
    };
    let update = move |change: UpdateTicket| {
        run(Box::pin(async move {
            match ctx.client.update_ticket(ctx.id, &change).await {
                Ok(d) => ctx.own_change(d),
                Err(e) => ctx.action_error.set(Some(e.user_message())),
            }
        }))
    };
    let set_status = move |value: String| {
        let (Some(t), Some(status)) = (current(), TicketStatus::parse(&value)) else {
            return;
        };
        update(UpdateTicket {
            version: t.version,
            status: Some(status),
            ..Default::default()
        });
    };
    let set_priority = move |value: String| {
        let (Some(t), Some(priority)) = (current(), Priority::parse(&value)) else {
            return;
        };
        update(UpdateTicket {
            version: t.version,
            priority: Some(priority),
            ..Default::default()
        });
    };
    let log = move |_| {
        let Ok(m) = minutes.get_untracked().trim().parse::<i64>() else {
            ctx.action_error
                .set(Some("Time: enter the minutes as a number.".into()));
            return;
        };
        run(Box::pin(async move {
            match ctx.client.log_time(ctx.id, m).await {
                Ok(d) => {
                    minutes.set(String::new());
                    ctx.own_change(d);
                }
                Err(e) => ctx.action_error.set(Some(e.user_message())),
            }
        }))
    };
    let merge = move |_| {
        let Ok(into) = merge_into.get_untracked().trim().trim_start_matches('#').parse::<i64>() else {
            ctx.action_error
                .set(Some("Merge: enter the number of the ticket to merge into.".into()));
            return;
        };
        let Some(t) = current() else { return };
        run(Box::pin(async move {
            match ctx.client.merge(ctx.id, into, t.version).await {
                Ok(d) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&format!("/tickets/{}", d.ticket.id));
                    }
                }
                Err(e) => ctx.action_error.set(Some(e.user_message())),
            }
        }))
    };
    let status_now = move || current().map(|t| t.status.as_str().to_owned()).unwrap_or_default();
    let priority_now = move || current().map(|t| t.priority.as_str().to_owned()).unwrap_or_default();

    view! {
        <section class="side-section ticket-actions" aria-label="Actions" data-testid="ticket-actions">
            <h2>"Actions"</h2>
            <label>
                "Status "
                <select
                    data-testid="action-status"
                    prop:value=status_now
                    disabled=move || busy.get()
                    on:change=move |ev| set_status(event_target_value(&ev))
                >
                    {TicketStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "Priority "
                <select
                    data-testid="action-priority"
                    prop:value=priority_now
                    disabled=move || busy.get()
                    on:change=move |ev| set_priority(event_target_value(&ev))
                >
                    {Priority::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <div class="inline-form">
                <label>
                    "Log time (min) "
                    <input
                        type="number"
                        min="1"
                        max="1440"
                        data-testid="action-minutes"
                        prop:value=move || minutes.get()
                        on:input=move |ev| minutes.set(event_target_value(&ev))
                    />
                </label>
                <button type="button" data-testid="action-log-time" disabled=move || busy.get() on:click=log>
                    "Log"
                </button>
            </div>
            <div class="inline-form">
                <label>
                    "Merge into # "
                    <input
                        type="text"
                        inputmode="numeric"
                        data-testid="action-merge-into"
                        prop:value=move || merge_into.get()
                        on:input=move |ev| merge_into.set(event_target_value(&ev))
                    />
                </label>
                <button type="button" data-testid="action-merge" disabled=move || busy.get() on:click=merge>
                    "Merge"
                </button>
            </div>
        </section>
    }
}
