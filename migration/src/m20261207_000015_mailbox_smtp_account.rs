//! A mailbox's own SMTP account for its replies (`mail::outbound::routing`); without one the
//! global `smtp.*` sends them. The password is encrypted like the IMAP one.

use sea_orm_migration::prelude::*;

use crate::statements::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    SmtpHost,
    SmtpPort,
    SmtpTls,
    SmtpUsername,
    SmtpPasswordEnc,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ColumnDef::new(Mailboxes::SmtpHost).text().to_owned(),
            ColumnDef::new(Mailboxes::SmtpPort).integer().to_owned(),
            ColumnDef::new(Mailboxes::SmtpTls)
                .text()
                .not_null()
                .default("starttls")
                .to_owned(),
            ColumnDef::new(Mailboxes::SmtpUsername).text().to_owned(),
            ColumnDef::new(Mailboxes::SmtpPasswordEnc).text().to_owned(),
        ];
        add_columns(manager, Mailboxes::Table, columns).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            Mailboxes::SmtpHost,
            Mailboxes::SmtpPort,
            Mailboxes::SmtpTls,
            Mailboxes::SmtpUsername,
            Mailboxes::SmtpPasswordEnc,
        ];
        drop_columns(manager, Mailboxes::Table, columns).await
    }
}
