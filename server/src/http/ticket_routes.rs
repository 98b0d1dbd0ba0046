use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use protocol::{
    AddSubscriber, Attachment, CreateTicket, Page, PostMessage, TakeTicket, Ticket, TicketDetail, TicketQuery,
    UpdateTicket,
};

use protocol::live::ChangeKind;

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::tickets::access::Scope;
use crate::tickets::{attachments, create, messages, queries, reshape, update};

pub(crate) async fn scope(ctx: &AppContext, user: &CurrentUser) -> AppResult<Scope> {
    Scope::of(ctx.db(), ctx.settings(), user).await
}

/// Tickets the caller may see, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Ticket>), (status = 400, body = protocol::ErrorBody), (status = 401, body = protocol::ErrorBody),
        (status = 422, body = protocol::ErrorBody)))]
#[get("/tickets")]
pub async fn list(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    q: web::Query<TicketQuery>,
) -> AppResult<web::Json<Page<Ticket>>> {
    let scope = scope(&ctx, &user).await?;
    Ok(web::Json(queries::list(ctx.db(), &scope, &user, &q).await?))
}

/// Open a ticket.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = CreateTicket, security(("bearer" = [])),
    responses((status = 201, body = TicketDetail), (status = 422, body = protocol::ErrorBody)))]
#[post("/tickets")]
pub async fn create_ticket(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<CreateTicket>,
) -> AppResult<actix_web::HttpResponse> {
    let scope = scope(&ctx, &user).await?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    let detail = create::create(&change, &scope, &user, &body).await?;
    change.commit().await?;
    Ok(actix_web::HttpResponse::Created().json(detail))
}

/// One ticket with its thread (internal notes and history for staff only).
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 404, body = protocol::ErrorBody)))]
#[get("/tickets/{id}")]
pub async fn get_ticket(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    Ok(web::Json(queries::detail(ctx.db(), &scope, *id).await?))
}

/// Change status, priority, category, assignee, due date or tags.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = i64, Path)), request_body = UpdateTicket,
    security(("bearer" = [])), responses((status = 200, body = TicketDetail), (status = 409, body = protocol::ErrorBody)))]
#[patch("/tickets/{id}")]
pub async fn update_ticket(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<UpdateTicket>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    let detail = update::update(&change, &scope, &user, *id, &body).await?;
    change.commit().await?;
    Ok(web::Json(detail))
}

