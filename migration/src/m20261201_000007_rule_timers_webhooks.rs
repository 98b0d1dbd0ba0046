//! Time-based rules and webhook actions:
//! - `rules.idle_hours`: how long a ticket must be quiet before a `ticket_idle` rule fires;
//! - `rule_timer_fires`: one row per (rule, ticket, quiet period) a time-based rule fired for.
//!   Its unique key is the claim: of several nodes checking at once, one inserts it and runs
//!   the rule, the others conflict and pass;
//! - `webhook_deliveries`: the outbox of webhook calls, written in the transaction of the
//!   change that caused them and drained (with retries) by the webhook sender.

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, create_index, create_unique_index, drop_column, drop_table, fk, id, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Rules {
    Table,
    IdleHours,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
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
        .col(id(RuleTimerFires::Id))
        .col(ColumnDef::new(RuleTimerFires::RuleId).big_integer().not_null())
        .col(ColumnDef::new(RuleTimerFires::TicketId).big_integer().not_null())
        .col(timestamp(RuleTimerFires::AnchorAt))
        .col(timestamp(RuleTimerFires::FiredAt))
        .foreign_key(&mut fk(
            "fk_rule_timer_fires_rule_id",
            RuleTimerFires::Table,
            RuleTimerFires::RuleId,
            Rules::Table,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_rule_timer_fires_ticket_id",
            RuleTimerFires::Table,
            RuleTimerFires::TicketId,
            Tickets::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn webhook_deliveries() -> TableCreateStatement {
    Table::create()
        .table(WebhookDeliveries::Table)
        .if_not_exists()
        .col(id(WebhookDeliveries::Id))
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
        .col(timestamp(WebhookDeliveries::NextAttemptAt))
        .col(ColumnDef::new(WebhookDeliveries::LeaseUntil).timestamp_with_time_zone())
        .col(ColumnDef::new(WebhookDeliveries::LastError).text())
        .col(timestamp(WebhookDeliveries::CreatedAt))
        .col(ColumnDef::new(WebhookDeliveries::DeliveredAt).timestamp_with_time_zone())
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            Rules::Table,
            ColumnDef::new(Rules::IdleHours).integer().to_owned(),
        )
        .await?;
        manager.create_table(timer_fires()).await?;
        create_unique_index(
            manager,
            "ux_rule_timer_fires_claim",
            RuleTimerFires::Table,
            [
                RuleTimerFires::RuleId,
                RuleTimerFires::TicketId,
                RuleTimerFires::AnchorAt,
            ],
        )
        .await?;
        manager.create_table(webhook_deliveries()).await?;
        create_index(
            manager,
            "ix_webhook_deliveries_due",
            WebhookDeliveries::Table,
            [WebhookDeliveries::Status, WebhookDeliveries::NextAttemptAt],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, WebhookDeliveries::Table).await?;
        drop_table(manager, RuleTimerFires::Table).await?;
        drop_column(manager, Rules::Table, Rules::IdleHours).await
    }
}
