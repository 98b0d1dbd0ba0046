//! One message and sending: `GET .../messages/{id}` (JSON, `$select`), `GET .../$value` (the
//! MIME), `PATCH` (`isRead`), `POST .../move`, `DELETE`, `POST .../sendMail` (base64 MIME), and
//! the JSON shape Graph gives a message.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::responses::{ITEM_NOT_FOUND, builder, error, json_reply, not_implemented, request_id};
use super::routing::query_param;
use super::state::{Change, Message, Meta, State, new_change_key, new_id};

fn graph_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(super) fn message_json(m: &Message, select: Option<&[String]>) -> Value {
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

pub(super) fn removed_json(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.message", "id": id, "@removed": {"reason": "deleted"}})
}

impl State {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn message_op(
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

    pub(super) fn send_mail(&mut self, req: &HttpRequest, mailbox: &str, body: &[u8]) -> HttpResponse {
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
