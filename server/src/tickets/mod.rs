//! The ticket domain: who may see what, reading tickets with their threads, and changing them
//! under optimistic locking with an audit trail.

pub mod access;
pub mod attachments;
pub mod create;
pub mod events;
pub mod mapping;
pub mod messages;
pub mod queries;
pub mod rating;
pub mod reshape;
pub mod time_tracking;
pub mod update;
pub mod version;
