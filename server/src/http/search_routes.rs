//! Search: tickets for anyone signed in (rights applied by the engine), knowledge-base
//! articles (sign-in optional when the KB is public), suggestions for a ticket (staff).

use actix_web::{get, web};
use protocol::{KbHit, KbSearchParams, Page, SearchStatus, TicketHit, TicketSearchParams};

use crate::auth::{CurrentUser, MaybeUser};
use crate::context::AppContext;
use crate::error::AppResult;
use crate::search::service;

/// Full-text ticket search with filters; only tickets the caller may see, internal notes for
/// staff only.
#[utoipa::path(get, path = "/api/v1/search/tickets", tag = "search", params(TicketSearchParams), security(("bearer" = [])),
    responses((status = 200, body = Page<TicketHit>), (status = 400, body = protocol::ErrorBody), (status = 401, body = protocol::ErrorBody),
        (status = 422, body = protocol::ErrorBody)))]
#[get("/search/tickets")]
pub async fn search_tickets(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    q: web::Query<TicketSearchParams>,
) -> AppResult<web::Json<Page<TicketHit>>> {
    Ok(web::Json(
        service::tickets(ctx.db(), ctx.settings(), ctx.search().engine(), &user, &q).await?,
    ))
}

/// Articles matching what a reader types (typos and unfinished last words allowed).
#[utoipa::path(get, path = "/api/v1/kb/search", tag = "kb", params(KbSearchParams),
    responses((status = 200, body = Vec<KbHit>), (status = 400, body = protocol::ErrorBody), (status = 401, body = protocol::ErrorBody)))]
#[get("/kb/search")]
pub async fn search_articles(
    ctx: web::Data<AppContext>,
    user: MaybeUser,
    q: web::Query<KbSearchParams>,
) -> AppResult<web::Json<Vec<KbHit>>> {
    Ok(web::Json(
        service::articles(ctx.settings(), ctx.search().engine(), user.as_ref(), &q).await?,
    ))
}

/// The five articles most relevant to a ticket (staff; agents-only articles included).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/kb-suggestions", tag = "kb", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<KbHit>), (status = 403, body = protocol::ErrorBody), (status = 404, body = protocol::ErrorBody)))]
#[get("/tickets/{id}/kb-suggestions")]
pub async fn ticket_suggestions(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<KbHit>>> {
    Ok(web::Json(
        service::suggest_for_ticket(ctx.db(), ctx.settings(), ctx.search().engine(), &user, *id).await?,
    ))
}

/// Which engine answers, what it holds and what waits to be indexed on this node (admins).
#[utoipa::path(get, path = "/api/v1/admin/search", tag = "search", security(("bearer" = [])),
    responses((status = 200, body = SearchStatus), (status = 403, body = protocol::ErrorBody)))]
#[get("/admin/search")]
pub async fn status(ctx: web::Data<AppContext>, user: CurrentUser) -> AppResult<web::Json<SearchStatus>> {
    user.require_admin()?;
    let search = ctx.search();
    let (tickets, articles) = search.engine().counts().await?;
    Ok(web::Json(SearchStatus {
        engine: search.engine().name().to_owned(),
        tickets,
        articles,
        pending: search.indexer().pending(),
    }))
}

routes!(search_tickets, search_articles, ticket_suggestions, status);
