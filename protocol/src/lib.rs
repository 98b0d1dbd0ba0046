//! The wire contract between the Maildesk server and its clients.
//!
//! Serde-only so it compiles for the browser (wasm32) as well as the server; the server turns on
//! the `openapi` feature to derive schemas from these same types, so the published OpenAPI
//! document cannot drift from what is actually sent.

#[macro_use]
mod string_enum;

pub mod auth;
pub mod custom_fields;
pub mod directory;
pub mod error;
pub mod events;
pub mod health;
pub mod kb;
pub mod live;
pub mod mail;
pub mod mail_checks;
pub mod oauth;
pub mod outbound;
pub mod page;
pub mod placeholders;
pub mod quoting;
pub mod reports;
pub mod rules;
pub mod search;
pub mod sla;
pub mod tickets;

pub use auth::*;
pub use custom_fields::*;
pub use directory::*;
pub use error::*;
pub use events::EventKind;
pub use health::*;
pub use kb::*;
pub use live::{ClientFrame, ServerFrame, Topic};
pub use mail::*;
pub use mail_checks::*;
pub use oauth::*;
pub use outbound::*;
pub use page::*;
pub use reports::*;
pub use rules::*;
pub use search::*;
pub use sla::*;
pub use tickets::*;

/// Base path of the versioned REST API.
pub const API_BASE: &str = "/api/v1";
