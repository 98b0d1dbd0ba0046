//! From a ticket event to the mails it causes: who gets which template, with which links,
//! from which address — all written to the outbox in the caller's transaction. The rules are
//! seed 002's settings; internal notes never appear (they are not even loaded, see facts.rs).

use entity::{attachment, user};
use lettre::message::dkim::DkimConfig;
use protocol::{EventKind, NotificationSettings, Role, TemplateEvent};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::blobs::BlobStore;
use crate::error::AppResult;
use crate::keys::Keys;
use crate::lookups::{self, Lookups};
use crate::mail::outbound::compose::{Draft, Origin, OutAttachment, Person};
use crate::mail::outbound::facts::{self, TicketFacts};
use crate::mail::outbound::links::LinkBase;
use crate::mail::outbound::notification_settings::{self, subject_line};
use crate::mail::outbound::policy;
use crate::mail::outbound::queue::{self, Outgoing, Queued};
use crate::mail::outbound::templates::render::{Mode, RecipientVars, TicketVars, render};
use crate::mail::outbound::templates::{self, is_off};
use crate::mail::signed_ids;
use crate::settings::Settings;
use crate::tickets::events;

/// What happened, as far as mail is concerned.
#[derive(Debug, Clone, Copy)]
pub enum Event {
    /// A new ticket; `by_email` when it arrived as a mail (only those are confirmed).
    Created {
        ticket_id: i64,
        actor: i64,
        by_email: bool,
    },
    /// A person of staff answered publicly (in the browser or by mail).
    Reply {
        ticket_id: i64,
        message_id: i64,
        author: i64,
    },
    /// The customer (or a subscriber) wrote again.
    CustomerUpdate {
        ticket_id: i64,
        message_id: i64,
        author: i64,
    },
    Assigned {
        ticket_id: i64,
        assignee: i64,
        actor: Option<i64>,
    },
    Taken {
        ticket_id: i64,
        actor: i64,
    },
    Closed {
        ticket_id: i64,
        actor: Option<i64>,
    },
    Overdue {
        ticket_id: i64,
    },
}

impl Event {
    pub fn ticket_id(&self) -> i64 {
        match *self {
            Event::Created { ticket_id, .. }
            | Event::Reply { ticket_id, .. }
            | Event::CustomerUpdate { ticket_id, .. }
            | Event::Assigned { ticket_id, .. }
            | Event::Taken { ticket_id, .. }
            | Event::Closed { ticket_id, .. }
            | Event::Overdue { ticket_id } => ticket_id,
        }
    }
}

/// Everything outside the database a notification needs.
pub struct Env<'a> {
    pub settings: &'a Settings,
    pub keys: &'a Keys,
    pub blobs: &'a BlobStore,
    pub dkim: Option<&'a DkimConfig>,
    /// Finds `#Suggested_KB_articles#`; without it the list stays empty.
    pub search: Option<&'a dyn crate::search::SearchEngine>,
    /// Configuration read once per transaction (a batch of inbound mail); `None` reads it
    /// every time.
    pub lookups: Option<&'a Lookups>,
}

/// What was queued; `warnings` are for the agent (a bounced address mailed anyway).
#[derive(Debug, Default)]
pub struct Report {
    pub queued: Vec<Queued>,
    pub warnings: Vec<String>,
}

struct Recipient {
    email: String,
    name: Option<String>,
    user: Option<user::Model>,
    /// A subscriber (gets the unsubscribe link), not the requester.
    subscriber: bool,
}

impl Recipient {
    fn of_user(u: &user::Model) -> Self {
        Self {
            email: u.email.clone(),
            name: Some(u.name.clone()),
            user: Some(u.clone()),
            subscriber: false,
        }
    }

    fn is_customer(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| Role::parse(&u.role) == Some(Role::Customer))
    }
}

/// Where a mail's text comes from.
#[derive(Clone, Copy)]
enum Kind<'a> {
    /// The (admin's or built-in) template of a notification event.
    Template(TemplateEvent),
    /// Written in an automation rule.
    Rule { subject: &'a str, body: &'a str },
}

impl Kind<'_> {
    fn is(self, event: TemplateEvent) -> bool {
        matches!(self, Kind::Template(e) if e == event)
    }

    /// The outbox's `template` column.
    fn name(self) -> &'static str {
        match self {
            Kind::Template(e) => e.as_str(),
            Kind::Rule { .. } => "rule",
        }
    }
}

