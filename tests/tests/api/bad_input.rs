//! Bad input of every kind gets the right 4xx with a JSON `{code, message}` body, never a 500
//! or an HTML page, and leaves nothing behind.

use maildesk_tests::client::{expect_error_for, new_ticket, ok_json};
use maildesk_tests::{ADMIN_EMAIL, Backend, TestApp, both_backends, spawn_app_with};
use protocol::{Category, CreateCategory, ErrorBody, ErrorCode, Health, Page, Role, Ticket};
use serde_json::{Value, json};

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    code: ErrorCode,
}

const JSON: Option<&str> = Some("application/json");
const TEXT: Option<&str> = Some("text/plain");

/// One bad request and the error code it must get (the status is the code's, `ErrorCode::http_status`).
fn case(
    name: &'static str,
    method: &'static str,
    path: impl Into<String>,
    ct: Option<&'static str>,
    body: impl Into<Vec<u8>>,
    code: ErrorCode,
) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        content_type: ct,
        body: body.into(),
        code,
    }
}

fn j(v: Value) -> Vec<u8> {
    serde_json::to_vec(&v).expect("json")
}

/// `base` with the fields of `extra` added or replaced.
fn with(mut base: Value, extra: Value) -> Vec<u8> {
    base.as_object_mut()
        .expect("object")
        .extend(extra.as_object().expect("object").clone());
    j(base)
}

struct Fixture {
    ticket: Ticket,
    customer_id: i64,
    category: Category,
}

async fn fixture(app: &TestApp) -> Fixture {
    let customer = app.new_user(Role::Customer).await;
    let ticket = app
        .api
        .create_ticket(&customer.token, &new_ticket("Target"))
        .await
        .ticket;
    let req = CreateCategory {
        name: "Support".into(),
        description: String::new(),
    };
    let category = ok_json(app.api.post_json(&app.admin.token, "/categories", &req).await).await;
    Fixture {
        ticket,
        customer_id: customer.id,
        category,
    }
}

