//! What the stand-in holds: mailboxes with their folders (and each folder's change log),
//! messages and what Graph shows of their headers, sent mail, grants, tokens seen and
//! handed out, the requests received; and delivering a message into a folder.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::delta::{DeltaState, SkipState};
use super::routing::Throttle;

/// The folders every mailbox has: (well-known name, display name).
const STANDARD_FOLDERS: &[(&str, &str)] = &[
    ("archive", "Archive"),
    ("conversationhistory", "Conversation History"),
    ("deleteditems", "Deleted Items"),
    ("drafts", "Drafts"),
    ("inbox", "Inbox"),
    ("junkemail", "Junk Email"),
    ("outbox", "Outbox"),
    ("sentitems", "Sent Items"),
];

pub(super) struct State {
    pub(super) base_url: String,
    /// By lowercase address.
    pub(super) mailboxes: HashMap<String, Mailbox>,
    /// (mailbox, account), both lowercase.
    pub(super) grants: HashSet<(String, String)>,
    pub(super) expired: HashSet<String>,
    pub(super) tokens_seen: Vec<String>,
    pub(super) requests: Vec<(String, String, Instant)>,
    pub(super) throttle: Option<Throttle>,
    pub(super) skip_tokens: HashMap<String, SkipState>,
    pub(super) delta_tokens: HashMap<String, DeltaState>,
}

impl State {
    pub(super) fn new(base_url: String) -> State {
        State {
            base_url,
            mailboxes: HashMap::new(),
            grants: HashSet::new(),
            expired: HashSet::new(),
            tokens_seen: Vec::new(),
            requests: Vec::new(),
            throttle: None,
            skip_tokens: HashMap::new(),
            delta_tokens: HashMap::new(),
        }
    }

    pub(super) fn mailbox(&mut self, address: &str) -> &mut Mailbox {
        self.mailboxes
            .entry(address.to_lowercase())
            .or_insert_with(|| Mailbox::new(address))
    }
}

pub(super) struct Mailbox {
    pub(super) address: String,
    pub(super) user_id: String,
    pub(super) folders: Vec<Folder>,
    /// In arrival order.
    pub(super) messages: Vec<Message>,
    pub(super) sent: Vec<Vec<u8>>,
    /// Change sequence of this mailbox (each folder change takes the next number).
    pub(super) seq: u64,
}

pub(super) struct Folder {
    pub(super) id: String,
    pub(super) display_name: String,
    pub(super) well_known: Option<&'static str>,
    /// (sequence, message id, change), oldest first.
    pub(super) log: Vec<(u64, String, Change)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Added,
    Updated,
    Removed,
}

pub(super) struct Message {
    pub(super) id: String,
    pub(super) folder_id: String,
    pub(super) is_read: bool,
    pub(super) raw: Vec<u8>,
    pub(super) created: DateTime<Utc>,
    pub(super) received: DateTime<Utc>,
    pub(super) modified: DateTime<Utc>,
    pub(super) change_key: String,
    pub(super) meta: Meta,
}

/// What Graph shows of a message's headers.
#[derive(Clone)]
pub(super) struct Meta {
    pub(super) subject: String,
    pub(super) internet_message_id: String,
    pub(super) sent: Option<DateTime<Utc>>,
    pub(super) from: Option<Value>,
    pub(super) to: Vec<Value>,
    pub(super) cc: Vec<Value>,
    pub(super) bcc: Vec<Value>,
    pub(super) reply_to: Vec<Value>,
    pub(super) preview: String,
    pub(super) has_attachments: bool,
}

