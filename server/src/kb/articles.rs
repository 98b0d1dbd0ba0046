//! Knowledge-base articles: staff write them (HTML sanitized on save), readers see what their
//! role allows — staff everything, customers and (when the portal allows) anonymous visitors
//! the public ones. An article a reader may not see does not exist for them (404).

use chrono::Utc;
use entity::{category, kb_article};
use mail_parse::{html_to_text, sanitize_html};
use protocol::{KbArticle, KbVisibility, Page, SaveKbArticle};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::paging::Paging;
use crate::tickets::mapping::users_by_id;

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Staff,
    /// A signed-in customer, or an anonymous visitor of a portal with a public KB.
    Public,
}

impl Reader {
    /// `public_kb`: anonymous visitors may read public articles.
    pub fn of(user: Option<&CurrentUser>, public_kb: bool) -> AppResult<Self> {
        match user {
            Some(u) if u.is_staff() => Ok(Self::Staff),
            Some(_) => Ok(Self::Public),
            None if public_kb => Ok(Self::Public),
            None => Err(AppError::Unauthorized),
        }
    }

    fn visible(self) -> Option<&'static str> {
        match self {
            Self::Staff => None,
            Self::Public => Some(KbVisibility::Public.as_str()),
        }
    }
}

const MAX_TITLE: usize = 250;
const MAX_BODY: usize = 512 * 1024;

fn tags_of(s: &str) -> Vec<String> {
    s.split(',').filter(|t| !t.is_empty()).map(String::from).collect()
}

/// Articles as `reader` sees them: the public never learns an author's (an agent's) address.
async fn to_dto(db: &impl ConnectionTrait, reader: Reader, rows: Vec<kb_article::Model>) -> AppResult<Vec<KbArticle>> {
    let mut authors = users_by_id(db, rows.iter().filter_map(|a| a.author_id).collect()).await?;
    if reader == Reader::Public {
        authors.values_mut().for_each(|a| a.email.clear());
    }
    Ok(rows
        .into_iter()
        .map(|a| KbArticle {
            id: a.id,
            title: a.title,
            body_html: a.body_html,
            body_text: a.body_text,
            category_id: a.category_id,
            tags: tags_of(&a.tags),
            visibility: KbVisibility::parse(&a.visibility).unwrap_or(KbVisibility::Agents),
            author: a.author_id.and_then(|id| authors.get(&id).cloned()),
            helpful_yes: a.helpful_yes,
            helpful_no: a.helpful_no,
            created_at: a.created_at,
            updated_at: a.updated_at,
        })
        .collect())
}

pub async fn list(
    db: &impl ConnectionTrait,
    reader: Reader,
    category_id: Option<i64>,
    paging: Paging,
) -> AppResult<Page<KbArticle>> {
    let mut q = kb_article::Entity::find().order_by_asc(kb_article::Column::Title);
    if let Some(v) = reader.visible() {
        q = q.filter(kb_article::Column::Visibility.eq(v));
    }
    if let Some(c) = category_id {
        q = q.filter(kb_article::Column::CategoryId.eq(c));
    }
    let total = q.clone().count(db).await?;
    let rows = q.offset(paging.offset()).limit(paging.limit()).all(db).await?;
    Ok(Page {
        items: to_dto(db, reader, rows).await?,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

async fn find(db: &impl ConnectionTrait, reader: Reader, id: i64) -> AppResult<kb_article::Model> {
    let mut q = kb_article::Entity::find_by_id(id);
    if let Some(v) = reader.visible() {
        q = q.filter(kb_article::Column::Visibility.eq(v));
    }
    q.one(db).await?.ok_or(AppError::NotFound("article"))
}

pub async fn get(db: &impl ConnectionTrait, reader: Reader, id: i64) -> AppResult<KbArticle> {
    let a = find(db, reader, id).await?;
    to_dto(db, reader, vec![a])
        .await?
        .pop()
        .ok_or(AppError::NotFound("article"))
}

/// The cleaned fields: (title, sanitized html, text, tags).
async fn validate(db: &impl ConnectionTrait, req: &SaveKbArticle) -> AppResult<(String, String, String, String)> {
    let title = req.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(AppError::validation(format!("title: 1 to {MAX_TITLE} characters")));
    }
    if req.body_html.trim().is_empty() || req.body_html.len() > MAX_BODY {
        return Err(AppError::validation("body_html: must not be empty (at most 512 KiB)"));
    }
    if let Some(c) = req.category_id {
        category::Entity::find_by_id(c)
            .one(db)
            .await?
            .ok_or_else(|| AppError::validation(format!("category_id: no category {c}")))?;
    }
    let html = sanitize_html(&req.body_html);
    let text = html_to_text(&html);
    if text.trim().is_empty() {
        return Err(AppError::validation(
            "body_html: no text left after removing unsafe content",
        ));
    }
    let mut tags: Vec<String> = req
        .tags
        .iter()
        .map(|t| t.trim().to_lowercase().replace(',', " "))
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    Ok((title, html, text, tags.join(",")))
}

pub async fn create(db: &impl ConnectionTrait, user: &CurrentUser, req: &SaveKbArticle) -> AppResult<KbArticle> {
    user.require_staff()?;
    let (title, html, text, tags) = validate(db, req).await?;
    let now = Utc::now();
    let a = kb_article::ActiveModel {
        title: Set(title),
        body_html: Set(html),
        body_text: Set(text),
        category_id: Set(req.category_id),
        tags: Set(tags),
        visibility: Set(req.visibility.as_str().into()),
        author_id: Set(Some(user.id)),
        helpful_yes: Set(0),
        helpful_no: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    get(db, Reader::Staff, a.id).await
}

pub async fn update(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
    req: &SaveKbArticle,
) -> AppResult<KbArticle> {
    user.require_staff()?;
    let (title, html, text, tags) = validate(db, req).await?;
    let mut a = find(db, Reader::Staff, id).await?.into_active_model();
    a.title = Set(title);
    a.body_html = Set(html);
    a.body_text = Set(text);
    a.category_id = Set(req.category_id);
    a.tags = Set(tags);
    a.visibility = Set(req.visibility.as_str().into());
    a.updated_at = Set(Utc::now());
    a.update(db).await?;
    get(db, Reader::Staff, id).await
}

pub async fn delete(db: &impl ConnectionTrait, user: &CurrentUser, id: i64) -> AppResult<()> {
    user.require_staff()?;
    let gone = kb_article::Entity::delete_by_id(id).exec(db).await?.rows_affected;
    if gone == 0 {
        return Err(AppError::NotFound("article"));
    }
    Ok(())
}

/// Counts one "was this helpful" answer (atomic, so concurrent votes all count).
pub async fn feedback(db: &impl ConnectionTrait, reader: Reader, id: i64, helpful: bool) -> AppResult<KbArticle> {
    find(db, reader, id).await?;
    let col = if helpful {
        kb_article::Column::HelpfulYes
    } else {
        kb_article::Column::HelpfulNo
    };
    kb_article::Entity::update_many()
        .col_expr(col, Expr::col(col).add(1))
        .filter(kb_article::Column::Id.eq(id))
        .exec(db)
        .await?;
    get(db, reader, id).await
}
