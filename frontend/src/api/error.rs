//! What can go wrong with a request, and how to say it to a person.

use std::fmt;

use protocol::{ErrorBody, ErrorCode, Message, Ticket};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with its error body (`{"code", "message"}`).
    Server { status: u16, body: ErrorBody },
    /// A non-2xx answer without an error body (e.g. a proxy's error page).
    Http { status: u16 },
    /// No answer: offline, DNS, CORS, connection refused…
    Network(String),
    /// A 2xx answer the app could not read (client and server out of step).
    Decode(String),
}

impl ApiError {
    /// An error for calls made while nobody is signed in.
    pub fn signed_out() -> Self {
        Self::Server {
            status: 401,
            body: ErrorBody::new(ErrorCode::Unauthorized, "not signed in"),
        }
    }

    /// The server's error code, if it sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Server { body, .. } => Some(body.code),
            _ => None,
        }
    }

    /// With `version_conflict`: the ticket as it is now.
    pub fn current_ticket(&self) -> Option<&Ticket> {
        match self {
            Self::Server { body, .. } => body.current.as_deref(),
            _ => None,
        }
    }

    /// With `version_conflict`: the messages added since the version the writer saw.
    pub fn conflict_messages(&self) -> &[Message] {
        match self {
            Self::Server { body, .. } => &body.new_messages,
            _ => &[],
        }
    }

    pub fn is_conflict(&self) -> bool {
        self.code() == Some(ErrorCode::VersionConflict)
    }

    /// Someone else got there first: a stale version, or a ticket already taken.
    pub fn is_any_conflict(&self) -> bool {
        matches!(self.code(), Some(ErrorCode::VersionConflict | ErrorCode::Conflict))
    }

    /// The server no longer accepts the session's tokens.
    pub fn rejects_session(&self) -> bool {
        matches!(self.code(), Some(ErrorCode::Unauthorized | ErrorCode::TokenExpired))
    }

    /// A 4xx answer (the request, or its credentials, were refused).
    pub fn is_client_error(&self) -> bool {
        match self {
            Self::Server { status, .. } | Self::Http { status } => (400..500).contains(status),
            _ => false,
        }
    }

    /// A sentence for the person in front of the screen.
    pub fn user_message(&self) -> String {
        match self {
            Self::Server { body, .. } => describe(body.code, &body.message),
            Self::Http { status: 502..=504 } => {
                "The server is not reachable right now. Please try again in a moment.".into()
            }
            Self::Http { status } => {
                format!("The server answered unexpectedly (HTTP {status}). Please try again.")
            }
            Self::Network(_) => "Could not reach the server. Check your connection and try again.".into(),
            Self::Decode(_) => "The server's answer could not be read. Reloading the page may help.".into(),
        }
    }
}

/// One message per code; the server's own text only where it carries the detail (which field).
fn describe(code: ErrorCode, server_message: &str) -> String {
    let fixed = match code {
        ErrorCode::InvalidCredentials => "Wrong e-mail address or password.",
        ErrorCode::TooManyRequests => "Too many attempts. Please wait a few minutes before trying again.",
        ErrorCode::TokenExpired => "Your session has expired. Please sign in again.",
        ErrorCode::Unauthorized => "Please sign in to continue.",
        ErrorCode::Forbidden => "You are not allowed to do this.",
        ErrorCode::NotFound => "This does not exist, or you do not have access to it.",
        ErrorCode::VersionConflict => "This ticket changed while you were writing.",
        ErrorCode::PayloadTooLarge => "This is too large to send.",
        ErrorCode::UnsupportedMediaType => "This kind of content is not accepted.",
        ErrorCode::MethodNotAllowed => "This action is not available.",
        ErrorCode::Internal => "Something went wrong on the server. Please try again.",
        ErrorCode::ServiceUnavailable => "The service is temporarily unavailable. Please try again in a moment.",
        ErrorCode::ValidationFailed => {
            return with_detail("Please check your input", server_message);
        }
        ErrorCode::Conflict => {
            return with_detail("This conflicts with existing data", server_message);
        }
        ErrorCode::InvalidJson | ErrorCode::InvalidParameter => {
            return with_detail("The request was not understood", server_message);
        }
    };
    fixed.into()
}

fn with_detail(lead: &str, detail: &str) -> String {
    let detail = detail.trim().trim_end_matches('.');
    if detail.is_empty() {
        format!("{lead}.")
    } else {
        format!("{lead}: {detail}.")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.user_message())
    }
}

impl std::error::Error for ApiError {}
