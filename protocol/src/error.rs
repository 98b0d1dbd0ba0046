//! One flat list of error codes; clients match on `code`, never on `message`.

use serde::{Deserialize, Serialize};

use crate::tickets::{Message, Ticket};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON, or not the JSON this endpoint takes.
    InvalidJson,
    /// A path segment or query parameter could not be read (e.g. a non-numeric id).
    InvalidParameter,
    /// The request was well-formed but a value is not acceptable.
    ValidationFailed,
    /// The body exceeds the size this endpoint accepts.
    PayloadTooLarge,
    /// The body's content type is not one this endpoint accepts.
    UnsupportedMediaType,
    /// No credentials, or credentials that cannot be verified.
    Unauthorized,
    /// Wrong e-mail address or password.
    InvalidCredentials,
    /// The token's lifetime is over; refresh or sign in again.
    TokenExpired,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// Nothing here, or nothing the caller may see (the two are deliberately indistinguishable).
    NotFound,
    /// The method is not allowed on this path.
    MethodNotAllowed,
    /// The record changed since the caller read it; the body carries the current state.
    VersionConflict,
    /// The request conflicts with existing data (e.g. an e-mail address already in use).
    Conflict,
    /// Too many attempts; retry later.
    TooManyRequests,
    /// Something failed on the server; details are in its log, never in the response.
    Internal,
    /// A backing service (database, Redis…) is not reachable.
    ServiceUnavailable,
}

impl ErrorCode {
    /// The HTTP status every response with this code carries: one row per code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidJson | Self::InvalidParameter => 400,
            Self::ValidationFailed => 422,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Unauthorized | Self::InvalidCredentials | Self::TokenExpired => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::VersionConflict | Self::Conflict => 409,
            Self::TooManyRequests => 429,
            Self::Internal => 500,
            Self::ServiceUnavailable => 503,
        }
    }
}

/// The body of every non-2xx response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// With `version_conflict`: the ticket as it is now, so the client can show what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<Ticket>>,
    /// With `version_conflict`: the messages added since the version the writer saw (internal
    /// notes only for staff), so an agent reviews them before sending anyway.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_messages: Vec<Message>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            current: None,
            new_messages: Vec::new(),
        }
    }
}
