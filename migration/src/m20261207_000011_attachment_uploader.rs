//! Who uploaded a file that is not yet part of a message. An upload belongs to its uploader:
//! only they may attach it, it counts against their quota, and unclaimed ones are swept.
//! Files that came with mail have none.

use sea_orm_migration::prelude::*;

use crate::statements::{add_column, create_index, drop_column};

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
        let column = ColumnDef::new(Attachments::UploadedBy).big_integer().to_owned();
        add_column(manager, Attachments::Table, column).await?;
        create_index(
            manager,
            "idx_attachments_pending_uploads",
            Attachments::Table,
            [Attachments::UploadedBy, Attachments::MessageId],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_attachments_pending_uploads").to_owned())
            .await?;
        drop_column(manager, Attachments::Table, Attachments::UploadedBy).await
    }
}
