//! Rules administration: list, read, create, replace, delete. Everything is checked before it
//! is stored — regexes compile, referenced mailboxes, categories, companies and agents exist —
//! so a saved rule cannot fail for a reason the admin could have been told about.

use chrono::Utc;
use entity::{business_calendar, category, company, custom_field, mailbox, rule, user};
use protocol::{Action, Condition, Rule, RuleEvent, SaveRule};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryOrder, QuerySelect, Set};

use crate::directory::users::normalize_email;
use crate::egress::{self, Egress};
use crate::error::{AppError, AppResult};
use crate::keys::Keys;
use crate::rules::engine::ordered;
use crate::rules::model::{Compiled, match_mode_str, to_dto};
use crate::rules::secrets::{self, StoredAction};

const MAX_NAME: usize = 100;
const MAX_ITEMS: usize = 50;
const MAX_TEXT: usize = 2000;
/// A year: longer quiet periods are a mistake more likely than a wish.
const MAX_IDLE_HOURS: u32 = 24 * 366;
const MAX_URL: usize = 2000;

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<Rule>> {
    ordered(db, false).await?.into_iter().map(to_dto).collect()
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Rule> {
    to_dto(find(db, id).await?)
}

/// What saving a rule needs besides the database: the key that seals webhook secrets, and
/// where webhooks may point.
#[derive(Clone, Copy)]
pub struct SaveEnv<'a> {
    pub keys: &'a Keys,
    pub egress: Egress,
}

pub async fn create(db: &impl ConnectionTrait, env: SaveEnv<'_>, req: &SaveRule) -> AppResult<Rule> {
    let name = validate(db, env.egress, req).await?;
    let actions = sealed_actions(env, req, &[])?;
    let position = match req.position {
        Some(p) => p,
        None => next_position(db).await?,
    };
    let now = Utc::now();
    let row = rule::ActiveModel {
        name: Set(name),
        enabled: Set(req.enabled),
        position: Set(position),
        event: Set(req.event.as_str().into()),
        idle_hours: Set(req.idle_hours.map(idle_i32)),
        match_mode: Set(match_mode_str(req.match_mode).into()),
        conditions: Set(json(&req.conditions)?),
        actions: Set(actions),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(rule = row.id, "rule created");
    to_dto(row)
}

pub async fn replace(db: &impl ConnectionTrait, env: SaveEnv<'_>, id: i64, req: &SaveRule) -> AppResult<Rule> {
    let current = find(db, id).await?;
    let name = validate(db, env.egress, req).await?;
    let previous = secrets::parse(&current.actions).unwrap_or_default();
    let actions = sealed_actions(env, req, &previous)?;
    let position = req.position.unwrap_or(current.position);
    let mut row = current.into_active_model();
    row.name = Set(name);
    row.enabled = Set(req.enabled);
    row.position = Set(position);
    row.event = Set(req.event.as_str().into());
    row.idle_hours = Set(req.idle_hours.map(idle_i32));
    row.match_mode = Set(match_mode_str(req.match_mode).into());
    row.conditions = Set(json(&req.conditions)?);
    row.actions = Set(actions);
    row.updated_at = Set(Utc::now());
    let row = row.update(db).await?;
    tracing::info!(rule = id, "rule replaced");
    to_dto(row)
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    let gone = rule::Entity::delete_by_id(id).exec(db).await?.rows_affected;
    if gone == 0 {
        return Err(AppError::NotFound("rule"));
    }
    tracing::info!(rule = id, "rule deleted");
    Ok(())
}

async fn find(db: &impl ConnectionTrait, id: i64) -> AppResult<rule::Model> {
    rule::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("rule"))
}

async fn next_position(db: &impl ConnectionTrait) -> AppResult<i32> {
    let last: Option<i32> = rule::Entity::find()
        .select_only()
        .column(rule::Column::Position)
        .order_by_desc(rule::Column::Position)
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.map_or(1, |p| p.saturating_add(1)))
}

/// The request's actions as stored, webhook secrets sealed (a webhook saved without one keeps
/// the stored secret of its url).
fn sealed_actions(env: SaveEnv<'_>, req: &SaveRule, previous: &[StoredAction]) -> AppResult<String> {
    secrets::seal(env.keys, &req.actions, previous)?.map_err(|i| {
        AppError::validation(format!(
            "actions[{i}]: secret: required for a webhook to a new url (16 to 200 characters)"
        ))
    })
}

/// Validated to at most [`MAX_IDLE_HOURS`] first, so it fits.
fn idle_i32(h: u32) -> i32 {
    i32::try_from(h).unwrap_or(i32::MAX)
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.into()))
}

