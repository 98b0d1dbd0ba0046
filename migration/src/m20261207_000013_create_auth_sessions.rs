//! Sessions that can be ended:
//! - `auth_sessions`: one row per sign-in (a refresh-token family). Only the refresh token
//!   whose `jti` is `current_jti` refreshes; presenting an older one means it was stolen and
//!   replayed, and ends the family. `expires_at` is the family's hard end (an autologin
//!   session ends with its link), `revoked_at` set when it was ended early.
//! - `users.session_epoch`: carried in every token; bumping it ends every session of the user
//!   at once, access tokens included (password changed or reset).

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, create_index, drop_column, drop_table, fk, id, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let epoch = ColumnDef::new(Users::SessionEpoch)
            .big_integer()
            .not_null()
            .default(0)
            .to_owned();
        add_column(manager, Users::Table, epoch).await?;
        manager.create_table(sessions()).await?;
        create_index(
            manager,
            "idx_auth_sessions_user_id",
            AuthSessions::Table,
            [AuthSessions::UserId],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, AuthSessions::Table).await?;
        drop_column(manager, Users::Table, Users::SessionEpoch).await
    }
}

fn sessions() -> TableCreateStatement {
    Table::create()
        .table(AuthSessions::Table)
        .if_not_exists()
        .col(id(AuthSessions::Id))
        .col(ColumnDef::new(AuthSessions::UserId).big_integer().not_null())
        .col(ColumnDef::new(AuthSessions::CurrentJti).string().not_null())
        .col(ColumnDef::new(AuthSessions::OnlyTicket).big_integer())
        .col(timestamp(AuthSessions::ExpiresAt))
        .col(ColumnDef::new(AuthSessions::RevokedAt).timestamp_with_time_zone())
        .col(timestamp(AuthSessions::CreatedAt))
        .col(timestamp(AuthSessions::LastUsedAt))
        .foreign_key(&mut fk(
            "fk_auth_sessions_user_id",
            AuthSessions::Table,
            AuthSessions::UserId,
            Users::Table,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}
