use chrono::Utc;
use entity::canned_response;
use protocol::{CannedResponse, CreateCannedResponse};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryOrder, Set};

use crate::error::{AppError, AppResult};

fn to_dto(c: canned_response::Model) -> CannedResponse {
    CannedResponse {
        id: c.id,
        title: c.title,
        body: c.body,
        category_id: c.category_id,
    }
}

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<CannedResponse>> {
    Ok(canned_response::Entity::find()
        .order_by_asc(canned_response::Column::Title)
        .all(db)
        .await?
        .into_iter()
        .map(to_dto)
        .collect())
}

pub async fn create(db: &impl ConnectionTrait, author: i64, req: &CreateCannedResponse) -> AppResult<CannedResponse> {
    if req.title.trim().is_empty() || req.body.trim().is_empty() {
        return Err(AppError::validation("title and body: must not be empty"));
    }
    if let Some(id) = req.category_id {
        entity::category::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::validation(format!("category_id: no category {id}")))?;
    }
    let model = canned_response::ActiveModel {
        title: Set(req.title.trim().to_owned()),
        body: Set(req.body.clone()),
        category_id: Set(req.category_id),
        created_by: Set(Some(author)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(to_dto(model))
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    let model = canned_response::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("canned response"))?;
    model.delete(db).await?;
    Ok(())
}
