//! A stand-in for the Microsoft Graph v1.0 mail API, for tests: Graph cannot be reached from the
//! test machines, so the server's Graph mailbox code talks over HTTP to this in-process actix-web
//! server on a loopback port instead.
//!
//! It is NOT Microsoft's service: it was written from Microsoft's published API reference on
//! learn.microsoft.com ("message: delta" and "Get incremental changes to messages in a folder",
//! "Get message" / "Get MIME content of a message" (`$value`), "Update message", "message: move",
//! "Delete message", "user: sendMail" (MIME form), "List mailFolders", "Microsoft Graph throttling
//! guidance", "Microsoft Graph error responses", "Use delta query to track changes") and answers
//! in the shapes those pages show. Where the pages are silent it follows behaviour widely reported
//! against the real service, and says so below. Passing against it shows the client follows the
//! published contract; it does not prove the real service behaves the same in every detail.
//!
//! Covered (under `base_url()`, for `/me/...` and `/users/{address or id}/...`):
//! - Bearer JWTs: claims decoded without any signature check; the account is claim `email`, else
//!   `upn`, else `preferred_username`; an `exp` in the past, or a token passed to `expire_token`,
//!   answers 401 `InvalidAuthenticationToken`. A mailbox is usable by its own account and by
//!   accounts given `grant_access` (a delegate of a shared mailbox); others get 403.
//! - `GET /users/{mailbox}` and `GET /me` (profile), `GET .../mailFolders` (top-level folders,
//!   paged 10 at a time like Graph, `$top`, `$skip`, `$filter=displayName eq '…'`) and
//!   `GET .../mailFolders/{id or well-known name}`.
//! - `GET .../mailFolders/{folder}/messages/delta`: rounds of `@odata.nextLink` (`$skiptoken`)
//!   pages ending in an `@odata.deltaLink` (`$deltatoken`), `Prefer: odata.maxpagesize` (default
//!   10), `$select` and `changeType` remembered in the tokens as Graph does; later rounds return
//!   messages added to or updated in the folder (an `isRead` change is an update) and
//!   `{"id", "@removed": {"reason": "deleted"}}` for messages moved out or deleted. Unknown or
//!   forgotten tokens answer 410 `SyncStateNotFound`.
//! - `GET .../messages/{id}` (JSON), `GET .../messages/{id}/$value` (the MIME exactly as delivered,
//!   `text/plain`), `PATCH .../messages/{id}` (`isRead`), `POST .../messages/{id}/move` (201, the
//!   moved copy has a new id, as Graph's does), `DELETE .../messages/{id}` (204).
//! - `POST .../sendMail` with a base64 MIME body (202; the MIME lands in `sent()` and Sent Items).
//! - Throttling armed by `throttle_next`: 429 or 503 with `Retry-After`, before anything else.
//! - Error bodies `{"error": {"code", "message", "innerError": {"date", "request-id"}}}`.
//!
//! From reports of the real service rather than the reference: 410 Gone for a stale message
//! delta token (the reference only promises "a 40X-series error" with `syncStateNotFound`), the
//! 401 messages, and 400 `ErrorInvalidRecipients` for MIME without any recipient. Graph's 202
//! from sendMail means "accepted for later"; here the copy is in Sent Items at once.
//!
//! Not covered: signature, audience, issuer and scope (`Mail.Read`, `Mail.Send`…) checks;
//! app-only tokens; message bodies (`body`, `uniqueBody`: read the MIME through `$value`),
//! attachments, drafts, replies and the JSON form of sendMail (answers 501); delivering sent mail
//! to recipients; `$filter`/`$orderby`/`$search` on messages; listing messages outside delta;
//! child folders and creating folders over HTTP (tests create them with `deliver`/`folder_id`);
//! `Prefer: IdType="ImmutableId"` (ignored: ids always change on move); `$batch`; change
//! notifications; request size limits; Graph's own throttling (only what a test arms). What
//! DELETE does beyond removing the message from its folder is not documented (it is not shown in
//! any folder here). Anything else answers 501 `NotImplemented`, so a gap shows up as such
//! rather than as a plausible Graph answer.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use actix_web::dev::ServerHandle;
use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpRequest, HttpResponse, HttpResponseBuilder, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// Page size of a delta round or folder list when the client does not ask for one.
const DEFAULT_PAGE_SIZE: usize = 10;
/// Request bodies the stand-in accepts (Graph's own limits are not modelled).
const MAX_BODY: usize = 64 * 1024 * 1024;
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
/// Well-known folder names Graph has that the stand-in does not model.
const OTHER_WELL_KNOWN: &[&str] = &[
    "clutter",
    "conflicts",
    "localfailures",
    "msgfolderroot",
    "recoverableitemsdeletions",
    "scheduled",
    "searchfolders",
    "serverfailures",
    "syncissues",
];
const ACCESS_DENIED: &str = "Access is denied. Check credentials and try again.";
const ITEM_NOT_FOUND: &str = "The specified object was not found in the store.";

/// The running stand-in; stops its server when dropped.
pub struct GraphStandIn {
    base_url: String,
    state: Arc<Mutex<State>>,
    server: ServerHandle,
}

