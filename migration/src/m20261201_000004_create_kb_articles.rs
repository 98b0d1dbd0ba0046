//! The knowledge base: articles with sanitized HTML, a plain-text twin for search and
//! snippets, visibility (public / agents only) and "was this helpful" counts.

use sea_orm_migration::prelude::*;

use crate::statements::{drop_table, id, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KbArticles {
    Table,
    Id,
    Title,
    BodyHtml,
    BodyText,
    CategoryId,
    Tags,
    Visibility,
    AuthorId,
    HelpfulYes,
    HelpfulNo,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KbArticles::Table)
                    .if_not_exists()
                    .col(id(KbArticles::Id))
                    .col(ColumnDef::new(KbArticles::Title).string().not_null())
                    .col(ColumnDef::new(KbArticles::BodyHtml).text().not_null())
                    .col(ColumnDef::new(KbArticles::BodyText).text().not_null())
                    .col(ColumnDef::new(KbArticles::CategoryId).big_integer().null())
                    .col(ColumnDef::new(KbArticles::Tags).text().not_null().default(""))
                    .col(ColumnDef::new(KbArticles::Visibility).string().not_null())
                    .col(ColumnDef::new(KbArticles::AuthorId).big_integer().null())
                    .col(
                        ColumnDef::new(KbArticles::HelpfulYes)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(KbArticles::HelpfulNo)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(KbArticles::CreatedAt))
                    .col(timestamp(KbArticles::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, KbArticles::Table).await
    }
}
