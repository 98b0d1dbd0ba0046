//! Quoted history at the end of a plain-text message: the trailing run of `>` lines and the
//! attribution line above it ("On Mon, Ann wrote:"), to fold behind a toggle.
//!
//! Only a *trailing* run folds: answers written between quoted lines (inline replies) stay
//! readable with the questions they answer. And nothing folds when it would leave no text:
//! a message is never hidden whole.

use protocol::quoting;

/// A message split into what its author wrote and the history they quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub visible: String,
    pub quoted: String,
}

pub fn fold_text(body: &str) -> Option<Fold> {
    let lines: Vec<&str> = body.lines().collect();
    let blank = |l: &str| l.trim().is_empty();
    let quoted = |l: &str| l.trim_start().starts_with('>');

    let mut end = lines.len();
    while end > 0 && blank(lines[end - 1]) {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && (quoted(lines[start - 1]) || blank(lines[start - 1])) {
        start -= 1;
    }
    // Blank lines before the first `>` line belong to the text above.
    while start < end && blank(lines[start]) {
        start += 1;
    }
    if start == end {
        return None;
    }
    let mut above = start;
    while above > 0 && blank(lines[above - 1]) {
        above -= 1;
    }
    if let Some(k) = attribution_start(&lines[..above]) {
        start = k;
    }

    let visible = lines[..start].join("\n").trim_end().to_owned();
    if visible.trim().is_empty() {
        return None;
    }
    Some(Fold {
        visible,
        quoted: lines[start..end].join("\n"),
    })
}

/// Where the attribution that ends `lines` starts: the widest of up to three lines that reads
/// as one ("On Mon, 3 Jun 2024, Ann Carter <ann@…>" / "wrote:"), else the last line alone.
fn attribution_start(lines: &[&str]) -> Option<usize> {
    for n in (1..=3.min(lines.len())).rev() {
        let k = lines.len() - n;
        let part = &lines[k..];
        // A line that ends a sentence is prose above the attribution, not its first half (the
        // parser joins wrapped attributions by the same rule).
        let ends_sentence = part[..n - 1].iter().any(|l| l.trim_end().ends_with(['.', '!', '?']));
        if ends_sentence || part.iter().any(|l| l.trim().is_empty()) {
            continue;
        }
        let joined = part.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        let needs_prefix = n > 1;
        if is_attribution(&joined, needs_prefix) {
            return Some(k);
        }
    }
    None
}

/// Whether `line` reads as "On …, Ann wrote:" (`needs_prefix`: also with a known opening, for
/// lines joined from several). The rule set is the mail parser's (`protocol::quoting`).
pub fn is_attribution(line: &str, needs_prefix: bool) -> bool {
    let line = line.trim();
    if line.chars().count() > quoting::MAX_ATTRIBUTION_CHARS {
        return false;
    }
    if needs_prefix {
        quoting::is_attribution(line)
    } else {
        quoting::ends_like_attribution(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trailing_quote_and_its_attribution_fold() {
        let f = fold_text("Thanks, that worked.\n\nOn Mon, Ann wrote:\n> old text\n> more\n").unwrap();
        assert_eq!(f.visible, "Thanks, that worked.");
        assert_eq!(f.quoted, "On Mon, Ann wrote:\n> old text\n> more");
    }

    #[test]
    fn a_wrapped_attribution_folds_whole() {
        let f = fold_text("Yes.\nOn Mon, 3 Jun 2024 at 10:12, Ann Carter\n<ann@example.com> wrote:\n> hi").unwrap();
        assert_eq!(f.visible, "Yes.");
    }

    #[test]
    fn a_dated_attribution_folds_but_prose_above_it_stays() {
        let f = fold_text("Danke.\n26.06.2014, 14:41, \"Ann\" <ann@example.ru>:\n> alt").unwrap();
        assert_eq!(f.visible, "Danke.");
        assert_eq!(f.quoted, "26.06.2014, 14:41, \"Ann\" <ann@example.ru>:\n> alt");
    }

    #[test]
    fn a_quote_without_attribution_folds_alone() {
        let f = fold_text("Agreed.\n\n> earlier\n>\n> text").unwrap();
        assert_eq!(f.visible, "Agreed.");
        assert_eq!(f.quoted, "> earlier\n>\n> text");
    }

    #[test]
    fn nothing_folds_that_would_hide_the_whole_message() {
        assert_eq!(fold_text("On Mon, Ann wrote:\n> old text"), None);
        assert_eq!(fold_text("> only a quote"), None);
        assert_eq!(fold_text("No quote here."), None);
    }

    #[test]
    fn inline_answers_stay_visible() {
        assert_eq!(
            fold_text("> question one\nanswer one\n> question two\nanswer two"),
            None
        );
    }
}
