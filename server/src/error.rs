//! The domain error: what went wrong, in terms a client can act on. HTTP mapping lives in
//! `http::error`; domain code never names a status code.

use protocol::{ErrorBody, ErrorCode, Message, Ticket};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    #[error("the token has expired")]
    TokenExpired,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the ticket changed since version {seen}; it is now at version {}", current.version)]
    VersionConflict {
        seen: i64,
        current: Box<Ticket>,
        new_messages: Vec<Message>,
    },
    #[error("{0}")]
    Conflict(String),
    /// A conflict about a ticket, with the ticket as it is now (a lost race to take it).
    #[error("{message}")]
    TicketConflict { message: String, current: Box<Ticket> },
    #[error("too many attempts; try again in a few minutes")]
    TooManyRequests,
    /// Too many attempts; the next one is possible after this long (sent as `Retry-After`).
    #[error("too many attempts; try again in {} seconds", .0.as_secs().max(1))]
    RetryAfter(std::time::Duration),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0} is unavailable")]
    Unavailable(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::InvalidParameter(_) => ErrorCode::InvalidParameter,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::TokenExpired => ErrorCode::TokenExpired,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::VersionConflict { .. } => ErrorCode::VersionConflict,
            Self::Conflict(_) | Self::TicketConflict { .. } => ErrorCode::Conflict,
            Self::TooManyRequests | Self::RetryAfter(_) => ErrorCode::TooManyRequests,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The response body. Internal causes are never shown to the client: they are logged once
    /// at the HTTP edge.
    pub fn body(&self) -> ErrorBody {
        let message = match self {
            Self::Internal(_) => "internal error; the cause is in the server log".to_owned(),
            other => other.to_string(),
        };
        let mut body = ErrorBody::new(self.code(), message);
        if let Self::TicketConflict { current, .. } = self {
            body.current = Some(current.clone());
        }
        if let Self::VersionConflict {
            current, new_messages, ..
        } = self
        {
            body.current = Some(current.clone());
            body.new_messages = new_messages.clone();
        }
        body
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        Self::Validation(msg.into())
    }

    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::Forbidden(msg.into())
    }
}

impl From<sea_orm::DbErr> for AppError {
    #[track_caller]
    fn from(e: sea_orm::DbErr) -> Self {
        let at = std::panic::Location::caller();
        Self::Internal(anyhow::Error::new(e).context(format!("database error at {at}")))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}
