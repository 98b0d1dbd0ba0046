//! `business_calendars`: when SLA clocks run — a time zone, working hours per weekday and
//! holidays. Hours and holidays are JSON text (the `protocol::WeekHours` and
//! `Vec<protocol::Holiday>` shapes), validated by the server before they are stored.
//! A calendar in use by an SLA policy cannot be deleted.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "business_calendars")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    /// IANA name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    #[sea_orm(column_type = "Text")]
    pub hours: String,
    #[sea_orm(column_type = "Text")]
    pub holidays: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sla_policy::Entity")]
    SlaPolicies,
}

impl Related<super::sla_policy::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SlaPolicies.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
