use actix_web::{HttpRequest, get, post, web};
use protocol::{LoginRequest, RefreshRequest, TokenResponse, User};

use crate::auth::{CurrentUser, login};
use crate::context::AppContext;
use crate::directory::users;
use crate::error::AppResult;
use crate::http::client_ip;

/// Sign in with e-mail and password.
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

/// Trade a refresh token for a new token pair.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = protocol::ErrorBody)))]
#[post("/auth/refresh")]
pub async fn refresh_route(
    ctx: web::Data<AppContext>,
    body: web::Json<RefreshRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    Ok(web::Json(login::refresh(&ctx, &body.refresh_token).await?))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = protocol::ErrorBody)))]
#[get("/auth/me")]
pub async fn me(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<User>> {
    Ok(web::Json(users::get(ctx.db(), user.id).await?))
}
