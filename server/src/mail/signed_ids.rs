//! Our own Message-IDs and the reference marker our mails carry in the body, both signed, so
//! a reply threads to its ticket even when only one of them survives, and a forged one (a
//! stranger guessing `maildesk.123…`) is recognised as forged.

use crate::crypto;
use crate::keys::Keys;

const ID_PURPOSE: &str = "outbound-message-id";
const MARKER_PURPOSE: &str = "body-reference-marker";
const MARKER_PREFIX: &str = "[ref:md-";
/// Hex digits of a marker's signature.
const MARKER_TAG_LEN: usize = 10;
/// The longest marker after its prefix: an `i64` with its sign, `-`, the signature, `]`.
const MARKER_TAIL_MAX: usize = 20 + 1 + MARKER_TAG_LEN + 1;
/// Markers verified per text: a quoted thread holds one per quoted mail of ours, far fewer.
const MARKERS_CHECKED_MAX: usize = 64;

fn tag(keys: &Keys, purpose: &str, data: &str, len: usize) -> String {
    let mut h = hex::encode(crypto::sign(keys, purpose, data.as_bytes()));
    h.truncate(len);
    h
}

/// `maildesk.<ticket>.<serial>.<sig>@<domain>` (no angle brackets); the serial is any number
/// unique to the mail.
pub fn message_id(keys: &Keys, ticket_id: i64, serial: i64, domain: &str) -> String {
    let data = format!("{ticket_id}.{serial}");
    format!("maildesk.{data}.{}@{domain}", tag(keys, ID_PURPOSE, &data, 16))
}

/// The ticket of one of our Message-IDs, if its signature holds.
pub fn verify_message_id(keys: &Keys, id: &str) -> Option<i64> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let local = id.split_once('@')?.0;
    let mut parts = local.split('.');
    if parts.next()? != "maildesk" {
        return None;
    }
    let ticket: i64 = parts.next()?.parse().ok()?;
    let message: i64 = parts.next()?.parse().ok()?;
    let sig = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let expected = tag(keys, ID_PURPOSE, &format!("{ticket}.{message}"), 16);
    constant_time_eq(sig.as_bytes(), expected.as_bytes()).then_some(ticket)
}

/// `[ref:md-<ticket>-<sig>]`, placed in the body of every mail we send.
pub fn reference_marker(keys: &Keys, ticket_id: i64) -> String {
    format!(
        "{MARKER_PREFIX}{ticket_id}-{}]",
        tag(keys, MARKER_PURPOSE, &ticket_id.to_string(), MARKER_TAG_LEN)
    )
}

/// The ticket of the first validly signed marker in `text` (quoted history included).
pub fn find_reference_marker(keys: &Keys, text: &str) -> Option<i64> {
    let mut rest = text;
    let mut checked = 0;
    while let Some(pos) = rest.find(MARKER_PREFIX) {
        rest = &rest[pos + MARKER_PREFIX.len()..];
        // The `]` is looked for only as far as a marker reaches: searching the rest of the
        // text made a body of unclosed `[ref:md-` quadratic (found by the pathological-mail
        // benchmark: a million-line quote took minutes).
        let reach = &rest.as_bytes()[..rest.len().min(MARKER_TAIL_MAX)];
        let Some(end) = reach.iter().position(|&b| b == b']') else {
            continue;
        };
        if let Some((ticket, sig)) = rest[..end].split_once('-')
            && sig.len() == MARKER_TAG_LEN
            && let Ok(ticket) = ticket.parse::<i64>()
        {
            // Each candidate costs an HMAC: a body stuffed with forged markers stops here.
            checked += 1;
            if checked > MARKERS_CHECKED_MAX {
                break;
            }
            let expected = tag(keys, MARKER_PURPOSE, &ticket.to_string(), MARKER_TAG_LEN);
            if constant_time_eq(sig.as_bytes(), expected.as_bytes()) {
                return Some(ticket);
            }
        }
    }
    None
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: u8) -> Keys {
        Keys {
            jwt: vec![1u8; 32].into(),
            encryption: vec![k; 32].into(),
        }
    }

    #[test]
    fn our_message_ids_verify_and_forgeries_do_not() {
        let k = keys(3);
        let id = message_id(&k, 42, 7, "support.example.com");
        assert_eq!(verify_message_id(&k, &id), Some(42));
        assert_eq!(verify_message_id(&k, &format!("<{id}>")), Some(42));
        assert_eq!(verify_message_id(&keys(4), &id), None);
        let forged = id.replacen("maildesk.42.", "maildesk.43.", 1);
        assert_eq!(verify_message_id(&k, &forged), None);
        assert_eq!(verify_message_id(&k, "CAF=abc@mail.gmail.com"), None);
    }

    #[test]
    fn markers_are_found_in_quoted_text_and_checked() {
        let k = keys(3);
        let marker = reference_marker(&k, 99);
        let text = format!("Thanks!\n\n> On Monday you wrote:\n> {marker}\n");
        assert_eq!(find_reference_marker(&k, &text), Some(99));
        assert_eq!(find_reference_marker(&k, "[ref:md-99-0000000000]"), None);
        assert_eq!(find_reference_marker(&k, "[ref:md-"), None);
        // Unclosed markers before the real one (each used to search the whole rest for `]`).
        let stuffed = format!("{}\n{marker}\n]", "[ref:md-1-\n".repeat(10_000));
        assert_eq!(find_reference_marker(&k, &stuffed), Some(99));
    }
}
