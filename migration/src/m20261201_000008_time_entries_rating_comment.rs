//! Time tracking entries (who logged how many minutes, with a note; `tickets.time_spent_minutes`
//! stays their sum for `#TimeSpent#` and the queue) and the customer's comment with a rating.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    RatingComment,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
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
        .col(
            ColumnDef::new(TimeEntries::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(TimeEntries::TicketId).big_integer().not_null())
        .col(ColumnDef::new(TimeEntries::UserId).big_integer())
        .col(ColumnDef::new(TimeEntries::Minutes).integer().not_null())
        .col(ColumnDef::new(TimeEntries::Note).text().not_null().default(""))
        .col(
            ColumnDef::new(TimeEntries::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_time_entries_ticket_id")
                .from(TimeEntries::Table, TimeEntries::TicketId)
                .to(Tickets::Table, Tickets::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_time_entries_user_id")
                .from(TimeEntries::Table, TimeEntries::UserId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::SetNull),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(time_entries()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_time_entries_ticket_id")
                    .table(TimeEntries::Table)
                    .col(TimeEntries::TicketId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(ColumnDef::new(Tickets::RatingComment).text())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(Tickets::RatingComment)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(TimeEntries::Table).to_owned())
            .await
    }
}
