//! Which mails an event causes, one function per event: seed 002's notification switches
//! decide, except for a staff reply, which is the answer itself and always goes out.

use entity::user;
use protocol::{NotificationSettings, TemplateEvent};
use sea_orm::{DatabaseTransaction, EntityTrait};

use super::Event;
use super::mail::{Kind, Send};
use super::recipients::{Recipient, customers_except, staff_except};
use crate::change::Change;
use crate::error::AppResult;
use crate::mail::outbound::compose::Origin;
use crate::mail::outbound::facts::{self, TicketFacts};

/// The person who caused the event, as the mails name them.
pub(super) struct Actor<'a> {
    pub(super) id: Option<i64>,
    pub(super) user: Option<&'a user::Model>,
    /// Their name, or "Maildesk" when the system acted.
    pub(super) name: String,
}

/// Everything one event's rules read.
struct Ctx<'c, 'a> {
    ch: &'c Change<'c>,
    db: &'c DatabaseTransaction,
    settings: &'c NotificationSettings,
    f: &'c TicketFacts,
    by: &'c Actor<'a>,
}

impl Ctx<'_, '_> {
    /// The category's staff (and the admins when `admins`), as configured.
    async fn staff(&self, agents: bool, admins: bool) -> AppResult<Vec<user::Model>> {
        facts::staff_to_alert(self.ch.memo(), self.db, self.f.ticket.category_id, agents, admins).await
    }

    /// The text of one of the thread's public messages.
    fn text_of(&self, message_id: i64) -> Option<String> {
        self.f
            .public
            .iter()
            .find(|m| m.id == message_id)
            .map(|m| m.body_text.clone())
    }
}

/// The mails `event` causes, before their recipients are checked for emptiness.
pub(super) async fn sends_for<'a>(
    ch: &Change<'_>,
    settings: &NotificationSettings,
    f: &TicketFacts,
    event: Event,
    by: &Actor<'a>,
) -> AppResult<Vec<Send<'a>>> {
    let cx = Ctx {
        ch,
        db: ch.db(),
        settings,
        f,
        by,
    };
    let on = settings.enabled;
    match event {
        Event::Created { by_email, .. } => created(&cx, by_email).await,
        Event::Reply { message_id, .. } => reply(&cx, message_id).await,
        Event::CustomerUpdate { message_id, .. } if on => customer_update(&cx, message_id).await,
        Event::Assigned { assignee, .. } if on && Some(assignee) != by.id => assigned(&cx, assignee).await,
        Event::Taken { .. } if on && settings.notify_on_take => taken(&cx).await,
        Event::Closed { .. } if on && settings.ticket_closed_notification => Ok(vec![closed(&cx)]),
        Event::Overdue { .. } if on => overdue(&cx).await,
        Event::CustomerUpdate { .. }
        | Event::Assigned { .. }
        | Event::Taken { .. }
        | Event::Closed { .. }
        | Event::Overdue { .. } => Ok(Vec::new()),
    }
}

/// The requester's confirmation (only of a ticket a customer mailed) and the staff's alert.
async fn created<'a>(cx: &Ctx<'_, 'a>, by_email: bool) -> AppResult<Vec<Send<'a>>> {
    let (s, f) = (cx.settings, cx.f);
    let mut sends = Vec::new();
    let first = f.public.first().map(|m| m.body_text.clone()).unwrap_or_default();
    let requester_is_staff = f.requester.role.is_staff();
    if s.enabled && s.ticket_confirmation && by_email && !requester_is_staff {
        sends.push(Send {
            origin: Origin::AutoReplied,
            ..Send::auto(
                Kind::Template(TemplateEvent::NewTicketConfirmation),
                vec![Recipient::of_user(&f.requester)],
                first.clone(),
                f.requester.name.clone(),
            )
        });
    }
    if s.enabled {
        let staff = cx
            .staff(s.notify_category_agents_of_new_tickets, s.notify_admins_of_new_tickets)
            .await?;
        sends.push(Send::auto(
            Kind::Template(TemplateEvent::NewTicketAlert),
            staff_except(&staff, cx.by.id),
            first,
            cx.by.name.clone(),
        ));
    }
    Ok(sends)
}

