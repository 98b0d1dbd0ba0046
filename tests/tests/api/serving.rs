//! What the server serves besides the API: the browser app (with deep links, types and cache
//! headers, and nothing outside its folder), the health report, and an OpenAPI document that
//! matches the real routes one for one.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use maildesk_tests::client::{expect_error_for, ok_json};
use maildesk_tests::{Backend, TestApp, both_backends, spawn_app_on, workspace_root};
use protocol::{ErrorCode, Health};

fn dist() -> PathBuf {
    workspace_root().join("frontend/dist")
}

/// The built app's index.html, or a failure that says how to build it.
fn index_html() -> String {
    let index = dist().join("index.html");
    std::fs::read_to_string(&index).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run scripts/build-frontend.sh first",
            index.display()
        )
    })
}

async fn page(app: &TestApp, path: &str) -> reqwest::Response {
    app.api
        .http()
        .get(format!("{}{path}", app.address()))
        .send()
        .await
        .expect("GET")
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_is_served_at_the_root_and_for_deep_links() {
    let index = index_html();
    assert!(index.contains("maildesk_frontend"), "unexpected index.html: {index}");
    let app = spawn_app_on(Backend::Sqlite).await;
    for path in ["/", "/tickets/42", "/tickets/42/", "/admin/users"] {
        let resp = page(&app, path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            header(&resp, "content-type").starts_with("text/html"),
            "{path}: {:?}",
            resp.headers()
        );
        assert!(!header(&resp, "cache-control").is_empty(), "{path}: no Cache-Control");
        assert!(!header(&resp, "etag").is_empty(), "{path}: no ETag");
        assert_eq!(resp.text().await.expect("body"), index, "{path} must serve index.html");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_served_with_their_types_and_cache_headers() {
    index_html();
    let app = spawn_app_on(Backend::Sqlite).await;
    for (path, mime) in [
        ("/pkg/maildesk_frontend_bg.wasm", "application/wasm"),
        ("/pkg/maildesk_frontend.js", "text/javascript"),
        ("/maildesk.css", "text/css"),
    ] {
        let resp = page(&app, path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(header(&resp, "content-type").split(';').next(), Some(mime), "{path}");
        assert!(!header(&resp, "cache-control").is_empty(), "{path}: no Cache-Control");
        assert!(
            header(&resp, "etag").starts_with('"'),
            "{path}: ETag {:?}",
            header(&resp, "etag")
        );
        let on_disk = std::fs::read(dist().join(&path[1..])).expect("file in dist");
        assert!(
            resp.bytes().await.expect("body").as_ref() == on_disk.as_slice(),
            "{path}: bytes differ from dist"
        );
    }
}

/// The app's files are `max-age=0, must-revalidate`, so every page load revalidates them by
/// ETag; that is only cheap if a matching `If-None-Match` gets 304 instead of the whole bundle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revalidating_with_a_matching_etag_answers_304() {
    index_html();
    let app = spawn_app_on(Backend::Sqlite).await;
    for path in ["/pkg/maildesk_frontend_bg.wasm", "/"] {
        let etag = header(&page(&app, path).await, "etag");
        let url = format!("{}{path}", app.address());
        let again = app
            .api
            .http()
            .get(url)
            .header("If-None-Match", &etag)
            .send()
            .await
            .expect("GET");
        assert_eq!(
            again.status(),
            304,
            "{path} with If-None-Match: {etag} must be 304 Not Modified"
        );
        assert!(again.bytes().await.expect("body").is_empty());
    }
}

/// A request sent byte for byte, since HTTP clients normalise `..` away before sending.
fn raw_get(port: u16, target: &str) -> (u16, String) {
    use std::io::{Read, Write};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_never_serves_files_outside_dist() {
    let index = index_html();
    let app = spawn_app_on(Backend::Sqlite).await;
    let port = app.port;
    // The same raw request does serve a real file, so a refusal below means something.
    let (status, css) = tokio::task::spawn_blocking(move || raw_get(port, "/maildesk.css"))
        .await
        .expect("task");
    assert!(status == 200 && css.contains("text/css"), "{css:.300}");
    for target in [
        "/../Cargo.toml",
        "/../../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/%2E%2E%2F%2E%2E%2FCargo.toml",
        "/pkg/../../Cargo.toml",
        "/pkg/..%2f..%2f..%2fCargo.toml",
        "/.%2e/.%2e/Cargo.toml",
        "/..%5c..%5cCargo.toml",
        "//work/main/Cargo.toml",
    ] {
        let (status, text) = tokio::task::spawn_blocking(move || raw_get(port, target))
            .await
            .expect("task");
        // frontend/Cargo.toml has [package], the workspace's has [workspace].
        assert!(
            !text.contains("[package]") && !text.contains("[workspace]"),
            "{target} leaked a file: {text}"
        );
        assert!(status < 500, "{target}: {status}");
        if status == 200 {
            assert!(text.ends_with(&index), "{target}: 200 but not the app: {text:.500}");
        }
    }
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
