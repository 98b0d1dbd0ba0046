//! Who a notification goes to: a person as a mail recipient, a ticket's customers (requester
//! and subscribers) and its staff, each without the person who caused the event.

use entity::user;
use protocol::Role;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppResult;
use crate::mail::outbound::facts::TicketFacts;

pub(super) struct Recipient {
    pub(super) email: String,
    pub(super) name: Option<String>,
    pub(super) user: Option<user::Model>,
    /// A subscriber (gets the unsubscribe link), not the requester.
    pub(super) subscriber: bool,
}

impl Recipient {
    pub(super) fn of_user(u: &user::Model) -> Self {
        Self {
            email: u.email.clone(),
            name: Some(u.name.clone()),
            user: Some(u.clone()),
            subscriber: false,
        }
    }

    /// An address, with the person behind it when it is one of ours.
    pub(super) async fn of_address(db: &impl ConnectionTrait, email: String, subscriber: bool) -> AppResult<Self> {
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(email.clone()))
            .one(db)
            .await?;
        Ok(Self {
            email,
            name: u.as_ref().map(|u| u.name.clone()),
            user: u,
            subscriber,
        })
    }

    pub(super) fn is_customer(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Customer)
    }
}

/// Staff to alert, without the one who caused the event.
pub(super) fn staff_except(staff: &[user::Model], actor: Option<i64>) -> Vec<Recipient> {
    staff
        .iter()
        .filter(|u| Some(u.id) != actor)
        .map(Recipient::of_user)
        .collect()
}

/// The requester and the subscribers, without whoever wrote (matched by address: a subscriber
/// may have no account).
pub(super) async fn customers_except(
    db: &impl ConnectionTrait,
    f: &TicketFacts,
    author: Option<&user::Model>,
) -> AppResult<Vec<Recipient>> {
    let mut to = vec![Recipient::of_user(&f.requester)];
    to.extend(subscriber_recipients(db, f).await?);
    to.retain(|r| author.is_none_or(|a| !a.email.eq_ignore_ascii_case(&r.email)));
    Ok(to)
}

async fn subscriber_recipients(db: &impl ConnectionTrait, f: &TicketFacts) -> AppResult<Vec<Recipient>> {
    let mut out = Vec::new();
    for s in &f.subscribers {
        if s.email.eq_ignore_ascii_case(&f.requester.email) {
            continue;
        }
        out.push(Recipient::of_address(db, s.email.clone(), true).await?);
    }
    Ok(out)
}
