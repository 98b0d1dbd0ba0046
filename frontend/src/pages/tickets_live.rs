//! The queue's live side: ticket changes patched into the list, presence on visible rows,
//! catch-up after a reconnect, and the j/k/o/a keys.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use protocol::live::{ChangeKind, Topic};
use protocol::{SortOrder, Ticket, TicketQuery, TicketSort};
use wasm_bindgen::JsCast;

use crate::api::Client;
use crate::filter::QueueFilter;
use crate::keys::{from_control, on_shortcut};
use crate::live::{LiveEvent, use_live};
use crate::queue_live::{Outcome, QueueList};
use crate::seen::Seen;

/// At most this many changes are caught up one by one; more, and the page is fetched again.
const CATCH_UP_MAX: u64 = 100;

/// What the queue page shares with its live side.
#[derive(Clone, Copy)]
pub struct QueueContext {
    pub client: Client,
    pub filter: Memo<QueueFilter>,
    pub list: RwSignal<QueueList>,
    pub me: Option<i64>,
    /// Staff may take tickets.
    pub staff: bool,
    pub seen: Seen,
    pub selected: RwSignal<Option<i64>>,
    /// A short message about the user's own action (taking a ticket).
    pub notice: RwSignal<Option<String>>,
    /// Read out by screen readers: new tickets.
    pub announce: RwSignal<String>,
    pub refetch: Callback<()>,
}

impl QueueContext {
    /// Puts a changed ticket in its place; the user's own changes do not make it unread.
    fn apply(&self, change: ChangeKind, ticket: Ticket, actor_id: Option<i64>) {
        let (id, version, number) = (ticket.id, ticket.version, ticket.number);
        let subject = ticket.subject.clone();
        let filter = self.filter.get_untracked();
        let mut outcome = Outcome::Ignored;
        self.list
            .update(|l| outcome = l.apply(&filter, self.me, change, ticket));
        if let Outcome::WasAt(old) = outcome
            && actor_id.is_some()
            && actor_id == self.me
            && self.seen.version_untracked(id).is_some_and(|v| v >= old)
        {
            self.seen.mark(id, version);
        }
        if outcome == Outcome::Inserted && change == ChangeKind::Created {
            self.announce.set(format!("New ticket #{number}: {subject}"));
        }
    }

    fn catch_up(self, since: DateTime<Utc>) {
        spawn_local(async move {
            let q = TicketQuery {
                updated_since: Some(since),
                sort: Some(TicketSort::Updated),
                order: Some(SortOrder::Asc),
                per_page: Some(CATCH_UP_MAX),
                ..TicketQuery::default()
            };
            match self.client.tickets(&q).await {
                Ok(page) if page.total > page.items.len() as u64 => self.refetch.run(()),
                Ok(page) => {
                    for t in page.items {
                        let change = if t.created_at >= since {
                            ChangeKind::Created
                        } else {
                            ChangeKind::Updated
                        };
                        self.apply(change, t, None);
                    }
                }
                Err(e) => {
                    leptos::logging::warn!("queue catch-up failed: {e:?}");
                    self.refetch.run(());
                }
            }
        });
    }
}

/// Subscribes to the queue's changes and to the presence of every ticket on screen.
pub fn follow_live(ctx: QueueContext) {
    let live = use_live();
    live.on_event(move |ev| match ev {
        LiveEvent::Ticket(c) => ctx.apply(c.change, c.ticket.clone(), c.actor_id),
        LiveEvent::Reconnected { since } => ctx.catch_up(*since),
        LiveEvent::Resync => ctx.refetch.run(()),
    });
    // Presence is only sent to a ticket's own subscribers, so each visible row is watched.
    let visible = Memo::new(move |_| ctx.list.with(|l| l.items.iter().map(|t| t.id).collect::<Vec<_>>()));
    Effect::new(move |_| {
        for id in visible.get() {
            live.watch(Topic::Ticket(id));
        }
    });
}

/// Moves keyboard focus to a row's link, so the browser scrolls to it and Enter opens it.
fn focus_row(id: i64) {
    let selector = format!("[data-testid=\"ticket-row\"][data-ticket-id=\"{id}\"] a");
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = link {
        let _ = link.focus();
    }
}

/// j/k move the selection, Enter/o open the selected ticket, a takes it.
pub fn queue_shortcuts(ctx: QueueContext) {
    let navigate = use_navigate();
    on_shortcut(move |key, ev| {
        let ids: Vec<i64> = ctx.list.with_untracked(|l| l.items.iter().map(|t| t.id).collect());
        let current = ctx
            .selected
            .get_untracked()
            .and_then(|s| ids.iter().position(|&i| i == s));
        match key {
            "j" | "k" => {
                let next = match (key, current) {
                    (_, None) => 0,
                    ("j", Some(i)) => (i + 1).min(ids.len().saturating_sub(1)),
                    (_, Some(i)) => i.saturating_sub(1),
                };
                let Some(&id) = ids.get(next) else { return false };
                ctx.selected.set(Some(id));
                focus_row(id);
                true
            }
            // A focused link opens itself on Enter.
            "Enter" if from_control(ev) => false,
            "Enter" | "o" => match current.and_then(|i| ids.get(i)) {
                Some(id) => {
                    navigate(&format!("/tickets/{id}"), Default::default());
                    true
                }
                None => false,
            },
            "a" if ctx.staff => match current.and_then(|i| ids.get(i)) {
                Some(&id) => {
                    take(ctx, id);
                    true
                }
                None => false,
            },
            _ => false,
        }
    });
}

fn take(ctx: QueueContext, id: i64) {
    let version = ctx
        .list
        .with_untracked(|l| l.items.iter().find(|t| t.id == id).map(|t| t.version));
    spawn_local(async move {
        match ctx.client.take(id, version).await {
            Ok(detail) => {
                let number = detail.ticket.number;
                ctx.apply(ChangeKind::Taken, detail.ticket, ctx.me);
                ctx.notice.set(Some(format!("You took ticket #{number}.")));
            }
            Err(e) => {
                let text = match e
                    .current_ticket()
                    .and_then(|t| t.assignee.as_ref().map(|a| (t.number, a)))
                {
                    Some((number, a)) if e.is_any_conflict() => format!("#{number} is already assigned to {}.", a.name),
                    _ => e.user_message(),
                };
                ctx.notice.set(Some(text));
            }
        }
    });
}
