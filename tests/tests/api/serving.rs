//! What the server serves besides the API: the browser app built into the binary (content-hashed
//! names cached for good, index.html revalidated, deep links, precompressed copies, nothing
//! outside the app), the same app from a folder when `http.static_dir` names one, the health
//! report, and an OpenAPI document that matches the real routes one for one.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use maildesk_tests::client::{expect_error_for, ok_json};
use maildesk_tests::{Backend, TestApp, both_backends, spawn_app_on, spawn_app_with, workspace_root};
use protocol::{ErrorCode, Health};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn dist() -> PathBuf {
    workspace_root().join("frontend/dist")
}

/// Fails, saying how to fix it, when this build of the server embeds no app.
fn embedded_app() {
    assert!(
        !maildesk::http::spa_embedded::is_empty(),
        "this build of maildesk embeds no browser app: run scripts/build-frontend.sh, then the tests again"
    );
}

async fn page(app: &TestApp, path: &str) -> reqwest::Response {
    get(app, path, &[]).await
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.api.http().get(format!("{}{path}", app.address()));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.expect("GET")
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The app's own files that a page loads: `src` and `href` values that are paths on this server.
fn local_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = &html[at + attr.len()..];
            let value = &value[..value.find('"').expect("closing quote")];
            if value.starts_with('/') && !value.starts_with("//") {
                found.push(value.to_owned());
            }
        }
    }
    found
}

