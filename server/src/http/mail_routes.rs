//! Mailboxes (admin), the signed inbound endpoint, and the journal (quarantine, dead letters).

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use protocol::{
    InboundAccepted, InboundMail, InboundStatus, Mailbox, MailboxCheck, MailboxSettings, MailboxWithSecret, Page,
    TestMail,
};

use crate::auth::{CurrentUser, TicketedUser};
use crate::context::AppContext;
use crate::crypto;
use crate::egress::Egress;
use crate::error::{AppError, AppResult};
use crate::http::client_ip;
use crate::http::openapi::Binary;
use crate::http::upload_slots::UploadSlots;
use crate::mail::inbound::journal::{NewMail, Source};
use crate::mail::inbound::{admin, pipeline};
use crate::mail::mailboxes;
use crate::paging::Paging;

/// Largest raw mail `POST /inbound` accepts, whatever the mailbox.
pub use crate::mail::mailboxes::MAX_INBOUND_BYTES;

fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!("the mail is larger than this endpoint takes ({limit} bytes)"))
}

/// Mailboxes with their live fetch status.
#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "mail", security(("bearer" = [])), responses((status = 200, body = Vec<Mailbox>)))]
#[get("/mailboxes")]
pub async fn list_mailboxes(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<Mailbox>>> {
    user.require_admin()?;
    Ok(web::Json(mailboxes::list(ctx.db()).await?))
}

/// Create a mailbox; the answer carries its webhook secret, shown this once.
#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "mail", request_body = MailboxSettings, security(("bearer" = [])),
    responses((status = 201, body = MailboxWithSecret), (status = 409, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[post("/mailboxes")]
pub async fn create_mailbox(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<MailboxSettings>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(mailboxes::create(ctx.db(), ctx.keys(), Egress::of(ctx.settings()), &body).await?))
}

/// One mailbox.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}", tag = "mail", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Mailbox)))]
#[get("/mailboxes/{id}")]
pub async fn get_mailbox(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<Mailbox>> {
    user.require_admin()?;
    Ok(web::Json(mailboxes::to_dto(mailboxes::get(ctx.db(), *id).await?)))
}

/// Change settings; `enabled: true` re-enables a mailbox disabled after failures.
#[utoipa::path(patch, path = "/api/v1/mailboxes/{id}", tag = "mail", params(("id" = i64, Path)), request_body = MailboxSettings,
    security(("bearer" = [])), responses((status = 200, body = Mailbox), (status = 404, body = protocol::ErrorBody),
    (status = 409, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[patch("/mailboxes/{id}")]
pub async fn update_mailbox(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<MailboxSettings>,
) -> AppResult<web::Json<Mailbox>> {
    user.require_admin()?;
    Ok(web::Json(
        mailboxes::update(ctx.db(), ctx.keys(), Egress::of(ctx.settings()), *id, &body).await?,
    ))
}

/// Delete a mailbox (its tickets stay).
#[utoipa::path(delete, path = "/api/v1/mailboxes/{id}", tag = "mail", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204)))]
#[delete("/mailboxes/{id}")]
pub async fn delete_mailbox(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    mailboxes::delete(ctx.db(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the webhook secret (the old one stops working at once).
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/rotate-secret", tag = "mail", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = MailboxWithSecret)))]
#[post("/mailboxes/{id}/rotate-secret")]
pub async fn rotate_secret(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<MailboxWithSecret>> {
    user.require_admin()?;
    Ok(web::Json(mailboxes::rotate_secret(ctx.db(), ctx.keys(), *id).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboundTarget {
    /// The mailbox the mail was delivered to; its secret signs the request.
    pub mailbox: i64,
}

/// Deliver one raw RFC 5322 mail. Signed: `X-Maildesk-Signature: sha256=<hex HMAC-SHA256 of
/// the body with the mailbox's webhook secret>`. Answers only after the mail is durably
/// journaled; a repeated delivery (same Message-ID, or same `Idempotency-Key` when the mail has
/// none) returns the first result.
#[utoipa::path(post, path = "/api/v1/inbound", tag = "mail", params(InboundTarget),
    // The body is read as bytes whatever its declared type: relays label a mail either way.
    request_body(content((Binary = "message/rfc822"), (Binary = "application/octet-stream"))),
    responses((status = 200, body = InboundAccepted), (status = 401, body = protocol::ErrorBody), (status = 413, body = protocol::ErrorBody),
        (status = 422, body = protocol::ErrorBody), (status = 429, body = protocol::ErrorBody)))]
pub async fn inbound(
    ctx: web::Data<AppContext>,
    slots: web::Data<UploadSlots>,
    req: HttpRequest,
    target: web::Query<InboundTarget>,
    payload: web::Payload,
) -> AppResult<web::Json<InboundAccepted>> {
    // Anyone can call this, and the signature covers the whole body: everything that can be
    // checked without the body is checked before a byte of it is read, and the body is read
    // only up to the mailbox's limit, by a bounded number of uploads per client.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let over = |limit: usize| declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX));
    if over(MAX_INBOUND_BYTES) {
        return Err(too_large(MAX_INBOUND_BYTES));
    }
    let client =
        client_ip::of_request(&req, &ctx.settings().trusted_proxies()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let slot = slots.try_take(client).ok_or_else(|| {
        tracing::warn!(%client, "too many inbound uploads at once from one client");
        AppError::TooManyRequests
    })?;
    let mailbox = mailboxes::get(ctx.db(), target.mailbox)
        .await
        .map_err(|_| AppError::Unauthorized)?;
    let secret = mailboxes::webhook_secret(ctx.keys(), &mailbox).map_err(|_| AppError::Unauthorized)?;
    let signature = req
        .headers()
        .get("x-maildesk-signature")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_start_matches("sha256=").to_owned())
        .ok_or(AppError::Unauthorized)?;
    let limit = mailboxes::raw_limit(&mailbox);
    if over(limit) {
        return Err(too_large(limit));
    }
    // Chunked bodies declare no size: reading stops as soon as the limit is passed.
    let body = match payload.to_bytes_limited(limit).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return Err(AppError::validation(format!("could not read the body: {e}"))),
        Err(_) => return Err(too_large(limit)),
    };
    if !crypto::verify_hmac_hex(secret.as_bytes(), &body, &signature) {
        tracing::warn!(mailbox = mailbox.id, "inbound mail with a bad signature refused");
        return Err(AppError::Unauthorized);
    }
    // Signed: no longer an unauthenticated upload (a relay may deliver many mails at once).
    drop(slot);
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if key.as_ref().is_some_and(|k| k.len() > 200) {
        return Err(AppError::validation("Idempotency-Key: at most 200 characters"));
    }
    let mail = NewMail {
        explicit_key: key.as_deref(),
        ..NewMail::new(Source::Http, Some(mailbox.id), &body)
    };
    let (journaled, outcome) = pipeline::ingest(&ctx, mail).await?;
    Ok(web::Json(InboundAccepted {
        journal_id: journaled.entry.id,
        duplicate: journaled.duplicate,
        status: admin::status_of(&outcome.status),
        ticket_id: outcome.ticket_id,
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct JournalQuery {
    pub status: Option<InboundStatus>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The inbound journal: `status=quarantined` is the quarantine, `status=failed` the dead letters.
#[utoipa::path(get, path = "/api/v1/inbound", tag = "mail", params(JournalQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<InboundMail>), (status = 400, body = protocol::ErrorBody),
        (status = 401, body = protocol::ErrorBody), (status = 403, body = protocol::ErrorBody),
        (status = 422, body = protocol::ErrorBody)))]
pub async fn list_inbound(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    q: web::Query<JournalQuery>,
) -> AppResult<web::Json<Page<InboundMail>>> {
    user.require_admin()?;
    Ok(web::Json(
        admin::list(ctx.db(), q.status, Paging::parse(q.page, q.per_page, 50, 200)?).await?,
    ))
}

/// The raw mail as received. A browser download authenticates with a one-time `?ticket=`.
#[utoipa::path(get, path = "/api/v1/inbound/{id}/raw", tag = "mail", params(("id" = i64, Path), ("ticket" = Option<String>, Query)),
    security(("bearer" = [])),
    responses((status = 200, body = Binary, content_type = "message/rfc822"), (status = 401, body = protocol::ErrorBody),
              (status = 403, body = protocol::ErrorBody), (status = 404, body = protocol::ErrorBody)))]
#[get("/inbound/{id}/raw")]
pub async fn inbound_raw(
    ctx: web::Data<AppContext>,
    TicketedUser(user): TicketedUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    let raw = admin::raw(ctx.db(), *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "message/rfc822"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"mail-{}.eml\"", *id),
        ))
        .body(raw))
}

/// Reprocess a dead letter (after a fix).
#[utoipa::path(post, path = "/api/v1/inbound/{id}/replay", tag = "mail", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = InboundAccepted)))]
#[post("/inbound/{id}/replay")]
pub async fn replay(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<InboundAccepted>> {
    user.require_admin()?;
    let outcome = pipeline::replay(&ctx, Some(*id))
        .await?
        .pop()
        .ok_or(AppError::NotFound("failed mail"))?;
    Ok(web::Json(InboundAccepted {
        journal_id: outcome.journal_id,
        duplicate: false,
        status: admin::status_of(&outcome.status),
        ticket_id: outcome.ticket_id,
    }))
}

/// Release a quarantined mail into a ticket.
#[utoipa::path(post, path = "/api/v1/inbound/{id}/release", tag = "mail", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = InboundAccepted)))]
#[post("/inbound/{id}/release")]
pub async fn release(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<InboundAccepted>> {
    user.require_admin()?;
    let outcome = pipeline::process(&ctx, *id, true).await?;
    Ok(web::Json(InboundAccepted {
        journal_id: outcome.journal_id,
        duplicate: false,
        status: admin::status_of(&outcome.status),
        ticket_id: outcome.ticket_id,
    }))
}

/// "Test connection": sign in to the mailbox's IMAP server and open its folder. `ok` false
/// with the server's answer when that fails (the request itself succeeded).
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/test-connection", tag = "mail", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = MailboxCheck), (status = 404, body = protocol::ErrorBody),
    (status = 422, body = protocol::ErrorBody)))]
#[post("/mailboxes/{id}/test-connection")]
pub async fn test_connection(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<MailboxCheck>> {
    user.require_admin()?;
    let mailbox = mailboxes::get(ctx.db(), *id).await?;
    Ok(web::Json(crate::mail::checks::test_connection(&ctx, &mailbox).await?))
}

/// "Send test e-mail": one mail from the mailbox's address through the transport replies use,
/// to `to` (default: the admin asking). `ok` false with the server's answer when refused.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/test-mail", tag = "mail", params(("id" = i64, Path)),
    request_body = TestMail, security(("bearer" = [])), responses((status = 200, body = MailboxCheck),
    (status = 404, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[post("/mailboxes/{id}/test-mail")]
pub async fn test_mail(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<TestMail>,
) -> AppResult<web::Json<MailboxCheck>> {
    user.require_admin()?;
    let mailbox = mailboxes::get(ctx.db(), *id).await?;
    let to = body.to.clone().unwrap_or_else(|| user.email.clone());
    Ok(web::Json(
        crate::mail::checks::send_test_mail(&ctx, &mailbox, &to).await?,
    ))
}

/// Fetch a mailbox now (under its lease, so it cannot race the scheduled fetch).
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/fetch", tag = "mail", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, description = "fetched, journaled_new, duplicates, failed"),
    (status = 409, body = protocol::ErrorBody)))]
#[post("/mailboxes/{id}/fetch")]
pub async fn fetch_mailbox(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<crate::mail::imap::FetchReport>> {
    user.require_admin()?;
    Ok(web::Json(crate::mail::imap::fetch_once(&ctx, *id).await?))
}

/// One resource for both methods of `/inbound`; the POST reads its (large) body itself, within
/// the mailbox's limit.
fn inbound_resource() -> actix_web::Resource {
    web::resource("/inbound")
        .route(web::post().to(inbound))
        .route(web::get().to(list_inbound))
}

routes!(list_mailboxes, create_mailbox, get_mailbox, update_mailbox, delete_mailbox, rotate_secret, fetch_mailbox, test_connection, test_mail, inbound_raw, replay, release;
    by_hand inbound_resource => [inbound, list_inbound]);
