//! Where quoted history starts: the first quote marker with something written above it
//! (attribution line, `-----Original Message-----`, Outlook header block, forward or bounce
//! separator), or a trailing run of `>` lines.

use super::attribution::is_attribution;
use super::header_block::{is_header_block, is_sent_field, next_nonblank_is_from};
use super::{has_colon, has_content, norm};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MarkerKind {
    Attribution,
    Separator,
    /// A forwarded-message header: when the note above it is only a word or two ("FYI"), the
    /// forwarded message is the request itself.
    Forward,
}

/// The index of the first line of quoted history, and what kind of marker starts it.
pub(super) fn find_quote_start(lines: &[&str]) -> Option<(usize, MarkerKind)> {
    for i in 0..lines.len() {
        if lines[i].trim_start().starts_with('>') {
            continue;
        }
        if is_attribution(lines, i) {
            return Some((i, MarkerKind::Attribution));
        }
        if is_forward_header(lines[i]) {
            return Some((i, MarkerKind::Forward));
        }
        if is_original_message_line(lines[i]) || is_bounce_copy_line(lines[i]) {
            return Some((i, MarkerKind::Separator));
        }
        if is_header_block(lines, i) {
            // Include a rule line (and blank lines) right above the block.
            let mut start = if i > 0 && is_sent_field(lines[i - 1]) { i - 1 } else { i };
            let mut j = start;
            while j > 0 && lines[j - 1].trim().is_empty() {
                j -= 1;
            }
            if j > 0 && is_rule_line(lines[j - 1]) {
                start = j - 1;
            }
            return Some((start, MarkerKind::Separator));
        }
        // `<hr>` (rendered as a rule) or Outlook's `____` right above a `From:` line.
        if is_rule_line(lines[i]) && next_nonblank_is_from(lines, i + 1) {
            return Some((i, MarkerKind::Separator));
        }
    }
    None
}

fn is_original_message_line(line: &str) -> bool {
    let n = norm(line);
    if !n.starts_with("--") {
        return false;
    }
    let n = n.to_lowercase();
    // `*-------- Original Message --------*`: bold markers from a plain-text rendering of HTML.
    let inner = n.trim_matches(|c: char| c == '-' || c == '*' || c.is_whitespace());
    [
        "original message",
        "ursprüngliche nachricht",
        "original nachricht",
        "originalnachricht",
        "message d'origine",
        "message d’origine",
        "mensaje original",
        "messaggio originale",
        "oorspronkelijk bericht",
        "mensagem original",
        "wiadomość oryginalna",
        "исходное сообщение",
        "原始邮件",
    ]
    .contains(&inner)
}

fn is_forward_header(line: &str) -> bool {
    let n = norm(line);
    if !(n.starts_with("--") || n.starts_with("==") || has_colon(&n)) {
        return false;
    }
    let n = n.to_lowercase();
    let inner = n.trim_matches(|c: char| c == '-' || c == '=' || c == '*' || c.is_whitespace());
    let dashed = n.starts_with("--") || n.starts_with("==");
    (dashed
        && [
            "forwarded message",
            "forwarded message follows",
            "weitergeleitete nachricht",
            "message transféré",
            "mensaje reenviado",
            "messaggio inoltrato",
            "doorgestuurd bericht",
            "mensagem encaminhada",
            "пересылаемое сообщение",
            "转发的邮件",
        ]
        .contains(&inner))
        || [
            "begin forwarded message:",
            "anfang der weitergeleiteten nachricht:",
            "début du message réexpédié :",
            "début du message réexpédié:",
            "inicio del mensaje reenviado:",
            "inizio messaggio inoltrato:",
            "begin doorgestuurd bericht:",
        ]
        .contains(&n.as_str())
}

/// The line in a bounce after which the returned message follows.
fn is_bounce_copy_line(line: &str) -> bool {
    let n = norm(line);
    if !n.starts_with("--") {
        return false;
    }
    let n = n.to_lowercase();
    n.contains("copy of the message") || n.contains("original message follows") || n.contains("returned message")
}

/// A horizontal rule in text: `____`, `----`, `───`, `===` (at least 8 characters, nothing else).
pub(super) fn is_rule_line(line: &str) -> bool {
    let t = line.trim();
    t.chars().count() >= 8 && t.chars().all(|c| matches!(c, '_' | '-' | '─' | '━' | '=' | '—'))
}

/// Whether the lines above a forward header are at most a short note ("FYI", "See below."),
/// so that the forwarded message is what the sender asks about.
pub(super) fn is_short_note(lines: &[&str]) -> bool {
    let content: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    content.len() <= 1 && content.iter().all(|l| l.chars().count() <= 40)
}

/// Whether the quoted part (from an attribution on) holds answers written between its `>`
/// blocks: a non-quoted paragraph followed later by more `>` lines.
pub(super) fn has_inline_answers(quoted: &[&str]) -> bool {
    let mut saw_quote = false;
    let mut saw_answer = false;
    for line in quoted.iter().skip(1) {
        let t = line.trim_start();
        if t.starts_with('>') {
            if saw_answer {
                return true;
            }
            saw_quote = true;
        } else if saw_quote && !t.is_empty() {
            // A signature below the quote is not an answer.
            if *line == "-- " || t.trim_end() == "--" {
                return false;
            }
            saw_answer = true;
        }
    }
    false
}

/// For a mail that starts with an attribution: the first line after the quoted block, when an
/// answer follows it.
pub(super) fn bottom_posted_answer(lines: &[&str]) -> Option<usize> {
    let mut j = 1;
    let mut saw_quote = false;
    while j < lines.len() && (lines[j].trim().is_empty() || lines[j].trim_start().starts_with('>')) {
        saw_quote |= lines[j].trim_start().starts_with('>');
        j += 1;
    }
    (saw_quote && has_content(&lines[j..])).then_some(j)
}

/// Moves a trailing run of `>` lines at the end of `new_lines` to the front of `quoted_lines`
/// (unless nothing would be left).
pub(super) fn move_trailing_quote<'a>(new_lines: &mut Vec<&'a str>, quoted_lines: &mut Vec<&'a str>) {
    if let Some(t) = trailing_quote_start(new_lines)
        && has_content(&new_lines[..t])
    {
        let mut tail = new_lines.split_off(t);
        tail.append(quoted_lines);
        *quoted_lines = tail;
    }
}

/// Where a trailing run of `>` lines (with blank lines) starts.
fn trailing_quote_start(lines: &[&str]) -> Option<usize> {
    let mut start = lines.len();
    let mut saw_quote = false;
    while start > 0 {
        let l = lines[start - 1].trim_start();
        if l.starts_with('>') {
            saw_quote = true;
        } else if !l.is_empty() {
            break;
        }
        start -= 1;
    }
    if !saw_quote {
        return None;
    }
    while start < lines.len() && lines[start].trim().is_empty() {
        start += 1;
    }
    Some(start)
}
