//! When a mailbox's "stopped fetching" alert went out (`mail::watch`): set once per outage,
//! cleared with the "fetching again" mail.

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    StaleAlertedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = ColumnDef::new(Mailboxes::StaleAlertedAt)
            .timestamp_with_time_zone()
            .to_owned();
        add_column(manager, Mailboxes::Table, column).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, Mailboxes::Table, Mailboxes::StaleAlertedAt).await
    }
}
