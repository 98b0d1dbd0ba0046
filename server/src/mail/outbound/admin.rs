//! The outbox as admins see it (the dev outbox is the same list when no SMTP is configured).

use entity::outbound_mail;
use protocol::{OutboundMail, OutboundStatus, Page};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::{AppError, AppResult};
use crate::paging::Paging;

fn split(s: &str) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(String::from).collect()
}

pub fn to_dto(m: outbound_mail::Model, with_raw: bool) -> OutboundMail {
    OutboundMail {
        id: m.id,
        ticket_id: m.ticket_id,
        template: m.template,
        automatic: m.automatic,
        to: split(&m.recipients),
        cc: split(&m.cc),
        subject: m.subject,
        message_id: m.message_id,
        status: m.status,
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        last_error: m.last_error,
        transport: m.transport,
        sent_at: m.sent_at,
        created_at: m.created_at,
        raw: with_raw.then(|| String::from_utf8_lossy(&m.raw).into_owned()),
    }
}

pub struct Filter {
    pub ticket_id: Option<i64>,
    pub status: Option<OutboundStatus>,
    pub to: Option<String>,
}

pub async fn list(db: &impl ConnectionTrait, f: &Filter, paging: Paging) -> AppResult<Page<OutboundMail>> {
    let mut q = outbound_mail::Entity::find().order_by_desc(outbound_mail::Column::Id);
    if let Some(t) = f.ticket_id {
        q = q.filter(outbound_mail::Column::TicketId.eq(t));
    }
    if let Some(s) = f.status {
        q = q.filter(outbound_mail::Column::Status.eq(s));
    }
    if let Some(to) = &f.to {
        q = q.filter(outbound_mail::Column::Recipients.contains(to.to_lowercase()));
    }
    let total = q.clone().count(db).await?;
    // The list leaves the (possibly large) raw message out; the single view has it.
    let columns =
        <outbound_mail::Column as sea_orm::Iterable>::iter().filter(|c| !matches!(c, outbound_mail::Column::Raw));
    let rows = q
        .select_only()
        .columns(columns)
        .column_as(Expr::val(Vec::<u8>::new()), "raw")
        .offset(paging.offset())
        .limit(paging.limit())
        .all(db)
        .await?;
    Ok(Page {
        items: rows.into_iter().map(|m| to_dto(m, false)).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<OutboundMail> {
    outbound_mail::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|m| to_dto(m, true))
        .ok_or(AppError::NotFound("mail"))
}