/// A public reply (staff) or a follow-up (customer).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/replies", tag = "tickets", params(("id" = i64, Path)), request_body = PostMessage,
    security(("bearer" = [])), responses((status = 200, body = TicketDetail), (status = 409, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/replies")]
pub async fn reply(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<PostMessage>,
) -> AppResult<web::Json<TicketDetail>> {
    post_message(&ctx, &user, *id, &body, false).await
}

/// An internal note, visible to staff only.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/notes", tag = "tickets", params(("id" = i64, Path)), request_body = PostMessage,
    security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403, body = protocol::ErrorBody), (status = 409, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/notes")]
pub async fn note(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<PostMessage>,
) -> AppResult<web::Json<TicketDetail>> {
    post_message(&ctx, &user, *id, &body, true).await
}

/// A reply or (`internal`) a note, published to the ticket's watchers.
async fn post_message(
    ctx: &AppContext,
    user: &CurrentUser,
    id: i64,
    body: &PostMessage,
    internal: bool,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(ctx, user).await?;
    let change = Change::open(ctx, Some(user.id)).await?;
    let detail = messages::post(&change, &scope, user, id, body, internal).await?;
    change.commit().await?;
    Ok(web::Json(detail))
}

/// Take the ticket; exactly one of several agents taking at once wins.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/take", tag = "tickets", params(("id" = i64, Path)), request_body = TakeTicket,
    security(("bearer" = [])), responses((status = 200, body = TicketDetail), (status = 409, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/take")]
pub async fn take(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Option<web::Json<TakeTicket>>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let version = body.and_then(|b| b.version);
    let change = Change::open(&ctx, Some(user.id)).await?;
    let detail = update::take(&change, &scope, &user, *id, version).await?;
    change.commit().await?;
    Ok(web::Json(detail))
}

/// Add a CC subscriber.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/subscribers", tag = "tickets", params(("id" = i64, Path)),
    request_body = AddSubscriber, security(("bearer" = [])), responses((status = 200, body = TicketDetail)))]
#[post("/tickets/{id}/subscribers")]
pub async fn add_subscriber(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<AddSubscriber>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    let detail =
        update::edit_subscribers(&change, &scope, &user, *id, update::SubscriberEdit::Add(&body.email)).await?;
    change.commit().await?;
    Ok(web::Json(detail))
}

/// Merge this ticket into another (staff): messages, files and people move; this one closes.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/merge", tag = "tickets", params(("id" = i64, Path)),
    request_body = protocol::MergeTicket, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail, description = "the ticket merged into"), (status = 409, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/merge")]
pub async fn merge(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<protocol::MergeTicket>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    let target = reshape::merge(&change, &scope, &user, *id, &body).await?;
    change.commit().await?;
    let detail = queries::detail(ctx.db(), &scope, target).await?;
    Ok(web::Json(detail))
}

/// Split one message off into a new ticket (staff); answers with the new ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/split", tag = "tickets", params(("id" = i64, Path)),
    request_body = protocol::SplitMessage, security(("bearer" = [])),
    responses((status = 201, body = TicketDetail), (status = 409, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/split")]
pub async fn split(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<protocol::SplitMessage>,
) -> AppResult<HttpResponse> {
    let scope = scope(&ctx, &user).await?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    let new_id = reshape::split(&change, &scope, &user, *id, &body).await?;
    change.commit().await?;
    let detail = queries::detail(ctx.db(), &Scope::All, new_id).await?;
    Ok(HttpResponse::Created().json(detail))
}

/// Log time spent on the ticket (staff).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/time", tag = "tickets", params(("id" = i64, Path)),
    request_body = protocol::LogTime, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 422, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/time")]
pub async fn log_time(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<protocol::LogTime>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let what = body.note.as_deref();
    let change = Change::open(&ctx, Some(user.id)).await?;
    crate::tickets::time_tracking::log(&change, &scope, &user, *id, body.minutes, what).await?;
    change.commit().await?;
    let detail = queries::detail(ctx.db(), &scope, *id).await?;
    Ok(web::Json(detail))
}

/// The ticket's time tracking entries, oldest first (staff).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/time", tag = "tickets", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<protocol::TimeEntry>), (status = 403, body = protocol::ErrorBody)))]
#[get("/tickets/{id}/time")]
pub async fn time_entries(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<protocol::TimeEntry>>> {
    let scope = scope(&ctx, &user).await?;
    let entries = crate::tickets::time_tracking::list(ctx.db(), &scope, &user, *id).await?;
    Ok(web::Json(entries))
}

/// The requester rates their resolved or closed ticket: good, ok or bad, with a comment.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating", tag = "tickets", params(("id" = i64, Path)),
    request_body = protocol::RateTicket, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/rating")]
pub async fn rate(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<protocol::RateTicket>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    let t = scope.find_ticket(change.db(), *id).await?;
    crate::tickets::rating::record(change.db(), t, user.id, body.rating, body.comment.as_deref()).await?;
    change.touched(*id, ChangeKind::Updated, None);
    change.commit().await?;
    let detail = queries::detail(ctx.db(), &scope, *id).await?;
    Ok(web::Json(detail))
}

/// Remove a CC subscriber.
#[utoipa::path(delete, path = "/api/v1/tickets/{id}/subscribers/{email}", tag = "tickets",
    params(("id" = i64, Path), ("email" = String, Path)), security(("bearer" = [])), responses((status = 200, body = TicketDetail)))]
#[delete("/tickets/{id}/subscribers/{email}")]
pub async fn remove_subscriber(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let (id, email) = path.into_inner();
    let change = Change::open(&ctx, Some(user.id)).await?;
    let detail = update::edit_subscribers(&change, &scope, &user, id, update::SubscriberEdit::Remove(&email)).await?;
    change.commit().await?;
    Ok(web::Json(detail))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    pub filename: String,
}

/// Upload a file to a ticket (raw bytes as the body); attach it with a reply's `attachment_ids`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "tickets", params(("id" = i64, Path), UploadQuery),
    request_body(content = crate::http::openapi::Binary, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, body = Attachment), (status = 413, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[post("/tickets/{id}/attachments")]
pub async fn upload(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<UploadQuery>,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<actix_web::HttpResponse> {
    let scope = scope(&ctx, &user).await?;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .unwrap_or("application/octet-stream");
    if content_type.len() > 200 {
        return Err(AppError::validation("content-type: too long"));
    }
    let a = attachments::upload(
        ctx.db(),
        ctx.blobs(),
        &ctx.settings().limits,
        &scope,
        &user,
        *id,
        &q.filename,
        content_type,
        &body,
    )
    .await?;
    Ok(actix_web::HttpResponse::Created().json(a))
}

routes!(
    list,
    create_ticket,
    get_ticket,
    update_ticket,
    reply,
    note,
    take,
    add_subscriber,
    remove_subscriber,
    merge,
    split,
    log_time,
    time_entries,
    rate,
    upload
);
