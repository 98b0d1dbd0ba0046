//! Which mailbox an envelope recipient belongs to. The receiver accepts mail only for
//! addresses of enabled mailboxes, in the forms the inbound routing understands
//! (`inbound::rules::category_from_recipients`): the address itself, `base+tag@` of a mailbox,
//! and `word-<category id>@` on a mailbox's domain. Anything else is refused at RCPT time
//! (550 5.1.1), so the server never becomes a relay or a sink for random addresses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use entity::{category, mailbox};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::Mutex;

/// How long a read of the mailboxes and categories serves RCPT and DATA checks: a busy
/// receiver does not ask the database for every recipient, and a new mailbox is taken within
/// seconds.
const FRESH_FOR: Duration = Duration::from_secs(2);
/// An address not found is looked up again in a read at least this fresh (a mailbox created a
/// moment ago), so refused addresses cost at most a few reads a second.
const FRESH_ON_MISS: Duration = Duration::from_millis(250);

/// The enabled mailboxes and the category ids, as read at one moment.
pub struct Known {
    pub targets: Vec<Target>,
    pub categories: Vec<i64>,
    pub mailboxes: Vec<mailbox::Model>,
}

/// A short-lived cache of [`Known`], shared by a listener's conversations.
#[derive(Default)]
pub struct Directory {
    cached: Mutex<Option<(Instant, Arc<Known>)>>,
}

impl Directory {
    pub async fn get(&self, db: &impl ConnectionTrait) -> Result<Arc<Known>, sea_orm::DbErr> {
        self.within(db, FRESH_FOR).await
    }

    /// The mailbox of `recipient`, re-reading once when a not-so-fresh read does not know it.
    pub async fn resolve(&self, db: &impl ConnectionTrait, recipient: &str) -> Result<Option<i64>, sea_orm::DbErr> {
        let known = self.get(db).await?;
        if let Some(id) = resolve(recipient, &known.targets, &known.categories) {
            return Ok(Some(id));
        }
        let known = self.within(db, FRESH_ON_MISS).await?;
        Ok(resolve(recipient, &known.targets, &known.categories))
    }

    async fn within(&self, db: &impl ConnectionTrait, fresh: Duration) -> Result<Arc<Known>, sea_orm::DbErr> {
        let mut cached = self.cached.lock().await;
        if let Some((at, known)) = cached.as_ref()
            && at.elapsed() < fresh
        {
            return Ok(known.clone());
        }
        let mailboxes = mailbox::Entity::find()
            .filter(mailbox::Column::Enabled.eq(true))
            .order_by_asc(mailbox::Column::Id)
            .all(db)
            .await?;
        let categories: Vec<i64> = category::Entity::find()
            .select_only()
            .column(category::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let known = Arc::new(Known {
            targets: mailboxes
                .iter()
                .map(|m| Target {
                    mailbox_id: m.id,
                    address: m.address.to_lowercase(),
                })
                .collect(),
            categories,
            mailboxes,
        });
        *cached = Some((Instant::now(), known.clone()));
        Ok(known)
    }
}

/// A mailbox the receiver may deliver to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub mailbox_id: i64,
    /// Lower-cased.
    pub address: String,
}

/// The mailbox `recipient` is for, if any. `targets` are the enabled mailboxes (lowest id
/// first: it takes a `word-<category>@` address when several share the domain).
pub fn resolve(recipient: &str, targets: &[Target], category_ids: &[i64]) -> Option<i64> {
    let rcpt = recipient.trim().to_lowercase();
    let (local, domain) = rcpt.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    if let Some(t) = targets.iter().find(|t| t.address == rcpt) {
        return Some(t.mailbox_id);
    }
    if let Some((base, tag)) = local.split_once('+')
        && !tag.is_empty()
        && let Some(t) = targets.iter().find(|t| t.address == format!("{base}@{domain}"))
    {
        return Some(t.mailbox_id);
    }
    if let Some((word, id)) = local.rsplit_once('-')
        && !word.is_empty()
        && let Ok(id) = id.parse::<i64>()
        && category_ids.contains(&id)
    {
        let suffix = format!("@{domain}");
        return targets
            .iter()
            .find(|t| t.address.ends_with(&suffix))
            .map(|t| t.mailbox_id);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Target> {
        vec![
            Target {
                mailbox_id: 1,
                address: "support@acme.test".into(),
            },
            Target {
                mailbox_id: 2,
                address: "billing@acme.test".into(),
            },
            Target {
                mailbox_id: 3,
                address: "help@other.test".into(),
            },
        ]
    }

    #[test]
    fn mailbox_addresses_and_their_forms_resolve() {
        let t = targets();
        assert_eq!(resolve("Support@ACME.test", &t, &[]), Some(1));
        assert_eq!(resolve("billing+urgent@acme.test", &t, &[]), Some(2));
        assert_eq!(resolve("printers-7@acme.test", &t, &[7]), Some(1));
        assert_eq!(resolve("printers-7@other.test", &t, &[7]), Some(3));
    }

    #[test]
    fn everything_else_is_refused() {
        let t = targets();
        for rcpt in [
            "someone@acme.test",
            "support@evil.test",
            "support+@acme.test",
            "printers-8@acme.test",
            "printers-7@evil.test",
            "-7@acme.test",
            "support",
            "@acme.test",
            "support@",
            "",
        ] {
            assert_eq!(resolve(rcpt, &t, &[7]), None, "{rcpt:?}");
        }
    }
}
