//! Sign-in and token refresh, with throttling per account and per client address.

use std::time::Duration;

use protocol::{LoginRequest, Role, TokenResponse};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::jwt::{self, TokenKind};
use crate::auth::password;
use crate::context::AppContext;
use crate::directory::users::to_dto;
use crate::error::{AppError, AppResult};

pub async fn login(ctx: &AppContext, req: &LoginRequest, client_ip: &str) -> AppResult<TokenResponse> {
    let email = req.email.trim().to_lowercase();
    let auth = &ctx.settings().auth;
    let window = Duration::from_secs(auth.login_window_secs);
    let account_key = format!("login:account:{email}");
    let ip_key = format!("login:ip:{client_ip}");
    if over_limit(ctx, &account_key, auth.login_max_failures_per_account).await
        || over_limit(ctx, &ip_key, auth.login_max_failures_per_ip).await
    {
        tracing::warn!(%email, client_ip, "login throttled");
        return Err(AppError::TooManyRequests);
    }
    let user = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(email.clone()))
        .one(ctx.db())
        .await?;
    let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => password::verify(&req.password, hash),
        None => {
            // Same work as a real check, so response time does not reveal which accounts exist.
            password::verify(&req.password, DUMMY_HASH);
            false
        }
    };
    let user = match user {
        Some(u) if ok && u.is_active => u,
        _ => {
            for key in [&account_key, &ip_key] {
                if let Err(e) = ctx.attempts().record(key, window).await {
                    tracing::warn!(error = %e, "could not record a failed login");
                }
            }
            return Err(AppError::InvalidCredentials);
        }
    };
    if let Err(e) = ctx.attempts().reset(&account_key).await {
        tracing::warn!(error = %e, "could not reset the login counter");
    }
    tokens_for(ctx, user, None)
}

pub async fn refresh(ctx: &AppContext, refresh_token: &str) -> AppResult<TokenResponse> {
    let (id, claims) = jwt::verify(ctx.keys(), refresh_token, TokenKind::Refresh)?;
    let user = entity::user::Entity::find_by_id(id)
        .one(ctx.db())
        .await?
        .filter(|u| u.is_active)
        .ok_or(AppError::Unauthorized)?;
    // A limited (autologin) session stays limited when refreshed.
    tokens_for(ctx, user, claims.tkt)
}

/// A session for `user`; `only_ticket` limits it to one ticket (autologin links).
pub fn tokens_for(ctx: &AppContext, user: entity::user::Model, only_ticket: Option<i64>) -> AppResult<TokenResponse> {
    let auth = &ctx.settings().auth;
    let role = Role::parse(&user.role).ok_or(AppError::Unauthorized)?;
    let keys = ctx.keys();
    Ok(TokenResponse {
        access_token: jwt::issue_limited(
            keys,
            user.id,
            role,
            TokenKind::Access,
            auth.access_ttl_secs,
            only_ticket,
        )?,
        refresh_token: jwt::issue_limited(
            keys,
            user.id,
            role,
            TokenKind::Refresh,
            auth.refresh_ttl_secs,
            only_ticket,
        )?,
        token_type: "Bearer".into(),
        expires_in: auth.access_ttl_secs,
        user: to_dto(user),
    })
}

async fn over_limit(ctx: &AppContext, key: &str, max: u32) -> bool {
    match ctx.attempts().count(key).await {
        Ok(n) => n >= max,
        Err(e) => {
            // Availability over strictness: a Redis outage must not lock everyone out.
            tracing::warn!(error = %e, "login counter unavailable; not throttling");
            false
        }
    }
}

/// An Argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zt4CkNnNjQKk4Zyv0lP0uMfYvKRVqKEKDTzZDh7n0XE";
