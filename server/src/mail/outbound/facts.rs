//! Everything a notification about one ticket needs, loaded once per event inside the
//! caller's transaction: the ticket's people, its public thread (internal notes and system
//! lines are never loaded, so no template can mail them), its mail ids for threading.

use std::collections::{BTreeSet, HashMap};

use entity::{attachment, category_agent, company, mailbox, message, subscriber, ticket, user};
use protocol::{MessageKind, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::directory::categories;
use crate::error::{AppError, AppResult};
use crate::mail::mailboxes;
use crate::mail::outbound::templates::render::{CustomFieldVar, FileLink, ThreadEntry, TicketVars};
use crate::memo::{Memo, Memoized};

pub struct TicketFacts {
    pub ticket: ticket::Model,
    pub requester: user::Model,
    pub assignee: Option<user::Model>,
    pub mailbox: Option<mailbox::Model>,
    pub subscribers: Vec<subscriber::Model>,
    /// Public messages, oldest first.
    pub public: Vec<message::Model>,
    pub authors: HashMap<i64, user::Model>,
    pub category_name: String,
    pub company_name: String,
    /// The public messages' files (not inline images), oldest first, when the caller knows
    /// them (it just stored them); read by [`TicketFacts::vars`] otherwise.
    pub files: Option<Vec<attachment::Model>>,
    /// `public` holds the whole thread (not only the message just written): see
    /// [`TicketFacts::complete_thread`].
    pub thread_complete: bool,
}

const THREAD_LIMIT: u64 = 50;

/// The messages a notification may quote: never internal notes or system lines.
pub const PUBLIC_KINDS: [MessageKind; 2] = [MessageKind::Customer, MessageKind::Reply];

/// A ticket's subscribers as a batch of inbound mail read them up front: served once (the
/// next read must see what the batch wrote since), dropped when the batch changes them.
#[derive(Hash, PartialEq, Eq)]
pub struct SubscribersRead(pub i64);
impl Memoized for SubscribersRead {
    type Value = Vec<subscriber::Model>;
}

/// `memo` serves the rows a change reads again and again (mailboxes, categories); the ticket's
/// own rows are always read fresh.
pub async fn load(db: &impl ConnectionTrait, memo: &Memo, ticket_id: i64) -> AppResult<TicketFacts> {
    let ticket = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    load_for(db, memo, ticket, &[], None).await
}

/// [`load`] for a ticket row the caller holds as it now stands (it just wrote it), with the
/// people it has at hand (the sender of a mail): those are not read again. With the message
/// it just `written`, the rest of the thread is read only if a mail is to be rendered.
pub async fn load_for(
    db: &impl ConnectionTrait,
    memo: &Memo,
    ticket: ticket::Model,
    at_hand: &[&user::Model],
    written: Option<&message::Model>,
) -> AppResult<TicketFacts> {
    let ticket_id = ticket.id;
    let person = |id: i64| at_hand.iter().find(|u| u.id == id).map(|u| (*u).clone());
    let requester = match person(ticket.requester_id) {
        Some(u) => u,
        None => user::Entity::find_by_id(ticket.requester_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound("user"))?,
    };
    let assignee = match ticket.assignee_id {
        Some(id) => match person(id) {
            Some(u) => Some(u),
            None => user::Entity::find_by_id(id).one(db).await?,
        },
        None => None,
    };
    let subscribers = match memo.take(&SubscribersRead(ticket_id)) {
        Some(list) => list,
        None => {
            subscriber::Entity::find()
                .filter(subscriber::Column::TicketId.eq(ticket_id))
                .order_by_asc(subscriber::Column::Id)
                .all(db)
                .await?
        }
    };
    let (public, thread_complete) = match written {
        Some(m) => (is_public(m).then(|| m.clone()).into_iter().collect(), false),
        None => (thread(db, ticket_id).await?, true),
    };
    let rows = Rows {
        ticket,
        requester,
        assignee,
        subscribers,
        public,
        files: None,
    };
    let mut f = assemble(db, memo, rows).await?;
    f.thread_complete = thread_complete;
    Ok(f)
}

fn is_public(m: &message::Model) -> bool {
    PUBLIC_KINDS.contains(&m.kind)
}

/// The ticket's public messages, oldest first (the newest [`THREAD_LIMIT`]).
async fn thread(db: &impl ConnectionTrait, ticket_id: i64) -> AppResult<Vec<message::Model>> {
    let mut public = message::Entity::find()
        .filter(message::Column::TicketId.eq(ticket_id))
        .filter(message::Column::Kind.is_in(PUBLIC_KINDS))
        .order_by_desc(message::Column::Id)
        .limit(THREAD_LIMIT)
        .all(db)
        .await?;
    public.reverse();
    Ok(public)
}

/// Adds the authors of `public` not in `authors` yet.
async fn add_authors(
    db: &impl ConnectionTrait,
    authors: &mut HashMap<i64, user::Model>,
    public: &[message::Model],
) -> AppResult<()> {
    let others: BTreeSet<i64> = public
        .iter()
        .filter_map(|m| m.author_id)
        .filter(|id| !authors.contains_key(id))
        .collect();
    if !others.is_empty() {
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(others))
            .all(db)
            .await?;
        authors.extend(rows.into_iter().map(|u| (u.id, u)));
    }
    Ok(())
}