/// `/pkg/maildesk_frontend_bg-0123abcd.wasm` → `maildesk_frontend_bg`: the name it had in dist.
fn unhashed_stem(path: &str) -> Option<&str> {
    let file = path.rsplit('/').next()?;
    let (stem, _ext) = file.rsplit_once('.')?;
    let (name, hash) = stem.rsplit_once('-')?;
    (hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_is_served_at_the_root_and_for_deep_links() {
    embedded_app();
    let app = spawn_app_on(Backend::Sqlite).await;
    let index = page(&app, "/").await.text().await.expect("body");
    assert!(index.contains("maildesk_frontend"), "unexpected index.html: {index}");
    for path in ["/", "/tickets/42", "/tickets/12", "/tickets/42/", "/admin/users"] {
        let resp = page(&app, path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            header(&resp, "content-type").starts_with("text/html"),
            "{path}: {:?}",
            resp.headers()
        );
        // Revalidated on every load: an upgrade reaches the browser on its next visit.
        assert_eq!(header(&resp, "cache-control"), "no-cache", "{path}");
        assert!(header(&resp, "etag").starts_with('"'), "{path}: no strong ETag");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(resp.text().await.expect("body"), index, "{path} must serve index.html");
    }
}

/// Every file index.html loads has a content-hashed name, so it is cached for good; the
/// references inside the files (boot.js → the JS glue → the wasm) follow the renaming.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_loads_only_hashed_names_and_each_is_immutable() {
    embedded_app();
    let app = spawn_app_on(Backend::Sqlite).await;
    let index = page(&app, "/").await.text().await.expect("body");
    let refs = local_references(&index);
    let find = |stem: &str| {
        refs.iter()
            .find(|r| unhashed_stem(r) == Some(stem))
            .unwrap_or_else(|| panic!("index.html loads no hashed {stem}: {refs:?}"))
            .clone()
    };
    let (wasm, glue, boot) = (find("maildesk_frontend_bg"), find("maildesk_frontend"), find("boot"));
    find("maildesk");
    find("theme");
    for path in &refs {
        let stem = unhashed_stem(path).unwrap_or_else(|| panic!("{path}: not a content-hashed name"));
        let resp = page(&app, path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(header(&resp, "cache-control"), IMMUTABLE, "{path}");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{path}");
        let mime = match path.rsplit('.').next() {
            Some("wasm") => "application/wasm",
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            other => panic!("{path}: unexpected kind {other:?}"),
        };
        assert_eq!(header(&resp, "content-type").split(';').next(), Some(mime), "{path}");
        // Files that name no other file are embedded byte for byte as the build wrote them.
        let dir = Path::new(&path[1..])
            .parent()
            .map(|d| dist().join(d))
            .unwrap_or_else(dist);
        let ext = path.rsplit('.').next().unwrap_or_default();
        let body = resp.bytes().await.expect("body");
        if mime != "text/javascript" {
            let on_disk = std::fs::read(dir.join(format!("{stem}.{ext}"))).expect("the file in dist");
            assert!(body.as_ref() == on_disk.as_slice(), "{path}: bytes differ from dist");
        }
    }
    let wasm_file = wasm.rsplit('/').next().unwrap_or_default();
    let glue_text = page(&app, &glue).await.text().await.expect("glue");
    assert!(
        glue_text.contains(&format!("new URL('{wasm_file}', import.meta.url)")),
        "{glue} does not load {wasm_file}"
    );
    let boot_text = page(&app, &boot).await.text().await.expect("boot.js");
    assert!(
        boot_text.contains(&format!("from '{glue}'")),
        "{boot} does not import {glue}: {boot_text}"
    );
}

fn brotli_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn gzip_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// The precompressed copies are the same file: brotli when the browser takes it, else gzip,
/// else the bytes as they are; `q=0` refuses an encoding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_copies_follow_accept_encoding_and_decode_to_the_file() {
    embedded_app();
    let app = spawn_app_on(Backend::Sqlite).await;
    let index = page(&app, "/").await.text().await.expect("body");
    let refs = local_references(&index);
    let wasm = refs.iter().find(|r| r.ends_with(".wasm")).expect("the wasm");
    for path in [wasm.as_str(), "/", "/tickets/12"] {
        let plain = get(&app, path, &[("Accept-Encoding", "identity")]).await;
        assert_eq!(header(&plain, "content-encoding"), "", "{path}");
        let plain_etag = header(&plain, "etag");
        let plain = plain.bytes().await.expect("body");
        let mut etags = BTreeSet::from([plain_etag]);
        for (accept, coding) in [
            ("gzip, deflate, br, zstd", "br"),
            ("br", "br"),
            ("gzip", "gzip"),
            ("br;q=0, gzip", "gzip"),
            ("br;q=0, gzip;q=0", ""),
        ] {
            let resp = get(&app, path, &[("Accept-Encoding", accept)]).await;
            assert_eq!(resp.status(), 200, "{path} {accept}");
            assert_eq!(header(&resp, "content-encoding"), coding, "{path} with {accept}");
            assert_eq!(
                header(&resp, "vary").to_ascii_lowercase(),
                "accept-encoding",
                "{path} {accept}"
            );
            etags.insert(header(&resp, "etag"));
            let body = resp.bytes().await.expect("body");
            let decoded = match coding {
                "br" => brotli_decode(&body),
                "gzip" => gzip_decode(&body),
                _ => body.to_vec(),
            };
            assert!(
                decoded == plain.as_ref(),
                "{path} with {accept}: decodes to other bytes"
            );
            if !coding.is_empty() {
                assert!(body.len() < plain.len(), "{path}: {coding} is no smaller");
            }
        }
        // Different bytes, different strong ETags: identity, br, gzip.
        assert_eq!(etags.len(), 3, "{path}: {etags:?}");
    }
}

/// index.html is `no-cache`, so every page load revalidates it by ETag; that is only cheap if a
/// matching `If-None-Match` gets 304 instead of the page (hashed files too, should a browser ask).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revalidating_with_a_matching_etag_answers_304() {
    embedded_app();
    let app = spawn_app_on(Backend::Sqlite).await;
    let index = page(&app, "/").await.text().await.expect("body");
    let wasm = local_references(&index)
        .into_iter()
        .find(|r| r.ends_with(".wasm"))
        .expect("wasm");
    for path in [wasm.as_str(), "/", "/tickets/12"] {
        for accept in ["br", "gzip", "identity"] {
            let first = get(&app, path, &[("Accept-Encoding", accept)]).await;
            let etag = header(&first, "etag");
            let cache = header(&first, "cache-control");
            let again = get(&app, path, &[("Accept-Encoding", accept), ("If-None-Match", &etag)]).await;
            assert_eq!(again.status(), 304, "{path} ({accept}) with If-None-Match: {etag}");
            assert_eq!(header(&again, "etag"), etag, "{path} ({accept})");
            assert_eq!(header(&again, "cache-control"), cache, "{path} ({accept})");
            assert!(again.bytes().await.expect("body").is_empty());
        }
        // A copy in another encoding is other bytes: sent in full.
        let gzip_etag = header(&get(&app, path, &[("Accept-Encoding", "gzip")]).await, "etag");
        let br = get(&app, path, &[("Accept-Encoding", "br"), ("If-None-Match", &gzip_etag)]).await;
        assert_eq!(
            br.status(),
            200,
            "{path}: the gzip ETag must not validate the brotli copy"
        );
    }
}

