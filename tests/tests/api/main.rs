//! The REST API end to end: tickets, people, rules, SLA, reports, search, custom fields, serving and access rights, against real PostgreSQL/SQLite and Redis.
//!
//! One test binary of modules (one per former test file): the suite links the server once.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

mod access_rights;
mod bad_input;
mod custom_fields;
mod deployment;
mod kb_articles;
mod reports;
mod rule_automation;
mod rules;
mod search_api;
mod search_engine;
mod serving;
mod sla;
mod take_race;
mod ticket_lifecycle;
mod ticket_reshape;
mod tokens;
