//! SLAs: business calendars, SLA policies, and the due-time state on `tickets`
//! (`due_at` stays the effective next due time, so existing readers keep working).

use sea_orm_migration::prelude::*;

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
    Id,
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

fn calendars() -> TableCreateStatement {
    Table::create()
        .table(BusinessCalendars::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(BusinessCalendars::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(BusinessCalendars::Name).string().not_null().unique_key())
        .col(ColumnDef::new(BusinessCalendars::TimeZone).string().not_null())
        .col(ColumnDef::new(BusinessCalendars::Hours).text().not_null())
        .col(ColumnDef::new(BusinessCalendars::Holidays).text().not_null())
        .col(
            ColumnDef::new(BusinessCalendars::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(BusinessCalendars::UpdatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned()
}

fn policies() -> TableCreateStatement {
    Table::create()
        .table(SlaPolicies::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(SlaPolicies::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(SlaPolicies::Name).string().not_null())
        .col(ColumnDef::new(SlaPolicies::Position).integer().not_null().default(0))
        .col(ColumnDef::new(SlaPolicies::Priority).string().null())
        .col(ColumnDef::new(SlaPolicies::CategoryId).big_integer().null())
        .col(ColumnDef::new(SlaPolicies::CompanyId).big_integer().null())
        .col(ColumnDef::new(SlaPolicies::CalendarId).big_integer().not_null())
        .col(ColumnDef::new(SlaPolicies::FirstResponseMinutes).big_integer().null())
        .col(ColumnDef::new(SlaPolicies::ResolutionMinutes).big_integer().null())
        .col(
            ColumnDef::new(SlaPolicies::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(SlaPolicies::UpdatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        // Declared inside CREATE TABLE: SQLite cannot add foreign keys later.
        .foreign_key(
            ForeignKey::create()
                .name("fk_sla_policies_calendar_id")
                .from(SlaPolicies::Table, SlaPolicies::CalendarId)
                .to(BusinessCalendars::Table, BusinessCalendars::Id)
                .on_delete(ForeignKeyAction::Restrict),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_sla_policies_category_id")
                .from(SlaPolicies::Table, SlaPolicies::CategoryId)
                .to(Categories::Table, Categories::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_sla_policies_company_id")
                .from(SlaPolicies::Table, SlaPolicies::CompanyId)
                .to(Companies::Table, Companies::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// The new `tickets` columns, one ALTER each (SQLite takes one change per statement).
fn ticket_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(Tickets::SlaPolicyId).big_integer().null().to_owned(),
        ColumnDef::new(Tickets::FirstResponseDueAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::ResolutionDueAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::SlaPausedAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
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
        ColumnDef::new(Tickets::OverdueAlertedAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
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
        for mut col in ticket_columns() {
            manager
                .alter_table(Table::alter().table(Tickets::Table).add_column(&mut col).to_owned())
                .await?;
        }
        // The overdue checker looks for due times that passed.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_tickets_due_at")
                    .table(Tickets::Table)
                    .col(Tickets::DueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_sla_policies_calendar_id")
                    .table(SlaPolicies::Table)
                    .col(SlaPolicies::CalendarId)
                    .to_owned(),
            )
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
        for col in TICKET_COLUMNS {
            manager
                .alter_table(Table::alter().table(Tickets::Table).drop_column(col).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(SlaPolicies::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BusinessCalendars::Table).to_owned())
            .await
    }
}
