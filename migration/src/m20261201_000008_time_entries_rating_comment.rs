//! Time tracking entries (who logged how many minutes, with a note; `tickets.time_spent_minutes`
//! stays their sum for `#TimeSpent#` and the queue) and the customer's comment with a rating.

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, create_index, drop_column, drop_table, fk, id, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    RatingComment,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum TimeEntries {
    Table,
    Id,
    TicketId,
    UserId,
    Minutes,
    Note,
    CreatedAt,
}

fn time_entries() -> TableCreateStatement {
    Table::create()
        .table(TimeEntries::Table)
        .if_not_exists()
        .col(id(TimeEntries::Id))
        .col(ColumnDef::new(TimeEntries::TicketId).big_integer().not_null())
        .col(ColumnDef::new(TimeEntries::UserId).big_integer())
        .col(ColumnDef::new(TimeEntries::Minutes).integer().not_null())
        .col(ColumnDef::new(TimeEntries::Note).text().not_null().default(""))
        .col(timestamp(TimeEntries::CreatedAt))
        .foreign_key(&mut fk(
            "fk_time_entries_ticket_id",
            TimeEntries::Table,
            TimeEntries::TicketId,
            Tickets::Table,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_time_entries_user_id",
            TimeEntries::Table,
            TimeEntries::UserId,
            Users::Table,
            ForeignKeyAction::SetNull,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(time_entries()).await?;
        create_index(
            manager,
            "ix_time_entries_ticket_id",
            TimeEntries::Table,
            [TimeEntries::TicketId],
        )
        .await?;
        let comment = ColumnDef::new(Tickets::RatingComment).text().to_owned();
        add_column(manager, Tickets::Table, comment).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, Tickets::Table, Tickets::RatingComment).await?;
        drop_table(manager, TimeEntries::Table).await
    }
}
