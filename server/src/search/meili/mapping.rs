//! Documents as Meilisearch stores them: flat JSON, ids as numbers with 0 for "none" (so
//! filters can say `category_id = 0` for the shared inbox), dates as Unix seconds (filterable
//! and sortable). Each text field has a stemmed copy (`words::stems`) searched beside it.

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TextAnalyzer;

use super::words::stems;
use crate::search::{ArticleDoc, TicketDoc};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeiliTicket {
    pub id: i64,
    pub subject: String,
    pub subject_stems: String,
    pub messages: String,
    pub messages_stems: String,
    pub notes: String,
    pub notes_stems: String,
    pub people: String,
    pub status: String,
    pub priority: String,
    pub tags: Vec<String>,
    pub category_id: i64,
    pub assignee_id: i64,
    pub requester_id: i64,
    pub company_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MeiliTicket {
    pub fn new(t: &TicketDoc, analyzer: &TextAnalyzer) -> Self {
        Self {
            id: t.id,
            subject: t.subject.clone(),
            subject_stems: stems(analyzer, &t.subject),
            messages: t.messages.clone(),
            messages_stems: stems(analyzer, &t.messages),
            notes: t.notes.clone(),
            notes_stems: stems(analyzer, &t.notes),
            people: t.people.clone(),
            status: t.status.clone(),
            priority: t.priority.clone(),
            tags: t.tags.iter().map(|t| t.to_lowercase()).collect(),
            category_id: t.category_id.unwrap_or(0),
            assignee_id: t.assignee_id.unwrap_or(0),
            requester_id: t.requester_id,
            company_id: t.company_id.unwrap_or(0),
            created_at: t.created_at.timestamp(),
            updated_at: t.updated_at.timestamp(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeiliArticle {
    pub id: i64,
    pub title: String,
    pub title_stems: String,
    pub body: String,
    pub body_stems: String,
    pub tags: Vec<String>,
    pub category_id: i64,
    pub visibility: String,
    pub updated_at: i64,
}

impl MeiliArticle {
    pub fn new(a: &ArticleDoc, analyzer: &TextAnalyzer) -> Self {
        Self {
            id: a.id,
            title: a.title.clone(),
            title_stems: stems(analyzer, &a.title),
            body: a.body.clone(),
            body_stems: stems(analyzer, &a.body),
            tags: a.tags.clone(),
            category_id: a.category_id.unwrap_or(0),
            visibility: a.visibility.as_str().to_owned(),
            updated_at: a.updated_at.timestamp(),
        }
    }
}

/// The one document of the meta index: how far the index has caught up, and for which
/// document layout (`settings::layout`). A mark of another layout counts as none, so the
/// catch-up rewrites every document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncMark {
    pub id: String,
    pub synced_until: String,
    /// Absent in marks written before the layout was recorded.
    #[serde(default)]
    pub layout: String,
}

pub const SYNC_MARK_ID: &str = "sync";

/// What a hit brings back: only the id; text comes through `_formatted`, and only for the
/// fields the caller may read.
#[derive(Debug, Clone, Deserialize)]
pub struct IdOnly {
    pub id: i64,
}

/// Article hits also bring their title, category and visibility.
#[derive(Debug, Clone, Deserialize)]
pub struct ArticleHead {
    pub id: i64,
    pub title: String,
    pub category_id: i64,
    pub visibility: String,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use protocol::KbVisibility;

    use super::*;

    fn english() -> TextAnalyzer {
        crate::search::tantivy_engine::analyzer(crate::search::tantivy_engine::language("english").unwrap())
    }

    #[test]
    fn ticket_maps_none_to_zero_and_dates_to_seconds() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
        let doc = TicketDoc {
            id: 7,
            subject: "Printer jam".into(),
            messages: "It jams".into(),
            notes: "Known issue".into(),
            people: "Ann ann@example.com".into(),
            status: "open".into(),
            priority: "high".into(),
            tags: vec!["Hardware".into()],
            category_id: None,
            assignee_id: Some(3),
            requester_id: 9,
            company_id: None,
            created_at: at,
            updated_at: at,
        };
        let m = MeiliTicket::new(&doc, &english());
        assert_eq!((m.category_id, m.assignee_id, m.company_id), (0, 3, 0));
        assert_eq!(m.created_at, at.timestamp());
        assert_eq!(m.tags, vec!["hardware".to_owned()]);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["notes"], "Known issue");
        assert_eq!(json["requester_id"], 9);
        assert_eq!(json["subject_stems"], "printer jam");
    }

    #[test]
    fn article_maps_visibility_as_text() {
        let a = ArticleDoc {
            id: 1,
            title: "Reset".into(),
            body: "Steps".into(),
            tags: vec![],
            category_id: Some(4),
            visibility: KbVisibility::Public,
            updated_at: chrono::Utc::now(),
        };
        let m = MeiliArticle::new(&a, &english());
        assert_eq!(m.visibility, "public");
        assert_eq!(m.category_id, 4);
    }
}
