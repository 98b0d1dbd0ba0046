//! A ticket's custom field values: checked against the field's kind, set by staff under the
//! ticket's optimistic lock with a history row per change, and read back filtered by who asks.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::ticket_custom_value;
use protocol::live::ChangeKind;
use protocol::{CustomField, CustomFieldKind, CustomFieldValue, EventKind, FieldVisibility, SetCustomValues};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::custom_fields::{definitions, visible_to};
use crate::error::{AppError, AppResult};
use crate::memo::{Memo, Memoized};
use crate::tickets::access::Scope;
use crate::tickets::{events, version};

const MAX_TEXT: usize = 2000;

/// `Ok(None)`: the value clears the field (`null`, or an empty text).
pub fn normalize(field: &CustomField, v: &Value) -> Result<Option<Value>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let wrong = || format!("a {} field takes {}", field.kind.as_str(), expected(field.kind));
    Ok(Some(match field.kind {
        CustomFieldKind::Text => {
            let s = v.as_str().ok_or_else(wrong)?.trim();
            if s.is_empty() {
                return Ok(None);
            }
            if s.chars().count() > MAX_TEXT {
                return Err(format!("at most {MAX_TEXT} characters"));
            }
            Value::from(s)
        }
        CustomFieldKind::Number => {
            let n = v.as_f64().filter(|n| n.is_finite()).ok_or_else(wrong)?;
            // Whole numbers stay integers on the wire (`3`, not `3.0`).
            if n.fract() == 0.0 && n.abs() < 9e15 {
                Value::from(n as i64)
            } else {
                Value::from(n)
            }
        }
        CustomFieldKind::Date => {
            let s = v.as_str().ok_or_else(wrong)?.trim();
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| wrong())?;
            Value::from(s)
        }
        CustomFieldKind::Dropdown => {
            let s = v.as_str().ok_or_else(wrong)?.trim();
            let choice = field
                .options
                .iter()
                .find(|o| o.eq_ignore_ascii_case(s))
                .ok_or_else(|| format!("{s:?} is not one of {:?}", field.options))?;
            Value::from(choice.as_str())
        }
        CustomFieldKind::Checkbox => Value::from(v.as_bool().ok_or_else(wrong)?),
    }))
}

fn expected(kind: CustomFieldKind) -> &'static str {
    match kind {
        CustomFieldKind::Text | CustomFieldKind::Dropdown => "a string",
        CustomFieldKind::Number => "a number",
        CustomFieldKind::Date => "a date as \"YYYY-MM-DD\"",
        CustomFieldKind::Checkbox => "true or false",
    }
}

/// The value as a person reads it (mail placeholders, history, rule conditions).
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        other => other.to_string(),
    }
}

/// Whether any custom field is defined, as a change read it first.
#[derive(Hash, PartialEq, Eq)]
struct AnyDefined;
impl Memoized for AnyDefined {
    type Value = bool;
}

/// [`of_ticket`] for a notification: a desk without custom fields (known after one read per
/// change) skips the per-ticket read.
pub async fn of_ticket_cached(
    memo: &Memo,
    db: &impl ConnectionTrait,
    ticket_id: i64,
) -> AppResult<Vec<(CustomField, Value)>> {
    let any = memo
        .get_or_load(AnyDefined, || async {
            Ok(entity::custom_field::Entity::find().one(db).await?.is_some())
        })
        .await?;
    if !any {
        return Ok(Vec::new());
    }
    of_ticket(db, ticket_id).await
}

/// Every field with a value on the ticket, in display order, whatever its visibility.
pub async fn of_ticket(db: &impl ConnectionTrait, ticket_id: i64) -> AppResult<Vec<(CustomField, Value)>> {
    let stored: HashMap<i64, String> = ticket_custom_value::Entity::find()
        .filter(ticket_custom_value::Column::TicketId.eq(ticket_id))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.field_id, v.value))
        .collect();
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for field in definitions::list(db, FieldVisibility::Admins).await? {
        if let Some(raw) = stored.get(&field.id) {
            let value = serde_json::from_str(raw).map_err(|e| {
                AppError::Internal(anyhow::anyhow!(
                    "ticket {ticket_id} field {}: unreadable value: {e}",
                    field.id
                ))
            })?;
            out.push((field, value));
        }
    }
    Ok(out)
}

/// The values `scope` may see.
pub async fn visible(db: &impl ConnectionTrait, scope: &Scope, ticket_id: i64) -> AppResult<Vec<CustomFieldValue>> {
    let most_private = visible_to(scope);
    Ok(of_ticket(db, ticket_id)
        .await?
        .into_iter()
        .filter(|(f, _)| f.visibility <= most_private)
        .map(|(f, value)| CustomFieldValue {
            field_id: f.id,
            name: f.name,
            kind: f.kind,
            value,
        })
        .collect())
}

