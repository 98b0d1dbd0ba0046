//! The ticket domain: who may see what, reading tickets with their threads, and changing them
//! under optimistic locking with an audit trail. Every row a change writes (a ticket, a message,
//! a subscriber, the tags, a status move) is written by `write.rs`, whatever the channel.

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
pub mod write;
