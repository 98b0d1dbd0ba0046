//! The end-to-end test harness: `spawn_app()` starts the real server (the same
//! `Application::build` as `maildesk serve`) on port 0 against a fresh database, and returns a
//! typed client. PostgreSQL databases are cloned from a migrated template, so each test gets
//! its own in milliseconds and tests run in parallel; Redis keys carry a per-test prefix.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

pub mod browser;
pub mod client;
pub mod dns;
pub mod graph_standin;
pub mod imap;
pub mod live;
pub mod mail;
pub mod meili_server;
pub mod oauth;
pub mod outbox;
pub mod poll;
pub mod postgres;
pub mod redis_server;
pub mod reports;
pub mod rig;
pub mod scanners;
pub mod search_contract;
pub mod sla;
pub mod smtp;
pub mod webhook_receiver;

use std::path::PathBuf;

use maildesk::{Application, Settings};
use protocol::{CreateUser, Role, TokenResponse};
use secrecy::SecretString;

pub use client::Api;

pub const ADMIN_EMAIL: &str = "admin@example.test";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL + Redis: the scaled-out engines.
    Postgres,
    /// SQLite + in-process counters: the embedded defaults.
    Sqlite,
}

pub struct TestApp {
    pub api: Api,
    pub port: u16,
    pub backend: Backend,
    pub data_dir: tempfile::TempDir,
    pub redis_prefix: String,
    pub admin: TestUser,
    /// The running server's context (database, keys), for tests that drive domain code directly.
    pub ctx: maildesk::context::AppContext,
    db: Option<postgres::TestDatabase>,
    /// The app's own Meilisearch when it runs the shared search engine (`spawn_app_meili`).
    pub meili: Option<meili_server::OwnMeili>,
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub email: String,
    pub password: String,
    pub token: String,
    pub role: Role,
}

/// Root of the workspace (for its scripts and files).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(Backend::Postgres).await
}

pub async fn spawn_app_on(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Starts a server; `tweak` adjusts its settings first.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(backend, None, tweak).await
}

/// Starts a server whose SLA clock checks only hourly, so a test that moves due times itself
/// is not raced by the background scheduler.
pub async fn spawn_app_quiet_sla(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| s.sla.check_interval_secs = 3600).await
}

/// Starts a server whose background mail sender runs only when woken: the test drives the
/// outbound queue itself.
pub async fn spawn_app_quiet_sender(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| s.outbound.poll_interval_ms = 3_600_000).await
}

/// Starts a server whose search engine is its own, fresh Meilisearch (the scaled-out engine).
pub async fn spawn_app_meili(backend: Backend) -> TestApp {
    spawn(backend, Some(meili_server::OwnMeili::start()), |_| {}).await
}

/// Points `settings` at a Meilisearch (every node of an app shares the app's).
fn use_meili(settings: &mut Settings, meili: &meili_server::OwnMeili) {
    settings.search.meili_url = meili.url.clone();
    settings.search.meili_api_key = SecretString::from(meili.master_key.clone());
}

async fn spawn(backend: Backend, meili: Option<meili_server::OwnMeili>, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("creating a temp data dir");
    let mut settings = Settings::load_from(None, &[]).expect("default settings");
    settings.data_dir = data_dir.path().to_path_buf();
    settings.http.bind = "127.0.0.1:0".into();
    settings.http.workers = 2;
    settings.admin.email = ADMIN_EMAIL.into();
    settings.admin.password = SecretString::from(ADMIN_PASSWORD);
    // Webhook receivers, IMAP and SMTP servers of the tests listen on loopback; the attack
    // tests turn this off to prove internal addresses are refused.
    settings.security.allow_private_networks = true;
    let redis_prefix = format!("mdtest:{}:", uuid::Uuid::new_v4().simple());
    let db = match backend {
        Backend::Postgres => {
            let db = postgres::TestDatabase::create().await;
            settings.database.url = SecretString::from(db.url());
            settings.database.max_connections = 5;
            settings.redis.url = SecretString::from(REDIS_URL);
            settings.redis.key_prefix = redis_prefix.clone();
            Some(db)
        }
        Backend::Sqlite => None,
    };
    if let Some(m) = &meili {
        use_meili(&mut settings, m);
    }
    tweak(&mut settings);
    let app = Application::build(settings).await.unwrap_or_else(|e| {
        panic!("starting the server failed: {e:#}\n(is Redis running on 127.0.0.1:6379? start it with: redis-server --daemonize yes)")
    });
    let port = app.port();
    let ctx = app.context().clone();
    tokio::spawn(app.run_until_stopped());
    let api = Api::new(format!("http://127.0.0.1:{port}"));
    let tokens = api.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin = TestUser::from_tokens(tokens, ADMIN_PASSWORD);
    TestApp {
        api,
        port,
        backend,
        data_dir,
        redis_prefix,
        admin,
        ctx,
        db,
        meili,
    }
}

impl TestUser {
    fn from_tokens(t: TokenResponse, password: &str) -> Self {
        Self {
            id: t.user.id,
            email: t.user.email,
            password: password.into(),
            token: t.access_token,
            role: t.user.role,
        }
    }
}