impl GraphStandIn {
    /// Starts a stand-in on a loopback port (inside a Tokio runtime).
    pub async fn start() -> GraphStandIn {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the Graph stand-in");
        let port = listener.local_addr().expect("the Graph stand-in's address").port();
        let base_url = format!("http://127.0.0.1:{port}/v1.0");
        let state = Arc::new(Mutex::new(State::new(base_url.clone())));
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY))
                .default_service(web::to(dispatch))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .expect("listening for the Graph stand-in")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        GraphStandIn {
            base_url,
            state,
            server: handle,
        }
    }

    /// Where the API is: `http://127.0.0.1:PORT/v1.0` (append `/me/...` or `/users/...`).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// A message arrives in `mailbox`'s folder (`"inbox"` or any folder display name; well-known
    /// names case-insensitive, a new display name makes a new folder); returns its Graph id.
    pub fn deliver(&self, mailbox: &str, folder: &str, raw_mime: &[u8]) -> String {
        let mut st = self.lock();
        let mb = st.mailbox(mailbox);
        let folder_id = mb.folder_by_name_or_create(folder);
        mb.add_message(&folder_id, raw_mime.to_vec(), false)
    }

    /// The id of `mailbox`'s folder named `folder` (as for `deliver`; created if new), for
    /// configuring a client with a folder id the way Graph would report it.
    pub fn folder_id(&self, mailbox: &str, folder: &str) -> String {
        self.lock().mailbox(mailbox).folder_by_name_or_create(folder)
    }

    /// The next `n` requests (any endpoint) answer `status` (429 or 503) with
    /// `Retry-After: retry_after_secs`.
    pub fn throttle_next(&self, n: usize, status: u16, retry_after_secs: u64) {
        assert!(
            status == 429 || status == 503,
            "throttle_next: Graph throttles with 429 or 503, not {status}"
        );
        self.lock().throttle = Some(Throttle {
            remaining: n,
            status,
            retry_after_secs,
        });
    }

    /// Every request with this bearer token now answers 401 InvalidAuthenticationToken (expired).
    pub fn expire_token(&self, token: &str) {
        self.lock().expired.insert(token.to_owned());
    }

    /// The bearer tokens seen so far, in order (distinct).
    pub fn tokens_seen(&self) -> Vec<String> {
        self.lock().tokens_seen.clone()
    }

    /// `account` may use `shared_mailbox` (a delegated user reading/sending as a shared mailbox).
    pub fn grant_access(&self, shared_mailbox: &str, account: &str) {
        self.lock()
            .grants
            .insert((shared_mailbox.to_lowercase(), account.to_lowercase()));
    }

    /// Forgets every delta and skip token handed out, as Graph does when its sync-state cache
    /// drops them: following any earlier `@odata.nextLink`/`@odata.deltaLink` answers 410.
    pub fn forget_sync_state(&self) {
        let mut st = self.lock();
        st.skip_tokens.clear();
        st.delta_tokens.clear();
    }

    /// Messages now in a folder (named as for `deliver`, or by id), in arrival order:
    /// (id, is_read, raw MIME).
    pub fn folder(&self, mailbox: &str, folder: &str) -> Vec<(String, bool, Vec<u8>)> {
        let st = self.lock();
        let Some(mb) = st.mailboxes.get(&mailbox.to_lowercase()) else {
            return Vec::new();
        };
        let Some(folder_id) = mb.folder_by_name(folder).map(|f| f.id.clone()) else {
            return Vec::new();
        };
        mb.messages
            .iter()
            .filter(|m| m.folder_id == folder_id)
            .map(|m| (m.id.clone(), m.is_read, m.raw.clone()))
            .collect()
    }

    /// Raw MIME sent through sendMail by `mailbox` (also what is in its "sentitems" folder).
    pub fn sent(&self, mailbox: &str) -> Vec<Vec<u8>> {
        self.lock()
            .mailboxes
            .get(&mailbox.to_lowercase())
            .map(|mb| mb.sent.clone())
            .unwrap_or_default()
    }

    /// Every request received: (method, path with query as sent, arrival time).
    pub fn requests(&self) -> Vec<(String, String, Instant)> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for GraphStandIn {
    fn drop(&mut self) {
        // The stop command is sent at once; awaiting it is only for waiting on completion.
        let stopping = self.server.stop(false);
        drop(stopping);
    }
}

/// A panic elsewhere must not wedge the stand-in for the rest of the test.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn dispatch(req: HttpRequest, body: web::Bytes, state: web::Data<Mutex<State>>) -> HttpResponse {
    lock(&state).handle(&req, &body)
}

struct Throttle {
    remaining: usize,
    status: u16,
    retry_after_secs: u64,
}

struct State {
    base_url: String,
    /// By lowercase address.
    mailboxes: HashMap<String, Mailbox>,
    /// (mailbox, account), both lowercase.
    grants: HashSet<(String, String)>,
    expired: HashSet<String>,
    tokens_seen: Vec<String>,
    requests: Vec<(String, String, Instant)>,
    throttle: Option<Throttle>,
    skip_tokens: HashMap<String, SkipState>,
    delta_tokens: HashMap<String, DeltaState>,
}

/// What a delta round was asked for; Graph encodes it into the round's tokens.
#[derive(Clone)]
struct Round {
    /// Lowercase address.
    mailbox: String,
    folder_id: String,
    select: Option<Vec<String>>,
    change_type: Option<String>,
}

#[derive(Clone)]
enum Entry {
    Present { id: String },
    Removed { id: String },
}

#[derive(Clone)]
struct SkipState {
    round: Round,
    entries: Arc<Vec<Entry>>,
    offset: usize,
    /// The folder's change sequence the round covers up to.
    until: u64,
}

#[derive(Clone)]
struct DeltaState {
    round: Round,
    since: u64,
}

struct Mailbox {
    address: String,
    user_id: String,
    folders: Vec<Folder>,
    /// In arrival order.
    messages: Vec<Message>,
    sent: Vec<Vec<u8>>,
    /// Change sequence of this mailbox (each folder change takes the next number).
    seq: u64,
}

struct Folder {
    id: String,
    display_name: String,
    well_known: Option<&'static str>,
    /// (sequence, message id, change), oldest first.
    log: Vec<(u64, String, Change)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    Added,
    Updated,
    Removed,
}

struct Message {
    id: String,
    folder_id: String,
    is_read: bool,
    raw: Vec<u8>,
    created: DateTime<Utc>,
    received: DateTime<Utc>,
    modified: DateTime<Utc>,
    change_key: String,
    meta: Meta,
}

/// What Graph shows of a message's headers.
#[derive(Clone)]
struct Meta {
    subject: String,
    internet_message_id: String,
    sent: Option<DateTime<Utc>>,
    from: Option<Value>,
    to: Vec<Value>,
    cc: Vec<Value>,
    bcc: Vec<Value>,
    reply_to: Vec<Value>,
    preview: String,
    has_attachments: bool,
}

impl Meta {
    fn parse(raw: &[u8]) -> Meta {
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

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}AAA=", uuid::Uuid::new_v4().simple())
}

