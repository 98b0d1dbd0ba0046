//! Notification templates: the built-in defaults, the admins' own versions, placeholders of
//! both seed syntaxes, and rendering for one recipient.

pub mod defaults;
pub mod placeholders;
pub mod render;

use chrono::Utc;
use entity::email_template;
use protocol::{EmailTemplate, SaveTemplate, TemplateEvent};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::{AppError, AppResult};
use crate::memo::{Memo, Memoized};

/// Every template in force, as a change read them first.
#[derive(Hash, PartialEq, Eq)]
struct InForce;
impl Memoized for InForce {
    type Value = Vec<EmailTemplate>;
}

/// [`effective`] served from one read of all templates per change: a batch of inbound mail sends
/// several kinds (confirmations, alerts, updates).
pub async fn cached(memo: &Memo, db: &impl ConnectionTrait, event: TemplateEvent) -> AppResult<EmailTemplate> {
    let all = memo.get_or_load(InForce, || list(db)).await?;
    match all.into_iter().find(|t| t.event == event) {
        Some(t) => Ok(t),
        None => effective(db, event).await,
    }
}

/// The template in force for `event`.
pub async fn effective(db: &impl ConnectionTrait, event: TemplateEvent) -> AppResult<EmailTemplate> {
    let row = email_template::Entity::find()
        .filter(email_template::Column::Event.eq(event.as_str()))
        .one(db)
        .await?;
    Ok(in_force(event, row))
}

/// The admin's version when saved, else the built-in one.
fn in_force(event: TemplateEvent, row: Option<email_template::Model>) -> EmailTemplate {
    match row {
        Some(r) => EmailTemplate {
            event,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            is_default: false,
        },
        None => {
            let d = defaults::of(event);
            EmailTemplate {
                event,
                subject: d.subject.into(),
                body_text: d.text.into(),
                body_html: d.html.into(),
                is_default: true,
            }
        }
    }
}

/// Every event's template in force, read with one query.
pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<EmailTemplate>> {
    let mut rows = email_template::Entity::find().all(db).await?;
    Ok(TemplateEvent::ALL
        .into_iter()
        .map(|e| {
            let row = rows
                .iter()
                .position(|r| r.event == e.as_str())
                .map(|i| rows.swap_remove(i));
            in_force(e, row)
        })
        .collect())
}

/// Saves an admin's template. Unknown placeholders are refused here, naming them, rather than
/// mailed to customers as written. Everything empty = "don't send" for that event.
pub async fn save(db: &impl ConnectionTrait, event: TemplateEvent, t: &SaveTemplate) -> AppResult<EmailTemplate> {
    validate(t)?;
    let row = email_template::ActiveModel {
        event: Set(event.as_str().into()),
        subject: Set(t.subject.clone()),
        body_text: Set(t.body_text.clone()),
        body_html: Set(t.body_html.clone()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    email_template::Entity::insert(row)
        .on_conflict(
            OnConflict::column(email_template::Column::Event)
                .update_columns([
                    email_template::Column::Subject,
                    email_template::Column::BodyText,
                    email_template::Column::BodyHtml,
                    email_template::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    effective(db, event).await
}

/// Unknown placeholders (named), a subject without a body or a body without a subject.
pub fn validate(t: &SaveTemplate) -> AppResult<()> {
    let mut unknown: Vec<String> = [&t.subject, &t.body_text, &t.body_html]
        .iter()
        .flat_map(|s| placeholders::unknown(s))
        .collect();
    unknown.dedup();
    if !unknown.is_empty() {
        return Err(AppError::validation(format!(
            "unknown placeholder(s): {}",
            unknown.join(", ")
        )));
    }
    let empty = [&t.subject, &t.body_text, &t.body_html]
        .iter()
        .all(|s| s.trim().is_empty());
    if !empty && t.subject.trim().is_empty() {
        return Err(AppError::validation(
            "subject: must not be empty (empty everything to turn the mail off)",
        ));
    }
    if !empty && t.body_text.trim().is_empty() && t.body_html.trim().is_empty() {
        return Err(AppError::validation("body_text or body_html: one must be given"));
    }
    Ok(())
}

/// Back to the built-in text.
pub async fn reset(db: &impl ConnectionTrait, event: TemplateEvent) -> AppResult<EmailTemplate> {
    email_template::Entity::delete_many()
        .filter(email_template::Column::Event.eq(event.as_str()))
        .exec(db)
        .await?;
    effective(db, event).await
}

/// True when the admin emptied the template: that event sends nothing.
pub fn is_off(t: &EmailTemplate) -> bool {
    t.subject.trim().is_empty() && t.body_text.trim().is_empty() && t.body_html.trim().is_empty()
}
