//! Mail parsing: raw RFC 5322 bytes in, [`ParsedMail`] out. Pure code — no I/O, no database.
//!
//! [`parse_mail`] runs the steps, each in its own module:
//! [`normalize`] (mbox line, line endings) → mail-parser → [`headers`] → [`body`] (preferred
//! text, sanitized HTML) → [`attachments`] → [`visible`] (new text / signature / quoted) →
//! [`classify`] (auto-reply, bounce, report, junk) → [`token`] (ticket number in the subject).

pub mod attachments;
pub mod body;
pub mod charset;
pub mod checks;
pub mod classify;
pub mod graph;
pub mod headers;
pub mod imap;
pub mod inbound;
pub mod mailboxes;
pub mod normalize;
pub mod oauth;
pub mod outbound;
pub mod parse;
pub mod parse_path;
pub mod parsed;
pub mod pop3;
pub mod receiver;
pub mod signed_ids;
pub mod sources;
pub mod token;
pub mod visible;
pub mod watch;

pub use body::rewrite_cid;
pub use parse::{ParseError, ParseOptions};
pub use parsed::{Address, Classification, MailKind, ParsedAttachment, ParsedMail};

/// Parses one raw message. A malformed message gives a best-effort [`ParsedMail`]; only input
/// that is not a mail at all (empty, no header fields) is an error. Never panics.
pub fn parse_mail(raw: &[u8], opts: &ParseOptions) -> Result<ParsedMail, ParseError> {
    parse::parse(raw, opts)
}
