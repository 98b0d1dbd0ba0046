//! Meilisearch marks matches with tags we choose; we choose control characters no text
//! carries, then turn the marked text into a plain snippet with byte ranges. It marks the words
//! it matched in the original text (typos, unfinished words); words that only matched through
//! the stemmed copy ("connections" for "connecting") are marked here, by their stem.

use protocol::Snippet;
use tantivy::tokenizer::TextAnalyzer;

pub const PRE: &str = "\u{2}";
pub const POST: &str = "\u{3}";

/// The snippet of a `_formatted` field, if it has a highlighted match.
pub fn snippet(field: &str, marked: &str) -> Option<Snippet> {
    let mut text = String::with_capacity(marked.len());
    let mut highlights = Vec::new();
    let mut open: Option<usize> = None;
    for ch in marked.chars() {
        match ch {
            '\u{2}' => open = Some(text.len()),
            '\u{3}' => {
                if let Some(start) = open.take().filter(|s| text.len() > *s) {
                    highlights.push([start as u32, text.len() as u32]);
                }
            }
            c => text.push(c),
        }
    }
    (!highlights.is_empty()).then(|| Snippet {
        field: field.to_owned(),
        text,
        highlights,
    })
}

/// Like `snippet`, also marking every word whose stem is one of `stems`.
pub fn snippet_with_stems(field: &str, marked: &str, analyzer: &TextAnalyzer, stems: &[String]) -> Option<Snippet> {
    let mut s = snippet(field, marked).unwrap_or_else(|| Snippet {
        field: field.to_owned(),
        text: marked.replace(['\u{2}', '\u{3}'], ""),
        highlights: Vec::new(),
    });
    for (from, to, stem) in super::words::tokens(analyzer, &s.text) {
        if stems.contains(&stem) {
            s.highlights.push([from as u32, to as u32]);
        }
    }
    s.highlights.sort_unstable();
    // Meilisearch's mark and ours may cover the same word, or one may hold the other.
    let mut merged: Vec<[u32; 2]> = Vec::with_capacity(s.highlights.len());
    for [a, b] in s.highlights {
        match merged.last_mut() {
            Some(last) if a <= last[1] => last[1] = last[1].max(b),
            _ => merged.push([a, b]),
        }
    }
    s.highlights = merged;
    (!s.highlights.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_byte_ranges() {
        let s = snippet("messages", "…the \u{2}printér\u{3} is \u{2}jammed\u{3}").unwrap();
        assert_eq!(s.text, "…the printér is jammed");
        let words: Vec<&str> = s
            .highlights
            .iter()
            .map(|[a, b]| &s.text[*a as usize..*b as usize])
            .collect();
        assert_eq!(words, vec!["printér", "jammed"]);
        assert!(snippet("subject", "nothing marked").is_none());
    }

    #[test]
    fn words_matched_by_their_stem_are_marked_too() {
        let a = crate::search::tantivy_engine::analyzer(crate::search::tantivy_engine::language("english").unwrap());
        let s = snippet_with_stems(
            "body",
            "Slow \u{2}conn\u{3}ections mean a distant gateway; connect again",
            &a,
            &["connect".to_owned()],
        )
        .unwrap();
        let words: Vec<&str> = s
            .highlights
            .iter()
            .map(|[a, b]| &s.text[*a as usize..*b as usize])
            .collect();
        assert_eq!(words, vec!["connections", "connect"]);
        assert!(snippet_with_stems("body", "nothing here", &a, &["connect".to_owned()]).is_none());
    }
}
