//! Custom ticket fields: definitions (read by anyone signed in, within what they may see;
//! changed by admins) and a ticket's values (set by staff).

use actix_web::{HttpResponse, delete, get, post, put, web};
use protocol::{CustomField, SaveCustomField, SetCustomValues, TicketDetail};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::context::AppContext;
use crate::custom_fields::{definitions, values, visible_to};
use crate::error::AppResult;
use crate::http::ticket_routes::scope;
use crate::tickets::queries;

/// The fields the caller may see, in display order.
#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "custom fields", security(("bearer" = [])),
    responses((status = 200, body = Vec<CustomField>)))]
#[get("/custom-fields")]
pub async fn list_fields(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<CustomField>>> {
    let scope = scope(&ctx, &user).await?;
    Ok(web::Json(definitions::list(ctx.db(), visible_to(&scope)).await?))
}

/// Define a field.
#[utoipa::path(post, path = "/api/v1/admin/custom-fields", tag = "custom fields", request_body = SaveCustomField,
    security(("bearer" = [])), responses((status = 201, body = CustomField), (status = 409, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[post("/admin/custom-fields")]
pub async fn create_field(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<SaveCustomField>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(definitions::create(ctx.db(), &body).await?))
}

/// Change a field (its kind only while no ticket holds a value of it).
#[utoipa::path(put, path = "/api/v1/admin/custom-fields/{id}", tag = "custom fields", params(("id" = i64, Path)),
    request_body = SaveCustomField, security(("bearer" = [])),
    responses((status = 200, body = CustomField), (status = 404, body = protocol::ErrorBody), (status = 409, body = protocol::ErrorBody),
        (status = 422, body = protocol::ErrorBody)))]
#[put("/admin/custom-fields/{id}")]
pub async fn replace_field(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SaveCustomField>,
) -> AppResult<web::Json<CustomField>> {
    user.require_admin()?;
    Ok(web::Json(definitions::replace(ctx.db(), *id, &body).await?))
}

/// Delete a field and every ticket's value of it.
#[utoipa::path(delete, path = "/api/v1/admin/custom-fields/{id}", tag = "custom fields", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = protocol::ErrorBody)))]
#[delete("/admin/custom-fields/{id}")]
pub async fn delete_field(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    definitions::delete(ctx.db(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set or clear a ticket's values (staff; each field within the caller's visibility).
#[utoipa::path(put, path = "/api/v1/tickets/{id}/custom-fields", tag = "custom fields", params(("id" = i64, Path)),
    request_body = SetCustomValues, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403, body = protocol::ErrorBody), (status = 409, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[put("/tickets/{id}/custom-fields")]
pub async fn set_values(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SetCustomValues>,
) -> AppResult<web::Json<TicketDetail>> {
    let scope = scope(&ctx, &user).await?;
    let change = Change::open(&ctx, Some(user.id)).await?;
    values::set(&change, &scope, &user, *id, &body).await?;
    change.commit().await?;
    let detail = queries::detail(ctx.db(), &scope, *id).await?;
    Ok(web::Json(detail))
}

routes!(list_fields, create_field, replace_field, delete_field, set_values);
