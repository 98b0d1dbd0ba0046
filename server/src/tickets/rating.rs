//! The requester's rating of a resolved or closed ticket (Good / OK / Bad), from the portal
//! or from the links in the "ticket closed" mail. The last answer counts.

use chrono::Utc;
use entity::ticket;
use protocol::{Rating, TicketStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};

use crate::error::{AppError, AppResult};
use crate::tickets::events;

pub async fn record(db: &impl ConnectionTrait, t: ticket::Model, user_id: i64, rating: Rating) -> AppResult<()> {
    if t.requester_id != user_id {
        return Err(AppError::forbidden("only the requester rates a ticket"));
    }
    let done = [TicketStatus::Resolved.as_str(), TicketStatus::Closed.as_str()];
    if !done.contains(&t.status.as_str()) {
        return Err(AppError::validation("rating: the ticket is not resolved or closed yet"));
    }
    let (id, old) = (t.id, t.rating.clone());
    let mut active = t.into_active_model();
    active.rating = Set(Some(rating.as_str().into()));
    active.rated_at = Set(Some(Utc::now()));
    active.update(db).await?;
    events::record(db, id, Some(user_id), "rating", old, Some(rating.as_str().into())).await
}
