//! The socket's life: connecting with a one-time ticket, reconnecting with backoff, and the
//! keep-alive that notices a link the browser still thinks is up.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::live::{Activity, ClientFrame, WS_PATH};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::frames::on_message;
use super::state::{Socket, with};

use super::wishes::{emit, sync};
use super::{LinkStatus, Live, LiveEvent, backoff, token};
use crate::api::Client;

/// Application pings this often; the server answers with `pong`. (Its own WebSocket pings are
/// answered by the browser and invisible to the page, so they cannot tell us the link died.)
const PING_EVERY: Duration = Duration::from_secs(5);
/// Nothing heard for this long: the link is dead even if the browser has not noticed.
const SILENT_MS: f64 = 12_000.0;
/// After this many connection attempts that never opened, the session itself is suspect.
const FAILURES_BEFORE_TOKEN_CHECK: u32 = 3;
/// Without any event seen yet, catch up from a little before the socket first opened (the
/// browser's clock, so with room for skew).
const CLOCK_SLACK: TimeDelta = TimeDelta::seconds(60);

pub(super) fn enable(live: Live) {
    disable(live);
    with(|s| s.enabled = true);
    live.status.set(LinkStatus::Connecting);
    connect(live);
}

pub(super) fn disable(live: Live) {
    let old = with(|s| {
        s.enabled = false;
        s.generation += 1;
        s.open = false;
        s.ever_open = false;
        s.attempt = 0;
        s.failures_before_open = 0;
        s.first_open_at = None;
        s.last_event_at = None;
        s.sent.clear();
        s.presence_sent.clear();
        if let Some(retry) = s.retry.take() {
            retry.clear();
        }
        s.socket.take()
    });
    if let Some(socket) = old {
        socket.detach();
    }
    live.status.set(LinkStatus::Idle);
    clear_live_state(live);
}

fn clear_live_state(live: Live) {
    live.presence.update(HashMap::clear);
    live.agent_replying.update(HashSet::clear);
}

/// Gets a one-time ticket, then opens the socket.
fn connect(live: Live) {
    let (generation, check_session) = with(|s| {
        s.retry = None;
        let failures = s.failures_before_open;
        (
            s.generation,
            failures >= FAILURES_BEFORE_TOKEN_CHECK && failures.is_multiple_of(FAILURES_BEFORE_TOKEN_CHECK),
        )
    });
    spawn_local(async move {
        let token = if check_session {
            // The upgrade kept failing: a refresh either renews a token the server stopped
            // accepting or, if the session is over, signs out (which stops the link).
            match Client::new(live.auth).refresh_session().await {
                Ok(_) => token::for_connect(live.auth).await,
                Err(e) => Err(e),
            }
        } else {
            token::for_connect(live.auth).await
        };
        if with(|s| s.generation != generation || !s.enabled) {
            return;
        }
        match token {
            Ok(token) => open(live, generation, &token),
            Err(e) if e.rejects_session() => {}
            Err(_) => schedule_retry(live),
        }
    });
}

fn ws_url(ticket: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss:"
    } else {
        "ws:"
    };
    let host = location.host().ok()?;
    let ticket = String::from(js_sys::encode_uri_component(ticket));
    Some(format!("{scheme}//{host}{WS_PATH}?ticket={ticket}"))
}

fn open(live: Live, generation: u64, token: &str) {
    let Some(ws) = ws_url(token).and_then(|url| WebSocket::new(&url).ok()) else {
        schedule_retry(live);
        return;
    };
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_| on_open(live, generation));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(text) = ev.data().as_string() {
            on_message(live, generation, &text);
        }
    });
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_| on_close(live, generation));
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let socket = Socket {
        ws,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    };
    // Not called from a callback of the old socket, so it may go at once.
    if let Some(old) = with(|s| s.socket.replace(socket)) {
        old.detach();
    }
}

fn on_open(live: Live, generation: u64) {
    let reconnected = with(|s| {
        if s.generation != generation {
            return None;
        }
        s.open = true;
        s.attempt = 0;
        s.failures_before_open = 0;
        s.last_heard_ms = js_sys::Date::now();
        s.sent.clear();
        s.presence_sent.clear();
        let was_open = std::mem::replace(&mut s.ever_open, true);
        let first_open = *s.first_open_at.get_or_insert_with(Utc::now);
        Some(was_open.then(|| s.last_event_at.unwrap_or(first_open - CLOCK_SLACK)))
    });
    let Some(reconnected) = reconnected else { return };
    live.status.set(LinkStatus::Open);
    sync(live);
    if let Some(since) = reconnected {
        emit(&LiveEvent::Reconnected { since });
    }
}

fn on_close(live: Live, generation: u64) {
    let dropped = with(|s| {
        if s.generation != generation {
            return false;
        }
        if !s.open {
            s.failures_before_open += 1;
        }
        s.open = false;
        s.sent.clear();
        s.presence_sent.clear();
        if let Some(socket) = s.socket.take() {
            socket.detach();
            s.retired = Some(socket);
        }
        s.enabled
    });
    if dropped {
        // Presence shown while the link is down would be a guess; the server resends it.
        clear_live_state(live);
        schedule_retry(live);
    }
}

fn schedule_retry(live: Live) {
    live.status.set(LinkStatus::Down);
    let delay = with(|s| {
        let d = backoff::delay(s.attempt);
        s.attempt = s.attempt.saturating_add(1);
        d
    });
    match set_timeout_with_handle(move || connect(live), delay) {
        Ok(handle) => with(|s| s.retry = Some(handle)),
        Err(e) => leptos::logging::warn!("live: could not schedule a reconnect: {e:?}"),
    }
}

/// Connects now if the link is waiting for its next attempt (the browser came back online).
fn retry_now(live: Live) {
    let waiting = with(|s| match s.retry.take() {
        Some(handle) if s.enabled => {
            handle.clear();
            s.attempt = 0;
            true
        }
        other => {
            s.retry = other;
            false
        }
    });
    if waiting {
        connect(live);
    }
}

/// Pings, re-announces typing (its TTL is short), and drops a link that went silent.
pub(super) fn start_heartbeat(live: Live) {
    let tick = move || {
        let dead = with(|s| {
            if !s.open {
                return false;
            }
            if js_sys::Date::now() - s.last_heard_ms > SILENT_MS {
                return true;
            }
            if let Some(socket) = &s.socket {
                socket.send(&ClientFrame::Ping { nonce: None });
                for (&ticket_id, &activity) in &s.presence_sent {
                    if activity != Activity::Viewing {
                        socket.send(&ClientFrame::Presence {
                            ticket_id,
                            activity: Some(activity),
                        });
                    }
                }
            }
            false
        });
        if dead {
            let generation = with(|s| s.generation);
            on_close(live, generation);
        }
    };
    if let Err(e) = set_interval_with_handle(tick, PING_EVERY) {
        leptos::logging::warn!("live: could not start the keep-alive: {e:?}");
    }
    let online = window_event_listener_untyped("online", move |_| retry_now(live));
    // The app lives as long as the page; the listener goes with it.
    std::mem::forget(online);
}
