//! `messages.ticket_version`: the ticket version a message brought the ticket to. A reply
//! written against an older version is refused with the messages that came after it, so the
//! agent sees exactly what they missed (collision prevention).

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    TicketVersion,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = ColumnDef::new(Messages::TicketVersion).big_integer().null().to_owned();
        add_column(manager, Messages::Table, column).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, Messages::Table, Messages::TicketVersion).await
    }
}
