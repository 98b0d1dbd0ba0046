//! Sign-in with a password, throttled per account and per client address, and the password
//! checks that guard changing one.

use std::time::Duration;

use protocol::{LoginRequest, TokenResponse};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::password;
use crate::auth::sessions;
use crate::auth::throttle::{Admission, Policy};
use crate::context::AppContext;
use crate::error::{AppError, AppResult};

pub async fn login(ctx: &AppContext, req: &LoginRequest, client_ip: &str) -> AppResult<TokenResponse> {
    let email = req.email.trim().to_lowercase();
    let account_key = account_key(&email);
    let ip_key = format!("login:ip:{client_ip}");
    let (per_account, per_ip) = policies(ctx);
    admit(ctx, &[(&ip_key, per_ip), (&account_key, per_account)]).await?;
    let user = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(email.clone()))
        .one(ctx.db())
        .await?;
    // Same work whether or not the account exists, so response time does not reveal which do.
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_owned());
    let ok = password::verify_blocking(req.password.clone(), hash).await?
        && user.as_ref().is_some_and(|u| u.password_hash.is_some());
    let user = match user {
        Some(u) if ok && u.is_active => u,
        // The attempt was counted when it was admitted.
        _ => return Err(AppError::InvalidCredentials),
    };
    forget(ctx, &account_key).await;
    // A client address is shared (offices, proxies): a success there is not a guess.
    if let Err(e) = ctx.attempts().give_back(&ip_key).await {
        tracing::warn!(error = %e, "could not un-count a successful login");
    }
    sessions::open(ctx, user, None, None).await
}

/// Checks the signed-in user's current password (before changing it), throttled like a
/// sign-in of that account: a stolen session must not become a password oracle.
pub async fn check_current_password(ctx: &AppContext, user: &entity::user::Model, given: &str) -> AppResult<()> {
    let key = account_key(&user.email);
    admit(ctx, &[(&key, policies(ctx).0)]).await?;
    let Some(hash) = user.password_hash.clone() else {
        return Err(AppError::InvalidCredentials);
    };
    if !password::verify_blocking(given.to_owned(), hash).await? {
        return Err(AppError::InvalidCredentials);
    }
    forget(ctx, &key).await;
    Ok(())
}

fn account_key(email: &str) -> String {
    format!("login:account:{email}")
}

fn policies(ctx: &AppContext) -> (Policy, Policy) {
    let auth = &ctx.settings().auth;
    let policy = |free| Policy {
        free,
        window: Duration::from_secs(auth.login_window_secs),
        base_delay: Duration::from_millis(auth.login_base_delay_ms),
        max_delay: Duration::from_millis(auth.login_max_delay_ms),
    };
    (
        policy(auth.login_max_failures_per_account),
        policy(auth.login_max_failures_per_ip),
    )
}

/// Admits one attempt under every key, or none: a refusal gives back what was counted before.
async fn admit(ctx: &AppContext, keys: &[(&str, Policy)]) -> AppResult<()> {
    let counter = ctx.attempts();
    for (i, (key, policy)) in keys.iter().enumerate() {
        match counter.admit(key, policy).await {
            Ok(Admission::Admitted) => {}
            Ok(Admission::RetryAfter(wait)) => {
                tracing::warn!(key, wait_ms = wait.as_millis() as u64, "attempt throttled");
                for (earlier, _) in &keys[..i] {
                    if let Err(e) = counter.give_back(earlier).await {
                        tracing::warn!(error = %e, "could not un-count a throttled attempt");
                    }
                }
                return Err(AppError::RetryAfter(wait));
            }
            // Availability over strictness: a Redis outage must not lock everyone out.
            Err(e) => tracing::warn!(error = %e, "attempt counter unavailable; not throttling"),
        }
    }
    Ok(())
}

async fn forget(ctx: &AppContext, key: &str) {
    if let Err(e) = ctx.attempts().reset(key).await {
        tracing::warn!(error = %e, "could not reset the attempt counter");
    }
}

/// An Argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zt4CkNnNjQKk4Zyv0lP0uMfYvKRVqKEKDTzZDh7n0XE";
