//! Attachments and inline parts of a message.
//!
//! Every MIME part that is not one of the text/HTML bodies becomes a [`ParsedAttachment`]:
//! files, inline images, `text/calendar` invitations, TNEF `winmail.dat`, the report parts of
//! a bounce (`message/delivery-status`, `text/rfc822-headers`, the returned message), HTML and
//! text parts that are files rather than body ([`super::structure`]), and attached messages
//! (`message/rfc822`, kept whole as a `.eml`). Parts inside an attached message belong to that
//! `.eml` and are not listed separately. uuencoded files in the text body (`begin 644 name` …
//! `end`) are decoded and listed too (see [`split_uuencoded`]).
//!
//! - `filename`: see [`names`] for the order of sources; reduced to its last path component,
//!   without control characters; `attachment-N.ext` only when the mail names nothing (N counts
//!   attachments from 1, the extension follows the content type), `winmail.dat` for TNEF;
//! - `inline`: the part has a Content-ID and is shown in the text: the HTML body references it
//!   (`cid:`), or it is an image its sender placed inline (`Content-Disposition: inline`, or a
//!   part of a `multipart/related`). Other parts marked inline are ordinary attachments, so
//!   nothing is hidden from the agent;
//! - `content_id`: without angle brackets; `sha256`: lowercase hex of the bytes.

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

use super::body::transfer_decoded_bytes;
use super::structure;
use crate::parsed::ParsedAttachment;

mod names;

/// The attachments of `msg`. `html` is the sanitized HTML body (to see which Content-IDs it
/// references); `charset_hint` decodes raw 8-bit file names.
pub fn extract(msg: &Message<'_>, html: Option<&str>, charset_hint: Option<&str>) -> Vec<ParsedAttachment> {
    let referenced = referenced_cids(html.unwrap_or_default());
    let body_part = super::body::fallback_body_part(msg);
    let parents = structure::parents(msg);
    let mut ids: Vec<u32> = msg.attachments.clone();
    ids.extend(structure::body_parts_that_are_files(msg));
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        if Some(id) == body_part {
            continue;
        }
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        if matches!(part.body, PartType::Multipart(_)) {
            continue;
        }
        let in_related = parents
            .get(id as usize)
            .copied()
            .flatten()
            .is_some_and(|p| structure::multipart_subtype(msg, p).as_deref() == Some("related"));
        let context = PartContext {
            n: out.len() + 1,
            referenced: &referenced,
            in_related,
            charset_hint,
        };
        out.push(attachment(msg, part, &context));
    }
    out
}

/// What an attachment's fields depend on besides the part itself.
struct PartContext<'a> {
    /// Its number among the attachments, for a generated name.
    n: usize,
    /// Content-IDs the HTML body shows.
    referenced: &'a [String],
    /// The part is in a `multipart/related` (a resource of the HTML body).
    in_related: bool,
    charset_hint: Option<&'a str>,
}

fn attachment(msg: &Message<'_>, part: &MessagePart<'_>, cx: &PartContext<'_>) -> ParsedAttachment {
    let content_type = content_type(part);
    let bytes: Vec<u8> = match &part.body {
        // Text parts were converted to UTF-8; keep the file as it was sent.
        PartType::Text(_) | PartType::Html(_) => {
            transfer_decoded_bytes(msg, part).unwrap_or_else(|| part.contents().to_vec())
        }
        PartType::Message(nested) => nested.raw_message().to_vec(),
        _ => part.contents().to_vec(),
    };
    let content_id = part
        .content_id()
        .map(|c| {
            c.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string()
        })
        .filter(|c| !c.is_empty());
    let inline = content_id.as_ref().is_some_and(|cid| {
        let shown = cx.referenced.contains(&cid.to_lowercase());
        // An image with a Content-ID that its sender placed inline (disposition or a related
        // part) is a picture in the text even when the HTML does not (yet) point at it.
        let placed = content_type.starts_with("image/")
            && (cx.in_related
                || part
                    .content_disposition()
                    .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline")));
        shown || placed
    });
    let filename = names::file_name(msg, part, cx.charset_hint)
        .or_else(|| names::message_name(part, cx.charset_hint))
        .or_else(|| names::location_name(part))
        .unwrap_or_else(|| generated_name(&content_type, cx.n));
    ParsedAttachment {
        filename,
        content_type,
        size: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        inline,
        content_id,
        bytes,
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn content_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => {
            let main = ct.ctype().trim().to_ascii_lowercase();
            match ct.subtype() {
                Some(sub) => format!("{main}/{}", sub.trim().to_ascii_lowercase()),
                None if main == "text" => "text/plain".to_string(),
                None => "application/octet-stream".to_string(),
            }
        }
        None => match part.body {
            PartType::Message(_) => "message/rfc822".to_string(),
            PartType::Text(_) => "text/plain".to_string(),
            PartType::Html(_) => "text/html".to_string(),
            _ => "application/octet-stream".to_string(),
        },
    }
}

/// The last path component, without control characters, at most 200 characters (the
/// extension kept).
pub fn sanitize_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_matches('.').trim().to_string();
    if cleaned.chars().count() <= 200 {
        return cleaned;
    }
    let ext: String = match cleaned.rsplit_once('.') {
        Some((_, ext)) if ext.chars().count() <= 10 => format!(".{ext}"),
        _ => String::new(),
    };
    let stem: String = cleaned.chars().take(200 - ext.chars().count()).collect();
    format!("{stem}{ext}")
}

