//! `sla_policies`: first-response and resolution targets in business minutes of a calendar,
//! for the tickets a policy matches (priority, category, requester's company; each optional).
//! Deleted with its category or company (it could never match again); its calendar cannot be
//! deleted while it is in use. Tickets keep the id of the policy that set their due times
//! (a plain column: SQLite cannot add a foreign key to an existing table).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sla_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Order in the list; ties between equally specific matches go to the lowest.
    pub position: i32,
    /// `low`, `normal`, `high` or `urgent`; `None` matches any.
    pub priority: Option<String>,
    pub category_id: Option<i64>,
    pub company_id: Option<i64>,
    pub calendar_id: i64,
    pub first_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::business_calendar::Entity",
        from = "Column::CalendarId",
        to = "super::business_calendar::Column::Id",
        on_delete = "Restrict"
    )]
    Calendar,
    #[sea_orm(
        belongs_to = "super::category::Entity",
        from = "Column::CategoryId",
        to = "super::category::Column::Id",
        on_delete = "Cascade"
    )]
    Category,
    #[sea_orm(
        belongs_to = "super::company::Entity",
        from = "Column::CompanyId",
        to = "super::company::Column::Id",
        on_delete = "Cascade"
    )]
    Company,
}

impl Related<super::business_calendar::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Calendar.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
