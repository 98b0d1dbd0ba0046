//! SLAs: business calendars, SLA policies, and the due-time state on `tickets`
//! (`due_at` stays the effective next due time, so existing readers keep working).

use sea_orm_migration::prelude::*;

use crate::statements::{add_columns, drop_columns, drop_table, fk, id, index, timestamp, timestamp_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BusinessCalendars {
    Table,
    Id,
    Name,
    TimeZone,
    Hours,
    Holidays,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SlaPolicies {
    Table,
    Id,
    Name,
    Position,
    Priority,
    CategoryId,
    CompanyId,
    CalendarId,
    FirstResponseMinutes,
    ResolutionMinutes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    DueAt,
    SlaPolicyId,
    FirstResponseDueAt,
    ResolutionDueAt,
    SlaPausedAt,
    SlaPausedSecs,
    Overdue,
    OverdueAlertedAt,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
}

#[derive(DeriveIden)]
enum Companies {
    Table,
}

fn calendars() -> TableCreateStatement {
    Table::create()
        .table(BusinessCalendars::Table)
        .if_not_exists()
        .col(id(BusinessCalendars::Id))
        .col(ColumnDef::new(BusinessCalendars::Name).string().not_null().unique_key())
        .col(ColumnDef::new(BusinessCalendars::TimeZone).string().not_null())
        .col(ColumnDef::new(BusinessCalendars::Hours).text().not_null())
        .col(ColumnDef::new(BusinessCalendars::Holidays).text().not_null())
        .col(timestamp(BusinessCalendars::CreatedAt))
        .col(timestamp(BusinessCalendars::UpdatedAt))
        .to_owned()
}

fn policies() -> TableCreateStatement {
    Table::create()
        .table(SlaPolicies::Table)
        .if_not_exists()
        .col(id(SlaPolicies::Id))
        .col(ColumnDef::new(SlaPolicies::Name).string().not_null())
        .col(ColumnDef::new(SlaPolicies::Position).integer().not_null().default(0))
        .col(ColumnDef::new(SlaPolicies::Priority).string().null())
        .col(ColumnDef::new(SlaPolicies::CategoryId).big_integer().null())
        .col(ColumnDef::new(SlaPolicies::CompanyId).big_integer().null())
        .col(ColumnDef::new(SlaPolicies::CalendarId).big_integer().not_null())
        .col(ColumnDef::new(SlaPolicies::FirstResponseMinutes).big_integer().null())
        .col(ColumnDef::new(SlaPolicies::ResolutionMinutes).big_integer().null())
        .col(timestamp(SlaPolicies::CreatedAt))
        .col(timestamp(SlaPolicies::UpdatedAt))
        // Declared inside CREATE TABLE: SQLite cannot add foreign keys later.
        .foreign_key(&mut fk(
            "fk_sla_policies_calendar_id",
            SlaPolicies::Table,
            SlaPolicies::CalendarId,
            BusinessCalendars::Table,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_sla_policies_category_id",
            SlaPolicies::Table,
            SlaPolicies::CategoryId,
            Categories::Table,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_sla_policies_company_id",
            SlaPolicies::Table,
            SlaPolicies::CompanyId,
            Companies::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

/// The new `tickets` columns, one ALTER each (SQLite takes one change per statement).
fn ticket_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(Tickets::SlaPolicyId).big_integer().null().to_owned(),
        timestamp_null(Tickets::FirstResponseDueAt),
        timestamp_null(Tickets::ResolutionDueAt),
        timestamp_null(Tickets::SlaPausedAt),
        ColumnDef::new(Tickets::SlaPausedSecs)
            .big_integer()
            .not_null()
            .default(0)
            .to_owned(),
        ColumnDef::new(Tickets::Overdue)
            .boolean()
            .not_null()
            .default(false)
            .to_owned(),
        timestamp_null(Tickets::OverdueAlertedAt),
    ]
}

const TICKET_COLUMNS: [Tickets; 7] = [
    Tickets::SlaPolicyId,
    Tickets::FirstResponseDueAt,
    Tickets::ResolutionDueAt,
    Tickets::SlaPausedAt,
    Tickets::SlaPausedSecs,
    Tickets::Overdue,
    Tickets::OverdueAlertedAt,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(calendars()).await?;
        manager.create_table(policies()).await?;
        add_columns(manager, Tickets::Table, ticket_columns()).await?;
        // The overdue checker looks for due times that passed.
        manager
            .create_index(index("idx_tickets_due_at", Tickets::Table, Tickets::DueAt))
            .await?;
        manager
            .create_index(index(
                "idx_sla_policies_calendar_id",
                SlaPolicies::Table,
                SlaPolicies::CalendarId,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tickets_due_at")
                    .table(Tickets::Table)
                    .to_owned(),
            )
            .await?;
        drop_columns(manager, Tickets::Table, TICKET_COLUMNS).await?;
        drop_table(manager, SlaPolicies::Table).await?;
        drop_table(manager, BusinessCalendars::Table).await
    }
}
