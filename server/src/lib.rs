//! Maildesk: an e-mail helpdesk. The `maildesk` binary is a thin shell over this library so the
//! tests start the server through exactly the code path production uses.

pub mod auth;
pub mod backend;
pub mod bench;
pub mod blobs;
pub mod bootstrap;
pub mod change;
pub mod cli;
pub mod cli_mail;
pub mod context;
pub mod crypto;
pub mod custom_fields;
pub mod db;
pub mod db_nodelay;
pub mod directory;
pub mod egress;
pub mod error;
pub mod http;
pub mod kb;
pub mod keys;
pub mod mail;
pub mod memo;
pub mod net;
pub mod paging;
pub mod realtime;
pub mod reports;
pub mod retention;
pub mod rules;
pub mod search;
pub mod settings;
pub mod sla;
pub mod startup;
pub mod tickets;
pub mod write_behind;

pub use error::{AppError, AppResult};
/// The server's allocator (main.rs installs it; so do benchmarks that host the server). Idle
/// sockets hold buffers that are mostly untouched: mimalloc keeps those pages out of the
/// resident set, where glibc's malloc cost noticeably more per idle connection (measured by
/// the live_fanout benchmark; figures in `docs/PERFORMANCE.md`).
pub use mimalloc::MiMalloc as Allocator;
pub use settings::Settings;
pub use startup::Application;
