//! Carrying out a rule's actions on a ticket. Every change is audited twice over: the usual
//! field row (no actor: nobody typed it), and a `rule` row naming the rule and what it did,
//! so an agent can see why the ticket changed. An action that would change nothing is skipped
//! silently; one that cannot be done any more (its agent left, its category was deleted) is
//! skipped with a `rule` row saying why — a rule never fails the change that triggered it.

use chrono::Utc;
use entity::{category, ticket, user};
use protocol::{Action, EventKind, MessageKind, RuleEvent, TicketStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};

use crate::change::Change;
use crate::directory::users::normalize_email;
use crate::error::{AppError, AppResult};
use crate::mail::outbound::notify::{self, Event};
use crate::rules::model::CompiledRule;
use crate::rules::{round_robin, webhooks};
use crate::sla::due;
use crate::tickets::events;
use crate::tickets::write::{self, NewMessage, apply_status};

/// Runs `rule`'s actions on the ticket; returns the events they caused (status or
/// assignment changed), for the rules that listen to those.
pub async fn apply(
    ch: &Change<'_>,
    ticket_id: i64,
    rule: &CompiledRule,
    event: RuleEvent,
) -> AppResult<Vec<RuleEvent>> {
    let db = ch.db();
    let mut caused = Vec::new();
    let mut rechoose = false;
    for (i, action) in rule.actions.iter().enumerate() {
        let t = load(db, ticket_id).await?;
        let outcome = match action {
            Action::SetPriority { value } if *value != t.priority => {
                rechoose = true;
                set_priority(db, t, *value).await?
            }
            Action::SetCategory { id } if *id != t.category_id => set_category(db, t, *id, &mut rechoose).await?,
            Action::SetStatus { value } => set_status(ch, t, *value, &mut caused).await?,
            Action::Close {} => set_status(ch, t, TicketStatus::Closed, &mut caused).await?,
            Action::MarkSpam {} => {
                retag(db, ticket_id, "spam", true).await?;
                close_quietly(db, t, &mut caused).await?;
                Done("marked as spam and closed without a mail".into())
            }
            Action::Assign { agent_id } => assign(ch, t, Some(*agent_id), "assigned", &mut caused).await?,
            Action::AssignRoundRobin {} | Action::AssignLeastLoaded {} => {
                assign_by_rota(ch, t, rule, action, &mut caused).await?
            }
            Action::AddTag { tag } => retag(db, ticket_id, tag, true).await?,
            Action::RemoveTag { tag } => retag(db, ticket_id, tag, false).await?,
            Action::AddSubscriber { email } => add_subscriber(db, ticket_id, email).await?,
            Action::AddNote { body } => add_note(db, &t, body).await?,
            Action::SendMail { to, subject, body } => send_mail(ch, &t, rule, to, subject, body).await?,
            Action::Webhook { url, .. } => webhook(ch, rule, i, event, ticket_id, url).await?,
            _ => Unchanged,
        };
        match outcome {
            Done(what) => note(db, ticket_id, rule, &what).await?,
            Skipped(why) => note(db, ticket_id, rule, &format!("skipped: {why}")).await?,
            Unchanged => {}
        }
    }
    due::sync(db, ticket_id, rechoose, Utc::now()).await?;
    Ok(caused)
}

async fn set_priority(db: &impl ConnectionTrait, t: ticket::Model, value: protocol::Priority) -> AppResult<Outcome> {
    let ticket_id = t.id;
    let old = t.priority;
    let mut a = t.into_active_model();
    a.priority = Set(value);
    save(db, a).await?;
    events::record(
        db,
        ticket_id,
        None,
        EventKind::Priority,
        Some(old.as_str().into()),
        Some(value.as_str().into()),
    )
    .await?;
    Ok(Done(format!("set priority to {value}")))
}

