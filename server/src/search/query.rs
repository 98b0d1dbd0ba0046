//! What a search asks, in engine-neutral terms: the text, the filters and who is asking.

use chrono::{DateTime, Utc};
use protocol::SearchSort;

use crate::tickets::access::Scope;

/// Who may see which tickets — the same rule as `tickets::access::Scope`, in a form every
/// engine turns into its own filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    All,
    /// Tickets of these categories, uncategorised ones and the ones assigned to the agent.
    Agent {
        user_id: i64,
        categories: Vec<i64>,
    },
    /// The customer's own tickets (and the company's, when set); an autologin session is
    /// limited to one ticket.
    Customer {
        user_id: i64,
        company_id: Option<i64>,
        only_ticket: Option<i64>,
    },
}

impl Access {
    pub fn of(scope: &Scope) -> Self {
        match scope {
            Scope::All => Self::All,
            Scope::Agent { user_id, categories } => Self::Agent {
                user_id: *user_id,
                categories: categories.clone(),
            },
            Scope::Customer {
                user_id,
                company_id,
                only_ticket,
            } => Self::Customer {
                user_id: *user_id,
                company_id: *company_id,
                only_ticket: *only_ticket,
            },
        }
    }

    /// Internal notes are searched (and shown in snippets) for staff only.
    pub fn sees_notes(&self) -> bool {
        !matches!(self, Self::Customer { .. })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilters {
    pub status: Option<String>,
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub requester_id: Option<i64>,
    pub tag: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketQuery {
    pub text: String,
    pub filters: TicketFilters,
    pub access: Access,
    pub sort: SearchSort,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleQuery {
    pub text: String,
    /// Only articles customers may read.
    pub public_only: bool,
    pub category_id: Option<i64>,
    pub limit: usize,
    /// Someone is typing: allow typos and treat the last word as unfinished. Off for
    /// suggestions from a whole ticket, where every word is complete.
    pub as_you_type: bool,
}

/// A piece of the query text: a word, or words that must appear together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Word(String),
    Phrase(String),
}

/// Splits `"exact phrases"` from loose words. An unclosed quote runs to the end.
pub fn parts(text: &str) -> Vec<Part> {
    let mut out = Vec::new();
    for (i, chunk) in text.split('"').enumerate() {
        if i % 2 == 1 {
            let phrase = chunk.trim();
            if !phrase.is_empty() {
                out.push(Part::Phrase(phrase.to_owned()));
            }
        } else {
            out.extend(chunk.split_whitespace().map(|w| Part::Word(w.to_owned())));
        }
    }
    out
}

/// How many typos a word may carry and still match: none for short words (too many false
/// hits), one from 4 letters, two from 8 — the usual rule of typo-tolerant search engines.
pub fn typo_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Longest text used to find suggestions for a ticket (subject and first message).
pub const SUGGESTION_TEXT_LIMIT: usize = 2_000;

/// At most this many words of a long text are searched for (suggestions): the rest adds
/// little and costs time.
pub const MAX_QUERY_WORDS: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_and_words_are_told_apart() {
        assert_eq!(
            parts(r#"printer "paper jam" tray  "unclosed phrase"#),
            vec![
                Part::Word("printer".into()),
                Part::Phrase("paper jam".into()),
                Part::Word("tray".into()),
                Part::Phrase("unclosed phrase".into()),
            ]
        );
        assert!(parts(r#" "" "#).is_empty());
    }

    #[test]
    fn typo_budget_grows_with_length() {
        assert_eq!(typo_budget("vpn"), 0);
        assert_eq!(typo_budget("wifi"), 1);
        assert_eq!(typo_budget("password"), 2);
    }
}
