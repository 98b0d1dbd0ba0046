//! The time logged on a ticket, entry by entry (who, how long, what for, when); reloaded
//! whenever the ticket's total changes (a log here, or one arriving live).

use leptos::prelude::*;
use protocol::TimeEntry;

use crate::format::{datetime, relative};
use crate::pages::ticket_live::TicketContext;

#[component]
pub fn TimeEntries(ctx: TicketContext) -> impl IntoView {
    let total = Memo::new(move |_| ctx.with_detail(|d| d.ticket.time_spent_minutes).unwrap_or(0));
    let entries = LocalResource::new(move || {
        let spent = total.get();
        async move {
            if spent == 0 {
                return Ok(Vec::new());
            }
            ctx.client.time_entries(ctx.id).await
        }
    });
    move || {
        let list: Vec<TimeEntry> = match entries.get() {
            Some(Ok(list)) if !list.is_empty() => list,
            _ => return None,
        };
        Some(view! {
            <section class="side-section time-entries" aria-labelledby="time-entries-title" data-testid="time-entries">
                <h2 id="time-entries-title">"Time logged"</h2>
                <ul class="plain-list">
                    {list.into_iter().map(|e| view! { <EntryRow e /> }).collect_view()}
                </ul>
            </section>
        })
    }
}

#[component]
fn EntryRow(e: TimeEntry) -> impl IntoView {
    let who = e.user_name.unwrap_or_else(|| "A former user".to_owned());
    view! {
        <li data-testid="time-entry" data-entry-id=e.id>
            <strong data-testid="time-entry-minutes">{minutes_label(e.minutes)}</strong>
            <span>{format!(" · {who} · ")}</span>
            <span class="muted" title=datetime(e.created_at)>{relative(e.created_at)}</span>
            {(!e.note.is_empty()).then(|| view! { <div data-testid="time-entry-note">{e.note.clone()}</div> })}
        </li>
    }
}

/// `45 min`, `2 h`, `1 h 30 min`.
pub fn minutes_label(m: i64) -> String {
    match (m / 60, m % 60) {
        (0, min) => format!("{min} min"),
        (h, 0) => format!("{h} h"),
        (h, min) => format!("{h} h {min} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(minutes_label(45), "45 min");
        assert_eq!(minutes_label(120), "2 h");
        assert_eq!(minutes_label(200), "3 h 20 min");
    }
}
