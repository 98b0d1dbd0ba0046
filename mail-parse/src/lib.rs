//! Mail parsing: raw RFC 5322 bytes in, [`ParsedMail`] out. Pure code — no I/O, no database, no
//! async runtime; the server's inbound pipeline, `maildesk mail parse`, the benchmarks and the
//! fuzzer all call [`parse_mail`].
//!
//! [`parse_mail`] runs these steps ([`parse`] holds the pipeline):
//!
//! 1. [`decode`]: [`decode::normalize`] (mbox line, line endings) → mail-parser →
//!    [`decode::headers`] (addresses, dates, ids, repaired charsets) → [`decode::body`]
//!    (the preferred body as text, the HTML sanitized) → [`decode::attachments`] (files, inline images, uuencode);
//! 2. [`visible`]: the text split into new text, signature and quoted history;
//! 3. [`classify`]: auto-reply, bounce, report or junk;
//! 4. [`token`]: the ticket number in the subject.
//!
//! [`parsed`] is the result, the contract with the server's threading and applying.

pub mod classify;
pub mod decode;
pub mod parse;
pub mod parsed;
pub mod token;
pub mod visible;

pub use decode::body::{html_to_text, rewrite_cid, sanitize_html};
pub use parse::{ParseError, ParseOptions};
pub use parsed::{Address, Classification, MailKind, ParsedAttachment, ParsedMail};

/// Parses one raw message. A malformed message gives a best-effort [`ParsedMail`]; only input
/// that is not a mail at all (empty, no header fields) is an error. Never panics.
pub fn parse_mail(raw: &[u8], opts: &ParseOptions) -> Result<ParsedMail, ParseError> {
    parse::parse(raw, opts)
}