/// `attachment-N.ext` for a part that names nothing; TNEF is `winmail.dat`, as Outlook calls it.
fn generated_name(content_type: &str, n: usize) -> String {
    if content_type == "application/ms-tnef" || content_type == "application/vnd.ms-tnef" {
        return "winmail.dat".to_string();
    }
    format!("attachment-{n}.{}", extension_for(content_type))
}

/// A file extension for a content type.
pub fn extension_for(content_type: &str) -> String {
    let known = match content_type {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/gif" => Some("gif"),
        "image/webp" => Some("webp"),
        "image/svg+xml" => Some("svg"),
        "image/tiff" => Some("tif"),
        "text/plain"
        | "message/delivery-status"
        | "message/global-delivery-status"
        | "text/rfc822-headers"
        | "message/rfc822-headers"
        | "message/disposition-notification"
        | "message/feedback-report" => Some("txt"),
        "text/html" => Some("html"),
        "text/calendar" => Some("ics"),
        "text/csv" => Some("csv"),
        "text/x-vcard" | "text/vcard" => Some("vcf"),
        "application/pdf" => Some("pdf"),
        "application/zip" => Some("zip"),
        "application/msword" => Some("doc"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Some("docx"),
        "application/vnd.ms-excel" => Some("xls"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Some("xlsx"),
        "application/pgp-signature" => Some("asc"),
        "application/pkcs7-signature" | "application/x-pkcs7-signature" => Some("p7s"),
        "message/rfc822" | "message/global" => Some("eml"),
        "application/octet-stream" => Some("bin"),
        _ => None,
    };
    if let Some(ext) = known {
        return ext.to_string();
    }
    mime_guess::get_mime_extensions_str(content_type)
        .and_then(|exts| exts.first())
        .map(|e| e.to_string())
        .unwrap_or_else(|| "bin".to_string())
}

/// Lowercased, percent-decoded Content-IDs referenced as `cid:` in `html`.
fn referenced_cids(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    let mut out = Vec::new();
    let mut rest = lower.as_str();
    while let Some(pos) = rest.find("cid:") {
        let after = &rest[pos + 4..];
        let end = after.find(['"', '\'', ')', ' ', '>', '<']).unwrap_or(after.len());
        let id = after[..end]
            .trim_start_matches('<')
            .trim_end_matches('>')
            .replace("&amp;", "&");
        out.push(super::percent_decode(&id));
        out.push(id);
        rest = &after[end..];
    }
    out
}

/// Finds uuencoded files in a text body. Returns the text without them and the decoded files.
/// A `begin` line without a matching `end` is left in the text.
pub fn split_uuencoded(text: &str) -> (String, Vec<ParsedAttachment>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    let mut files = Vec::new();
    // The next `end` line at or after each line (one backwards pass keeps this linear).
    let mut next_end = vec![None; lines.len() + 1];
    for i in (0..lines.len()).rev() {
        next_end[i] = if lines[i].trim_end() == "end" {
            Some(i)
        } else {
            next_end[i + 1]
        };
    }
    let mut i = 0;
    while i < lines.len() {
        if let Some(name) = uu_begin(lines[i])
            && let Some(end) = next_end[i + 1]
            && let Some(bytes) = uu_decode(&lines[i + 1..end])
        {
            let filename = sanitize_filename(name);
            let filename = if filename.is_empty() {
                format!("attachment-{}.bin", files.len() + 1)
            } else {
                filename
            };
            let content_type = mime_guess::from_path(&filename)
                .first_or_octet_stream()
                .essence_str()
                .to_string();
            files.push(ParsedAttachment {
                filename,
                content_type,
                size: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
                inline: false,
                content_id: None,
                bytes,
            });
            i = end + 1;
            continue;
        }
        kept.push(lines[i]);
        i += 1;
    }
    if files.is_empty() {
        return (text.to_string(), files);
    }
    (super::html_text::tidy_text(&kept.join("\n")), files)
}

/// `begin 644 file name` → `file name`.
fn uu_begin(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("begin ")?;
    let (mode, name) = rest.split_once(' ')?;
    (mode.len() >= 3 && mode.len() <= 4 && mode.chars().all(|c| ('0'..='7').contains(&c)) && !name.trim().is_empty())
        .then(|| name.trim())
}

fn uu_decode(lines: &[&str]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for line in lines {
        let bytes = line.trim_end_matches(['\r', '\n']).as_bytes();
        let Some(&first) = bytes.first() else { continue };
        let len = (first.wrapping_sub(b' ') & 0x3f) as usize;
        if len == 0 {
            continue;
        }
        let data = &bytes[1..];
        let mut decoded = Vec::with_capacity(len + 3);
        for chunk in data.chunks(4) {
            let v = |k: usize| chunk.get(k).map_or(0u8, |c| c.wrapping_sub(b' ') & 0x3f);
            if chunk.iter().any(|c| !(b' '..=b'`').contains(c)) {
                return None;
            }
            decoded.push(v(0) << 2 | v(1) >> 4);
            decoded.push(v(1) << 4 | v(2) >> 2);
            decoded.push(v(2) << 6 | v(3));
        }
        if decoded.len() < len {
            return None;
        }
        decoded.truncate(len);
        out.extend_from_slice(&decoded);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uudecode_roundtrip() {
        // "Cat" / "hello world\n" encoded with uuencode(1).
        let text = "See file.\n\nbegin 644 hello.txt\n,:&5L;&\\@=V]R;&0*\n`\nend\n\nBye";
        let (rest, files) = split_uuencoded(text);
        assert_eq!(rest, "See file.\n\nBye");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].filename, "hello.txt");
        assert_eq!(files[0].bytes, b"hello world\n");
        assert_eq!(files[0].content_type, "text/plain");
        // No `end`: left alone.
        let (rest, files) = split_uuencoded("begin 644 x.bin\n#0V%T\n");
        assert!(files.is_empty());
        assert_eq!(rest, "begin 644 x.bin\n#0V%T\n");
        // Not uuencode: prose.
        let (_, files) = split_uuencoded("begin 644 is a mode\nbla\nend");
        assert!(files.is_empty());
    }

    #[test]
    fn filenames() {
        assert_eq!(sanitize_filename("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("a\u{0}b\n.txt"), "ab.txt");
        let long = format!("{}.pdf", "x".repeat(300));
        let s = sanitize_filename(&long);
        assert_eq!(s.chars().count(), 200);
        assert!(s.ends_with(".pdf"));
        assert_eq!(extension_for("image/jpeg"), "jpg");
        assert_eq!(extension_for("application/x-unknown-thing"), "bin");
    }

    fn files_of(raw: &str) -> Vec<(String, String, bool)> {
        match crate::parse_mail(raw.as_bytes(), &crate::ParseOptions::default()) {
            Ok(p) => p
                .attachments
                .into_iter()
                .map(|a| (a.filename, a.content_type, a.inline))
                .collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn names_and_parts_found() {
        // A mail that is one PDF.
        let raw = "From: a@x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=scan.pdf\r\n\
                   Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n";
        assert_eq!(
            files_of(raw),
            vec![("scan.pdf".into(), "application/pdf".into(), false)]
        );
        // An unquoted encoded word; RFC 2231 sections without encoding; a nested attached message.
        let raw = "From: a@x\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
                   --o\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename==?utf-8?Q?R=C3=A9sum=C3=A9.pdf?=\r\n\r\nx\r\n\
                   --o\r\nContent-Type: application/zip; name*0=\"long \"; name*1=\"name.zip\"\r\n\r\nx\r\n\
                   --o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: message/rfc822\r\n\r\n\
                   Subject: Inner one\r\nFrom: b@y\r\n\r\nbody\r\n--i--\r\n--o--\r\n";
        assert_eq!(
            files_of(raw),
            vec![
                ("Résumé.pdf".into(), "application/pdf".into(), false),
                ("long name.zip".into(), "application/zip".into(), false),
                ("Inner one.eml".into(), "message/rfc822".into(), false),
            ]
        );
    }

    #[test]
    fn cid_references() {
        let refs = referenced_cids(r#"<img src="cid:Image001.PNG@01D9"><img src="cid:a%40b">"#);
        assert!(refs.contains(&"image001.png@01d9".to_string()));
        assert!(refs.contains(&"a@b".to_string()));
    }
}
