//! Business calendars in the database: admin CRUD, and loading one for the clock maths.
//! Changing a calendar moves no existing due time; tickets pick it up at their next
//! recomputation (a priority or category change, the end of a pause).

use chrono::Utc;
use entity::{business_calendar, sla_policy};
use protocol::{BusinessCalendar, Holiday, SaveCalendar, WeekHours};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

use crate::error::{AppError, AppResult};
use crate::sla::calendar::Calendar;

const MAX_NAME: usize = 100;

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<BusinessCalendar>> {
    business_calendar::Entity::find()
        .order_by_asc(business_calendar::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(to_dto)
        .collect()
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<BusinessCalendar> {
    to_dto(find(db, id).await?)
}

pub async fn create(db: &impl ConnectionTrait, req: &SaveCalendar) -> AppResult<BusinessCalendar> {
    let name = validate(req)?;
    ensure_free_name(db, &name, None).await?;
    let now = Utc::now();
    let row = business_calendar::ActiveModel {
        name: Set(name),
        time_zone: Set(req.time_zone.trim().to_owned()),
        hours: Set(json(&req.hours)?),
        holidays: Set(json(&req.holidays)?),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(calendar = row.id, "business calendar created");
    to_dto(row)
}

pub async fn replace(db: &impl ConnectionTrait, id: i64, req: &SaveCalendar) -> AppResult<BusinessCalendar> {
    let name = validate(req)?;
    let mut row = find(db, id).await?.into_active_model();
    ensure_free_name(db, &name, Some(id)).await?;
    row.name = Set(name);
    row.time_zone = Set(req.time_zone.trim().to_owned());
    row.hours = Set(json(&req.hours)?);
    row.holidays = Set(json(&req.holidays)?);
    row.updated_at = Set(Utc::now());
    let row = row.update(db).await?;
    tracing::info!(calendar = id, "business calendar replaced");
    to_dto(row)
}

/// Refused while a policy uses it: its tickets' clocks would have nothing to run on.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    find(db, id).await?;
    let users: Vec<String> = sla_policy::Entity::find()
        .filter(sla_policy::Column::CalendarId.eq(id))
        .order_by_asc(sla_policy::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    if !users.is_empty() {
        return Err(AppError::Conflict(format!(
            "the calendar is used by SLA policies {}; change or delete them first",
            users.join(", ")
        )));
    }
    business_calendar::Entity::delete_by_id(id).exec(db).await?;
    tracing::info!(calendar = id, "business calendar deleted");
    Ok(())
}

/// The calendar ready for the clock maths. Rows are validated when saved, so a row that does
/// not parse is a bug or a hand edit: an internal error, not the client's.
pub async fn load(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<Calendar>> {
    let Some(row) = business_calendar::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let dto = to_dto(row)?;
    Calendar::parse(&dto.time_zone, &dto.hours, &dto.holidays)
        .map(Some)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored calendar {id} is invalid: {e}")))
}

async fn find(db: &impl ConnectionTrait, id: i64) -> AppResult<business_calendar::Model> {
    business_calendar::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("calendar"))
}

fn validate(req: &SaveCalendar) -> AppResult<String> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name: must not be empty"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::validation(format!("name: at most {MAX_NAME} characters")));
    }
    Calendar::parse(&req.time_zone, &req.hours, &req.holidays)?;
    Ok(name.to_owned())
}

async fn ensure_free_name(db: &impl ConnectionTrait, name: &str, except: Option<i64>) -> AppResult<()> {
    let taken = business_calendar::Entity::find()
        .filter(business_calendar::Column::Name.eq(name))
        .one(db)
        .await?
        .is_some_and(|c| Some(c.id) != except);
    if taken {
        return Err(AppError::Conflict(format!("a calendar named {name:?} already exists")));
    }
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.into()))
}

fn to_dto(row: business_calendar::Model) -> AppResult<BusinessCalendar> {
    let hours: WeekHours = serde_json::from_str(&row.hours)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("calendar {} hours: {e}", row.id)))?;
    let holidays: Vec<Holiday> = serde_json::from_str(&row.holidays)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("calendar {} holidays: {e}", row.id)))?;
    Ok(BusinessCalendar {
        id: row.id,
        name: row.name,
        time_zone: row.time_zone,
        hours,
        holidays,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
