//! SLA administration (admins only): business calendars and SLA policies.

use actix_web::{HttpResponse, delete, get, post, put, web};
use protocol::{BusinessCalendar, SaveCalendar, SaveSlaPolicy, SlaPolicy};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::context::AppContext;
use crate::error::AppResult;
use crate::sla::{calendars, policies};

/// Business calendars, by name.
#[utoipa::path(get, path = "/api/v1/admin/calendars", tag = "sla", security(("bearer" = [])),
    responses((status = 200, body = Vec<BusinessCalendar>)))]
#[get("/admin/calendars")]
pub async fn list_calendars(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
) -> AppResult<web::Json<Vec<BusinessCalendar>>> {
    user.require_admin()?;
    Ok(web::Json(calendars::list(ctx.db()).await?))
}

/// Create a calendar: time zone, working hours per weekday, holidays.
#[utoipa::path(post, path = "/api/v1/admin/calendars", tag = "sla", request_body = SaveCalendar, security(("bearer" = [])),
    responses((status = 201, body = BusinessCalendar), (status = 409, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[post("/admin/calendars")]
pub async fn create_calendar(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<SaveCalendar>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(calendars::create(ctx.db(), &body).await?))
}

/// One calendar.
#[utoipa::path(get, path = "/api/v1/admin/calendars/{id}", tag = "sla", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = BusinessCalendar), (status = 404, body = protocol::ErrorBody)))]
#[get("/admin/calendars/{id}")]
pub async fn get_calendar(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<BusinessCalendar>> {
    user.require_admin()?;
    Ok(web::Json(calendars::get(ctx.db(), *id).await?))
}

/// Replace a calendar (existing due times move at their ticket's next recomputation).
#[utoipa::path(put, path = "/api/v1/admin/calendars/{id}", tag = "sla", params(("id" = i64, Path)), request_body = SaveCalendar,
    security(("bearer" = [])),
    responses((status = 200, body = BusinessCalendar), (status = 409, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[put("/admin/calendars/{id}")]
pub async fn replace_calendar(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SaveCalendar>,
) -> AppResult<web::Json<BusinessCalendar>> {
    user.require_admin()?;
    Ok(web::Json(calendars::replace(ctx.db(), *id, &body).await?))
}

/// Delete a calendar no policy uses.
#[utoipa::path(delete, path = "/api/v1/admin/calendars/{id}", tag = "sla", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 409, body = protocol::ErrorBody)))]
#[delete("/admin/calendars/{id}")]
pub async fn delete_calendar(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    calendars::delete(ctx.db(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// SLA policies in list order.
#[utoipa::path(get, path = "/api/v1/admin/sla-policies", tag = "sla", security(("bearer" = [])),
    responses((status = 200, body = Vec<SlaPolicy>)))]
#[get("/admin/sla-policies")]
pub async fn list_policies(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<SlaPolicy>>> {
    user.require_admin()?;
    Ok(web::Json(policies::list(ctx.db()).await?))
}

/// Create a policy (applies to tickets created or re-prioritised from now on).
#[utoipa::path(post, path = "/api/v1/admin/sla-policies", tag = "sla", request_body = SaveSlaPolicy, security(("bearer" = [])),
    responses((status = 201, body = SlaPolicy), (status = 422, body = protocol::ErrorBody)))]
#[post("/admin/sla-policies")]
pub async fn create_policy(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<SaveSlaPolicy>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(policies::create(ctx.db(), &body).await?))
}

/// One policy.
#[utoipa::path(get, path = "/api/v1/admin/sla-policies/{id}", tag = "sla", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = SlaPolicy), (status = 404, body = protocol::ErrorBody)))]
#[get("/admin/sla-policies/{id}")]
pub async fn get_policy(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<SlaPolicy>> {
    user.require_admin()?;
    Ok(web::Json(policies::get(ctx.db(), *id).await?))
}

/// Replace a policy.
#[utoipa::path(put, path = "/api/v1/admin/sla-policies/{id}", tag = "sla", params(("id" = i64, Path)), request_body = SaveSlaPolicy,
    security(("bearer" = [])), responses((status = 200, body = SlaPolicy), (status = 422, body = protocol::ErrorBody)))]
#[put("/admin/sla-policies/{id}")]
pub async fn replace_policy(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SaveSlaPolicy>,
) -> AppResult<web::Json<SlaPolicy>> {
    user.require_admin()?;
    Ok(web::Json(policies::replace(ctx.db(), *id, &body).await?))
}

/// Delete a policy; the open tickets it governed get the policy that matches them now.
#[utoipa::path(delete, path = "/api/v1/admin/sla-policies/{id}", tag = "sla", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = protocol::ErrorBody)))]
#[delete("/admin/sla-policies/{id}")]
pub async fn delete_policy(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    policies::delete(&change, *id, chrono::Utc::now()).await?;
    change.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

routes!(
    list_calendars,
    create_calendar,
    get_calendar,
    replace_calendar,
    delete_calendar,
    list_policies,
    create_policy,
    get_policy,
    replace_policy,
    delete_policy
);
