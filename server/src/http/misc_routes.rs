//! Attachment downloads (stored files, and withheld ones from the original mail) and the
//! health check.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use protocol::{EngineHealth, Health};
use sea_orm::ConnectionTrait;

use crate::auth::{CurrentUser, TicketedUser};
use crate::context::AppContext;
use crate::error::AppResult;
use crate::http::content_disposition;
use crate::http::openapi::Binary;
use crate::tickets::access::Scope;
use crate::tickets::attachments;

/// Download an attachment (rights of its ticket and message apply). A browser link or `<img>`
/// authenticates with a one-time `?ticket=` (`POST /auth/ticket`).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "tickets", params(("id" = i64, Path), ("ticket" = Option<String>, Query)),
    security(("bearer" = [])),
    responses((status = 200, description = "the file; images that render inline keep their own type",
        content((Binary = "application/octet-stream"), (Binary = "image/png"), (Binary = "image/jpeg"),
            (Binary = "image/gif"), (Binary = "image/webp"))),
        (status = 401, body = protocol::ErrorBody), (status = 404, body = protocol::ErrorBody)))]
#[get("/attachments/{id}")]
pub async fn download(
    ctx: web::Data<AppContext>,
    TicketedUser(user): TicketedUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let scope = Scope::of(ctx.db(), ctx.settings(), &user).await?;
    let (a, bytes) = attachments::download(ctx.db(), ctx.blobs(), &scope, &user, *id).await?;
    // Only images render inline; anything else (HTML, SVG, PDF…) is a download, so an uploaded
    // file can never run script in our origin.
    let inline = matches!(
        a.content_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    );
    // The name comes from a mail or an upload: encoded, never pasted into the header.
    let disposition = if inline {
        content_disposition::inline(&a.filename)
    } else {
        content_disposition::attachment(&a.filename)
    };
    let content_type = if inline {
        a.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(bytes))
}

/// A file of an inbound mail that the mailbox did not store (too large, a blocked type), from
/// the original mail while retention keeps it (staff). A browser link authenticates with a
/// one-time `?ticket=`.
#[utoipa::path(get, path = "/api/v1/messages/{id}/original/{index}", tag = "tickets",
    params(("id" = i64, Path), ("index" = usize, Path), ("ticket" = Option<String>, Query)), security(("bearer" = [])),
    responses((status = 200, description = "the file", content((Binary = "application/octet-stream"))),
        (status = 401, body = protocol::ErrorBody), (status = 404, body = protocol::ErrorBody)))]
#[get("/messages/{id}/original/{index}")]
pub async fn withheld_original(
    ctx: web::Data<AppContext>,
    TicketedUser(user): TicketedUser,
    path: web::Path<(i64, usize)>,
) -> AppResult<HttpResponse> {
    let (id, index) = path.into_inner();
    let scope = Scope::of(ctx.db(), ctx.settings(), &user).await?;
    let (filename, bytes) = attachments::withheld_original(ctx.db(), &scope, &user, id, index).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/octet-stream"))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition::attachment(&filename)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// Which engines run and whether they answer. Why one fails (an error text naming hosts,
/// users, paths) is for admins only: anyone else gets ok / not ok per engine.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/health")]
pub async fn health(ctx: web::Data<AppContext>, caller: Option<CurrentUser>) -> HttpResponse {
    let mut engines = Vec::new();
    let db = ctx.db().execute_unprepared("SELECT 1").await;
    engines.push(EngineHealth {
        name: "database".into(),
        kind: crate::db::backend_name(ctx.db()).into(),
        ok: db.is_ok(),
        error: db.err().map(|e| e.to_string()),
    });
    match ctx.redis() {
        Some(conn) => {
            let mut conn = conn.clone();
            let ping: Result<String, _> = redis::cmd("PING").query_async(&mut conn).await;
            engines.push(EngineHealth {
                name: "bus".into(),
                kind: "redis".into(),
                ok: ping.is_ok(),
                error: ping.err().map(|e| e.to_string()),
            });
        }
        None => engines.push(EngineHealth {
            name: "bus".into(),
            kind: "in_process".into(),
            ok: true,
            error: None,
        }),
    }
    let blobs_ok = ctx.blobs().is_writable();
    engines.push(EngineHealth {
        name: "blobs".into(),
        kind: "filesystem".into(),
        ok: blobs_ok,
        error: (!blobs_ok).then(|| format!("{} is not writable", ctx.blobs().root().display())),
    });
    for e in engines.iter().filter(|e| !e.ok) {
        tracing::warn!(engine = %e.name, kind = %e.kind, error = e.error.as_deref().unwrap_or(""), "health check failed");
    }
    if !caller.is_some_and(|u| u.is_admin()) {
        for e in &mut engines {
            e.error = None;
        }
    }
    let ok = engines.iter().all(|e| e.ok);
    let body = Health {
        status: if ok { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        engines,
    };
    if ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

routes!(download, withheld_original, health);