/// Round robin or least loaded, among the agents of the ticket's category; a ticket without
/// one is skipped with a note saying so.
async fn assign_by_rota(
    ch: &Change<'_>,
    t: ticket::Model,
    rule: &CompiledRule,
    action: &Action,
    caused: &mut Vec<RuleEvent>,
) -> AppResult<Outcome> {
    let db = ch.db();
    let Some(category) = t.category_id else {
        note(db, t.id, rule, "skipped assignment: the ticket has no category").await?;
        // Noted already, in its own words.
        return Ok(Unchanged);
    };
    let round_robin = matches!(action, Action::AssignRoundRobin {});
    let pick = if round_robin {
        round_robin::next(db, category, Utc::now()).await?
    } else {
        round_robin::least_loaded(db, category).await?
    };
    let how = if round_robin {
        "assigned by round robin"
    } else {
        "assigned to the least loaded agent"
    };
    assign(ch, t, pick, how, caused).await
}

async fn add_note(db: &impl ConnectionTrait, t: &ticket::Model, body: &str) -> AppResult<Outcome> {
    let note = NewMessage {
        ticket_version: Some(t.version),
        ..NewMessage::new(t.id, MessageKind::Note, body.to_owned())
    };
    write::add_message(db, note).await?;
    Ok(Done("added an internal note".into()))
}

/// Queues the call of the rule's `index`-th action, signed with its secret.
async fn webhook(
    ch: &Change<'_>,
    rule: &CompiledRule,
    index: usize,
    event: RuleEvent,
    ticket_id: i64,
    url: &str,
) -> AppResult<Outcome> {
    let db = ch.db();
    Ok(match rule.secrets.get(index).cloned().flatten() {
        Some(secret) => {
            let secret = secret.for_delivery(ch.ctx().keys())?;
            let id = webhooks::enqueue(db, rule, event, ticket_id, url, &secret).await?;
            Done(format!("queued webhook call {id} to {}", webhooks::host_of(url)))
        }
        // Saves refuse a webhook without a secret; only a hand-edited row lacks one.
        None => Skipped(format!("the webhook to {} has no secret", webhooks::host_of(url))),
    })
}

enum Outcome {
    Done(String),
    Skipped(String),
    Unchanged,
}
use Outcome::{Done, Skipped, Unchanged};

/// The `rule` history row: which rule did what.
pub async fn note(db: &impl ConnectionTrait, ticket_id: i64, rule: &CompiledRule, what: &str) -> AppResult<()> {
    let text = format!("{} (rule {}): {what}", rule.name, rule.id);
    events::record(db, ticket_id, None, EventKind::Rule, None, Some(text)).await
}

async fn load(db: &impl ConnectionTrait, id: i64) -> AppResult<ticket::Model> {
    ticket::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))
}

async fn save(db: &impl ConnectionTrait, mut a: ticket::ActiveModel) -> AppResult<()> {
    a.updated_at = Set(Utc::now());
    a.update(db).await?;
    Ok(())
}

async fn set_category(
    db: &impl ConnectionTrait,
    t: ticket::Model,
    id: Option<i64>,
    rechoose: &mut bool,
) -> AppResult<Outcome> {
    if let Some(c) = id
        && category::Entity::find_by_id(c).one(db).await?.is_none()
    {
        return Ok(Skipped(format!("category {c} no longer exists")));
    }
    let (ticket_id, old) = (t.id, t.category_id);
    let mut a = t.into_active_model();
    a.category_id = Set(id);
    save(db, a).await?;
    let s = |v: Option<i64>| v.map(|v| v.to_string());
    events::record(db, ticket_id, None, EventKind::Category, s(old), s(id)).await?;
    *rechoose = true;
    Ok(Done(match id {
        Some(c) => format!("set category to {c}"),
        None => "cleared the category".into(),
    }))
}

async fn set_status(
    ch: &Change<'_>,
    t: ticket::Model,
    next: TicketStatus,
    caused: &mut Vec<RuleEvent>,
) -> AppResult<Outcome> {
    let db = ch.db();
    let current = t.status;
    if current == next {
        return Ok(Unchanged);
    }
    let ticket_id = t.id;
    let mut a = t.into_active_model();
    apply_status(db, &mut a, current, next, None).await?;
    save(db, a).await?;
    if next == TicketStatus::Closed {
        notify::notify(ch, Event::Closed { ticket_id, actor: None }).await?;
    }
    caused.push(RuleEvent::StatusChanged);
    Ok(Done(format!("set status to {next}")))
}

