//! Time-based rules and webhook actions:
//! - `rules.idle_hours`: how long a ticket must be quiet before a `ticket_idle` rule fires;
//! - `rule_timer_fires`: one row per (rule, ticket, quiet period) a time-based rule fired for.
//!   Its unique key is the claim: of several nodes checking at once, one inserts it and runs
//!   the rule, the others conflict and pass;
//! - `webhook_deliveries`: the outbox of webhook calls, written in the transaction of the
//!   change that caused them and drained (with retries) by the webhook sender.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Rules {
    Table,
    Id,
    IdleHours,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RuleTimerFires {
    Table,
    Id,
    RuleId,
    TicketId,
    AnchorAt,
    FiredAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    RuleId,
    TicketId,
    Url,
    Secret,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastError,
    CreatedAt,
    DeliveredAt,
}

fn timer_fires() -> TableCreateStatement {
    Table::create()
        .table(RuleTimerFires::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(RuleTimerFires::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(RuleTimerFires::RuleId).big_integer().not_null())
        .col(ColumnDef::new(RuleTimerFires::TicketId).big_integer().not_null())
        .col(
            ColumnDef::new(RuleTimerFires::AnchorAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(RuleTimerFires::FiredAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_rule_timer_fires_rule_id")
                .from(RuleTimerFires::Table, RuleTimerFires::RuleId)
                .to(Rules::Table, Rules::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_rule_timer_fires_ticket_id")
                .from(RuleTimerFires::Table, RuleTimerFires::TicketId)
                .to(Tickets::Table, Tickets::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn webhook_deliveries() -> TableCreateStatement {
    Table::create()
        .table(WebhookDeliveries::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(WebhookDeliveries::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        // Kept (not cascaded) when the rule or ticket goes: the delivery log outlives them.
        .col(ColumnDef::new(WebhookDeliveries::RuleId).big_integer())
        .col(ColumnDef::new(WebhookDeliveries::TicketId).big_integer())
        .col(ColumnDef::new(WebhookDeliveries::Url).text().not_null())
        .col(ColumnDef::new(WebhookDeliveries::Secret).text().not_null())
        .col(ColumnDef::new(WebhookDeliveries::Payload).text().not_null())
        .col(ColumnDef::new(WebhookDeliveries::Status).string().not_null())
        .col(
            ColumnDef::new(WebhookDeliveries::Attempts)
                .integer()
                .not_null()
                .default(0),
        )
        .col(
            ColumnDef::new(WebhookDeliveries::NextAttemptAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(WebhookDeliveries::LeaseUntil).timestamp_with_time_zone())
        .col(ColumnDef::new(WebhookDeliveries::LastError).text())
        .col(
            ColumnDef::new(WebhookDeliveries::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(WebhookDeliveries::DeliveredAt).timestamp_with_time_zone())
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rules::Table)
                    .add_column(ColumnDef::new(Rules::IdleHours).integer())
                    .to_owned(),
            )
            .await?;
        manager.create_table(timer_fires()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_rule_timer_fires_claim")
                    .table(RuleTimerFires::Table)
                    .col(RuleTimerFires::RuleId)
                    .col(RuleTimerFires::TicketId)
                    .col(RuleTimerFires::AnchorAt)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager.create_table(webhook_deliveries()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RuleTimerFires::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Rules::Table)
                    .drop_column(Rules::IdleHours)
                    .to_owned(),
            )
            .await
    }
}
