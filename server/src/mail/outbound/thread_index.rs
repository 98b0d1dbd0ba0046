//! Outlook's `Thread-Index`: a 22-byte header block (time of the conversation's start and a
//! conversation GUID) followed by one 5-byte child block per later message, base64-encoded.
//! Outlook groups a conversation by it (with `Thread-Topic`) even when it ignores
//! `References`. The GUID is derived from the ticket, so every mail of a ticket shares it.

use base64::Engine;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// 100-ns intervals between 1601-01-01 (FILETIME's epoch) and 1970-01-01.
const FILETIME_UNIX_OFFSET: u64 = 116_444_736_000_000_000;

fn filetime(t: DateTime<Utc>) -> u64 {
    let unix_100ns = u64::try_from(t.timestamp_micros()).unwrap_or(0) * 10;
    unix_100ns + FILETIME_UNIX_OFFSET
}

/// The index for a mail of ticket `ticket_id` (started at `started`), sent at `now`.
/// `sequence` tells apart two mails sent in the same instant.
pub fn thread_index(domain: &str, ticket_id: i64, started: DateTime<Utc>, now: DateTime<Utc>, sequence: i64) -> String {
    let mut out = Vec::with_capacity(27);
    // Header block: the 6 high bytes of the FILETIME, then the GUID.
    out.extend_from_slice(&filetime(started).to_be_bytes()[..6]);
    let guid = Sha256::digest(format!("maildesk-thread:{domain}:{ticket_id}").as_bytes());
    out.extend_from_slice(&guid[..16]);
    // Child block: the time since the start (dropping the 18 low bits, as Outlook does) in 31
    // bits, then a byte that keeps siblings distinct.
    let delta = filetime(now).saturating_sub(filetime(started)) >> 18;
    let delta = u32::try_from(delta & 0x7FFF_FFFF).unwrap_or(0);
    out.extend_from_slice(&delta.to_be_bytes());
    out.push(u8::try_from(sequence.rem_euclid(256)).unwrap_or(0));
    base64::engine::general_purpose::STANDARD.encode(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mails_of_one_ticket_share_the_header_block() {
        let start = Utc::now() - chrono::Duration::hours(3);
        let a = thread_index("x.test", 5, start, Utc::now(), 1);
        let b = thread_index("x.test", 5, start, Utc::now(), 2);
        let other = thread_index("x.test", 6, start, Utc::now(), 1);
        let dec = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
        assert_eq!(dec(&a).len(), 27);
        assert_eq!(dec(&a)[..22], dec(&b)[..22]);
        assert_ne!(dec(&a)[..22], dec(&other)[..22]);
        assert_ne!(a, b);
    }
}
