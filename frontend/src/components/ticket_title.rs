//! The ticket page's heading (number and subject) and its status, drawn the same for staff and
//! in the customer portal.

use leptos::prelude::*;
use protocol::TicketStatus;

use crate::components::badges::StatusBadge;

#[component]
pub fn TicketTitle(number: i64, subject: String) -> impl IntoView {
    view! {
        <h1 id="ticket-title">
            <span class="ticket-number" data-testid="ticket-number">{format!("#{number}")}</span>
            " "
            <span data-testid="ticket-subject">{subject}</span>
        </h1>
    }
}

/// The status badge, with the status itself as `data-status`.
#[component]
pub fn TicketStatusTag(status: TicketStatus) -> impl IntoView {
    view! {
        <span data-testid="ticket-status" data-status=status.as_str()>
            <StatusBadge status />
        </span>
    }
}
