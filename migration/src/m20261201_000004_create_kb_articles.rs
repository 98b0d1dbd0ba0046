//! The knowledge base: articles with sanitized HTML, a plain-text twin for search and
//! snippets, visibility (public / agents only) and "was this helpful" counts.

use sea_orm_migration::prelude::*;

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
                    .col(
                        ColumnDef::new(KbArticles::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
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
                    .col(
                        ColumnDef::new(KbArticles::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KbArticles::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KbArticles::Table).to_owned())
            .await
    }
}
