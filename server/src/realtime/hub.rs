//! This node's sockets: who is connected, what each subscribed to, and the fan-out of bus
//! events to them with a rights check per socket. Every socket has a bounded outbox: a client
//! that cannot keep up is disconnected (it reconnects and resyncs) instead of slowing others.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use bytestring::ByteString;
use protocol::live::{Activity, ChangeKind, PresenceEntry, ServerFrame, Topic};
use protocol::{MessageKind, Role};
use tokio::sync::{Notify, mpsc};

use crate::auth::CurrentUser;
use crate::realtime::bus::{BusEvent, TicketChange};
use crate::realtime::presence::{PresenceStore, merge};
use crate::realtime::visibility::can_see;
use crate::tickets::access::Scope;

/// Frames waiting for one socket; beyond this the client is too far behind.
pub const OUTBOX: usize = 256;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub fn encode(frame: &ServerFrame) -> ByteString {
    // Our own frame types always serialize; an empty frame would be dropped by the client.
    ByteString::from(serde_json::to_string(frame).unwrap_or_default())
}

pub struct Conn {
    pub id: u64,
    /// Key of this connection's presence entries (unique across nodes).
    pub holder: String,
    pub user: CurrentUser,
    scope: RwLock<Scope>,
    topics: Mutex<HashSet<Topic>>,
    presence: Mutex<HashMap<i64, Activity>>,
    tx: mpsc::Sender<ByteString>,
    kicked: Notify,
    kick_reason: Mutex<Option<String>>,
}

impl Conn {
    pub fn is_customer(&self) -> bool {
        self.user.role == Role::Customer
    }

    /// Queues a frame; a full outbox disconnects the client.
    pub fn send(&self, text: ByteString) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(text) {
            self.kick("too far behind; reconnect and resync");
        }
    }

    pub fn send_frame(&self, frame: &ServerFrame) {
        self.send(encode(frame));
    }

    pub fn kick(&self, reason: &str) {
        let mut r = lock(&self.kick_reason);
        if r.is_none() {
            *r = Some(reason.to_owned());
            self.kicked.notify_one();
        }
    }

    /// Resolves once the connection was told to go, with the reason.
    pub async fn kicked(&self) -> String {
        self.kicked.notified().await;
        lock(&self.kick_reason).clone().unwrap_or_default()
    }

    /// Whether this socket's user may see the ticket (a borrow, not a clone: this runs for
    /// every socket on every event).
    pub fn can_see(&self, facts: &crate::realtime::bus::TicketFacts) -> bool {
        can_see(&self.scope.read().unwrap_or_else(PoisonError::into_inner), facts)
    }

    pub fn set_scope(&self, scope: Scope) {
        *self.scope.write().unwrap_or_else(PoisonError::into_inner) = scope;
    }

    pub fn subscribed(&self, topic: Topic) -> bool {
        lock(&self.topics).contains(&topic)
    }

    /// Records this connection's activity on a ticket (`None`: left it); returns the tickets
    /// whose presence it held, for the heartbeat's refresh.
    pub fn set_presence(&self, ticket_id: i64, activity: Option<Activity>) {
        let mut p = lock(&self.presence);
        match activity {
            Some(a) => p.insert(ticket_id, a),
            None => p.remove(&ticket_id),
        };
    }

    pub fn presences(&self) -> Vec<(i64, Activity)> {
        lock(&self.presence).iter().map(|(t, a)| (*t, *a)).collect()
    }
}

pub struct Hub {
    node: String,
    next_id: AtomicU64,
    conns: RwLock<HashMap<u64, Arc<Conn>>>,
    /// Sockets subscribed to each `ticket:{id}`.
    watchers: RwLock<HashMap<i64, HashSet<u64>>>,
    last_presence: Mutex<HashMap<i64, Vec<PresenceEntry>>>,
    last_event_id: AtomicU64,
    /// Raised by every ticket change: the dashboard task recomputes when it is set.
    pub dashboard_dirty: Notify,
}

impl Hub {
    pub fn new(node: String) -> Self {
        Self {
            node,
            next_id: AtomicU64::new(1),
            conns: RwLock::default(),
            watchers: RwLock::default(),
            last_presence: Mutex::default(),
            last_event_id: AtomicU64::new(0),
            dashboard_dirty: Notify::new(),
        }
    }

    pub fn last_event_id(&self) -> u64 {
        self.last_event_id.load(Ordering::Relaxed)
    }

    pub fn connections(&self) -> usize {
        self.conns.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Sockets `user_id` has open on this node.
    pub fn connections_of(&self, user_id: i64) -> usize {
        self.conns
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter(|c| c.user.id == user_id)
            .count()
    }

    pub fn register(&self, user: CurrentUser, scope: Scope) -> (Arc<Conn>, mpsc::Receiver<ByteString>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(OUTBOX);
        let conn = Arc::new(Conn {
            id,
            holder: format!("{}:{id}", self.node),
            user,
            scope: RwLock::new(scope),
            topics: Mutex::default(),
            presence: Mutex::default(),
            tx,
            kicked: Notify::new(),
            kick_reason: Mutex::default(),
        });
        self.conns
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, conn.clone());
        (conn, rx)
    }

