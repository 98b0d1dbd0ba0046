//! Meilisearch marks matches with tags we choose; we choose control characters no text
//! carries, then turn the marked text into a plain snippet with byte ranges.

use protocol::Snippet;

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
}
