//! `auth_sessions`: one row per sign-in, i.e. one refresh-token family. Only the refresh token
//! carrying `current_jti` is accepted; an older one is a replay and ends the family. Rows go
//! with their user.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "auth_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// The id of the one refresh token of this family that may still be used.
    pub current_jti: String,
    /// Set for autologin sessions: the one ticket they may see.
    pub only_ticket: Option<i64>,
    /// The family's hard end, whatever its refresh tokens say.
    pub expires_at: DateTimeUtc,
    /// Set when the session was ended (logout, password change, replayed refresh token).
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub last_used_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
