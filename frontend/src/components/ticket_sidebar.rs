//! The facts of a ticket next to its thread: people, channel, dates, time spent. (Subscribers
//! and history have their own sections: they change while the agent works on them.)

use leptos::prelude::*;
use protocol::Ticket;

use crate::format::{datetime, relative};

#[component]
pub fn TicketSidebar(ticket: Ticket, category: Option<String>) -> impl IntoView {
    let assignee = ticket
        .assignee
        .as_ref()
        .map_or("Unassigned".to_owned(), |a| a.name.clone());
    let requester = format!("{} <{}>", ticket.requester.name, ticket.requester.email);
    let due = ticket.due_at.map(datetime);
    let rating = ticket.rating.as_deref().map(rating_label);
    let rating_comment = ticket.rating_comment.clone().filter(|c| !c.is_empty());

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
                {rating.map(|r| view! { <dt>"Rating"</dt><dd data-testid="sidebar-rating">{r}</dd> })}
                {rating_comment
                    .map(|c| {
                        view! { <dt>"Customer's comment"</dt><dd data-testid="sidebar-rating-comment">{c}</dd> }
                    })}
                {(ticket.time_spent_minutes > 0)
                    .then(|| {
                        let t = ticket.time_spent_minutes;
                        view! { <dt>"Time spent"</dt><dd>{format!("{} h {:02} min", t / 60, t % 60)}</dd> }
                    })}
            </dl>
        </aside>
    }
}

/// The requester's rating in words.
fn rating_label(r: &str) -> String {
    match r {
        "good" => "Good".into(),
        "ok" => "OK".into(),
        "bad" => "Bad".into(),
        other => other.to_owned(),
    }
}
