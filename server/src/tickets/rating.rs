//! The requester's rating of a resolved or closed ticket (Good / OK / Bad) with an optional
//! comment, from the portal or from the links in the "ticket closed" mail (whose page then
//! offers a comment box). The last answer counts; a rating without a comment keeps the
//! comment given before.

use chrono::Utc;
use entity::ticket;
use protocol::{EventKind, Rating, TicketStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};

use crate::error::{AppError, AppResult};
use crate::tickets::events;

const MAX_COMMENT: usize = 2000;

pub async fn record(
    db: &impl ConnectionTrait,
    t: ticket::Model,
    user_id: i64,
    rating: Rating,
    comment: Option<&str>,
) -> AppResult<()> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(AppError::validation(format!(
            "comment: at most {MAX_COMMENT} characters"
        )));
    }
    if t.requester_id != user_id {
        return Err(AppError::forbidden("only the requester rates a ticket"));
    }
    if !matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Err(AppError::validation("rating: the ticket is not resolved or closed yet"));
    }
    let (id, old) = (t.id, t.rating.clone());
    let mut active = t.into_active_model();
    active.rating = Set(Some(rating.as_str().into()));
    active.rated_at = Set(Some(Utc::now()));
    if let Some(c) = comment {
        active.rating_comment = Set(Some(c.to_owned()));
    }
    active.update(db).await?;
    events::record(
        db,
        id,
        Some(user_id),
        EventKind::Rating,
        old,
        Some(rating.as_str().into()),
    )
    .await?;
    if let Some(c) = comment {
        events::record(
            db,
            id,
            Some(user_id),
            EventKind::RatingComment,
            None,
            Some(c.to_owned()),
        )
        .await?;
    }
    Ok(())
}
