//! Full-text search over tickets and knowledge-base articles, and article suggestions.
//!
//! Hits carry plain-text snippets with the matched ranges marked by byte offsets, never HTML:
//! a client wraps the ranges itself, so a snippet can never inject markup.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kb::KbVisibility;
use crate::tickets::Ticket;

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchSort {
    /// Best match first (the default).
    #[default]
    Relevance,
    /// Most recently updated first.
    Newest,
    /// Least recently updated first.
    Oldest,
}

impl SearchSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "newest",
            Self::Oldest => "oldest",
        }
    }
}

/// `GET /api/v1/search/tickets`: every field but `q` is an optional filter.
///
/// `q` understands `"quoted phrases"`; words are matched with their stems and, from four
/// letters on, with a typo or two.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct TicketSearchParams {
    #[serde(default)]
    pub q: String,
    /// Read as text so a wrong one is a 422 naming the choices.
    #[cfg_attr(feature = "openapi", param(value_type = Option<crate::tickets::TicketStatus>))]
    pub status: Option<String>,
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub requester_id: Option<i64>,
    pub tag: Option<String>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
    pub sort: Option<SearchSort>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A piece of text around the matched words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snippet {
    /// Which part matched: `subject`, `messages`, `notes` (staff only), `title` or `body`.
    pub field: String,
    /// Plain text (not HTML).
    pub text: String,
    /// Byte ranges `[start, end)` of `text` to highlight.
    pub highlights: Vec<[u32; 2]>,
}

impl Snippet {
    /// The text cut into (piece, highlighted) runs, for rendering. Ranges that do not fall on
    /// character boundaries are ignored.
    pub fn runs(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let mut at = 0usize;
        for [start, end] in &self.highlights {
            let (start, end) = (*start as usize, *end as usize);
            if start < at || end <= start || end > self.text.len() {
                continue;
            }
            let (Some(before), Some(hit)) = (self.text.get(at..start), self.text.get(start..end)) else {
                continue;
            };
            if !before.is_empty() {
                out.push((before, false));
            }
            out.push((hit, true));
            at = end;
        }
        if let Some(rest) = self.text.get(at..).filter(|r| !r.is_empty()) {
            out.push((rest, false));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketHit {
    pub ticket: Ticket,
    /// Relevance score (higher is better; engine-specific scale).
    pub score: f32,
    /// At most one snippet per matching field, best field first.
    pub snippets: Vec<Snippet>,
}

/// `GET /api/v1/kb/search` (also what the portal calls while a customer types a subject).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct KbSearchParams {
    #[serde(default)]
    pub q: String,
    pub category_id: Option<i64>,
    /// At most this many hits (default 10, at most 50).
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbHit {
    pub id: i64,
    pub title: String,
    pub category_id: Option<i64>,
    pub visibility: KbVisibility,
    pub score: f32,
    pub snippet: Option<Snippet>,
    /// Absolute address of the article page (`{public_url}/kb/{id}`), for links in replies.
    pub url: String,
}

/// Which engine answers and how far it has caught up (`GET /api/v1/admin/search`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchStatus {
    /// `tantivy` or `meilisearch`.
    pub engine: String,
    pub tickets: u64,
    pub articles: u64,
    /// Changes waiting to be indexed on this node.
    pub pending: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_text_at_highlights_and_skip_bad_ranges() {
        let s = Snippet {
            field: "body".into(),
            text: "reset your password now".into(),
            highlights: vec![[6, 10], [11, 19], [3, 5], [40, 50]],
        };
        assert_eq!(
            s.runs(),
            vec![
                ("reset ", false),
                ("your", true),
                (" ", false),
                ("password", true),
                (" now", false)
            ]
        );
        let cut = Snippet {
            field: "body".into(),
            text: "héllo".into(),
            highlights: vec![[0, 2]],
        };
        assert_eq!(cut.runs(), vec![("héllo", false)]);
    }
}
