//! The browser app's static files, with the SPA fallback: any non-API path that is not a file
//! gets `index.html`, so deep links like `/tickets/12` load the app.

use std::path::{Path, PathBuf};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

#[derive(Clone)]
pub struct StaticDir(pub PathBuf);

pub async fn serve(req: HttpRequest, dir: web::Data<StaticDir>) -> HttpResponse {
    let root = &dir.0;
    let rel = req.path().trim_start_matches('/');
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(file) = resolve(root, rel) {
        return file_response(&file, false, if_none_match.as_deref()).await;
    }
    let index = root.join("index.html");
    if index.is_file() {
        return file_response(&index, true, if_none_match.as_deref()).await;
    }
    HttpResponse::ServiceUnavailable().content_type("text/plain; charset=utf-8").body(format!(
        "The Maildesk browser app is not built (no {}). Run scripts/build-frontend.sh, or use the API under /api/v1.",
        index.display()
    ))
}

/// A real file under `root`, never outside it.
fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    if rel.is_empty()
        || rel
            .split('/')
            .any(|seg| seg == ".." || seg.starts_with('.') || seg.contains('\\'))
    {
        return None;
    }
    let path = root.join(rel);
    path.is_file().then_some(path)
}

async fn file_response(path: &Path, is_index: bool, if_none_match: Option<&str>) -> HttpResponse {
    let Ok(meta) = tokio::fs::metadata(path).await else {
        return HttpResponse::NotFound().finish();
    };
    // Size and modification time identify a build's file without reading it.
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let etag = format!("\"{:x}-{modified:x}\"", meta.len());
    // The bundle's file names are not content-hashed, so browsers must revalidate (cheaply,
    // by ETag) rather than keep a stale app after an upgrade.
    let cache = if is_index {
        "no-cache"
    } else {
        "public, max-age=0, must-revalidate"
    };
    if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*")) {
        return HttpResponse::NotModified()
            .insert_header((header::CACHE_CONTROL, cache))
            .insert_header((header::ETAG, etag))
            .finish();
    }
    let Ok(bytes) = tokio::fs::read(path).await else {
        return HttpResponse::NotFound().finish();
    };
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime.essence_str().to_owned()))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes)
}
