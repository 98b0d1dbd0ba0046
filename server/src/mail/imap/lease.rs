//! The mailbox lease: one owner at a time works a mailbox, for `ttl` after its last renewal.
//! Every write of fetch progress is conditional on still holding it, so a node that lost its
//! lease (paused, partitioned) can never move `last_uid` under the node that took over.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::mailbox;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::FetchError;

#[derive(Debug, Clone)]
pub struct Lease {
    pub mailbox_id: i64,
    pub owner: String,
    pub ttl: Duration,
}

fn expiry(ttl: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::seconds(60))
}

/// Whether `m`'s lease is free for `owner` now (nobody, `owner` itself, or expired).
pub fn is_free_for(m: &mailbox::Model, owner: &str) -> bool {
    match (&m.lease_owner, m.lease_expires_at) {
        (None, _) | (_, None) => true,
        (Some(o), _) if o == owner => true,
        (Some(_), Some(exp)) => exp < Utc::now(),
    }
}

/// The live holder of `m`'s lease, if any.
pub fn holder(m: &mailbox::Model) -> Option<&str> {
    match (&m.lease_owner, m.lease_expires_at) {
        (Some(o), Some(exp)) if exp >= Utc::now() => Some(o),
        _ => None,
    }
}

impl Lease {
    pub fn new(mailbox_id: i64, owner: impl Into<String>, ttl: Duration) -> Self {
        Self {
            mailbox_id,
            owner: owner.into(),
            ttl,
        }
    }

    fn mine(&self) -> Condition {
        Condition::all()
            .add(mailbox::Column::Id.eq(self.mailbox_id))
            .add(mailbox::Column::LeaseOwner.eq(self.owner.clone()))
    }

    /// Takes the lease if the mailbox is enabled and the lease is free (or ours, or expired).
    pub async fn acquire(&self, db: &impl ConnectionTrait) -> Result<bool, FetchError> {
        let now = Utc::now();
        let r = mailbox::Entity::update_many()
            .col_expr(mailbox::Column::LeaseOwner, Expr::value(self.owner.clone()))
            .col_expr(mailbox::Column::LeaseExpiresAt, Expr::value(expiry(self.ttl)))
            .filter(mailbox::Column::Id.eq(self.mailbox_id))
            .filter(mailbox::Column::Enabled.eq(true))
            .filter(
                Condition::any()
                    .add(mailbox::Column::LeaseOwner.is_null())
                    .add(mailbox::Column::LeaseOwner.eq(self.owner.clone()))
                    .add(mailbox::Column::LeaseExpiresAt.is_null())
                    .add(mailbox::Column::LeaseExpiresAt.lt(now)),
            )
            .exec(db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Extends the lease; `false` when it is no longer ours.
    pub async fn renew(&self, db: &impl ConnectionTrait) -> Result<bool, FetchError> {
        let r = mailbox::Entity::update_many()
            .col_expr(mailbox::Column::LeaseExpiresAt, Expr::value(expiry(self.ttl)))
            .filter(self.mine())
            .exec(db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// [`Lease::renew`], failing with [`FetchError::LeaseLost`].
    pub async fn ensure(&self, db: &impl ConnectionTrait) -> Result<(), FetchError> {
        if self.renew(db).await? {
            Ok(())
        } else {
            Err(FetchError::LeaseLost)
        }
    }

    /// Gives the lease up (only if it is still ours).
    pub async fn release(&self, db: &impl ConnectionTrait) -> Result<(), FetchError> {
        mailbox::Entity::update_many()
            .col_expr(mailbox::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(
                mailbox::Column::LeaseExpiresAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(self.mine())
            .exec(db)
            .await?;
        Ok(())
    }

    /// Records that every mail up to `uid` is journaled and acknowledged (and renews the lease).
    pub async fn save_last_uid(&self, db: &impl ConnectionTrait, uid: u32) -> Result<(), FetchError> {
        let update = mailbox::Entity::update_many().col_expr(mailbox::Column::LastUid, Expr::value(i64::from(uid)));
        self.while_held(db, update).await
    }

    /// A new UIDVALIDITY: the old UIDs mean nothing any more, start again from the first mail
    /// (the journal recognises the mails it already has).
    pub async fn reset_uid_validity(&self, db: &impl ConnectionTrait, uid_validity: u32) -> Result<(), FetchError> {
        let update = mailbox::Entity::update_many()
            .col_expr(mailbox::Column::UidValidity, Expr::value(i64::from(uid_validity)))
            .col_expr(mailbox::Column::LastUid, Expr::value(0i64));
        self.while_held(db, update).await
    }

    /// Runs `update` only while the lease is still ours, renewing it; `LeaseLost` otherwise (a
    /// node that lost its lease must not move another node's progress).
    async fn while_held(
        &self,
        db: &impl ConnectionTrait,
        update: sea_orm::UpdateMany<mailbox::Entity>,
    ) -> Result<(), FetchError> {
        let r = update
            .col_expr(mailbox::Column::LeaseExpiresAt, Expr::value(expiry(self.ttl)))
            .filter(self.mine())
            .exec(db)
            .await?;
        if r.rows_affected == 1 {
            Ok(())
        } else {
            Err(FetchError::LeaseLost)
        }
    }
}
