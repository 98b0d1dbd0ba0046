//! Outbound mail: the transactional outbox (every mail written in the same transaction as the
//! change that caused it, sent later by a worker), admin-edited templates, runtime settings
//! (notification switches) and the customer's rating of a ticket.

use sea_orm_migration::prelude::*;

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
        .col(
            ColumnDef::new(OutboundMails::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
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
        .col(
            ColumnDef::new(OutboundMails::NextAttemptAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(OutboundMails::LockedUntil)
                .timestamp_with_time_zone()
                .null(),
        )
        .col(ColumnDef::new(OutboundMails::LastError).text().null())
        .col(ColumnDef::new(OutboundMails::Transport).string().null())
        .col(ColumnDef::new(OutboundMails::SentAt).timestamp_with_time_zone().null())
        .col(
            ColumnDef::new(OutboundMails::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned()
}

fn email_templates() -> TableCreateStatement {
    Table::create()
        .table(EmailTemplates::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(EmailTemplates::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(EmailTemplates::Event).string().not_null().unique_key())
        .col(ColumnDef::new(EmailTemplates::Subject).text().not_null())
        .col(ColumnDef::new(EmailTemplates::BodyText).text().not_null())
        .col(ColumnDef::new(EmailTemplates::BodyHtml).text().not_null())
        .col(
            ColumnDef::new(EmailTemplates::UpdatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned()
}

fn app_settings() -> TableCreateStatement {
    Table::create()
        .table(AppSettings::Table)
        .if_not_exists()
        .col(ColumnDef::new(AppSettings::Key).string().not_null().primary_key())
        .col(ColumnDef::new(AppSettings::Value).text().not_null())
        .col(
            ColumnDef::new(AppSettings::UpdatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(outbound_mails()).await?;
        // The sender's claim query: due mails in order.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbound_due")
                    .table(OutboundMails::Table)
                    .col(OutboundMails::Status)
                    .col(OutboundMails::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        // The loop caps count recent automatic mail per recipient.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbound_recipient")
                    .table(OutboundMails::Table)
                    .col(OutboundMails::Recipient)
                    .col(OutboundMails::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager.create_table(email_templates()).await?;
        manager.create_table(app_settings()).await?;
        // One column per ALTER: SQLite accepts a single ADD COLUMN per statement.
        for col in [
            ColumnDef::new(Tickets::Rating).string().null().to_owned(),
            ColumnDef::new(Tickets::RatedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(Tickets::Table).add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Tickets::Rating, Tickets::RatedAt] {
            manager
                .alter_table(Table::alter().table(Tickets::Table).drop_column(col).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(AppSettings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EmailTemplates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OutboundMails::Table).to_owned())
            .await
    }
}