fn graph_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
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
    fn folder_by_name(&self, name: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == name).or_else(|| {
            self.folders.iter().find(|f| {
                f.well_known.is_some_and(|w| w.eq_ignore_ascii_case(name)) || f.display_name.eq_ignore_ascii_case(name)
            })
        })
    }

    fn folder_by_name_or_create(&mut self, name: &str) -> String {
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

    fn record(&mut self, folder_id: &str, message_id: &str, change: Change) {
        self.seq += 1;
        let seq = self.seq;
        self.folder_mut(folder_id)
            .log
            .push((seq, message_id.to_owned(), change));
    }

    fn add_message(&mut self, folder_id: &str, raw: Vec<u8>, is_read: bool) -> String {
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

    fn message_index(&self, id: &str) -> Option<usize> {
        self.messages.iter().position(|m| m.id == id)
    }

    /// The folder's messages now, or its changes after `since`, as delta entries.
    fn delta_entries(&self, folder_id: &str, since: Option<u64>, change_type: Option<&str>) -> Vec<Entry> {
        let Some(since) = since else {
            // A first round is every message now in the folder, whatever changeType asks.
            return self
                .messages
                .iter()
                .filter(|m| m.folder_id == folder_id)
                .map(|m| Entry::Present { id: m.id.clone() })
                .collect();
        };
        let Some(folder) = self.folders.iter().find(|f| f.id == folder_id) else {
            return Vec::new();
        };
        let mut order: Vec<&str> = Vec::new();
        let mut added: HashSet<&str> = HashSet::new();
        for (seq, id, change) in &folder.log {
            if *seq <= since {
                continue;
            }
            if !order.contains(&id.as_str()) {
                order.push(id);
            }
            if *change == Change::Added {
                added.insert(id);
            }
        }
        order
            .into_iter()
            .filter_map(|id| {
                let present = self.messages.iter().any(|m| m.id == id && m.folder_id == folder_id);
                let kind = match (present, added.contains(id)) {
                    (false, _) => "deleted",
                    (true, true) => "created",
                    (true, false) => "updated",
                };
                if change_type.is_some_and(|wanted| !wanted.eq_ignore_ascii_case(kind)) {
                    return None;
                }
                Some(if present {
                    Entry::Present { id: id.to_owned() }
                } else {
                    Entry::Removed { id: id.to_owned() }
                })
            })
            .collect()
    }

    fn folder_json(&self, f: &Folder) -> Value {
        let in_folder = || self.messages.iter().filter(|m| m.folder_id == f.id);
        json!({
            "id": f.id,
            "displayName": f.display_name,
            "parentFolderId": self.root_id(),
            "childFolderCount": 0,
            "unreadItemCount": in_folder().filter(|m| !m.is_read).count(),
            "totalItemCount": in_folder().count(),
            "isHidden": false,
        })
    }

    /// The id of the (unlisted) root folder the top-level folders hang under.
    fn root_id(&self) -> String {
        format!("AAMkAGRvb3Q{}AAA=", self.user_id.replace('-', ""))
    }
}

fn new_change_key() -> String {
    format!("CQAAABYAAA{}", uuid::Uuid::new_v4().simple())
}

fn message_json(m: &Message, select: Option<&[String]>) -> Value {
    let mut v = json!({
        "@odata.type": "#microsoft.graph.message",
        "@odata.etag": format!("W/\"{}\"", m.change_key),
        "id": m.id,
        "createdDateTime": graph_time(m.created),
        "lastModifiedDateTime": graph_time(m.modified),
        "changeKey": m.change_key,
        "categories": [],
        "receivedDateTime": graph_time(m.received),
        "sentDateTime": m.meta.sent.map(graph_time),
        "hasAttachments": m.meta.has_attachments,
        "internetMessageId": m.meta.internet_message_id,
        "subject": m.meta.subject,
        "bodyPreview": m.meta.preview,
        "importance": "normal",
        "parentFolderId": m.folder_id,
        "isDeliveryReceiptRequested": false,
        "isReadReceiptRequested": false,
        "isRead": m.is_read,
        "isDraft": false,
        "inferenceClassification": "focused",
        "sender": m.meta.from,
        "from": m.meta.from,
        "toRecipients": m.meta.to,
        "ccRecipients": m.meta.cc,
        "bccRecipients": m.meta.bcc,
        "replyTo": m.meta.reply_to,
        "flag": {"flagStatus": "notFlagged"},
    });
    if let (Some(select), Value::Object(map)) = (select, &mut v) {
        // `$select` returns the chosen properties; `id` and annotations always come back.
        map.retain(|k, _| k.starts_with('@') || k == "id" || select.iter().any(|s| s.eq_ignore_ascii_case(k)));
    }
    v
}

fn removed_json(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.message", "id": id, "@removed": {"reason": "deleted"}})
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn builder(status: u16, request_id: &str) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    b.insert_header(("request-id", request_id.to_owned()))
        .insert_header(("client-request-id", request_id.to_owned()));
    b
}

fn error_with(status: u16, code: &str, message: &str, inner_extra: Value, headers: &[(&str, String)]) -> HttpResponse {
    let id = request_id();
    let mut inner = json!({
        "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "request-id": id,
        "client-request-id": id,
    });
    if let (Value::Object(inner), Value::Object(extra)) = (&mut inner, inner_extra) {
        inner.extend(extra);
    }
    let mut b = builder(status, &id);
    for (name, value) in headers {
        b.insert_header((*name, value.clone()));
    }
    b.content_type("application/json")
        .body(json!({"error": {"code": code, "message": message, "innerError": inner}}).to_string())
}

fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    error_with(status, code, message, json!({}), &[])
}

/// A Graph error answer, turned into a response where the request is answered.
struct GraphError {
    status: u16,
    code: &'static str,
    message: String,
}

impl GraphError {
    fn new(status: u16, code: &'static str, message: &str) -> GraphError {
        GraphError {
            status,
            code,
            message: message.to_owned(),
        }
    }

    fn reply(self) -> HttpResponse {
        error(self.status, self.code, &self.message)
    }
}

fn json_reply(status: u16, body: &Value) -> HttpResponse {
    builder(status, &request_id())
        .content_type("application/json")
        .body(body.to_string())
}

fn not_implemented(method: &Method, path: &str) -> HttpResponse {
    error(
        501,
        "NotImplemented",
        &format!("The Graph stand-in does not implement {method} {path} (see tests/src/graph_standin.rs)."),
    )
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Path segments after `/v1.0`, decoded, with OData key syntax split: `mailFolders('x')` →
/// `mailFolders`, `x`.
fn segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix("/v1.0/")?;
    let mut out = Vec::new();
    for raw in rest.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_decode(raw);
        match seg.split_once('(') {
            Some((name, key)) if key.ends_with(')') => {
                let key = &key[..key.len() - 1];
                let key = key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')).unwrap_or(key);
                out.push(name.to_owned());
                out.push(key.replace("''", "'"));
            }
            _ => out.push(seg),
        }
    }
    Some(out)
}

fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

