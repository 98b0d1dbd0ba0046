//! Header fields of the top-level message: addresses, subject, date, message ids.
//!
//! mail-parser does the RFC 5322 / RFC 2047 work. This module adds the repairs real mail needs:
//! - raw 8-bit headers in a legacy charset (mail-parser reads them as UTF-8 and leaves U+FFFD):
//!   the raw bytes are decoded again (charset of the text part as hint, else a guess) and parsed
//!   again; encoded words in unknown charsets are decoded by guessing;
//! - broken address headers (`john@example.com <john@example.com`, `"Doe, John" john@x.com`,
//!   missing brackets): a tolerant scan for `something@domain`;
//! - obsolete `Date` forms (two-digit years, zone names, no seconds) via chrono; a missing or
//!   unparseable `Date`: the date of the newest `Received` header;
//! - the message's own id is dropped from `In-Reply-To`/`References` (a mail cannot answer itself);
//! - comments after a display name (`Walter Brooks (Accounts)`) are dropped.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use mail_parser::parsers::MessageStream;
use mail_parser::{Header, HeaderValue, Message};

use super::charset::{decode_legacy, looks_misdecoded};
pub use super::encoded_words::decode_base64_lenient;
use super::encoded_words::decode_encoded_words;
use crate::parsed::Address;

/// The header fields the pipeline uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderFields {
    pub from: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Envelope recipients a delivering MTA (or our receiver) wrote down.
    pub delivered_to: Vec<Address>,
}

/// Extracts the header fields of `msg`. `charset_hint` is the charset declared by the message's
/// text part, used for raw 8-bit header bytes.
pub fn extract(msg: &Message<'_>, charset_hint: Option<&str>) -> HeaderFields {
    let from = ["From", "Sender", "Return-Path"]
        .iter()
        .find_map(|name| addresses(msg, name, charset_hint).into_iter().next());
    let message_id = ids(msg, "Message-ID").into_iter().next();
    // A mail cannot answer itself: broken clients put its own id into In-Reply-To/References.
    let not_own = |id: &String| Some(id) != message_id.as_ref();
    HeaderFields {
        from,
        to: addresses(msg, "To", charset_hint),
        cc: addresses(msg, "Cc", charset_hint),
        reply_to: addresses(msg, "Reply-To", charset_hint),
        subject: text(msg, "Subject", charset_hint).unwrap_or_default(),
        date: date(msg),
        in_reply_to: keep_newest(ids(msg, "In-Reply-To").into_iter().filter(not_own).collect()),
        references: keep_newest(ids(msg, "References").into_iter().filter(not_own).collect()),
        message_id,
        delivered_to: envelope_recipients(msg, charset_hint),
    }
}

/// `Delivered-To` and `X-Original-To`, each address once (MTAs often write both).
fn envelope_recipients(msg: &Message<'_>, charset_hint: Option<&str>) -> Vec<Address> {
    let mut found: Vec<Address> = Vec::new();
    for a in ["Delivered-To", "X-Original-To"]
        .iter()
        .flat_map(|name| addresses(msg, name, charset_hint))
    {
        if !found.iter().any(|f| f.email.eq_ignore_ascii_case(&a.email)) {
            found.push(a);
        }
    }
    found
}

/// Message-IDs kept of an `In-Reply-To` or `References` field: threading looks each one up, and
/// a hostile mail may list 100,000. A real thread matches on its newest few (RFC 5322 lists
/// the oldest first); the rest are dropped.
pub const MAX_THREAD_IDS: usize = 100;

fn keep_newest(mut ids: Vec<String>) -> Vec<String> {
    if ids.len() > MAX_THREAD_IDS {
        ids.drain(..ids.len() - MAX_THREAD_IDS);
    }
    ids
}

/// The first header called `name` (case-insensitive) of the message's top level.
pub fn first_header<'a, 'x>(msg: &'a Message<'x>, name: &str) -> Option<&'a Header<'x>> {
    all_headers(msg, name).next()
}

