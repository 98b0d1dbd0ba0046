//! Error → HTTP: one status per code (the table lives on `ErrorCode`), a JSON body always, and
//! the cause of a 5xx logged once here, never sent.

use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::error::AppError;

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut resp = HttpResponse::build(self.status_code());
        if matches!(self, AppError::Unauthorized | AppError::TokenExpired) {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let AppError::RetryAfter(wait) = self {
            // Whole seconds (RFC 9110 §10.2.3), rounded up so a client never asks too early.
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            resp.insert_header((header::RETRY_AFTER, secs.max(1).to_string()));
        }
        resp.json(self.body())
    }
}

pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let app = match &err {
        JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => {
            AppError::PayloadTooLarge(format!("the JSON body is larger than {limit} bytes"))
        }
        JsonPayloadError::ContentType => {
            return actix_web::error::InternalError::from_response(
                "",
                HttpResponse::UnsupportedMediaType().json(protocol::ErrorBody::new(
                    protocol::ErrorCode::UnsupportedMediaType,
                    "send the body as application/json",
                )),
            )
            .into();
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            return invalid_json(format!("the JSON body does not match: {e}"));
        }
        JsonPayloadError::Deserialize(e) => return invalid_json(format!("the body is not valid JSON: {e}")),
        JsonPayloadError::Payload(PayloadError::Overflow) => AppError::PayloadTooLarge("the body is too large".into()),
        other => return invalid_json(format!("could not read the body: {other}")),
    };
    app.into()
}

fn invalid_json(message: String) -> actix_web::Error {
    actix_web::error::InternalError::from_response(
        "",
        HttpResponse::BadRequest().json(protocol::ErrorBody::new(protocol::ErrorCode::InvalidJson, message)),
    )
    .into()
}

pub fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::InvalidParameter(format!("path: {err}")).into()
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    AppError::InvalidParameter(format!("query: {err}")).into()
}

/// Unknown API paths answer in JSON like every other API error.
pub async fn api_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("API route"))
}

/// Errors produced by the framework itself (a body over a `PayloadConfig` limit, an unknown
/// method) come as plain text; under `/api` every error must be the JSON body.
pub fn json_error_handlers<B: 'static>() -> ErrorHandlers<B> {
    let mut handlers = ErrorHandlers::new();
    for status in [
        StatusCode::BAD_REQUEST,
        StatusCode::NOT_FOUND,
        StatusCode::METHOD_NOT_ALLOWED,
        StatusCode::PAYLOAD_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    ] {
        handlers = handlers.handler(status, ensure_json);
    }
    handlers
}

fn ensure_json<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            protocol::ErrorCode::PayloadTooLarge,
            "the body is larger than this endpoint accepts",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            protocol::ErrorCode::UnsupportedMediaType,
            "this content type is not accepted here",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            protocol::ErrorCode::MethodNotAllowed,
            "this method is not allowed on this path",
        ),
        StatusCode::NOT_FOUND => (protocol::ErrorCode::NotFound, "no such API route"),
        _ => (protocol::ErrorCode::InvalidParameter, "the request could not be read"),
    };
    let (req, _) = res.into_parts();
    let resp = HttpResponse::build(status).json(protocol::ErrorBody::new(code, message));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, resp).map_into_right_body(),
    ))
}
