//! Which version of each ticket the user last opened, kept in `localStorage` per user, so the
//! queue can mark tickets that are new to them or changed since they looked.

use std::collections::HashMap;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use protocol::Ticket;

use crate::auth::Auth;

/// Enough for a busy queue; the oldest ticket ids go first beyond it.
const MAX_ENTRIES: usize = 2_000;

fn storage_key(user_id: i64) -> String {
    format!("maildesk.seen.{user_id}")
}

fn load(user_id: Option<i64>) -> HashMap<i64, i64> {
    user_id
        .and_then(|id| LocalStorage::get::<HashMap<i64, i64>>(storage_key(id)).ok())
        .unwrap_or_default()
}

/// What the user has seen of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Never opened.
    New,
    /// Changed since it was last opened.
    Updated,
    Read,
}

/// Handle to the last-seen versions, provided as context by [`crate::app::App`].
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    user_id: RwSignal<Option<i64>>,
    versions: RwSignal<HashMap<i64, i64>>,
}

impl Seen {
    /// Follows the signed-in user: each person has their own marks.
    pub fn start(auth: Auth) -> Self {
        // Read at once, so the first drawing of the queue already has the marks.
        let first = auth.session_untracked().map(|s| s.user.id);
        let seen = Self {
            user_id: RwSignal::new(first),
            versions: RwSignal::new(load(first)),
        };
        let user_id = Memo::new(move |_| auth.user().map(|u| u.id));
        Effect::new(move |_| {
            let id = user_id.get();
            if id != seen.user_id.get_untracked() {
                seen.user_id.set(id);
                seen.versions.set(load(id));
            }
        });
        seen
    }

    /// How fresh `ticket` is for the user (reactive).
    pub fn freshness(&self, ticket: &Ticket) -> Freshness {
        self.versions.with(|v| match v.get(&ticket.id) {
            None => Freshness::New,
            Some(&seen) if seen < ticket.version => Freshness::Updated,
            Some(_) => Freshness::Read,
        })
    }

    /// The version the user last saw of a ticket (not reactive).
    pub fn version_untracked(&self, ticket_id: i64) -> Option<i64> {
        self.versions.with_untracked(|v| v.get(&ticket_id).copied())
    }

    /// The user has seen `version` of the ticket (an older version never lowers the mark).
    pub fn mark(&self, ticket_id: i64, version: i64) {
        if self.version_untracked(ticket_id).is_some_and(|v| v >= version) {
            return;
        }
        self.versions.update(|v| {
            v.insert(ticket_id, version);
            if v.len() > MAX_ENTRIES {
                let mut ids: Vec<i64> = v.keys().copied().collect();
                ids.sort_unstable();
                for id in &ids[..v.len() - MAX_ENTRIES] {
                    v.remove(id);
                }
            }
        });
        if let Some(user_id) = self.user_id.get_untracked() {
            let result = self
                .versions
                .with_untracked(|v| LocalStorage::set(storage_key(user_id), v));
            if let Err(e) = result {
                leptos::logging::warn!("could not store the seen tickets: {e}");
            }
        }
    }
}

/// The [`Seen`] handle provided by the app.
pub fn use_seen() -> Seen {
    expect_context::<Seen>()
}