fn cases(f: &Fixture) -> Vec<Case> {
    use ErrorCode::*;
    let (v, c) = (f.ticket.version, f.customer_id);
    let t = format!("/tickets/{}", f.ticket.id);
    let ticket = |extra: Value| with(json!({"subject": "s", "body": "b"}), extra);
    let user = |email: &str, extra: Value| with(json!({"email": email, "name": "N", "role": "customer"}), extra);
    vec![
        case(
            "malformed JSON",
            "POST",
            "/tickets",
            JSON,
            r#"{"subject": "x", "body": "#,
            InvalidJson,
        ),
        case(
            "not JSON at all",
            "POST",
            "/tickets",
            JSON,
            "subject=x&body=y",
            InvalidJson,
        ),
        case("empty JSON body", "POST", "/tickets", JSON, "", InvalidJson),
        case(
            "subject of the wrong type",
            "POST",
            "/tickets",
            JSON,
            j(json!({"subject": 5, "body": "b"})),
            InvalidJson,
        ),
        case(
            "unknown field",
            "POST",
            "/tickets",
            JSON,
            ticket(json!({"colour": "red"})),
            InvalidJson,
        ),
        case(
            "missing required field",
            "POST",
            "/tickets",
            JSON,
            j(json!({"subject": "s"})),
            InvalidJson,
        ),
        case(
            "unknown priority",
            "POST",
            "/tickets",
            JSON,
            ticket(json!({"priority": "asap"})),
            InvalidJson,
        ),
        case(
            "empty subject",
            "POST",
            "/tickets",
            JSON,
            ticket(json!({"subject": "   "})),
            ValidationFailed,
        ),
        case(
            "subject over 250 chars",
            "POST",
            "/tickets",
            JSON,
            ticket(json!({"subject": "x".repeat(251)})),
            ValidationFailed,
        ),
        case(
            "empty body",
            "POST",
            "/tickets",
            JSON,
            ticket(json!({"body": " \n "})),
            ValidationFailed,
        ),
        case(
            "body over 200000 chars",
            "POST",
            "/tickets",
            JSON,
            ticket(json!({"body": "y".repeat(200_001)})),
            ValidationFailed,
        ),
        case(
            "category that doesn't exist",
            "POST",
            "/tickets",
            JSON,
            ticket(json!({"category_id": 999_999})),
            ValidationFailed,
        ),
        case(
            "text/plain to a JSON endpoint",
            "POST",
            "/tickets",
            TEXT,
            ticket(json!({})),
            UnsupportedMediaType,
        ),
        case(
            "no content type",
            "POST",
            "/tickets",
            None,
            ticket(json!({})),
            UnsupportedMediaType,
        ),
        case("non-numeric id", "GET", "/tickets/abc", None, "", InvalidParameter),
        case(
            "id out of range",
            "GET",
            "/tickets/99999999999999999999",
            None,
            "",
            InvalidParameter,
        ),
        case(
            "non-numeric id on a write",
            "PATCH",
            "/tickets/abc",
            JSON,
            j(json!({"version": 1})),
            InvalidParameter,
        ),
        case(
            "unknown status filter",
            "GET",
            "/tickets?status=deleted",
            None,
            "",
            InvalidParameter,
        ),
        case(
            "unknown query parameter",
            "GET",
            "/tickets?colour=red",
            None,
            "",
            InvalidParameter,
        ),
        case("per_page=0", "GET", "/tickets?per_page=0", None, "", InvalidParameter),
        case(
            "per_page=1000",
            "GET",
            "/tickets?per_page=1000",
            None,
            "",
            InvalidParameter,
        ),
        case(
            "per_page not a number",
            "GET",
            "/tickets?per_page=ten",
            None,
            "",
            InvalidParameter,
        ),
        case("page=0", "GET", "/tickets?page=0", None, "", InvalidParameter),
        case(
            "assignee neither id, me nor none",
            "GET",
            "/tickets?assignee=bob",
            None,
            "",
            InvalidParameter,
        ),
        case("unknown API route", "GET", "/no-such-route", None, "", NotFound),
        case(
            "unknown API sub-route",
            "POST",
            format!("{t}/explode"),
            JSON,
            "{}",
            NotFound,
        ),
        case(
            "ticket that doesn't exist",
            "GET",
            "/tickets/99999999",
            None,
            "",
            NotFound,
        ),
        case(
            "attachment that doesn't exist",
            "GET",
            "/attachments/99999999",
            None,
            "",
            NotFound,
        ),
        case(
            "invalid email on user create",
            "POST",
            "/users",
            JSON,
            user("not-an-email", json!({})),
            ValidationFailed,
        ),
        case(
            "duplicate user email",
            "POST",
            "/users",
            JSON,
            user(ADMIN_EMAIL, json!({})),
            Conflict,
        ),
        case(
            "duplicate email in capitals",
            "POST",
            "/users",
            JSON,
            user(&ADMIN_EMAIL.to_uppercase(), json!({})),
            Conflict,
        ),
        case(
            "unknown role",
            "POST",
            "/users",
            JSON,
            user("r@example.test", json!({"role": "root"})),
            InvalidJson,
        ),
        case(
            "password too short",
            "POST",
            "/users",
            JSON,
            user("p@example.test", json!({"password": "short"})),
            ValidationFailed,
        ),
        case(
            "company that doesn't exist",
            "POST",
            "/users",
            JSON,
            user("c@example.test", json!({"company_id": 999_999})),
            ValidationFailed,
        ),
        case(
            "empty upload",
            "POST",
            format!("{t}/attachments?filename=x.txt"),
            TEXT,
            "",
            ValidationFailed,
        ),
        case(
            "upload without filename",
            "POST",
            format!("{t}/attachments"),
            TEXT,
            "data",
            InvalidParameter,
        ),
        case(
            "upload named only dots",
            "POST",
            format!("{t}/attachments?filename=.."),
            TEXT,
            "data",
            ValidationFailed,
        ),
        case(
            "assignee who is a customer",
            "PATCH",
            &t,
            JSON,
            j(json!({"version": v, "assignee_id": c})),
            ValidationFailed,
        ),
        case(
            "assignee who doesn't exist",
            "PATCH",
            &t,
            JSON,
            j(json!({"version": v, "assignee_id": 999_999})),
            ValidationFailed,
        ),
        case(
            "PATCH to a missing category",
            "PATCH",
            &t,
            JSON,
            j(json!({"version": v, "category_id": 999_999})),
            ValidationFailed,
        ),
        case(
            "PATCH without version",
            "PATCH",
            &t,
            JSON,
            j(json!({"status": "open"})),
            InvalidJson,
        ),
        case(
            "PATCH to an unknown status",
            "PATCH",
            &t,
            JSON,
            j(json!({"version": v, "status": "deleted"})),
            InvalidJson,
        ),
        case(
            "tag with a comma",
            "PATCH",
            &t,
            JSON,
            j(json!({"version": v, "tags": ["a,b"]})),
            ValidationFailed,
        ),
        case(
            "stale version",
            "PATCH",
            &t,
            JSON,
            j(json!({"version": v - 1, "priority": "high"})),
            VersionConflict,
        ),
        case(
            "empty reply",
            "POST",
            format!("{t}/replies"),
            JSON,
            j(json!({"body": "", "version": v})),
            ValidationFailed,
        ),
        case(
            "reply attaching a foreign id",
            "POST",
            format!("{t}/replies"),
            JSON,
            j(json!({"body": "x", "version": v, "attachment_ids": [999_999]})),
            ValidationFailed,
        ),
        case(
            "take at a stale version",
            "POST",
            format!("{t}/take"),
            JSON,
            j(json!({"version": v - 1})),
            VersionConflict,
        ),
        case(
            "subscriber with an invalid email",
            "POST",
            format!("{t}/subscribers"),
            JSON,
            j(json!({"email": "nope"})),
            ValidationFailed,
        ),
        case(
            "removing an absent subscriber",
            "DELETE",
            format!("{t}/subscribers/nobody@example.test"),
            None,
            "",
            NotFound,
        ),
        case(
            "customer as category agent",
            "PUT",
            format!("/categories/{}/agents", f.category.id),
            JSON,
            j(json!({"agent_ids": [c]})),
            ValidationFailed,
        ),
        case(
            "agents of a missing category",
            "PUT",
            "/categories/999999/agents",
            JSON,
            j(json!({"agent_ids": []})),
            NotFound,
        ),
        case(
            "duplicate category name",
            "POST",
            "/categories",
            JSON,
            j(json!({"name": f.category.name})),
            Conflict,
        ),
        case(
            "empty company name",
            "POST",
            "/companies",
            JSON,
            j(json!({"name": "  "})),
            ValidationFailed,
        ),
        case(
            "canned response without title",
            "POST",
            "/canned-responses",
            JSON,
            j(json!({"title": "", "body": "b"})),
            ValidationFailed,
        ),
        case(
            "deleting an absent canned response",
            "DELETE",
            "/canned-responses/999999",
            None,
            "",
            NotFound,
        ),
        case(
            "login with an unknown field",
            "POST",
            "/auth/login",
            JSON,
            j(json!({"email": ADMIN_EMAIL, "password": "x", "remember": true})),
            InvalidJson,
        ),
        case(
            "refresh without a token",
            "POST",
            "/auth/refresh",
            JSON,
            "{}",
            InvalidJson,
        ),
    ]
}

