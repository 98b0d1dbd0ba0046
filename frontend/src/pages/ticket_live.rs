//! The ticket page's state and live side: the ticket patched by changes as they happen, the
//! user's presence derived from the reply box, catch-up after a reconnect, and r/n/a keys.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::live::{Activity, ChangeKind, Topic};
use protocol::{MessageKind, TicketDetail};

use crate::api::{ApiError, Client, PostKind};
use crate::components::composer::Composer;
use crate::components::conflict_banner::Conflict;
use crate::keys::on_shortcut;
use crate::live::{LiveEvent, TicketChange, use_live};
use crate::seen::{Seen, use_seen};

/// Typing stops counting after this long without a keystroke (the text may sit there while
/// its author reads the thread).
const IDLE_MS: f64 = 8_000.0;

#[derive(Debug, Clone, Copy)]
pub struct TicketContext {
    pub id: i64,
    pub client: Client,
    pub me: Option<i64>,
    pub staff: bool,
    pub composer: Composer,
    pub detail: RwSignal<Option<Result<TicketDetail, ApiError>>>,
    /// Read out by screen readers: messages that arrive live.
    pub announce: RwSignal<String>,
    pub taking: RwSignal<bool>,
    pub action_error: RwSignal<Option<String>>,
    /// A change from the actions panel is on its way: one at a time, since each is written
    /// against the version the previous one produces.
    pub editing: RwSignal<bool>,
    /// What happened to the last change from the actions panel, when it did not simply work.
    pub edit_notice: RwSignal<Option<String>>,
    seen: Seen,
}

impl TicketContext {
    pub fn new(id: i64, client: Client, me: Option<i64>, staff: bool, composer: Composer) -> Self {
        Self {
            id,
            client,
            me,
            staff,
            composer,
            detail: RwSignal::new(None),
            announce: RwSignal::new(String::new()),
            taking: RwSignal::new(false),
            action_error: RwSignal::new(None),
            editing: RwSignal::new(false),
            edit_notice: RwSignal::new(None),
            seen: use_seen(),
        }
    }

    /// Reads the loaded ticket (reactive); `None` while loading or after an error.
    pub fn with_detail<R>(&self, f: impl FnOnce(&TicketDetail) -> R) -> Option<R> {
        self.detail.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(f))
    }

    pub fn version_untracked(&self) -> Option<i64> {
        self.detail
            .with_untracked(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.ticket.version))
    }

    /// Shows `fresh` unless what is on screen is already newer (a live frame may overtake a
    /// response).
    pub fn show(&self, fresh: TicketDetail) {
        if self.version_untracked().is_none_or(|v| fresh.ticket.version >= v) {
            self.detail.set(Some(Ok(fresh)));
        }
    }

    /// Fetches the ticket; `quiet` keeps what is shown while loading and if it fails.
    pub fn load(self, quiet: bool) {
        if !quiet {
            self.detail.set(None);
        }
        spawn_local(async move {
            match self.client.ticket(self.id).await {
                Ok(d) => self.show(d),
                Err(e) if !quiet => self.detail.set(Some(Err(e))),
                Err(e) => leptos::logging::warn!("could not refresh the ticket: {e:?}"),
            }
        });
    }

    /// The ticket after the user's own change: a draft started before it missed nothing.
    pub fn own_change(self, d: TicketDetail) {
        if let Some(old) = self.version_untracked() {
            self.composer.rebase(old, d.ticket.version);
        }
        self.show(d);
    }

    /// A refused draft told us what changed: show it even if no live frame did.
    pub fn conflict_seen(self, c: Conflict) {
        self.detail.update(|d| {
            if let Some(Ok(d)) = d {
                if let Some(t) = c.current.filter(|t| t.version >= d.ticket.version) {
                    d.ticket = t;
                }
                for m in c.messages {
                    if !d.messages.iter().any(|x| x.id == m.id) {
                        d.messages.push(m);
                    }
                }
            }
        });
    }

    /// Assigns the ticket to the user, if nobody else holds it.
    pub fn take(self) {
        if !self.staff || self.taking.get_untracked() {
            return;
        }
        self.taking.set(true);
        self.action_error.set(None);
        let version = self.version_untracked();
        spawn_local(async move {
            match self.client.take(self.id, version).await {
                Ok(d) => self.own_change(d),
                Err(e) => {
                    let text = match e.current_ticket().and_then(|t| t.assignee.as_ref()) {
                        Some(a) if e.is_any_conflict() => format!("Already assigned to {}.", a.name),
                        _ => e.user_message(),
                    };
                    self.action_error.set(Some(text));
                }
            }
            self.taking.set(false);
        });
    }

    fn apply(self, c: &TicketChange) {
        if c.ticket.id != self.id {
            return;
        }
        let mut arrived = None;
        self.detail.update(|d| {
            if let Some(Ok(d)) = d {
                if c.ticket.version >= d.ticket.version {
                    d.ticket = c.ticket.clone();
                }
                if let Some(m) = &c.message
                    && !d.messages.iter().any(|x| x.id == m.id)
                {
                    d.messages.push(m.clone());
                    arrived = Some(m.clone());
                }
            }
        });
        if let Some(m) = arrived.filter(|m| m.author.as_ref().map(|a| a.id) != self.me) {
            let who = m.author.map_or("Maildesk".to_owned(), |a| a.name);
            let what = match m.kind {
                MessageKind::Note => "internal note",
                MessageKind::Reply => "reply",
                MessageKind::Customer => "message",
                MessageKind::System => "event",
            };
            self.announce.set(format!("New {what} from {who}"));
        }
        // The sidebar's history is not in the frame: fetch it for changes that write history.
        if matches!(c.change, ChangeKind::Updated | ChangeKind::Taken) {
            self.load(true);
        }
    }
}

