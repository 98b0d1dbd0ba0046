//! Outbound mail: the transactional outbox (every mail written in the same transaction as the
//! change that caused it, sent later by a worker), admin-edited templates, runtime settings
//! (notification switches) and the customer's rating of a ticket.

use sea_orm_migration::prelude::*;

use crate::statements::{add_columns, create_index, drop_columns, drop_table, id, timestamp, timestamp_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboundMails {
    Table,
    Id,
    TicketId,
    MessageRowId,
    Template,
    Automatic,
    Recipient,
    Recipients,
    Cc,
    MailFrom,
    MessageId,
    Subject,
    Raw,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    Transport,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailTemplates {
    Table,
    Id,
    Event,
    Subject,
    BodyText,
    BodyHtml,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppSettings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Rating,
    RatedAt,
}

fn outbound_mails() -> TableCreateStatement {
    Table::create()
        .table(OutboundMails::Table)
        .if_not_exists()
        .col(id(OutboundMails::Id))
        .col(ColumnDef::new(OutboundMails::TicketId).big_integer().null())
        .col(ColumnDef::new(OutboundMails::MessageRowId).big_integer().null())
        .col(ColumnDef::new(OutboundMails::Template).string().not_null())
        .col(ColumnDef::new(OutboundMails::Automatic).boolean().not_null())
        .col(ColumnDef::new(OutboundMails::Recipient).string().not_null())
        .col(ColumnDef::new(OutboundMails::Recipients).text().not_null())
        .col(ColumnDef::new(OutboundMails::Cc).text().not_null())
        .col(ColumnDef::new(OutboundMails::MailFrom).string().not_null())
        .col(
            ColumnDef::new(OutboundMails::MessageId)
                .string()
                .not_null()
                .unique_key(),
        )
        .col(ColumnDef::new(OutboundMails::Subject).text().not_null())
        .col(ColumnDef::new(OutboundMails::Raw).blob().not_null())
        .col(ColumnDef::new(OutboundMails::Status).string().not_null())
        .col(ColumnDef::new(OutboundMails::Attempts).integer().not_null().default(0))
        .col(timestamp(OutboundMails::NextAttemptAt))
        .col(timestamp_null(OutboundMails::LockedUntil))
        .col(ColumnDef::new(OutboundMails::LastError).text().null())
        .col(ColumnDef::new(OutboundMails::Transport).string().null())
        .col(timestamp_null(OutboundMails::SentAt))
        .col(timestamp(OutboundMails::CreatedAt))
        .to_owned()
}

fn email_templates() -> TableCreateStatement {
    Table::create()
        .table(EmailTemplates::Table)
        .if_not_exists()
        .col(id(EmailTemplates::Id))
        .col(ColumnDef::new(EmailTemplates::Event).string().not_null().unique_key())
        .col(ColumnDef::new(EmailTemplates::Subject).text().not_null())
        .col(ColumnDef::new(EmailTemplates::BodyText).text().not_null())
        .col(ColumnDef::new(EmailTemplates::BodyHtml).text().not_null())
        .col(timestamp(EmailTemplates::UpdatedAt))
        .to_owned()
}

fn app_settings() -> TableCreateStatement {
    Table::create()
        .table(AppSettings::Table)
        .if_not_exists()
        .col(ColumnDef::new(AppSettings::Key).string().not_null().primary_key())
        .col(ColumnDef::new(AppSettings::Value).text().not_null())
        .col(timestamp(AppSettings::UpdatedAt))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(outbound_mails()).await?;
        // The sender's claim query: due mails in order.
        let due = [OutboundMails::Status, OutboundMails::NextAttemptAt];
        create_index(manager, "idx_outbound_due", OutboundMails::Table, due).await?;
        // The loop caps count recent automatic mail per recipient.
        let recipient = [OutboundMails::Recipient, OutboundMails::CreatedAt];
        create_index(manager, "idx_outbound_recipient", OutboundMails::Table, recipient).await?;
        manager.create_table(email_templates()).await?;
        manager.create_table(app_settings()).await?;
        let rating = [
            ColumnDef::new(Tickets::Rating).string().null().to_owned(),
            timestamp_null(Tickets::RatedAt),
        ];
        add_columns(manager, Tickets::Table, rating).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(manager, Tickets::Table, [Tickets::Rating, Tickets::RatedAt]).await?;
        drop_table(manager, AppSettings::Table).await?;
        drop_table(manager, EmailTemplates::Table).await?;
        drop_table(manager, OutboundMails::Table).await
    }
}
