//! Reading tickets: the filtered, paged list and one ticket with its thread.

use entity::{attachment, message, subscriber, ticket, ticket_event, ticket_tag};
use protocol::{
    EventKind, MessageKind, Page, SortOrder, Subscriber, Ticket, TicketDetail, TicketEvent, TicketQuery, TicketSort,
};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder};

use crate::auth::CurrentUser;
use crate::custom_fields::events as custom_field_event;
use crate::error::{AppError, AppResult};
use crate::paging::Paging;
use crate::tickets::access::Scope;
use crate::tickets::mapping;

pub const MAX_PER_PAGE: u64 = 200;

pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    user: &CurrentUser,
    q: &TicketQuery,
) -> AppResult<Page<Ticket>> {
    let Paging { page, per_page } = Paging::parse(q.page, q.per_page, 25, MAX_PER_PAGE)?;
    let mut select = ticket::Entity::find().filter(scope.condition());
    if let Some(s) = q.status {
        select = select.filter(ticket::Column::Status.eq(s));
    }
    if let Some(p) = q.priority {
        select = select.filter(ticket::Column::Priority.eq(p));
    }
    if let Some(c) = q.category_id {
        select = select.filter(ticket::Column::CategoryId.eq(c));
    }
    if let Some(r) = q.requester_id {
        select = select.filter(ticket::Column::RequesterId.eq(r));
    }
    if let Some(since) = q.updated_since {
        select = select.filter(ticket::Column::UpdatedAt.gte(since));
    }
    if let Some(overdue) = q.overdue {
        let c = crate::sla::overdue::condition(chrono::Utc::now());
        select = select.filter(if overdue { c } else { c.not() });
    }
    match q.assignee.as_deref() {
        None | Some("") | Some("any") => {}
        Some("me") => select = select.filter(ticket::Column::AssigneeId.eq(user.id)),
        Some("none") => select = select.filter(ticket::Column::AssigneeId.is_null()),
        Some(other) => {
            let id: i64 = other.parse().map_err(|_| {
                AppError::InvalidParameter(format!("assignee: {other:?} is not an id, \"me\" or \"none\""))
            })?;
            select = select.filter(ticket::Column::AssigneeId.eq(id));
        }
    }
    if let Some(tag) = q.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        select = select.filter(
            ticket::Column::Id.in_subquery(
                Query::select()
                    .column(ticket_tag::Column::TicketId)
                    .from(ticket_tag::Entity)
                    .and_where(ticket_tag::Column::Name.eq(tag.to_lowercase()))
                    .to_owned(),
            ),
        );
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        select = select.filter(ticket::Column::Subject.contains(text));
    }
    let order = match q.order.unwrap_or(SortOrder::Desc) {
        SortOrder::Asc => Order::Asc,
        SortOrder::Desc => Order::Desc,
    };
    let column = match q.sort.unwrap_or(TicketSort::Updated) {
        TicketSort::Created | TicketSort::Number => ticket::Column::Id,
        TicketSort::Updated => ticket::Column::UpdatedAt,
        TicketSort::Priority => ticket::Column::Priority,
        TicketSort::Due => ticket::Column::DueAt,
    };
    // The id tie-breaker keeps pages stable when many rows share a timestamp.
    let paginator = select
        .order_by(column, order.clone())
        .order_by(ticket::Column::Id, order)
        .paginate(db, per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    let mut items = mapping::tickets(db, rows).await?;
    if scope.is_customer() {
        items.iter_mut().for_each(Ticket::hide_staff_addresses);
    }
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn detail(db: &impl ConnectionTrait, scope: &Scope, ticket_id: i64) -> AppResult<TicketDetail> {
    let t = scope.find_ticket(db, ticket_id).await?;
    view(db, scope, t).await
}

/// A ticket as a viewer with `scope` sees it: notes, history and custom values cut to the
/// viewer's role. The caller decided the viewer may see this ticket at all (the creator of a
/// ticket filed into a category they do not work still gets what they created, in their own
/// view).
pub async fn view(db: &impl ConnectionTrait, scope: &Scope, t: ticket::Model) -> AppResult<TicketDetail> {
    let ticket_id = t.id;
    let customer = scope.is_customer();
    let mut messages = message::Entity::find()
        .filter(message::Column::TicketId.eq(ticket_id))
        .order_by_asc(message::Column::CreatedAt)
        .order_by_asc(message::Column::Id);
    if customer {
        // Internal notes never leave the staff side.
        messages = messages.filter(message::Column::Kind.ne(MessageKind::Note));
    }
    let messages = messages.all(db).await?;
    let message_ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let attachments = attachment::Entity::find()
        .filter(attachment::Column::MessageId.is_in(message_ids))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    let subscribers = subscriber::Entity::find()
        .filter(subscriber::Column::TicketId.eq(ticket_id))
        .order_by_asc(subscriber::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| Subscriber {
            email: s.email,
            user_id: s.user_id,
        })
        .collect();
    let events = if customer {
        vec![]
    } else {
        events(db, scope, ticket_id).await?
    };
    let mut tickets = mapping::tickets(db, vec![t]).await?;
    let ticket = tickets.pop().ok_or(AppError::NotFound("ticket"))?;
    let mut messages = mapping::messages(db, messages, attachments).await?;
    if customer {
        // How mail is threaded is the helpdesk's business.
        for m in &mut messages {
            m.hide_staff_details();
        }
    }
    let mut detail = TicketDetail {
        ticket,
        messages,
        subscribers,
        events,
        custom_fields: crate::custom_fields::values::visible(db, scope, ticket_id).await?,
    };
    if customer {
        detail.hide_staff_addresses();
    }
    Ok(detail)
}

async fn events(db: &impl ConnectionTrait, scope: &Scope, ticket_id: i64) -> AppResult<Vec<TicketEvent>> {
    let mut rows = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(ticket_id))
        // By time first: a batch of inbound mail writes a ticket's "created" line at its
        // commit, after lines it recorded on the way (an attachment refused).
        .order_by_asc(ticket_event::Column::CreatedAt)
        .order_by_asc(ticket_event::Column::Id)
        .all(db)
        .await?;
    if rows.iter().any(|e| custom_field_event::is_one(&e.field)) {
        let hidden = custom_field_event::Hidden::from(db, scope).await?;
        rows.retain(|e| !hidden.hides(e));
    }
    let users = mapping::users_by_id(db, rows.iter().filter_map(|e| e.actor_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|e| TicketEvent {
            id: e.id,
            actor: e.actor_id.and_then(|a| users.get(&a).cloned()),
            field: EventKind::parse(&e.field),
            old_value: e.old_value,
            new_value: e.new_value,
            created_at: e.created_at,
        })
        .collect())
}
