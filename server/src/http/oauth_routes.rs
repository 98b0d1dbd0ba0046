//! A mailbox's OAuth connection: its application (admin API), "Connect" (starts the
//! authorization-code flow), and the provider's redirect back (`/oauth/callback`, a plain page
//! outside the API: the admin's browser lands on it).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use protocol::{OAuthApp, OAuthConnection, OAuthStart};

use crate::auth::CurrentUser;
use crate::context::AppContext;
use crate::error::AppResult;
use crate::http::link_pages;
use crate::mail::oauth::{admin, flow};

/// The mailbox's OAuth application and the state of its grant.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}/oauth", tag = "mail", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = OAuthConnection), (status = 404, body = protocol::ErrorBody)))]
#[get("/mailboxes/{id}/oauth")]
pub async fn get_oauth(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<OAuthConnection>> {
    user.require_admin()?;
    Ok(web::Json(admin::get(&ctx, *id).await?))
}

/// Sets the OAuth application (Microsoft, Google or an OpenID provider) the mailbox signs in
/// with. A different application drops the connected account.
#[utoipa::path(put, path = "/api/v1/mailboxes/{id}/oauth", tag = "mail", params(("id" = i64, Path)),
    request_body = OAuthApp, security(("bearer" = [])),
    responses((status = 200, body = OAuthConnection), (status = 404, body = protocol::ErrorBody),
    (status = 422, body = protocol::ErrorBody)))]
#[put("/mailboxes/{id}/oauth")]
pub async fn put_oauth(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<OAuthApp>,
) -> AppResult<web::Json<OAuthConnection>> {
    user.require_admin()?;
    Ok(web::Json(admin::set(&ctx, *id, &body).await?))
}

/// Forgets the mailbox's OAuth application and grant.
#[utoipa::path(delete, path = "/api/v1/mailboxes/{id}/oauth", tag = "mail", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = protocol::ErrorBody)))]
#[delete("/mailboxes/{id}/oauth")]
pub async fn delete_oauth(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    admin::remove(&ctx, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// "Connect": where to send the browser to sign in at the provider. The answer sets a cookie
/// that ties the request to this browser; the provider sends the browser back to
/// `/oauth/callback` within ten minutes.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/oauth/connect", tag = "mail", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = OAuthStart), (status = 404, body = protocol::ErrorBody),
    (status = 409, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[post("/mailboxes/{id}/oauth/connect")]
pub async fn connect(ctx: web::Data<AppContext>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    user.require_admin()?;
    let (start, browser) = flow::start(&ctx, &user, *id).await?;
    let cookie = Cookie::build(flow::BROWSER_COOKIE, browser)
        .path("/oauth/callback")
        .http_only(true)
        // Lax: the cookie comes along on the provider's top-level redirect back to us.
        .same_site(SameSite::Lax)
        .secure(ctx.settings().http.public_url.starts_with("https://"))
        .max_age(actix_web::cookie::time::Duration::minutes(flow::STATE_TTL_MINUTES))
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(start))
}

/// The provider's redirect after the admin signed in (or refused).
#[get("/oauth/callback")]
pub async fn callback(ctx: web::Data<AppContext>, req: HttpRequest, query: web::Query<flow::Redirect>) -> HttpResponse {
    let browser = req.cookie(flow::BROWSER_COOKIE).map(|c| c.value().to_owned());
    let back = ("/admin/mailboxes", "Back to the mailboxes");
    let mut page = match flow::finish(&ctx, &query, browser.as_deref()).await {
        Ok(done) => link_pages::message_with_link(
            StatusCode::OK,
            "Mailbox connected",
            &format!(
                "{} is now connected: the mailbox {} signs in as this account.",
                done.account, done.mailbox_address
            ),
            back,
        ),
        Err(refused) => {
            tracing::info!(reason = %refused, "OAuth callback refused");
            link_pages::message_with_link(StatusCode::BAD_REQUEST, "Not connected", &refused.0, back)
        }
    };
    // The cookie has done its work either way.
    let mut gone = Cookie::build(flow::BROWSER_COOKIE, "").path("/oauth/callback").finish();
    gone.make_removal();
    let _ = page.add_cookie(&gone);
    page
}

routes!(get_oauth, put_oauth, delete_oauth, connect);
