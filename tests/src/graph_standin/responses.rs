//! The shapes of the stand-in's answers: request ids, JSON replies, Graph's error body
//! `{"error": {"code", "message", "innerError": {"date", "request-id"}}}` and the
//! `NotImplemented` answer for anything not covered.

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::Utc;
use serde_json::{Value, json};

pub(super) const ACCESS_DENIED: &str = "Access is denied. Check credentials and try again.";
pub(super) const ITEM_NOT_FOUND: &str = "The specified object was not found in the store.";

pub(super) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(super) fn builder(status: u16, request_id: &str) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    b.insert_header(("request-id", request_id.to_owned()))
        .insert_header(("client-request-id", request_id.to_owned()));
    b
}

pub(super) fn error_with(
    status: u16,
    code: &str,
    message: &str,
    inner_extra: Value,
    headers: &[(&str, String)],
) -> HttpResponse {
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

pub(super) fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    error_with(status, code, message, json!({}), &[])
}

/// A Graph error answer, turned into a response where the request is answered.
pub(super) struct GraphError {
    status: u16,
    code: &'static str,
    message: String,
}

impl GraphError {
    pub(super) fn new(status: u16, code: &'static str, message: &str) -> GraphError {
        GraphError {
            status,
            code,
            message: message.to_owned(),
        }
    }

    pub(super) fn reply(self) -> HttpResponse {
        error(self.status, self.code, &self.message)
    }
}

pub(super) fn json_reply(status: u16, body: &Value) -> HttpResponse {
    builder(status, &request_id())
        .content_type("application/json")
        .body(body.to_string())
}

pub(super) fn not_implemented(method: &Method, path: &str) -> HttpResponse {
    error(
        501,
        "NotImplemented",
        &format!("The Graph stand-in does not implement {method} {path} (see tests/src/graph_standin/)."),
    )
}
