//! The ticket's audit history as a timeline, newest first, in a section the agent opens when
//! they need it. The `<details>` element is drawn once and only its list follows the ticket, so
//! it stays open while changes arrive.

use leptos::prelude::*;
use protocol::TicketEvent;

use crate::format::{datetime, relative};
use crate::history::{Names, Piece, describe};
use crate::pages::ticket_live::TicketContext;
use crate::staff_directory::StaffDirectory;

impl Names for StaffDirectory {
    fn user(&self, id: i64) -> Option<String> {
        self.user_name(id)
    }

    fn category(&self, id: i64) -> Option<String> {
        self.category_name(id)
    }
}

#[component]
pub fn TicketHistory(ctx: TicketContext, directory: StaffDirectory) -> impl IntoView {
    let events = move || ctx.with_detail(|d| d.events.clone()).unwrap_or_default();
    view! {
        <details class="side-card history" data-testid="history">
            <summary>{move || format!("History ({})", events().len())}</summary>
            <ol class="plain-list timeline" aria-label="Changes to this ticket, newest first">
                {move || {
                    let mut list = events();
                    if list.is_empty() {
                        return view! { <li class="muted">"No changes yet."</li> }.into_any();
                    }
                    list.sort_by_key(|e| std::cmp::Reverse((e.created_at, e.id)));
                    list.into_iter().map(|e| history_item(&e, &directory)).collect_view().into_any()
                }}
            </ol>
        </details>
    }
}

fn history_item(e: &TicketEvent, directory: &StaffDirectory) -> impl IntoView + use<> {
    let pieces = describe(e, directory)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.into_any(),
            Piece::Ticket(id) => view! { <a href=format!("/tickets/{id}")>{format!("#{id}")}</a> }.into_any(),
        })
        .collect_view();
    let at = e.created_at;
    view! {
        <li class="timeline-item" data-testid="history-item" data-field=e.field.to_string()>
            <span class="timeline-text">{pieces}</span>
            <time class="timeline-time" datetime=at.to_rfc3339() title=datetime(at)>{relative(at)}</time>
        </li>
    }
}
