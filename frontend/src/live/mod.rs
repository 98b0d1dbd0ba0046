//! The live connection (`GET /api/v1/ws`, frames of `protocol::live`): one socket per tab,
//! shared by every page through the [`Live`] handle in context.
//!
//! Pages say what they want for as long as they are on screen — a topic ([`Live::watch`]),
//! what the user is doing on a ticket ([`Live::set_presence`]), a callback for ticket changes
//! ([`Live::on_event`]) — and read the rest from signals (presence, dashboard, link status).
//! The link keeps that wish list and replays it after every reconnect, so pages never deal
//! with the socket's life.

mod backoff;
mod frames;
mod link;
mod state;
mod token;
mod wishes;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use protocol::live::{Activity, ChangeKind, DashboardStats, PresenceEntry, Topic};
use protocol::{Message, Ticket};

use crate::auth::Auth;

/// The state of the link, for the "Reconnecting…" banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// Signed out: no socket wanted.
    Idle,
    /// The first connection of this session is being made.
    Connecting,
    Open,
    /// The link dropped (or never came up); a retry is scheduled.
    Down,
}

/// A ticket changed (a `ticket` frame, unboxed).
#[derive(Debug, Clone, PartialEq)]
pub struct TicketChange {
    pub change: ChangeKind,
    pub ticket: Ticket,
    /// The new message, for message and note changes the user may read.
    pub message: Option<Message>,
    pub actor_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// What pages hear as events (state such as presence is in signals instead).
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    Ticket(Box<TicketChange>),
    /// The link is back after a drop: fetch what changed since `since` (the last event seen),
    /// since anything in between was not delivered.
    Reconnected {
        since: DateTime<Utc>,
    },
    /// The server says events may have been lost: re-fetch what is on screen.
    Resync,
}

/// Handle to the tab's live connection, provided as context by [`crate::app::App`].
#[derive(Debug, Clone, Copy)]
pub struct Live {
    auth: Auth,
    status: RwSignal<LinkStatus>,
    /// Who is on each watched ticket (staff view), as last told by the server.
    presence: RwSignal<HashMap<i64, Vec<PresenceEntry>>>,
    /// Watched tickets an agent is replying to (what customers are told).
    agent_replying: RwSignal<HashSet<i64>>,
    dashboard: RwSignal<Option<DashboardStats>>,
}

impl Live {
    /// Creates the handle and connects whenever someone is signed in.
    pub fn start(auth: Auth) -> Self {
        let live = Self {
            auth,
            status: RwSignal::new(LinkStatus::Idle),
            presence: RwSignal::new(HashMap::new()),
            agent_replying: RwSignal::new(HashSet::new()),
            dashboard: RwSignal::new(None),
        };
        // A token refresh keeps the socket (the server checks tokens only at the upgrade);
        // signing in as someone else, or out, replaces it.
        let user_id = Memo::new(move |_| auth.user().map(|u| u.id));
        Effect::new(move |_| match user_id.get() {
            Some(_) => link::enable(live),
            None => link::disable(live),
        });
        link::start_heartbeat(live);
        live
    }

    /// The link's state (reactive).
    pub fn status(&self) -> LinkStatus {
        self.status.get()
    }

    /// The people on a watched ticket, as staff see them (reactive).
    pub fn people(&self, ticket_id: i64) -> Vec<PresenceEntry> {
        self.presence.with(|p| p.get(&ticket_id).cloned().unwrap_or_default())
    }

    /// Whether an agent is replying to a watched ticket, as customers are told (reactive).
    pub fn agent_replying(&self, ticket_id: i64) -> bool {
        self.agent_replying.with(|r| r.contains(&ticket_id))
    }

    /// The latest dashboard figures, once the `dashboard` topic delivered some (reactive).
    pub fn dashboard(&self) -> Option<DashboardStats> {
        self.dashboard.get()
    }

    /// Subscribes to `topic` for as long as the current reactive owner lives (a component, or
    /// one run of an effect). Watching a topic twice is counted, not sent twice.
    pub fn watch(&self, topic: Topic) {
        wishes::want_topic(*self, topic, true);
        let live = *self;
        on_cleanup(move || wishes::want_topic(live, topic, false));
    }

    /// Tells colleagues what the user is doing on a watched ticket (`None`: left it). Sent
    /// only when it changes, and again after a reconnect.
    pub fn set_presence(&self, ticket_id: i64, activity: Option<Activity>) {
        wishes::want_presence(*self, ticket_id, activity);
    }

    /// Calls `f` with every [`LiveEvent`] for as long as the current reactive owner lives.
    pub fn on_event(&self, f: impl Fn(&LiveEvent) + 'static) {
        let id = wishes::add_listener(f);
        on_cleanup(move || wishes::remove_listener(id));
    }
}

/// The [`Live`] handle provided by the app.
pub fn use_live() -> Live {
    expect_context::<Live>()
}
