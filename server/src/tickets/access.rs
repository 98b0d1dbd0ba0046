//! Ticket visibility, decided once per request and applied inside the SQL query, so a list can
//! never leak a row and an id guess finds nothing.

use entity::{ticket, user};
use protocol::Role;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::CurrentUser;
use crate::directory::categories;
use crate::error::{AppError, AppResult};
use crate::settings::Settings;

#[derive(Debug, Clone)]
pub enum Scope {
    /// Admins see every ticket.
    All,
    /// Agents see their categories' tickets, uncategorised ones (the shared inbox) and the
    /// ones assigned to them.
    Agent { user_id: i64, categories: Vec<i64> },
    /// Customers see their own tickets, and their company's when the portal allows it. A
    /// session opened by an emailed autologin link sees only the ticket of that link.
    Customer {
        user_id: i64,
        company_id: Option<i64>,
        only_ticket: Option<i64>,
    },
}

impl Scope {
    pub async fn of(db: &impl ConnectionTrait, settings: &Settings, user: &CurrentUser) -> AppResult<Self> {
        Ok(match user.role {
            Role::Admin => Scope::All,
            Role::Agent => Scope::Agent {
                user_id: user.id,
                categories: categories::of_agent(db, user.id).await?,
            },
            Role::Customer => Scope::Customer {
                user_id: user.id,
                company_id: user
                    .company_id
                    .filter(|_| settings.portal.company_tickets && user.only_ticket.is_none()),
                only_ticket: user.only_ticket,
            },
        })
    }

    pub fn is_customer(&self) -> bool {
        matches!(self, Scope::Customer { .. })
    }

    pub fn condition(&self) -> Condition {
        let base = self.owner_condition();
        match self {
            Scope::Customer {
                only_ticket: Some(t), ..
            } => Condition::all().add(base).add(ticket::Column::Id.eq(*t)),
            _ => base,
        }
    }

    fn owner_condition(&self) -> Condition {
        match self {
            Scope::All => Condition::all(),
            Scope::Agent { user_id, categories } => Condition::any()
                .add(ticket::Column::CategoryId.is_null())
                .add(ticket::Column::CategoryId.is_in(categories.clone()))
                .add(ticket::Column::AssigneeId.eq(*user_id)),
            Scope::Customer {
                user_id,
                company_id: None,
                ..
            } => Condition::all().add(ticket::Column::RequesterId.eq(*user_id)),
            Scope::Customer {
                user_id,
                company_id: Some(company),
                ..
            } => Condition::any().add(ticket::Column::RequesterId.eq(*user_id)).add(
                ticket::Column::RequesterId.in_subquery(
                    Query::select()
                        .column(user::Column::Id)
                        .from(user::Entity)
                        .and_where(user::Column::CompanyId.eq(*company))
                        .to_owned(),
                ),
            ),
        }
    }

    /// The ticket, if the caller may see it. Customers get "not found" for other people's
    /// tickets (existence is not revealed); agents get "forbidden", since they know the
    /// ticket exists from queues and mail anyway.
    pub async fn find_ticket(&self, db: &impl ConnectionTrait, id: i64) -> AppResult<ticket::Model> {
        if let Some(t) = ticket::Entity::find_by_id(id).filter(self.condition()).one(db).await? {
            return Ok(t);
        }
        let exists = ticket::Entity::find_by_id(id).one(db).await?.is_some();
        match self {
            Scope::Agent { .. } if exists => Err(AppError::forbidden(
                "this ticket is in a category you are not a member of",
            )),
            _ => Err(AppError::NotFound("ticket")),
        }
    }
}
