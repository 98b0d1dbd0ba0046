//! The words Meilisearch is asked for, analyzed as Tantivy analyzes them (lower-cased, accents
//! folded, the configured language's stop words dropped, stemmed). Meilisearch neither stems nor
//! knows our stop words, so every text field also goes in as a stemmed copy (`*_stems`) and the
//! query is sent stemmed: "jamming" then finds "jams", and "the", "is", "and" never decide
//! whether an article matches — the same results the embedded engine gives.

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::search::query::{MAX_QUERY_WORDS, Part, parts};

/// One unit of a query: a stemmed word, or a phrase of stemmed words that must appear together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// As written into Meilisearch's `q`.
    pub text: String,
    /// The stems it stands for (to highlight the words they came from).
    pub stems: Vec<String>,
}

/// How the terms of a query are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// Typos allowed; the last word may be unfinished (someone typing).
    AsYouType,
    /// Typos allowed; every word is complete (an agent's ticket search).
    Typos,
    /// Whole words only, no typos (suggestions from a ticket's text): each word is sent as a
    /// one-word phrase, which Meilisearch matches exactly.
    Exact,
}

/// The analyzed tokens of `text`, in order.
pub fn tokens(analyzer: &TextAnalyzer, text: &str) -> Vec<(usize, usize, String)> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push((t.offset_from, t.offset_to, t.text.clone()));
    }
    out
}

/// A field's stemmed copy, as Meilisearch indexes it beside the original.
pub fn stems(analyzer: &TextAnalyzer, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (_, _, stem) in tokens(analyzer, text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&stem);
    }
    out
}

/// The query's terms: at most `MAX_QUERY_WORDS` words, stop words and duplicates gone.
pub fn terms(analyzer: &TextAnalyzer, text: &str, matching: Matching) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    let mut words = 0;
    for part in parts(text) {
        if words >= MAX_QUERY_WORDS {
            break;
        }
        match part {
            Part::Word(word) => {
                for (_, _, stem) in tokens(analyzer, &word) {
                    if words >= MAX_QUERY_WORDS {
                        break;
                    }
                    words += 1;
                    let text = match matching {
                        Matching::Exact => format!("\"{stem}\""),
                        Matching::AsYouType | Matching::Typos => stem.clone(),
                    };
                    if !out.iter().any(|t| t.text == text) {
                        out.push(Term {
                            text,
                            stems: vec![stem],
                        });
                    }
                }
            }
            Part::Phrase(phrase) => {
                let stems: Vec<String> = tokens(analyzer, &phrase).into_iter().map(|(_, _, s)| s).collect();
                if stems.is_empty() {
                    continue;
                }
                words += stems.len();
                out.push(Term {
                    text: format!("\"{}\"", stems.join(" ")),
                    stems,
                });
            }
        }
    }
    out
}

/// Meilisearch's `q` for these terms. It treats the last word as unfinished unless a space
/// follows it, so only a search as you type leaves the space out.
pub fn query(terms: &[&Term], matching: Matching) -> String {
    let mut q = terms.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
    if matching != Matching::AsYouType && !q.is_empty() {
        q.push(' ');
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tantivy_engine::{analyzer, language};

    fn english() -> TextAnalyzer {
        analyzer(language("english").unwrap())
    }

    #[test]
    fn queries_are_stemmed_without_stop_words() {
        let a = english();
        let t = terms(
            &a,
            r#"The printers are jamming "shared calendars" jamming"#,
            Matching::Typos,
        );
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, vec!["printer", "jam", "\"share calendar\""]);
        let refs: Vec<&Term> = t.iter().collect();
        assert_eq!(query(&refs, Matching::Typos), "printer jam \"share calendar\" ");
        assert_eq!(query(&refs, Matching::AsYouType), "printer jam \"share calendar\"");
        let exact = terms(&a, "invoices", Matching::Exact);
        assert_eq!(exact[0].text, "\"invoic\"");
        assert!(terms(&a, "the and of", Matching::Typos).is_empty());
    }

    #[test]
    fn documents_get_a_stemmed_copy() {
        assert_eq!(
            stems(&english(), "The printer JAMS, every page!"),
            "printer jam everi page"
        );
    }

    #[test]
    fn long_texts_are_cut_to_the_word_limit() {
        let text = (0..200).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(terms(&english(), &text, Matching::Exact).len(), MAX_QUERY_WORDS);
    }
}
