//! Outbound mail: the outbox (admins), notification settings and templates (admins), and the
//! links our mails carry (autologin, unsubscribe, rating), which need no session.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, put, web};
use protocol::{
    AutologinRequest, EmailTemplate, NotificationSettings, OutboundMail, OutboundStatus, Page, Rating, SaveTemplate,
    TemplateEvent, TemplatePreview, TokenResponse,
};

use crate::auth::CurrentUser;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::mail::outbound::templates::render::escape;
use crate::mail::outbound::{admin, link_actions, notification_settings, notify, templates};
use crate::paging::Paging;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    pub ticket_id: Option<i64>,
    pub status: Option<OutboundStatus>,
    /// Part of a recipient address.
    pub to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The outbox: every mail queued, sent, failed or held. Without SMTP this is the dev outbox.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "outbound", params(OutboxQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<OutboundMail>), (status = 400, body = protocol::ErrorBody),
        (status = 401, body = protocol::ErrorBody), (status = 403, body = protocol::ErrorBody),
        (status = 422, body = protocol::ErrorBody)))]
#[get("/admin/outbox")]
pub async fn list_outbox(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    q: web::Query<OutboxQuery>,
) -> AppResult<web::Json<Page<OutboundMail>>> {
    user.require_admin()?;
    let filter = admin::Filter {
        ticket_id: q.ticket_id,
        status: q.status,
        to: q.to.clone(),
    };
    Ok(web::Json(
        admin::list(ctx.db(), &filter, Paging::parse(q.page, q.per_page, 50, 200)?).await?,
    ))
}

/// One mail, with the complete message as sent.
#[utoipa::path(get, path = "/api/v1/admin/outbox/{id}", tag = "outbound", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = OutboundMail), (status = 404, body = protocol::ErrorBody)))]
#[get("/admin/outbox/{id}")]
pub async fn get_outbox(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<OutboundMail>> {
    user.require_admin()?;
    Ok(web::Json(admin::get(ctx.db(), *id).await?))
}

/// The notification switches.
#[utoipa::path(get, path = "/api/v1/admin/notification-settings", tag = "outbound", security(("bearer" = [])),
    responses((status = 200, body = NotificationSettings)))]
#[get("/admin/notification-settings")]
pub async fn get_notification_settings(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
) -> AppResult<web::Json<NotificationSettings>> {
    user.require_admin()?;
    Ok(web::Json(notification_settings::load(ctx.db()).await?))
}

/// Replace the notification switches (fields left out take their defaults).
#[utoipa::path(put, path = "/api/v1/admin/notification-settings", tag = "outbound", request_body = NotificationSettings,
    security(("bearer" = [])), responses((status = 200, body = NotificationSettings), (status = 422, body = protocol::ErrorBody)))]
#[put("/admin/notification-settings")]
pub async fn put_notification_settings(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<NotificationSettings>,
) -> AppResult<web::Json<NotificationSettings>> {
    user.require_admin()?;
    Ok(web::Json(notification_settings::save(ctx.db(), &body).await?))
}

fn event_of(s: &str) -> AppResult<TemplateEvent> {
    TemplateEvent::parse(s).ok_or_else(|| {
        let known: Vec<&str> = TemplateEvent::ALL.iter().map(|e| e.as_str()).collect();
        AppError::validation(format!("unknown template {s:?}; known: {}", known.join(", ")))
    })
}

/// Every template in force (the admin's or the built-in one).
#[utoipa::path(get, path = "/api/v1/admin/templates", tag = "outbound", security(("bearer" = [])),
    responses((status = 200, body = Vec<EmailTemplate>)))]
#[get("/admin/templates")]
pub async fn list_templates(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<EmailTemplate>>> {
    user.require_admin()?;
    Ok(web::Json(templates::list(ctx.db()).await?))
}

/// Save a template; unknown placeholders are refused (422) naming them. All empty = don't send.
#[utoipa::path(put, path = "/api/v1/admin/templates/{event}", tag = "outbound", params(("event" = String, Path)),
    request_body = SaveTemplate, security(("bearer" = [])),
    responses((status = 200, body = EmailTemplate), (status = 422, body = protocol::ErrorBody)))]
#[put("/admin/templates/{event}")]
pub async fn save_template(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    event: web::Path<String>,
    body: web::Json<SaveTemplate>,
) -> AppResult<web::Json<EmailTemplate>> {
    user.require_admin()?;
    Ok(web::Json(templates::save(ctx.db(), event_of(&event)?, &body).await?))
}

