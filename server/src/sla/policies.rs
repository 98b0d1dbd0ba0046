//! SLA policies: admin CRUD, and choosing the policy for a ticket. Of all policies matching a
//! ticket (each set criterion — priority, category, requester's company — equal to the
//! ticket's) the most specific wins, the one with the most criteria set; among equally
//! specific ones, the first in the list.
//!
//! Editing a policy moves no existing due time; deleting one re-chooses the policy of the
//! open and pending tickets it governed (another may match).

use chrono::{DateTime, Utc};
use entity::{business_calendar, category, company, sla_policy, ticket, user};
use protocol::live::ChangeKind;
use protocol::{Priority, SaveSlaPolicy, SlaPolicy, TicketStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

use crate::change::Change;
use crate::error::{AppError, AppResult};
use crate::memo::{Memo, Memoized};
use crate::sla::calendars;
use crate::sla::due::{self, Sla};

/// A year of minutes: a target beyond it is a typo.
pub const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;
const MAX_NAME: usize = 100;

/// What a policy is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    pub priority: &'a str,
    pub category_id: Option<i64>,
    pub company_id: Option<i64>,
}

/// The winning policy of `policies` (in list order) for `s`.
pub fn choose<'p>(policies: &'p [sla_policy::Model], s: &Subject<'_>) -> Option<&'p sla_policy::Model> {
    let matches = |p: &sla_policy::Model| {
        p.priority.as_deref().is_none_or(|x| x == s.priority)
            && p.category_id.is_none_or(|c| Some(c) == s.category_id)
            && p.company_id.is_none_or(|c| Some(c) == s.company_id)
    };
    let specificity = |p: &sla_policy::Model| {
        usize::from(p.priority.is_some()) + usize::from(p.category_id.is_some()) + usize::from(p.company_id.is_some())
    };
    let mut best: Option<&sla_policy::Model> = None;
    for p in policies.iter().filter(|p| matches(p)) {
        // Strictly more specific replaces; an equal one later in the list does not.
        if best.is_none_or(|b| specificity(p) > specificity(b)) {
            best = Some(p);
        }
    }
    best
}

/// The policies in list order, as a change read them first.
#[derive(Hash, PartialEq, Eq)]
struct InOrder;
impl Memoized for InOrder {
    type Value = Vec<sla_policy::Model>;
}

/// The policy for ticket `t` with its calendar, if any matches.
pub async fn for_ticket(db: &impl ConnectionTrait, memo: &Memo, t: &ticket::Model) -> AppResult<Option<Sla>> {
    let policies = memo.get_or_load(InOrder, || ordered(db)).await?;
    if policies.is_empty() {
        return Ok(None);
    }
    // The requester's company only matters to policies that name one.
    let company_id = if policies.iter().any(|p| p.company_id.is_some()) {
        user::Entity::find_by_id(t.requester_id)
            .one(db)
            .await?
            .and_then(|u| u.company_id)
    } else {
        None
    };
    let subject = Subject {
        // Policies name their priority as text (`sla_policies.priority` is a plain column).
        priority: t.priority.as_str(),
        category_id: t.category_id,
        company_id,
    };
    match choose(&policies, &subject) {
        Some(p) => with_calendar(db, p.clone()).await,
        None => Ok(None),
    }
}

