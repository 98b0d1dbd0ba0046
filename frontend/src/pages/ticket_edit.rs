//! The ticket page's writes: field changes from the actions panel (against the version on
//! screen), subscribers, and splitting a message off. A change refused because the ticket moved
//! on meanwhile (409 `version_conflict`) reloads the ticket and says in words who changed what
//! and that the agent's own change was not saved — never a silent retry, which would overwrite
//! a colleague's change the agent has not seen.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{ErrorCode, EventKind, Message, MessageKind, TicketDetail, UpdateTicket};

use crate::api::ApiError;
use crate::components::conflict_banner::Conflict;
use crate::pages::ticket_live::TicketContext;

impl TicketContext {
    /// PATCHes the ticket with `change(version)`, `version` being the one on screen. `what`
    /// labels the change in messages ("Category"); `saved` runs once the change is stored.
    pub fn edit(self, what: &'static str, change: impl FnOnce(i64) -> UpdateTicket, saved: impl FnOnce() + 'static) {
        let Some(version) = self.version_untracked() else {
            return;
        };
        let update = change(version);
        let request = async move { self.client.update_ticket(self.id, &update).await };
        self.write(self.edit_notice, what, request, explain_field_change, move |d| {
            self.own_change(d);
            saved();
        });
    }

    /// Runs one write whose answer is this ticket (subscribers, time): shown when it arrives.
    pub fn change<F>(self, what: &'static str, request: F, saved: impl FnOnce() + 'static)
    where
        F: Future<Output = Result<TicketDetail, ApiError>> + 'static,
    {
        self.write(self.edit_notice, what, request, explain, move |d| {
            self.own_change(d);
            saved();
        });
    }

    /// Moves one message into a new ticket and hands its id to `open`. Problems are reported
    /// in the ticket's header, next to the thread the action was taken from.
    pub fn split(self, message_id: i64, open: Callback<i64>) {
        let Some(version) = self.version_untracked() else {
            return;
        };
        let request = async move { self.client.split(self.id, message_id, version).await };
        self.write(self.action_error, "Split", request, explain, move |d| {
            open.run(d.ticket.id)
        });
    }

    /// One write at a time; its outcome, when not plain success, goes to `notice`.
    pub fn write<T, F>(
        self,
        notice: RwSignal<Option<String>>,
        what: &'static str,
        request: F,
        explain: fn(&ApiError, &str) -> String,
        on_ok: impl FnOnce(T) + 'static,
    ) where
        T: 'static,
        F: Future<Output = Result<T, ApiError>> + 'static,
    {
        if self.editing.get_untracked() {
            return;
        }
        // Events past these were made by others: they explain a conflict.
        let last_event = self
            .detail
            .with_untracked(|d| {
                d.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map(|d| d.events.iter().map(|e| e.id).max().unwrap_or(0))
            })
            .unwrap_or(0);
        self.editing.set(true);
        notice.set(None);
        spawn_local(async move {
            match request.await {
                Ok(value) => on_ok(value),
                Err(e) if e.is_conflict() => {
                    let text = self.reload_after_conflict(what, last_event, &e).await;
                    notice.set(Some(text));
                }
                Err(e) => {
                    notice.set(Some(explain(&e, what)));
                    // Controls showing the refused choice redraw from the unchanged ticket.
                    self.detail.update(|_| {});
                }
            }
            self.editing.set(false);
        });
    }

    /// Shows the ticket as it is now; returns the sentence telling the agent what happened.
    async fn reload_after_conflict(self, what: &str, last_event: i64, e: &ApiError) -> String {
        match self.client.ticket(self.id).await {
            Ok(fresh) => {
                let text = conflict_notice(what, &fresh, last_event, self.me, e.conflict_messages());
                self.show(fresh);
                text
            }
            Err(_) => {
                // The conflict itself carries the ticket as it is now: show at least that.
                self.conflict_seen(Conflict {
                    current: e.current_ticket().cloned(),
                    messages: e.conflict_messages().to_vec(),
                });
                format!(
                    "This ticket was changed by someone else just before you, so your change ({}) was \
                     not saved. Reload the page to see the latest state, then make your change again if \
                     it still applies.",
                    what.to_lowercase()
                )
            }
        }
    }
}

/// A refused write in words, labelled as the panel labels its parts ("Merge: …").
pub fn explain(e: &ApiError, what: &str) -> String {
    format!("{what}: {}", e.user_message())
}

/// Like [`explain`], for `PATCH`: agents see their categories' tickets and their own, so a new
/// category or assignee can take the ticket out of their sight. The change is then stored but
/// the answer, read back with the agent's rights, is "not found".
fn explain_field_change(e: &ApiError, what: &str) -> String {
    if e.code() != Some(ErrorCode::NotFound) {
        return explain(e, what);
    }
    format!(
        "{what}: the change may have been saved, but this ticket is no longer visible to you: a \
         category you do not work in, or assigning it away, takes a ticket out of your view. Ask an \
         admin or a colleague in that category if it needs undoing."
    )
}

/// "Kim Lee changed this ticket just before you (status, tags), so your change (category) was
/// not saved…"
fn conflict_notice(what: &str, fresh: &TicketDetail, last_event: i64, me: Option<i64>, new: &[Message]) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut changes: Vec<&'static str> = Vec::new();
    let mut note = |name: Option<&str>, change: &'static str| {
        if let Some(name) = name
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
        if !changes.contains(&change) {
            changes.push(change);
        }
    };
    for e in fresh.events.iter().filter(|e| e.id > last_event) {
        let actor = e.actor.as_ref().filter(|a| Some(a.id) != me).map(|a| a.name.as_str());
        note(actor, field_noun(&e.field));
    }
    for m in new {
        let author = m.author.as_ref().filter(|a| Some(a.id) != me).map(|a| a.name.as_str());
        let change = match m.kind {
            MessageKind::Note => "a note",
            MessageKind::System => "an event",
            MessageKind::Customer | MessageKind::Reply => "a new message",
        };
        note(author, change);
    }
    let who = match names.as_slice() {
        [] => "Someone else".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let changes = if changes.is_empty() {
        String::new()
    } else {
        format!(" ({})", changes.join(", "))
    };
    format!(
        "{who} changed this ticket just before you{changes}, so your change ({}) was not saved. The \
         ticket now shows the latest state: check it, then make your change again if it still applies.",
        what.to_lowercase()
    )
}

/// The audit field as a word in a sentence.
fn field_noun(kind: &EventKind) -> &'static str {
    use EventKind as K;
    match kind {
        K::Status => "status",
        K::Priority => "priority",
        K::Category => "category",
        K::Assignee | K::Taken => "assignee",
        K::DueAt => "due date",
        K::Tags => "tags",
        K::SubscriberAdded | K::SubscriberRemoved => "subscribers",
        K::TimeSpent => "time spent",
        K::MergedInto | K::MergedFrom => "a merge",
        K::SplitInto | K::SplitFrom => "a split",
        _ => "other details",
    }
}
