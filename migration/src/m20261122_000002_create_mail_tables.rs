//! Inbound and outbound mail: mailboxes, the inbound journal (raw bytes kept before any source
//! is acknowledged), the addresses that bounced, and the mail columns of tickets and messages.
//!
//! Columns added to existing tables carry no foreign key: SQLite can only add a referencing
//! column in restricted forms, and these links are informational.

use sea_orm_migration::prelude::*;

use crate::statements::{add_columns, drop_columns, fk, id, index, timestamp, timestamp_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    Id,
    Name,
    Address,
    Enabled,
    ImapHost,
    ImapPort,
    ImapTls,
    ImapUsername,
    ImapPasswordEnc,
    ImapFolder,
    AfterImport,
    MoveToFolder,
    PollIntervalSecs,
    BatchSize,
    DefaultCategoryId,
    DefaultPriority,
    AcceptUnknown,
    AddRecipientsAsSubscribers,
    ReopenClosed,
    FollowupDays,
    MaxAttachmentBytes,
    BlockedAttachments,
    RateLimitCount,
    RateLimitMinutes,
    ExcludedText,
    WebhookSecretEnc,
    UidValidity,
    LastUid,
    LastFetchAt,
    LastError,
    ConsecutiveFailures,
    FetchedCount,
    FailedCount,
    DisabledAt,
    LeaseOwner,
    LeaseExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InboundMails {
    Table,
    Id,
    MailboxId,
    Source,
    IdempotencyKey,
    MessageId,
    RawSha256,
    Raw,
    Size,
    Status,
    Kind,
    Reason,
    Error,
    Attempts,
    TicketId,
    MessageRowId,
    ThreadRule,
    ImapUid,
    ImapUidValidity,
    ReceivedAt,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum EmailSuppressions {
    Table,
    Id,
    Email,
    Reason,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    ParentTicketId,
    MailboxId,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    EmailMessageId,
    InboundId,
    ThreadRule,
    FromEmail,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
}

#[allow(clippy::too_many_lines, reason = "a released migration is frozen as written")]
fn mailboxes() -> TableCreateStatement {
    Table::create()
        .table(Mailboxes::Table)
        .if_not_exists()
        .col(id(Mailboxes::Id))
        .col(ColumnDef::new(Mailboxes::Name).string().not_null())
        .col(ColumnDef::new(Mailboxes::Address).string().not_null().unique_key())
        .col(ColumnDef::new(Mailboxes::Enabled).boolean().not_null().default(true))
        .col(ColumnDef::new(Mailboxes::ImapHost).string().null())
        .col(ColumnDef::new(Mailboxes::ImapPort).integer().null())
        .col(
            ColumnDef::new(Mailboxes::ImapTls)
                .string()
                .not_null()
                .default("implicit"),
        )
        .col(ColumnDef::new(Mailboxes::ImapUsername).string().null())
        .col(ColumnDef::new(Mailboxes::ImapPasswordEnc).text().null())
        .col(
            ColumnDef::new(Mailboxes::ImapFolder)
                .string()
                .not_null()
                .default("INBOX"),
        )
        .col(
            ColumnDef::new(Mailboxes::AfterImport)
                .string()
                .not_null()
                .default("mark_read"),
        )
        .col(ColumnDef::new(Mailboxes::MoveToFolder).string().null())
        .col(
            ColumnDef::new(Mailboxes::PollIntervalSecs)
                .integer()
                .not_null()
                .default(60),
        )
        .col(ColumnDef::new(Mailboxes::BatchSize).integer().not_null().default(50))
        .col(ColumnDef::new(Mailboxes::DefaultCategoryId).big_integer().null())
        .col(
            ColumnDef::new(Mailboxes::DefaultPriority)
                .string()
                .not_null()
                .default("normal"),
        )
        .col(
            ColumnDef::new(Mailboxes::AcceptUnknown)
                .boolean()
                .not_null()
                .default(true),
        )
        .col(
            ColumnDef::new(Mailboxes::AddRecipientsAsSubscribers)
                .boolean()
                .not_null()
                .default(true),
        )
        .col(
            ColumnDef::new(Mailboxes::ReopenClosed)
                .boolean()
                .not_null()
                .default(true),
        )
        .col(ColumnDef::new(Mailboxes::FollowupDays).integer().null())
        .col(
            ColumnDef::new(Mailboxes::MaxAttachmentBytes)
                .big_integer()
                .not_null()
                .default(26_214_400i64),
        )
        .col(
            ColumnDef::new(Mailboxes::BlockedAttachments)
                .text()
                .not_null()
                .default(""),
        )
        .col(
            ColumnDef::new(Mailboxes::RateLimitCount)
                .integer()
                .not_null()
                .default(20),
        )
        .col(
            ColumnDef::new(Mailboxes::RateLimitMinutes)
                .integer()
                .not_null()
                .default(10),
        )
        .col(ColumnDef::new(Mailboxes::ExcludedText).text().not_null().default(""))
        .col(ColumnDef::new(Mailboxes::WebhookSecretEnc).text().null())
        .col(ColumnDef::new(Mailboxes::UidValidity).big_integer().null())
        .col(ColumnDef::new(Mailboxes::LastUid).big_integer().null())
        .col(timestamp_null(Mailboxes::LastFetchAt))
        .col(ColumnDef::new(Mailboxes::LastError).text().null())
        .col(
            ColumnDef::new(Mailboxes::ConsecutiveFailures)
                .integer()
                .not_null()
                .default(0),
        )
        .col(
            ColumnDef::new(Mailboxes::FetchedCount)
                .big_integer()
                .not_null()
                .default(0),
        )
        .col(
            ColumnDef::new(Mailboxes::FailedCount)
                .big_integer()
                .not_null()
                .default(0),
        )
        .col(timestamp_null(Mailboxes::DisabledAt))
        .col(ColumnDef::new(Mailboxes::LeaseOwner).string().null())
        .col(timestamp_null(Mailboxes::LeaseExpiresAt))
        .col(timestamp(Mailboxes::CreatedAt))
        .col(timestamp(Mailboxes::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_mailboxes_default_category_id",
            Mailboxes::Table,
            Mailboxes::DefaultCategoryId,
            Categories::Table,
            ForeignKeyAction::SetNull,
        ))
        .to_owned()
}

fn inbound_mails() -> TableCreateStatement {
    Table::create()
        .table(InboundMails::Table)
        .if_not_exists()
        .col(id(InboundMails::Id))
        .col(ColumnDef::new(InboundMails::MailboxId).big_integer().null())
        .col(ColumnDef::new(InboundMails::Source).string().not_null())
        .col(
            ColumnDef::new(InboundMails::IdempotencyKey)
                .string()
                .not_null()
                .unique_key(),
        )
        .col(ColumnDef::new(InboundMails::MessageId).text().null())
        .col(ColumnDef::new(InboundMails::RawSha256).string().not_null())
        .col(ColumnDef::new(InboundMails::Raw).blob().not_null())
        .col(ColumnDef::new(InboundMails::Size).big_integer().not_null())
        .col(ColumnDef::new(InboundMails::Status).string().not_null())
        .col(ColumnDef::new(InboundMails::Kind).string().null())
        .col(ColumnDef::new(InboundMails::Reason).text().null())
        .col(ColumnDef::new(InboundMails::Error).text().null())
        .col(ColumnDef::new(InboundMails::Attempts).integer().not_null().default(0))
        .col(ColumnDef::new(InboundMails::TicketId).big_integer().null())
        .col(ColumnDef::new(InboundMails::MessageRowId).big_integer().null())
        .col(ColumnDef::new(InboundMails::ThreadRule).string().null())
        .col(ColumnDef::new(InboundMails::ImapUid).big_integer().null())
        .col(ColumnDef::new(InboundMails::ImapUidValidity).big_integer().null())
        .col(timestamp(InboundMails::ReceivedAt))
        .col(timestamp_null(InboundMails::ProcessedAt))
        .foreign_key(&mut fk(
            "fk_inbound_mails_mailbox_id",
            InboundMails::Table,
            InboundMails::MailboxId,
            Mailboxes::Table,
            ForeignKeyAction::SetNull,
        ))
        .to_owned()
}

fn email_suppressions() -> TableCreateStatement {
    Table::create()
        .table(EmailSuppressions::Table)
        .if_not_exists()
        .col(id(EmailSuppressions::Id))
        .col(
            ColumnDef::new(EmailSuppressions::Email)
                .string()
                .not_null()
                .unique_key(),
        )
        .col(ColumnDef::new(EmailSuppressions::Reason).text().not_null())
        .col(timestamp(EmailSuppressions::CreatedAt))
        .col(timestamp(EmailSuppressions::ExpiresAt))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(mailboxes()).await?;
        manager.create_table(inbound_mails()).await?;
        manager.create_table(email_suppressions()).await?;
        let ticket_columns = [
            ColumnDef::new(Tickets::ParentTicketId).big_integer().null().to_owned(),
            ColumnDef::new(Tickets::MailboxId).big_integer().null().to_owned(),
        ];
        add_columns(manager, Tickets::Table, ticket_columns).await?;
        let message_columns = [
            ColumnDef::new(Messages::EmailMessageId).text().null().to_owned(),
            ColumnDef::new(Messages::InboundId).big_integer().null().to_owned(),
            ColumnDef::new(Messages::ThreadRule).string().null().to_owned(),
            ColumnDef::new(Messages::FromEmail).string().null().to_owned(),
        ];
        add_columns(manager, Messages::Table, message_columns).await?;
        for index in [
            index("idx_inbound_mails_status", InboundMails::Table, InboundMails::Status),
            index(
                "idx_inbound_mails_mailbox_id",
                InboundMails::Table,
                InboundMails::MailboxId,
            ),
            index(
                "idx_inbound_mails_message_id",
                InboundMails::Table,
                InboundMails::MessageId,
            ),
            index(
                "idx_messages_email_message_id",
                Messages::Table,
                Messages::EmailMessageId,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_messages_email_message_id")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        let message_columns = [
            Messages::FromEmail,
            Messages::ThreadRule,
            Messages::InboundId,
            Messages::EmailMessageId,
        ];
        drop_columns(manager, Messages::Table, message_columns).await?;
        drop_columns(manager, Tickets::Table, [Tickets::MailboxId, Tickets::ParentTicketId]).await?;
        for t in ["email_suppressions", "inbound_mails", "mailboxes"] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
