//! The facts of a ticket next to its thread: people, dates, tags, history.

use leptos::prelude::*;
use protocol::{Subscriber, Ticket, TicketEvent};

use crate::format::{datetime, relative};

#[component]
pub fn TicketSidebar(
    ticket: Ticket,
    subscribers: Vec<Subscriber>,
    events: Vec<TicketEvent>,
    category: Option<String>,
) -> impl IntoView {
    let assignee = ticket
        .assignee
        .as_ref()
        .map_or("Unassigned".to_owned(), |a| a.name.clone());
    let requester = format!("{} <{}>", ticket.requester.name, ticket.requester.email);
    let due = ticket.due_at.map(datetime);

    view! {
        <aside class="ticket-sidebar" aria-label="Ticket details">
            <dl class="facts">
                <dt>"Requester"</dt>
                <dd>{requester}</dd>
                <dt>"Assignee"</dt>
                <dd>{assignee}</dd>
                <dt>"Category"</dt>
                <dd>{category.unwrap_or_else(|| "None".to_owned())}</dd>
                <dt>"Channel"</dt>
                <dd>{ticket.via.as_str()}</dd>
                <dt>"Created"</dt>
                <dd title=datetime(ticket.created_at)>{relative(ticket.created_at)}</dd>
                <dt>"Updated"</dt>
                <dd title=datetime(ticket.updated_at)>{relative(ticket.updated_at)}</dd>
                {due.map(|due| view! { <dt>"Due"</dt><dd>{due}</dd> })}
                {(ticket.time_spent_minutes > 0)
                    .then(|| {
                        let t = ticket.time_spent_minutes;
                        view! { <dt>"Time spent"</dt><dd>{format!("{} h {:02} min", t / 60, t % 60)}</dd> }
                    })}
            </dl>
            <Subscribers subscribers />
            <History events />
        </aside>
    }
}

#[component]
fn Subscribers(subscribers: Vec<Subscriber>) -> impl IntoView {
    (!subscribers.is_empty()).then(|| {
        view! {
            <section class="side-section">
                <h2>"Subscribers"</h2>
                <ul class="plain-list">
                    {subscribers.into_iter().map(|s| view! { <li>{s.email}</li> }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn History(events: Vec<TicketEvent>) -> impl IntoView {
    (!events.is_empty()).then(|| {
        let count = events.len();
        let rows = events
            .into_iter()
            .map(|e| {
                let who = e.actor.map_or("Maildesk".to_owned(), |a| a.name);
                let change = match (e.old_value, e.new_value) {
                    (Some(old), Some(new)) => format!("{}: {old} → {new}", e.field),
                    (None, Some(new)) => format!("{}: {new}", e.field),
                    (Some(old), None) => format!("{}: {old} removed", e.field),
                    (None, None) => e.field,
                };
                view! {
                    <li>
                        <span class="event-change">{change}</span>
                        <span class="event-meta" title=datetime(e.created_at)>
                            {format!("{who} · {}", relative(e.created_at))}
                        </span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <details class="side-section history">
                <summary>{format!("History ({count})")}</summary>
                <ul class="plain-list events">{rows}</ul>
            </details>
        }
    })
}
