//! Passwords changed by their owner or reset by an admin. Either way every session of the
//! account ends: whoever knew the old password (or held a session from it) is out.

use chrono::Utc;
use entity::user;
use protocol::{ChangePassword, SetPassword, TokenResponse};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::auth::{CurrentUser, login, password, sessions};
use crate::context::AppContext;
use crate::error::{AppError, AppResult};

/// The caller's own password (the first admin replaces the printed one-time password this
/// way). Answers with a fresh session, since the caller's own ended too.
pub async fn change_own(ctx: &AppContext, caller: &CurrentUser, req: &ChangePassword) -> AppResult<TokenResponse> {
    if caller.only_ticket.is_some() {
        return Err(AppError::forbidden(
            "a session opened by a link cannot change the password",
        ));
    }
    let account = user::Entity::find_by_id(caller.id)
        .one(ctx.db())
        .await?
        .ok_or(AppError::Unauthorized)?;
    login::check_current_password(ctx, &account, &req.current_password).await?;
    set(ctx, account.id, &req.new_password).await?;
    let account = user::Entity::find_by_id(caller.id)
        .one(ctx.db())
        .await?
        .ok_or(AppError::Unauthorized)?;
    sessions::open(ctx, account, None, None).await
}

/// An admin sets `user_id`'s password.
pub async fn reset(ctx: &AppContext, admin: &CurrentUser, user_id: i64, req: &SetPassword) -> AppResult<()> {
    admin.require_admin()?;
    // Otherwise a stolen admin access token could take the account over for good, without the
    // current password that changing one's own asks for.
    if user_id == admin.id {
        return Err(AppError::forbidden(
            "your own password is changed with POST /auth/password, which asks for the current one",
        ));
    }
    user::Entity::find_by_id(user_id)
        .one(ctx.db())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    set(ctx, user_id, &req.password).await?;
    tracing::info!(admin = admin.id, user = user_id, "password reset by an admin");
    Ok(())
}

/// Stores the new hash and ends every session, in one transaction: no token from before the
/// change survives it, and no change happens without that.
async fn set(ctx: &AppContext, user_id: i64, new_password: &str) -> AppResult<()> {
    let hash = password::hash_blocking(new_password.to_owned()).await?;
    let txn = ctx.db().begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(Some(hash)))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    sessions::end_all(&txn, user_id).await?;
    txn.commit().await?;
    Ok(())
}
