//! First start: an empty database gets an admin account, so a new user can sign in at once.

use protocol::{CreateUser, Role};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use secrecy::ExposeSecret;

use crate::auth::password;
use crate::directory::users;
use crate::error::AppError;
use crate::settings::Settings;

/// The account created on first start. `password` is set only when it was generated here: it
/// is shown once and stored only as a hash.
#[derive(Debug)]
pub struct FirstAdmin {
    pub email: String,
    pub generated_password: Option<String>,
}

pub async fn ensure_admin(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<Option<FirstAdmin>> {
    if entity::user::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    let configured = settings.admin.password.expose_secret();
    let (pw, generated) = if configured.is_empty() {
        let p = password::generate();
        (p.clone(), Some(p))
    } else {
        (configured.to_owned(), None)
    };
    let req = CreateUser {
        email: settings.admin.email.clone(),
        name: "Administrator".into(),
        role: Role::Admin,
        password: Some(pw),
        company_id: None,
    };
    match users::create(db, &req).await {
        Ok(u) => Ok(Some(FirstAdmin {
            email: u.email,
            generated_password: generated,
        })),
        // Another node starting at the same moment created it first.
        Err(AppError::Conflict(_)) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("creating the first admin: {e}")),
    }
}
