//! The parsing pipeline behind [`crate::parse_mail`]: the steps of the crate documentation, in
//! order, with a headers-only fallback when the MIME structure cannot be read.

use std::panic::{AssertUnwindSafe, catch_unwind};

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use crate::decode::{attachments, body, headers, html_text, normalize};
use crate::parsed::ParsedMail;
use crate::{classify, token, visible};

/// What the caller knows that the mail does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Texts (disclaimers, confidentiality notices) removed from the visible text.
    pub excluded_text: Vec<String>,
    /// The helpdesk's own addresses (mailboxes, aliases). Passed through for the pipeline;
    /// parsing itself does not use them.
    pub own_addresses: Vec<String>,
}

/// Why some bytes could not be read as a mail at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is empty")]
    Empty,
    #[error("not an e-mail message: no header fields found (expected lines like `From: …` before the body)")]
    NoHeaders,
    #[error("the message could not be parsed: {0}")]
    Malformed(String),
}

/// See [`crate::parse_mail`].
pub fn parse(raw: &[u8], opts: &ParseOptions) -> Result<ParsedMail, ParseError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    let normalized = normalize::normalize(raw);
    if !has_header_block(&normalized) {
        return Err(ParseError::NoHeaders);
    }
    // A mail is untrusted input: a panic anywhere below must become a degraded result or an
    // error, never a crash. (mail-parser 0.11 has `debug_assert!(false)` paths that malformed
    // MIME reaches in debug builds; the header-only retry covers them.)
    match catch_unwind(AssertUnwindSafe(|| parse_full(&normalized, opts))) {
        Ok(result) => result,
        Err(_) => match catch_unwind(AssertUnwindSafe(|| parse_degraded(&normalized, opts))) {
            Ok(result) => result,
            Err(_) => Err(ParseError::Malformed(
                "the MIME structure could not be read".to_string(),
            )),
        },
    }
}

/// Whether the input starts with something that looks like a header field (`Name: value`);
/// [`normalize::normalize`] has already moved past anything a mail client skips.
fn has_header_block(raw: &[u8]) -> bool {
    let first_line = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    normalize::is_header_line(first_line)
}

fn parse_full(raw: &[u8], opts: &ParseOptions) -> Result<ParsedMail, ParseError> {
    let message = MessageParser::default().parse(raw).ok_or(ParseError::NoHeaders)?;
    if let Some(repaired) = repair_missing_boundary(&message) {
        let message = MessageParser::default().parse(&repaired).ok_or(ParseError::NoHeaders)?;
        return build(&message, opts);
    }
    build(&message, opts)
}

/// `Content-Type: multipart/…` without a `boundary` parameter: when the body has a delimiter line
/// (`--something`), the message is parsed again with that boundary added.
fn repair_missing_boundary(message: &Message<'_>) -> Option<Vec<u8>> {
    let root = message.parts.first()?;
    let ct = root.content_type()?;
    if !ct.ctype().eq_ignore_ascii_case("multipart") || ct.attribute("boundary").is_some() {
        return None;
    }
    let header = headers::first_header(message, "Content-Type")?;
    let raw: &[u8] = &message.raw_message;
    let body = raw.get(root.offset_body as usize..)?;
    let boundary = body.split(|&b| b == b'\n').find_map(|line| {
        let line = std::str::from_utf8(line).ok()?.trim_end();
        let token = line.strip_prefix("--")?;
        let token = token.strip_suffix("--").unwrap_or(token);
        (!token.is_empty() && token.len() <= 70 && !token.contains(['"', '\\'])).then(|| token.to_string())
    })?;
    let insert_at = (header.offset_end as usize)
        .checked_sub(2)
        .filter(|&p| raw.get(p..p + 2) == Some(b"\r\n"))?;
    let mut repaired = Vec::with_capacity(raw.len() + boundary.len() + 16);
    repaired.extend_from_slice(raw.get(..insert_at)?);
    repaired.extend_from_slice(format!("; boundary=\"{boundary}\"").as_bytes());
    repaired.extend_from_slice(raw.get(insert_at..)?);
    Some(repaired)
}

fn build(message: &Message<'_>, opts: &ParseOptions) -> Result<ParsedMail, ParseError> {
    let hint = charset_hint(message);
    let fields = headers::extract(message, hint.as_deref());
    let body = body::extract(message);
    let (text_full, uuencoded) = attachments::split_uuencoded(&body.text);
    let mut files = attachments::extract(message, body.html.as_deref(), hint.as_deref());
    files.extend(uuencoded);
    Ok(assemble(message, fields, text_full, body.html, files, opts))
}

