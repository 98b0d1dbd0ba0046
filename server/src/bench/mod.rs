//! `maildesk bench …`: benchmarks that print their figures (never timed tests).

pub mod imap_latency;
pub mod ingest;
pub mod mails;
pub mod pathological;
pub mod receiver;
pub mod screening;
pub mod search;
pub mod stats;
