//! The header extraction's own tests (addresses, encodings, Message-ID lists).
use super::*;
use mail_parser::MessageParser;

fn parse(raw: &[u8]) -> HeaderFields {
    let msg = MessageParser::default().parse(raw).unwrap_or_default();
    extract(&msg, None)
}

fn addr(name: Option<&str>, email: &str) -> Address {
    Address {
        name: name.map(str::to_string),
        email: email.to_string(),
    }
}

#[test]
fn plain_headers() {
    let h = parse(
        b"From: \"Doe, John\" <John.Doe@Example.COM>\r\nTo: a@x.org, B <b@y.org>\r\nCc: Team: c@z.org, d@z.org;\r\n\
          Reply-To: <r@x.org>\r\nSubject: =?utf-8?B?SGVsbG8gd8O2cmxk?=\r\n\
          Date: Tue, 1 Jul 2025 10:00:00 +0200\r\nMessage-ID: <abc@x.org>\r\nIn-Reply-To: <p@x.org>\r\n\
          References: <r1@x.org> <r2@x.org>\r\n <p@x.org>\r\n\r\nbody\r\n",
    );
    assert_eq!(h.from, Some(addr(Some("Doe, John"), "john.doe@example.com")));
    assert_eq!(h.to, vec![addr(None, "a@x.org"), addr(Some("B"), "b@y.org")]);
    assert_eq!(h.cc, vec![addr(None, "c@z.org"), addr(None, "d@z.org")]);
    assert_eq!(h.reply_to, vec![addr(None, "r@x.org")]);
    assert_eq!(h.subject, "Hello wörld");
    assert_eq!(
        h.date.map(|d| d.to_rfc3339()),
        Some("2025-07-01T08:00:00+00:00".to_string())
    );
    assert_eq!(h.message_id.as_deref(), Some("abc@x.org"));
    assert_eq!(h.in_reply_to, vec!["p@x.org"]);
    assert_eq!(h.references, vec!["r1@x.org", "r2@x.org", "p@x.org"]);
}

#[test]
fn broken_from_headers() {
    let h = parse(b"From: john@example.com <john@example.com\r\nSubject: x\r\n\r\nb\r\n");
    assert_eq!(h.from, Some(addr(None, "john@example.com")));
    let h = parse(b"From: \"Doe, John\" john@example.com\r\nSubject: x\r\n\r\nb\r\n");
    assert_eq!(h.from, Some(addr(Some("Doe, John"), "john@example.com")));
    let h = parse(b"From: John Doe john@example.com\r\nSubject: x\r\n\r\nb\r\n");
    assert_eq!(h.from.map(|a| a.email), Some("john@example.com".to_string()));
    let h = parse(b"From: <JOHN@EXAMPLE.COM>>\r\nSubject: x\r\n\r\nb\r\n");
    assert_eq!(h.from.map(|a| a.email), Some("john@example.com".to_string()));
}

#[test]
fn raw_8bit_headers() {
    // GBK subject and name without RFC 2047, body declares gb2312.
    let raw = b"From: \xd5\xc5\xc8\xfd <zhang@example.cn>\r\nSubject: \xc4\xe3\xba\xc3\r\n\
          Content-Type: text/plain; charset=gb2312\r\n\r\nb\r\n";
    let msg = MessageParser::default().parse(&raw[..]).unwrap_or_default();
    let h = extract(&msg, Some("gb2312"));
    assert_eq!(h.subject, "你好");
    assert_eq!(h.from, Some(addr(Some("张三"), "zhang@example.cn")));
    // Windows-1252 without a hint
    let h = parse(b"From: Ren\xe9 <rene@example.fr>\r\nSubject: Caf\xe9\r\n\r\nb\r\n");
    assert_eq!(h.subject, "Café");
    assert_eq!(h.from, Some(addr(Some("René"), "rene@example.fr")));
    // ISO-2022-JP raw
    let h = parse(b"Subject: \x1b$B%O%m!<\x1b(B\r\n\r\nb\r\n");
    assert_eq!(h.subject, "ハロー");
}

#[test]
fn encoded_words_in_any_charset() {
    let h = parse(b"Subject: =?ISO-2022-JP?B?GyRCJU8lbSE8GyhC?=\r\n\r\nb\r\n");
    assert_eq!(h.subject, "ハロー");
    let h = parse(b"Subject: =?unknown-8bit?Q?Caf=E9?= ok\r\n\r\nb\r\n");
    assert_eq!(h.subject, "Café ok");
    let h = parse(b"Subject: =?utf-8?q?a?= =?utf-8?q?b?=  c\r\n\r\nb\r\n");
    assert_eq!(h.subject, "ab c");
    assert_eq!(
        decode_unstructured("=?x?\u{e9}?a?= =?\u{e9}?B?QQ==?= =??Q?a?=".as_bytes(), None),
        "=?x?\u{e9}?a?= A =??Q?a?="
    );
    // A multi-byte character split across two encoded words.
    let h = parse(b"Subject: =?UTF-8?B?ww==?=\r\n =?UTF-8?B?nGJlcg==?= x\r\n\r\nb\r\n");
    assert_eq!(h.subject, "\u{dc}ber x");
    let h = parse(b"From: =?unknown?Q?Doe,_Ren=E9?= <r@x.fr>\r\n\r\nb\r\n");
    assert_eq!(h.from, Some(addr(Some("Doe, René"), "r@x.fr")));
}

