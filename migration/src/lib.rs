//! SeaORM migrations for Maildesk.
//!
//! Every migration must run on both SQLite and PostgreSQL: foreign keys are
//! declared inside `CREATE TABLE` (SQLite cannot add them later) and only
//! portable column types are used.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_core_tables;
mod m20261122_000002_create_mail_tables;
mod m20261201_000001_message_ticket_version;
mod m20261201_000002_create_outbound_tables;
mod m20261201_000003_ticket_time_spent;
mod m20261201_000004_create_kb_articles;
mod m20261201_000005_create_sla_tables;
mod m20261201_000006_create_rules;
mod m20261201_000007_rule_timers_webhooks;
mod m20261201_000008_time_entries_rating_comment;
mod m20261201_000009_custom_fields;
mod m20261202_000010_lz4_large_columns;
mod m20261207_000011_attachment_uploader;
mod m20261207_000012_mark_clear_webhook_secrets;
mod m20261207_000013_create_auth_sessions;
mod m20261207_000014_mailbox_stale_alert;
mod m20261207_000015_mailbox_smtp_account;
mod m20261207_000016_pop3;
mod m20261207_000017_mailbox_oauth;
mod m20261207_000018_mail_screening;
mod statements;

/// All Maildesk migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_core_tables::Migration),
            Box::new(m20261122_000002_create_mail_tables::Migration),
            Box::new(m20261201_000001_message_ticket_version::Migration),
            Box::new(m20261201_000002_create_outbound_tables::Migration),
            Box::new(m20261201_000003_ticket_time_spent::Migration),
            Box::new(m20261201_000004_create_kb_articles::Migration),
            Box::new(m20261201_000005_create_sla_tables::Migration),
            Box::new(m20261201_000006_create_rules::Migration),
            Box::new(m20261201_000007_rule_timers_webhooks::Migration),
            Box::new(m20261201_000008_time_entries_rating_comment::Migration),
            Box::new(m20261201_000009_custom_fields::Migration),
            Box::new(m20261202_000010_lz4_large_columns::Migration),
            Box::new(m20261207_000011_attachment_uploader::Migration),
            Box::new(m20261207_000012_mark_clear_webhook_secrets::Migration),
            Box::new(m20261207_000013_create_auth_sessions::Migration),
            Box::new(m20261207_000014_mailbox_stale_alert::Migration),
            Box::new(m20261207_000015_mailbox_smtp_account::Migration),
            Box::new(m20261207_000016_pop3::Migration),
            Box::new(m20261207_000017_mailbox_oauth::Migration),
            Box::new(m20261207_000018_mail_screening::Migration),
        ]
    }
}
