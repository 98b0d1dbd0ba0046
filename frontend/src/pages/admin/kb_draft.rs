//! The article being edited, field by field, and how it becomes a `SaveKbArticle`.

use leptos::prelude::*;
use protocol::{KbArticle, KbVisibility, SaveKbArticle};

#[derive(Debug, Clone, Copy)]
pub struct KbDraft {
    pub title: RwSignal<String>,
    pub body_html: RwSignal<String>,
    /// A category id, or empty for none (the select's value).
    pub category: RwSignal<String>,
    /// Comma-separated.
    pub tags: RwSignal<String>,
    /// `public` or `agents` (the select's value).
    pub visibility: RwSignal<String>,
}

impl KbDraft {
    /// A new article starts for agents only: nothing reaches customers before it is ready.
    pub fn new(article: Option<&KbArticle>) -> Self {
        Self {
            title: RwSignal::new(article.map(|a| a.title.clone()).unwrap_or_default()),
            body_html: RwSignal::new(article.map(|a| a.body_html.clone()).unwrap_or_default()),
            category: RwSignal::new(
                article
                    .and_then(|a| a.category_id)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            tags: RwSignal::new(article.map(|a| a.tags.join(", ")).unwrap_or_default()),
            visibility: RwSignal::new(
                article
                    .map_or(KbVisibility::Agents, |a| a.visibility)
                    .as_str()
                    .to_owned(),
            ),
        }
    }

    /// The body to send, or what is missing.
    pub fn to_save(self) -> Result<SaveKbArticle, String> {
        let title = self.title.get_untracked().trim().to_owned();
        let body_html = self.body_html.get_untracked();
        if title.is_empty() || body_html.trim().is_empty() {
            return Err("Give the article a title and a text.".into());
        }
        Ok(SaveKbArticle {
            title,
            body_html,
            category_id: self.category.get_untracked().parse().ok(),
            tags: split_tags(&self.tags.get_untracked()),
            visibility: KbVisibility::parse(&self.visibility.get_untracked()).unwrap_or(KbVisibility::Agents),
        })
    }
}

/// `"billing, Login ,, billing"` → `["billing", "Login"]`: trimmed, no empties, no repeats.
/// Commas are the separator, so a tag cannot contain one.
fn split_tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_owned());
        }
    }
    out
}
