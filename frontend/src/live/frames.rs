//! Server frames in: signal updates for state (presence, dashboard), events for changes.

use leptos::prelude::*;
use protocol::live::ServerFrame;

use super::state::with;
use super::wishes::emit;
use super::{Live, LiveEvent, TicketChange};

pub(super) fn on_message(live: Live, generation: u64, text: &str) {
    let current = with(|s| {
        s.last_heard_ms = js_sys::Date::now();
        s.generation == generation
    });
    if !current {
        return;
    }
    let frame = match serde_json::from_str::<ServerFrame>(text) {
        Ok(frame) => frame,
        Err(e) => {
            leptos::logging::warn!("live: unreadable frame: {e}");
            return;
        }
    };
    match frame {
        ServerFrame::Ticket {
            change,
            ticket,
            message,
            actor_id,
            at,
            ..
        } => {
            with(|s| s.last_event_at = Some(s.last_event_at.map_or(at, |t| t.max(at))));
            emit(&LiveEvent::Ticket(Box::new(TicketChange {
                change,
                ticket: *ticket,
                message: message.map(|m| *m),
                actor_id,
                at,
            })));
        }
        ServerFrame::Presence { ticket_id, people } => live.presence.update(|p| {
            p.insert(ticket_id, people);
        }),
        ServerFrame::AgentReplying { ticket_id, replying } => live.agent_replying.update(|r| {
            if replying {
                r.insert(ticket_id);
            } else {
                r.remove(&ticket_id);
            }
        }),
        ServerFrame::Dashboard { stats } => live.dashboard.set(Some(*stats)),
        ServerFrame::Resync { reason } => {
            leptos::logging::log!("live: resync ({reason})");
            emit(&LiveEvent::Resync);
        }
        ServerFrame::Error { code, message, topic } => {
            leptos::logging::warn!("live: {code} {message} ({topic:?})");
        }
        // The server's clock is the catch-up base until a first event arrives: everything after
        // this hello reaches us live, and our own clock may be off.
        ServerFrame::Hello { server_time, .. } => with(|s| {
            s.last_event_at.get_or_insert(server_time);
        }),
        ServerFrame::Subscribed { .. } | ServerFrame::Unsubscribed { .. } | ServerFrame::Pong { .. } => {}
    }
}
