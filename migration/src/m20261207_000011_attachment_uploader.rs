//! Who uploaded a file that is not yet part of a message. An upload belongs to its uploader:
//! only they may attach it, it counts against their quota, and unclaimed ones are swept.
//! Files that came with mail have none.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attachments {
    Table,
    UploadedBy,
    MessageId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Attachments::Table)
                    .add_column(ColumnDef::new(Attachments::UploadedBy).big_integer())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attachments_pending_uploads")
                    .table(Attachments::Table)
                    .col(Attachments::UploadedBy)
                    .col(Attachments::MessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_attachments_pending_uploads").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Attachments::Table)
                    .drop_column(Attachments::UploadedBy)
                    .to_owned(),
            )
            .await
    }
}