    pub fn unregister(&self, conn: &Conn) {
        self.conns
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&conn.id);
        let topics: Vec<Topic> = lock(&conn.topics).drain().collect();
        for t in topics {
            self.unwatch(conn.id, t);
        }
    }

    pub fn subscribe(&self, conn: &Conn, topic: Topic) {
        lock(&conn.topics).insert(topic);
        if let Topic::Ticket(id) = topic {
            self.watchers
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(id)
                .or_default()
                .insert(conn.id);
        }
    }

    pub fn unsubscribe(&self, conn: &Conn, topic: Topic) {
        lock(&conn.topics).remove(&topic);
        self.unwatch(conn.id, topic);
    }

    fn unwatch(&self, conn_id: u64, topic: Topic) {
        let Topic::Ticket(id) = topic else { return };
        let mut w = self.watchers.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(set) = w.get_mut(&id) {
            set.remove(&conn_id);
            if set.is_empty() {
                w.remove(&id);
                lock(&self.last_presence).remove(&id);
            }
        }
    }

    fn all(&self) -> Vec<Arc<Conn>> {
        self.conns
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    fn watchers_of(&self, ticket_id: i64) -> Vec<Arc<Conn>> {
        let ids: Vec<u64> = self
            .watchers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&ticket_id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let conns = self.conns.read().unwrap_or_else(PoisonError::into_inner);
        ids.iter().filter_map(|id| conns.get(id).cloned()).collect()
    }

    pub fn watched_tickets(&self) -> Vec<i64> {
        self.watchers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .copied()
            .collect()
    }

    pub fn dashboard_watchers(&self) -> Vec<Arc<Conn>> {
        self.all()
            .into_iter()
            .filter(|c| c.subscribed(Topic::Dashboard))
            .collect()
    }

    pub async fn dispatch(&self, event: &BusEvent, presence: &dyn PresenceStore) {
        match event {
            BusEvent::Ticket(change) => self.dispatch_ticket(change),
            BusEvent::Presence { ticket_id } => self.push_presence(*ticket_id, presence, None).await,
            BusEvent::Resync { reason } => self.resync_all(reason),
            // Nothing live shows articles; the search indexer listens for these.
            BusEvent::Article { .. } => {}
        }
    }

    pub fn resync_all(&self, reason: &str) {
        let text = encode(&ServerFrame::Resync {
            reason: reason.to_owned(),
        });
        for conn in self.all() {
            conn.send(text.clone());
        }
    }

    fn dispatch_ticket(&self, c: &TicketChange) {
        self.last_event_id.fetch_max(c.event_id, Ordering::Relaxed);
        let mut frames: HashMap<(Topic, bool), ByteString> = HashMap::new();
        for conn in self.all() {
            let topic = if conn.subscribed(Topic::Ticket(c.ticket.id)) {
                Topic::Ticket(c.ticket.id)
            } else if conn.subscribed(Topic::Queue) {
                Topic::Queue
            } else {
                continue;
            };
            let customer = conn.is_customer();
            // Internal notes never reach a customer's socket, not even as "something changed".
            if customer && c.change == ChangeKind::Note {
                continue;
            }
            if !conn.can_see(&c.facts) {
                if topic == Topic::Ticket(c.ticket.id) {
                    // The change took the ticket out of this socket's sight (another category,
                    // another assignee): it stops watching, so presence, typing and later
                    // changes of the ticket no longer reach it.
                    self.unsubscribe(&conn, topic);
                    conn.set_presence(c.ticket.id, None);
                    conn.send_frame(&ServerFrame::Error {
                        code: "forbidden".into(),
                        message: "this ticket is no longer yours to see".into(),
                        topic: Some(topic),
                    });
                }
                continue;
            }
            let text = frames
                .entry((topic, customer))
                .or_insert_with(|| encode(&ticket_frame(c, topic, customer)));
            conn.send(text.clone());
        }
        self.dashboard_dirty.notify_one();
    }

    /// Sends the ticket's presence to its watchers when it changed (or to `only`, always):
    /// the people to staff, "an agent is replying" to customers.
    pub async fn push_presence(&self, ticket_id: i64, store: &dyn PresenceStore, only: Option<&Arc<Conn>>) {
        let targets = match only {
            Some(c) => vec![c.clone()],
            None => self.watchers_of(ticket_id),
        };
        if targets.is_empty() {
            return;
        }
        let people = merge(store.list(ticket_id).await);
        let replying = |p: &[PresenceEntry]| p.iter().any(|e| e.activity == Activity::TypingReply);
        let now_replying = replying(&people);
        let (changed, was_replying) = {
            let mut last = lock(&self.last_presence);
            let prev = last.insert(ticket_id, people.clone());
            (prev.as_ref() != Some(&people), prev.as_deref().is_some_and(replying))
        };
        if only.is_none() && !changed {
            return;
        }
        let staff = encode(&ServerFrame::Presence { ticket_id, people });
        let customer = encode(&ServerFrame::AgentReplying {
            ticket_id,
            replying: now_replying,
        });
        for conn in targets {
            if !conn.is_customer() {
                conn.send(staff.clone());
            } else if only.is_some() || now_replying != was_replying {
                conn.send(customer.clone());
            }
        }
    }
}

