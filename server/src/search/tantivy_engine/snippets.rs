//! Highlighted snippets from stored fields: Tantivy finds the best fragment for the matched
//! terms; we hand it on as plain text with byte ranges (see `protocol::Snippet`).

use protocol::Snippet;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Searcher, TantivyDocument};

use crate::search::SearchResult;

pub struct Generator {
    name: &'static str,
    inner: SnippetGenerator,
}

pub fn generators(
    searcher: &Searcher,
    query: &dyn Query,
    fields: &[(&'static str, Field, usize)],
) -> SearchResult<Vec<Generator>> {
    fields
        .iter()
        .map(|(name, field, max_chars)| {
            let mut inner = SnippetGenerator::create(searcher, query, *field)
                .map_err(|e| crate::search::SearchError::Engine(e.to_string()))?;
            inner.set_max_num_chars(*max_chars);
            Ok(Generator { name, inner })
        })
        .collect()
}

/// One snippet per field that has a highlighted match, in the generators' order.
pub fn of_doc(generators: &[Generator], doc: &TantivyDocument) -> Vec<Snippet> {
    generators
        .iter()
        .filter_map(|g| {
            let s = g.inner.snippet_from_doc(doc);
            if s.highlighted().is_empty() {
                return None;
            }
            Some(Snippet {
                field: g.name.to_owned(),
                text: s.fragment().to_owned(),
                highlights: s.highlighted().iter().map(|r| [r.start as u32, r.end as u32]).collect(),
            })
        })
        .collect()
}

/// The start of a text, for a hit whose match has nothing to highlight (a typo match).
pub fn opening(field: &str, text: &str, max_chars: usize) -> Option<Snippet> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(i, _)| i);
    Some(Snippet {
        field: field.to_owned(),
        text: text[..end].to_owned(),
        highlights: Vec::new(),
    })
}
