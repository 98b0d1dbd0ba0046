//! The built-in receiver killed with SIGKILL between the journal commit and its `250`: the
//! node runs as its own process (`tests/src/bin/receiver_node.rs`, stopped at that point by a
//! `ReceiverHooks`), a real `smtplib` client sends, never sees the `250`, and sends again to a
//! restarted node: the journal has the mail once and there is one ticket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use entity::{inbound_mail, ticket};
use maildesk_tests::{Backend, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// Sends one mail with `smtplib`; `Ok(reply)` when the server said 250, `Err(why)` otherwise.
fn smtplib_once(port: u16, to: &str, subject: &str) -> Result<String, String> {
    let script = r#"
import smtplib, sys
from email.message import EmailMessage
port, to, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = EmailMessage()
m["From"] = "Kim Customer <kim@customer.test>"
m["To"] = to
m["Subject"] = subject
m["Message-ID"] = "<" + subject.replace(" ", "-") + "@customer.test>"
m.set_content("Sent once, retried after the server died.\n")
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.send_message(m)
        print("sent")
except Exception as e:
    print("failed: %s: %s" % (type(e).__name__, e))
    sys.exit(3)
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(port.to_string())
        .arg(to)
        .arg(subject)
        .output()
        .expect("python3 runs (install Debian's python3)");
    let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() {
        Ok(said)
    } else {
        Err(format!("{said} {}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// A receiver node in its own process; its stdout lines arrive on the channel.
struct Node {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Node {
    fn start(app: &TestApp, pause_after_commit: bool) -> (Node, u16) {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_receiver_node"));
        cmd.env("NODE_DATABASE_URL", app.database_url().expect("PostgreSQL"))
            .env("NODE_DATA_DIR", app.data_dir.path())
            .env("NODE_REDIS_PREFIX", &app.redis_prefix)
            .stdout(std::process::Stdio::piped());
        if pause_after_commit {
            cmd.env("NODE_PAUSE_AFTER_COMMIT", "1");
        }
        let mut child = cmd.spawn().expect("starting the receiver node");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut node = Node { child, lines };
        let addr = node.wait_for("LISTENING ");
        let port = addr.parse::<SocketAddr>().expect("an address").port();
        (node, port)
    }

    /// The rest of the first line starting with `prefix` (fails the test after 60 s).
    fn wait_for(&mut self, prefix: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line[prefix.len()..].trim().to_owned(),
                Ok(_) => {}
                Err(e) => panic!("the receiver node never printed {prefix:?}: {e}"),
            }
        }
    }

    /// SIGKILL: no destructor, no flush, no goodbye to the client.
    fn kill9(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_sigkill_between_the_journal_commit_and_250_the_retry_makes_one_ticket() {
    let app = maildesk_tests::spawn_app_on(Backend::Postgres).await;
    let support = app.mailbox("support@crash.test").await.mailbox;
    let subject = format!("Crash between commit and reply {}", uuid::Uuid::new_v4().simple());

    let (node, port) = Node::start(&app, true);
    let (to, subj) = (support.address.clone(), subject.clone());
    let first = std::thread::spawn(move || smtplib_once(port, &to, &subj));
    let mut node = node;
    let journal_id: i64 = node.wait_for("COMMITTED ").parse().unwrap();
    node.kill9();
    let refused = first.join().unwrap();
    assert!(refused.is_err(), "the sender never saw a 250: {refused:?}");
    let committed = inbound_mail::Entity::find_by_id(journal_id)
        .one(app.ctx.db())
        .await
        .unwrap();
    assert!(
        committed.is_some(),
        "the mail was in the journal before the process died"
    );

    // The sending MTA retries later, against a node that runs normally.
    let (node, port) = Node::start(&app, false);
    let (to, subj) = (support.address.clone(), subject.clone());
    let retried = tokio::task::spawn_blocking(move || smtplib_once(port, &to, &subj))
        .await
        .unwrap();
    assert_eq!(retried.as_deref(), Ok("sent"));
    let (tickets, journaled) = maildesk_tests::poll::until(
        "the journaled mail to become a ticket",
        Duration::from_secs(30),
        || async {
            let tickets = ticket::Entity::find()
                .filter(ticket::Column::Subject.eq(subject.clone()))
                .count(app.ctx.db())
                .await
                .unwrap();
            let journaled = inbound_mail::Entity::find()
                .filter(inbound_mail::Column::MailboxId.eq(support.id))
                .count(app.ctx.db())
                .await
                .unwrap();
            assert!(tickets <= 1, "a second ticket: {tickets}");
            (tickets, journaled)
        },
        |(tickets, _)| *tickets == 1,
    )
    .await;
    assert_eq!((tickets, journaled), (1, 1), "one ticket, one journal row");
    node.kill9();
}
