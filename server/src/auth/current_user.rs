//! `CurrentUser`: the authenticated caller, as an extractor, so handlers never read headers.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use protocol::Role;
use sea_orm::EntityTrait;

use crate::auth::jwt::{self, TokenKind};
use crate::auth::url_tickets;
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
    /// The user's session epoch the credential was issued in (see `auth::sessions`).
    pub session_epoch: i64,
    /// When the credential this caller presented expires (Unix seconds): a WebSocket opened
    /// with it closes then.
    pub session_ends: i64,
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
    /// deactivated user, a changed role or ended sessions take effect at once, not at token
    /// expiry.
    pub async fn from_token(ctx: &AppContext, token: &str) -> Result<Self, AppError> {
        let (id, claims) = jwt::verify(ctx.keys(), token, TokenKind::Access)?;
        Self::load(ctx, id, claims.ep, claims.tkt, claims.exp).await
    }

    /// The account `id` for a credential of session epoch `epoch`, limited to `only_ticket`,
    /// valid until `ends` (Unix seconds).
    pub async fn load(
        ctx: &AppContext,
        id: i64,
        epoch: i64,
        only_ticket: Option<i64>,
        ends: i64,
    ) -> Result<Self, AppError> {
        let user = entity::user::Entity::find_by_id(id)
            .one(ctx.db())
            .await?
            .filter(|u| u.is_active && u.session_epoch == epoch)
            .ok_or(AppError::Unauthorized)?;
        Ok(Self {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            company_id: user.company_id,
            only_ticket,
            session_epoch: user.session_epoch,
            session_ends: ends,
        })
    }

    /// Whether this caller would still be let in as who they were: the account is active, its
    /// sessions were not ended and its role is the same (for long-lived connections).
    pub async fn still_valid(&self, ctx: &AppContext) -> Result<bool, AppError> {
        let now = entity::user::Entity::find_by_id(self.id).one(ctx.db()).await?;
        Ok(now.is_some_and(|u| u.is_active && u.session_epoch == self.session_epoch && u.role == self.role))
    }
}

/// The bearer token of a request, from the `Authorization` header only: a token in a URL
/// leaks into logs, history and `Referer` headers. URLs a browser opens itself carry a
/// one-time ticket instead (see [`TicketedUser`]).
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let value = value.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// The `ticket` query parameter, if any.
fn url_ticket(req: &HttpRequest) -> Option<String> {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("ticket").cloned())
}

/// The caller of a URL a browser opens itself (the WebSocket, downloads, inline images): by
/// the `Authorization` header when there is one, else by a one-time `?ticket=` from
/// `POST /auth/ticket`. Only the routes that need it take this extractor.
#[derive(Debug, Clone)]
pub struct TicketedUser(pub CurrentUser);

/// What every extractor here returns: boxed, because the checks read the database.
type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

/// The part every extractor here shares: the app context and the bearer token are read from the
/// request before the future starts (it cannot borrow the request), then `then` decides.
fn with_token<T, Fut>(
    req: &HttpRequest,
    then: impl FnOnce(web::Data<AppContext>, Option<String>) -> Fut + 'static,
) -> Extracted<T>
where
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let ctx = req.app_data::<web::Data<AppContext>>().cloned();
    let token = bearer_token(req);
    Box::pin(async move {
        let ctx = ctx.ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppContext missing")))?;
        then(ctx, token).await
    })
}

impl FromRequest for TicketedUser {
    type Error = AppError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ticket = url_ticket(req);
        with_token(req, |ctx, token| async move {
            match (token, ticket) {
                (Some(token), _) => CurrentUser::from_token(&ctx, &token).await.map(Self),
                (None, Some(ticket)) => url_tickets::redeem(&ctx, &ticket).await.map(Self),
                (None, None) => Err(AppError::Unauthorized),
            }
        })
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_token(req, |ctx, token| async move {
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
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_token(req, |ctx, token| async move {
            match token.filter(|t| !t.is_empty()) {
                None => Ok(Self(None)),
                Some(token) => Ok(Self(Some(CurrentUser::from_token(&ctx, &token).await?))),
            }
        })
    }
}
