use chrono::Utc;
use entity::user;
use protocol::{CreateUser, Role, User};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::auth::password;
use crate::error::{AppError, AppResult};
use crate::paging::Paging;

pub fn to_dto(u: user::Model) -> User {
    User {
        id: u.id,
        role: u.role,
        email: u.email,
        name: u.name,
        company_id: u.company_id,
        created_at: u.created_at,
    }
}

pub fn to_ref(u: &user::Model) -> protocol::UserRef {
    protocol::UserRef {
        id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
    }
}

/// A syntactically plausible address, lowercased. Full RFC 5322 parsing belongs to the mail
/// pipeline; here we only refuse what can never be delivered.
pub fn normalize_email(raw: &str) -> AppResult<String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',');
    if valid {
        Ok(email)
    } else {
        Err(AppError::validation(format!("email: {raw:?} is not an e-mail address")))
    }
}

pub async fn create(db: &impl ConnectionTrait, req: &CreateUser) -> AppResult<User> {
    let email = normalize_email(&req.email)?;
    let name = req.name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name: must not be empty"));
    }
    if user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!("a user with e-mail {email} already exists")));
    }
    if let Some(company_id) = req.company_id {
        entity::company::Entity::find_by_id(company_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::validation(format!("company_id: no company {company_id}")))?;
    }
    let password_hash = match &req.password {
        Some(p) => Some(password::hash_blocking(p.clone()).await?),
        None => None,
    };
    let now = Utc::now();
    let model = user::ActiveModel {
        email: Set(email),
        name: Set(name.to_owned()),
        role: Set(req.role),
        password_hash: Set(password_hash),
        company_id: Set(req.company_id),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(to_dto(model))
}

/// The customer account for an address, created (without a password) when unknown.
pub async fn find_or_create_customer(db: &impl ConnectionTrait, raw_email: &str) -> AppResult<user::Model> {
    find_or_create_customer_named(db, raw_email, None).await
}

/// Same, with a display name for a new account. Two mails from one new sender processed at
/// the same moment both get the one account: the insert yields to the other on conflict.
pub async fn find_or_create_customer_named(
    db: &impl ConnectionTrait,
    raw_email: &str,
    name: Option<&str>,
) -> AppResult<user::Model> {
    let email = normalize_email(raw_email)?;
    if let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(db)
        .await?
    {
        return Ok(u);
    }
    create_customer_named(db, &email, name).await
}

/// The row of a new customer account (no password: they sign in by link or by mail).
pub fn new_customer(email: &str, name: Option<&str>) -> user::ActiveModel {
    let now = Utc::now();
    let name = name.map(str::trim).filter(|n| !n.is_empty()).map(String::from);
    user::ActiveModel {
        name: Set(name.unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned())),
        email: Set(email.to_owned()),
        role: Set(Role::Customer),
        password_hash: Set(None),
        company_id: Set(None),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The new customer account for a normalized address nobody had a moment ago; if someone
/// else created it meanwhile, theirs.
async fn create_customer_named(db: &impl ConnectionTrait, email: &str, name: Option<&str>) -> AppResult<user::Model> {
    let find = || user::Entity::find().filter(user::Column::Email.eq(email.to_owned()));
    let row = new_customer(email, name);
    let inserted = user::Entity::insert(row)
        .on_conflict(OnConflict::column(user::Column::Email).do_nothing().to_owned())
        .exec_with_returning(db)
        .await;
    match inserted {
        Ok(u) => return Ok(u),
        // The other mail's insert won: its account is ours. (With RETURNING, a skipped insert
        // comes back as "no row found", e.g. on PostgreSQL, not as "not inserted".)
        Err(sea_orm::DbErr::RecordNotInserted | sea_orm::DbErr::RecordNotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    find()
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("customer {email} vanished after insert")))
}

/// One page of accounts in id order. Every sender of a mail has one, so the directory is paged
/// like every other list.
pub async fn list(db: &impl ConnectionTrait, role: Option<Role>, paging: Paging) -> AppResult<Vec<User>> {
    let mut q = user::Entity::find().order_by_asc(user::Column::Id);
    if let Some(role) = role {
        q = q.filter(user::Column::Role.eq(role));
    }
    let rows = q.offset(paging.offset()).limit(paging.limit()).all(db).await?;
    Ok(rows.into_iter().map(to_dto).collect())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<User> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_dto)
        .ok_or(AppError::NotFound("user"))
}
