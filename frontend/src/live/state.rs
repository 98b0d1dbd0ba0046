//! The socket and everything the link remembers between frames.
//!
//! The browser runs the app on one thread; the socket and its callbacks are not `Send`, so
//! they live in a thread-local rather than in the (Send) reactive arena. Callers never hold the
//! borrow while signals are set or listeners run, since those may call back in here.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use leptos::prelude::TimeoutHandle;
use protocol::live::{Activity, ClientFrame, Topic};
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::LiveEvent;

pub(super) type Listener = Rc<dyn Fn(&LiveEvent)>;

/// A socket with the callbacks it holds (dropping them while the socket can still call them
/// would make the browser call freed closures).
pub(super) struct Socket {
    pub ws: WebSocket,
    pub _on_open: Closure<dyn FnMut(Event)>,
    pub _on_message: Closure<dyn FnMut(MessageEvent)>,
    pub _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Closes without letting its callbacks run again.
    pub fn detach(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }

    pub fn send(&self, frame: &ClientFrame) {
        match serde_json::to_string(frame) {
            Ok(text) => {
                if let Err(e) = self.ws.send_with_str(&text) {
                    leptos::logging::warn!("live: could not send a frame: {e:?}");
                }
            }
            Err(e) => leptos::logging::warn!("live: could not encode a frame: {e}"),
        }
    }
}

#[derive(Default)]
pub(super) struct State {
    pub enabled: bool,
    /// Bumped by every connect and disconnect: callbacks of an older socket are ignored.
    pub generation: u64,
    pub socket: Option<Socket>,
    /// The last socket that closed, kept until the next one closes: its close callback may
    /// still be running when it is retired, and must not be freed under its own feet.
    pub retired: Option<Socket>,
    pub open: bool,
    pub attempt: u32,
    pub failures_before_open: u32,
    pub retry: Option<TimeoutHandle>,
    pub last_heard_ms: f64,
    pub ever_open: bool,
    pub first_open_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    /// Topics pages want, with how many want each.
    pub wanted: HashMap<Topic, usize>,
    /// Topics subscribed on the current socket.
    pub sent: HashSet<Topic>,
    pub presence_wanted: HashMap<i64, Activity>,
    pub presence_sent: HashMap<i64, Activity>,
    pub sync_queued: bool,
    pub listeners: Vec<(u64, Listener)>,
    pub next_listener: u64,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

pub(super) fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}