fn query_param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `Prefer: odata.maxpagesize=N` (among other preferences).
fn max_page_size(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get_all("prefer")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("odata.maxpagesize"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .filter(|n| *n > 0)
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn jwt_claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// Whose mailbox a request is about, as the client named it.
enum Who {
    Me,
    User(String),
}

impl State {
    fn new(base_url: String) -> State {
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

    fn mailbox(&mut self, address: &str) -> &mut Mailbox {
        self.mailboxes
            .entry(address.to_lowercase())
            .or_insert_with(|| Mailbox::new(address))
    }

    fn handle(&mut self, req: &HttpRequest, body: &[u8]) -> HttpResponse {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| req.path().to_owned());
        self.requests
            .push((req.method().to_string(), path_and_query, Instant::now()));
        let token = bearer_token(req);
        if let Some(t) = &token
            && !self.tokens_seen.contains(t)
        {
            self.tokens_seen.push(t.clone());
        }
        if let Some(reply) = self.throttled() {
            return reply;
        }
        let account = match self.authenticate(token.as_deref()) {
            Ok(account) => account,
            Err(e) => return e.reply(),
        };
        self.route(req, body, &account)
    }

    fn throttled(&mut self) -> Option<HttpResponse> {
        let t = self.throttle.as_mut()?;
        if t.remaining == 0 {
            self.throttle = None;
            return None;
        }
        t.remaining -= 1;
        let (status, secs) = (t.status, t.retry_after_secs);
        let retry_after = [("Retry-After", secs.to_string())];
        // The bodies of Graph's throttling guidance and error reference.
        Some(if status == 429 {
            error_with(
                429,
                "TooManyRequests",
                "Please retry again later.",
                json!({"code": "429", "message": "Please retry after", "status": "429"}),
                &retry_after,
            )
        } else {
            error_with(
                503,
                "serviceNotAvailable",
                "Service unavailable",
                json!({}),
                &retry_after,
            )
        })
    }

    fn authenticate(&self, token: Option<&str>) -> Result<String, GraphError> {
        let invalid = |message: &str| GraphError::new(401, "InvalidAuthenticationToken", message);
        let Some(token) = token else {
            return Err(invalid("Access token is empty."));
        };
        let expired = "Lifetime validation failed, the token is expired.";
        if self.expired.contains(token) {
            return Err(invalid(expired));
        }
        let Some(claims) = jwt_claims(token) else {
            return Err(invalid(
                "IDX14100: JWT is not well formed, there are no dots (.) or it is not valid JSON.",
            ));
        };
        let exp = claims
            .get("exp")
            .and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64)));
        if exp.is_some_and(|exp| exp <= Utc::now().timestamp()) {
            return Err(invalid(expired));
        }
        ["email", "upn", "preferred_username"]
            .iter()
            .find_map(|claim| claims.get(*claim).and_then(Value::as_str).filter(|s| !s.is_empty()))
            .map(str::to_owned)
            .ok_or_else(|| invalid("The Graph stand-in needs a user token: no email, upn or preferred_username claim."))
    }

    /// The mailbox a request may use, or the 403.
    fn resolve_mailbox(&mut self, who: &Who, account: &str) -> Result<String, GraphError> {
        let named = match who {
            Who::Me => account.to_owned(),
            Who::User(x) => self
                .mailboxes
                .values()
                .find(|mb| mb.user_id.eq_ignore_ascii_case(x))
                .map(|mb| mb.address.clone())
                .unwrap_or_else(|| x.clone()),
        };
        let key = named.to_lowercase();
        let allowed = key == account.to_lowercase() || self.grants.contains(&(key.clone(), account.to_lowercase()));
        if !allowed {
            return Err(GraphError::new(403, "ErrorAccessDenied", ACCESS_DENIED));
        }
        self.mailbox(&named);
        Ok(key)
    }

    fn route(&mut self, req: &HttpRequest, body: &[u8], account: &str) -> HttpResponse {
        let method = req.method().clone();
        let Some(segs) = segments(req.path()) else {
            return not_implemented(&method, req.path());
        };
        let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
        let (who, start) = match lower.first().map(String::as_str) {
            Some("me") => (Who::Me, 1),
            Some("users") if segs.len() >= 2 => (Who::User(segs[1].clone()), 2),
            _ => return not_implemented(&method, req.path()),
        };
        let mailbox = match self.resolve_mailbox(&who, account) {
            Ok(mb) => mb,
            Err(e) => return e.reply(),
        };
        let link_prefix = match &who {
            Who::Me => format!("{}/me", self.base_url),
            Who::User(x) => format!("{}/users/{x}", self.base_url),
        };
        let rest = &segs[start..];
        let l: Vec<&str> = lower[start..].iter().map(String::as_str).collect();
        let query = query_pairs(req);
        match (method.clone(), l.as_slice()) {
            (Method::GET, []) => self.profile(&mailbox),
            (Method::GET, ["mailfolders"]) => self.list_folders(&mailbox, &link_prefix, &query),
            (Method::GET, ["mailfolders", _]) => match self.folder_for_request(&mailbox, &rest[1]) {
                Ok(id) => {
                    let mb = &self.mailboxes[&mailbox];
                    match mb.folders.iter().find(|f| f.id == id) {
                        Some(f) => json_reply(200, &mb.folder_json(f)),
                        None => error(404, "ErrorItemNotFound", ITEM_NOT_FOUND),
                    }
                }
                Err(e) => e.reply(),
            },
            (Method::GET, ["mailfolders", _, "messages", "delta" | "microsoft.graph.delta"]) => {
                self.delta(req, &mailbox, &link_prefix, &rest[1], &query)
            }
            (_, ["mailfolders", _, "messages", _, tail @ ..]) => match self.folder_for_request(&mailbox, &rest[1]) {
                Ok(_) => self.message_op(&method, &mailbox, &rest[3], tail, body, &query, req.path()),
                Err(e) => e.reply(),
            },
            (_, ["messages", _, tail @ ..]) => {
                self.message_op(&method, &mailbox, &rest[1], tail, body, &query, req.path())
            }
            (Method::POST, ["sendmail"]) => self.send_mail(req, &mailbox, body),
            _ => not_implemented(&method, req.path()),
        }
    }

    fn profile(&self, mailbox: &str) -> HttpResponse {
        let mb = &self.mailboxes[mailbox];
        let local = mb.address.split('@').next().unwrap_or(&mb.address);
        json_reply(
            200,
            &json!({
                "@odata.context": format!("{}/$metadata#users/$entity", self.base_url),
                "id": mb.user_id,
                "mail": mb.address,
                "userPrincipalName": mb.address,
                "displayName": local,
            }),
        )
    }

    /// A folder named in a URL or a move: its id or a well-known name, as Graph accepts (not a
    /// display name).
    fn folder_for_request(&self, mailbox: &str, key: &str) -> Result<String, GraphError> {
        let mb = &self.mailboxes[mailbox];
        if let Some(f) = mb
            .folders
            .iter()
            .find(|f| f.id == key || f.well_known.is_some_and(|w| w.eq_ignore_ascii_case(key)))
        {
            return Ok(f.id.clone());
        }
        if OTHER_WELL_KNOWN.iter().any(|w| w.eq_ignore_ascii_case(key)) {
            return Err(GraphError::new(
                501,
                "NotImplemented",
                &format!("The Graph stand-in does not model the well-known folder '{key}'."),
            ));
        }
        if key.starts_with("AAMk") {
            Err(GraphError::new(404, "ErrorItemNotFound", ITEM_NOT_FOUND))
        } else {
            Err(GraphError::new(400, "ErrorInvalidIdMalformed", "Id is malformed."))
        }
    }

    fn list_folders(&self, mailbox: &str, link_prefix: &str, query: &[(String, String)]) -> HttpResponse {
        let mb = &self.mailboxes[mailbox];
        let wanted_name = match query_param(query, "$filter") {
            None => None,
            Some(filter) => match parse_display_name_filter(filter) {
                Some(name) => Some(name),
                None => {
                    return error(
                        501,
                        "NotImplemented",
                        "The Graph stand-in only filters mailFolders by displayName eq '…'.",
                    );
                }
            },
        };
        let top = query_param(query, "$top")
            .and_then(|t| t.parse().ok())
            .filter(|n: &usize| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let skip: usize = query_param(query, "$skip").and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut matching: Vec<&Folder> = mb
            .folders
            .iter()
            .filter(|f| {
                wanted_name
                    .as_deref()
                    .is_none_or(|n| f.display_name.eq_ignore_ascii_case(n))
            })
            .collect();
        matching.sort_by_key(|f| f.display_name.to_lowercase());
        let page: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(top)
            .map(|f| mb.folder_json(f))
            .collect();
        let mut out = json!({
            "@odata.context": format!("{}/$metadata#users('{}')/mailFolders", self.base_url, mb.address),
            "value": page,
        });
        if skip + top < matching.len() {
            let mut next = format!("{link_prefix}/mailFolders?$top={top}&$skip={}", skip + top);
            if let Some(name) = &wanted_name {
                next.push_str(&format!("&$filter=displayName%20eq%20'{}'", name.replace('\'', "''")));
            }
            out["@odata.nextLink"] = Value::String(next);
        }
        json_reply(200, &out)
    }

    fn delta(
        &mut self,
        req: &HttpRequest,
        mailbox: &str,
        link_prefix: &str,
        folder_key: &str,
        query: &[(String, String)],
    ) -> HttpResponse {
        let folder_id = match self.folder_for_request(mailbox, folder_key) {
            Ok(id) => id,
            Err(e) => return e.reply(),
        };
        let endpoint = format!("{link_prefix}/mailFolders('{folder_key}')/messages/delta");
        let gone = || {
            error_with(
                410,
                "SyncStateNotFound",
                "The sync state generation is not found.",
                json!({}),
                &[("Location", endpoint.clone())],
            )
        };
        let same_folder = |round: &Round| round.mailbox == mailbox && round.folder_id == folder_id;
        let (round, entries, offset, until) = if let Some(tok) = query_param(query, "$skiptoken") {
            match self.skip_tokens.get(tok) {
                Some(s) if same_folder(&s.round) => (s.round.clone(), s.entries.clone(), s.offset, s.until),
                _ => return gone(),
            }
        } else if let Some(tok) = query_param(query, "$deltatoken") {
            match self.delta_tokens.get(tok) {
                Some(d) if same_folder(&d.round) => {
                    let mb = &self.mailboxes[mailbox];
                    let entries = mb.delta_entries(&folder_id, Some(d.since), d.round.change_type.as_deref());
                    (d.round.clone(), Arc::new(entries), 0, mb.seq)
                }
                _ => return gone(),
            }
        } else {
            let select = query_param(query, "$select").map(|s| {
                s.split(',')
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
            });
            let change_type = query_param(query, "changeType").map(str::to_owned);
            if let Some(ct) = &change_type
                && !["created", "updated", "deleted"]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(ct))
            {
                return error(400, "ErrorInvalidUrlQuery", "The value of changeType is not valid.");
            }
            let mb = &self.mailboxes[mailbox];
            let round = Round {
                mailbox: mailbox.to_owned(),
                folder_id: folder_id.clone(),
                select,
                change_type,
            };
            (round, Arc::new(mb.delta_entries(&folder_id, None, None)), 0, mb.seq)
        };
        let page_size = max_page_size(req)
            .or_else(|| {
                query_param(query, "$top")
                    .and_then(|t| t.parse().ok())
                    .filter(|n| *n > 0)
            })
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let end = (offset + page_size).min(entries.len());
        let mb = &self.mailboxes[mailbox];
        let value: Vec<Value> = entries[offset..end]
            .iter()
            .map(|e| match e {
                Entry::Present { id } => match mb.messages.iter().find(|m| &m.id == id && m.folder_id == folder_id) {
                    Some(m) => message_json(m, round.select.as_deref()),
                    // Gone since the round began: the next round reports it too.
                    None => removed_json(id),
                },
                Entry::Removed { id } => removed_json(id),
            })
            .collect();
        let mut out = json!({
            "@odata.context": format!("{}/$metadata#Collection(message)", self.base_url),
            "value": value,
        });
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        if end < entries.len() {
            self.skip_tokens.insert(
                token.clone(),
                SkipState {
                    round,
                    entries,
                    offset: end,
                    until,
                },
            );
            out["@odata.nextLink"] = Value::String(format!("{endpoint}?$skiptoken={token}"));
        } else {
            self.delta_tokens
                .insert(token.clone(), DeltaState { round, since: until });
            out["@odata.deltaLink"] = Value::String(format!("{endpoint}?$deltatoken={token}"));
        }
        let mut reply = builder(200, &request_id());
        if let Some(n) = max_page_size(req) {
            reply.insert_header(("Preference-Applied", format!("odata.maxpagesize={n}")));
        }
        reply.content_type("application/json").body(out.to_string())
    }

    #[allow(clippy::too_many_arguments)]
    fn message_op(
        &mut self,
        method: &Method,
        mailbox: &str,
        id: &str,
        tail: &[&str],
        body: &[u8],
        query: &[(String, String)],
        path: &str,
    ) -> HttpResponse {
        let Some(index) = self.mailboxes[mailbox].message_index(id) else {
            return error(404, "ErrorItemNotFound", ITEM_NOT_FOUND);
        };
        let context = format!(
            "{}/$metadata#users('{}')/messages/$entity",
            self.base_url, self.mailboxes[mailbox].address
        );
        let with_context = |mut v: Value| {
            v["@odata.context"] = Value::String(context.clone());
            v
        };
        match (method.clone(), tail) {
            (Method::GET, []) => {
                let select = query_param(query, "$select")
                    .map(|s| s.split(',').map(|p| p.trim().to_owned()).collect::<Vec<_>>());
                let m = &self.mailboxes[mailbox].messages[index];
                json_reply(200, &with_context(message_json(m, select.as_deref())))
            }
            (Method::GET, ["$value"]) => builder(200, &request_id())
                .content_type("text/plain")
                .body(self.mailboxes[mailbox].messages[index].raw.clone()),
            (Method::PATCH, []) => {
                let patch: Map<String, Value> = match serde_json::from_slice(body) {
                    Ok(Value::Object(p)) => p,
                    _ if body.is_empty() => {
                        return error(400, "BadRequest", "Empty Payload. JSON content expected.");
                    }
                    _ => return error(400, "BadRequest", "Invalid JSON in the request body."),
                };
                let mb = self.mailbox(mailbox);
                let m = &mut mb.messages[index];
                if let Some(is_read) = patch.get("isRead") {
                    match is_read.as_bool() {
                        Some(b) => m.is_read = b,
                        None => {
                            return error(
                                400,
                                "BadRequest",
                                "Cannot convert the literal to the expected type 'Edm.Boolean'.",
                            );
                        }
                    }
                }
                m.modified = Utc::now();
                m.change_key = new_change_key();
                let folder_id = m.folder_id.clone();
                mb.record(&folder_id, id, Change::Updated);
                json_reply(200, &with_context(message_json(&mb.messages[index], None)))
            }
            (Method::DELETE, []) => {
                let mb = self.mailbox(mailbox);
                let m = mb.messages.remove(index);
                mb.record(&m.folder_id, &m.id, Change::Removed);
                builder(204, &request_id()).finish()
            }
            (Method::POST, ["move"]) => {
                let destination = serde_json::from_slice::<Value>(body)
                    .ok()
                    .and_then(|v| v.get("destinationId").and_then(Value::as_str).map(str::to_owned));
                let Some(destination) = destination else {
                    return error(
                        400,
                        "ErrorInvalidParameter",
                        "Value cannot be null. Parameter name: DestinationId",
                    );
                };
                let destination_id = match self.folder_for_request(mailbox, &destination) {
                    Ok(id) => id,
                    Err(e) => return e.reply(),
                };
                let mb = self.mailbox(mailbox);
                let old = mb.messages.remove(index);
                mb.record(&old.folder_id, &old.id, Change::Removed);
                // Graph's move makes a new item in the destination: a new id.
                let new_id = new_id("AAMkAGI2TWVzc2FnZQ");
                mb.messages.push(Message {
                    id: new_id.clone(),
                    folder_id: destination_id.clone(),
                    modified: Utc::now(),
                    change_key: new_change_key(),
                    ..old
                });
                mb.record(&destination_id, &new_id, Change::Added);
                let moved = mb.messages.last().map(|m| message_json(m, None)).unwrap_or_default();
                json_reply(201, &with_context(moved))
            }
            _ => not_implemented(method, path),
        }
    }

    fn send_mail(&mut self, req: &HttpRequest, mailbox: &str, body: &[u8]) -> HttpResponse {
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("application/json") {
            return error(
                501,
                "NotImplemented",
                "The Graph stand-in only implements the MIME form of sendMail (Content-Type: text/plain).",
            );
        }
        let invalid = || {
            error(
                400,
                "ErrorMimeContentInvalidBase64String",
                "Invalid base64 string for MIME content.",
            )
        };
        let compact: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        let Ok(mime) = STANDARD.decode(&compact) else {
            return invalid();
        };
        if mime.is_empty() {
            return invalid();
        }
        let meta = Meta::parse(&mime);
        if meta.to.is_empty() && meta.cc.is_empty() && meta.bcc.is_empty() {
            return error(
                400,
                "ErrorInvalidRecipients",
                "At least one recipient is required, but none were found.",
            );
        }
        let mb = self.mailbox(mailbox);
        mb.sent.push(mime.clone());
        let sent_items = mb.folder_by_name_or_create("sentitems");
        mb.add_message(&sent_items, mime, true);
        builder(202, &request_id()).finish()
    }
}

