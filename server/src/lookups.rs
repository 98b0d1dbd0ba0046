//! Configuration rows — notification settings, templates, automation rules, categories,
//! mailboxes, custom fields, SLA policies, the staff to alert — read once per transaction instead of once per mail. A
//! batch of inbound mail is applied in one short transaction that writes none of them, so
//! every mail of the batch sees what the first one read (as if the batch had arrived a
//! moment earlier).

use std::collections::HashMap;
use std::sync::Mutex;

use entity::{category, custom_field, mailbox, sla_policy, user};
use protocol::{EmailTemplate, NotificationSettings, TemplateEvent};
use sea_orm::{ConnectionTrait, EntityTrait};
use tokio::sync::OnceCell;

use crate::error::AppResult;
use crate::mail::inbound::accounts::Accounts;
use crate::mail::inbound::known_ids::KnownIds;
use crate::mail::outbound::{facts, notification_settings, templates};
use crate::rules::model::CompiledRule;
use crate::write_behind::WriteBehind;

/// Who is alerted: (category, category agents, admins).
type StaffKey = (Option<i64>, bool, bool);

#[derive(Default)]
pub struct Lookups {
    settings: OnceCell<NotificationSettings>,
    templates: OnceCell<Vec<EmailTemplate>>,
    staff: Mutex<HashMap<StaffKey, Vec<user::Model>>>,
    rules: OnceCell<Vec<CompiledRule>>,
    categories: OnceCell<Vec<category::Model>>,
    mailboxes: Mutex<HashMap<i64, Option<mailbox::Model>>>,
    custom_fields: OnceCell<bool>,
    sla_policies: OnceCell<Vec<sla_policy::Model>>,
    /// The batch's senders, read before it (see `mail::inbound::accounts`).
    accounts: Accounts,
    /// The batch's Message-IDs, read once it holds their locks.
    known_ids: Option<KnownIds>,
    /// Rows the batch writes just before its commit.
    write_behind: Option<WriteBehind>,
}

impl Lookups {
    pub fn with_accounts(accounts: Accounts) -> Self {
        Self {
            accounts,
            ..Self::default()
        }
    }

    pub fn with_known_ids(self, known_ids: Option<KnownIds>) -> Self {
        Self { known_ids, ..self }
    }

    /// The mailboxes as the batch read them for its rules.
    pub fn with_mailboxes(self, rows: Vec<mailbox::Model>) -> Self {
        *lock(&self.mailboxes) = rows.into_iter().map(|m| (m.id, Some(m))).collect();
        self
    }

    /// Lets the batch keep append-only rows aside (see [`WriteBehind`]); it must flush them.
    pub fn with_write_behind(self) -> Self {
        Self {
            write_behind: Some(WriteBehind::default()),
            ..self
        }
    }

    pub fn write_behind(&self) -> Option<&WriteBehind> {
        self.write_behind.as_ref()
    }

    pub fn known_ids(&self) -> Option<&KnownIds> {
        self.known_ids.as_ref()
    }
}

impl Lookups {
    /// The SLA policies in order (`load` reads them the first time).
    pub async fn sla_policies<F, Fut>(&self, load: F) -> AppResult<Vec<sla_policy::Model>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<Vec<sla_policy::Model>>>,
    {
        Ok(self.sla_policies.get_or_try_init(load).await?.clone())
    }
}

/// The account for a normalized address, if the batch read it up front.
pub fn account(memo: Option<&Lookups>, email: &str) -> Option<user::Model> {
    memo.and_then(|m| m.accounts.get(email)).cloned()
}

/// Without a `Lookups` (one-off changes from the API) every call reads the database.
pub async fn notification_settings(
    memo: Option<&Lookups>,
    db: &impl ConnectionTrait,
) -> AppResult<NotificationSettings> {
    match memo {
        Some(m) => Ok(m
            .settings
            .get_or_try_init(|| notification_settings::load(db))
            .await?
            .clone()),
        None => notification_settings::load(db).await,
    }
}

pub async fn template(
    memo: Option<&Lookups>,
    db: &impl ConnectionTrait,
    event: TemplateEvent,
) -> AppResult<EmailTemplate> {
    let Some(m) = memo else {
        return templates::effective(db, event).await;
    };
    // A batch sends several kinds of mail (confirmations, alerts, updates): all read at once.
    let all = m.templates.get_or_try_init(|| templates::list(db)).await?;
    match all.iter().find(|t| t.event == event) {
        Some(t) => Ok(t.clone()),
        None => templates::effective(db, event).await,
    }
}

pub async fn staff_to_alert(
    memo: Option<&Lookups>,
    db: &impl ConnectionTrait,
    category_id: Option<i64>,
    agents: bool,
    admins: bool,
) -> AppResult<Vec<user::Model>> {
    let Some(m) = memo else {
        return facts::staff_to_alert(db, category_id, agents, admins).await;
    };
    let key = (category_id, agents, admins);
    if let Some(list) = lock(&m.staff).get(&key) {
        return Ok(list.clone());
    }
    let list = facts::staff_to_alert(db, category_id, agents, admins).await?;
    lock(&m.staff).insert(key, list.clone());
    Ok(list)
}

pub async fn enabled_rules<F, Fut>(memo: Option<&Lookups>, load: F) -> AppResult<Vec<CompiledRule>>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = AppResult<Vec<CompiledRule>>>,
{
    match memo {
        Some(m) => Ok(m.rules.get_or_try_init(load).await?.clone()),
        None => load().await,
    }
}

pub async fn categories(memo: Option<&Lookups>, db: &impl ConnectionTrait) -> AppResult<Vec<category::Model>> {
    let load = || async { Ok(category::Entity::find().all(db).await?) };
    match memo {
        Some(m) => Ok(m.categories.get_or_try_init(load).await?.clone()),
        None => load().await,
    }
}

pub async fn mailbox(memo: Option<&Lookups>, db: &impl ConnectionTrait, id: i64) -> AppResult<Option<mailbox::Model>> {
    let Some(m) = memo else {
        return Ok(mailbox::Entity::find_by_id(id).one(db).await?);
    };
    if let Some(row) = lock(&m.mailboxes).get(&id) {
        return Ok(row.clone());
    }
    let row = mailbox::Entity::find_by_id(id).one(db).await?;
    lock(&m.mailboxes).insert(id, row.clone());
    Ok(row)
}

/// The custom field values of a ticket for a notification. With a memo, a desk without
/// custom fields (known after one read per batch) skips the per-ticket read.
pub async fn custom_values(
    memo: Option<&Lookups>,
    db: &impl ConnectionTrait,
    ticket_id: i64,
) -> AppResult<Vec<(protocol::CustomField, serde_json::Value)>> {
    if let Some(m) = memo {
        let any = m
            .custom_fields
            .get_or_try_init(|| async { AppResult::Ok(custom_field::Entity::find().one(db).await?.is_some()) })
            .await?;
        if !*any {
            return Ok(Vec::new());
        }
    }
    crate::custom_fields::values::of_ticket(db, ticket_id).await
}

/// A poisoned map only means another mail's lookup panicked; the entries are still whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
