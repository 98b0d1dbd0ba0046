//! Our own Message-IDs and the reference marker our mails carry in the body, both signed, so
//! a reply threads to its ticket even when only one of them survives, and a forged one (a
//! stranger guessing `maildesk.123…`) is recognised as forged.

use crate::crypto;
use crate::keys::Keys;

const ID_PURPOSE: &str = "outbound-message-id";
const MARKER_PURPOSE: &str = "body-reference-marker";
const ADDRESS_MARKER_PURPOSE: &str = "body-reference-marker-address";
const MARKER_PREFIX: &str = "[ref:md-";
/// Hex digits of a marker's signature, and of its address signature.
const MARKER_TAG_LEN: usize = 10;
const ADDRESS_TAG_LEN: usize = 16;
/// The longest marker after its prefix: an `i64` with its sign, `-`, the signature, `.`, the
/// address signature, `]`.
const MARKER_TAIL_MAX: usize = 20 + 1 + MARKER_TAG_LEN + 1 + ADDRESS_TAG_LEN + 1;
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
    format!("{MARKER_PREFIX}{ticket_id}-{}]", marker_tag(keys, ticket_id))
}

/// `[ref:md-<ticket>-<sig>.<addr-sig>]`: the marker of a mail sent to one person, also bound
/// to their address. It threads like the plain one; in addition, a reply carrying it proves
/// the sender answered a mail we sent *to that address* — which a forged `From:` cannot,
/// since everyone else only ever receives markers bound to their own address.
pub fn reference_marker_for(keys: &Keys, ticket_id: i64, address: &str) -> String {
    format!(
        "{MARKER_PREFIX}{ticket_id}-{}.{}]",
        marker_tag(keys, ticket_id),
        address_tag(keys, ticket_id, address)
    )
}

fn marker_tag(keys: &Keys, ticket_id: i64) -> String {
    tag(keys, MARKER_PURPOSE, &ticket_id.to_string(), MARKER_TAG_LEN)
}

fn address_tag(keys: &Keys, ticket_id: i64, address: &str) -> String {
    let data = format!("{ticket_id}:{}", address.trim().to_lowercase());
    tag(keys, ADDRESS_MARKER_PURPOSE, &data, ADDRESS_TAG_LEN)
}

/// The validly signed markers in `text` (quoted history included): ticket, and the address
/// signature when the marker has one. Linear in the text: the `]` is looked for only as far as
/// a marker reaches (searching the whole rest made a body of unclosed `[ref:md-` quadratic: a
/// million-line quote took minutes), and each candidate costs an HMAC, so a body stuffed with
/// forged markers stops after `MARKERS_CHECKED_MAX`.
fn markers<'a>(keys: &'a Keys, text: &'a str) -> impl Iterator<Item = (i64, Option<&'a str>)> + 'a {
    text.split(MARKER_PREFIX)
        .skip(1)
        .filter_map(|rest| {
            let reach = &rest.as_bytes()[..rest.len().min(MARKER_TAIL_MAX)];
            let inner = &rest[..reach.iter().position(|&b| b == b']')?];
            let (ticket, sigs) = inner.split_once('-')?;
            let ticket: i64 = ticket.parse().ok()?;
            let (sig, bound) = match sigs.split_once('.') {
                Some((sig, bound)) => (sig, Some(bound)),
                None => (sigs, None),
            };
            (sig.len() == MARKER_TAG_LEN).then_some((ticket, sig, bound))
        })
        .take(MARKERS_CHECKED_MAX)
        .filter(move |(ticket, sig, _)| constant_time_eq(sig.as_bytes(), marker_tag(keys, *ticket).as_bytes()))
        .map(|(ticket, _, bound)| (ticket, bound))
}

/// The ticket of the first validly signed marker in `text` (quoted history included).
pub fn find_reference_marker(keys: &Keys, text: &str) -> Option<i64> {
    markers(keys, text).next().map(|(ticket, _)| ticket)
}

/// Whether `text` carries the marker of a mail about `ticket_id` that we sent to `address`.
pub fn has_marker_for(keys: &Keys, text: &str, ticket_id: i64, address: &str) -> bool {
    let expected = address_tag(keys, ticket_id, address);
    markers(keys, text)
        .any(|(t, bound)| t == ticket_id && bound.is_some_and(|b| constant_time_eq(b.as_bytes(), expected.as_bytes())))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: u8) -> Keys {
        Keys::fixed(k)
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

    #[test]
    fn address_bound_markers_thread_and_prove_only_their_address() {
        let k = keys(3);
        let agent = reference_marker_for(&k, 99, "Kim@Support.example");
        let text = format!("ok\n> {agent}\n");
        assert_eq!(find_reference_marker(&k, &text), Some(99));
        assert!(has_marker_for(&k, &text, 99, "kim@support.example"));
        assert!(!has_marker_for(&k, &text, 99, "mallory@evil.example"));
        assert!(!has_marker_for(&k, &text, 98, "kim@support.example"));
        // The plain marker every recipient gets proves nobody.
        let plain = reference_marker(&k, 99);
        assert!(!has_marker_for(&k, &plain, 99, "kim@support.example"));
        // A customer's own bound marker with the agent's address signature guessed.
        let customer = reference_marker_for(&k, 99, "c@client.example");
        let (head, _) = customer.split_once('.').unwrap();
        assert!(!has_marker_for(
            &k,
            &format!("{head}.0000000000000000]"),
            99,
            "kim@support.example"
        ));
    }
}
