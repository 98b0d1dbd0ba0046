//! A Maildesk node listening with the built-in SMTP receiver, run as its own process by the
//! receiver's crash test (`tests/tests/mail/receiver_crash.rs`), so the test can end it with SIGKILL at an
//! exact point: with `NODE_PAUSE_AFTER_COMMIT` set, every delivery stops after its journal
//! commit, before the `250`, and the node prints `COMMITTED <journal id>`.
//!
//! Environment: `NODE_DATABASE_URL` (PostgreSQL), `NODE_DATA_DIR` (the keys of the test app),
//! `NODE_REDIS_PREFIX`. Prints `LISTENING <address>` once it accepts mail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::Arc;

use maildesk::mail::receiver::{self, NoHooks, ReceiverHooks};
use maildesk::{Application, Settings};
use secrecy::SecretString;

struct PauseAfterCommit;

#[async_trait::async_trait]
impl ReceiverHooks for PauseAfterCommit {
    async fn after_commit(&self, journal_id: i64) {
        println!("COMMITTED {journal_id}");
        let _ = std::io::stdout().flush();
        // Stopped here until the test kills the process.
        std::future::pending::<()>().await;
    }
}

#[tokio::main]
async fn main() {
    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"));
    let mut settings = Settings::load_from(None, &[]).expect("default settings");
    settings.data_dir = env("NODE_DATA_DIR").into();
    settings.http.bind = "127.0.0.1:0".into();
    settings.http.workers = 1;
    settings.database.url = SecretString::from(env("NODE_DATABASE_URL"));
    settings.database.max_connections = 5;
    settings.redis.url = SecretString::from(maildesk_tests::REDIS_URL);
    settings.redis.key_prefix = env("NODE_REDIS_PREFIX");
    let app = Application::build(settings).await.expect("the node starts");
    let mut listen = app.context().settings().receiver.clone();
    listen.smtp_bind = "127.0.0.1:0".into();
    listen.lmtp_bind = String::new();
    let hooks: Arc<dyn ReceiverHooks> = if std::env::var("NODE_PAUSE_AFTER_COMMIT").is_ok() {
        Arc::new(PauseAfterCommit)
    } else {
        Arc::new(NoHooks)
    };
    let r = receiver::start_with_hooks(app.context().clone(), &listen, hooks)
        .await
        .expect("the receiver listens")
        .expect("an SMTP listener");
    println!("LISTENING {}", r.smtp.expect("an SMTP address"));
    let _ = std::io::stdout().flush();
    app.run_until_stopped().await.expect("the node runs");
}