/// Never remove: with a `Drop` impl, a test body (`|app| async move {…}`) that only uses some
/// fields (say `app.api` and `app.admin`) still captures all of `app`. Without it, Rust's
/// precise captures move just those fields in and drop the rest, the database and data dir
/// included, before the body even runs.
impl Drop for TestApp {
    fn drop(&mut self) {}
}

impl TestApp {
    pub fn address(&self) -> &str {
        self.api.base()
    }

    /// Creates an account through the admin API and signs it in.
    pub async fn new_user(&self, role: Role) -> TestUser {
        self.new_user_in(role, None).await
    }

    pub async fn new_user_in(&self, role: Role, company_id: Option<i64>) -> TestUser {
        let email = format!("{}-{}@example.test", role.as_str(), uuid::Uuid::new_v4().simple());
        let password = "password-123".to_string();
        let req = CreateUser {
            email: email.clone(),
            name: format!("{} {}", role.as_str(), &email[..12]),
            role,
            password: Some(password.clone()),
            company_id,
        };
        let resp = self.api.post_json(&self.admin.token, "/users", &req).await;
        assert_eq!(
            resp.status(),
            201,
            "creating a user: {}",
            resp.text().await.unwrap_or_default()
        );
        let tokens = self.api.login_ok(&email, &password).await;
        TestUser::from_tokens(tokens, &password)
    }

    /// The JWT secret the server generated in its data dir (for forging tests).
    pub fn jwt_secret(&self) -> Vec<u8> {
        let text = std::fs::read_to_string(self.data_dir.path().join("keys/jwt.secret")).expect("jwt.secret exists");
        hex_decode(text.trim())
    }

    /// The server's keys (read from its data dir), to build signed ids as our outbound mail does.
    pub fn keys(&self) -> maildesk::keys::Keys {
        let mut settings = Settings::load_from(None, &[]).expect("settings");
        settings.data_dir = self.data_dir.path().to_path_buf();
        maildesk::keys::Keys::load_or_create(&settings).expect("keys")
    }

    pub fn database_url(&self) -> Option<String> {
        self.db.as_ref().map(|d| d.url())
    }

    /// Another `serve` node of the same deployment: same PostgreSQL database, same Redis key
    /// prefix, same data dir (keys and blobs, as a shared volume). PostgreSQL apps only.
    pub async fn spawn_node(&self) -> TestNode {
        self.spawn_node_with(|_| {}).await
    }

    pub async fn spawn_node_with(&self, tweak: impl FnOnce(&mut Settings)) -> TestNode {
        let url = self.database_url().expect("a second node needs the PostgreSQL backend");
        let mut settings = Settings::load_from(None, &[]).expect("default settings");
        settings.data_dir = self.data_dir.path().to_path_buf();
        settings.http.bind = "127.0.0.1:0".into();
        settings.http.workers = 2;
        settings.database.url = SecretString::from(url);
        settings.database.max_connections = 5;
        settings.redis.url = SecretString::from(REDIS_URL);
        settings.redis.key_prefix = self.redis_prefix.clone();
        settings.security.allow_private_networks = true;
        if let Some(m) = &self.meili {
            use_meili(&mut settings, m);
        }
        tweak(&mut settings);
        let app = Application::build(settings)
            .await
            .unwrap_or_else(|e| panic!("starting a second node failed: {e:#}"));
        let port = app.port();
        let ctx = app.context().clone();
        tokio::spawn(app.run_until_stopped());
        TestNode {
            api: Api::new(format!("http://127.0.0.1:{port}")),
            port,
            ctx,
        }
    }
}

/// A further node beside a `TestApp` (the app owns the database and data dir).
pub struct TestNode {
    pub api: Api,
    pub port: u16,
    pub ctx: maildesk::context::AppContext,
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// One test fn of a backend/engine matrix (used by the macros below).
#[doc(hidden)]
#[macro_export]
macro_rules! __engine_test {
    ($fn_name:ident, $spawn:expr, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $fn_name() {
            let app = $spawn.await;
            ($body)(app).await;
        }
    };
}

/// Runs the same async test body on both backends: `both_backends!(name, |app| async move {…})`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            $crate::__engine_test!(postgres, $crate::spawn_app_on($crate::Backend::Postgres), $body);
            $crate::__engine_test!(sqlite, $crate::spawn_app_on($crate::Backend::Sqlite), $body);
        }
    };
}

/// `both_backends!` plus a third run on the scaled-out search engine: PostgreSQL with its own
/// Meilisearch. The test is named `meilisearch`, so `scripts/test` can skip it by name on a
/// machine without a Meilisearch binary (and says so).
#[macro_export]
macro_rules! all_search_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            $crate::__engine_test!(postgres, $crate::spawn_app_on($crate::Backend::Postgres), $body);
            $crate::__engine_test!(sqlite, $crate::spawn_app_on($crate::Backend::Sqlite), $body);
            $crate::__engine_test!(
                meilisearch,
                async {
                    let app = $crate::spawn_app_meili($crate::Backend::Postgres).await;
                    assert_eq!(app.ctx.search().engine().name(), "meilisearch");
                    app
                },
                $body
            );
        }
    };
}
