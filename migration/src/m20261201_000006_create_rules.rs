//! Automation rules (if/then on ticket events) and the round-robin pointers their
//! `assign_round_robin` action keeps per category, in the database so the rotation stays fair
//! across restarts and nodes.

use sea_orm_migration::prelude::*;

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
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn rules() -> TableCreateStatement {
    Table::create()
        .table(Rules::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(Rules::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(Rules::Name).string().not_null())
        .col(ColumnDef::new(Rules::Enabled).boolean().not_null().default(true))
        .col(ColumnDef::new(Rules::Position).integer().not_null().default(0))
        .col(ColumnDef::new(Rules::Event).string().not_null())
        .col(ColumnDef::new(Rules::MatchMode).string().not_null())
        // JSON text: portable to SQLite, and the server validates it against typed enums.
        .col(ColumnDef::new(Rules::Conditions).text().not_null())
        .col(ColumnDef::new(Rules::Actions).text().not_null())
        .col(ColumnDef::new(Rules::CreatedAt).timestamp_with_time_zone().not_null())
        .col(ColumnDef::new(Rules::UpdatedAt).timestamp_with_time_zone().not_null())
        .to_owned()
}

fn pointers() -> TableCreateStatement {
    Table::create()
        .table(RoundRobinPointers::Table)
        .if_not_exists()
        .col(ColumnDef::new(RoundRobinPointers::CategoryId).big_integer().not_null())
        .col(ColumnDef::new(RoundRobinPointers::UserId).big_integer().not_null())
        .col(
            ColumnDef::new(RoundRobinPointers::LastAssignedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .primary_key(
            Index::create()
                .col(RoundRobinPointers::CategoryId)
                .col(RoundRobinPointers::UserId),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_round_robin_pointers_category_id")
                .from(RoundRobinPointers::Table, RoundRobinPointers::CategoryId)
                .to(Categories::Table, Categories::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_round_robin_pointers_user_id")
                .from(RoundRobinPointers::Table, RoundRobinPointers::UserId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(rules()).await?;
        manager.create_table(pointers()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoundRobinPointers::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(Rules::Table).to_owned()).await
    }
}