/// Back to the built-in template.
#[utoipa::path(delete, path = "/api/v1/admin/templates/{event}", tag = "outbound", params(("event" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = EmailTemplate)))]
#[delete("/admin/templates/{event}")]
pub async fn reset_template(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    event: web::Path<String>,
) -> AppResult<web::Json<EmailTemplate>> {
    user.require_admin()?;
    Ok(web::Json(templates::reset(ctx.db(), event_of(&event)?).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// The ticket to fill the template from.
    pub ticket_id: i64,
}

/// A template (as posted, unsaved) filled from a real ticket, as its requester would get it.
#[utoipa::path(post, path = "/api/v1/admin/templates/{event}/preview", tag = "outbound",
    params(("event" = String, Path), PreviewQuery), request_body = SaveTemplate, security(("bearer" = [])),
    responses((status = 200, body = TemplatePreview), (status = 422, body = protocol::ErrorBody)))]
#[post("/admin/templates/{event}/preview")]
pub async fn preview_template(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    event: web::Path<String>,
    q: web::Query<PreviewQuery>,
    body: web::Json<SaveTemplate>,
) -> AppResult<web::Json<TemplatePreview>> {
    user.require_admin()?;
    event_of(&event)?;
    Ok(web::Json(
        notify::preview(ctx.db(), &ctx.notify_env(), q.ticket_id, &body).await?,
    ))
}

/// Trade an emailed autologin link for a session limited to its ticket (customers only).
#[utoipa::path(post, path = "/api/v1/auth/autologin", tag = "auth", request_body = AutologinRequest,
    responses((status = 200, body = TokenResponse), (status = 422, body = protocol::ErrorBody)))]
#[post("/auth/autologin")]
pub async fn autologin(
    ctx: web::Data<AppContext>,
    body: web::Json<AutologinRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    Ok(web::Json(link_actions::autologin(&ctx, &body.token).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct LinkQuery {
    pub token: String,
    /// good, ok or bad (rating links).
    pub rating: Option<String>,
}

/// A small page a person reads after clicking a link in a mail.
fn page(title: &str, text: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
             <title>{0}</title></head><body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem\">\
             <main><h1>{0}</h1><p>{1}</p></main></body></html>",
            escape(title),
            escape(text)
        ))
}

/// Unsubscribe link of a notification mail.
#[utoipa::path(get, path = "/api/v1/public/unsubscribe", tag = "outbound", params(LinkQuery),
    responses((status = 200, content_type = "text/html"), (status = 422, body = protocol::ErrorBody)))]
#[get("/public/unsubscribe")]
pub async fn unsubscribe(ctx: web::Data<AppContext>, q: web::Query<LinkQuery>) -> AppResult<HttpResponse> {
    let removed = link_actions::unsubscribe(&ctx, &q.token).await?;
    Ok(page(
        "Unsubscribed",
        if removed {
            "You will not get mail about this ticket any more."
        } else {
            "You were not subscribed to this ticket (any more)."
        },
    ))
}

/// Rating link of a "ticket closed" mail: records the rating, then offers a comment box.
#[utoipa::path(get, path = "/api/v1/public/rate", tag = "outbound", params(LinkQuery),
    responses((status = 200, content_type = "text/html"), (status = 422, body = protocol::ErrorBody)))]
#[get("/public/rate")]
pub async fn rate(ctx: web::Data<AppContext>, q: web::Query<LinkQuery>) -> AppResult<HttpResponse> {
    let rating = parse_rating(q.rating.as_deref())?;
    link_actions::rate(&ctx, &q.token, rating, None).await?;
    Ok(comment_page(&q.token, rating))
}

/// The comment box of the rating page (a plain form: it works without JavaScript).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RatingComment {
    pub token: String,
    pub rating: String,
    pub comment: String,
}

/// The comment sent from the rating page (same signed token as the link).
#[utoipa::path(post, path = "/api/v1/public/rate", tag = "outbound",
    request_body(content = RatingComment, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, content_type = "text/html"), (status = 422, body = protocol::ErrorBody)))]
#[post("/public/rate")]
pub async fn rate_comment(ctx: web::Data<AppContext>, form: web::Form<RatingComment>) -> AppResult<HttpResponse> {
    let rating = parse_rating(Some(&form.rating))?;
    link_actions::rate(&ctx, &form.token, rating, Some(&form.comment)).await?;
    Ok(page("Thank you", "Your rating and comment were recorded."))
}

fn parse_rating(raw: Option<&str>) -> AppResult<Rating> {
    raw.and_then(Rating::parse)
        .ok_or_else(|| AppError::validation("rating: must be good, ok or bad"))
}

fn comment_page(token: &str, rating: Rating) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
             <title>Thank you</title></head><body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem\">\
             <main><h1>Thank you</h1><p>Your rating was recorded.</p>\
             <form method=\"post\" action=\"/api/v1/public/rate\">\
             <input type=\"hidden\" name=\"token\" value=\"{0}\"><input type=\"hidden\" name=\"rating\" value=\"{1}\">\
             <label for=\"comment\">Anything you want to tell us? (optional)</label><br>\
             <textarea id=\"comment\" name=\"comment\" rows=\"5\" maxlength=\"2000\" style=\"width:100%\"></textarea><br>\
             <button type=\"submit\">Send comment</button></form></main></body></html>",
            escape(token),
            rating.as_str()
        ))
}
