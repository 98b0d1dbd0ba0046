//! `kb_articles`: knowledge-base articles. `body_html` is sanitized on save; `body_text` is its
//! plain-text form (search, snippets, suggestions in mails).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kb_articles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    pub category_id: Option<i64>,
    /// Comma-separated, lower-case.
    #[sea_orm(column_type = "Text")]
    pub tags: String,
    /// `public` or `agents`.
    pub visibility: String,
    pub author_id: Option<i64>,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
