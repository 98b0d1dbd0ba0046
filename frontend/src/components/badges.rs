//! Coloured labels for status, priority, the overdue flag and article visibility.

use leptos::prelude::*;
use protocol::{KbVisibility, Priority, TicketStatus};

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

/// A ticket whose SLA due time passed while it was open or pending.
#[component]
pub fn OverdueBadge(testid: &'static str) -> impl IntoView {
    view! {
        <span class="badge badge-overdue" data-testid=testid title="Its SLA due time has passed">
            "Overdue"
        </span>
    }
}

/// Marks what customers cannot read; public articles carry no mark unless `always`.
#[component]
pub fn KbVisibilityBadge(visibility: KbVisibility, #[prop(optional)] always: bool) -> impl IntoView {
    let (class, label) = match visibility {
        KbVisibility::Agents => ("badge kb-agents", "Agents only"),
        KbVisibility::Public => ("badge kb-public", "Public"),
    };
    (always || visibility == KbVisibility::Agents).then(
        || view! { <span class=class data-testid="kb-visibility" data-visibility=visibility.as_str()>{label}</span> },
    )
}
