//! Custom ticket fields: their definitions (kind, dropdown options, who may see them) and each
//! ticket's values. Values are JSON text of the field's kind, validated by the server.

use sea_orm_migration::prelude::*;

use crate::statements::{drop_table, fk, id, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CustomFields {
    Table,
    Id,
    Name,
    Kind,
    Options,
    Visibility,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TicketCustomValues {
    Table,
    TicketId,
    FieldId,
    Value,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
}

fn fields() -> TableCreateStatement {
    Table::create()
        .table(CustomFields::Table)
        .if_not_exists()
        .col(id(CustomFields::Id))
        .col(ColumnDef::new(CustomFields::Name).string().not_null().unique_key())
        .col(ColumnDef::new(CustomFields::Kind).string().not_null())
        .col(ColumnDef::new(CustomFields::Options).text().not_null())
        .col(ColumnDef::new(CustomFields::Visibility).string().not_null())
        .col(ColumnDef::new(CustomFields::Position).integer().not_null().default(0))
        .col(timestamp(CustomFields::CreatedAt))
        .col(timestamp(CustomFields::UpdatedAt))
        .to_owned()
}

fn values() -> TableCreateStatement {
    Table::create()
        .table(TicketCustomValues::Table)
        .if_not_exists()
        .col(ColumnDef::new(TicketCustomValues::TicketId).big_integer().not_null())
        .col(ColumnDef::new(TicketCustomValues::FieldId).big_integer().not_null())
        .col(ColumnDef::new(TicketCustomValues::Value).text().not_null())
        .primary_key(
            Index::create()
                .col(TicketCustomValues::TicketId)
                .col(TicketCustomValues::FieldId),
        )
        .foreign_key(&mut fk(
            "fk_ticket_custom_values_ticket_id",
            TicketCustomValues::Table,
            TicketCustomValues::TicketId,
            Tickets::Table,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_ticket_custom_values_field_id",
            TicketCustomValues::Table,
            TicketCustomValues::FieldId,
            CustomFields::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(fields()).await?;
        manager.create_table(values()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, TicketCustomValues::Table).await?;
        drop_table(manager, CustomFields::Table).await
    }
}
