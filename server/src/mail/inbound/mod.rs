//! The inbound pipeline: journal → parse → screen → classify → thread → apply. Every source (IMAP, the
//! HTTP endpoint, `maildesk import`, the demo) enters through [`journal::record`], which commits
//! the raw bytes before the source is acknowledged; [`pipeline::process`] then turns the entry
//! into ticket changes exactly once. [`pipeline::ingest`] does both for mails submitted
//! together in [`batch`]es: one journal commit, then one apply transaction per batch.

pub mod accounts;
pub mod admin;
pub mod apply;
mod apply_rows;
pub mod batch;
pub mod final_state;
pub mod journal;
pub mod known_ids;
pub mod pipeline;
pub mod redact;
pub mod rules;
pub mod screen;
pub mod staff_proof;
pub mod threading;
