//! `CurrentUser`: the authenticated caller, as an extractor, so handlers never read headers.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use protocol::Role;
use sea_orm::EntityTrait;

use crate::auth::jwt::{self, TokenKind};
use crate::context::AppContext;
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub company_id: Option<i64>,
    /// A session from an autologin link: limited to this ticket.
    pub only_ticket: Option<i64>,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    pub fn require_staff(&self) -> Result<(), AppError> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(AppError::forbidden("agents and admins only"))
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::forbidden("admins only"))
        }
    }

    /// Loads the account behind a verified token. The account is read on every request so a
    /// deactivated user or a changed role takes effect at once, not at token expiry.
    pub async fn from_token(ctx: &AppContext, token: &str) -> Result<Self, AppError> {
        let (id, claims) = jwt::verify(ctx.keys(), token, TokenKind::Access)?;
        let user = entity::user::Entity::find_by_id(id)
            .one(ctx.db())
            .await?
            .filter(|u| u.is_active)
            .ok_or(AppError::Unauthorized)?;
        let role = Role::parse(&user.role).ok_or(AppError::Unauthorized)?;
        Ok(Self {
            id: user.id,
            email: user.email,
            name: user.name,
            role,
            company_id: user.company_id,
            only_ticket: claims.tkt,
        })
    }
}

/// The bearer token of a request, from the header (API) or `access_token` query (WebSocket and
/// downloads opened by the browser, which cannot set headers).
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    if let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned());
    }
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("access_token").cloned())
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ctx = req.app_data::<web::Data<AppContext>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let ctx = ctx.ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppContext missing")))?;
            let token = token.ok_or(AppError::Unauthorized)?;
            CurrentUser::from_token(&ctx, &token).await
        })
    }
}

/// The caller when a token is sent, `None` when none is. Unlike `Option<CurrentUser>`, a token
/// that is sent but expired or forged is an error (401 `token_expired` / `unauthorized`), not a
/// silent downgrade to an anonymous visitor — a client can refresh and see what it should.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl MaybeUser {
    pub fn as_ref(&self) -> Option<&CurrentUser> {
        self.0.as_ref()
    }
}

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ctx = req.app_data::<web::Data<AppContext>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let ctx = ctx.ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppContext missing")))?;
            match token.filter(|t| !t.is_empty()) {
                None => Ok(Self(None)),
                Some(token) => Ok(Self(Some(CurrentUser::from_token(&ctx, &token).await?))),
            }
        })
    }
}