/// Closes without the "ticket closed" notification.
async fn close_quietly(db: &impl ConnectionTrait, t: ticket::Model, caused: &mut Vec<RuleEvent>) -> AppResult<()> {
    let current = t.status;
    if current == TicketStatus::Closed {
        return Ok(());
    }
    let mut a = t.into_active_model();
    apply_status(db, &mut a, current, TicketStatus::Closed, None).await?;
    save(db, a).await?;
    caused.push(RuleEvent::StatusChanged);
    Ok(())
}

async fn assign(
    ch: &Change<'_>,
    t: ticket::Model,
    agent: Option<i64>,
    how: &str,
    caused: &mut Vec<RuleEvent>,
) -> AppResult<Outcome> {
    let db = ch.db();
    let Some(agent) = agent else {
        return Ok(Skipped(format!("{how}: no active agent in the ticket's category")));
    };
    if t.assignee_id == Some(agent) {
        return Ok(Unchanged);
    }
    let staff = user::Entity::find_by_id(agent)
        .one(db)
        .await?
        .filter(|u| u.is_active && u.role.is_staff());
    if staff.is_none() {
        return Ok(Skipped(format!("user {agent} is not an active agent")));
    }
    let (ticket_id, old) = (t.id, t.assignee_id);
    let mut a = t.into_active_model();
    write::apply_assignee(db, &mut a, old, Some(agent), None).await?;
    save(db, a).await?;
    let mail = Event::Assigned {
        ticket_id,
        assignee: agent,
        actor: None,
    };
    notify::notify(ch, mail).await?;
    caused.push(RuleEvent::AssignmentChanged);
    Ok(Done(format!("{how}: agent {agent}")))
}

/// The rule's own mail, to the requester, the assignee or an address; rendered and queued like
/// a notification (so the outbound policy may hold it: a robot, a bounced address, a loop).
async fn send_mail(
    ch: &Change<'_>,
    t: &ticket::Model,
    rule: &CompiledRule,
    to: &str,
    subject: &str,
    body: &str,
) -> AppResult<Outcome> {
    let to = to.trim();
    let recipient = match to {
        "requester" => notify::MailTo::User(t.requester_id),
        "assignee" => match t.assignee_id {
            Some(a) => notify::MailTo::User(a),
            None => return Ok(Skipped("send mail: the ticket has no assignee".into())),
        },
        address => match normalize_email(address) {
            Ok(email) => notify::MailTo::Address(email),
            Err(_) => return Ok(Skipped(format!("send mail: {address:?} is not an e-mail address"))),
        },
    };
    let mail = notify::RuleMail {
        ticket_id: t.id,
        to: recipient,
        rule_name: &rule.name,
        subject,
        body,
    };
    let report = notify::rule_mail(ch, mail).await?;
    Ok(match report.queued.first() {
        Some(q) if q.status == protocol::OutboundStatus::Suppressed => Skipped(format!(
            "mail {} held by the outbound policy: {}",
            q.id,
            q.note.as_deref().unwrap_or("suppressed")
        )),
        Some(q) => Done(format!("queued mail {} to {to}", q.id)),
        None => Skipped(format!("send mail: no address for {to}")),
    })
}

async fn retag(db: &impl ConnectionTrait, ticket_id: i64, tag: &str, add: bool) -> AppResult<Outcome> {
    let tag = tag.trim().to_lowercase();
    if !write::toggle_tag(db, ticket_id, &tag, add, None).await? {
        return Ok(Unchanged);
    }
    Ok(Done(if add {
        format!("added tag {tag}")
    } else {
        format!("removed tag {tag}")
    }))
}

async fn add_subscriber(db: &impl ConnectionTrait, ticket_id: i64, raw: &str) -> AppResult<Outcome> {
    let Ok(email) = normalize_email(raw) else {
        return Ok(Skipped(format!("{raw:?} is not an e-mail address")));
    };
    Ok(match write::subscribe(db, ticket_id, &email, None).await? {
        Some(_) => Done(format!("added subscriber {email}")),
        None => Unchanged,
    })
}