/// The ticket's own rows, read by [`load`] or known to a caller that just wrote them (a new
/// ticket from a mail).
pub struct Rows {
    pub ticket: ticket::Model,
    pub requester: user::Model,
    pub assignee: Option<user::Model>,
    pub subscribers: Vec<subscriber::Model>,
    /// Public messages (customer mails and replies), oldest first.
    pub public: Vec<message::Model>,
    /// Their files, if known (see [`TicketFacts::files`]).
    pub files: Option<Vec<attachment::Model>>,
}

/// Completes the facts from the ticket's rows: mailbox, authors, category and company names.
pub async fn assemble(db: &impl ConnectionTrait, memo: &Memo, rows: Rows) -> AppResult<TicketFacts> {
    let Rows {
        ticket,
        requester,
        assignee,
        subscribers,
        public,
        files,
    } = rows;
    let mailbox = match ticket.mailbox_id {
        Some(id) => mailboxes::row(memo, db, id).await?,
        None => None,
    };
    // The requester and the assignee are loaded already; most threads have no other author.
    let mut authors: HashMap<i64, user::Model> = [Some(&requester), assignee.as_ref()]
        .into_iter()
        .flatten()
        .map(|u| (u.id, u.clone()))
        .collect();
    add_authors(db, &mut authors, &public).await?;
    let category_name = match ticket.category_id {
        Some(id) => categories::rows(memo, db)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .map(|c| c.name),
        None => None,
    }
    .unwrap_or_default();
    let company_name = match requester.company_id {
        Some(id) => company::Entity::find_by_id(id).one(db).await?.map(|c| c.name),
        None => None,
    }
    .unwrap_or_default();
    Ok(TicketFacts {
        ticket,
        requester,
        assignee,
        mailbox,
        subscribers,
        public,
        authors,
        category_name,
        company_name,
        files,
        thread_complete: true,
    })
}

impl TicketFacts {
    /// Reads the rest of the thread when only the message just written was at hand.
    pub async fn complete_thread(&mut self, db: &impl ConnectionTrait) -> AppResult<()> {
        if self.thread_complete {
            return Ok(());
        }
        self.public = thread(db, self.ticket.id).await?;
        add_authors(db, &mut self.authors, &self.public).await?;
        self.thread_complete = true;
        Ok(())
    }

    /// The customer's newest mail: what our reply answers (`In-Reply-To`).
    pub fn in_reply_to(&self) -> Option<String> {
        self.public
            .iter()
            .rev()
            .find(|m| m.kind == MessageKind::Customer && m.email_message_id.is_some())
            .and_then(|m| m.email_message_id.clone())
    }

    /// Every mail id of the thread, oldest first, at most the last 10 (RFC 5322 allows
    /// trimming the middle; the first and the newest matter most).
    pub fn references(&self) -> Vec<String> {
        let ids: Vec<String> = self.public.iter().filter_map(|m| m.email_message_id.clone()).collect();
        if ids.len() <= 10 {
            return ids;
        }
        let mut out = vec![ids[0].clone()];
        out.extend_from_slice(&ids[ids.len() - 9..]);
        out
    }

    pub fn author_name(&self, m: &message::Model) -> String {
        m.author_id
            .and_then(|id| self.authors.get(&id))
            .map(|u| u.name.clone())
            .or_else(|| m.from_email.clone())
            .unwrap_or_else(|| "Unknown".into())
    }

