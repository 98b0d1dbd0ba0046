//! Automation rules administration (admins only), and the dry run.

use actix_web::{HttpResponse, delete, get, post, put, web};
use protocol::{DryRunRequest, DryRunResult, Rule, SaveRule};

use crate::auth::CurrentUser;
use crate::context::AppContext;
use crate::egress::Egress;
use crate::error::AppResult;
use crate::rules::{engine, store};

/// Rules in evaluation order.
#[utoipa::path(get, path = "/api/v1/admin/rules", tag = "rules", security(("bearer" = [])),
    responses((status = 200, body = Vec<Rule>)))]
#[get("/admin/rules")]
pub async fn list_rules(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<Rule>>> {
    user.require_admin()?;
    Ok(web::Json(store::list(ctx.db()).await?))
}

/// Create a rule; it goes last unless `position` is given.
#[utoipa::path(post, path = "/api/v1/admin/rules", tag = "rules", request_body = SaveRule, security(("bearer" = [])),
    responses((status = 201, body = Rule), (status = 422, body = protocol::ErrorBody)))]
#[post("/admin/rules")]
pub async fn create_rule(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<SaveRule>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(store::create(ctx.db(), save_env(&ctx), &body).await?))
}

/// Which rules would match a ticket as it is now, and what they would do; changes nothing.
#[utoipa::path(post, path = "/api/v1/admin/rules/dry-run", tag = "rules", request_body = DryRunRequest, security(("bearer" = [])),
    responses((status = 200, body = DryRunResult), (status = 422, body = protocol::ErrorBody)))]
#[post("/admin/rules/dry-run")]
pub async fn dry_run(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<DryRunRequest>,
) -> AppResult<web::Json<DryRunResult>> {
    user.require_admin()?;
    Ok(web::Json(engine::dry_run(ctx.db(), &body).await?))
}

/// One rule.
#[utoipa::path(get, path = "/api/v1/admin/rules/{id}", tag = "rules", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Rule), (status = 404, body = protocol::ErrorBody)))]
#[get("/admin/rules/{id}")]
pub async fn get_rule(ctx: web::Data<AppContext>, user: CurrentUser, id: web::Path<i64>) -> AppResult<web::Json<Rule>> {
    user.require_admin()?;
    Ok(web::Json(store::get(ctx.db(), *id).await?))
}

/// Replace a rule.
#[utoipa::path(put, path = "/api/v1/admin/rules/{id}", tag = "rules", params(("id" = i64, Path)), request_body = SaveRule,
    security(("bearer" = [])), responses((status = 200, body = Rule), (status = 404, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[put("/admin/rules/{id}")]
pub async fn replace_rule(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SaveRule>,
) -> AppResult<web::Json<Rule>> {
    user.require_admin()?;
    Ok(web::Json(store::replace(ctx.db(), save_env(&ctx), *id, &body).await?))
}

/// Delete a rule.
#[utoipa::path(delete, path = "/api/v1/admin/rules/{id}", tag = "rules", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = protocol::ErrorBody)))]
#[delete("/admin/rules/{id}")]
pub async fn delete_rule(ctx: web::Data<AppContext>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    user.require_admin()?;
    store::delete(ctx.db(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn save_env(ctx: &AppContext) -> store::SaveEnv<'_> {
    store::SaveEnv {
        keys: ctx.keys(),
        egress: Egress::of(ctx.settings()),
    }
}

routes!(list_rules, create_rule, dry_run, get_rule, replace_rule, delete_rule);
