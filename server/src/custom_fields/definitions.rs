//! Custom field definitions: admin CRUD with validation. Changing a field's kind is refused
//! while tickets hold values of it (they would no longer parse); deleting a field deletes its
//! values.

use chrono::Utc;
use entity::{custom_field, ticket_custom_value};
use protocol::{CustomField, CustomFieldKind, FieldVisibility, SaveCustomField};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::error::{AppError, AppResult};

const MAX_NAME: usize = 100;
const MAX_OPTIONS: usize = 100;
const MAX_OPTION: usize = 100;

/// The fields up to `most_private`, in display order.
pub async fn list(db: &impl ConnectionTrait, most_private: FieldVisibility) -> AppResult<Vec<CustomField>> {
    let rows = custom_field::Entity::find()
        .order_by_asc(custom_field::Column::Position)
        .order_by_asc(custom_field::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let f = to_dto(row)?;
        if f.visibility <= most_private {
            out.push(f);
        }
    }
    Ok(out)
}

pub async fn create(db: &impl ConnectionTrait, req: &SaveCustomField) -> AppResult<CustomField> {
    let (name, options) = validate(db, req, None).await?;
    let position = match req.position {
        Some(p) => p,
        None => next_position(db).await?,
    };
    let now = Utc::now();
    let row = custom_field::ActiveModel {
        name: Set(name),
        kind: Set(req.kind.as_str().into()),
        options: Set(json(&options)?),
        visibility: Set(req.visibility.as_str().into()),
        position: Set(position),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(field = row.id, "custom field created");
    to_dto(row)
}

pub async fn replace(db: &impl ConnectionTrait, id: i64, req: &SaveCustomField) -> AppResult<CustomField> {
    let current = find(db, id).await?;
    let (name, options) = validate(db, req, Some(id)).await?;
    if current.kind != req.kind.as_str() && has_values(db, id).await? {
        return Err(AppError::validation(
            "kind: tickets hold values of this field; create a new field instead",
        ));
    }
    let position = req.position.unwrap_or(current.position);
    let mut row = current.into_active_model();
    row.name = Set(name);
    row.kind = Set(req.kind.as_str().into());
    row.options = Set(json(&options)?);
    row.visibility = Set(req.visibility.as_str().into());
    row.position = Set(position);
    row.updated_at = Set(Utc::now());
    to_dto(row.update(db).await?)
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    // The values go first: SQLite may run without enforcing the cascade.
    ticket_custom_value::Entity::delete_many()
        .filter(ticket_custom_value::Column::FieldId.eq(id))
        .exec(db)
        .await?;
    if custom_field::Entity::delete_by_id(id).exec(db).await?.rows_affected == 0 {
        return Err(AppError::NotFound("custom field"));
    }
    tracing::info!(field = id, "custom field deleted");
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> AppResult<custom_field::Model> {
    custom_field::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("custom field"))
}

pub fn to_dto(row: custom_field::Model) -> AppResult<CustomField> {
    let corrupt = |what: &str| AppError::Internal(anyhow::anyhow!("custom field {} has an unreadable {what}", row.id));
    Ok(CustomField {
        id: row.id,
        kind: CustomFieldKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
        options: serde_json::from_str(&row.options).map_err(|_| corrupt("options"))?,
        visibility: FieldVisibility::parse(&row.visibility).ok_or_else(|| corrupt("visibility"))?,
        name: row.name,
        position: row.position,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn has_values(db: &impl ConnectionTrait, id: i64) -> AppResult<bool> {
    Ok(ticket_custom_value::Entity::find()
        .filter(ticket_custom_value::Column::FieldId.eq(id))
        .count(db)
        .await?
        > 0)
}

async fn next_position(db: &impl ConnectionTrait) -> AppResult<i32> {
    let last: Option<i32> = custom_field::Entity::find()
        .select_only()
        .column(custom_field::Column::Position)
        .order_by_desc(custom_field::Column::Position)
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.map_or(1, |p| p.saturating_add(1)))
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.into()))
}

/// The trimmed name and options, or a 422 naming the field.
async fn validate(
    db: &impl ConnectionTrait,
    req: &SaveCustomField,
    except: Option<i64>,
) -> AppResult<(String, Vec<String>)> {
    let name = req.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AppError::validation(format!("name: 1 to {MAX_NAME} characters")));
    }
    let taken = custom_field::Entity::find()
        .filter(custom_field::Column::Name.eq(name.clone()))
        .one(db)
        .await?
        .is_some_and(|f| Some(f.id) != except);
    if taken {
        return Err(AppError::Conflict(format!("name: a field named {name:?} exists")));
    }
    let options: Vec<String> = req.options.iter().map(|o| o.trim().to_owned()).collect();
    match req.kind {
        CustomFieldKind::Dropdown => {
            if options.is_empty() || options.len() > MAX_OPTIONS {
                return Err(AppError::validation(format!(
                    "options: a dropdown needs 1 to {MAX_OPTIONS} choices"
                )));
            }
            if options.iter().any(|o| o.is_empty() || o.chars().count() > MAX_OPTION) {
                return Err(AppError::validation(format!(
                    "options: each 1 to {MAX_OPTION} characters"
                )));
            }
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = options.iter().find(|o| !seen.insert(o.to_lowercase())) {
                return Err(AppError::validation(format!("options: {dup:?} is there twice")));
            }
        }
        _ if !options.is_empty() => {
            return Err(AppError::validation("options: only a dropdown has options"));
        }
        _ => {}
    }
    Ok((name, options))
}
