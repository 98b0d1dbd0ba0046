//! SeaORM entities for Maildesk.
//!
//! One module per table, written in the classic `DeriveEntityModel` format.
//! Ids are `i64` (big integer, auto-increment unless the table has a
//! composite key), timestamps are [`sea_orm::prelude::DateTimeUtc`], and
//! enum-like columns (roles, statuses, priorities, message kinds, ...) are
//! plain `String`s that the server maps to its own types.
//!
//! The schema itself is created by the `maildesk-migration` crate; these
//! entities must stay in sync with it.

pub mod app_setting;
pub mod attachment;
pub mod auth_session;
pub mod business_calendar;
pub mod canned_response;
pub mod category;
pub mod category_agent;
pub mod company;
pub mod custom_field;
pub mod email_suppression;
pub mod email_template;
pub mod inbound_mail;
pub mod kb_article;
pub mod mailbox;
pub mod mailbox_oauth;
pub mod message;
pub mod oauth_state;
pub mod outbound_mail;
pub mod pop3_seen;
pub mod round_robin_pointer;
pub mod rule;
pub mod rule_timer_fire;
pub mod sla_policy;
pub mod subscriber;
pub mod ticket;
pub mod ticket_custom_value;
pub mod ticket_event;
pub mod ticket_tag;
pub mod time_entry;
pub mod user;
pub mod webhook_delivery;

/// Re-exports of every entity under its table-ish name.
pub mod prelude {
    pub use super::app_setting::Entity as AppSetting;
    pub use super::attachment::Entity as Attachment;
    pub use super::auth_session::Entity as AuthSession;
    pub use super::business_calendar::Entity as BusinessCalendar;
    pub use super::canned_response::Entity as CannedResponse;
    pub use super::category::Entity as Category;
    pub use super::category_agent::Entity as CategoryAgent;
    pub use super::company::Entity as Company;
    pub use super::custom_field::Entity as CustomField;
    pub use super::email_suppression::Entity as EmailSuppression;
    pub use super::email_template::Entity as EmailTemplate;
    pub use super::inbound_mail::Entity as InboundMail;
    pub use super::kb_article::Entity as KbArticle;
    pub use super::mailbox::Entity as Mailbox;
    pub use super::mailbox_oauth::Entity as MailboxOauth;
    pub use super::message::Entity as Message;
    pub use super::oauth_state::Entity as OauthState;
    pub use super::outbound_mail::Entity as OutboundMail;
    pub use super::round_robin_pointer::Entity as RoundRobinPointer;
    pub use super::rule::Entity as Rule;
    pub use super::rule_timer_fire::Entity as RuleTimerFire;
    pub use super::sla_policy::Entity as SlaPolicy;
    pub use super::subscriber::Entity as Subscriber;
    pub use super::ticket::Entity as Ticket;
    pub use super::ticket_custom_value::Entity as TicketCustomValue;
    pub use super::ticket_event::Entity as TicketEvent;
    pub use super::ticket_tag::Entity as TicketTag;
    pub use super::time_entry::Entity as TimeEntry;
    pub use super::user::Entity as User;
    pub use super::webhook_delivery::Entity as WebhookDelivery;
}