async fn send(app: &TestApp, c: &Case) -> reqwest::Response {
    app.api
        .raw(
            c.method,
            &c.path,
            Some(&app.admin.token),
            c.content_type,
            c.body.clone(),
        )
        .await
}

both_backends!(
    every_bad_input_gets_its_4xx_and_a_json_error,
    |app: TestApp| async move {
        let f = fixture(&app).await;
        for c in cases(&f) {
            let resp = send(&app, &c).await;
            let ct = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let what = format!("case {:?} ({} {})", c.name, c.method, c.path);
            expect_error_for(&what, resp, c.code.http_status(), c.code).await;
            assert!(ct.starts_with("application/json"), "{what}: content-type {ct:?}");
        }
        // The subject limit is inclusive: exactly 250 characters is fine.
        let mut longest = new_ticket("x");
        longest.subject = "z".repeat(250);
        app.api.create_ticket(&app.admin.token, &longest).await;
    }
);

both_backends!(
    bad_inputs_never_crash_the_server_nor_change_anything,
    |app: TestApp| async move {
        let f = fixture(&app).await;
        let before = app.api.ticket(&app.admin.token, f.ticket.id).await;
        for c in cases(&f) {
            let resp = send(&app, &c).await;
            let status = resp.status().as_u16();
            let text = resp.text().await.expect("body");
            assert!((400..500).contains(&status), "case {:?}: {status} {text}", c.name);
            assert!(
                serde_json::from_str::<ErrorBody>(&text).is_ok(),
                "case {:?}: not a JSON error: {text}",
                c.name
            );
        }
        let health: Health = ok_json(app.api.get_anon("/health").await).await;
        assert_eq!(health.status, "ok", "{health:?}");
        // Refused writes (some refused inside a transaction) left the ticket exactly as it was…
        assert_eq!(app.api.ticket(&app.admin.token, f.ticket.id).await, before);
        // …and created nothing.
        let tickets: Page<Ticket> = ok_json(app.api.get(&app.admin.token, "/tickets").await).await;
        assert_eq!(tickets.total, 1);
        let users: Vec<protocol::User> = ok_json(app.api.get(&app.admin.token, "/users").await).await;
        assert_eq!(users.len(), 2, "admin and the fixture's customer only: {users:?}");
    }
);

