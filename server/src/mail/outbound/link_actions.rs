//! What the links in our mails do once clicked: leave a ticket, rate it, or open it signed in.
//! A click that changes a ticket is a [`Change`] like any other: agents watching it see it live.

use entity::{ticket, user};
use protocol::live::ChangeKind;
use protocol::{Rating, Role, TokenResponse};
use sea_orm::EntityTrait;

use crate::auth::sessions;
use crate::change::Change;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::mail::outbound::links::{self, Purpose};
use crate::tickets::write;

/// Checks an unsubscribe link without using it (the page a GET of the link shows).
pub fn check_unsubscribe(ctx: &AppContext, token: &str) -> AppResult<()> {
    links::verify(ctx.keys(), token, Purpose::Unsubscribe).map(drop)
}

/// Checks a rating link without using it.
pub fn check_rating(ctx: &AppContext, token: &str) -> AppResult<()> {
    links::verify(ctx.keys(), token, Purpose::Rate).map(drop)
}

/// Removes the link's address from the ticket's subscribers; true when it was one.
pub async fn unsubscribe(ctx: &AppContext, token: &str) -> AppResult<bool> {
    let c = links::verify(ctx.keys(), token, Purpose::Unsubscribe)?;
    let email = c.email.ok_or_else(|| AppError::validation("this link is not valid"))?;
    let change = Change::open(ctx, None).await?;
    let removed = write::unsubscribe(change.db(), c.tkt, &email.to_lowercase(), None).await?;
    if removed {
        change.touched(c.tkt, ChangeKind::Updated, None);
    }
    change.commit().await?;
    Ok(removed)
}

/// Records the requester's rating (the last click counts), with the comment when given.
pub async fn rate(ctx: &AppContext, token: &str, rating: Rating, comment: Option<&str>) -> AppResult<()> {
    let c = links::verify(ctx.keys(), token, Purpose::Rate)?;
    let change = Change::open(ctx, Some(c.sub)).await?;
    let t = ticket::Entity::find_by_id(c.tkt)
        .one(change.db())
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    crate::tickets::rating::record(change.db(), t, c.sub, rating, comment).await?;
    change.touched(c.tkt, ChangeKind::Updated, None);
    change.commit().await
}

/// A session limited to the link's ticket, for customers only (never staff: a forwarded
/// mail must not hand out an agent's account). It ends when the link does: refreshing cannot
/// stretch a 3-day link into a month-long session.
pub async fn autologin(ctx: &AppContext, token: &str) -> AppResult<TokenResponse> {
    let c = links::verify(ctx.keys(), token, Purpose::Autologin)?;
    let u = user::Entity::find_by_id(c.sub)
        .one(ctx.db())
        .await?
        .filter(|u| u.is_active)
        .ok_or(AppError::Unauthorized)?;
    if u.role != Role::Customer {
        return Err(AppError::forbidden("autologin links are for customers only"));
    }
    let t = ticket::Entity::find_by_id(c.tkt)
        .one(ctx.db())
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    // Only the requester's own link opens the ticket (a customer sees their own tickets).
    if t.requester_id != u.id {
        return Err(AppError::NotFound("ticket"));
    }
    let link_ends = sessions::at_unix(c.exp).ok_or_else(|| AppError::validation("this link is not valid"))?;
    sessions::open(ctx, u, Some(t.id), Some(link_ends)).await
}