/// Headers only, the body as plain text: for input whose MIME structure broke the full parse.
fn parse_degraded(raw: &[u8], opts: &ParseOptions) -> Result<ParsedMail, ParseError> {
    let message = MessageParser::default()
        .parse_headers(raw)
        .ok_or(ParseError::NoHeaders)?;
    let fields = headers::extract(&message, None);
    let body_start = find_body_start(raw);
    let text_full = html_text::tidy_text(&String::from_utf8_lossy(&raw[body_start..]).replace("\r\n", "\n"));
    Ok(assemble(&message, fields, text_full, None, Vec::new(), opts))
}

/// The steps after decoding, the same for a full and a degraded parse: the visible text,
/// the classification and the ticket token, put together with the decoded parts.
fn assemble(
    message: &Message<'_>,
    fields: headers::HeaderFields,
    text_full: String,
    html: Option<String>,
    attachments: Vec<crate::parsed::ParsedAttachment>,
    opts: &ParseOptions,
) -> ParsedMail {
    let split = visible::split(&text_full, &opts.excluded_text);
    let classification = classify::classify(message, &fields, &text_full);
    let ticket_token = token::ticket_token(&fields.subject);
    ParsedMail {
        from: fields.from,
        to: fields.to,
        cc: fields.cc,
        reply_to: fields.reply_to,
        subject: fields.subject,
        date: fields.date,
        message_id: fields.message_id,
        in_reply_to: fields.in_reply_to,
        references: fields.references,
        delivered_to: fields.delivered_to,
        text: split.text,
        signature: split.signature,
        quoted: split.quoted,
        text_full,
        html,
        attachments,
        classification,
        ticket_token,
    }
}

fn find_body_start(raw: &[u8]) -> usize {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |p| p + 4)
}

