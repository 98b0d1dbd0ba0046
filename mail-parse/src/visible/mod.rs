//! The visible part of a mail: the new text of a reply, separated from the quoted history and
//! from the signature.
//!
//! Quoted history starts at the first of these (only when something was written above it —
//! a mail that *is* a forward or an Outlook header block with nothing before keeps its content):
//! - an attribution line: `On … wrote:` (also wrapped over up to three lines), `Am … schrieb …:`,
//!   `Le … a écrit :`, `El … escribió:`, `Il giorno … ha scritto:`, `Op … schreef …:`,
//!   `W dniu … pisze:`, `Em … escreveu:`, `Den … skrev …:`, `… написал(а):`, `在 … 写道：`; one
//!   without a known opening that carries a date and the writer's address (`26.06.2014, 14:41,
//!   "Ann" <ann@…>:`, `2016-03-03 17:21 GMT+01:00 Ann <ann@…>:`, `… от Ann <ann@…>:`, `… пише:`,
//!   `Ann <ann@…> schrieb am …, 10:30:`); or any `… wrote:` line directly followed by `>` lines;
//! - `-----Original Message-----` and its translations (also in `*bold*` markers);
//! - an Outlook header block: `From:` followed by at least two of `Sent:`/`Date:`, `To:`,
//!   `Subject:` (labels of 18 languages, see `header_block`); a `____` / `----` / `───` rule
//!   line right above it belongs to the quote, and a rule (an HTML `<hr>`) right above a `From:`
//!   line starts the quote by itself;
//! - forwarded-message headers (`---------- Forwarded message ---------`, `Begin forwarded
//!   message:`, …) and the line after which a bounce returns the original message
//!   (`------ This is a copy of the message …`, `--- Below this line is a copy of the message.`);
//!   a forward below nothing or a one-line note ("FYI") is the request itself and stays text;
//! - a trailing run of `>`-quoted lines.
//!
//! A bottom-posted reply (attribution and `>` block first, the answer below) gives the answer as
//! the text. Interleaved answers between quoted blocks stay in the text, with the questions they
//! answer: cutting them would lose what the customer wrote — also below a note of their own
//! ("Answers inline below.").
//!
//! The signature is the part of the new text from a `-- ` (or `--`) delimiter line, or from a
//! mobile footer (`Sent from my iPhone`, `Get Outlook for Android`, `Von meinem iPhone gesendet`,
//! `Envoyé de mon iPhone`, `Enviado desde mi iPhone`, …) near the end, or a footer at the end: a
//! confidentiality disclaimer or a mailing-list footer below a rule line (`____`). A `-- `
//! signature written below the quoted history (bottom of a Thunderbird reply) is found too.
//!
//! Excluded text (configured disclaimers) is removed from all three parts, matching words with
//! any whitespace in between and ignoring case.
//!
//! Quote markers are found by `quote` (with `attribution` and `header_block` for the two kinds
//! of marker that need more than one line), the signature and footers by `signature`, and the
//! excluded texts are removed by `excluded`.

mod attribution;
mod excluded;
mod header_block;
mod quote;
mod signature;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use excluded::remove_excluded;
use quote::{
    MarkerKind, bottom_posted_answer, find_quote_start, has_inline_answers, is_short_note, move_trailing_quote,
};
use signature::{find_footer_start, find_signature_start, signature_after_quote};

/// The new text, the signature and the quoted history of a mail body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visible {
    pub text: String,
    pub signature: Option<String>,
    pub quoted: Option<String>,
}

