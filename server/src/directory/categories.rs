use std::collections::HashMap;

use chrono::Utc;
use entity::{category, category_agent};
use protocol::{Category, CreateCategory};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use crate::error::{AppError, AppResult};
use crate::memo::{Memo, Memoized};

/// The category rows as a change read them first.
#[derive(Hash, PartialEq, Eq)]
struct Rows;
impl Memoized for Rows {
    type Value = Vec<category::Model>;
}

/// Every category row, read once per change.
pub async fn rows(memo: &Memo, db: &impl ConnectionTrait) -> AppResult<Vec<category::Model>> {
    memo.get_or_load(Rows, || async { Ok(category::Entity::find().all(db).await?) })
        .await
}

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<Category>> {
    let categories = category::Entity::find()
        .order_by_asc(category::Column::Name)
        .all(db)
        .await?;
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    for m in category_agent::Entity::find().all(db).await? {
        members.entry(m.category_id).or_default().push(m.user_id);
    }
    Ok(categories
        .into_iter()
        .map(|c| Category {
            agent_ids: members.remove(&c.id).unwrap_or_default(),
            id: c.id,
            name: c.name,
            description: c.description,
        })
        .collect())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Category> {
    list(db)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound("category"))
}

pub async fn create(db: &impl ConnectionTrait, req: &CreateCategory) -> AppResult<Category> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name: must not be empty"));
    }
    if category::Entity::find()
        .filter(category::Column::Name.eq(name))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!("a category named {name:?} already exists")));
    }
    let model = category::ActiveModel {
        name: Set(name.to_owned()),
        description: Set(req.description.trim().to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Category {
        id: model.id,
        name: model.name,
        description: model.description,
        agent_ids: vec![],
    })
}

/// Replaces the category's agents. Only agents and admins can be members.
pub async fn set_agents(db: &DatabaseConnection, category_id: i64, agent_ids: &[i64]) -> AppResult<Category> {
    category::Entity::find_by_id(category_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("category"))?;
    let staff = entity::user::Entity::find()
        .filter(entity::user::Column::Id.is_in(agent_ids.to_vec()))
        .all(db)
        .await?;
    for id in agent_ids {
        let ok = staff.iter().any(|u| u.id == *id && u.role.is_staff());
        if !ok {
            return Err(AppError::validation(format!(
                "agent_ids: {id} is not an agent or admin"
            )));
        }
    }
    let txn = db.begin().await?;
    category_agent::Entity::delete_many()
        .filter(category_agent::Column::CategoryId.eq(category_id))
        .exec(&txn)
        .await?;
    let mut ids = agent_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for user_id in ids {
        category_agent::ActiveModel {
            category_id: Set(category_id),
            user_id: Set(user_id),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    get(db, category_id).await
}

/// The categories an agent belongs to.
pub async fn of_agent(db: &impl ConnectionTrait, user_id: i64) -> AppResult<Vec<i64>> {
    Ok(category_agent::Entity::find()
        .filter(category_agent::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.category_id)
        .collect())
}
