//! Index settings applied at start: which fields are searched (in rank order, each beside its
//! stemmed copy), filtered and sorted, and the typo rule.
//!
//! Typos: Tantivy allows one from 4 letters and two from 8 *of the word as typed*, applied to
//! its stem. Meilisearch counts the letters of what it is sent — the stem, often two letters
//! shorter ("calender" → "calend") — so its two-typo threshold sits at 6 letters: the same
//! budget for most words, one typo more for a 6–7 letter word that stems to itself.

use meilisearch_sdk::settings::{MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings};

/// What the documents look like; part of the catch-up mark, so a new layout (or another
/// stemming language) rewrites every document on the next start.
pub fn layout(language: &str) -> String {
    format!("2:{}", language.to_ascii_lowercase())
}

pub const TICKET_SEARCHABLE: &[&str] = &[
    "subject",
    "subject_stems",
    "messages",
    "messages_stems",
    "people",
    "notes",
    "notes_stems",
];
/// What a customer's search may look at: never `notes` or their stems.
pub const TICKET_SEARCHABLE_PUBLIC: &[&str] = &["subject", "subject_stems", "messages", "messages_stems", "people"];
pub const TICKET_FILTERABLE: &[&str] = &[
    "id",
    "status",
    "category_id",
    "assignee_id",
    "requester_id",
    "company_id",
    "tags",
    "created_at",
];
pub const TICKET_SORTABLE: &[&str] = &["updated_at", "created_at"];
pub const ARTICLE_SEARCHABLE: &[&str] = &["title", "title_stems", "tags", "body", "body_stems"];
pub const ARTICLE_FILTERABLE: &[&str] = &["visibility", "category_id", "id"];
pub const ARTICLE_SORTABLE: &[&str] = &["updated_at"];

fn typos() -> TypoToleranceSettings {
    TypoToleranceSettings {
        enabled: Some(true),
        disable_on_attributes: None,
        disable_on_words: None,
        min_word_size_for_typos: Some(MinWordSizeForTypos {
            one_typo: Some(4),
            two_typos: Some(6),
        }),
    }
}

/// Meilisearch stops at 1,000 hits unless told otherwise; every page of the API's result window
/// must be reachable.
fn pagination() -> PaginationSetting {
    PaginationSetting {
        max_total_hits: usize::try_from(protocol::MAX_RESULT_WINDOW).unwrap_or(usize::MAX),
    }
}

pub fn tickets() -> Settings {
    Settings::new()
        .with_pagination(pagination())
        .with_searchable_attributes(TICKET_SEARCHABLE)
        .with_filterable_attributes(TICKET_FILTERABLE)
        .with_sortable_attributes(TICKET_SORTABLE)
        .with_typo_tolerance(typos())
}

pub fn articles() -> Settings {
    Settings::new()
        .with_pagination(pagination())
        .with_searchable_attributes(ARTICLE_SEARCHABLE)
        .with_filterable_attributes(ARTICLE_FILTERABLE)
        .with_sortable_attributes(ARTICLE_SORTABLE)
        .with_typo_tolerance(typos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_name_every_field_filters_use() {
        let json = serde_json::to_value(tickets()).unwrap();
        assert_eq!(json["searchableAttributes"][0], "subject", "subject ranks first");
        let filterable: Vec<String> = serde_json::from_value(json["filterableAttributes"].clone()).unwrap();
        for field in [
            "category_id",
            "assignee_id",
            "requester_id",
            "company_id",
            "id",
            "status",
            "tags",
        ] {
            assert!(filterable.contains(&field.to_owned()), "{field} must be filterable");
        }
        assert_eq!(json["typoTolerance"]["minWordSizeForTypos"]["oneTypo"], 4);
        assert_eq!(json["pagination"]["maxTotalHits"], 10_000);
        assert!(TICKET_SEARCHABLE_PUBLIC.iter().all(|f| !f.starts_with("notes")));
        let a = serde_json::to_value(articles()).unwrap();
        assert_eq!(a["filterableAttributes"][0], "visibility");
    }
}