    pub async fn vars(
        &self,
        db: &impl ConnectionTrait,
        memo: &Memo,
        public_url: &str,
        latest: Option<i64>,
    ) -> AppResult<TicketVars> {
        let t = &self.ticket;
        let files = match &self.files {
            Some(known) => known.clone(),
            None => {
                attachment::Entity::find()
                    .filter(attachment::Column::TicketId.eq(t.id))
                    .filter(attachment::Column::MessageId.is_in(self.public.iter().map(|m| m.id)))
                    .filter(attachment::Column::Inline.eq(false))
                    .order_by_asc(attachment::Column::Id)
                    .all(db)
                    .await?
            }
        };
        let link = |a: &attachment::Model| FileLink {
            filename: a.filename.clone(),
            size: a.size,
            url: format!("{public_url}{}/attachments/{}", protocol::API_BASE, a.id),
        };
        let subscriber_roles = self.subscriber_staff_flags(db).await?;
        let custom_fields = crate::custom_fields::values::of_ticket_cached(memo, db, t.id)
            .await?
            .into_iter()
            .map(|(f, v)| CustomFieldVar {
                id: f.id,
                public: f.visibility == protocol::FieldVisibility::Public,
                value: crate::custom_fields::values::display(&v),
                name: f.name,
            })
            .collect();
        Ok(TicketVars {
            time_spent_minutes: i64::from(t.time_spent_minutes),
            custom_fields,
            number: t.id,
            subject: t.subject.clone(),
            category: self.category_name.clone(),
            // The templates show the stored text (`normal`, `open`, `email`).
            priority: t.priority.as_str().into(),
            status: t.status.as_str().into(),
            via: t.via.as_str().into(),
            created_at: Some(t.created_at),
            due_at: t.due_at,
            requester_name: self.requester.name.clone(),
            requester_email: self.requester.email.clone(),
            company: self.company_name.clone(),
            technician: self.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
            technician_email: self.assignee.as_ref().map(|a| a.email.clone()).unwrap_or_default(),
            thread: self
                .public
                .iter()
                .rev()
                .map(|m| ThreadEntry {
                    author: self.author_name(m),
                    at: m.created_at,
                    text: m.body_text.clone(),
                })
                .collect(),
            recent_attachments: files
                .iter()
                .filter(|a| latest.is_some() && a.message_id == latest)
                .map(link)
                .collect(),
            attachments: files.iter().map(link).collect(),
            subscribers: self
                .subscribers
                .iter()
                .map(|s| {
                    (
                        s.email.clone(),
                        subscriber_roles.get(&s.email).copied().unwrap_or(false),
                    )
                })
                .collect(),
            kb_articles: Vec::new(),
        })
    }

    async fn subscriber_staff_flags(&self, db: &impl ConnectionTrait) -> AppResult<HashMap<String, bool>> {
        let emails: Vec<String> = self.subscribers.iter().map(|s| s.email.clone()).collect();
        if emails.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(user::Entity::find()
            .filter(user::Column::Email.is_in(emails))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.email, u.role.is_staff()))
            .collect())
    }
}

/// Who is alerted: (category, its agents, the admins).
#[derive(Hash, PartialEq, Eq)]
struct StaffToAlert(Option<i64>, bool, bool);
impl Memoized for StaffToAlert {
    type Value = Vec<user::Model>;
}

/// [`read_staff_to_alert`], once per change and question.
pub async fn staff_to_alert(
    memo: &Memo,
    db: &impl ConnectionTrait,
    category_id: Option<i64>,
    agents: bool,
    admins: bool,
) -> AppResult<Vec<user::Model>> {
    memo.get_or_load(StaffToAlert(category_id, agents, admins), || {
        read_staff_to_alert(db, category_id, agents, admins)
    })
    .await
}

/// Active agents of a category (or of every category, for uncategorised tickets: the shared
/// inbox every agent sees), and admins when asked.
async fn read_staff_to_alert(
    db: &impl ConnectionTrait,
    category_id: Option<i64>,
    agents: bool,
    admins: bool,
) -> AppResult<Vec<user::Model>> {
    let mut out: Vec<user::Model> = Vec::new();
    if agents {
        let q = user::Entity::find()
            .filter(user::Column::IsActive.eq(true))
            .filter(user::Column::Role.eq(Role::Agent));
        let list = match category_id {
            Some(c) => {
                let ids: Vec<i64> = category_agent::Entity::find()
                    .filter(category_agent::Column::CategoryId.eq(c))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|ca| ca.user_id)
                    .collect();
                q.filter(user::Column::Id.is_in(ids)).all(db).await?
            }
            None => q.all(db).await?,
        };
        out.extend(list);
    }
    if admins {
        let list = user::Entity::find()
            .filter(user::Column::IsActive.eq(true))
            .filter(user::Column::Role.eq(Role::Admin))
            .all(db)
            .await?;
        out.extend(list);
    }
    out.sort_by_key(|u| u.id);
    out.dedup_by_key(|u| u.id);
    Ok(out)
}
