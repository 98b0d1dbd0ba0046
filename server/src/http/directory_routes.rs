use actix_web::{HttpResponse, delete, get, post, put, web};
use protocol::{
    CannedResponse, Category, Company, CreateCannedResponse, CreateCategory, CreateCompany, CreateUser, Role,
    SetCategoryAgents, User,
};

use crate::auth::CurrentUser;
use crate::context::AppContext;
use crate::directory::{canned, categories, companies, users};
use crate::error::AppResult;
use crate::paging::Paging;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    /// Only accounts of this role.
    pub role: Option<Role>,
    /// 1-based page number.
    pub page: Option<u64>,
    /// Accounts per page (default 500, at most 1000).
    pub per_page: Option<u64>,
}

/// Users in id order (staff see everyone; the directory is how agents find requesters).
#[utoipa::path(get, path = "/api/v1/users", tag = "directory", params(UserListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<User>), (status = 400, body = protocol::ErrorBody),
        (status = 401, body = protocol::ErrorBody), (status = 403, body = protocol::ErrorBody),
        (status = 422, body = protocol::ErrorBody)))]
#[get("/users")]
pub async fn list_users(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    q: web::Query<UserListQuery>,
) -> AppResult<web::Json<Vec<User>>> {
    user.require_staff()?;
    let paging = Paging::parse(q.page, q.per_page, 500, 1000)?;
    Ok(web::Json(users::list(ctx.db(), q.role, paging).await?))
}

/// Create an account (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "directory", request_body = CreateUser, security(("bearer" = [])),
    responses((status = 201, body = User), (status = 409, body = protocol::ErrorBody)))]
#[post("/users")]
pub async fn create_user(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<CreateUser>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(users::create(ctx.db(), &body).await?))
}

/// One user (staff).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "directory", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = User)))]
#[get("/users/{id}")]
pub async fn get_user(ctx: web::Data<AppContext>, user: CurrentUser, id: web::Path<i64>) -> AppResult<web::Json<User>> {
    if user.id != *id {
        user.require_staff()?;
    }
    Ok(web::Json(users::get(ctx.db(), *id).await?))
}

/// Companies (staff).
#[utoipa::path(get, path = "/api/v1/companies", tag = "directory", security(("bearer" = [])), responses((status = 200, body = Vec<Company>)))]
#[get("/companies")]
pub async fn list_companies(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<Company>>> {
    user.require_staff()?;
    Ok(web::Json(companies::list(ctx.db()).await?))
}

/// Create a company (admins).
#[utoipa::path(post, path = "/api/v1/companies", tag = "directory", request_body = CreateCompany, security(("bearer" = [])),
    responses((status = 201, body = Company)))]
#[post("/companies")]
pub async fn create_company(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<CreateCompany>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(companies::create(ctx.db(), &body).await?))
}

/// Categories (everyone signed in: the portal's new-ticket form offers them).
#[utoipa::path(get, path = "/api/v1/categories", tag = "directory", security(("bearer" = [])), responses((status = 200, body = Vec<Category>)))]
#[get("/categories")]
pub async fn list_categories(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<Category>>> {
    let mut list = categories::list(ctx.db()).await?;
    if !user.is_staff() {
        // Who works which category is staff business.
        list.iter_mut().for_each(|c| c.agent_ids.clear());
    }
    Ok(web::Json(list))
}

/// Create a category (admins).
#[utoipa::path(post, path = "/api/v1/categories", tag = "directory", request_body = CreateCategory, security(("bearer" = [])),
    responses((status = 201, body = Category), (status = 409, body = protocol::ErrorBody)))]
#[post("/categories")]
pub async fn create_category(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<CreateCategory>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(categories::create(ctx.db(), &body).await?))
}

/// Replace a category's agents (admins).
#[utoipa::path(put, path = "/api/v1/categories/{id}/agents", tag = "directory", params(("id" = i64, Path)),
    request_body = SetCategoryAgents, security(("bearer" = [])), responses((status = 200, body = Category)))]
#[put("/categories/{id}/agents")]
pub async fn set_category_agents(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SetCategoryAgents>,
) -> AppResult<web::Json<Category>> {
    user.require_admin()?;
    Ok(web::Json(categories::set_agents(ctx.db(), *id, &body.agent_ids).await?))
}

/// Canned responses (staff).
#[utoipa::path(get, path = "/api/v1/canned-responses", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = Vec<CannedResponse>)))]
#[get("/canned-responses")]
pub async fn list_canned(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<Vec<CannedResponse>>> {
    user.require_staff()?;
    Ok(web::Json(canned::list(ctx.db()).await?))
}

/// Create a canned response (staff).
#[utoipa::path(post, path = "/api/v1/canned-responses", tag = "directory", request_body = CreateCannedResponse,
    security(("bearer" = [])), responses((status = 201, body = CannedResponse)))]
#[post("/canned-responses")]
pub async fn create_canned(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<CreateCannedResponse>,
) -> AppResult<HttpResponse> {
    user.require_staff()?;
    Ok(HttpResponse::Created().json(canned::create(ctx.db(), user.id, &body).await?))
}

/// Delete a canned response (admins).
#[utoipa::path(delete, path = "/api/v1/canned-responses/{id}", tag = "directory", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 204)))]
#[delete("/canned-responses/{id}")]
pub async fn delete_canned(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    canned::delete(ctx.db(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

routes!(
    list_users,
    create_user,
    get_user,
    list_companies,
    create_company,
    list_categories,
    create_category,
    set_category_agents,
    list_canned,
    create_canned,
    delete_canned
);
