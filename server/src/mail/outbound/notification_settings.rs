//! The notification switches (seed 002), kept as JSON in `app_settings` so admins change them
//! without a restart. Missing = the defaults.

use chrono::Utc;
use entity::app_setting;
use protocol::NotificationSettings;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::error::{AppError, AppResult};
use crate::memo::{Memo, Memoized};

const KEY: &str = "notifications";

/// The switches as a change read them first.
#[derive(Hash, PartialEq, Eq)]
struct Current;
impl Memoized for Current {
    type Value = NotificationSettings;
}

/// [`load`], read once per change.
pub async fn cached(memo: &Memo, db: &impl ConnectionTrait) -> AppResult<NotificationSettings> {
    memo.get_or_load(Current, || load(db)).await
}

pub async fn load(db: &impl ConnectionTrait) -> AppResult<NotificationSettings> {
    let row = app_setting::Entity::find_by_id(KEY.to_owned()).one(db).await?;
    Ok(match row {
        // A value written by an older version keeps working: missing fields take defaults.
        Some(r) => serde_json::from_str(&r.value).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored notification settings unreadable; using defaults");
            NotificationSettings::default()
        }),
        None => NotificationSettings::default(),
    })
}

pub async fn save(db: &impl ConnectionTrait, s: &NotificationSettings) -> AppResult<NotificationSettings> {
    if !s.subject_format.contains("{number}") || !s.subject_format.contains("{subject}") {
        return Err(AppError::validation(
            "subject_format: must contain {number} and {subject} (replies thread by the number)",
        ));
    }
    if s.auto_cap_count == 0 || s.auto_cap_minutes == 0 {
        return Err(AppError::validation(
            "auto_cap_count and auto_cap_minutes must be at least 1",
        ));
    }
    let value = serde_json::to_string(s).map_err(|e| AppError::Internal(e.into()))?;
    let row = app_setting::ActiveModel {
        key: Set(KEY.into()),
        value: Set(value),
        updated_at: Set(Utc::now()),
    };
    app_setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(app_setting::Column::Key)
                .update_columns([app_setting::Column::Value, app_setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    load(db).await
}

/// `[#12] Printer broken` from the format.
pub fn subject_line(format: &str, number: i64, subject: &str) -> String {
    format
        .replace("{number}", &number.to_string())
        .replace("{subject}", subject)
}
