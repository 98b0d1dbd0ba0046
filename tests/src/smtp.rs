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

/// One mail over a raw SMTP conversation to `addr` (our own receiver, say): EHLO `helo`, MAIL
/// FROM `from`, RCPT TO `to`, DATA `raw` (CRLF, dot-stuffed here). Returns the answer to the
/// final dot.
pub async fn send_raw(addr: std::net::SocketAddr, helo: &str, from: &str, to: &str, raw: &[u8]) -> String {
    use tokio::io::{AsyncWriteExt, BufReader};
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connecting to the SMTP server");
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    smtp_reply(&mut read).await;
    let mut data = Vec::with_capacity(raw.len() + 64);
    for line in String::from_utf8_lossy(raw).split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with('.') {
            data.push(b'.');
        }
        data.extend_from_slice(line.as_bytes());
        data.extend_from_slice(b"\r\n");
    }
    for cmd in [
        format!("EHLO {helo}"),
        format!("MAIL FROM:<{from}>"),
        format!("RCPT TO:<{to}>"),
        "DATA".into(),
    ] {
        write
            .write_all(format!("{cmd}\r\n").as_bytes())
            .await
            .expect("writing SMTP");
        let answer = smtp_reply(&mut read).await;
        assert!(answer.starts_with('2') || answer.starts_with('3'), "{cmd}: {answer}");
    }
    write.write_all(&data).await.expect("writing the mail");
    write.write_all(b".\r\n").await.expect("writing the end of DATA");
    let answer = smtp_reply(&mut read).await;
    let _ = write.write_all(b"QUIT\r\n").await;
    answer
}

/// One SMTP reply, all its lines.
async fn smtp_reply(read: &mut tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    use tokio::io::AsyncBufReadExt;
    let mut all = String::new();
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(30), read.read_line(&mut line))
            .await
            .expect("an SMTP reply within 30 s")
            .expect("reading an SMTP reply");
        all.push_str(&line);
        if n == 0 || line.len() < 4 || line.as_bytes()[3] == b' ' {
            return all;
        }
    }
}
