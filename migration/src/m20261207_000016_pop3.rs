//! POP3 mailboxes: which protocol a mailbox fetches with (`imap` or `pop3`, over the same
//! server fields), and the unique ids of the POP3 messages already journaled.

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, drop_column, drop_table, timestamp, unnamed_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    FetchProtocol,
}

#[derive(DeriveIden)]
enum Pop3Seen {
    Table,
    MailboxId,
    Uidl,
    SeenAt,
}

fn pop3_seen() -> TableCreateStatement {
    Table::create()
        .table(Pop3Seen::Table)
        .col(ColumnDef::new(Pop3Seen::MailboxId).big_integer().not_null())
        .col(ColumnDef::new(Pop3Seen::Uidl).text().not_null())
        .col(timestamp(Pop3Seen::SeenAt))
        .primary_key(Index::create().col(Pop3Seen::MailboxId).col(Pop3Seen::Uidl))
        .foreign_key(&mut unnamed_fk(
            Pop3Seen::Table,
            Pop3Seen::MailboxId,
            Mailboxes::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let protocol = ColumnDef::new(Mailboxes::FetchProtocol)
            .text()
            .not_null()
            .default("imap")
            .to_owned();
        add_column(manager, Mailboxes::Table, protocol).await?;
        manager.create_table(pop3_seen()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, Pop3Seen::Table).await?;
        drop_column(manager, Mailboxes::Table, Mailboxes::FetchProtocol).await
    }
}
