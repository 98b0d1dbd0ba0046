//! The browser app, with the SPA fallback: any non-API path that is not a file gets
//! `index.html`, so deep links like `/tickets/12` load the app. The app comes from the binary
//! itself (built in at compile time, `spa_embedded.rs`) unless `http.static_dir` names a folder,
//! which is then served from disk as it is (for working on the frontend without rebuilding the
//! server).

use std::path::{Path, PathBuf};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::spa_embedded;
use crate::settings::HttpSettings;

/// Where the app's files come from.
#[derive(Clone, Debug)]
pub enum AppFiles {
    /// Built into the binary (`server/build.rs`).
    Embedded,
    /// A folder on disk (`http.static_dir`): unhashed names, revalidated on every load.
    Disk(PathBuf),
}

impl AppFiles {
    pub fn from_settings(http: &HttpSettings) -> Self {
        if http.static_dir.as_os_str().is_empty() {
            Self::Embedded
        } else {
            Self::Disk(http.static_dir.clone())
        }
    }

    /// A line for the start-up output when the app is not the one built in, or is missing.
    pub fn notice(&self) -> Option<String> {
        match self {
            Self::Embedded if spa_embedded::is_empty() => Some(spa_embedded::not_built_text()),
            Self::Embedded => None,
            Self::Disk(dir) => Some(format!(
                "Serving the browser app from {} (http.static_dir)",
                dir.display()
            )),
        }
    }
}

pub async fn serve(req: HttpRequest, files: web::Data<AppFiles>) -> HttpResponse {
    match files.get_ref() {
        AppFiles::Embedded => spa_embedded::serve(&req),
        AppFiles::Disk(root) => serve_disk(&req, root).await,
    }
}

/// A request path the app may have a file for: no `..`, no dot files, no backslashes.
pub(super) fn is_safe(rel: &str) -> bool {
    !rel.is_empty()
        && !rel
            .split('/')
            .any(|seg| seg == ".." || seg.starts_with('.') || seg.contains('\\'))
}

async fn serve_disk(req: &HttpRequest, root: &Path) -> HttpResponse {
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
        "The Maildesk browser app is not built (no {}, named by http.static_dir). Run scripts/build-frontend.sh, or use the API under /api/v1.",
        index.display()
    ))
}

/// A real file under `root`, never outside it.
fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    if !is_safe(rel) {
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
    // A folder's file names are not content-hashed, so browsers must revalidate (cheaply, by
    // ETag) rather than keep a stale app after the folder changes.
    let cache = if is_index {
        "no-cache"
    } else {
        "public, max-age=0, must-revalidate"
    };
    if etag_matches(if_none_match, &etag) {
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

/// `If-None-Match` names `etag` (or `*`): the browser's copy is current.
pub(super) fn etag_matches(if_none_match: Option<&str>, etag: &str) -> bool {
    // Weak comparison (RFC 9110 §13.1.2): a `W/` prefix does not stop a match.
    if_none_match.is_some_and(|v| {
        v.split(',')
            .map(|t| t.trim())
            .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
    })
}
