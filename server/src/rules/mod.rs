//! Automation rules: if/then on ticket events. A rule listens to one event (ticket created,
//! message added, status changed, assignment changed, ticket idle, due passed); when its
//! conditions match it runs its actions inside the transaction of the change that caused the
//! event, so the change and what the rules made of it commit together or not at all.
//!
//! - [`model`]: a stored rule, parsed and its regexes compiled;
//! - [`conditions`]: the facts about a ticket and whether a rule matches them (pure);
//! - [`facts`]: loading those facts;
//! - [`actions`]: carrying out a rule's actions, each with a history entry naming the rule;
//! - [`engine`]: order, chaining and the loop guards;
//! - [`round_robin`]: fair assignment among a category's agents;
//! - [`store`]: admin CRUD with validation, and the dry run;
//! - [`secrets`]: webhook secrets, sealed at rest and never sent back;
//! - [`timers`]: the time-based `ticket_idle` event (the overdue checker raises `due_passed`);
//! - [`webhooks`]: the `webhook` action's signed, retried calls.

pub mod actions;
pub mod conditions;
pub mod engine;
pub mod facts;
pub mod model;
pub mod round_robin;
pub mod secrets;
pub mod store;
pub mod timers;
pub mod webhooks;

pub use engine::{MailFacts, Trigger, run};
