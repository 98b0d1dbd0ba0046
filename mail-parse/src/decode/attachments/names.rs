//! An attachment's file name, from the first source that gives one, as a mail client finds it:
//! 1. `Content-Disposition` `filename` (RFC 2231 continuations and charsets, RFC 2047 words);
//! 2. `Content-Type` `name` (the same encodings);
//!    — raw 8-bit bytes in either are read in the part's charset, else the mail's, else detected;
//! 3. an attached message: its subject as `<subject>.eml`;
//! 4. the last path segment of `Content-Location`.
//!
//! The caller generates `attachment-N.ext` when none of these names the part.

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::sanitize_filename;
use crate::decode::charset::{encoding_for, looks_misdecoded};
use crate::decode::{headers, params};

/// The name the part's headers give (sources 1 and 2), cleaned; `None` when they give none.
pub(super) fn file_name(msg: &Message<'_>, part: &MessagePart<'_>, charset_hint: Option<&str>) -> Option<String> {
    // A text part's own charset says how its headers were written better than the mail's.
    let part_charset = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .filter(|c| encoding_for(c).is_some());
    let hint = part_charset.or(charset_hint);
    for (header_name, attr) in [("Content-Disposition", "filename"), ("Content-Type", "name")] {
        let Some(header) = part
            .headers
            .iter()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(header_name))
        else {
            continue;
        };
        let raw = msg
            .raw_message
            .get(header.offset_start as usize..header.offset_end as usize)
            .unwrap_or_default();
        if let Some(name) = params::param(raw, attr, hint).map(|n| sanitize_filename(&n))
            && !name.is_empty()
        {
            return Some(name);
        }
    }
    // Headers our reader could not reach (offsets outside the raw message): mail-parser's name.
    part.attachment_name()
        .filter(|n| !looks_misdecoded(n))
        .map(sanitize_filename)
        .filter(|n| !n.is_empty())
}

/// `<subject>.eml` for an attached message (characters file systems refuse become `_`).
pub(super) fn message_name(part: &MessagePart<'_>, charset_hint: Option<&str>) -> Option<String> {
    let PartType::Message(nested) = &part.body else {
        return None;
    };
    // Read like the mail's own subject: encoded words joined, raw 8-bit bytes repaired.
    let subject = headers::text(nested, "Subject", charset_hint).unwrap_or_default();
    let subject = subject.trim();
    let subject = if subject.is_empty() { "message" } else { subject };
    let stem = sanitize_filename(&subject.replace(['/', '\\', ':', '*', '?', '"', '<', '>', '|'], "_"));
    let stem = if stem.is_empty() { "message".to_string() } else { stem };
    Some(format!("{}.eml", stem.chars().take(150).collect::<String>()))
}

/// The last path segment of `Content-Location` (without query or fragment, percent-decoded).
pub(super) fn location_name(part: &MessagePart<'_>) -> Option<String> {
    let location = part.content_location()?;
    let path = location.trim().trim_matches(['<', '>', '"']);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit(['/', '\\']).next().unwrap_or_default();
    let name = sanitize_filename(&crate::decode::percent_decode(last));
    (!name.is_empty() && !name.contains(':')).then_some(name)
}