/// One kind of mail to a list of people.
struct Send<'a> {
    kind: Kind<'a>,
    recipients: Vec<Recipient>,
    what_happened: String,
    originator: String,
    /// A person wrote it (a reply): From carries their name and no auto markers.
    human_author: Option<&'a user::Model>,
    origin: Origin,
    message_id: Option<i64>,
    /// One mail with the others in CC (seed 002's CC mode) instead of one each.
    as_cc: bool,
}

pub async fn notify(db: &impl ConnectionTrait, env: &Env<'_>, event: Event) -> AppResult<Report> {
    let f = facts::load(db, env.lookups, event.ticket_id()).await?;
    notify_with(db, env, event, f).await
}

/// [`notify`] about a ticket row the caller holds as it now stands, with the people it has at
/// hand (see [`facts::load_for`]).
pub async fn notify_for(
    db: &impl ConnectionTrait,
    env: &Env<'_>,
    event: Event,
    ticket: entity::ticket::Model,
    at_hand: &[&user::Model],
    written: Option<&entity::message::Model>,
) -> AppResult<Report> {
    let f = facts::load_for(db, env.lookups, ticket, at_hand, written).await?;
    notify_with(db, env, event, f).await
}

/// [`notify`] with the ticket's facts already at hand (a ticket just made from a mail).
pub async fn notify_with(
    db: &impl ConnectionTrait,
    env: &Env<'_>,
    event: Event,
    mut f: TicketFacts,
) -> AppResult<Report> {
    let settings = lookups::notification_settings(env.lookups, db).await?;
    let (ticket_id, actor) = match event {
        Event::Created { ticket_id, actor, .. }
        | Event::Reply {
            ticket_id,
            author: actor,
            ..
        }
        | Event::CustomerUpdate {
            ticket_id,
            author: actor,
            ..
        }
        | Event::Taken { ticket_id, actor } => (ticket_id, Some(actor)),
        Event::Assigned { ticket_id, actor, .. } | Event::Closed { ticket_id, actor } => (ticket_id, actor),
        Event::Overdue { ticket_id } => (ticket_id, None),
    };
    // Mail from a customer: the actor is the requester, loaded already.
    let actor_user = match actor {
        Some(id) if id == f.requester.id => Some(f.requester.clone()),
        Some(id) => user::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let actor_name = actor_user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_else(|| "Maildesk".into());
    let not_actor = |u: &user::Model| Some(u.id) != actor;
    let mut sends: Vec<Send<'_>> = Vec::new();
    match event {
        Event::Created { by_email, .. } => {
            let first = f.public.first().map(|m| m.body_text.clone()).unwrap_or_default();
            let requester_is_staff = Role::parse(&f.requester.role).is_some_and(Role::is_staff);
            if settings.enabled && settings.ticket_confirmation && by_email && !requester_is_staff {
                sends.push(Send {
                    kind: Kind::Template(TemplateEvent::NewTicketConfirmation),
                    recipients: vec![Recipient::of_user(&f.requester)],
                    what_happened: first.clone(),
                    originator: f.requester.name.clone(),
                    human_author: None,
                    origin: Origin::AutoReplied,
                    message_id: None,
                    as_cc: false,
                });
            }
            if settings.enabled {
                let staff = lookups::staff_to_alert(
                    env.lookups,
                    db,
                    f.ticket.category_id,
                    settings.notify_category_agents_of_new_tickets,
                    settings.notify_admins_of_new_tickets,
                )
                .await?;
                sends.push(Send {
                    kind: Kind::Template(TemplateEvent::NewTicketAlert),
                    recipients: staff.iter().filter(|u| not_actor(u)).map(Recipient::of_user).collect(),
                    what_happened: first,
                    originator: actor_name.clone(),
                    human_author: None,
                    origin: Origin::AutoGenerated,
                    message_id: None,
                    as_cc: false,
                });
            }
        }
        Event::Reply { message_id, .. } => {
            // The answer itself: always sent, whatever the notification switches say.
            let text = f
                .public
                .iter()
                .find(|m| m.id == message_id)
                .map(|m| m.body_text.clone());
            let mut to = vec![Recipient::of_user(&f.requester)];
            to.extend(subscriber_recipients(db, &f).await?);
            to.retain(|r| {
                actor_user
                    .as_ref()
                    .is_none_or(|a| !a.email.eq_ignore_ascii_case(&r.email))
            });
            sends.push(Send {
                kind: Kind::Template(TemplateEvent::Reply),
                recipients: to,
                what_happened: text.unwrap_or_default(),
                originator: actor_name.clone(),
                human_author: actor_user.as_ref(),
                origin: Origin::Human,
                message_id: Some(message_id),
                as_cc: settings.subscribers_in_cc,
            });
        }
        Event::CustomerUpdate { message_id, .. } if settings.enabled => {
            let text = f
                .public
                .iter()
                .find(|m| m.id == message_id)
                .map(|m| m.body_text.clone())
                .unwrap_or_default();
            let staff = match (&f.assignee, settings.notify_all_category_agents_on_customer_update) {
                (Some(a), false) => vec![a.clone()],
                _ => lookups::staff_to_alert(env.lookups, db, f.ticket.category_id, true, false).await?,
            };
            sends.push(Send {
                kind: Kind::Template(TemplateEvent::CustomerUpdateAlert),
                recipients: staff.iter().filter(|u| not_actor(u)).map(Recipient::of_user).collect(),
                what_happened: text.clone(),
                originator: actor_name.clone(),
                human_author: None,
                origin: Origin::AutoGenerated,
                message_id: Some(message_id),
                as_cc: false,
            });
            if !settings.subscriber_updates_only_from_staff {
                let mut others = vec![Recipient::of_user(&f.requester)];
                others.extend(subscriber_recipients(db, &f).await?);
                others.retain(|r| {
                    actor_user
                        .as_ref()
                        .is_none_or(|a| !a.email.eq_ignore_ascii_case(&r.email))
                });
                sends.push(Send {
                    kind: Kind::Template(TemplateEvent::Reply),
                    recipients: others,
                    what_happened: text,
                    originator: actor_name.clone(),
                    human_author: None,
                    origin: Origin::AutoGenerated,
                    message_id: Some(message_id),
                    as_cc: settings.subscribers_in_cc,
                });
            }
        }
        Event::CustomerUpdate { .. } => {}
        Event::Assigned { assignee, .. } if settings.enabled && Some(assignee) != actor => {
            if let Some(a) = user::Entity::find_by_id(assignee).one(db).await? {
                sends.push(Send {
                    kind: Kind::Template(TemplateEvent::AssignmentAlert),
                    recipients: vec![Recipient::of_user(&a)],
                    what_happened: format!("{actor_name} assigned this ticket to {}", a.name),
                    originator: actor_name.clone(),
                    human_author: None,
                    origin: Origin::AutoGenerated,
                    message_id: None,
                    as_cc: false,
                });
            }
        }
        Event::Assigned { .. } => {}
        Event::Taken { .. } if settings.enabled && settings.notify_on_take => {
            let staff = lookups::staff_to_alert(env.lookups, db, f.ticket.category_id, true, false).await?;
            sends.push(Send {
                kind: Kind::Template(TemplateEvent::TicketTaken),
                recipients: staff.iter().filter(|u| not_actor(u)).map(Recipient::of_user).collect(),
                what_happened: format!("{actor_name} took this ticket"),
                originator: actor_name.clone(),
                human_author: None,
                origin: Origin::AutoGenerated,
                message_id: None,
                as_cc: false,
            });
        }
        Event::Taken { .. } => {}
        Event::Closed { .. } if settings.enabled && settings.ticket_closed_notification => {
            sends.push(Send {
                kind: Kind::Template(TemplateEvent::TicketClosed),
                recipients: vec![Recipient::of_user(&f.requester)],
                what_happened: "The ticket has been closed".into(),
                originator: actor_name.clone(),
                human_author: None,
                origin: Origin::AutoGenerated,
                message_id: None,
                as_cc: false,
            });
        }
        Event::Closed { .. } => {}
        Event::Overdue { .. } if settings.enabled => {
            let staff = match &f.assignee {
                Some(a) => vec![a.clone()],
                None => lookups::staff_to_alert(env.lookups, db, f.ticket.category_id, true, false).await?,
            };
            sends.push(Send {
                kind: Kind::Template(TemplateEvent::OverdueAlert),
                recipients: staff.iter().map(Recipient::of_user).collect(),
                what_happened: "The ticket is overdue".into(),
                originator: "Maildesk".into(),
                human_author: None,
                origin: Origin::AutoGenerated,
                message_id: None,
                as_cc: false,
            });
        }
        Event::Overdue { .. } => {}
    }
    let mut report = Report::default();
    // A customer's follow-up on an unassigned ticket often concerns nobody yet: then there is
    // nothing to render (the variables read the thread's files).
    sends.retain(|s| !s.recipients.is_empty());
    if sends.is_empty() {
        return Ok(report);
    }
    f.complete_thread(db).await?;
    let vars = f
        .vars(db, env.lookups, &env.settings.http.public_url, send_message(&sends))
        .await?;
    for s in sends {
        send(db, env, &settings, &f, &vars, s, &mut report).await?;
    }
    for w in &report.warnings {
        events::record(db, ticket_id, actor, EventKind::DeliveryWarning, None, Some(w.clone())).await?;
    }
    Ok(report)
}

/// Who a rule's mail goes to.
#[derive(Debug, Clone)]
pub enum MailTo {
    User(i64),
    Address(String),
}

/// A mail an automation rule sends: its own subject and body, with the template placeholders.
#[derive(Debug, Clone)]
pub struct RuleMail<'a> {
    pub ticket_id: i64,
    pub to: MailTo,
    pub rule_name: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Queues a rule's mail as an automatic one (the outbound policy applies), whatever the
/// notification switches say: an admin asked for this mail by writing the rule.
pub async fn rule_mail(db: &impl ConnectionTrait, env: &Env<'_>, m: RuleMail<'_>) -> AppResult<Report> {
    let settings = lookups::notification_settings(env.lookups, db).await?;
    let f = facts::load(db, env.lookups, m.ticket_id).await?;
    let recipient = match m.to {
        MailTo::User(id) => match user::Entity::find_by_id(id).one(db).await? {
            Some(u) => Recipient::of_user(&u),
            None => return Ok(Report::default()),
        },
        MailTo::Address(email) => {
            let u = user::Entity::find()
                .filter(user::Column::Email.eq(email.clone()))
                .one(db)
                .await?;
            Recipient {
                email,
                name: u.as_ref().map(|u| u.name.clone()),
                user: u,
                subscriber: false,
            }
        }
    };
    let s = Send {
        kind: Kind::Rule {
            subject: m.subject,
            body: m.body,
        },
        recipients: vec![recipient],
        what_happened: format!("Automation rule: {}", m.rule_name),
        originator: "Maildesk".into(),
        human_author: None,
        origin: Origin::AutoGenerated,
        message_id: None,
        as_cc: false,
    };
    let vars = f.vars(db, env.lookups, &env.settings.http.public_url, None).await?;
    let mut report = Report::default();
    send(db, env, &settings, &f, &vars, s, &mut report).await?;
    Ok(report)
}

fn uses_kb_suggestions(t: &protocol::EmailTemplate) -> bool {
    [&t.subject, &t.body_text, &t.body_html]
        .iter()
        .any(|part| part.contains("Suggested_KB_articles"))
}

/// Public articles that may answer the ticket, as (title, link). Search trouble leaves the
/// list empty: a mail is never held back for it.
async fn kb_suggestions(env: &Env<'_>, f: &TicketFacts) -> Vec<(String, String)> {
    let Some(engine) = env.search else {
        return Vec::new();
    };
    let mut text = f.ticket.subject.clone();
    if let Some(first) = f
        .public
        .iter()
        .find(|m| m.kind == protocol::MessageKind::Customer.as_str())
    {
        text.push('\n');
        text.extend(
            first
                .body_text
                .chars()
                .take(crate::search::query::SUGGESTION_TEXT_LIMIT),
        );
    }
    match crate::search::service::suggest(engine, &text, true).await {
        Ok(found) => found
            .into_iter()
            .map(|m| (m.title, crate::search::service::article_url(env.settings, m.id)))
            .collect(),
        Err(e) => {
            tracing::warn!(ticket = f.ticket.id, error = %e, "no article suggestions for a mail");
            Vec::new()
        }
    }
}

fn send_message(sends: &[Send<'_>]) -> Option<i64> {
    sends.iter().find_map(|s| s.message_id)
}

async fn subscriber_recipients(db: &impl ConnectionTrait, f: &TicketFacts) -> AppResult<Vec<Recipient>> {
    let mut out = Vec::new();
    for s in &f.subscribers {
        if s.email.eq_ignore_ascii_case(&f.requester.email) {
            continue;
        }
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(s.email.clone()))
            .one(db)
            .await?;
        out.push(Recipient {
            email: s.email.clone(),
            name: u.as_ref().map(|u| u.name.clone()),
            user: u,
            subscriber: true,
        });
    }
    Ok(out)
}

/// The files of the message a reply mail carries (seed 002: "include attachments").
async fn files_of(db: &impl ConnectionTrait, blobs: &BlobStore, message_id: i64) -> AppResult<Vec<OutAttachment>> {
    let rows = attachment::Entity::find()
        .filter(attachment::Column::MessageId.eq(message_id))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for a in rows {
        match blobs.get(&a.sha256).await {
            Ok(bytes) => out.push(OutAttachment {
                filename: a.filename,
                content_type: a.content_type,
                bytes,
                content_id: a.content_id.filter(|_| a.inline),
            }),
            // A missing blob must not stop the mail; the link list still names the file.
            Err(e) => tracing::warn!(attachment = a.id, error = %e, "attachment blob missing; mail sent without it"),
        }
    }
    Ok(out)
}

async fn send(
    db: &impl ConnectionTrait,
    env: &Env<'_>,
    settings: &NotificationSettings,
    f: &TicketFacts,
    vars: &TicketVars,
    s: Send<'_>,
    report: &mut Report,
) -> AppResult<()> {
    let template = match s.kind {
        Kind::Template(event) => lookups::template(env.lookups, db, event).await?,
        Kind::Rule { subject, body } => protocol::EmailTemplate {
            // Only for the type: a rule's mail has no event of its own.
            event: TemplateEvent::NewTicketAlert,
            subject: subject.to_owned(),
            body_text: body.to_owned(),
            body_html: String::new(),
            is_default: false,
        },
    };
    if is_off(&template) || s.recipients.is_empty() {
        return Ok(());
    }
    let with_articles;
    let vars = if uses_kb_suggestions(&template) && vars.kb_articles.is_empty() {
        with_articles = TicketVars {
            kb_articles: kb_suggestions(env, f).await,
            ..vars.clone()
        };
        &with_articles
    } else {
        vars
    };
    let automatic = s.origin != Origin::Human;
    let links = LinkBase {
        public_url: &env.settings.http.public_url,
        keys: env.keys,
    };
    let (from, reply_to) = sender(env.settings, settings, f, s.human_author);
    let attachments = match s.message_id {
        Some(m) if settings.attach_files && s.kind.is(TemplateEvent::Reply) => files_of(db, env.blobs, m).await?,
        _ => Vec::new(),
    };
    // CC mode: one mail, To the first, CC the rest; no personal links in it.
    let groups: Vec<Vec<&Recipient>> = if s.as_cc {
        vec![s.recipients.iter().collect()]
    } else {
        s.recipients.iter().map(|r| vec![r]).collect()
    };
    let all_emails: Vec<String> = s.recipients.iter().map(|r| r.email.clone()).collect();
    for group in groups {
        let Some(first) = group.first() else { continue };
        let personal = group.len() == 1 && !s.as_cc;
        let requester = first.user.as_ref().filter(|u| u.id == f.ticket.requester_id);
        let url = if let Some(u) = requester.filter(|_| personal && first.is_customer() && settings.autologin_links) {
            links.autologin(u.id, f.ticket.id)?
        } else {
            links.ticket(f.ticket.id)
        };
        let rvars = RecipientVars {
            what_happened: s.what_happened.clone(),
            originator: s.originator.clone(),
            name: first.name.clone().unwrap_or_else(|| first.email.clone()),
            url,
            recipients: all_emails.clone(),
            unsubscribe_url: (personal && first.subscriber)
                .then(|| links.unsubscribe(f.ticket.id, &first.email))
                .transpose()?,
            rating_urls: (personal && s.kind.is(TemplateEvent::TicketClosed) && first.is_customer())
                .then(|| links.ratings(first.user.as_ref().map_or(0, |u| u.id), f.ticket.id))
                .transpose()?,
        };
        // A mail to one person carries a marker bound to their address: a staff member's
        // answer proves itself with it (see `mail::inbound::staff_proof`).
        let marker = if personal {
            signed_ids::reference_marker_for(env.keys, f.ticket.id, &first.email)
        } else {
            signed_ids::reference_marker(env.keys, f.ticket.id)
        };
        let subject = subject_line(
            &settings.subject_format,
            f.ticket.id,
            &render(&template.subject, Mode::Text, vars, &rvars),
        );
        let text = format!(
            "{}\n\n{marker}\n",
            render(&template.body_text, Mode::Text, vars, &rvars).trim_end()
        );
        let html = (!template.body_html.trim().is_empty()).then(|| {
            format!(
                "<!DOCTYPE html><html><body>{}<p style=\"color:#aaa;font-size:10px\">{marker}</p></body></html>",
                render(&template.body_html, Mode::Html, vars, &rvars)
            )
        });
        if !automatic && let Some(reason) = policy::suppressed(db, &first.email).await? {
            report
                .warnings
                .push(format!("{} bounced recently ({reason}); sent anyway", first.email));
        }
        let person = |r: &Recipient| Person {
            name: r.name.clone(),
            email: r.email.clone(),
        };
        let draft = Draft {
            from: from.clone(),
            reply_to: Some(reply_to.clone()),
            to: vec![person(first)],
            cc: group.iter().skip(1).map(|r| person(r)).collect(),
            subject,
            message_id: String::new(),
            in_reply_to: f.in_reply_to(),
            references: f.references(),
            thread_index: None,
            thread_topic: Some(f.ticket.subject.clone()),
            list_unsubscribe: rvars.unsubscribe_url.clone(),
            origin: s.origin,
            text,
            html,
            attachments: attachments.clone(),
        };
        let env_q = queue::Env {
            behind: env.lookups.and_then(Lookups::write_behind),
            keys: env.keys,
            domain: env.settings.mail_domain(),
            dkim: env.dkim,
            notifications: settings,
        };
        let q = queue::enqueue(
            db,
            &env_q,
            Outgoing {
                ticket_id: Some(f.ticket.id),
                ticket_started: Some(f.ticket.created_at),
                message_row_id: s.message_id,
                template: s.kind.name().into(),
                automatic,
                draft,
            },
        )
        .await?;
        report.queued.push(q);
    }
    Ok(())
}

/// From and Reply-To (seed 002): the ticket's mailbox address (or the global one); a person's
/// reply carries their name unless "From name for all" is on; system mail the mailbox's name.
fn sender(
    cfg: &Settings,
    settings: &NotificationSettings,
    f: &TicketFacts,
    human: Option<&user::Model>,
) -> (Person, String) {
    let (address, system_name) = match &f.mailbox {
        Some(m) => (m.address.clone(), m.name.clone()),
        None => (cfg.outbound.from_email.clone(), cfg.outbound.from_name.clone()),
    };
    let name = match human {
        Some(u) if !settings.from_name_for_all => format!("{} ({system_name})", u.name),
        _ => system_name,
    };
    (
        Person {
            name: Some(name),
            email: address.clone(),
        },
        address,
    )
}

/// `t` (unsaved) filled from ticket `ticket_id` as its requester would get it.
pub async fn preview(
    db: &impl ConnectionTrait,
    env: &Env<'_>,
    ticket_id: i64,
    t: &protocol::SaveTemplate,
) -> AppResult<protocol::TemplatePreview> {
    templates::validate(t)?;
    let settings = notification_settings::load(db).await?;
    let f = facts::load(db, env.lookups, ticket_id).await?;
    let vars = f.vars(db, env.lookups, &env.settings.http.public_url, None).await?;
    let links = LinkBase {
        public_url: &env.settings.http.public_url,
        keys: env.keys,
    };
    let rvars = RecipientVars {
        what_happened: f.public.last().map(|m| m.body_text.clone()).unwrap_or_default(),
        originator: f.requester.name.clone(),
        name: f.requester.name.clone(),
        url: links.ticket(ticket_id),
        recipients: vec![f.requester.email.clone()],
        unsubscribe_url: Some(links.unsubscribe(ticket_id, &f.requester.email)?),
        rating_urls: Some(links.ratings(f.requester.id, ticket_id)?),
    };
    Ok(protocol::TemplatePreview {
        subject: subject_line(
            &settings.subject_format,
            ticket_id,
            &render(&t.subject, Mode::Text, &vars, &rvars),
        ),
        body_text: render(&t.body_text, Mode::Text, &vars, &rvars),
        body_html: render(&t.body_html, Mode::Html, &vars, &rvars),
    })
}
