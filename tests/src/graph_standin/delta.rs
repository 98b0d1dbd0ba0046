//! The message delta query (`.../mailFolders/{folder}/messages/delta`): what a round covers,
//! its paging by `@odata.nextLink` (`$skiptoken`) and `@odata.deltaLink` (`$deltatoken`), and
//! the sync states behind those tokens.

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::DEFAULT_PAGE_SIZE;
use super::messages::{message_json, removed_json};
use super::responses::{builder, error, error_with, request_id};
use super::routing::query_param;
use super::state::{Change, Mailbox, State};

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
pub(super) struct SkipState {
    round: Round,
    entries: Arc<Vec<Entry>>,
    offset: usize,
    /// The folder's change sequence the round covers up to.
    until: u64,
}

#[derive(Clone)]
pub(super) struct DeltaState {
    round: Round,
    since: u64,
}

impl Mailbox {
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

impl State {
    pub(super) fn delta(
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
}
