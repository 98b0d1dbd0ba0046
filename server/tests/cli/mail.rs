//! The mail commands of the binary: `import` (mbox, Maildir, .eml), `mail parse`, `demo`.

// Test helpers outside #[test] functions may unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Output;

fn maildesk(data_dir: &Path, args: &[&str]) -> Output {
    super::maildesk(data_dir).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn mail(id: &str, subject: &str, in_reply_to: Option<&str>) -> String {
    let irt = in_reply_to.map(|r| format!("In-Reply-To: <{r}>\n")).unwrap_or_default();
    format!(
        "From: Ann <ann@customer.example>\nTo: support@help.example.com\nSubject: {subject}\nMessage-ID: <{id}>\n{irt}\nHello there.\nFrom the start of a line.\n"
    )
}

#[test]
fn import_reads_mbox_and_maildir_threads_replies_and_skips_duplicates() {
    let data = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let mbox = format!(
        "From ann@customer.example Mon Jan  1 00:00:00 2024\n{}\nFrom ann@customer.example Mon Jan  1 00:01:00 2024\n{}\n",
        mail("a1@c.example", "Broken login", None).replace("\nFrom the", "\n>From the"),
        mail("a2@c.example", "Re: Broken login", Some("a1@c.example")),
    );
    std::fs::write(src.path().join("archive.mbox"), mbox).unwrap();
    let maildir = src.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(maildir.join("new/1.host"), mail("b1@c.example", "Printer", None)).unwrap();
    std::fs::write(
        maildir.join("cur/2.host:2,S"),
        mail("b2@c.example", "Re: Printer", Some("b1@c.example")),
    )
    .unwrap();

    let first = maildesk(data.path(), &["import", src.path().to_str().unwrap()]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains("created 2 · threaded 2 · duplicates 0 · quarantined 0 · failed 0"),
        "{}",
        text(&first)
    );
    let again = maildesk(data.path(), &["import", src.path().to_str().unwrap()]);
    assert!(again.status.success());
    assert!(
        text(&again).contains("created 0 · threaded 0 · duplicates 4"),
        "{}",
        text(&again)
    );
}

#[test]
fn an_import_with_a_failure_exits_non_zero_and_names_it() {
    let data = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("empty.eml"), b"").unwrap();
    std::fs::write(src.path().join("good.eml"), mail("g1@c.example", "Fine", None)).unwrap();
    let out = maildesk(data.path(), &["import", src.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains("empty.eml"), "{t}");
    assert!(t.contains("created 1"), "{t}");
    let missing = maildesk(data.path(), &["import", "/nonexistent/folder"]);
    assert!(!missing.status.success());
    assert!(text(&missing).contains("cannot be read"));
}

#[test]
fn mail_parse_prints_what_the_pipeline_sees() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.eml");
    // A leading mbox line and bare-LF endings are accepted.
    std::fs::write(
        &file,
        format!(
            "From x Mon Jan  1 00:00:00 2024\n{}",
            mail("p1@c.example", "Re: [#42] Help", None)
        ),
    )
    .unwrap();
    let out = maildesk(dir.path(), &["mail", "parse", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["from"]["email"], "ann@customer.example");
    assert_eq!(json["message_id"], "p1@c.example");
    assert_eq!(json["ticket_token"], 42);
    assert_eq!(json["classification"]["kind"], "normal");
    // The sender authentication verdict rides along (here nothing answers: not verified).
    let auth = &json["authentication"];
    assert_eq!(auth["from_domain"], "customer.example", "{json}");
    assert!(auth["dkim"].is_string() && auth["dmarc"].is_string(), "{auth}");
    assert_ne!(auth["dmarc"], "pass", "{auth}");
}

#[test]
fn demo_imports_sample_mail_once() {
    let data = tempfile::tempdir().unwrap();
    let out = maildesk(data.path(), &["demo"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("demo mail imported: created"), "{t}");
    assert!(t.contains("failed 0"), "{t}");
    assert!(!t.contains("created 0 "), "{t}");
    let again = maildesk(data.path(), &["demo"]);
    assert!(
        text(&again).contains("created 0 · threaded 0 · duplicates"),
        "{}",
        text(&again)
    );
}