/// Watches the ticket, applies its changes, marks it seen, and shares the user's presence.
pub fn follow_live(ctx: TicketContext) {
    let live = use_live();
    live.watch(Topic::Ticket(ctx.id));
    live.on_event(move |ev| match ev {
        LiveEvent::Ticket(c) => ctx.apply(c),
        LiveEvent::Reconnected { .. } | LiveEvent::Resync => ctx.load(true),
    });
    Effect::new(move |_| {
        if let Some(v) = ctx.with_detail(|d| d.ticket.version) {
            ctx.seen.mark(ctx.id, v);
        }
    });
    if ctx.staff {
        share_presence(ctx);
    }
}

/// `viewing` while on the page; `typing_reply`/`typing_note` while the reply box has focus,
/// text and recent keystrokes. The link sends only changes and keeps typing alive.
fn share_presence(ctx: TicketContext) {
    let live = use_live();
    let composer = ctx.composer;
    let idle = RwSignal::new(true);
    Effect::new(move |_| {
        composer.last_input_ms.track();
        idle.set(false);
    });
    let check = move || {
        let stale = js_sys::Date::now() - composer.last_input_ms.get_untracked() > IDLE_MS;
        if stale && !idle.get_untracked() {
            idle.set(true);
        }
    };
    if let Ok(handle) = set_interval_with_handle(check, Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
    let activity = Memo::new(move |_| {
        if composer.has_focused_text() && !idle.get() {
            match composer.kind.get() {
                PostKind::Reply => Activity::TypingReply,
                PostKind::Note => Activity::TypingNote,
            }
        } else {
            Activity::Viewing
        }
    });
    let id = ctx.id;
    Effect::new(move |_| live.set_presence(id, Some(activity.get())));
    on_cleanup(move || live.set_presence(id, None));
}

/// r: reply, n: note, a: take.
pub fn ticket_shortcuts(ctx: TicketContext) {
    on_shortcut(move |key, _| match key {
        "r" => {
            ctx.composer.focus(PostKind::Reply);
            true
        }
        "n" if ctx.staff => {
            ctx.composer.focus(PostKind::Note);
            true
        }
        "a" if ctx.staff => {
            ctx.take();
            true
        }
        _ => false,
    });
}
