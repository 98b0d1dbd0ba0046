//! The whole parse path of one inbound mail, without I/O: MIME → classification → visible text →
//! sanitized HTML (and its `cid:` rewrite for display) → threading keys. The fuzzer
//! (`fuzz/`), the pathological-mail benchmark and the fuzz regression corpus all run this one
//! function, so what they prove holds for what the pipeline runs.

use std::collections::HashMap;

use mail_parse::{ParseError, ParseOptions, ParsedMail, parse_mail, rewrite_cid};

use crate::keys::Keys;
use crate::mail::inbound::pipeline::sender_of;
use crate::mail::signed_ids;

/// What threading would look up for one mail: the keys only, no database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadingKeys {
    pub message_id: Option<String>,
    /// Who the mail would be filed under (From, or Reply-To when From has no address).
    pub sender: Option<String>,
    /// In-Reply-To, then References newest first, the mail's own id left out (as threading does).
    pub candidates: Vec<String>,
    /// Tickets named by validly signed Message-IDs among the candidates.
    pub signed_tickets: Vec<i64>,
    pub original_message_id: Option<String>,
    pub marker_ticket: Option<i64>,
    pub subject_token: Option<i64>,
}

/// One mail through the path; `keys` verify our signed ids and body markers.
#[derive(Debug)]
pub struct PathResult {
    pub parsed: ParsedMail,
    /// The sanitized HTML with `cid:` images pointed at attachment URLs, as shown to agents.
    pub display_html: Option<String>,
    pub threading: ThreadingKeys,
}

/// Parses `raw` with the default options, as `maildesk mail parse` and the pipeline do.
pub fn run(raw: &[u8], keys: &Keys) -> Result<PathResult, ParseError> {
    let parsed = parse_mail(raw, &ParseOptions::default())?;
    let display_html = parsed.html.as_deref().map(|html| display(html, &parsed));
    let threading = threading_keys(keys, &parsed);
    Ok(PathResult {
        parsed,
        display_html,
        threading,
    })
}

/// Mirrors `inbound::threading::thread` step by step, minus the database lookups.
pub fn threading_keys(keys: &Keys, parsed: &ParsedMail) -> ThreadingKeys {
    let own = parsed.message_id.as_deref();
    let candidates: Vec<String> = parsed
        .in_reply_to
        .iter()
        .chain(parsed.references.iter().rev())
        .filter(|id| Some(id.as_str()) != own)
        .cloned()
        .collect();
    let signed_tickets = candidates
        .iter()
        .filter_map(|id| signed_ids::verify_message_id(keys, id))
        .collect();
    let body = format!("{}\n{}", parsed.text_full, parsed.quoted.as_deref().unwrap_or_default());
    ThreadingKeys {
        message_id: parsed.message_id.clone(),
        sender: sender_of(parsed).map(|a| a.email.to_lowercase()),
        candidates,
        signed_tickets,
        original_message_id: parsed.classification.original_message_id.clone(),
        marker_ticket: signed_ids::find_reference_marker(keys, &body),
        subject_token: parsed.ticket_token,
    }
}

/// The attachment URLs are made up (numbered as stored); only the rewrite itself is exercised.
fn display(html: &str, parsed: &ParsedMail) -> String {
    let map: HashMap<String, String> = parsed
        .attachments
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((a.content_id.clone()?, format!("/api/attachments/{i}"))))
        .collect();
    rewrite_cid(html, &map)
}

/// Fixed keys for callers without a server configuration (fuzzer, benchmark, tests): inputs
/// cannot forge a signature either way, so the verification code runs its full length.
pub fn fixed_keys() -> Keys {
    Keys::fixed(2)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::Path;
    use std::sync::Once;
    use std::time::{Duration, Instant};

    use super::*;

    thread_local! {
        /// Panics on this thread, counted even when `parse` catches them (it degrades instead
        /// of crashing, which would hide exactly what the fuzzer reported).
        static PANICS: Cell<usize> = const { Cell::new(0) };
    }

    /// Chains to the previous hook, so other tests' panics print as before; each test thread
    /// only sees its own count.
    fn count_panics() {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                PANICS.with(|p| p.set(p.get() + 1));
                previous(info);
            }));
        });
    }

    /// Every input the fuzzer ever crashed or hung on, through the whole path: no panic (not
    /// even a caught one) and an answer. The bound is loose on purpose (debug build, shared
    /// machine): speed is measured by `maildesk bench pathological`, not here.
    #[test]
    fn fuzz_regressions_parse_without_panic() {
        count_panics();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
        let mut files: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect(),
            Err(e) => panic!("reading {}: {e}", dir.display()),
        };
        files.sort();
        let keys = fixed_keys();
        for file in files {
            let raw = match std::fs::read(&file) {
                Ok(raw) => raw,
                Err(e) => panic!("reading {}: {e}", file.display()),
            };
            PANICS.with(|p| p.set(0));
            let start = Instant::now();
            let result = run(&raw, &keys);
            let took = start.elapsed();
            assert_eq!(
                PANICS.with(Cell::get),
                0,
                "{} panicked inside the parser",
                file.display()
            );
            assert!(took < Duration::from_secs(30), "{} took {took:?}", file.display());
            drop(result);
        }
    }

    #[test]
    fn threading_keys_skip_the_own_id_and_read_references_newest_first() {
        let raw = b"From: a@x.com\r\nMessage-ID: <own@x>\r\nIn-Reply-To: <p@x>\r\n\
References: <r1@x> <own@x> <r2@x>\r\nSubject: Re: [#7] hi\r\n\r\nhello\r\n";
        let keys = match run(raw, &fixed_keys()) {
            Ok(r) => r.threading,
            Err(e) => panic!("parse failed: {e}"),
        };
        assert_eq!(keys.candidates, ["p@x", "r2@x", "r1@x"]);
        assert_eq!(keys.sender.as_deref(), Some("a@x.com"));
        assert_eq!(keys.subject_token, Some(7));
        let marker = signed_ids::reference_marker(&fixed_keys(), 9);
        let raw = format!("From: a@x.com\r\nSubject: x\r\n\r\nThanks\r\n> {marker}\r\n");
        assert_eq!(
            run(raw.as_bytes(), &fixed_keys()).map(|r| r.threading.marker_ticket),
            Ok(Some(9))
        );
    }
}