impl Meta {
    pub(super) fn parse(raw: &[u8]) -> Meta {
        let generated_id = || format!("<{}@graph-standin.invalid>", uuid::Uuid::new_v4().simple());
        let Some(m) = mail_parser::MessageParser::default().parse(raw) else {
            return Meta {
                subject: String::new(),
                internet_message_id: generated_id(),
                sent: None,
                from: None,
                to: Vec::new(),
                cc: Vec::new(),
                bcc: Vec::new(),
                reply_to: Vec::new(),
                preview: String::new(),
                has_attachments: false,
            };
        };
        Meta {
            subject: m.subject().unwrap_or_default().to_owned(),
            internet_message_id: m.message_id().map(|id| format!("<{id}>")).unwrap_or_else(generated_id),
            sent: m.date().and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
            from: recipients(m.from()).into_iter().next(),
            to: recipients(m.to()),
            cc: recipients(m.cc()),
            bcc: recipients(m.bcc()),
            reply_to: recipients(m.reply_to()),
            preview: m.body_preview(255).map(|p| p.trim().to_owned()).unwrap_or_default(),
            has_attachments: m.attachment_count() > 0,
        }
    }
}

/// Graph's recipient shape; the name is the address when the header has none.
fn recipients(list: Option<&mail_parser::Address<'_>>) -> Vec<Value> {
    list.map(|l| {
        l.iter()
            .filter_map(|a| {
                let address = a.address()?;
                Some(json!({"emailAddress": {"name": a.name().unwrap_or(address), "address": address}}))
            })
            .collect()
    })
    .unwrap_or_default()
}

pub(super) fn new_id(prefix: &str) -> String {
    format!("{prefix}{}AAA=", uuid::Uuid::new_v4().simple())
}

impl Mailbox {
    fn new(address: &str) -> Mailbox {
        let folders = STANDARD_FOLDERS
            .iter()
            .map(|(well_known, display_name)| Folder {
                id: new_id("AAMkAGFvbGRlcg"),
                display_name: (*display_name).to_owned(),
                well_known: Some(well_known),
                log: Vec::new(),
            })
            .collect();
        Mailbox {
            address: address.to_owned(),
            user_id: uuid::Uuid::new_v4().to_string(),
            folders,
            messages: Vec::new(),
            sent: Vec::new(),
            seq: 0,
        }
    }

    /// By id, well-known name or display name (names case-insensitive).
    pub(super) fn folder_by_name(&self, name: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == name).or_else(|| {
            self.folders.iter().find(|f| {
                f.well_known.is_some_and(|w| w.eq_ignore_ascii_case(name)) || f.display_name.eq_ignore_ascii_case(name)
            })
        })
    }

    pub(super) fn folder_by_name_or_create(&mut self, name: &str) -> String {
        if let Some(f) = self.folder_by_name(name) {
            return f.id.clone();
        }
        let id = new_id("AAMkAGFvbGRlcg");
        self.folders.push(Folder {
            id: id.clone(),
            display_name: name.to_owned(),
            well_known: None,
            log: Vec::new(),
        });
        id
    }

    fn folder_mut(&mut self, id: &str) -> &mut Folder {
        self.folders
            .iter_mut()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("graph stand-in: no folder {id}"))
    }

    pub(super) fn record(&mut self, folder_id: &str, message_id: &str, change: Change) {
        self.seq += 1;
        let seq = self.seq;
        self.folder_mut(folder_id)
            .log
            .push((seq, message_id.to_owned(), change));
    }

    pub(super) fn add_message(&mut self, folder_id: &str, raw: Vec<u8>, is_read: bool) -> String {
        let now = Utc::now();
        let id = new_id("AAMkAGI2TWVzc2FnZQ");
        self.messages.push(Message {
            id: id.clone(),
            folder_id: folder_id.to_owned(),
            is_read,
            meta: Meta::parse(&raw),
            raw,
            created: now,
            received: now,
            modified: now,
            change_key: new_change_key(),
        });
        self.record(folder_id, &id, Change::Added);
        id
    }

    pub(super) fn message_index(&self, id: &str) -> Option<usize> {
        self.messages.iter().position(|m| m.id == id)
    }
}

pub(super) fn new_change_key() -> String {
    format!("CQAAABYAAA{}", uuid::Uuid::new_v4().simple())
}