/// Checks the whole rule; returns its trimmed name. Errors name the field, with its index.
async fn validate(db: &impl ConnectionTrait, egress: Egress, req: &SaveRule) -> AppResult<String> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AppError::validation(format!("name: 1 to {MAX_NAME} characters")));
    }
    match (req.event, req.idle_hours) {
        (RuleEvent::TicketIdle, Some(h)) if (1..=MAX_IDLE_HOURS).contains(&h) => {}
        (RuleEvent::TicketIdle, _) => {
            return Err(AppError::validation(format!(
                "idle_hours: a ticket_idle rule needs 1 to {MAX_IDLE_HOURS} hours"
            )));
        }
        (_, Some(_)) => {
            return Err(AppError::validation("idle_hours: only for the ticket_idle event"));
        }
        (_, None) => {}
    }
    if req.actions.is_empty() {
        return Err(AppError::validation("actions: a rule needs at least one action"));
    }
    if req.conditions.len() > MAX_ITEMS || req.actions.len() > MAX_ITEMS {
        return Err(AppError::validation(format!(
            "conditions, actions: at most {MAX_ITEMS} each"
        )));
    }
    for (i, c) in req.conditions.iter().enumerate() {
        check_condition(db, c)
            .await
            .map_err(|msg| AppError::validation(format!("conditions[{i}]: {msg}")))?;
    }
    for (i, a) in req.actions.iter().enumerate() {
        check_action(db, egress, a)
            .await
            .map_err(|msg| AppError::validation(format!("rule {name:?}: actions[{i}]: {msg}")))?;
    }
    Ok(name.to_owned())
}

/// `Err(message)` for bad input; database errors are folded into the message's caller as
/// internal errors by [`exists`].
async fn check_condition(db: &impl ConnectionTrait, c: &Condition) -> Result<(), String> {
    match c {
        Condition::Recipient { value, .. }
        | Condition::Sender { value, .. }
        | Condition::SenderDomain { value, .. }
        | Condition::Subject { value, .. }
        | Condition::Body { value, .. }
        | Condition::CustomField { value, .. } => {
            if let Condition::CustomField { field_id, .. } = c {
                exists(
                    custom_field::Entity::find_by_id(*field_id).one(db).await,
                    "custom field",
                    *field_id,
                )?;
            }
            if value.is_empty() || value.chars().count() > MAX_TEXT {
                return Err(format!("value: 1 to {MAX_TEXT} characters"));
            }
            Compiled::new(c.clone()).map_err(|e| format!("value: invalid regex: {e}"))?;
        }
        Condition::Mailbox { id } => exists(mailbox::Entity::find_by_id(*id).one(db).await, "mailbox", *id)?,
        Condition::Category { id: Some(id) } => {
            exists(category::Entity::find_by_id(*id).one(db).await, "category", *id)?
        }
        Condition::Company { id } => exists(company::Entity::find_by_id(*id).one(db).await, "company", *id)?,
        Condition::HasTag { tag } if tag.trim().is_empty() => return Err("tag: must not be empty".into()),
        Condition::BusinessHours { calendar_id, .. } => exists(
            business_calendar::Entity::find_by_id(*calendar_id).one(db).await,
            "business calendar",
            *calendar_id,
        )?,
        _ => {}
    }
    Ok(())
}

async fn check_action(db: &impl ConnectionTrait, egress: Egress, a: &Action) -> Result<(), String> {
    match a {
        Action::SetCategory { id: Some(id) } => {
            exists(category::Entity::find_by_id(*id).one(db).await, "category", *id)?
        }
        Action::Assign { agent_id } => {
            let u = user::Entity::find_by_id(*agent_id)
                .one(db)
                .await
                .map_err(|e| format!("could not be checked: {e}"))?;
            let staff = u.is_some_and(|u| u.is_active && u.role.is_staff());
            if !staff {
                return Err(format!("agent_id: {agent_id} is not an active agent"));
            }
        }
        Action::AddTag { tag } | Action::RemoveTag { tag } => {
            let t = tag.trim();
            if t.is_empty() || t.chars().count() > 50 || t.contains(',') {
                return Err("tag: 1 to 50 characters, no comma".into());
            }
        }
        Action::AddSubscriber { email } => {
            normalize_email(email).map_err(|_| format!("email: {email:?} is not an e-mail address"))?;
        }
        Action::AddNote { body } if body.trim().is_empty() || body.chars().count() > MAX_TEXT => {
            return Err(format!("body: 1 to {MAX_TEXT} characters"));
        }
        Action::SendMail { to, subject, body } => {
            let to = to.trim();
            if to != "requester" && to != "assignee" && normalize_email(to).is_err() {
                return Err(format!(
                    "to: \"requester\", \"assignee\" or an e-mail address, not {to:?}"
                ));
            }
            if subject.trim().is_empty() || subject.chars().count() > 300 {
                return Err("subject: 1 to 300 characters".into());
            }
            if body.trim().is_empty() || body.chars().count() > MAX_TEXT * 5 {
                return Err(format!("body: 1 to {} characters", MAX_TEXT * 5));
            }
        }
        Action::Webhook { url, secret, .. } => {
            check_url(url)?;
            egress::check_url(url, egress).map_err(|e| format!("url: {e}"))?;
            if let Some(secret) = secret
                && (secret.chars().count() < 16 || secret.chars().count() > 200)
            {
                return Err("secret: 16 to 200 characters (the receiver checks signatures with it)".into());
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_url(url: &str) -> Result<(), String> {
    let ok = url.len() <= MAX_URL
        && (url.starts_with("https://") || url.starts_with("http://"))
        && reqwest::Url::parse(url).is_ok_and(|u| u.host_str().is_some_and(|h| !h.is_empty()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "url: an http:// or https:// address of at most {MAX_URL} characters, not {url:?}"
        ))
    }
}

fn exists<T>(found: Result<Option<T>, sea_orm::DbErr>, what: &str, id: i64) -> Result<(), String> {
    match found {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(format!("id: no {what} {id}")),
        Err(e) => Err(format!("{what} {id} could not be checked: {e}")),
    }
}
