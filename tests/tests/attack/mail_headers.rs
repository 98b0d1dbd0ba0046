//! File names from mail (and uploads) in `Content-Disposition`: a sender names an attachment
//! `a"; x=1<CR><LF>Set-Cookie: …` hoping the download header ends early, gains parameters or
//! splits into a second header. The name must arrive encoded (RFC 6266 / 5987), and a UTF-8
//! name must survive as itself.

use maildesk_tests::client::new_ticket;
use maildesk_tests::{TestApp, spawn_app};
use protocol::{Attachment, Role};

const EVIL: &str = "a\"; x=1\r\nSet-Cookie: evil.txt";
const UTF8: &str = "Überweisung €.pdf";

fn mail_with_attachments() -> Vec<u8> {
    // RFC 2231 names, as a mail client encodes them: the parser decodes them to EVIL and UTF8.
    "From: mallory@evil.example\r\nTo: support@help.example.com\r\nSubject: Invoice\r\n\
     Message-ID: <cd-names@evil.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
     --b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
     --b\r\nContent-Type: text/plain\r\n\
     Content-Disposition: attachment; filename*=utf-8''a%22%3B%20x%3D1%0D%0ASet-Cookie%3A%20evil.txt\r\n\
     Content-Transfer-Encoding: base64\r\n\r\naGVsbG8K\r\n\
     --b\r\nContent-Type: application/pdf\r\n\
     Content-Disposition: attachment; filename*=utf-8''%C3%9Cberweisung%20%E2%82%AC.pdf\r\n\
     Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
        .as_bytes()
        .to_vec()
}

/// `(name, value)` of each parameter of a `Content-Disposition` value, quotes honoured.
fn params(value: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let (mut cur, mut quoted, mut escaped) = (String::new(), false, false);
    for c in value.chars() {
        match c {
            _ if escaped => {
                cur.push(c);
                escaped = false;
            }
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    assert!(!quoted, "an unclosed quote in {value:?}");
    parts.push(cur);
    parts
        .into_iter()
        .skip(1)
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((&p, ""));
            (k.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect()
}

/// The value of an RFC 5987 `UTF-8''…` parameter.
fn ext_value(raw: &str) -> String {
    let encoded = raw
        .strip_prefix("UTF-8''")
        .unwrap_or_else(|| panic!("not UTF-8'': {raw}"));
    let mut bytes = Vec::new();
    let mut it = encoded.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex: Vec<u8> = it.by_ref().take(2).collect();
            let hex = std::str::from_utf8(&hex).expect("hex");
            bytes.push(u8::from_str_radix(hex, 16).expect("hex"));
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).expect("UTF-8")
}

/// Downloads `a` and checks its `Content-Disposition` names it `expected`, and nothing else.
async fn assert_download_names(app: &TestApp, token: &str, a: &Attachment, expected: &str) {
    let resp = app.api.get(token, &format!("/attachments/{}", a.id)).await;
    assert_eq!(resp.status(), 200, "download {}", a.id);
    assert!(resp.headers().get("set-cookie").is_none(), "the file name set a cookie");
    let value = resp
        .headers()
        .get("content-disposition")
        .expect("a Content-Disposition")
        .to_str()
        .expect("an ASCII Content-Disposition")
        .to_owned();
    assert!(value.starts_with("attachment;"), "{value}");
    let p = params(&value);
    let names: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        names.iter().all(|n| *n == "filename" || *n == "filename*"),
        "the file name added parameters: {value:?}"
    );
    let fallback = &p.iter().find(|(k, _)| k == "filename").expect("a plain filename").1;
    assert!(
        fallback.chars().all(|c| c.is_ascii_graphic() || c == ' ') && !fallback.contains(['"', '\\']),
        "{fallback:?}"
    );
    let full = &p.iter().find(|(k, _)| k == "filename*").expect("filename*").1;
    assert_eq!(ext_value(full), expected, "{value}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachment_names_from_mail_cannot_break_the_download_header() {
    let app = spawn_app().await;
    let mb = app.mailbox("support@help.example.com").await;
    let accepted = app.deliver(&mb, &mail_with_attachments()).await;
    let ticket = accepted.ticket_id.expect("a ticket");
    let detail = app.api.ticket(&app.admin.token, ticket).await;
    let files: Vec<Attachment> = detail.messages.into_iter().flat_map(|m| m.attachments).collect();
    let by_name = |want: &str| {
        files
            .iter()
            .find(|a| a.filename.starts_with(want))
            .cloned()
            .unwrap_or_else(|| panic!("no attachment named {want}…: {files:?}"))
    };
    // The hostile name is stored as sent (minus the line break): the header must cope with it.
    let evil = by_name("a\"; x=1");
    assert_eq!(evil.filename, EVIL.replace(['\r', '\n'], ""));
    assert_download_names(&app, &app.admin.token, &evil, &evil.filename).await;
    assert_download_names(&app, &app.admin.token, &by_name("Überweisung"), UTF8).await;
}

/// A customer names an upload; the agent who downloads it gets that name, encoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_utf8_name_arrives_as_itself() {
    let app = spawn_app().await;
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Upload"))
        .await
        .ticket;
    let a = app
        .api
        .upload_ok(
            &customer.token,
            t.id,
            "%C3%9Cberweisung%20%E2%82%AC.pdf",
            b"%PDF-1.4\n".to_vec(),
        )
        .await;
    assert_eq!(a.filename, UTF8);
    assert_download_names(&app, &app.admin.token, &a, UTF8).await;
}