fn ticket_frame(c: &TicketChange, topic: Topic, customer: bool) -> ServerFrame {
    let message = c
        .message
        .clone()
        .filter(|m| !(customer && m.kind == MessageKind::Note))
        .map(|mut m| {
            if customer {
                m.hide_staff_details();
                m.hide_addresses_except(c.ticket.requester.id);
            }
            Box::new(m)
        });
    let mut ticket = c.ticket.clone();
    if customer {
        ticket.hide_staff_addresses();
    }
    ServerFrame::Ticket {
        event_id: c.event_id,
        topic,
        change: c.change,
        ticket: Box::new(ticket),
        message,
        actor_id: c.actor_id,
        at: c.at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::bus::TicketFacts;
    use crate::realtime::presence::MemoryPresence;

    fn user(id: i64, role: Role) -> CurrentUser {
        CurrentUser {
            id,
            email: format!("u{id}@example.test"),
            name: format!("User {id}"),
            role,
            company_id: None,
            only_ticket: None,
            session_epoch: 0,
            session_ends: i64::MAX,
        }
    }

    fn change(ticket_id: i64, requester: i64, kind: ChangeKind) -> BusEvent {
        let requester_ref = protocol::UserRef {
            id: requester,
            name: "R".into(),
            email: "r@example.test".into(),
        };
        let now = chrono::Utc::now();
        BusEvent::Ticket(Box::new(TicketChange {
            event_id: 1,
            change: kind,
            ticket: protocol::Ticket {
                id: ticket_id,
                number: ticket_id,
                subject: "s".into(),
                status: protocol::TicketStatus::Open,
                priority: protocol::Priority::Normal,
                category_id: None,
                requester: requester_ref,
                assignee: None,
                via: protocol::Channel::Email,
                tags: vec![],
                created_at: now,
                updated_at: now,
                first_response_at: None,
                resolved_at: None,
                closed_at: None,
                due_at: None,
                version: 1,
                rating: None,
                rating_comment: None,
                time_spent_minutes: 0,
                sla_policy_id: None,
                first_response_due_at: None,
                resolution_due_at: None,
                sla_paused_at: None,
                overdue: false,
            },
            facts: TicketFacts {
                ticket_id,
                requester_id: requester,
                requester_company_id: None,
                category_id: None,
                assignee_id: None,
            },
            message: None,
            actor_id: None,
            at: now,
        }))
    }

    #[tokio::test]
    async fn a_client_that_stops_reading_is_disconnected_not_waited_for() {
        let hub = Hub::new("n".into());
        let store = MemoryPresence::default();
        let (slow, _never_read) = hub.register(user(1, Role::Admin), Scope::All);
        let (fast, mut fast_rx) = hub.register(user(2, Role::Admin), Scope::All);
        hub.subscribe(&slow, Topic::Queue);
        hub.subscribe(&fast, Topic::Queue);
        for _ in 0..OUTBOX + 1 {
            hub.dispatch(&change(7, 3, ChangeKind::Updated), &store).await;
            // The fast client keeps up.
            assert!(fast_rx.try_recv().is_ok());
        }
        let reason = tokio::time::timeout(std::time::Duration::from_secs(1), slow.kicked())
            .await
            .expect("the slow client is told to go");
        assert!(reason.contains("too far behind"), "{reason}");
    }

    #[tokio::test]
    async fn customers_get_their_own_tickets_and_no_notes() {
        let hub = Hub::new("n".into());
        let store = MemoryPresence::default();
        let scope = Scope::Customer {
            user_id: 3,
            company_id: None,
            only_ticket: None,
        };
        let (c, mut rx) = hub.register(user(3, Role::Customer), scope);
        hub.subscribe(&c, Topic::Queue);
        hub.dispatch(&change(7, 3, ChangeKind::Note), &store).await;
        hub.dispatch(&change(8, 4, ChangeKind::Message), &store).await;
        assert!(
            rx.try_recv().is_err(),
            "a note or someone else's ticket reached a customer"
        );
        hub.dispatch(&change(7, 3, ChangeKind::Message), &store).await;
        let text = rx.try_recv().expect("their own ticket's message");
        assert!(text.contains("\"change\":\"message\""), "{text}");
    }
}
