//! Screening of inbound mail (`mail::inbound::screen`): the SMTP envelope our receiver saw and
//! the findings kept with the journal entry, and when retention dropped its raw bytes; the findings kept with the message; each mailbox's
//! sender-authentication policy, the receiving hosts whose verdict it trusts, what a flagged
//! attachment does, and whether (and what more) it redacts.

use sea_orm_migration::prelude::*;

use crate::statements::{add_columns, drop_columns, timestamp_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InboundMails {
    Table,
    Envelope,
    Checks,
    RawPurgedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    MailChecks,
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    SenderPolicy,
    TrustedAuthHosts,
    MalwareAction,
    Redact,
    RedactPatterns,
}

fn text_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).text().null().to_owned()
}

fn word(name: impl IntoIden, default: &str) -> ColumnDef {
    ColumnDef::new(name).string().not_null().default(default).to_owned()
}

fn lines(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).text().not_null().default("").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let journal = [
            text_null(InboundMails::Envelope),
            text_null(InboundMails::Checks),
            timestamp_null(InboundMails::RawPurgedAt),
        ];
        add_columns(manager, InboundMails::Table, journal).await?;
        add_columns(manager, Messages::Table, [text_null(Messages::MailChecks)]).await?;
        let mailbox = [
            word(Mailboxes::SenderPolicy, "enforce"),
            lines(Mailboxes::TrustedAuthHosts),
            word(Mailboxes::MalwareAction, "strip"),
            ColumnDef::new(Mailboxes::Redact)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            lines(Mailboxes::RedactPatterns),
        ];
        add_columns(manager, Mailboxes::Table, mailbox).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mailbox = [
            Mailboxes::SenderPolicy,
            Mailboxes::TrustedAuthHosts,
            Mailboxes::MalwareAction,
            Mailboxes::Redact,
            Mailboxes::RedactPatterns,
        ];
        drop_columns(manager, Mailboxes::Table, mailbox).await?;
        drop_columns(manager, Messages::Table, [Messages::MailChecks]).await?;
        drop_columns(
            manager,
            InboundMails::Table,
            [InboundMails::Envelope, InboundMails::Checks, InboundMails::RawPurgedAt],
        )
        .await
    }
}
