//! OAuth2 mailboxes (`mail::oauth`): which SASL mechanism a mailbox signs in to IMAP/POP3 and
//! SMTP with, whether it sends through Microsoft Graph and where its Graph delta sync stands;
//! its OAuth application and grant (`mailbox_oauth`, one per mailbox, secrets encrypted); and the
//! pending authorization requests (`oauth_states`: single-use, bound to the admin who started
//! them and to their browser).

use sea_orm_migration::prelude::*;

use crate::statements::{add_columns, drop_columns, drop_table, timestamp, unnamed_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    ImapAuth,
    SmtpAuth,
    GraphSend,
    GraphDeltaLink,
}

#[derive(DeriveIden)]
enum MailboxOauth {
    Table,
    MailboxId,
    Provider,
    Tenant,
    ClientId,
    ClientSecretEnc,
    Issuer,
    Scopes,
    Account,
    RefreshTokenEnc,
    AccessTokenEnc,
    AccessExpiresAt,
    Status,
    LastError,
    ConnectedAt,
    RefreshedAt,
    RefreshOwner,
    RefreshLeaseUntil,
    AlertedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OauthStates {
    Table,
    StateHash,
    MailboxId,
    UserId,
    SessionEpoch,
    BrowserHash,
    VerifierEnc,
    RedirectUri,
    ExpiresAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(manager, Mailboxes::Table, mailbox_columns()).await?;
        manager.create_table(mailbox_oauth()).await?;
        manager.create_table(oauth_states()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, OauthStates::Table).await?;
        drop_table(manager, MailboxOauth::Table).await?;
        let columns = [
            Mailboxes::ImapAuth,
            Mailboxes::SmtpAuth,
            Mailboxes::GraphSend,
            Mailboxes::GraphDeltaLink,
        ];
        drop_columns(manager, Mailboxes::Table, columns).await
    }
}

/// The new `mailboxes` columns, one ALTER each.
fn mailbox_columns() -> [ColumnDef; 4] {
    [
        ColumnDef::new(Mailboxes::ImapAuth)
            .text()
            .not_null()
            .default("password")
            .to_owned(),
        ColumnDef::new(Mailboxes::SmtpAuth)
            .text()
            .not_null()
            .default("password")
            .to_owned(),
        ColumnDef::new(Mailboxes::GraphSend)
            .boolean()
            .not_null()
            .default(false)
            .to_owned(),
        ColumnDef::new(Mailboxes::GraphDeltaLink).text().to_owned(),
    ]
}

fn mailbox_oauth() -> TableCreateStatement {
    Table::create()
        .table(MailboxOauth::Table)
        .col(
            ColumnDef::new(MailboxOauth::MailboxId)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(MailboxOauth::Provider).text().not_null())
        .col(ColumnDef::new(MailboxOauth::Tenant).text())
        .col(ColumnDef::new(MailboxOauth::ClientId).text().not_null())
        .col(ColumnDef::new(MailboxOauth::ClientSecretEnc).text())
        .col(ColumnDef::new(MailboxOauth::Issuer).text())
        .col(ColumnDef::new(MailboxOauth::Scopes).text().not_null().default(""))
        .col(ColumnDef::new(MailboxOauth::Account).text())
        .col(ColumnDef::new(MailboxOauth::RefreshTokenEnc).text())
        .col(ColumnDef::new(MailboxOauth::AccessTokenEnc).text())
        .col(ColumnDef::new(MailboxOauth::AccessExpiresAt).timestamp_with_time_zone())
        .col(
            ColumnDef::new(MailboxOauth::Status)
                .text()
                .not_null()
                .default("not_connected"),
        )
        .col(ColumnDef::new(MailboxOauth::LastError).text())
        .col(ColumnDef::new(MailboxOauth::ConnectedAt).timestamp_with_time_zone())
        .col(ColumnDef::new(MailboxOauth::RefreshedAt).timestamp_with_time_zone())
        .col(ColumnDef::new(MailboxOauth::RefreshOwner).text())
        .col(ColumnDef::new(MailboxOauth::RefreshLeaseUntil).timestamp_with_time_zone())
        .col(ColumnDef::new(MailboxOauth::AlertedAt).timestamp_with_time_zone())
        .col(timestamp(MailboxOauth::UpdatedAt))
        .foreign_key(&mut unnamed_fk(
            MailboxOauth::Table,
            MailboxOauth::MailboxId,
            Mailboxes::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn oauth_states() -> TableCreateStatement {
    Table::create()
        .table(OauthStates::Table)
        .col(ColumnDef::new(OauthStates::StateHash).text().not_null().primary_key())
        .col(ColumnDef::new(OauthStates::MailboxId).big_integer().not_null())
        .col(ColumnDef::new(OauthStates::UserId).big_integer().not_null())
        .col(ColumnDef::new(OauthStates::SessionEpoch).big_integer().not_null())
        .col(ColumnDef::new(OauthStates::BrowserHash).text().not_null())
        .col(ColumnDef::new(OauthStates::VerifierEnc).text().not_null())
        .col(ColumnDef::new(OauthStates::RedirectUri).text().not_null())
        .col(timestamp(OauthStates::ExpiresAt))
        .col(timestamp(OauthStates::CreatedAt))
        .foreign_key(&mut unnamed_fk(
            OauthStates::Table,
            OauthStates::MailboxId,
            Mailboxes::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}
