//! The private Postfix of `scripts/smtp.sh` (delivering into the test Dovecot), and reading
//! what a recipient got over IMAP — the customer's side of outbound mail.

use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::imap::{Imap, dovecot_port};

/// Starts (once per test process) Postfix and Dovecot; returns the SMTP port. Fails the test,
/// naming what to run, if it cannot.
pub fn smtp_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        dovecot_port();
        let script = crate::workspace_root().join("scripts/smtp.sh");
        let out = tempfile::NamedTempFile::new().expect("temp file");
        let err = tempfile::NamedTempFile::new().expect("temp file");
        // Files, not pipes: the daemon outlives the script (see imap::dovecot_script).
        let status = Command::new("bash")
            .arg(&script)
            .stdin(std::process::Stdio::null())
            .stdout(out.reopen().expect("reopen"))
            .stderr(err.reopen().expect("reopen"))
            .status()
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        let stdout = std::fs::read_to_string(out.path()).unwrap_or_default();
        let stderr = std::fs::read_to_string(err.path()).unwrap_or_default();
        assert!(
            status.success(),
            "Postfix is needed for the outbound-mail tests and could not be started.\n\
             Start it with: bash scripts/smtp.sh (installs postfix when run as root)\n{stderr}"
        );
        stdout
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("scripts/smtp.sh printed no port: {stdout:?} {stderr}"))
    })
}

/// What `address` has received so far (its Dovecot INBOX).
pub fn received(address: &str) -> Vec<String> {
    let mut imap = Imap::login(dovecot_port(), address);
    let all = imap.messages("INBOX");
    imap.logout();
    all
}

/// Waits until `address` has received a mail for which `pick` is true; returns it.
pub async fn wait_for_mail(address: &str, within: Duration, pick: impl Fn(&str) -> bool) -> String {
    let read = || {
        let who = address.to_owned();
        async move {
            tokio::task::spawn_blocking(move || received(&who))
                .await
                .expect("IMAP read")
        }
    };
    let got = crate::poll::until(
        &format!("a matching mail to {address} (Postfix log: /tmp/maildesk-postfix/postfix.log)"),
        within,
        read,
        |got| got.iter().any(|m| pick(m)),
    )
    .await;
    got.into_iter()
        .find(|m| pick(m))
        .expect("until returns a matching mail")
}

/// The value of header `name` in a raw mail (first occurrence, unfolded).
pub fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        match &mut value {
            Some(v) if line.starts_with(' ') || line.starts_with('\t') => {
                v.push(' ');
                v.push_str(line.trim());
            }
            Some(_) => break,
            None => {
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case(name)
                {
                    value = Some(v.trim().to_owned());
                }
            }
        }
    }
    value
}

/// The display name and address of the From header, decoded (RFC 2047) by a real parser.
pub fn from_of(raw: &str) -> (Option<String>, Option<String>) {
    let Some(msg) = mail_parser::MessageParser::default().parse(raw.as_bytes()) else {
        return (None, None);
    };
    let first = msg.from().and_then(|a| a.first());
    (
        first.and_then(|a| a.name()).map(str::to_owned),
        first.and_then(|a| a.address()).map(str::to_owned),
    )
}
