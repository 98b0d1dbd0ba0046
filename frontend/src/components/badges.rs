//! Coloured labels for status and priority.

use leptos::prelude::*;
use protocol::{Priority, TicketStatus};

use crate::format::{priority_label, status_label};

#[component]
pub fn StatusBadge(status: TicketStatus) -> impl IntoView {
    view! {
        <span class=format!("badge status-{}", status.as_str()) data-testid="status-badge">
            {status_label(status)}
        </span>
    }
}

#[component]
pub fn PriorityBadge(priority: Priority) -> impl IntoView {
    view! {
        <span class=format!("badge priority-{}", priority.as_str()) data-testid="priority-badge">
            {priority_label(priority)}
        </span>
    }
}
