//! An automation rule's own mail: its subject and body with the template placeholders, to a
//! user or an address, queued whatever the notification switches say.

use entity::user;
use sea_orm::EntityTrait;

use super::Report;
use super::mail::{self, Kind, Send};
use super::recipients::Recipient;
use crate::change::Change;
use crate::error::AppResult;
use crate::mail::outbound::{facts, notification_settings};

/// Who a rule's mail goes to.
#[derive(Debug, Clone)]
pub enum MailTo {
    User(i64),
    Address(String),
}

/// A mail an automation rule sends: its own subject and body, with the template placeholders.
#[derive(Debug, Clone)]
pub struct RuleMail<'a> {
    pub ticket_id: i64,
    pub to: MailTo,
    pub rule_name: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Queues a rule's mail as an automatic one (the outbound policy applies), whatever the
/// notification switches say: an admin asked for this mail by writing the rule.
pub async fn rule_mail(ch: &Change<'_>, m: RuleMail<'_>) -> AppResult<Report> {
    let db = ch.db();
    let settings = notification_settings::cached(ch.memo(), db).await?;
    let f = facts::load(db, ch.memo(), m.ticket_id).await?;
    let recipient = match m.to {
        MailTo::User(id) => match user::Entity::find_by_id(id).one(db).await? {
            Some(u) => Recipient::of_user(&u),
            None => return Ok(Report::default()),
        },
        MailTo::Address(email) => Recipient::of_address(db, email, false).await?,
    };
    let s = Send::auto(
        Kind::Rule {
            subject: m.subject,
            body: m.body,
        },
        vec![recipient],
        format!("Automation rule: {}", m.rule_name),
        "Maildesk".into(),
    );
    let vars = f
        .vars(db, ch.memo(), &ch.ctx().settings().http.public_url, None)
        .await?;
    let mut report = Report::default();
    mail::send(ch, &settings, &f, &vars, s, &mut report).await?;
    Ok(report)
}