/// Splits `body` (lines separated by `\n`) into new text, signature and quoted history, and
/// removes every `excluded` text from them.
pub fn split(body: &str, excluded: &[String]) -> Visible {
    let lines: Vec<&str> = body.lines().collect();

    let (mut new_lines, mut quoted_lines): (Vec<&str>, Vec<&str>) = match find_quote_start(&lines) {
        Some((k, MarkerKind::Forward)) if is_short_note(&lines[..k]) => (lines.clone(), Vec::new()),
        // Answers written between the quoted questions, below a line of their own.
        Some((k, MarkerKind::Attribution)) if has_content(&lines[..k]) && has_inline_answers(&lines[k..]) => {
            (lines.clone(), Vec::new())
        }
        Some((k, _)) if has_content(&lines[..k]) => (lines[..k].to_vec(), lines[k..].to_vec()),
        Some((0, MarkerKind::Attribution)) => match bottom_posted_answer(&lines) {
            // Answers interleaved with the quoted questions: all of it is what was written.
            Some(j) if lines[j..].iter().any(|l| l.trim_start().starts_with('>')) => (lines.clone(), Vec::new()),
            Some(j) => (lines[j..].to_vec(), lines[..j].to_vec()),
            None => (Vec::new(), lines.clone()),
        },
        Some(_) | None => (lines.clone(), Vec::new()),
    };

    // A trailing run of `>` lines (quoted history without an attribution line) goes first, so
    // that a footer like "Sent from my iPhone" right above it is at the end of the new text.
    move_trailing_quote(&mut new_lines, &mut quoted_lines);

    let mut signature_lines = match find_signature_start(&new_lines) {
        Some(s) => new_lines.split_off(s),
        None => Vec::new(),
    };
    // A confidentiality disclaimer or mailing-list footer at the end.
    if signature_lines.is_empty()
        && let Some(f) = find_footer_start(&new_lines)
    {
        signature_lines = new_lines.split_off(f);
    }
    // `reply / > quote / -- sig`: the quote was above the signature.
    move_trailing_quote(&mut new_lines, &mut quoted_lines);

    // A signature below the quoted history (`reply / On … wrote: / > … / -- sig`).
    if signature_lines.is_empty()
        && let Some(s) = signature_after_quote(&quoted_lines)
    {
        signature_lines = quoted_lines.split_off(s);
    }

    let text = remove_excluded(&join(&new_lines), excluded);
    let signature = Some(remove_excluded(&join(&signature_lines), excluded)).filter(|s| !s.is_empty());
    let quoted = Some(remove_excluded(&join(&quoted_lines), excluded)).filter(|s| !s.is_empty());
    Visible {
        text,
        signature,
        quoted,
    }
}

fn join(lines: &[&str]) -> String {
    let text = lines.join("\n");
    let trimmed: Vec<&str> = text.lines().map(str::trim_end).collect();
    trimmed.join("\n").trim_matches('\n').to_string()
}

fn has_content(lines: &[&str]) -> bool {
    lines.iter().any(|l| !l.trim().is_empty())
}

const TYPOGRAPHIC_SPACES: [char; 3] = ['\u{a0}', '\u{202f}', '\u{2007}'];

/// The line with typographic spaces made plain, trimmed, with bold markers removed. Every line
/// of every mail passes here several times: the usual line, without typographic spaces, is
/// only sliced.
fn norm(line: &str) -> Cow<'_, str> {
    fn strip(s: &str) -> &str {
        s.trim().trim_start_matches('*').trim_start_matches('_').trim()
    }
    // `is_ascii` reads a word at a time; the char search only for the rest.
    if !line.is_ascii() && line.contains(TYPOGRAPHIC_SPACES) {
        Cow::Owned(strip(&line.replace(TYPOGRAPHIC_SPACES, " ")).to_owned())
    } else {
        Cow::Borrowed(strip(line))
    }
}

/// More than `n` characters (a string of at most `n` bytes never is: no count needed).
fn longer_than(s: &str, n: usize) -> bool {
    s.len() > n && s.chars().count() > n
}

/// Every attribution, separator and header label ends with a colon (or its full-width form):
/// a line without one is none of them, and need not be lowercased to be sure.
fn has_colon(s: &str) -> bool {
    s.contains([':', '：'])
}
