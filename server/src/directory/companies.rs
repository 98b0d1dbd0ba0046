use chrono::Utc;
use entity::company;
use protocol::{Company, CreateCompany};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};

use crate::error::{AppError, AppResult};

fn to_dto(c: company::Model) -> Company {
    Company {
        id: c.id,
        name: c.name,
        domain: c.domain,
        created_at: c.created_at,
    }
}

pub async fn create(db: &impl ConnectionTrait, req: &CreateCompany) -> AppResult<Company> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name: must not be empty"));
    }
    let domain = req
        .domain
        .as_deref()
        .map(|d| d.trim().to_lowercase())
        .filter(|d| !d.is_empty());
    let model = company::ActiveModel {
        name: Set(name.to_owned()),
        domain: Set(domain),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(to_dto(model))
}

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<Company>> {
    Ok(company::Entity::find()
        .order_by_asc(company::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(to_dto)
        .collect())
}
