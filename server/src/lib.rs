//! Maildesk: an e-mail helpdesk. The `maildesk` binary is a thin shell over this library so the
//! tests start the server through exactly the code path production uses.

pub mod auth;
pub mod bench;
pub mod blobs;
pub mod bootstrap;
pub mod cli;
pub mod cli_mail;
pub mod context;
pub mod crypto;
pub mod custom_fields;
pub mod db;
pub mod directory;
pub mod error;
pub mod http;
pub mod kb;
pub mod keys;
pub mod mail;
pub mod realtime;
pub mod reports;
pub mod rules;
pub mod search;
pub mod settings;
pub mod sla;
pub mod startup;
pub mod tickets;

pub use error::{AppError, AppResult};
pub use settings::Settings;
pub use startup::Application;
