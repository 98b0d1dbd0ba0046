//! What the routes call: searches with the caller's rights turned into engine filters, hits
//! turned into API objects.

use std::collections::HashMap;

use entity::{message, ticket};
use protocol::{KbHit, KbSearchParams, MessageKind, Page, SearchSort, TicketHit, TicketSearchParams, TicketStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::kb::articles::Reader;
use crate::paging::Paging;
use crate::search::query::SUGGESTION_TEXT_LIMIT;
use crate::search::{Access, ArticleMatch, ArticleQuery, SearchEngine, SearchError, TicketFilters, TicketQuery};
use crate::settings::Settings;
use crate::tickets::access::Scope;
use crate::tickets::mapping;

const MAX_QUERY_CHARS: usize = 500;
const MAX_PER_PAGE: u64 = 100;
const SUGGESTIONS: usize = 5;

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Query(m) => AppError::InvalidParameter(m),
            SearchError::Engine(m) => AppError::Internal(anyhow::anyhow!(m)),
        }
    }
}

fn check_text(q: &str) -> AppResult<()> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::InvalidParameter(format!(
            "q: at most {MAX_QUERY_CHARS} characters"
        )));
    }
    Ok(())
}

pub async fn tickets(
    db: &impl ConnectionTrait,
    settings: &Settings,
    engine: &dyn SearchEngine,
    user: &CurrentUser,
    p: &TicketSearchParams,
) -> AppResult<Page<TicketHit>> {
    check_text(&p.q)?;
    let paging = Paging::parse(p.page, p.per_page, 25, MAX_PER_PAGE)?;
    let Paging { page, per_page } = paging;
    if let Some(s) = p.status.as_deref().filter(|s| TicketStatus::parse(s).is_none()) {
        return Err(AppError::InvalidParameter(format!(
            "status: {s:?} is not open, pending, resolved or closed"
        )));
    }
    let scope = Scope::of(db, settings, user).await?;
    let query = TicketQuery {
        text: p.q.trim().to_owned(),
        filters: TicketFilters {
            status: p.status.clone(),
            category_id: p.category_id,
            assignee_id: p.assignee_id,
            requester_id: p.requester_id,
            tag: p.tag.clone().filter(|t| !t.trim().is_empty()),
            created_from: p.from,
            created_to: p.to,
        },
        access: Access::of(&scope),
        sort: p.sort.unwrap_or(SearchSort::Relevance),
        offset: usize::try_from(paging.offset()).unwrap_or(usize::MAX),
        limit: usize::try_from(paging.limit()).unwrap_or(usize::MAX),
    };
    let found = engine.search_tickets(&query).await?;
    // The engine already applied the rights; reading the rows through the same rule again
    // also covers the instant between a change of category and its re-indexing.
    let ids: Vec<i64> = found.hits.iter().map(|h| h.id).collect();
    let rows = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids))
        .filter(scope.condition())
        .all(db)
        .await?;
    let mut by_id: HashMap<i64, protocol::Ticket> = mapping::tickets(db, rows)
        .await?
        .into_iter()
        .map(|mut t| {
            if scope.is_customer() {
                t.hide_staff_addresses();
            }
            (t.id, t)
        })
        .collect();
    let items = found
        .hits
        .into_iter()
        .filter_map(|h| {
            by_id.remove(&h.id).map(|ticket| TicketHit {
                ticket,
                score: h.score,
                snippets: h.snippets,
            })
        })
        .collect();
    Ok(Page {
        items,
        total: found.total,
        page,
        per_page,
    })
}

fn kb_hit(settings: &Settings, m: ArticleMatch) -> KbHit {
    KbHit {
        url: article_url(settings, m.id),
        id: m.id,
        title: m.title,
        category_id: m.category_id,
        visibility: m.visibility,
        score: m.score,
        snippet: m.snippet,
    }
}

pub fn article_url(settings: &Settings, id: i64) -> String {
    format!("{}/kb/{id}", settings.http.public_url.trim_end_matches('/'))
}

/// Articles for a reader typing a question (sign-in optional when the KB is public).
pub async fn articles(
    settings: &Settings,
    engine: &dyn SearchEngine,
    user: Option<&CurrentUser>,
    p: &KbSearchParams,
) -> AppResult<Vec<KbHit>> {
    check_text(&p.q)?;
    let reader = Reader::of(user, settings.portal.public_kb)?;
    let limit = p.limit.unwrap_or(10);
    if limit == 0 || limit > 50 {
        return Err(AppError::InvalidParameter("limit: must be between 1 and 50".into()));
    }
    let found = engine
        .search_articles(&ArticleQuery {
            text: p.q.trim().to_owned(),
            public_only: reader == Reader::Public,
            category_id: p.category_id,
            limit: limit as usize,
            as_you_type: true,
        })
        .await?;
    Ok(found.into_iter().map(|m| kb_hit(settings, m)).collect())
}

/// What a ticket is about: its subject and first customer message, cut to a useful length.
pub async fn ticket_text(db: &impl ConnectionTrait, t: &ticket::Model) -> AppResult<String> {
    let first = message::Entity::find()
        .filter(message::Column::TicketId.eq(t.id))
        .filter(message::Column::Kind.eq(MessageKind::Customer))
        .order_by_asc(message::Column::Id)
        .one(db)
        .await?;
    let mut text = t.subject.clone();
    if let Some(m) = first {
        text.push('\n');
        text.push_str(&m.body_text);
    }
    Ok(text.chars().take(SUGGESTION_TEXT_LIMIT).collect())
}

/// The articles most likely to answer a ticket. Staff get agents-only articles too; a mail
/// to a customer asks with `public_only`.
pub async fn suggest(engine: &dyn SearchEngine, text: &str, public_only: bool) -> AppResult<Vec<ArticleMatch>> {
    // Quotes in a customer's text are not phrase syntax here.
    let text = text.replace('"', " ");
    Ok(engine
        .search_articles(&ArticleQuery {
            text,
            public_only,
            category_id: None,
            limit: SUGGESTIONS,
            as_you_type: false,
        })
        .await?)
}

/// Suggestions for one ticket, for the staff member looking at it.
pub async fn suggest_for_ticket(
    db: &impl ConnectionTrait,
    settings: &Settings,
    engine: &dyn SearchEngine,
    user: &CurrentUser,
    ticket_id: i64,
) -> AppResult<Vec<KbHit>> {
    user.require_staff()?;
    let scope = Scope::of(db, settings, user).await?;
    let t = scope.find_ticket(db, ticket_id).await?;
    let text = ticket_text(db, &t).await?;
    Ok(suggest(engine, &text, false)
        .await?
        .into_iter()
        .map(|m| kb_hit(settings, m))
        .collect())
}
