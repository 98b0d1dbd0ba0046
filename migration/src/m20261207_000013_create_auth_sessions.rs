//! Sessions that can be ended:
//! - `auth_sessions`: one row per sign-in (a refresh-token family). Only the refresh token
//!   whose `jti` is `current_jti` refreshes; presenting an older one means it was stolen and
//!   replayed, and ends the family. `expires_at` is the family's hard end (an autologin
//!   session ends with its link), `revoked_at` set when it was ended early.
//! - `users.session_epoch`: carried in every token; bumping it ends every session of the user
//!   at once, access tokens included (password changed or reset).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    SessionEpoch,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    Id,
    UserId,
    CurrentJti,
    OnlyTicket,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
    LastUsedAt,
}

fn sessions() -> TableCreateStatement {
    Table::create()
        .table(AuthSessions::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(AuthSessions::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(AuthSessions::UserId).big_integer().not_null())
        .col(ColumnDef::new(AuthSessions::CurrentJti).string().not_null())
        .col(ColumnDef::new(AuthSessions::OnlyTicket).big_integer())
        .col(
            ColumnDef::new(AuthSessions::ExpiresAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(AuthSessions::RevokedAt).timestamp_with_time_zone())
        .col(
            ColumnDef::new(AuthSessions::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(AuthSessions::LastUsedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_auth_sessions_user_id")
                .from(AuthSessions::Table, AuthSessions::UserId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::SessionEpoch).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        manager.create_table(sessions()).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_auth_sessions_user_id")
                    .table(AuthSessions::Table)
                    .col(AuthSessions::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthSessions::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::SessionEpoch)
                    .to_owned(),
            )
            .await
    }
}