/// Policy `id` with its calendar; `None` when it no longer exists.
pub async fn load(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<Sla>> {
    match sla_policy::Entity::find_by_id(id).one(db).await? {
        Some(p) => with_calendar(db, p).await,
        None => Ok(None),
    }
}

async fn with_calendar(db: &impl ConnectionTrait, p: sla_policy::Model) -> AppResult<Option<Sla>> {
    Ok(calendars::load(db, p.calendar_id).await?.map(|calendar| Sla {
        policy_id: p.id,
        first_response_minutes: p.first_response_minutes,
        resolution_minutes: p.resolution_minutes,
        calendar,
    }))
}

pub(crate) async fn ordered(db: &impl ConnectionTrait) -> AppResult<Vec<sla_policy::Model>> {
    Ok(sla_policy::Entity::find()
        .order_by_asc(sla_policy::Column::Position)
        .order_by_asc(sla_policy::Column::Id)
        .all(db)
        .await?)
}

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<SlaPolicy>> {
    Ok(ordered(db).await?.into_iter().map(to_dto).collect())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<SlaPolicy> {
    Ok(to_dto(find(db, id).await?))
}

pub async fn create(db: &impl ConnectionTrait, req: &SaveSlaPolicy) -> AppResult<SlaPolicy> {
    let name = validate(db, req).await?;
    let position = match req.position {
        Some(p) => p,
        None => next_position(db).await?,
    };
    let now = Utc::now();
    let row = sla_policy::ActiveModel {
        name: Set(name),
        position: Set(position),
        priority: Set(req.priority.map(|p| p.as_str().to_owned())),
        category_id: Set(req.category_id),
        company_id: Set(req.company_id),
        calendar_id: Set(req.calendar_id),
        first_response_minutes: Set(req.first_response_minutes),
        resolution_minutes: Set(req.resolution_minutes),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(policy = row.id, "SLA policy created");
    Ok(to_dto(row))
}

pub async fn replace(db: &impl ConnectionTrait, id: i64, req: &SaveSlaPolicy) -> AppResult<SlaPolicy> {
    let current = find(db, id).await?;
    let name = validate(db, req).await?;
    let mut row = current.clone().into_active_model();
    row.name = Set(name);
    row.position = Set(req.position.unwrap_or(current.position));
    row.priority = Set(req.priority.map(|p| p.as_str().to_owned()));
    row.category_id = Set(req.category_id);
    row.company_id = Set(req.company_id);
    row.calendar_id = Set(req.calendar_id);
    row.first_response_minutes = Set(req.first_response_minutes);
    row.resolution_minutes = Set(req.resolution_minutes);
    row.updated_at = Set(Utc::now());
    let row = row.update(db).await?;
    tracing::info!(policy = id, "SLA policy replaced");
    Ok(to_dto(row))
}

/// Deletes the policy: the open and pending tickets it governed get the policy that now
/// matches them (or none); done tickets keep their due times as a record, without the policy
/// id. The tickets whose SLA was re-chosen are touched by the change.
pub async fn delete(change: &Change<'_>, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let governed = detach(change.db(), id, now).await?;
    tracing::info!(policy = id, tickets = governed.len(), "SLA policy deleted");
    for ticket_id in governed {
        change.touched(ticket_id, ChangeKind::Updated, None);
    }
    Ok(())
}

async fn detach(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> AppResult<Vec<i64>> {
    find(db, id).await?;
    let active = [TicketStatus::Open, TicketStatus::Pending];
    let governed: Vec<i64> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .filter(ticket::Column::SlaPolicyId.eq(id))
        .filter(ticket::Column::Status.is_in(active))
        .into_tuple()
        .all(db)
        .await?;
    ticket::Entity::update_many()
        .col_expr(ticket::Column::SlaPolicyId, Expr::value(None::<i64>))
        .filter(ticket::Column::SlaPolicyId.eq(id))
        .filter(ticket::Column::Status.is_not_in(active))
        .exec(db)
        .await?;
    sla_policy::Entity::delete_by_id(id).exec(db).await?;
    for ticket_id in &governed {
        due::sync(db, *ticket_id, true, now).await?;
    }
    Ok(governed)
}

async fn find(db: &impl ConnectionTrait, id: i64) -> AppResult<sla_policy::Model> {
    sla_policy::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("SLA policy"))
}

async fn next_position(db: &impl ConnectionTrait) -> AppResult<i32> {
    let last: Option<i32> = sla_policy::Entity::find()
        .select_only()
        .column(sla_policy::Column::Position)
        .order_by_desc(sla_policy::Column::Position)
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.map_or(1, |p| p.saturating_add(1)))
}

async fn validate(db: &impl ConnectionTrait, req: &SaveSlaPolicy) -> AppResult<String> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name: must not be empty"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::validation(format!("name: at most {MAX_NAME} characters")));
    }
    if req.first_response_minutes.is_none() && req.resolution_minutes.is_none() {
        return Err(AppError::validation(
            "first_response_minutes: set it, resolution_minutes, or both",
        ));
    }
    for (field, value) in [
        ("first_response_minutes", req.first_response_minutes),
        ("resolution_minutes", req.resolution_minutes),
    ] {
        if value.is_some_and(|m| !(1..=MAX_TARGET_MINUTES).contains(&m)) {
            return Err(AppError::validation(format!(
                "{field}: between 1 and {MAX_TARGET_MINUTES} business minutes"
            )));
        }
    }
    if business_calendar::Entity::find_by_id(req.calendar_id)
        .one(db)
        .await?
        .is_none()
    {
        return Err(AppError::validation(format!(
            "calendar_id: no calendar {}",
            req.calendar_id
        )));
    }
    if let Some(c) = req.category_id
        && category::Entity::find_by_id(c).one(db).await?.is_none()
    {
        return Err(AppError::validation(format!("category_id: no category {c}")));
    }
    if let Some(c) = req.company_id
        && company::Entity::find_by_id(c).one(db).await?.is_none()
    {
        return Err(AppError::validation(format!("company_id: no company {c}")));
    }
    Ok(name.to_owned())
}

