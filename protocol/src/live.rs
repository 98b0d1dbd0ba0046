//! The WebSocket contract (`/api/v1/ws`): JSON text frames tagged by `type`, one definition for
//! the server and the browser app.
//!
//! A client connects with a one-time ticket from `POST /api/v1/auth/ticket` (`?ticket=` —
//! browsers cannot set headers on a WebSocket, and the access token never goes into a URL), gets
//! `hello`, then subscribes to topics. The server pings every few seconds; a connection that
//! answers nothing for 10 s is dropped, and its presence with it. The socket is closed when the
//! access token the ticket was bought with expires, or the account is deactivated, changes role
//! or has its sessions ended: reconnect with a new ticket.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::tickets::{Message, Ticket};

/// Path of the WebSocket endpoint.
pub const WS_PATH: &str = "/api/v1/ws";

/// What a client may subscribe to. On the wire a topic is a string: `queue`, `dashboard`,
/// `ticket:{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Changes to every ticket the user may see.
    Queue,
    /// One ticket: its changes and who is viewing or typing.
    Ticket(i64),
    /// Live figures for managers (admins).
    Dashboard,
}

impl Topic {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queue" => Some(Topic::Queue),
            "dashboard" => Some(Topic::Dashboard),
            _ => s
                .strip_prefix("ticket:")
                .and_then(|id| id.parse().ok())
                .filter(|id: &i64| *id > 0)
                .map(Topic::Ticket),
        }
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Topic::Queue => f.write_str("queue"),
            Topic::Dashboard => f.write_str("dashboard"),
            Topic::Ticket(id) => write!(f, "ticket:{id}"),
        }
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Topic::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown topic {s:?} (queue, dashboard, ticket:ID)")))
    }
}

/// What a person is doing on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Viewing,
    /// Writing an internal note.
    TypingNote,
    /// Writing a public reply: the one that collides with a colleague's.
    TypingReply,
}

/// Frames a client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    Subscribe {
        topic: Topic,
    },
    Unsubscribe {
        topic: Topic,
    },
    /// "I am viewing / typing on this ticket"; repeated as a heartbeat while it holds. `None`
    /// leaves the ticket.
    Presence {
        ticket_id: i64,
        activity: Option<Activity>,
    },
    /// Application-level keep-alive for clients that cannot answer WebSocket pings.
    Ping {
        #[serde(default)]
        nonce: Option<String>,
    },
}

/// One person on a ticket, as agents see it. Two tabs of one person are one entry, with the
/// most telling activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceEntry {
    pub user_id: i64,
    pub name: String,
    pub activity: Activity,
}

/// What changed on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Message,
    /// An internal note: only staff ever get this change.
    Note,
    Updated,
    Taken,
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Hello {
        user_id: i64,
        /// Id of the newest event this node has fanned out: a reconnecting client that saw an
        /// older one re-fetches tickets changed since it (`GET /tickets?updated_since=`).
        last_event_id: u64,
        heartbeat_secs: u64,
        /// The server's clock: a client catching up with `updated_since` uses it rather than its
        /// own, which may be off.
        #[serde(default = "Utc::now")]
        server_time: DateTime<Utc>,
    },
    Subscribed {
        topic: Topic,
    },
    Unsubscribed {
        topic: Topic,
    },
    /// A ticket changed. `message` is set for new messages the recipient may read.
    Ticket {
        event_id: u64,
        topic: Topic,
        change: ChangeKind,
        ticket: Box<Ticket>,
        message: Option<Box<Message>>,
        actor_id: Option<i64>,
        at: DateTime<Utc>,
    },
    /// Who is on a ticket, for staff.
    Presence {
        ticket_id: i64,
        people: Vec<PresenceEntry>,
    },
    /// What a customer may know of the agents on their ticket: only that one is replying.
    AgentReplying {
        ticket_id: i64,
        replying: bool,
    },
    Dashboard {
        stats: Box<DashboardStats>,
    },
    Pong {
        nonce: Option<String>,
    },
    /// Events may have been missed (a link between nodes broke, or this client fell behind):
    /// re-fetch what is on screen, e.g. tickets changed since the last event seen.
    Resync {
        reason: String,
    },
    Error {
        code: String,
        message: String,
        topic: Option<Topic>,
    },
}

/// Live figures for the manager dashboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DashboardStats {
    pub open: u64,
    pub unassigned: u64,
    pub overdue: u64,
    pub new_today: u64,
    pub by_category: Vec<DashboardGroup>,
    pub by_agent: Vec<DashboardGroup>,
    pub computed_at: DateTime<Utc>,
    /// Tickets created and resolved per day (UTC), the last 14 days, oldest first.
    #[serde(default)]
    pub per_day: Vec<DayCount>,
    /// Staff with the app open right now, on any node.
    #[serde(default)]
    pub agents_online: u64,
    /// Mailboxes that stopped fetching (admins were mailed; cleared once they fetch again).
    #[serde(default)]
    pub stale_mailboxes: Vec<StaleMailbox>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StaleMailbox {
    pub id: i64,
    pub name: String,
    pub address: String,
    /// The last fetch that worked, if any.
    pub last_fetch_at: Option<DateTime<Utc>>,
    /// When the outage was reported.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayCount {
    pub date: chrono::NaiveDate,
    pub created: u64,
    pub resolved: u64,
}

/// Figures of one category (`id` None: uncategorised) or one agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DashboardGroup {
    pub id: Option<i64>,
    pub name: String,
    pub open: u64,
    pub unassigned: u64,
    pub overdue: u64,
    pub new_today: u64,
    /// Seconds from creation to the first agent reply, over tickets of the last 30 days.
    pub first_response_median_secs: Option<u64>,
    pub first_response_p90_secs: Option<u64>,
    /// Seconds from creation to resolution, over tickets resolved in the last 30 days.
    pub resolution_median_secs: Option<u64>,
    pub resolution_p90_secs: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip_and_reject_nonsense() {
        for t in [Topic::Queue, Topic::Dashboard, Topic::Ticket(42)] {
            assert_eq!(Topic::parse(&t.to_string()), Some(t));
        }
        for bad in ["ticket:", "ticket:-1", "ticket:x", "tickets", ""] {
            assert_eq!(Topic::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn client_frames_are_tagged_json() {
        let f: ClientFrame = serde_json::from_str(r#"{"type":"subscribe","topic":"ticket:7"}"#).unwrap();
        assert_eq!(
            f,
            ClientFrame::Subscribe {
                topic: Topic::Ticket(7)
            }
        );
        let f: ClientFrame =
            serde_json::from_str(r#"{"type":"presence","ticket_id":7,"activity":"typing_reply"}"#).unwrap();
        assert_eq!(
            f,
            ClientFrame::Presence {
                ticket_id: 7,
                activity: Some(Activity::TypingReply)
            }
        );
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"subscribe","topic":"nope"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"launch"}"#).is_err());
    }
}
