//! `GET /api/v1/health` answers anyone (load balancers, container health checks). When an
//! engine fails, its error text names hosts, users, file paths: that is for admins only. An
//! anonymous caller (or a customer) gets ok / not ok per engine.

use maildesk_tests::{Backend, spawn_app_on};
use protocol::{Health, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_tells_only_admins_why_an_engine_fails() {
    let app = spawn_app_on(Backend::Sqlite).await;
    let customer = app.new_user(Role::Customer).await;
    app.break_blob_store();
    let data_dir = app.data_dir.path().display().to_string();

    for (who, resp) in [
        ("anonymous", app.api.get_anon("/health").await),
        ("a customer", app.api.get(&customer.token, "/health").await),
        ("a bad token", app.api.get("not-a-token", "/health").await),
    ] {
        assert_eq!(resp.status(), 503, "{who}");
        let text = resp.text().await.expect("body");
        let health: Health = serde_json::from_str(&text).expect("a health report");
        let blobs = health.engines.iter().find(|e| e.name == "blobs").expect("blobs");
        assert!(!blobs.ok, "{who}: {health:?}");
        assert!(
            health.engines.iter().all(|e| e.error.is_none()),
            "{who} sees error text: {text}"
        );
        assert!(!text.contains(&data_dir), "{who} sees a server path: {text}");
    }

    let health: Health = app
        .api
        .get(&app.admin.token, "/health")
        .await
        .json()
        .await
        .expect("report");
    let blobs = health.engines.iter().find(|e| e.name == "blobs").expect("blobs");
    assert!(
        blobs.error.as_deref().is_some_and(|e| e.contains("not writable")),
        "an admin is told why: {health:?}"
    );
    app.mend_blob_store();
    assert_eq!(app.api.get_anon("/health").await.status(), 200);
}
