//! Sessions that can be ended. Each sign-in is a row in `auth_sessions` (a refresh-token
//! family): refreshing rotates its one valid refresh token, a replayed older one ends the whole
//! family (whoever stole it and the owner both sign in again), logout ends it, and raising the
//! user's `session_epoch` ends every session of the user, access tokens included.

use chrono::{DateTime, TimeZone, Utc};
use entity::{auth_session, user};
use protocol::TokenResponse;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::auth::jwt::{self, Claims, TokenKind};
use crate::context::AppContext;
use crate::directory::users::to_dto;
use crate::error::{AppError, AppResult};

/// Opens a session for `user`. `only_ticket` limits it to one ticket and `ends_at` caps its
/// life (autologin: the link's own expiry); otherwise it lasts `auth.refresh_ttl_secs`.
pub async fn open(
    ctx: &AppContext,
    user: user::Model,
    only_ticket: Option<i64>,
    ends_at: Option<DateTime<Utc>>,
) -> AppResult<TokenResponse> {
    let now = Utc::now();
    let longest = now + chrono::Duration::seconds(ctx.settings().auth.refresh_ttl_secs);
    let expires_at = ends_at.map_or(longest, |end| end.min(longest));
    if expires_at <= now {
        return Err(AppError::Unauthorized);
    }
    // The user's dead sessions go as a new one starts, so the table holds live ones only.
    auth_session::Entity::delete_many()
        .filter(auth_session::Column::UserId.eq(user.id))
        .filter(
            sea_orm::Condition::any()
                .add(auth_session::Column::ExpiresAt.lte(now))
                .add(auth_session::Column::RevokedAt.is_not_null()),
        )
        .exec(ctx.db())
        .await?;
    let jti = new_jti();
    let row = auth_session::ActiveModel {
        user_id: Set(user.id),
        current_jti: Set(jti.clone()),
        only_ticket: Set(only_ticket),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        created_at: Set(now),
        last_used_at: Set(now),
        ..Default::default()
    }
    .insert(ctx.db())
    .await?;
    tracing::info!(user = user.id, session = row.id, "session opened");
    tokens(ctx, user, &row, jti)
}

/// Trades a refresh token for a new pair, rotating the family's refresh token. The rotation is
/// one conditional update, so of two uses of the same token exactly one wins; the loser (or
/// anyone presenting a token that was already rotated away) ends the family.
pub async fn refresh(ctx: &AppContext, refresh_token: &str) -> AppResult<TokenResponse> {
    let (user_id, claims) = jwt::verify(ctx.keys(), refresh_token, TokenKind::Refresh)?;
    let (Some(sid), Some(jti)) = (claims.sid, claims.jti.clone()) else {
        return Err(AppError::Unauthorized);
    };
    let db = ctx.db();
    let session = auth_session::Entity::find_by_id(sid)
        .one(db)
        .await?
        .filter(|s| s.user_id == user_id && s.revoked_at.is_none() && s.expires_at > Utc::now())
        .ok_or(AppError::Unauthorized)?;
    let next = new_jti();
    let rotated = auth_session::Entity::update_many()
        .col_expr(auth_session::Column::CurrentJti, Expr::value(next.clone()))
        .col_expr(auth_session::Column::LastUsedAt, Expr::value(Utc::now()))
        .filter(auth_session::Column::Id.eq(sid))
        .filter(auth_session::Column::CurrentJti.eq(jti))
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    if rotated == 0 {
        tracing::warn!(
            user = user_id,
            session = sid,
            "refresh token reused; ending its session"
        );
        revoke(db, auth_session::Column::Id.eq(sid)).await?;
        return Err(AppError::Unauthorized);
    }
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.is_active && u.session_epoch == claims.ep)
        .ok_or(AppError::Unauthorized)?;
    let session = auth_session::Model {
        current_jti: next.clone(),
        ..session
    };
    tokens(ctx, user, &session, next)
}

/// Ends the session a refresh token belongs to (logout). A token that does not verify ends
/// nothing and says nothing: logging out twice is not an error.
pub async fn end(ctx: &AppContext, refresh_token: &str) -> AppResult<()> {
    let Ok((user_id, claims)) = jwt::verify(ctx.keys(), refresh_token, TokenKind::Refresh) else {
        return Ok(());
    };
    if let Some(sid) = claims.sid {
        // Scoped: its `min`/`max` would shadow `Ord`'s on numbers and dates elsewhere here.
        use sea_orm::sea_query::ExprTrait as _;
        revoke(
            ctx.db(),
            auth_session::Column::Id
                .eq(sid)
                .and(auth_session::Column::UserId.eq(user_id)),
        )
        .await?;
        tracing::info!(user = user_id, session = sid, "session ended");
    }
    Ok(())
}

/// Ends every session of the user: their refresh families are revoked and the epoch every
/// access token carries moves on, so the tokens already handed out stop working at once.
/// Run it in the transaction that changes what the sessions were based on (the password).
pub async fn end_all(db: &impl ConnectionTrait, user_id: i64) -> AppResult<()> {
    use sea_orm::sea_query::ExprTrait as _;
    user::Entity::update_many()
        .col_expr(user::Column::SessionEpoch, Expr::col(user::Column::SessionEpoch).add(1))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    revoke(db, auth_session::Column::UserId.eq(user_id)).await?;
    tracing::info!(user = user_id, "every session ended");
    Ok(())
}

async fn revoke(db: &impl ConnectionTrait, which: sea_orm::sea_query::SimpleExpr) -> AppResult<()> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .filter(which)
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The token pair of `session`, whose valid refresh token is `jti`. Neither token outlives the
/// session.
fn tokens(ctx: &AppContext, user: user::Model, session: &auth_session::Model, jti: String) -> AppResult<TokenResponse> {
    let auth = &ctx.settings().auth;
    let role = user.role;
    let left = (session.expires_at - Utc::now()).num_seconds().max(1);
    let access_ttl = auth.access_ttl_secs.min(left);
    let mut access = Claims::new(user.id, role, TokenKind::Access, access_ttl);
    access.tkt = session.only_ticket;
    access.ep = user.session_epoch;
    let mut refresh = Claims::new(user.id, role, TokenKind::Refresh, left);
    refresh.tkt = session.only_ticket;
    refresh.ep = user.session_epoch;
    refresh.sid = Some(session.id);
    refresh.jti = Some(jti);
    Ok(TokenResponse {
        access_token: jwt::sign(ctx.keys(), &access)?,
        refresh_token: jwt::sign(ctx.keys(), &refresh)?,
        token_type: "Bearer".into(),
        expires_in: access_ttl,
        user: to_dto(user),
    })
}

/// 128 random bits, hex.
fn new_jti() -> String {
    use rand::Rng;
    hex::encode(rand::rng().random::<[u8; 16]>())
}

/// A Unix time as a timestamp (for a link's `exp`); `None` when out of range.
pub fn at_unix(secs: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0).single()
}
