//! Sign-in, sessions (refresh, logout) and passwords.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use protocol::{ChangePassword, LoginRequest, RefreshRequest, SetPassword, TokenResponse, UrlTicket, User};

use crate::auth::{CurrentUser, account, login, sessions, url_tickets};
use crate::context::AppContext;
use crate::directory::users;
use crate::error::AppResult;
use crate::http::client_ip;

/// Sign in with e-mail and password. After a few failures further attempts wait, longer each
/// time (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = protocol::ErrorBody),
              (status = 429, body = protocol::ErrorBody)))]
#[post("/auth/login")]
pub async fn login_route(
    ctx: web::Data<AppContext>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    let trusted = ctx.settings().trusted_proxies();
    let ip = client_ip::of_request(&req, &trusted)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into());
    Ok(web::Json(login::login(&ctx, &body, &ip).await?))
}

/// Trade a refresh token for a new token pair. Each refresh token works once: using one again
/// ends its session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = protocol::ErrorBody)))]
#[post("/auth/refresh")]
pub async fn refresh_route(
    ctx: web::Data<AppContext>,
    body: web::Json<RefreshRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    Ok(web::Json(sessions::refresh(&ctx, &body.refresh_token).await?))
}

/// Sign out: ends the session of this refresh token (its access token runs out within minutes).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(ctx: web::Data<AppContext>, body: web::Json<RefreshRequest>) -> AppResult<HttpResponse> {
    sessions::end(&ctx, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change one's own password: every session of the account ends; the answer is a new one.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePassword,
    security(("bearer" = [])),
    responses((status = 200, body = TokenResponse), (status = 401, body = protocol::ErrorBody),
              (status = 403, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody),
              (status = 429, body = protocol::ErrorBody)))]
#[post("/auth/password")]
pub async fn change_password(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<ChangePassword>,
) -> AppResult<web::Json<TokenResponse>> {
    Ok(web::Json(account::change_own(&ctx, &user, &body).await?))
}

/// Set a user's password (admins): every session of that user ends.
#[utoipa::path(put, path = "/api/v1/users/{id}/password", tag = "auth", params(("id" = i64, Path)),
    request_body = SetPassword, security(("bearer" = [])),
    responses((status = 204), (status = 401, body = protocol::ErrorBody), (status = 403, body = protocol::ErrorBody),
              (status = 404, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[put("/users/{id}/password")]
pub async fn reset_password(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SetPassword>,
) -> AppResult<HttpResponse> {
    account::reset(&ctx, &user, *id, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A one-time ticket for a URL the browser opens itself (`/ws`, downloads, inline images):
/// `?ticket=…` works once, within `expires_in` seconds, as the caller.
#[utoipa::path(post, path = "/api/v1/auth/ticket", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UrlTicket), (status = 401, body = protocol::ErrorBody)))]
#[post("/auth/ticket")]
pub async fn url_ticket(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<UrlTicket>> {
    Ok(web::Json(url_tickets::issue(&ctx, &user).await?))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = protocol::ErrorBody)))]
#[get("/auth/me")]
pub async fn me(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<User>> {
    Ok(web::Json(users::get(ctx.db(), user.id).await?))
}

routes!(
    login_route,
    refresh_route,
    me,
    logout,
    change_password,
    reset_password,
    url_ticket
);