/// A request sent byte for byte, since HTTP clients normalise `..` away before sending.
fn raw_get(port: u16, target: &str) -> (u16, String) {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read");
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{target}: {text:?}"));
    (status, text)
}

/// Raw requests that try to climb out of the app; `real` is a file the same raw request does
/// get (so a refusal means something), `secret` text that must never come back.
async fn no_path_escapes_the_app(app: &TestApp, real: &str, targets: &[String], secrets: &[&str]) {
    let index = page(app, "/").await.text().await.expect("index");
    let port = app.port;
    let real = real.to_owned();
    let (status, css) = tokio::task::spawn_blocking(move || raw_get(port, &real))
        .await
        .expect("task");
    assert!(status == 200 && css.contains("text/css"), "{css:.300}");
    for target in targets {
        let (status, text) = tokio::task::spawn_blocking({
            let target = target.clone();
            move || raw_get(port, &target)
        })
        .await
        .expect("task");
        assert!(
            secrets.iter().all(|s| !text.contains(s)),
            "{target} leaked a file: {text}"
        );
        assert!(status < 500, "{target}: {status}");
        if status == 200 {
            assert!(text.ends_with(&index), "{target}: 200 but not the app: {text:.500}");
        }
    }
}

fn climbing(file: &str) -> Vec<String> {
    [
        "/../{f}",
        "/../../{f}",
        "/%2e%2e/{f}",
        "/%2e%2e/%2e%2e/{f}",
        "/%2E%2E%2F%2E%2E%2F{f}",
        "/pkg/../../{f}",
        "/pkg/..%2f..%2f..%2f{f}",
        "/.%2e/.%2e/{f}",
        "/..%5c..%5c{f}",
    ]
    .iter()
    .map(|t| t.replace("{f}", file))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_never_serves_files_outside_the_app() {
    embedded_app();
    let app = spawn_app_on(Backend::Sqlite).await;
    let index = page(&app, "/").await.text().await.expect("body");
    let css = local_references(&index)
        .into_iter()
        .find(|r| r.ends_with(".css"))
        .expect("css");
    let mut targets = climbing("Cargo.toml");
    targets.push(format!("//{}/Cargo.toml", workspace_root().display()));
    // frontend/Cargo.toml has [package], the workspace's has [workspace].
    no_path_escapes_the_app(&app, &css, &targets, &["[package]", "[workspace]"]).await;
}

/// `http.static_dir` serves a folder from disk as it is (for frontend work): unhashed names,
/// revalidated every time, deep links to its index.html, and nothing outside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_dir_serves_that_folder_from_disk() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("secret.txt"), "TOP-SECRET beside the app").expect("write");
    let dir = tmp.path().join("app");
    std::fs::create_dir_all(dir.join("pkg")).expect("mkdir");
    let index = "<!doctype html><title>dev build</title><script src=\"/pkg/dev.js\"></script>";
    std::fs::write(dir.join("index.html"), index).expect("write");
    std::fs::write(dir.join("pkg/dev.js"), "console.log('dev')").expect("write");
    std::fs::write(dir.join("dev.css"), "body { color: teal }").expect("write");
    let app = spawn_app_with(Backend::Sqlite, |s| s.http.static_dir = dir.clone()).await;

    for path in ["/", "/tickets/12"] {
        let resp = page(&app, path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(header(&resp, "cache-control"), "no-cache", "{path}");
        assert_eq!(resp.text().await.expect("body"), index, "{path}");
    }
    for (path, body, mime) in [
        ("/pkg/dev.js", "console.log('dev')", "text/javascript"),
        ("/dev.css", "body { color: teal }", "text/css"),
    ] {
        let resp = get(&app, path, &[("Accept-Encoding", "identity")]).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(header(&resp, "content-type").split(';').next(), Some(mime), "{path}");
        assert_eq!(
            header(&resp, "cache-control"),
            "public, max-age=0, must-revalidate",
            "{path}"
        );
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{path}");
        let etag = header(&resp, "etag");
        assert_eq!(resp.text().await.expect("body"), body, "{path}");
        let again = get(&app, path, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status(), 304, "{path} with If-None-Match: {etag}");
    }
    no_path_escapes_the_app(&app, "/dev.css", &climbing("secret.txt"), &["TOP-SECRET"]).await;
}

/// An empty `http.static_dir` folder (an app not built there) is a 503 that says what to do,
/// for the app's pages only: the API still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_static_dir_without_an_app_says_how_to_build_one() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().to_path_buf();
    let app = spawn_app_with(Backend::Sqlite, |s| s.http.static_dir = dir).await;
    let resp = page(&app, "/tickets/12").await;
    assert_eq!(resp.status(), 503);
    let text = resp.text().await.expect("body");
    assert!(text.contains("scripts/build-frontend.sh"), "{text}");
    assert_eq!(app.api.get_anon("/health").await.status(), 200);
}

