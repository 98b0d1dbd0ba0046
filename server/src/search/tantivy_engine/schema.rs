//! The two Tantivy indexes (tickets, articles): their fields and the text analyzer.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};

/// The analyzer every text field uses: words, lower-cased, accents folded, stop words dropped,
/// stemmed in the configured language (so "printers" finds "printer").
pub const ANALYZER: &str = "maildesk_text";

/// The stemmer of a `search.language` name (the names are `settings::SEARCH_LANGUAGES`).
pub fn language(name: &str) -> Option<Language> {
    Some(match name.to_ascii_lowercase().as_str() {
        "arabic" => Language::Arabic,
        "danish" => Language::Danish,
        "dutch" => Language::Dutch,
        "english" => Language::English,
        "finnish" => Language::Finnish,
        "french" => Language::French,
        "german" => Language::German,
        "greek" => Language::Greek,
        "hungarian" => Language::Hungarian,
        "italian" => Language::Italian,
        "norwegian" => Language::Norwegian,
        "portuguese" => Language::Portuguese,
        "romanian" => Language::Romanian,
        "russian" => Language::Russian,
        "spanish" => Language::Spanish,
        "swedish" => Language::Swedish,
        "tamil" => Language::Tamil,
        "turkish" => Language::Turkish,
        _ => return None,
    })
}

pub fn analyzer(language: Language) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(language) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    builder.filter_dynamic(Stemmer::new(language)).build()
}

fn text(stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored { options.set_stored() } else { options }
}

/// Ids are stored as u64 with 0 for "none" (no category, no assignee, no company).
#[derive(Debug, Clone, Copy)]
pub struct TicketFields {
    pub id: Field,
    pub subject: Field,
    pub messages: Field,
    pub notes: Field,
    pub people: Field,
    pub status: Field,
    pub priority: Field,
    pub tags: Field,
    pub category: Field,
    pub assignee: Field,
    pub requester: Field,
    pub company: Field,
    pub created: Field,
    pub updated: Field,
}

impl TicketFields {
    pub fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        let fields = Self {
            id: b.add_u64_field("id", INDEXED | STORED | FAST),
            subject: b.add_text_field("subject", text(true)),
            messages: b.add_text_field("messages", text(true)),
            notes: b.add_text_field("notes", text(true)),
            people: b.add_text_field("people", text(false)),
            status: b.add_text_field("status", STRING),
            priority: b.add_text_field("priority", STRING),
            tags: b.add_text_field("tags", STRING),
            category: b.add_u64_field("category", INDEXED),
            assignee: b.add_u64_field("assignee", INDEXED),
            requester: b.add_u64_field("requester", INDEXED),
            company: b.add_u64_field("company", INDEXED),
            created: b.add_date_field("created", INDEXED | FAST),
            updated: b.add_date_field("updated", INDEXED | FAST),
        };
        (b.build(), fields)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ArticleFields {
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub tags: Field,
    pub category: Field,
    pub visibility: Field,
    pub updated: Field,
}

impl ArticleFields {
    pub fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        let fields = Self {
            id: b.add_u64_field("id", INDEXED | STORED | FAST),
            title: b.add_text_field("title", text(true)),
            body: b.add_text_field("body", text(true)),
            tags: b.add_text_field("tags", text(false)),
            category: b.add_u64_field("category", INDEXED | STORED),
            visibility: b.add_text_field("visibility", STRING | STORED),
            updated: b.add_date_field("updated", INDEXED | FAST),
        };
        (b.build(), fields)
    }
}

/// An optional id as the index keeps it.
pub fn id_or_zero(id: Option<i64>) -> u64 {
    id.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

pub fn as_u64(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_the_settings_accept_has_a_stemmer() {
        for name in crate::settings::SEARCH_LANGUAGES {
            assert!(language(name).is_some(), "{name}");
        }
        assert!(language("klingon").is_none());
    }
}
