//! Full-text search over tickets (the server filters by the caller's rights) and the articles
//! suggested for a ticket.

use chrono::SecondsFormat;
use protocol::{KbHit, Page, SearchStatus, TicketHit, TicketSearchParams};

use super::{ApiError, Call, Client};

impl Client {
    /// `GET /search/tickets`.
    pub async fn search_tickets(&self, p: &TicketSearchParams) -> Result<Page<TicketHit>, ApiError> {
        self.call(Call::get("/search/tickets").query(search_pairs(p))).await
    }

    /// `GET /tickets/{id}/kb-suggestions` (staff): the articles most relevant to the ticket.
    pub async fn kb_suggestions(&self, ticket_id: i64) -> Result<Vec<KbHit>, ApiError> {
        self.call(Call::get(format!("/tickets/{ticket_id}/kb-suggestions")))
            .await
    }

    /// `GET /admin/search` (admins): the engine and how far indexing has caught up.
    pub async fn search_status(&self) -> Result<SearchStatus, ApiError> {
        self.call(Call::get("/admin/search")).await
    }
}

/// The query string of `GET /search/tickets`; unset fields are left out (the server's query
/// struct denies unknown fields, and an empty `status=` would not parse).
fn search_pairs(p: &TicketSearchParams) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut push = |k: &'static str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.push((k, v));
        }
    };
    push("q", Some(p.q.clone()));
    push("status", p.status.clone());
    push("category_id", p.category_id.map(|c| c.to_string()));
    push("assignee_id", p.assignee_id.map(|a| a.to_string()));
    push("requester_id", p.requester_id.map(|r| r.to_string()));
    push("tag", p.tag.clone());
    push("from", p.from.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)));
    push("to", p.to.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)));
    push("sort", p.sort.map(|s| s.as_str().to_owned()));
    push("page", p.page.map(|n| n.to_string()));
    push("per_page", p.per_page.map(|n| n.to_string()));
    out
}