both_backends!(health_reports_each_engine_and_all_are_ok, |app: TestApp| async move {
    let resp = app.api.get_anon("/health").await;
    assert_eq!(resp.status(), 200);
    let health: Health = ok_json(resp).await;
    assert_eq!(health.status, "ok", "{health:?}");
    let (db, bus) = match app.backend {
        Backend::Postgres => ("postgres", "redis"),
        Backend::Sqlite => ("sqlite", "in_process"),
    };
    for (name, kind) in [("database", db), ("bus", bus), ("blobs", "filesystem")] {
        let e = health
            .engines
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no {name} in {health:?}"));
        assert_eq!(e.kind, kind, "{name}");
        assert!(e.ok && e.error.is_none(), "{e:?}");
    }
});

/// Every route the server registers (`server/src/http/mod.rs`); add new ones here.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("get", "/api/v1/auth/me"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/auth/password"),
    ("post", "/api/v1/auth/ticket"),
    ("put", "/api/v1/users/{id}/password"),
    ("get", "/api/v1/tickets"),
    ("post", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/{id}"),
    ("patch", "/api/v1/tickets/{id}"),
    ("post", "/api/v1/tickets/{id}/replies"),
    ("post", "/api/v1/tickets/{id}/notes"),
    ("post", "/api/v1/tickets/{id}/take"),
    ("post", "/api/v1/tickets/{id}/subscribers"),
    ("delete", "/api/v1/tickets/{id}/subscribers/{email}"),
    ("post", "/api/v1/tickets/{id}/attachments"),
    ("post", "/api/v1/tickets/{id}/merge"),
    ("post", "/api/v1/tickets/{id}/split"),
    ("post", "/api/v1/tickets/{id}/time"),
    ("get", "/api/v1/tickets/{id}/time"),
    ("post", "/api/v1/tickets/{id}/rating"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("get", "/api/v1/companies"),
    ("post", "/api/v1/companies"),
    ("get", "/api/v1/categories"),
    ("post", "/api/v1/categories"),
    ("put", "/api/v1/categories/{id}/agents"),
    ("get", "/api/v1/canned-responses"),
    ("post", "/api/v1/canned-responses"),
    ("delete", "/api/v1/canned-responses/{id}"),
    ("get", "/api/v1/mailboxes"),
    ("post", "/api/v1/mailboxes"),
    ("get", "/api/v1/mailboxes/{id}"),
    ("patch", "/api/v1/mailboxes/{id}"),
    ("delete", "/api/v1/mailboxes/{id}"),
    ("post", "/api/v1/mailboxes/{id}/rotate-secret"),
    ("post", "/api/v1/mailboxes/{id}/fetch"),
    ("post", "/api/v1/inbound"),
    ("get", "/api/v1/inbound"),
    ("get", "/api/v1/inbound/{id}/raw"),
    ("post", "/api/v1/inbound/{id}/replay"),
    ("post", "/api/v1/inbound/{id}/release"),
    ("get", "/api/v1/kb/articles"),
    ("get", "/api/v1/kb/articles/{id}"),
    ("post", "/api/v1/kb/articles"),
    ("put", "/api/v1/kb/articles/{id}"),
    ("delete", "/api/v1/kb/articles/{id}"),
    ("post", "/api/v1/kb/articles/{id}/feedback"),
    ("get", "/api/v1/kb/search"),
    ("get", "/api/v1/search/tickets"),
    ("get", "/api/v1/tickets/{id}/kb-suggestions"),
    ("get", "/api/v1/admin/search"),
    ("get", "/api/v1/admin/outbox"),
    ("get", "/api/v1/admin/outbox/{id}"),
    ("get", "/api/v1/admin/notification-settings"),
    ("put", "/api/v1/admin/notification-settings"),
    ("get", "/api/v1/admin/templates"),
    ("put", "/api/v1/admin/templates/{event}"),
    ("delete", "/api/v1/admin/templates/{event}"),
    ("post", "/api/v1/admin/templates/{event}/preview"),
    ("get", "/api/v1/admin/calendars"),
    ("post", "/api/v1/admin/calendars"),
    ("get", "/api/v1/admin/calendars/{id}"),
    ("put", "/api/v1/admin/calendars/{id}"),
    ("delete", "/api/v1/admin/calendars/{id}"),
    ("get", "/api/v1/admin/sla-policies"),
    ("post", "/api/v1/admin/sla-policies"),
    ("get", "/api/v1/admin/sla-policies/{id}"),
    ("put", "/api/v1/admin/sla-policies/{id}"),
    ("delete", "/api/v1/admin/sla-policies/{id}"),
    ("get", "/api/v1/admin/rules"),
    ("post", "/api/v1/admin/rules"),
    ("post", "/api/v1/admin/rules/dry-run"),
    ("get", "/api/v1/admin/rules/{id}"),
    ("put", "/api/v1/admin/rules/{id}"),
    ("delete", "/api/v1/admin/rules/{id}"),
    ("get", "/api/v1/custom-fields"),
    ("post", "/api/v1/admin/custom-fields"),
    ("put", "/api/v1/admin/custom-fields/{id}"),
    ("delete", "/api/v1/admin/custom-fields/{id}"),
    ("put", "/api/v1/tickets/{id}/custom-fields"),
    ("get", "/api/v1/reports"),
    ("get", "/api/v1/reports.csv"),
    ("post", "/api/v1/auth/autologin"),
    ("get", "/api/v1/public/unsubscribe"),
    ("post", "/api/v1/public/unsubscribe"),
    ("get", "/api/v1/public/rate"),
    ("post", "/api/v1/public/rate"),
    ("get", "/api/v1/attachments/{id}"),
    ("get", "/api/v1/health"),
    ("get", "/api/v1/ws"),
    ("get", "/api/v1/openapi.json"),
];

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options", "trace"];

both_backends!(
    openapi_lists_every_route_and_each_one_is_real,
    |app: TestApp| async move {
        let doc: serde_json::Value = ok_json(app.api.get_anon("/openapi.json").await).await;
        assert!(
            doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
            "{}",
            doc["openapi"]
        );
        assert!(
            doc["components"]["securitySchemes"]["bearer"].is_object(),
            "no bearer security scheme"
        );
        let paths = doc["paths"].as_object().expect("paths");
        document_is_consistent(&doc);
        let mut documented = BTreeSet::new();
        for (path, item) in paths {
            for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
                documented.insert((method.to_string(), path.clone()));
            }
        }
        // Every registered route is documented; every documented one is real (the calls below).
        let missing: Vec<_> = ROUTES
            .iter()
            .filter(|(m, p)| !documented.contains(&(m.to_string(), p.to_string())))
            .collect();
        assert!(missing.is_empty(), "registered but not in the document: {missing:?}");

        for (method, path) in &documented {
            let protected = paths[path.as_str()][method.as_str()]["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let concrete = path
                .replace("{id}", "1")
                .replace("{email}", "x@example.test")
                .replace("{event}", "reply");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let resp = app
                .api
                .http()
                .request(m, format!("{}{concrete}", app.address()))
                .send()
                .await
                .expect("request");
            let what = format!("{} {path} (documented security: {protected})", method.to_uppercase());
            if protected {
                expect_error_for(&what, resp, 401, ErrorCode::Unauthorized).await;
            } else {
                let status = resp.status().as_u16();
                // A 404 about the resource (no article 1) is fine; "no such route" is not.
                let body = resp.text().await.unwrap_or_default();
                let no_route = status == 404 && body.contains("API route not found");
                assert!(!no_route && status != 401 && status < 500, "{what}: {status} {body}");
            }
        }
        // The contrast: a method the document does not list on a real path is no route, even unsigned.
        let resp = app.api.raw("DELETE", "/tickets", None, None, vec![]).await;
        expect_error_for("DELETE /api/v1/tickets (not a route)", resp, 404, ErrorCode::NotFound).await;
    }
);

/// What Schemathesis (`scripts/schemathesis.sh`) would trip over first, checked without it:
/// references that name no schema, parameters in the wrong place, signed-in operations that do
/// not say they can answer 401.
fn document_is_consistent(doc: &serde_json::Value) {
    fn refs<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(doc, &mut all);
    let schemas = &doc["components"]["schemas"];
    let unresolved: BTreeSet<_> = all
        .into_iter()
        .filter(|r| {
            r.strip_prefix("#/components/schemas/")
                .is_none_or(|name| !schemas[name].is_object())
        })
        .collect();
    assert!(unresolved.is_empty(), "unresolvable references: {unresolved:?}");

    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            let op = &item[*method];
            let what = format!("{} {path}", method.to_uppercase());
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                let name = p["name"].as_str().unwrap_or_default();
                let templated = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    p["in"] == "path",
                    templated,
                    "{what}: parameter {name} is in {}",
                    p["in"]
                );
            }
            let signed_in = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if signed_in {
                assert!(
                    op["responses"]["401"].is_object(),
                    "{what}: signed in, but no 401 documented"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_routes_get_a_json_404_not_the_app() {
    let app = spawn_app_on(Backend::Sqlite).await;
    for (method, path) in [
        ("GET", "/no-such-route"),
        ("POST", "/no-such-route"),
        ("GET", "/tickets/1/nothing/here"),
    ] {
        let resp = app.api.raw(method, path, None, None, vec![]).await;
        assert!(
            header(&resp, "content-type").starts_with("application/json"),
            "{method} {path}"
        );
        expect_error_for(&format!("{method} /api/v1{path}"), resp, 404, ErrorCode::NotFound).await;
    }
}
