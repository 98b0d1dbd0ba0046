//! The WebSocket endpoint. The token is checked before the upgrade, so an unauthenticated
//! client gets a plain 401 and never a socket.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::auth::CurrentUser;
use crate::auth::current_user::bearer_token;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::realtime::socket as live_socket;
use crate::tickets::access::Scope;

/// Live updates: presence, typing, ticket changes and the dashboard (JSON frames, see
/// `protocol::live`). The access token goes in `?access_token=` (browsers cannot set headers
/// on a WebSocket) or the Authorization header.
#[utoipa::path(get, path = "/api/v1/ws", tag = "live", params(("access_token" = Option<String>, Query)),
    security(("bearer" = [])),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 401, body = protocol::ErrorBody),
        (status = 400, body = protocol::ErrorBody), (status = 429, body = protocol::ErrorBody)))]
#[get("/ws")]
pub async fn socket(req: HttpRequest, body: web::Payload, ctx: web::Data<AppContext>) -> AppResult<HttpResponse> {
    let token = bearer_token(&req).ok_or(AppError::Unauthorized)?;
    let user = CurrentUser::from_token(&ctx, &token).await?;
    if ctx.realtime().hub().connections_of(user.id) >= ctx.settings().limits.sockets_per_user {
        return Err(AppError::TooManyRequests);
    }
    let scope = Scope::of(ctx.db(), ctx.settings(), &user).await?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| AppError::InvalidParameter(format!("not a WebSocket upgrade: {e}")))?;
    actix_web::rt::spawn(live_socket::run(ctx.get_ref().clone(), user, scope, session, stream));
    Ok(response)
}