/// The charset declared by the first text part (or the root), used for raw 8-bit headers.
fn charset_hint(msg: &Message<'_>) -> Option<String> {
    msg.parts
        .iter()
        .filter(|p| matches!(p.body, PartType::Text(_) | PartType::Html(_) | PartType::Multipart(_)))
        .find_map(|p| {
            p.content_type()
                .and_then(|ct| ct.attribute("charset"))
                .map(str::to_string)
        })
        .filter(|c| !c.eq_ignore_ascii_case("us-ascii") && !c.eq_ignore_ascii_case("utf-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsed::MailKind;

    const SAMPLE: &str = "From: \"Ann\" <ann@example.com>\r\nTo: support@x.com\r\nSubject: Re: [#42] Printer\r\n\
Message-ID: <m1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nIt works now, thanks=21\r\n\r\nOn Mon, 1 Jan 2024 Support <support@x.com> wrote:\r\n> Try again.\r\n\
--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>It works now, thanks!</p><img src=\"cid:img1@x\"><script>x()</script>\r\n\
--alt--\r\n--outer\r\nContent-Type: image/png\r\nContent-ID: <img1@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
--outer\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--outer--\r\n";

    #[test]
    fn parses_a_complete_mail() {
        let parsed = match parse(SAMPLE.as_bytes(), &ParseOptions::default()) {
            Ok(p) => p,
            Err(e) => panic!("parse failed: {e}"),
        };
        assert_eq!(parsed.from.as_ref().map(|a| a.email.as_str()), Some("ann@example.com"));
        assert_eq!(parsed.ticket_token, Some(42));
        assert_eq!(parsed.text, "It works now, thanks!");
        assert!(parsed.quoted.as_deref().is_some_and(|q| q.contains("> Try again.")));
        assert_eq!(parsed.classification.kind, MailKind::Normal);
        let html = parsed.html.unwrap_or_default();
        assert!(html.contains("cid:img1@x") && !html.contains("script"), "{html}");
        assert_eq!(parsed.attachments.len(), 2);
        assert!(parsed.attachments[0].inline);
        assert_eq!(parsed.attachments[0].content_id.as_deref(), Some("img1@x"));
        assert_eq!(parsed.attachments[0].filename, "attachment-1.png");
        assert_eq!(parsed.attachments[1].filename, "report.pdf");
        assert_eq!(parsed.attachments[1].bytes, b"%PDF-1.4\n");
        assert!(!parsed.attachments[1].inline);
    }

    #[test]
    fn errors_for_non_mail() {
        assert_eq!(parse(b"", &ParseOptions::default()), Err(ParseError::Empty));
        assert_eq!(parse(b" \r\n ", &ParseOptions::default()), Err(ParseError::Empty));
        assert_eq!(
            parse(b"hello world, no headers here", &ParseOptions::default()),
            Err(ParseError::NoHeaders)
        );
        assert_eq!(
            parse(&[0u8, 159, 146, 150], &ParseOptions::default()),
            Err(ParseError::NoHeaders)
        );
    }

    /// Inputs a mail client opens must never be refused as "not an e-mail message".
    #[test]
    fn accepts_what_mail_clients_open() {
        let cases: &[&[u8]] = &[
            b"From someone@x.com Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n",
            b"\n\n  \r\nSubject: hi\r\n\r\nbody",
            b"Subject: hi\rFrom: a@x.com\r\rbody\r",
            b"Subject: hi\nFrom: a@x.com\nbody without separator\n",
            b"Subject: hi",
            b"\0Subject: hi\r\n\r\nbody",
            b"\xEF\xBB\xBFSubject: hi\r\n\r\nbody",
            b"Microsoft Mail Internet Headers Version 2.0\r\nSubject: hi\r\n\r\nbody",
            b"Subject : hi\r\n\r\nbody",
            b">From x@y Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody",
        ];
        for raw in cases {
            let parsed = parse(raw, &ParseOptions::default());
            assert_eq!(
                parsed.map(|p| p.subject),
                Ok("hi".to_string()),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn multipart_without_boundary_is_repaired() {
        let raw = b"From: a@x.com\r\nContent-Type: multipart/mixed\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nHello there.\r\n--zz--\r\n";
        assert_eq!(
            parse(raw, &ParseOptions::default()).map(|p| p.text),
            Ok("Hello there.".to_string())
        );
    }

    fn html_only(html: &str) -> ParsedMail {
        let raw =
            format!("From: a@x.com\r\nSubject: Re: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n");
        match parse(raw.as_bytes(), &ParseOptions::default()) {
            Ok(p) => p,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    #[test]
    fn html_only_replies_are_split() {
        let outlook = html_only(
            "<div>Thanks, that fixed it.</div><div>Ann</div><hr style=\"display:inline-block;width:98%\">\
             <div id=\"divRplyFwdMsg\"><font><b>From:</b> Support &lt;s@x.com&gt;<br><b>Sent:</b> Monday<br>\
             <b>To:</b> Ann<br><b>Subject:</b> Printer</font></div><div>Try again.</div>",
        );
        assert_eq!(outlook.text, "Thanks, that fixed it.\nAnn");
        assert!(outlook.quoted.is_some_and(|q| q.contains("Try again.")));
        let gmail = html_only(
            "<div dir=\"ltr\">Works now!</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, 3 Jun 2024 at 10:12, \
             S &lt;s@x.com&gt; wrote:<br></div><blockquote class=\"gmail_quote\">Try again.</blockquote></div>",
        );
        assert_eq!(gmail.text, "Works now!");
        assert_eq!(
            gmail.quoted.as_deref(),
            Some("On Mon, 3 Jun 2024 at 10:12, S <s@x.com> wrote:\n\n> Try again.")
        );
    }

    #[test]
    fn headers_only_mail() {
        let parsed = parse(b"Subject: only headers", &ParseOptions::default());
        assert_eq!(parsed.map(|p| p.subject), Ok("only headers".to_string()));
    }

    /// Every prefix and many byte mutations of a complex mail parse without panicking.
    #[test]
    fn never_panics_on_truncated_or_mutated_input() {
        let bytes = SAMPLE.as_bytes();
        for end in 0..bytes.len() {
            let _ = parse(&bytes[..end], &ParseOptions::default());
        }
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..400 {
            let mut mutated = bytes.to_vec();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let pos = (seed as usize) % mutated.len();
                mutated[pos] = (seed >> 32) as u8;
            }
            let _ = parse(&mutated, &ParseOptions::default());
        }
    }

    /// Thousands of HTML parts after the body: each is a file, found in linear-ish time.
    #[test]
    fn many_html_parts() {
        let mut raw = String::from("From: a@x.com\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n");
        raw.push_str("--m\r\nContent-Type: text/html\r\n\r\n<p>body</p>\r\n");
        for i in 0..3000 {
            raw.push_str(&format!("--m\r\nContent-Type: text/html\r\n\r\n<p>page {i}</p>\r\n"));
        }
        raw.push_str("--m--\r\n");
        let parsed = parse(raw.as_bytes(), &ParseOptions::default());
        assert_eq!(
            parsed.map(|p| (p.text, p.attachments.len())),
            Ok(("body".to_string(), 3000))
        );
    }

    #[test]
    fn deep_nesting_does_not_crash() {
        let mut raw = String::from("From: a@x.com\r\nSubject: deep\r\n");
        for i in 0..200 {
            raw.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
            ));
        }
        raw.push_str("Content-Type: text/plain\r\n\r\nhi\r\n");
        let _ = parse(raw.as_bytes(), &ParseOptions::default());
        let html = format!(
            "From: a@x.com\r\nContent-Type: text/html\r\n\r\n{}x{}",
            "<div><blockquote>".repeat(3000),
            "</blockquote></div>".repeat(3000)
        );
        let _ = parse(html.as_bytes(), &ParseOptions::default());
    }
}
