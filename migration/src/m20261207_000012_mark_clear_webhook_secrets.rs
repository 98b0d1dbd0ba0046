//! Webhook deliveries kept their rule's signing secret in clear. From now on the server stores
//! it sealed with its encryption key (`sealed:…`); the rows written before are marked
//! `clear:…`, so the sender tells the two apart without guessing, and the server seals them at
//! its next start (the key lives in the data dir, out of the migration's reach).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // `||` concatenates on both SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared("UPDATE webhook_deliveries SET secret = 'clear:' || secret")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Sealed secrets cannot be opened here: those deliveries are given up rather than
        // signed with a wrong key by the older server.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE webhook_deliveries SET status = 'failed', last_error = 'secret sealed by a newer version' \
             WHERE secret LIKE 'sealed:%' AND status = 'pending'",
        )
        .await?;
        db.execute_unprepared("UPDATE webhook_deliveries SET secret = substr(secret, 7) WHERE secret LIKE 'clear:%'")
            .await?;
        Ok(())
    }
}
