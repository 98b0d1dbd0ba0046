//! Index settings applied at start: which fields are searched (in rank order), filtered and
//! sorted, and the typo rule (one typo from 4 letters, two from 8 — as on Tantivy).

use meilisearch_sdk::settings::{MinWordSizeForTypos, Settings, TypoToleranceSettings};

pub const TICKET_SEARCHABLE: &[&str] = &["subject", "messages", "people", "notes"];
/// What a customer's search may look at: never `notes`.
pub const TICKET_SEARCHABLE_PUBLIC: &[&str] = &["subject", "messages", "people"];
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
pub const ARTICLE_SEARCHABLE: &[&str] = &["title", "tags", "body"];
pub const ARTICLE_FILTERABLE: &[&str] = &["visibility", "category_id"];
pub const ARTICLE_SORTABLE: &[&str] = &["updated_at"];

fn typos() -> TypoToleranceSettings {
    TypoToleranceSettings {
        enabled: Some(true),
        disable_on_attributes: None,
        disable_on_words: None,
        min_word_size_for_typos: Some(MinWordSizeForTypos {
            one_typo: Some(4),
            two_typos: Some(8),
        }),
    }
}

pub fn tickets() -> Settings {
    Settings::new()
        .with_searchable_attributes(TICKET_SEARCHABLE)
        .with_filterable_attributes(TICKET_FILTERABLE)
        .with_sortable_attributes(TICKET_SORTABLE)
        .with_typo_tolerance(typos())
}

pub fn articles() -> Settings {
    Settings::new()
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
        assert!(!TICKET_SEARCHABLE_PUBLIC.contains(&"notes"));
        let a = serde_json::to_value(articles()).unwrap();
        assert_eq!(a["filterableAttributes"][0], "visibility");
    }
}
