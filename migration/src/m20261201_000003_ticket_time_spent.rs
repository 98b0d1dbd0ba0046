//! `tickets.time_spent_minutes`: time agents logged on a ticket (seed 002's `#TimeSpent#`).

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    TimeSpentMinutes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = ColumnDef::new(Tickets::TimeSpentMinutes)
            .integer()
            .not_null()
            .default(0)
            .to_owned();
        add_column(manager, Tickets::Table, column).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, Tickets::Table, Tickets::TimeSpentMinutes).await
    }
}