async fn small_limits(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.limits.max_json_bytes = 1024;
        s.limits.max_attachment_bytes = 1024;
    })
    .await
}

async fn json_over_the_limit(backend: Backend) {
    let app = small_limits(backend).await;
    let big = json!({"subject": "big", "body": "x".repeat(2048)});
    let r = app.api.post_json(&app.admin.token, "/tickets", &big).await;
    expect_error_for("2 KB of JSON over a 1 KB limit", r, 413, ErrorCode::PayloadTooLarge).await;
    // Just under the limit is accepted: the limit is the setting, nothing smaller.
    let fits = json!({"subject": "fits", "body": "x".repeat(900)});
    assert_eq!(
        app.api.post_json(&app.admin.token, "/tickets", &fits).await.status(),
        201
    );
    assert_eq!(app.api.get_anon("/health").await.status(), 200);
}

async fn upload_over_the_limit(backend: Backend) {
    let app = small_limits(backend).await;
    let t = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("files"))
        .await
        .ticket;
    app.api
        .upload_ok(&app.admin.token, t.id, "fits.bin", vec![7u8; 1024])
        .await;
    let r = app.api.upload(&app.admin.token, t.id, "big.bin", vec![7u8; 2048]).await;
    expect_error_for("a 2 KB upload over a 1 KB limit", r, 413, ErrorCode::PayloadTooLarge).await;
    assert_eq!(app.api.get_anon("/health").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_over_the_limit_gets_413_postgres() {
    json_over_the_limit(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_over_the_limit_gets_413_sqlite() {
    json_over_the_limit(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_over_the_limit_gets_413_in_json_postgres() {
    upload_over_the_limit(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_over_the_limit_gets_413_in_json_sqlite() {
    upload_over_the_limit(Backend::Sqlite).await;
}
