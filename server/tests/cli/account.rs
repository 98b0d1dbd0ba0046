//! The `maildesk` binary as a user runs it: first start, account creation, migrations, and a
//! wrong setting refused with one clear line.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::maildesk;

#[test]
fn first_start_prints_the_url_and_a_one_time_admin_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = maildesk(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = Vec::new();
    while Instant::now() < deadline && !lines.iter().any(|l: &String| l.contains("one-time password")) {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            lines.push(line);
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    let text = lines.join("\n");
    assert!(text.contains("Maildesk is running at http://127.0.0.1:"), "{text}");
    assert!(text.contains("admin@maildesk.local"), "{text}");
    assert!(dir.path().join("maildesk.db").exists());
    assert!(dir.path().join("keys/jwt.secret").exists());
}

#[test]
fn user_create_reads_the_password_from_stdin_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let mut child = maildesk(dir.path())
            .args([
                "user",
                "create",
                "--email",
                "Agent@Example.test",
                "--name",
                "Ann Agent",
                "--role",
                "agent",
            ])
            .arg("--password-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"a-long-password\n").unwrap();
        child.wait_with_output().unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("created agent agent@example.test"));
    let second = run();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already exists"));
}

#[test]
fn migrate_applies_and_a_wrong_setting_names_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let ok = maildesk(dir.path()).arg("migrate").output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("migrations applied to sqlite"));

    let bad = maildesk(dir.path())
        .arg("migrate")
        .env("MAILDESK__AUTH__ACCESS_TTL_SECS", "soon")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("access_ttl_secs"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let missing = maildesk(dir.path())
        .args(["--config", "/nonexistent/maildesk.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
}