fn to_dto(p: sla_policy::Model) -> SlaPolicy {
    SlaPolicy {
        id: p.id,
        name: p.name,
        position: p.position,
        priority: p.priority.as_deref().and_then(Priority::parse),
        category_id: p.category_id,
        company_id: p.company_id,
        calendar_id: p.calendar_id,
        first_response_minutes: p.first_response_minutes,
        resolution_minutes: p.resolution_minutes,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(
        id: i64,
        position: i32,
        priority: Option<&str>,
        category: Option<i64>,
        company: Option<i64>,
    ) -> sla_policy::Model {
        sla_policy::Model {
            id,
            name: format!("p{id}"),
            position,
            priority: priority.map(String::from),
            category_id: category,
            company_id: company,
            calendar_id: 1,
            first_response_minutes: Some(60),
            resolution_minutes: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn pick(
        policies: &[sla_policy::Model],
        priority: &str,
        category: Option<i64>,
        company: Option<i64>,
    ) -> Option<i64> {
        let s = Subject {
            priority,
            category_id: category,
            company_id: company,
        };
        choose(policies, &s).map(|p| p.id)
    }

    #[test]
    fn the_most_specific_match_wins_and_ties_go_to_the_first() {
        let list = vec![
            policy(1, 1, None, None, None),
            policy(2, 2, Some("high"), None, None),
            policy(3, 3, Some("high"), Some(7), None),
            policy(4, 4, Some("high"), None, Some(9)),
            policy(5, 5, Some("high"), Some(7), Some(9)),
            policy(6, 6, Some("urgent"), None, None),
            policy(7, 7, Some("urgent"), None, None),
        ];
        assert_eq!(pick(&list, "low", None, None), Some(1));
        assert_eq!(pick(&list, "high", None, None), Some(2));
        assert_eq!(pick(&list, "high", Some(7), None), Some(3));
        assert_eq!(pick(&list, "high", Some(8), Some(9)), Some(4));
        assert_eq!(pick(&list, "high", Some(7), Some(9)), Some(5));
        // Policies 3 and 4 are equally specific for this one; 3 comes first.
        assert_eq!(pick(&list[..4], "high", Some(7), Some(9)), Some(3));
        assert_eq!(pick(&list, "urgent", None, None), Some(6));
    }

    #[test]
    fn no_match_without_a_catch_all() {
        let list = vec![
            policy(1, 1, Some("urgent"), None, None),
            policy(2, 2, None, Some(3), None),
        ];
        assert_eq!(pick(&list, "low", None, None), None);
        assert_eq!(pick(&list, "low", Some(4), None), None);
        assert_eq!(pick(&list, "low", Some(3), None), Some(2));
        assert_eq!(pick(&[], "urgent", None, None), None);
    }
}