/// `displayName eq 'Name'` (quotes doubled inside), the one mailFolders filter the stand-in knows.
fn parse_display_name_filter(filter: &str) -> Option<String> {
    let rest = filter.trim();
    let (field, rest) = rest.split_once(char::is_whitespace)?;
    if !field.eq_ignore_ascii_case("displayName") {
        return None;
    }
    let (op, value) = rest.trim_start().split_once(char::is_whitespace)?;
    if !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    let value = value.trim();
    let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: Value) -> String {
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.bm90LWEtcmVhbC1zaWduYXR1cmU",
            enc(&json!({"alg": "RS256", "typ": "JWT"})),
            enc(&claims)
        )
    }

    fn token_for(email: &str) -> String {
        jwt(json!({
            "email": email,
            "exp": Utc::now().timestamp() + 3600,
            "nonce": uuid::Uuid::new_v4().to_string(),
        }))
    }

    fn mime(n: usize) -> Vec<u8> {
        format!(
            "From: Customer {n} <customer{n}@example.test>\r\nTo: support@example.test\r\n\
             Subject: Question {n}\r\nMessage-ID: <q{n}@example.test>\r\n\
             Date: Mon, 4 Sep 2017 10:00:00 +0000\r\n\r\nHello {n}\r\n"
        )
        .into_bytes()
    }

    struct Client {
        http: reqwest::Client,
        token: String,
    }

    impl Client {
        fn new(token: &str) -> Client {
            Client {
                http: reqwest::Client::new(),
                token: token.to_owned(),
            }
        }

        async fn get(&self, url: &str) -> reqwest::Response {
            self.http.get(url).bearer_auth(&self.token).send().await.expect("GET")
        }

        async fn get_json(&self, url: &str) -> Value {
            let resp = self.get(url).await;
            assert_eq!(resp.status(), 200, "GET {url}");
            resp.json().await.expect("JSON body")
        }

        async fn delta_page(&self, url: &str, page_size: Option<usize>) -> Value {
            let mut req = self.http.get(url).bearer_auth(&self.token);
            if let Some(n) = page_size {
                req = req.header("Prefer", format!("odata.maxpagesize={n}"));
            }
            let resp = req.send().await.expect("delta");
            assert_eq!(resp.status(), 200, "delta {url}");
            resp.json().await.expect("delta JSON")
        }

        async fn post_json(&self, url: &str, body: Value) -> reqwest::Response {
            self.http
                .post(url)
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                .expect("POST")
        }
    }

    /// Follows a round to its deltaLink; returns (items, deltaLink, pages).
    async fn full_round(client: &Client, first: &str, page_size: Option<usize>) -> (Vec<Value>, String, usize) {
        let mut url = first.to_owned();
        let mut items = Vec::new();
        let mut pages = 0;
        loop {
            let page = client.delta_page(&url, page_size).await;
            pages += 1;
            assert!(page["@odata.context"].is_string(), "delta pages carry @odata.context");
            items.extend(page["value"].as_array().expect("value array").iter().cloned());
            if let Some(next) = page["@odata.nextLink"].as_str() {
                assert!(page.get("@odata.deltaLink").is_none(), "a page has one link");
                assert!(next.contains("$skiptoken="), "nextLink carries a skiptoken: {next}");
                url = next.to_owned();
                continue;
            }
            let delta = page["@odata.deltaLink"]
                .as_str()
                .expect("the last page has a deltaLink");
            assert!(
                delta.contains("$deltatoken="),
                "deltaLink carries a deltatoken: {delta}"
            );
            return (items, delta.to_owned(), pages);
        }
    }

    fn assert_error(body: &Value, code: &str) {
        assert_eq!(body["error"]["code"], code, "error body: {body}");
        assert!(body["error"]["message"].is_string(), "error body: {body}");
        assert!(body["error"]["innerError"]["date"].is_string(), "error body: {body}");
        assert!(
            body["error"]["innerError"]["request-id"].is_string(),
            "error body: {body}"
        );
    }

    async fn error_of(resp: reqwest::Response, status: u16, code: &str) -> Value {
        assert_eq!(resp.status(), status);
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(content_type.starts_with("application/json"), "{content_type}");
        let body: Value = resp.json().await.expect("error JSON");
        assert_error(&body, code);
        body
    }

    #[tokio::test]
    async fn delta_pages_with_next_links_then_reports_only_changes() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let client = Client::new(&token_for(mb));
        let ids: Vec<String> = (0..25).map(|n| g.deliver(mb, "inbox", &mime(n))).collect();
        let first = format!(
            "{}/users/{mb}/mailFolders/inbox/messages/delta?$select=subject,isRead",
            g.base_url()
        );
        let (items, delta_link, pages) = full_round(&client, &first, Some(10)).await;
        assert_eq!(pages, 3, "25 messages at 10 a page");
        let got: Vec<&str> = items.iter().map(|i| i["id"].as_str().expect("id")).collect();
        assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(delta_link.starts_with(&g.base_url()), "absolute links: {delta_link}");
        // $select is remembered by the round: subject and isRead, not the rest.
        assert_eq!(items[0]["subject"], "Question 0");
        assert_eq!(items[0]["isRead"], false);
        assert!(items[0].get("internetMessageId").is_none(), "{}", items[0]);

        // Nothing changed: an empty page and a fresh deltaLink.
        let (items, delta_link, _) = full_round(&client, &delta_link, None).await;
        assert!(items.is_empty());

        let new_id = g.deliver(mb, "Inbox", &mime(99));
        let (items, _, _) = full_round(&client, &delta_link, None).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], new_id.as_str());

        // Without Prefer the page size is 10; /me works the same and every item has Graph's fields.
        let first = format!("{}/me/mailFolders/inbox/messages/delta", g.base_url());
        let page = client.delta_page(&first, None).await;
        assert_eq!(page["value"].as_array().map(Vec::len), Some(10));
        let item = &page["value"][0];
        for field in [
            "id",
            "isRead",
            "subject",
            "receivedDateTime",
            "internetMessageId",
            "parentFolderId",
        ] {
            assert!(item.get(field).is_some(), "{field} missing: {item}");
        }
        assert_eq!(item["@odata.type"], "#microsoft.graph.message");
        assert_eq!(item["internetMessageId"], "<q0@example.test>");
        assert_eq!(item["from"]["emailAddress"]["address"], "customer0@example.test");
        assert_eq!(item["parentFolderId"].as_str(), Some(g.folder_id(mb, "inbox").as_str()));
        let paging = g
            .requests()
            .iter()
            .filter(|(_, p, _)| p.contains("$skiptoken="))
            .count();
        assert_eq!(paging, 2, "the first round followed two nextLinks");
    }

    #[tokio::test]
    async fn move_delete_and_read_show_in_the_next_delta() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let client = Client::new(&token_for(mb));
        let moved = g.deliver(mb, "inbox", &mime(1));
        let deleted = g.deliver(mb, "inbox", &mime(2));
        let read = g.deliver(mb, "inbox", &mime(3));
        let base = format!("{}/users/{mb}", g.base_url());
        let (_, delta_link, _) = full_round(&client, &format!("{base}/mailFolders/inbox/messages/delta"), None).await;

        let resp = client
            .post_json(
                &format!("{base}/messages/{moved}/move"),
                json!({"destinationId": "deleteditems"}),
            )
            .await;
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.expect("moved message");
        let new_id = body["id"].as_str().expect("new id").to_owned();
        assert_ne!(new_id, moved, "a moved message gets a new id");
        assert_eq!(
            body["parentFolderId"].as_str(),
            Some(g.folder_id(mb, "deleteditems").as_str())
        );
        assert_eq!(g.folder(mb, "Deleted Items")[0].0, new_id);

        let resp = client
            .http
            .delete(format!("{base}/messages/{deleted}"))
            .bearer_auth(&client.token)
            .send()
            .await
            .expect("DELETE");
        assert_eq!(resp.status(), 204);

        let resp = client
            .http
            .patch(format!("{base}/messages/{read}"))
            .bearer_auth(&client.token)
            .json(&json!({"isRead": true}))
            .send()
            .await
            .expect("PATCH");
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.expect("patched message");
        assert_eq!(body["isRead"], true);
        assert_eq!(g.folder(mb, "inbox"), vec![(read.clone(), true, mime(3))]);

        let (items, _, _) = full_round(&client, &delta_link, None).await;
        let removed =
            |id: &str| json!({"@odata.type": "#microsoft.graph.message", "id": id, "@removed": {"reason": "deleted"}});
        assert!(items.contains(&removed(&moved)), "{items:?}");
        assert!(items.contains(&removed(&deleted)), "{items:?}");
        let update = items
            .iter()
            .find(|i| i["id"] == read.as_str())
            .expect("the read change is an update");
        assert_eq!(update["isRead"], true);
        assert_eq!(items.len(), 3);

        // The deleted-items folder's own delta shows the moved copy.
        let (items, _, _) = full_round(
            &client,
            &format!("{base}/mailFolders/deleteditems/messages/delta"),
            None,
        )
        .await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], new_id.as_str());

        // The old id is gone.
        let resp = client.get(&format!("{base}/messages/{moved}/$value")).await;
        error_of(resp, 404, "ErrorItemNotFound").await;
    }

    #[tokio::test]
    async fn folders_are_found_by_listing_and_moves_need_ids_not_names() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let client = Client::new(&token_for(mb));
        let id = g.deliver(mb, "inbox", &mime(1));
        let processed = g.folder_id(mb, "Processed");
        let base = format!("{}/users/{mb}", g.base_url());

        let resp = client
            .post_json(
                &format!("{base}/messages/{id}/move"),
                json!({"destinationId": "Processed"}),
            )
            .await;
        error_of(resp, 400, "ErrorInvalidIdMalformed").await;

        let list = client
            .get_json(&format!("{base}/mailFolders?$filter=displayName eq 'Processed'"))
            .await;
        assert_eq!(list["value"][0]["id"].as_str(), Some(processed.as_str()));
        // Nine folders: a page of 10 has no nextLink; $top=5 pages.
        let all = client.get_json(&format!("{base}/mailFolders")).await;
        assert_eq!(all["value"].as_array().map(Vec::len), Some(9));
        let first = client.get_json(&format!("{base}/mailFolders?$top=5")).await;
        let next = first["@odata.nextLink"].as_str().expect("nextLink");
        let second = client.get_json(next).await;
        assert_eq!(second["value"].as_array().map(Vec::len), Some(4));

        let resp = client
            .post_json(
                &format!("{base}/messages/{id}/move"),
                json!({"destinationId": processed}),
            )
            .await;
        assert_eq!(resp.status(), 201);
        assert_eq!(g.folder(mb, "processed").len(), 1);
        assert!(g.folder(mb, "inbox").is_empty());
    }

    #[tokio::test]
    async fn value_returns_the_exact_mime_as_text_plain() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let client = Client::new(&token_for(mb));
        let mut raw = b"From: a@example.test\r\nTo: support@example.test\r\nSubject: =?UTF-8?B?w6k=?=\r\n\r\n".to_vec();
        raw.extend_from_slice(&[0xe9, 0x00, 0xff, b'\r', b'\n', b'.', b'\n']);
        let id = g.deliver(mb, "inbox", &raw);
        let resp = client.get(&format!("{}/me/messages/{id}/$value", g.base_url())).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()),
            Some("text/plain")
        );
        assert_eq!(resp.bytes().await.expect("body").as_ref(), raw.as_slice());

        let resp = client
            .get(&format!("{}/me/messages/AAMkAGnope/$value", g.base_url()))
            .await;
        error_of(resp, 404, "ErrorItemNotFound").await;
    }

    #[tokio::test]
    async fn send_mail_takes_base64_mime() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let client = Client::new(&token_for(mb));
        let url = format!("{}/users/{mb}/sendMail", g.base_url());
        let raw = mime(7);
        // Line-wrapped base64, as in Microsoft's example.
        let encoded = STANDARD.encode(&raw);
        let wrapped: Vec<String> = encoded
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let resp = client
            .http
            .post(&url)
            .bearer_auth(&client.token)
            .header("Content-Type", "text/plain")
            .body(wrapped.join("\r\n"))
            .send()
            .await
            .expect("sendMail");
        assert_eq!(resp.status(), 202);
        assert!(resp.bytes().await.expect("body").is_empty());
        assert_eq!(g.sent(mb), vec![raw.clone()]);
        let sent_items = g.folder(mb, "sentitems");
        assert_eq!(sent_items.len(), 1);
        assert_eq!(sent_items[0].2, raw);

        for bad in ["", "not base64!!"] {
            let resp = client
                .http
                .post(&url)
                .bearer_auth(&client.token)
                .header("Content-Type", "text/plain")
                .body(bad)
                .send()
                .await
                .expect("sendMail");
            error_of(resp, 400, "ErrorMimeContentInvalidBase64String").await;
        }
        assert_eq!(g.sent(mb).len(), 1);
    }

    #[tokio::test]
    async fn throttling_answers_with_retry_after_first() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let client = Client::new(&token_for(mb));
        let url = format!("{}/me", g.base_url());
        g.throttle_next(2, 429, 3);
        for _ in 0..2 {
            let resp = client.get(&url).await;
            assert_eq!(
                resp.headers().get("retry-after").and_then(|v| v.to_str().ok()),
                Some("3")
            );
            error_of(resp, 429, "TooManyRequests").await;
        }
        let me = client.get_json(&url).await;
        assert_eq!(me["mail"], mb);
        assert_eq!(me["userPrincipalName"], mb);
        assert!(me["id"].is_string() && me["displayName"].is_string());

        // Before authentication too: even a request without a token is throttled.
        g.throttle_next(1, 503, 1);
        let resp = reqwest::Client::new().get(&url).send().await.expect("GET");
        assert_eq!(
            resp.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("1")
        );
        error_of(resp, 503, "serviceNotAvailable").await;
        let requests = g.requests();
        assert_eq!(requests.len(), 4);
        assert!(requests.windows(2).all(|w| w[0].2 <= w[1].2));
        assert!(requests.iter().all(|(m, p, _)| m == "GET" && p == "/v1.0/me"));
    }

    #[tokio::test]
    async fn tokens_are_checked_and_expire() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let url = format!("{}/users/{mb}", g.base_url());
        let old = token_for(mb);
        let client = Client::new(&old);
        client.get_json(&url).await;
        g.expire_token(&old);
        let body = error_of(client.get(&url).await, 401, "InvalidAuthenticationToken").await;
        assert_eq!(
            body["error"]["message"],
            "Lifetime validation failed, the token is expired."
        );

        let fresh = Client::new(&token_for(mb));
        fresh.get_json(&url).await;
        assert_eq!(g.tokens_seen(), vec![old.clone(), fresh.token.clone()]);

        let body = error_of(
            reqwest::Client::new().get(&url).send().await.expect("GET"),
            401,
            "InvalidAuthenticationToken",
        )
        .await;
        assert_eq!(body["error"]["message"], "Access token is empty.");
        error_of(
            Client::new("opaque-token").get(&url).await,
            401,
            "InvalidAuthenticationToken",
        )
        .await;
        let lapsed = jwt(json!({"upn": mb, "exp": Utc::now().timestamp() - 60}));
        error_of(Client::new(&lapsed).get(&url).await, 401, "InvalidAuthenticationToken").await;
        // upn and preferred_username name the account when email is absent.
        Client::new(&jwt(json!({"preferred_username": mb})))
            .get_json(&url)
            .await;
    }

    #[tokio::test]
    async fn shared_mailboxes_need_a_grant() {
        let g = GraphStandIn::start().await;
        let shared = "helpdesk@example.test";
        let agent = Client::new(&token_for("Agent@Example.test"));
        let id = g.deliver(shared, "inbox", &mime(1));
        let base = format!("{}/users/{shared}", g.base_url());
        for url in [
            base.clone(),
            format!("{base}/mailFolders/inbox/messages/delta"),
            format!("{base}/messages/{id}/$value"),
        ] {
            let body = error_of(agent.get(&url).await, 403, "ErrorAccessDenied").await;
            assert_eq!(body["error"]["message"], ACCESS_DENIED);
        }
        g.grant_access(shared, "agent@example.test");
        let (items, _, _) = full_round(&agent, &format!("{base}/mailFolders/inbox/messages/delta"), None).await;
        assert_eq!(items.len(), 1);
        let resp = agent
            .http
            .post(format!("{base}/sendMail"))
            .bearer_auth(&agent.token)
            .header("Content-Type", "text/plain")
            .body(STANDARD.encode(mime(2)))
            .send()
            .await
            .expect("sendMail");
        assert_eq!(resp.status(), 202);
        assert_eq!(g.sent(shared), vec![mime(2)]);
        assert!(g.sent("agent@example.test").is_empty());
        // The agent's own mailbox is theirs, by /me as by address.
        agent.get_json(&format!("{}/me/mailFolders/inbox", g.base_url())).await;
    }

    #[tokio::test]
    async fn unknown_or_forgotten_sync_state_is_gone() {
        let g = GraphStandIn::start().await;
        let mb = "support@example.test";
        let client = Client::new(&token_for(mb));
        for n in 0..3 {
            g.deliver(mb, "inbox", &mime(n));
        }
        let endpoint = format!("{}/users/{mb}/mailFolders/inbox/messages/delta", g.base_url());
        for bad in ["$deltatoken=stale", "$skiptoken=stale"] {
            let resp = client.get(&format!("{endpoint}?{bad}")).await;
            assert!(resp.headers().get("location").is_some());
            error_of(resp, 410, "SyncStateNotFound").await;
        }
        let page = client.delta_page(&endpoint, Some(2)).await;
        let next = page["@odata.nextLink"].as_str().expect("nextLink").to_owned();
        let (_, delta_link, _) = full_round(&client, &next, Some(2)).await;
        // A token from another folder is not this folder's state.
        let elsewhere = delta_link.replace("mailFolders('inbox')", "mailFolders('sentitems')");
        error_of(client.get(&elsewhere).await, 410, "SyncStateNotFound").await;
        g.forget_sync_state();
        error_of(client.get(&next).await, 410, "SyncStateNotFound").await;
        error_of(client.get(&delta_link).await, 410, "SyncStateNotFound").await;
        // Starting over works.
        let (items, _, _) = full_round(&client, &endpoint, None).await;
        assert_eq!(items.len(), 3);
    }
}