/// A staff member's public answer, to the requester and the subscribers.
async fn reply<'a>(cx: &Ctx<'_, 'a>, message_id: i64) -> AppResult<Vec<Send<'a>>> {
    let to = customers_except(cx.db, cx.f, cx.by.user).await?;
    Ok(vec![Send {
        human_author: cx.by.user,
        origin: Origin::Human,
        message_id: Some(message_id),
        as_cc: cx.settings.subscribers_in_cc,
        ..Send::auto(
            Kind::Template(TemplateEvent::Reply),
            to,
            cx.text_of(message_id).unwrap_or_default(),
            cx.by.name.clone(),
        )
    }])
}

/// A customer wrote again: the assignee (or the category) is alerted, and unless only staff
/// updates go out, the other customers get it as a reply.
async fn customer_update<'a>(cx: &Ctx<'_, 'a>, message_id: i64) -> AppResult<Vec<Send<'a>>> {
    let text = cx.text_of(message_id).unwrap_or_default();
    let staff = match (
        &cx.f.assignee,
        cx.settings.notify_all_category_agents_on_customer_update,
    ) {
        (Some(a), false) => vec![a.clone()],
        _ => cx.staff(true, false).await?,
    };
    let mut sends = vec![Send {
        message_id: Some(message_id),
        ..Send::auto(
            Kind::Template(TemplateEvent::CustomerUpdateAlert),
            staff_except(&staff, cx.by.id),
            text.clone(),
            cx.by.name.clone(),
        )
    }];
    if !cx.settings.subscriber_updates_only_from_staff {
        let others = customers_except(cx.db, cx.f, cx.by.user).await?;
        sends.push(Send {
            message_id: Some(message_id),
            as_cc: cx.settings.subscribers_in_cc,
            ..Send::auto(Kind::Template(TemplateEvent::Reply), others, text, cx.by.name.clone())
        });
    }
    Ok(sends)
}

async fn assigned<'a>(cx: &Ctx<'_, 'a>, assignee: i64) -> AppResult<Vec<Send<'a>>> {
    let Some(a) = user::Entity::find_by_id(assignee).one(cx.db).await? else {
        return Ok(Vec::new());
    };
    let name = &cx.by.name;
    Ok(vec![Send::auto(
        Kind::Template(TemplateEvent::AssignmentAlert),
        vec![Recipient::of_user(&a)],
        format!("{name} assigned this ticket to {}", a.name),
        name.clone(),
    )])
}

async fn taken<'a>(cx: &Ctx<'_, 'a>) -> AppResult<Vec<Send<'a>>> {
    let staff = cx.staff(true, false).await?;
    let name = &cx.by.name;
    Ok(vec![Send::auto(
        Kind::Template(TemplateEvent::TicketTaken),
        staff_except(&staff, cx.by.id),
        format!("{name} took this ticket"),
        name.clone(),
    )])
}

fn closed<'a>(cx: &Ctx<'_, 'a>) -> Send<'a> {
    Send::auto(
        Kind::Template(TemplateEvent::TicketClosed),
        vec![Recipient::of_user(&cx.f.requester)],
        "The ticket has been closed".into(),
        cx.by.name.clone(),
    )
}

/// The assignee, or the category's staff when nobody has the ticket; the system is the
/// originator, so nobody is left out.
async fn overdue<'a>(cx: &Ctx<'_, 'a>) -> AppResult<Vec<Send<'a>>> {
    let staff = match &cx.f.assignee {
        Some(a) => vec![a.clone()],
        None => cx.staff(true, false).await?,
    };
    Ok(vec![Send::auto(
        Kind::Template(TemplateEvent::OverdueAlert),
        staff.iter().map(Recipient::of_user).collect(),
        "The ticket is overdue".into(),
        "Maildesk".into(),
    )])
}
