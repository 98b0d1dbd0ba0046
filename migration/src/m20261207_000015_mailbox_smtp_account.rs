//! A mailbox's own SMTP account for its replies (`mail::outbound::routing`); without one the
//! global `smtp.*` sends them. The password is encrypted like the IMAP one.

use sea_orm_migration::prelude::*;

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
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(Mailboxes::SmtpHost).text().to_owned(),
            ColumnDef::new(Mailboxes::SmtpPort).integer().to_owned(),
            ColumnDef::new(Mailboxes::SmtpTls)
                .text()
                .not_null()
                .default("starttls")
                .to_owned(),
            ColumnDef::new(Mailboxes::SmtpUsername).text().to_owned(),
            ColumnDef::new(Mailboxes::SmtpPasswordEnc).text().to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Mailboxes::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Mailboxes::SmtpHost,
            Mailboxes::SmtpPort,
            Mailboxes::SmtpTls,
            Mailboxes::SmtpUsername,
            Mailboxes::SmtpPasswordEnc,
        ] {
            manager
                .alter_table(Table::alter().table(Mailboxes::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
