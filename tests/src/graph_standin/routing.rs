//! Taking a request in: recording it and its token, throttling (armed by `throttle_next`)
//! before anything else, authenticating, then routing by path (`/me/...`, `/users/{x}/...`,
//! OData key syntax) and query to the handlers.

use std::time::Instant;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::identity::{Who, bearer_token};
use super::responses::{ITEM_NOT_FOUND, error, error_with, json_reply, not_implemented};
use super::state::State;

pub(super) struct Throttle {
    pub(super) remaining: usize,
    pub(super) status: u16,
    pub(super) retry_after_secs: u64,
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

pub(super) fn query_param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl State {
    pub(super) fn handle(&mut self, req: &HttpRequest, body: &[u8]) -> HttpResponse {
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
}
