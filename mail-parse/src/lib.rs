//! Mail parsing: raw RFC 5322 bytes in, [`ParsedMail`] out. Pure code — no I/O, no database, no
//! async runtime; the server's inbound pipeline, `maildesk mail parse`, the benchmarks and the
//! fuzzer all call [`parse_mail`].
//!
//! [`parse_mail`] runs these steps ([`parse`] holds the pipeline):
//!
//! 1. [`decode`]: [`decode::normalize`] (mbox line, line endings, header block repairs) → mail-parser →
//!    [`decode::headers`] (addresses, dates, ids, repaired charsets) → [`decode::body`] (the
//!    preferred body as text, through [`decode::html_text`] when only HTML says it) →
//!    [`decode::attachments`] (files, inline images, uuencoded files in the text; names through
//!    [`decode::params`], body parts that are files through [`decode::structure`]);
//! 2. [`sanitize`]: the HTML body, as the body step reads it, made safe to display (no scripts,
//!    no remote loads); its `cid:` images are pointed at stored attachments later ([`rewrite_cid`]);
//! 3. [`visible`]: the text split into new text, signature and quoted history;
//! 4. [`classify`]: auto-reply, bounce, report or junk;
//! 5. [`token`]: the ticket number in the subject.
//!
//! [`parsed`] is the result, the contract with the server's threading and applying.

pub mod classify;
pub mod decode;
pub mod parse;
pub mod parsed;
pub mod sanitize;
pub mod token;
pub mod visible;

pub use decode::html_text::html_to_text;
pub use parse::{ParseError, ParseOptions};
pub use parsed::{Address, Classification, MailKind, ParsedAttachment, ParsedMail};
pub use sanitize::{rewrite_cid, sanitize_html};

/// Parses one raw message. A malformed message gives a best-effort [`ParsedMail`]; only input
/// that is not a mail at all (empty, no header fields) is an error. Never panics.
pub fn parse_mail(raw: &[u8], opts: &ParseOptions) -> Result<ParsedMail, ParseError> {
    parse::parse(raw, opts)
}