#[test]
fn date_falls_back_to_received() {
    let h = parse(b"Received: from a by b; Tue, 1 Jul 2025 10:00:00 +0000\r\nDate: garbage\r\nSubject: x\r\n\r\nb\r\n");
    assert_eq!(
        h.date.map(|d| d.to_rfc3339()),
        Some("2025-07-01T10:00:00+00:00".to_string())
    );
}

#[test]
fn obsolete_dates_and_comments() {
    let h = parse(b"From: (gw) Walter Brooks <wb@x.com> (Accounts)\r\nDate: 3 Jun 24 10:12 EST\r\n\r\nb\r\n");
    assert_eq!(
        h.date.map(|d| d.to_rfc3339()),
        Some("2024-06-03T15:12:00+00:00".to_string())
    );
    assert_eq!(h.from.and_then(|a| a.name), Some("Walter Brooks".to_string()));
    let h = parse(b"Date: 31/02/2024 25:61 CEST+-99\r\n\r\nb\r\n");
    assert_eq!(h.date, None);
}

#[test]
fn own_id_is_not_a_reference() {
    let h = parse(b"Message-ID: <me@x>\r\nIn-Reply-To: <me@x>\r\nReferences: <a@x> <me@x> <a@x> <b@x>\r\n\r\nb\r\n");
    assert!(h.in_reply_to.is_empty());
    assert_eq!(h.references, vec!["a@x", "b@x"]);
}

#[test]
fn only_the_newest_thread_ids_are_kept() {
    let ids: Vec<String> = (0..1000).map(|i| format!("m{i}@x")).collect();
    let kept = keep_newest(ids);
    assert_eq!(kept.len(), MAX_THREAD_IDS);
    assert_eq!(kept.first().map(String::as_str), Some("m900@x"));
    assert_eq!(kept.last().map(String::as_str), Some("m999@x"));
}

#[test]
fn missing_headers() {
    let h = parse(b"X-Foo: bar\r\n\r\nbody\r\n");
    assert_eq!(h, HeaderFields::default());
    let h = parse(b"From: <>\r\nReturn-Path: <>\r\n\r\nbody\r\n");
    assert_eq!(h.from, None);
}

#[test]
fn scan_finds_addresses() {
    assert_eq!(
        scan_addresses("Ann <ann@x.org>; bob@y.org,  \"Lee, C\" c@z.org."),
        vec![
            addr(Some("Ann"), "ann@x.org"),
            addr(None, "bob@y.org"),
            addr(Some("Lee, C"), "c@z.org")
        ]
    );
    assert!(scan_addresses("no address @ here").is_empty());
}

#[test]
fn display_names_in_legacy_charsets() {
    // An encoded word followed by plain text, GBK under a GB2312 label, Big5 inside quotes.
    let h = parse(b"From: =?utf-8?Q?Jos=C3=A9?= Garcia <jg@x.es>\r\n\r\nb\r\n");
    assert_eq!(h.from, Some(addr(Some("José Garcia"), "jg@x.es")));
    let h = parse(b"From: =?gb2312?B?6Ua71A==?= <r@x.cn>\r\n\r\nb\r\n");
    assert_eq!(h.from, Some(addr(Some("镕辉"), "r@x.cn")));
    let h = parse(b"From: \"=?big5?B?pKSk5Q==?=\" <c@x.tw>\r\n\r\nb\r\n");
    assert_eq!(h.from, Some(addr(Some("中文"), "c@x.tw")));
    // Latin-1 label on UTF-8 bytes; Shift_JIS under the cp932 label in a list of two.
    let h = parse(b"To: =?iso-8859-1?Q?C=C3=A9line?= <c@x.fr>, =?cp932?B?g26DjYFb?= <h@x.jp>\r\n\r\nb\r\n");
    assert_eq!(
        h.to,
        vec![addr(Some("Céline"), "c@x.fr"), addr(Some("ハロー"), "h@x.jp")]
    );
}

#[test]
fn subjects_in_legacy_and_broken_encodings() {
    let h = parse(b"Subject: =?ks_c_5601-1987?B?x9Gxub7u?= =?koi8-r?B?8NLJ18XU?=\r\n\r\nb\r\n");
    assert_eq!(h.subject, "한국어Привет");
    let h = parse(b"Subject: Re: =?utf-8?B?U3RhdHVz\r\n\r\nb\r\n");
    assert_eq!(h.subject, "Re: Status");
    // Raw GBK with the body's charset as hint, raw UTF-8 whatever the hint.
    let raw = b"Subject: \xd5\xd4\xc0\xda\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nb\r\n";
    assert_eq!(parse(raw).subject, "赵磊");
    let msg = MessageParser::default()
        .parse(&b"Subject: Caf\xc3\xa9\r\n\r\nb\r\n"[..])
        .unwrap_or_default();
    assert_eq!(extract(&msg, Some("gb2312")).subject, "Café");
}