/// Every header called `name` (case-insensitive), in order.
pub fn all_headers<'a, 'x>(msg: &'a Message<'x>, name: &str) -> impl Iterator<Item = &'a Header<'x>> {
    let name = name.to_string();
    msg.parts
        .first()
        .map(|p| p.headers.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(move |h| h.name.as_str().eq_ignore_ascii_case(&name))
}

/// The raw bytes of a header's value as they appear in the message (folded, undecoded).
pub fn raw_bytes<'a>(msg: &'a Message<'_>, header: &Header<'_>) -> &'a [u8] {
    msg.raw_message
        .get(header.offset_start as usize..header.offset_end as usize)
        .unwrap_or_default()
}

/// The value of the first header `name` as decoded text (RFC 2047, legacy 8-bit repaired),
/// unfolded and trimmed. For headers mail-parser keeps raw, encoded words are decoded too.
pub fn text(msg: &Message<'_>, name: &str, charset_hint: Option<&str>) -> Option<String> {
    let header = first_header(msg, name)?;
    let parsed = match &header.value {
        HeaderValue::Text(t) => Some(t.to_string()),
        HeaderValue::TextList(list) => Some(list.join(", ")),
        HeaderValue::Empty => Some(String::new()),
        _ => None,
    };
    let raw = raw_bytes(msg, header);
    // Encoded words and raw 8-bit bytes are decoded here rather than by mail-parser, which keeps
    // the whitespace between adjacent words, trusts a wrong charset label and reads 8-bit bytes
    // as UTF-8.
    let value = match parsed {
        Some(t) if !needs_own_decoding(raw) && !looks_misdecoded(&t) => t,
        _ => decode_unstructured(raw, charset_hint),
    };
    Some(collapse_whitespace(&value.replace('\0', "")))
}

/// Raw header text (unfolded, trimmed, no RFC 2047 decoding) of every header `name`.
pub fn raw_texts(msg: &Message<'_>, name: &str) -> Vec<String> {
    all_headers(msg, name)
        .map(|h| collapse_whitespace(&String::from_utf8_lossy(raw_bytes(msg, h))))
        .collect()
}

