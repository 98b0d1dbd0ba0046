//! IMAP test support: the private Dovecot of `scripts/dovecot.sh`, a small independent IMAP
//! client (plain `std::net`, not the code under test) that delivers mails with APPEND and
//! inspects folders, and helpers to create mailboxes and wait for tickets.
//!
//! Dovecot accepts any user name with the password `secret`: each test takes a unique user and
//! so has its own empty mailbox; tests run in parallel.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::Duration;

use maildesk::egress::Egress;
use protocol::{AfterImport, MailboxSettings, TlsMode};

use crate::TestApp;

pub const PASSWORD: &str = "secret";

/// Starts (once per test process; the script is idempotent and locked) the private Dovecot and
/// returns its port. Fails the test, naming what to run, if it cannot.
pub fn dovecot_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let (ok, stdout, stderr) = dovecot_script(&[]);
        assert!(
            ok,
            "Dovecot is needed for the IMAP tests and could not be started.\n\
             Start it with: bash scripts/dovecot.sh (installs dovecot-imapd when run as root)\n{stderr}"
        );
        stdout
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("scripts/dovecot.sh printed no port: {stdout:?} {stderr}"))
    })
}

/// `scripts/dovecot.sh env`: MAILDESK_DOVECOT_{DIR,PORT} and, when Dovecot has TLS,
/// MAILDESK_DOVECOT_TLS_PORT and MAILDESK_DOVECOT_CA (the throw-away CA's PEM file).
pub fn dovecot_env() -> std::collections::HashMap<String, String> {
    dovecot_port();
    let (ok, stdout, stderr) = dovecot_script(&["env"]);
    assert!(ok, "scripts/dovecot.sh env failed: {stderr}");
    stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Runs `scripts/dovecot.sh`.
fn dovecot_script(args: &[&str]) -> (bool, String, String) {
    crate::rig::script("dovecot.sh", args, &[])
}

/// A unique IMAP user (and so mailbox) for one test.
pub fn unique_user(tag: &str) -> String {
    format!(
        "{tag}-{}@example.test",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// A plain mail from `from` with a fresh Message-ID.
pub fn mail(from: &str, subject: &str, body: &str) -> Vec<u8> {
    let id = uuid::Uuid::new_v4().simple();
    format!(
        "From: Customer <{from}>\r\nTo: support@example.test\r\nSubject: {subject}\r\nMessage-ID: <{id}@example.test>\r\n\
         Date: Sun, 22 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// A mailbox of `app` on the private Dovecot, as a unique user, created through the domain
/// code the admin API uses. `tweak` adjusts the settings first.
pub async fn create_mailbox(
    app: &TestApp,
    after: AfterImport,
    tweak: impl FnOnce(&mut MailboxSettings),
) -> TestMailbox {
    let port = dovecot_port();
    let user = unique_user("support");
    let mut settings = MailboxSettings {
        name: Some(format!("IMAP {user}")),
        address: Some(user.clone()),
        imap_host: Some("127.0.0.1".into()),
        imap_port: Some(port),
        imap_tls: Some(TlsMode::None),
        imap_username: Some(user.clone()),
        imap_password: Some(PASSWORD.into()),
        after_import: Some(after),
        move_to_folder: (after == AfterImport::Move).then(|| "Processed".to_owned()),
        accept_unknown: Some(true),
        ..Default::default()
    };
    tweak(&mut settings);
    let created =
        maildesk::mail::mailboxes::create(app.ctx.db(), app.ctx.keys(), Egress::of(app.ctx.settings()), &settings)
            .await
            .unwrap_or_else(|e| panic!("creating the mailbox: {e}"));
    TestMailbox {
        id: created.mailbox.id,
        user,
        port,
    }
}

#[derive(Debug, Clone)]
pub struct TestMailbox {
    pub id: i64,
    /// The IMAP user, also the mailbox's address.
    pub user: String,
    pub port: u16,
}

impl TestMailbox {
    pub fn imap(&self) -> Imap {
        Imap::login(self.port, &self.user)
    }
}

/// A ticket's id once one with `subject` exists (admin's list), polling until `within`.
pub async fn wait_for_ticket(app: &TestApp, subject: &str, within: Duration) -> i64 {
    let id = crate::poll::until(
        &format!("a ticket {subject:?}"),
        within,
        || ticket_with_subject(app, subject),
        Option::is_some,
    )
    .await;
    id.expect("until returns a ticket")
}

pub async fn ticket_with_subject(app: &TestApp, subject: &str) -> Option<i64> {
    tickets(app)
        .await
        .into_iter()
        .find(|t| t.subject == subject)
        .map(|t| t.id)
}

pub async fn tickets(app: &TestApp) -> Vec<protocol::Ticket> {
    let page: protocol::Page<protocol::Ticket> =
        crate::client::ok_json(app.api.get(&app.admin.token, "/tickets?per_page=200").await).await;
    page.items
}

/// Polls `check` until it holds (or fails the test after `within`, describing `what`).
pub async fn eventually(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    crate::poll::until(what, within, || std::future::ready(check()), |done| *done).await;
}

/// A minimal blocking IMAP client for the tests' own deliveries and checks.
pub struct Imap {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Imap {
    pub fn login(port: u16, user: &str) -> Self {
        let stream =
            TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connecting to Dovecot on {port}: {e}"));
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        let writer = stream.try_clone().expect("clone stream");
        let mut imap = Self {
            reader: BufReader::new(stream),
            writer,
            tag: 0,
        };
        let greeting = imap.line();
        assert!(greeting.starts_with("* OK"), "greeting: {greeting}");
        imap.ok(&format!("LOGIN {} {}", quote(user), quote(PASSWORD)));
        imap
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self.reader.read_line(&mut line).expect("reading from Dovecot");
        assert!(n > 0, "Dovecot closed the connection");
        // A literal ({n}) continues the response with n raw bytes, then more of the line.
        while let Some(len) = line
            .trim_end()
            .strip_suffix('}')
            .and_then(|l| l.rsplit_once('{'))
            .and_then(|(_, n)| n.parse::<usize>().ok())
        {
            let mut buf = vec![0u8; len];
            self.reader.read_exact(&mut buf).expect("reading a literal");
            line.push_str(&String::from_utf8_lossy(&buf));
            let mut rest = String::new();
            self.reader.read_line(&mut rest).expect("reading after a literal");
            line.push_str(&rest);
        }
        line
    }

    /// Sends a command; returns the untagged lines and the tagged status line.
    pub fn command(&mut self, cmd: &str) -> (Vec<String>, String) {
        self.tag += 1;
        let tag = format!("T{}", self.tag);
        self.writer
            .write_all(format!("{tag} {cmd}\r\n").as_bytes())
            .expect("writing to Dovecot");
        self.read_until(&tag)
    }

    fn read_until(&mut self, tag: &str) -> (Vec<String>, String) {
        let mut untagged = Vec::new();
        loop {
            let line = self.line();
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                return (untagged, rest.trim_end().to_owned());
            }
            untagged.push(line.trim_end().to_owned());
        }
    }

    /// A command that must succeed.
    pub fn ok(&mut self, cmd: &str) -> Vec<String> {
        let (lines, status) = self.command(cmd);
        assert!(status.starts_with("OK"), "{cmd} → {status} {lines:?}");
        lines
    }

    /// Delivers `mail` into `folder` with `flags` (e.g. `\\Seen`); returns its UID.
    pub fn append(&mut self, folder: &str, flags: &str, mail: &[u8]) -> u32 {
        self.tag += 1;
        let tag = format!("T{}", self.tag);
        let cmd = format!("{tag} APPEND {} ({flags}) {{{}}}\r\n", quote(folder), mail.len());
        self.writer.write_all(cmd.as_bytes()).expect("APPEND");
        let cont = self.line();
        assert!(cont.starts_with('+'), "APPEND continuation: {cont}");
        self.writer.write_all(mail).expect("APPEND literal");
        self.writer.write_all(b"\r\n").expect("APPEND end");
        let (_, status) = self.read_until(&tag);
        assert!(status.starts_with("OK"), "APPEND → {status}");
        // OK [APPENDUID <uidvalidity> <uid>] …
        status
            .split_once("[APPENDUID ")
            .and_then(|(_, r)| r.split(']').next())
            .and_then(|r| r.split_whitespace().nth(1))
            .and_then(|u| u.parse().ok())
            .unwrap_or_else(|| panic!("no APPENDUID in {status}"))
    }

    pub fn create(&mut self, folder: &str) {
        self.ok(&format!("CREATE {}", quote(folder)));
    }

    pub fn delete(&mut self, folder: &str) {
        self.ok(&format!("DELETE {}", quote(folder)));
    }

    /// UIDVALIDITY of `folder`.
    pub fn uid_validity(&mut self, folder: &str) -> u32 {
        let lines = self.ok(&format!("STATUS {} (UIDVALIDITY)", quote(folder)));
        lines
            .iter()
            .find_map(|l| {
                l.split_once("UIDVALIDITY ")
                    .and_then(|(_, r)| r.trim_end_matches(')').trim().parse().ok())
            })
            .unwrap_or_else(|| panic!("no UIDVALIDITY in {lines:?}"))
    }

    /// The UIDs in `folder` (read-only look).
    pub fn uids(&mut self, folder: &str) -> Vec<u32> {
        self.ok(&format!("EXAMINE {}", quote(folder)));
        let lines = self.ok("UID SEARCH ALL");
        let mut uids: Vec<u32> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("* SEARCH"))
            .flat_map(|r| {
                r.split_whitespace()
                    .filter_map(|u| u.parse().ok())
                    .collect::<Vec<u32>>()
            })
            .collect();
        uids.sort_unstable();
        uids
    }

    /// The flags of `uid` in `folder` (read-only look).
    pub fn flags(&mut self, folder: &str, uid: u32) -> Vec<String> {
        self.ok(&format!("EXAMINE {}", quote(folder)));
        let lines = self.ok(&format!("UID FETCH {uid} (FLAGS)"));
        let line = lines
            .iter()
            .find(|l| l.contains("FETCH ("))
            .unwrap_or_else(|| panic!("UID {uid} not in {folder}: {lines:?}"));
        let inner = line
            .split_once("FLAGS (")
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(f, _)| f)
            .unwrap_or("");
        inner.split_whitespace().map(str::to_owned).collect()
    }

    /// Every message in `folder`, raw (read-only look; an empty folder gives none).
    pub fn messages(&mut self, folder: &str) -> Vec<String> {
        let lines = self.ok(&format!("EXAMINE {}", quote(folder)));
        if lines.iter().any(|l| l.trim() == "* 0 EXISTS") {
            return Vec::new();
        }
        self.ok("UID FETCH 1:* (BODY.PEEK[])")
            .iter()
            .filter_map(|l| {
                let at = l.find("BODY[] {")?;
                let start = at + l[at..].find("}\r\n")? + 3;
                let end = l.rfind(')')?;
                (end >= start).then(|| l[start..end].to_owned())
            })
            .collect()
    }

    pub fn logout(mut self) {
        let _ = self.command("LOGOUT");
    }
}
