//! Automation rules (if/then on ticket events) and the round-robin pointers their
//! `assign_round_robin` action keeps per category, in the database so the rotation stays fair
//! across restarts and nodes.

use sea_orm_migration::prelude::*;

use crate::statements::{drop_table, fk, id, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Rules {
    Table,
    Id,
    Name,
    Enabled,
    Position,
    Event,
    MatchMode,
    Conditions,
    Actions,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoundRobinPointers {
    Table,
    CategoryId,
    UserId,
    LastAssignedAt,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

fn rules() -> TableCreateStatement {
    Table::create()
        .table(Rules::Table)
        .if_not_exists()
        .col(id(Rules::Id))
        .col(ColumnDef::new(Rules::Name).string().not_null())
        .col(ColumnDef::new(Rules::Enabled).boolean().not_null().default(true))
        .col(ColumnDef::new(Rules::Position).integer().not_null().default(0))
        .col(ColumnDef::new(Rules::Event).string().not_null())
        .col(ColumnDef::new(Rules::MatchMode).string().not_null())
        // JSON text: portable to SQLite, and the server validates it against typed enums.
        .col(ColumnDef::new(Rules::Conditions).text().not_null())
        .col(ColumnDef::new(Rules::Actions).text().not_null())
        .col(timestamp(Rules::CreatedAt))
        .col(timestamp(Rules::UpdatedAt))
        .to_owned()
}

fn pointers() -> TableCreateStatement {
    Table::create()
        .table(RoundRobinPointers::Table)
        .if_not_exists()
        .col(ColumnDef::new(RoundRobinPointers::CategoryId).big_integer().not_null())
        .col(ColumnDef::new(RoundRobinPointers::UserId).big_integer().not_null())
        .col(timestamp(RoundRobinPointers::LastAssignedAt))
        .primary_key(
            Index::create()
                .col(RoundRobinPointers::CategoryId)
                .col(RoundRobinPointers::UserId),
        )
        .foreign_key(&mut fk(
            "fk_round_robin_pointers_category_id",
            RoundRobinPointers::Table,
            RoundRobinPointers::CategoryId,
            Categories::Table,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_round_robin_pointers_user_id",
            RoundRobinPointers::Table,
            RoundRobinPointers::UserId,
            Users::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(rules()).await?;
        manager.create_table(pointers()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, RoundRobinPointers::Table).await?;
        drop_table(manager, Rules::Table).await
    }
}
