//! POP3 mailboxes: which protocol a mailbox fetches with (`imap` or `pop3`, over the same
//! server fields), and the unique ids of the POP3 messages already journaled.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    Id,
    FetchProtocol,
}

#[derive(DeriveIden)]
enum Pop3Seen {
    Table,
    MailboxId,
    Uidl,
    SeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .add_column(
                        ColumnDef::new(Mailboxes::FetchProtocol)
                            .text()
                            .not_null()
                            .default("imap"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Pop3Seen::Table)
                    .col(ColumnDef::new(Pop3Seen::MailboxId).big_integer().not_null())
                    .col(ColumnDef::new(Pop3Seen::Uidl).text().not_null())
                    .col(ColumnDef::new(Pop3Seen::SeenAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(Pop3Seen::MailboxId).col(Pop3Seen::Uidl))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Pop3Seen::Table, Pop3Seen::MailboxId)
                            .to(Mailboxes::Table, Mailboxes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Pop3Seen::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .drop_column(Mailboxes::FetchProtocol)
                    .to_owned(),
            )
            .await
    }
}