/// Sets (or clears) values, staff only, each field within what the caller may see.
pub async fn set(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
    req: &SetCustomValues,
) -> AppResult<()> {
    let db = change.db();
    change.touched(ticket_id, ChangeKind::Updated, None);
    user.require_staff()?;
    scope.find_ticket(db, ticket_id).await?;
    let most_private = visible_to(scope);
    let fields: HashMap<i64, CustomField> = definitions::list(db, FieldVisibility::Admins)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let mut changes = Vec::new();
    for (key, raw) in &req.values {
        let id: i64 = key
            .parse()
            .map_err(|_| AppError::validation(format!("values: {key:?} is not a field id")))?;
        let field = fields
            .get(&id)
            .ok_or_else(|| AppError::validation(format!("values.{id}: no custom field {id}")))?;
        if field.visibility > most_private {
            return Err(AppError::forbidden(format!(
                "values.{id}: {} is for admins only",
                field.name
            )));
        }
        let value = normalize(field, raw).map_err(|m| AppError::validation(format!("values.{id}: {m}")))?;
        changes.push((field, value));
    }
    version::claim(db, ticket_id, req.version, true).await?;
    let before: HashMap<i64, Value> = of_ticket(db, ticket_id)
        .await?
        .into_iter()
        .map(|(f, v)| (f.id, v))
        .collect();
    for (field, value) in changes {
        let old = before.get(&field.id);
        if old == value.as_ref() {
            continue;
        }
        match &value {
            Some(v) => {
                let row = ticket_custom_value::ActiveModel {
                    ticket_id: Set(ticket_id),
                    field_id: Set(field.id),
                    value: Set(v.to_string()),
                };
                ticket_custom_value::Entity::insert(row)
                    .on_conflict(
                        OnConflict::columns([
                            ticket_custom_value::Column::TicketId,
                            ticket_custom_value::Column::FieldId,
                        ])
                        .update_column(ticket_custom_value::Column::Value)
                        .to_owned(),
                    )
                    .exec(db)
                    .await?;
            }
            None => {
                ticket_custom_value::Entity::delete_many()
                    .filter(ticket_custom_value::Column::TicketId.eq(ticket_id))
                    .filter(ticket_custom_value::Column::FieldId.eq(field.id))
                    .exec(db)
                    .await?;
            }
        }
        let show = |v: Option<&Value>| v.map(|v| format!("{}: {}", field.name, display(v)));
        events::record(
            db,
            ticket_id,
            Some(user.id),
            EventKind::CustomField(field.id),
            show(old),
            show(value.as_ref()),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;

    use super::*;

    fn field(kind: CustomFieldKind, options: &[&str]) -> CustomField {
        CustomField {
            id: 1,
            name: "F".into(),
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
            visibility: FieldVisibility::Public,
            position: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn values_are_checked_and_normalized_by_kind() {
        let text = field(CustomFieldKind::Text, &[]);
        assert_eq!(normalize(&text, &json!("  hi ")), Ok(Some(json!("hi"))));
        assert_eq!(normalize(&text, &json!("   ")), Ok(None), "blank text clears");
        assert!(normalize(&text, &json!(5)).is_err());
        let n = field(CustomFieldKind::Number, &[]);
        assert_eq!(normalize(&n, &json!(3.0)), Ok(Some(json!(3))));
        assert_eq!(normalize(&n, &json!(2.5)), Ok(Some(json!(2.5))));
        assert!(normalize(&n, &json!("3")).is_err());
        let d = field(CustomFieldKind::Date, &[]);
        assert_eq!(normalize(&d, &json!("2026-02-28")), Ok(Some(json!("2026-02-28"))));
        assert!(normalize(&d, &json!("2026-02-30")).is_err());
        assert!(normalize(&d, &json!("28.02.2026")).is_err());
        let dd = field(CustomFieldKind::Dropdown, &["Gold", "Silver"]);
        assert_eq!(normalize(&dd, &json!("gold")), Ok(Some(json!("Gold"))));
        assert!(normalize(&dd, &json!("Bronze")).unwrap_err().contains("not one of"));
        let c = field(CustomFieldKind::Checkbox, &[]);
        assert_eq!(normalize(&c, &json!(true)), Ok(Some(json!(true))));
        assert!(normalize(&c, &json!("yes")).is_err());
        assert_eq!(normalize(&c, &Value::Null), Ok(None));
    }

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(display(&json!("Gold")), "Gold");
        assert_eq!(display(&json!(true)), "Yes");
        assert_eq!(display(&json!(false)), "No");
        assert_eq!(display(&json!(2.5)), "2.5");
    }
}
