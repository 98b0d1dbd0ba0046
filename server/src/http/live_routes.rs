//! The WebSocket endpoint. The token is checked before the upgrade, so an unauthenticated
//! client gets a plain 401 and never a socket.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::auth::TicketedUser;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::realtime::socket as live_socket;
use crate::tickets::access::Scope;

/// Live updates: presence, typing, ticket changes and the dashboard (JSON frames, see
/// `protocol::live`). Browsers cannot set headers on a WebSocket: they send a one-time
/// `?ticket=` from `POST /auth/ticket`; other clients may use the Authorization header. The
/// socket closes when the credential it was opened with expires.
#[utoipa::path(get, path = "/api/v1/ws", tag = "live", params(("ticket" = Option<String>, Query)),
    security(("bearer" = [])),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 401, body = protocol::ErrorBody),
        (status = 400, body = protocol::ErrorBody), (status = 429, body = protocol::ErrorBody)))]
#[get("/ws")]
pub async fn socket(
    req: HttpRequest,
    body: web::Payload,
    ctx: web::Data<AppContext>,
    TicketedUser(user): TicketedUser,
) -> AppResult<HttpResponse> {
    if ctx.realtime().hub().connections_of(user.id) >= ctx.settings().limits.sockets_per_user {
        return Err(AppError::TooManyRequests);
    }
    let scope = Scope::of(ctx.db(), ctx.settings(), &user).await?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| AppError::InvalidParameter(format!("not a WebSocket upgrade: {e}")))?;
    actix_web::rt::spawn(live_socket::run(ctx.get_ref().clone(), user, scope, session, stream));
    Ok(response)
}

routes!(socket);
