//! What pages want from the link — topics, presence, event callbacks — and sending the
//! difference to the socket.

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use protocol::live::{Activity, ClientFrame, Topic};

use super::state::{Listener, with};
use super::{Live, LiveEvent};

pub(super) fn want_topic(live: Live, topic: Topic, want: bool) {
    with(|s| {
        let count = s.wanted.entry(topic).or_insert(0);
        if want {
            *count += 1;
        } else {
            *count = count.saturating_sub(1);
            if *count == 0 {
                s.wanted.remove(&topic);
            }
        }
    });
    queue_sync(live);
}

pub(super) fn want_presence(live: Live, ticket_id: i64, activity: Option<Activity>) {
    with(|s| match activity {
        Some(a) => s.presence_wanted.insert(ticket_id, a),
        None => s.presence_wanted.remove(&ticket_id),
    });
    queue_sync(live);
}

/// Sends the difference between what pages want and what the socket has, once per turn of
/// the event loop: a component that is replaced by one watching the same topic (an effect
/// re-running, a route change) then causes no unsubscribe/subscribe churn.
fn queue_sync(live: Live) {
    let first = with(|s| !std::mem::replace(&mut s.sync_queued, true));
    if first {
        set_timeout(move || sync(live), Duration::ZERO);
    }
}

pub(super) fn sync(live: Live) {
    let unwatched = with(|s| {
        s.sync_queued = false;
        let Some(socket) = s.socket.as_ref().filter(|_| s.open) else {
            return Vec::new();
        };
        let gone: Vec<Topic> = s.sent.iter().filter(|t| !s.wanted.contains_key(t)).copied().collect();
        for topic in &gone {
            socket.send(&ClientFrame::Unsubscribe { topic: *topic });
            s.sent.remove(topic);
        }
        let new: Vec<Topic> = s.wanted.keys().filter(|t| !s.sent.contains(t)).copied().collect();
        for topic in new {
            socket.send(&ClientFrame::Subscribe { topic });
            s.sent.insert(topic);
        }
        // Presence needs the ticket's subscription; leaving by unsubscribing needs no frame.
        s.presence_sent.retain(|t, _| s.sent.contains(&Topic::Ticket(*t)));
        let left: Vec<i64> = s
            .presence_sent
            .keys()
            .filter(|t| !s.presence_wanted.contains_key(t))
            .copied()
            .collect();
        for ticket_id in left {
            socket.send(&ClientFrame::Presence {
                ticket_id,
                activity: None,
            });
            s.presence_sent.remove(&ticket_id);
        }
        for (&ticket_id, &activity) in &s.presence_wanted {
            if s.sent.contains(&Topic::Ticket(ticket_id)) && s.presence_sent.get(&ticket_id) != Some(&activity) {
                socket.send(&ClientFrame::Presence {
                    ticket_id,
                    activity: Some(activity),
                });
                s.presence_sent.insert(ticket_id, activity);
            }
        }
        gone
    });
    // The people of a ticket no longer watched would go stale.
    let ids: Vec<i64> = unwatched
        .into_iter()
        .filter_map(|t| match t {
            Topic::Ticket(id) => Some(id),
            _ => None,
        })
        .collect();
    if !ids.is_empty() {
        live.presence.update(|p| p.retain(|id, _| !ids.contains(id)));
    }
}

pub(super) fn add_listener(f: impl Fn(&LiveEvent) + 'static) -> u64 {
    with(|s| {
        s.next_listener += 1;
        s.listeners.push((s.next_listener, Rc::new(f)));
        s.next_listener
    })
}

pub(super) fn remove_listener(id: u64) {
    with(|s| s.listeners.retain(|(l, _)| *l != id));
}

pub(super) fn emit(event: &LiveEvent) {
    let listeners: Vec<Listener> = with(|s| s.listeners.iter().map(|(_, l)| l.clone()).collect());
    for listener in listeners {
        listener(event);
    }
}
