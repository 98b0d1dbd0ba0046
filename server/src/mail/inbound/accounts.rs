//! The accounts of a batch's senders, read (and new customers created) before the batch's
//! transaction opens. Inside it, a new customer's insert would hold a unique-key lock until
//! the batch commits, and two batches bringing the same new customers in different orders
//! would deadlock (and both be redone mail by mail). Created here, in one statement in
//! address order and committed at once, they cannot; the batch then finds every sender
//! without a query of its own.

use std::collections::{BTreeMap, HashMap};

use entity::user;
use mail_parse::parsed::{MailKind, ParsedMail};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TryInsertResult};

use crate::directory::users::{new_customer, normalize_email};
use crate::error::AppResult;
use crate::mail::inbound::pipeline::sender_of;
use crate::mail::inbound::rules::MailboxRules;
use crate::memo::{Memo, Memoized};

/// Accounts by normalized address.
pub type Accounts = HashMap<String, user::Model>;

/// A sender's account in the batch's change memo.
#[derive(Hash, PartialEq, Eq)]
pub struct Account(pub String);
impl Memoized for Account {
    type Value = user::Model;
}

/// Serves the batch's accounts from its change's memo.
pub fn remember(memo: &Memo, accounts: Accounts) {
    for (email, u) in accounts {
        memo.put(Account(email), u);
    }
}

/// The account for a normalized address, if the batch read it up front.
pub fn known(memo: &Memo, email: &str) -> Option<user::Model> {
    memo.get(&Account(email.to_owned()))
}

/// The accounts of the people who wrote these mails. A customer is created only for a
/// person's mail (robots get none) to a mailbox that accepts strangers, as applying the
/// mail would: an account made for a mail that then turns out a duplicate or over the rate
/// limit belongs to a real sender all the same.
pub async fn for_batch<'a>(
    db: &DatabaseConnection,
    mails: impl IntoIterator<Item = (&'a MailboxRules, &'a ParsedMail)>,
) -> AppResult<Accounts> {
    // Address → (display name, may create).
    let mut wanted: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    for (rules, parsed) in mails {
        if parsed.classification.kind != MailKind::Normal {
            continue;
        }
        let Some(from) = sender_of(parsed) else { continue };
        let Ok(email) = normalize_email(&from.email) else {
            continue;
        };
        if rules.is_own(&email) {
            continue;
        }
        let entry = wanted.entry(email).or_insert_with(|| (from.name.clone(), false));
        entry.1 |= rules.accept_unknown;
    }
    if wanted.is_empty() {
        return Ok(Accounts::new());
    }
    let mut found = find(db, wanted.keys()).await?;
    // In address order (the map's): two batches insert shared addresses in the same order.
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|(email, (_, create))| *create && !found.contains_key(*email))
        .map(|(email, _)| email)
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let rows = missing
        .iter()
        .map(|email| new_customer(email, wanted[*email].0.as_deref()));
    let insert = user::Entity::insert_many(rows).on_conflict_do_nothing_on([user::Column::Email]);
    if db.support_returning() {
        if let TryInsertResult::Inserted(created) = insert.exec_with_returning_many(db).await? {
            found.extend(created.into_iter().map(|u| (u.email.clone(), u)));
        }
        // An address another batch created meanwhile was not returned: read it below.
        if missing.iter().all(|email| found.contains_key(*email)) {
            return Ok(found);
        }
    } else {
        insert.exec_without_returning(db).await?;
    }
    find(db, wanted.keys()).await
}

async fn find(db: &DatabaseConnection, emails: impl Iterator<Item = &String>) -> AppResult<Accounts> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.is_in(emails.cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.email.clone(), u))
        .collect())
}
