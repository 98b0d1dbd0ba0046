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

mod delta;
mod folders;
mod identity;
mod messages;
mod responses;
mod routing;
mod state;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use routing::Throttle;
use state::State;

/// Page size of a delta round or folder list when the client does not ask for one.
const DEFAULT_PAGE_SIZE: usize = 10;
/// Request bodies the stand-in accepts (Graph's own limits are not modelled).
const MAX_BODY: usize = 64 * 1024 * 1024;

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
