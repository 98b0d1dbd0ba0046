//! Knowledge-base articles: staff write them; customers — and anonymous visitors when
//! `portal.public_kb` is on — read the public ones.

use actix_web::{HttpResponse, delete, get, post, put, web};
use protocol::{KbArticle, KbFeedback, Page, SaveKbArticle};

use crate::auth::{CurrentUser, MaybeUser};
use crate::context::AppContext;
use crate::error::AppResult;
use crate::kb::articles::{self, Reader};
use crate::paging::Paging;

fn reader(ctx: &AppContext, user: Option<&CurrentUser>) -> AppResult<Reader> {
    Reader::of(user, ctx.settings().portal.public_kb)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KbQuery {
    pub category_id: Option<i64>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Articles the caller may read (sign-in optional when the portal's KB is public).
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "kb", params(KbQuery),
    responses((status = 200, body = Page<KbArticle>), (status = 400, body = protocol::ErrorBody),
        (status = 401, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[get("/kb/articles")]
pub async fn list_articles(
    ctx: web::Data<AppContext>,
    user: MaybeUser,
    q: web::Query<KbQuery>,
) -> AppResult<web::Json<Page<KbArticle>>> {
    let reader = reader(&ctx, user.as_ref())?;
    Ok(web::Json(
        articles::list(
            ctx.db(),
            reader,
            q.category_id,
            Paging::parse(q.page, q.per_page, 50, 200)?,
        )
        .await?,
    ))
}

/// One article.
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "kb", params(("id" = i64, Path)),
    responses((status = 200, body = KbArticle), (status = 401, body = protocol::ErrorBody), (status = 404, body = protocol::ErrorBody)))]
#[get("/kb/articles/{id}")]
pub async fn get_article(
    ctx: web::Data<AppContext>,
    user: MaybeUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<KbArticle>> {
    let reader = reader(&ctx, user.as_ref())?;
    Ok(web::Json(articles::get(ctx.db(), reader, *id).await?))
}

/// Write an article (staff).
#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "kb", request_body = SaveKbArticle, security(("bearer" = [])),
    responses((status = 201, body = KbArticle), (status = 422, body = protocol::ErrorBody)))]
#[post("/kb/articles")]
pub async fn create_article(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    body: web::Json<SaveKbArticle>,
) -> AppResult<HttpResponse> {
    let article = articles::create(ctx.db(), &user, &body).await?;
    ctx.realtime().article_changed(article.id).await;
    Ok(HttpResponse::Created().json(article))
}

/// Replace an article (staff).
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", tag = "kb", params(("id" = i64, Path)), request_body = SaveKbArticle,
    security(("bearer" = [])), responses((status = 200, body = KbArticle), (status = 422, body = protocol::ErrorBody)))]
#[put("/kb/articles/{id}")]
pub async fn update_article(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SaveKbArticle>,
) -> AppResult<web::Json<KbArticle>> {
    let article = articles::update(ctx.db(), &user, *id, &body).await?;
    ctx.realtime().article_changed(article.id).await;
    Ok(web::Json(article))
}

/// Delete an article (staff).
#[utoipa::path(delete, path = "/api/v1/kb/articles/{id}", tag = "kb", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = protocol::ErrorBody)))]
#[delete("/kb/articles/{id}")]
pub async fn delete_article(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    articles::delete(ctx.db(), &user, *id).await?;
    ctx.realtime().article_changed(*id).await;
    Ok(HttpResponse::NoContent().finish())
}

/// "Was this helpful?" (anyone who may read the article).
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/feedback", tag = "kb", params(("id" = i64, Path)),
    request_body = KbFeedback,
    responses((status = 200, body = KbArticle), (status = 401, body = protocol::ErrorBody), (status = 404, body = protocol::ErrorBody)))]
#[post("/kb/articles/{id}/feedback")]
pub async fn feedback(
    ctx: web::Data<AppContext>,
    user: MaybeUser,
    id: web::Path<i64>,
    body: web::Json<KbFeedback>,
) -> AppResult<web::Json<KbArticle>> {
    let reader = reader(&ctx, user.as_ref())?;
    Ok(web::Json(
        articles::feedback(ctx.db(), reader, *id, body.helpful).await?,
    ))
}

routes!(
    list_articles,
    get_article,
    create_article,
    update_article,
    delete_article,
    feedback
);