/// Raw header bytes with encoded words or 8-bit bytes, which [`decode_unstructured`] reads.
fn needs_own_decoding(raw: &[u8]) -> bool {
    !raw.is_ascii() || raw.windows(2).any(|w| w == b"=?")
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn date(msg: &Message<'_>) -> Option<DateTime<Utc>> {
    let from_date_header = first_header(msg, "Date").and_then(|h| match &h.value {
        HeaderValue::DateTime(d) => to_chrono(d),
        _ => None,
    });
    let from_date_header = from_date_header.or_else(|| {
        // Obsolete forms mail-parser rejects (`3 Jun 24 10:12 EST`): chrono's RFC 2822 parser.
        let raw = first_header(msg, "Date").map(|h| String::from_utf8_lossy(raw_bytes(msg, h)).into_owned())?;
        parse_obsolete_date(&raw)
    });
    from_date_header.or_else(|| {
        // The newest Received header (the first one) carries the time the mail arrived.
        first_header(msg, "Received").and_then(|h| match &h.value {
            HeaderValue::Received(r) => r.date.as_ref().and_then(to_chrono),
            _ => None,
        })
    })
}

fn parse_obsolete_date(raw: &str) -> Option<DateTime<Utc>> {
    let mut cleaned = String::with_capacity(raw.len());
    let mut depth = 0usize;
    for c in raw.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => cleaned.push(c),
            _ => {}
        }
    }
    let cleaned = collapse_whitespace(&cleaned);
    let parsed = DateTime::parse_from_rfc2822(&cleaned).ok().or_else(|| {
        // RFC 2822 without seconds (`10:12`): add them.
        let with_seconds = cleaned
            .split(' ')
            .map(|w| {
                if w.len() <= 5 && w.matches(':').count() == 1 {
                    format!("{w}:00")
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        DateTime::parse_from_rfc2822(&with_seconds).ok()
    })?;
    Some(parsed.with_timezone(&Utc))
}

fn to_chrono(d: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    if !d.is_valid() {
        return None;
    }
    Utc.timestamp_opt(d.to_timestamp(), 0).single()
}

/// Message ids of every header `name`, without angle brackets, in order, without duplicates.
fn ids(msg: &Message<'_>, name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Duplicates looked up in a set: `out.contains` made a 100,000-id References quadratic
    // (found by `maildesk bench pathological`; the times are in docs/PERFORMANCE.md).
    let mut seen: HashSet<String> = HashSet::new();
    for header in all_headers(msg, name) {
        let values: Vec<String> = match &header.value {
            HeaderValue::Text(t) => vec![t.to_string()],
            HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
            _ => Vec::new(),
        };
        for v in values {
            let id = v
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string();
            if !id.is_empty() && !id.contains(char::is_whitespace) && seen.insert(id.clone()) {
                out.push(id);
            }
        }
    }
    out
}

/// All addresses of every header `name`, deduplicated by email.
pub fn addresses(msg: &Message<'_>, name: &str, charset_hint: Option<&str>) -> Vec<Address> {
    let mut out: Vec<Address> = Vec::new();
    // A set for the same reason as in `ids`: thousands of recipients must not cost their square.
    let mut seen: HashSet<String> = HashSet::new();
    for header in all_headers(msg, name) {
        let raw = raw_bytes(msg, header);
        for addr in header_addresses(&header.value, raw, charset_hint) {
            if seen.insert(addr.email.clone()) {
                out.push(addr);
            }
        }
    }
    out
}

fn header_addresses(value: &HeaderValue<'_>, raw: &[u8], charset_hint: Option<&str>) -> Vec<Address> {
    let parsed = from_parsed(value);
    if let Some(list) = &parsed
        && !needs_own_decoding(raw)
        && list
            .iter()
            .all(|a| !looks_misdecoded(&a.email) && !a.name.as_deref().is_some_and(looks_misdecoded))
    {
        return list.clone();
    }
    // Either some address is broken or a name/address was misdecoded: decode the raw bytes
    // ourselves and parse again.
    let decoded = decode_address_header(raw, charset_hint);
    let reparsed = MessageStream::new(format!("{decoded}\r\n").as_bytes())
        .parse_address()
        .into_owned();
    if let Some(list) = from_parsed(&reparsed) {
        return list;
    }
    let scanned = scan_addresses(&decoded);
    if scanned.is_empty() {
        parsed.unwrap_or_default()
    } else {
        scanned
    }
}

/// The addresses mail-parser found, or `None` when any of them is not a plausible address.
fn from_parsed(value: &HeaderValue<'_>) -> Option<Vec<Address>> {
    let list: Vec<&mail_parser::Addr<'_>> = match value {
        HeaderValue::Address(mail_parser::Address::List(list)) => list.iter().collect(),
        HeaderValue::Address(mail_parser::Address::Group(groups)) => {
            groups.iter().flat_map(|g| g.addresses.iter()).collect()
        }
        HeaderValue::Text(t) if t.trim().trim_matches(['<', '>']).is_empty() => Vec::new(), // `<>`
        HeaderValue::Empty => Vec::new(),
        _ => return None,
    };
    let mut out = Vec::new();
    for addr in list {
        let email = addr.address.as_deref().map(clean_email).unwrap_or_default();
        if !is_plausible_email(&email) {
            return None;
        }
        out.push(Address {
            name: clean_name(addr.name.as_deref(), &email),
            email,
        });
    }
    Some(out)
}

fn clean_email(s: &str) -> String {
    s.trim()
        .trim_start_matches(['<', '\'', '"'])
        .trim_end_matches(['>', '\'', '"', '.'])
        .trim()
        .to_lowercase()
}

fn clean_name(name: Option<&str>, email: &str) -> Option<String> {
    let name = collapse_whitespace(&name?.replace('\0', ""));
    // Comments are not part of the name: `Walter Brooks (Accounts)` is Walter Brooks.
    let name = match name.strip_suffix(')').and_then(|n| n.rfind('(').map(|p| n[..p].trim())) {
        Some(before) if !before.is_empty() && !before.contains(['(', ')']) => before.to_string(),
        _ => name,
    };
    let name = name.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace() || c == ',' || c == ';');
    let name = name.trim_end_matches('<').trim();
    if name.is_empty() || name.eq_ignore_ascii_case(email) || name.trim_matches(['<', '>']).eq_ignore_ascii_case(email)
    {
        None
    } else {
        Some(name.to_string())
    }
}

fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !email.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '(' | ')' | '"' | '['))
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '.'
}

/// Finds every `local@domain` in free text, with the text before it (since the previous address)
/// as the display name. Used when an address header cannot be parsed.
pub fn scan_addresses(text: &str) -> Vec<Address> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out: Vec<Address> = Vec::new();
    let mut prev_end_byte = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        if chars[i].1 != '@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0 && is_local_char(chars[start - 1].1) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < chars.len() && is_domain_char(chars[end].1) {
            end += 1;
        }
        let local: String = chars[start..i].iter().map(|c| c.1).collect();
        let domain: String = chars[i + 1..end].iter().map(|c| c.1).collect();
        let local = local.trim_start_matches(['.', '\'']);
        let domain = domain.trim_end_matches(['.', '-']);
        let start_byte = chars[start].0;
        let end_byte = chars.get(end).map_or(text.len(), |c| c.0);
        if !local.is_empty() && !domain.is_empty() {
            let email = format!("{local}@{domain}").to_lowercase();
            let before = text.get(prev_end_byte..start_byte).unwrap_or_default();
            let name = before
                .rsplit([',', ';'])
                .next()
                .filter(|n| !n.contains('@'))
                .unwrap_or_default();
            let name = clean_name(
                Some(name.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())),
                &email,
            );
            // A name that is itself in quotes may contain the separator ("Doe, John").
            let name = quoted_name(before).or(name);
            if !out.iter().any(|a| a.email == email) {
                out.push(Address { name, email });
            }
        }
        prev_end_byte = end_byte;
        i = end.max(i + 1);
    }
    out
}

/// The last quoted string in `before`, if any.
fn quoted_name(before: &str) -> Option<String> {
    let end = before.rfind('"')?;
    let start = before[..end].rfind('"')?;
    let name = collapse_whitespace(&before[start + 1..end]);
    if name.is_empty() || name.contains('@') {
        None
    } else {
        Some(name)
    }
}

/// Unfolds a raw header value and decodes raw 8-bit text and RFC 2047 encoded words.
pub fn decode_unstructured(raw: &[u8], charset_hint: Option<&str>) -> String {
    let text = decode_legacy(&unfold(raw), charset_hint);
    decode_encoded_words(&text, false)
}

/// Like [`decode_unstructured`], but for address headers: each run of encoded words becomes a
/// quoted string (so a decoded comma does not split the address list).
fn decode_address_header(raw: &[u8], charset_hint: Option<&str>) -> String {
    let text = decode_legacy(&unfold(raw), charset_hint);
    decode_encoded_words(&text, true)
}

fn unfold(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for &b in raw {
        if b != b'\r' && b != b'\n' {
            out.push(b);
        }
    }
    out
}

/// The addresses in an address-list text (e.g. a `From:` value quoted in a bounce), parsed
/// strictly first and tolerantly when that fails.
pub fn parse_address_text(text: &str) -> Vec<Address> {
    let value = MessageStream::new(format!("{text}\r\n").as_bytes())
        .parse_address()
        .into_owned();
    from_parsed(&value).unwrap_or_else(|| scan_addresses(text))
}

#[cfg(test)]
mod tests;
