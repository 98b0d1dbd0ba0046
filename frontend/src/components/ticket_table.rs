//! The queue as a table: one row per ticket.

use leptos::prelude::*;
use protocol::Ticket;

use crate::components::badges::{PriorityBadge, StatusBadge};
use crate::format::{datetime, relative};

#[component]
pub fn TicketTable(tickets: Vec<Ticket>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="tickets" data-testid="ticket-table">
                <thead>
                    <tr>
                        <th scope="col" class="col-number">"#"</th>
                        <th scope="col">"Subject"</th>
                        <th scope="col" class="col-requester">"Requester"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="col-priority">"Priority"</th>
                        <th scope="col" class="col-assignee">"Assignee"</th>
                        <th scope="col" class="col-updated">"Updated"</th>
                    </tr>
                </thead>
                <tbody>{tickets.into_iter().map(|t| view! { <TicketRow t /> }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
fn TicketRow(t: Ticket) -> impl IntoView {
    let href = format!("/tickets/{}", t.id);
    let assignee = match &t.assignee {
        Some(a) => view! { <span>{a.name.clone()}</span> }.into_any(),
        None => view! { <span class="muted">"Unassigned"</span> }.into_any(),
    };
    view! {
        <tr data-testid="ticket-row" data-ticket-id=t.id>
            <td class="col-number">
                <span class="ticket-number">{format!("#{}", t.number)}</span>
            </td>
            <td class="col-subject">
                <a href=href data-testid="ticket-link">{t.subject}</a>
                {(!t.tags.is_empty())
                    .then(|| {
                        view! {
                            <span class="tags">
                                {t.tags.into_iter().map(|tag| view! { <span class="tag">{tag}</span> }).collect_view()}
                            </span>
                        }
                    })}
            </td>
            <td class="col-requester" title=t.requester.email>{t.requester.name}</td>
            <td><StatusBadge status=t.status /></td>
            <td class="col-priority"><PriorityBadge priority=t.priority /></td>
            <td class="col-assignee">{assignee}</td>
            <td class="col-updated">
                <time datetime=t.updated_at.to_rfc3339() title=datetime(t.updated_at)>
                    {relative(t.updated_at)}
                </time>
            </td>
        </tr>
    }
}
