//! Outbound mail: the outbox (admins), notification settings and templates (admins), and the
//! links our mails carry (autologin, unsubscribe, rating), which need no session.

use actix_web::{HttpResponse, delete, get, post, put, web};
use protocol::{
    AutologinRequest, EmailTemplate, NotificationSettings, OutboundMail, OutboundStatus, Page, Rating, SaveTemplate,
    TemplateEvent, TemplatePreview, TokenResponse,
};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::http::link_pages;
use crate::mail::outbound::{admin, link_actions, notification_settings, notify, templates};
use crate::paging::Paging;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
#[utoipa::path(put, path = "/api/v1/admin/templates/{event}", tag = "outbound", params(("event" = TemplateEvent, Path)),
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
#[utoipa::path(delete, path = "/api/v1/admin/templates/{event}", tag = "outbound", params(("event" = TemplateEvent, Path)),
    security(("bearer" = [])), responses((status = 200, body = EmailTemplate), (status = 422, body = protocol::ErrorBody)))]
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
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// The ticket to fill the template from.
    pub ticket_id: i64,
}

/// A template (as posted, unsaved) filled from a real ticket, as its requester would get it.
#[utoipa::path(post, path = "/api/v1/admin/templates/{event}/preview", tag = "outbound",
    params(("event" = TemplateEvent, Path), PreviewQuery), request_body = SaveTemplate, security(("bearer" = [])),
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
    // Read through a change that is dropped, never committed: a preview writes nothing.
    let change = Change::open(&ctx, None).await?;
    Ok(web::Json(notify::preview(&change, q.ticket_id, &body).await?))
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
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    pub token: String,
    /// good, ok or bad (rating links). Read as text so a wrong one is a 422 like the others.
    #[param(value_type = Option<Rating>)]
    pub rating: Option<String>,
}

/// Unsubscribe link of a notification mail: a page asking to confirm. A GET changes nothing,
/// since mail scanners and link previews fetch every link in a mail.
#[utoipa::path(get, path = "/api/v1/public/unsubscribe", tag = "outbound", params(LinkQuery),
    responses((status = 200, content_type = "text/html"), (status = 422, body = protocol::ErrorBody)))]
#[get("/public/unsubscribe")]
pub async fn unsubscribe(ctx: web::Data<AppContext>, q: web::Query<LinkQuery>) -> AppResult<HttpResponse> {
    link_actions::check_unsubscribe(&ctx, &q.token)?;
    Ok(link_pages::confirm_unsubscribe(&q.token))
}

/// Leave the ticket: the confirmation page's button, and the one-click unsubscribe of mail
/// clients (RFC 8058: a POST to the same link with the body `List-Unsubscribe=One-Click`, form
/// encoded or multipart). The signed token in the link is the authority; the body is not read.
#[utoipa::path(post, path = "/api/v1/public/unsubscribe", tag = "outbound", params(LinkQuery),
    responses((status = 200, content_type = "text/html"), (status = 422, body = protocol::ErrorBody)))]
#[post("/public/unsubscribe")]
pub async fn unsubscribe_confirmed(ctx: web::Data<AppContext>, q: web::Query<LinkQuery>) -> AppResult<HttpResponse> {
    let removed = link_actions::unsubscribe(&ctx, &q.token).await?;
    Ok(link_pages::message(
        "Unsubscribed",
        if removed {
            "You will not get mail about this ticket any more."
        } else {
            "You were not subscribed to this ticket (any more)."
        },
    ))
}

/// Rating link of a "ticket closed" mail: a page with the rating chosen and a comment box;
/// nothing is recorded until its button posts (a GET changes nothing, see `unsubscribe`).
#[utoipa::path(get, path = "/api/v1/public/rate", tag = "outbound", params(LinkQuery),
    responses((status = 200, content_type = "text/html"), (status = 422, body = protocol::ErrorBody)))]
#[get("/public/rate")]
pub async fn rate(ctx: web::Data<AppContext>, q: web::Query<LinkQuery>) -> AppResult<HttpResponse> {
    let rating = parse_rating(q.rating.as_deref())?;
    link_actions::check_rating(&ctx, &q.token)?;
    Ok(link_pages::confirm_rating(&q.token, rating))
}

/// The rating page's form (a plain form: it works without JavaScript).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RatingComment {
    pub token: String,
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

/// The rating, with the optional comment, sent from the rating page (same signed token as the link).
#[utoipa::path(post, path = "/api/v1/public/rate", tag = "outbound",
    request_body(content = RatingComment, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, content_type = "text/html"), (status = 422, body = protocol::ErrorBody)))]
#[post("/public/rate")]
pub async fn rate_comment(ctx: web::Data<AppContext>, form: web::Form<RatingComment>) -> AppResult<HttpResponse> {
    let rating = parse_rating(Some(&form.rating))?;
    link_actions::rate(&ctx, &form.token, rating, Some(&form.comment)).await?;
    Ok(link_pages::message("Thank you", "Your rating was recorded."))
}

fn parse_rating(raw: Option<&str>) -> AppResult<Rating> {
    raw.and_then(Rating::parse)
        .ok_or_else(|| AppError::validation("rating: must be good, ok or bad"))
}

routes!(
    list_outbox,
    get_outbox,
    get_notification_settings,
    put_notification_settings,
    list_templates,
    save_template,
    reset_template,
    preview_template,
    autologin,
    unsubscribe,
    unsubscribe_confirmed,
    rate,
    rate_comment
);
