//! Attribution lines: `On … wrote:` and its translations (the rule set is
//! `protocol::quoting`, shared with the browser app's folding), also wrapped over up to three
//! lines, and any `… wrote:` line directly followed by `>` lines.

use protocol::quoting;

use super::{longer_than, norm};

/// Whether an attribution line (`On … wrote:` and its translations) starts at line `i`.
pub(super) fn is_attribution(lines: &[&str], i: usize) -> bool {
    let first = norm(lines[i]);
    if first.is_empty() || longer_than(&first, quoting::MAX_ATTRIBUTION_CHARS) {
        return false;
    }
    let mut joined = first.to_string();
    for extra in 0..3 {
        if extra > 0 {
            let Some(next) = lines.get(i + extra) else { break };
            let next = norm(next);
            let prev_ends_sentence = joined.ends_with(['.', '!', '?']);
            if next.is_empty()
                || next.starts_with('>')
                || prev_ends_sentence
                || longer_than(&joined, quoting::MAX_ATTRIBUTION_CHARS)
            {
                break;
            }
            joined.push(' ');
            joined.push_str(&next);
            // Wrapped attributions carry a date or an address; plain prose does not.
            if !joined.contains(|c: char| c.is_ascii_digit()) && !joined.contains('@') {
                continue;
            }
        }
        if quoting::is_attribution(&joined) {
            return true;
        }
    }
    // `John Doe <john@example.com> wrote:` directly followed by quoted lines.
    if !first.ends_with(':') {
        return false;
    }
    let lower = first.to_lowercase();
    (lower.ends_with("wrote:") || lower.ends_with("writes:")) && next_nonblank_starts_with_quote(lines, i + 1)
}

fn next_nonblank_starts_with_quote(lines: &[&str], from: usize) -> bool {
    lines
        .iter()
        .skip(from)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('>'))
}
