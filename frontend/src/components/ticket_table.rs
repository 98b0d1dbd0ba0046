//! The queue as a table: one row per ticket, patched live, with who is on each ticket, a mark
//! on tickets the user has not seen in their current state, and a keyboard selection.

use leptos::prelude::*;
use protocol::Ticket;

use crate::components::badges::{OverdueBadge, PriorityBadge, StatusBadge};
use crate::components::presence::RowPresence;
use crate::format::{datetime, relative};
use crate::seen::{Freshness, use_seen};

#[component]
pub fn TicketTable(
    #[prop(into)] tickets: Signal<Vec<Ticket>>,
    /// The ticket selected with j/k.
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
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
                <tbody>
                    // Keyed by version too: a ticket that changed is drawn afresh, in place. And by
                    // the overdue flag, which the SLA checker sets without a new version.
                    <For
                        each=move || tickets.get()
                        key=|t| (t.id, t.version, t.overdue)
                        children=move |t| view! { <TicketRow t selected /> }
                    />
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TicketRow(t: Ticket, selected: RwSignal<Option<i64>>) -> impl IntoView {
    let seen = use_seen();
    let id = t.id;
    let freshness = {
        let t = t.clone();
        Memo::new(move |_| seen.freshness(&t))
    };
    let href = format!("/tickets/{id}");
    let assignee = match &t.assignee {
        Some(a) => view! { <span>{a.name.clone()}</span> }.into_any(),
        None => view! { <span class="muted">"Unassigned"</span> }.into_any(),
    };
    let is_selected = move || selected.get() == Some(id);
    view! {
        <tr
            data-testid="ticket-row"
            data-ticket-id=id
            data-version=t.version
            data-overdue=t.overdue.to_string()
            data-unread=move || (freshness.get() != Freshness::Read).to_string()
            class:selected=is_selected
            class:unread=move || freshness.get() != Freshness::Read
            data-selected=move || is_selected().to_string()
        >
            <td class="col-number">
                <span class="ticket-number">{format!("#{}", t.number)}</span>
            </td>
            <td class="col-subject">
                <FreshnessMark freshness />
                <a href=href data-testid="ticket-link" on:focus=move |_| selected.set(Some(id))>
                    {t.subject}
                </a>
                {(!t.tags.is_empty())
                    .then(|| {
                        view! {
                            <span class="tags">
                                {t.tags.into_iter().map(|tag| view! { <span class="tag">{tag}</span> }).collect_view()}
                            </span>
                        }
                    })}
                <RowPresence ticket_id=id />
            </td>
            <td class="col-requester" title=t.requester.email>{t.requester.name}</td>
            <td class="col-status">
                <StatusBadge status=t.status />
                {t.overdue.then(|| view! { <OverdueBadge testid="ticket-overdue-badge" /> })}
            </td>
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

/// A dot before the subject of a ticket that is new to the user or changed since they
/// opened it; the words are there for screen readers.
#[component]
fn FreshnessMark(freshness: Memo<Freshness>) -> impl IntoView {
    move || {
        let (label, class) = match freshness.get() {
            Freshness::Read => return None,
            Freshness::New => ("New", "fresh-new"),
            Freshness::Updated => ("Updated", "fresh-updated"),
        };
        Some(view! {
            <span class=format!("fresh-mark {class}") data-testid="unread" title=label>
                <span class="visually-hidden">{label}</span>
            </span>
        })
    }
}
