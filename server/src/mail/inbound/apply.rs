//! Applying one journaled mail, in ONE transaction with the journal's own state change: either
//! the ticket changes and the entry is marked done together, or neither happens. The entry is
//! claimed first (a conditional UPDATE), so two workers racing on it cannot both apply it.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use entity::{inbound_mail, ticket, user};
use mail_parse::parsed::{MailKind, ParsedMail};
use protocol::{Channel, EventKind, MessageKind, RuleEvent, TicketStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::change::Change;
use crate::directory::users::normalize_email;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::accounts;
use crate::mail::inbound::final_state::{self, FinalState};
use crate::mail::inbound::journal::status;
use crate::mail::inbound::rules::MailboxRules;
use crate::mail::inbound::staff_proof;
use crate::mail::inbound::threading::Decision;
use crate::mail::outbound::facts;
use crate::mail::outbound::notify::{self, Event};
use crate::rules::{self, MailFacts, Trigger};
use crate::sla::due;
use crate::tickets::events;
use crate::tickets::write::{self, NewTicket, apply_status};

use super::apply_rows::{add_subscribers, forget_subscribers, insert_message, suppress_bounced, system_message};

/// What to do with the mail, decided before the transaction.
#[derive(Debug, Clone)]
pub enum Plan {
    Quarantine {
        reason: String,
    },
    Apply {
        decision: Decision,
        sender: String,
        sender_name: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub journal_id: i64,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub message_row_id: Option<i64>,
    pub rule: Option<String>,
    /// A new ticket was opened.
    pub created: bool,
    pub reason: Option<String>,
}

impl Outcome {
    pub fn of(entry: &inbound_mail::Model) -> Self {
        Self {
            journal_id: entry.id,
            status: entry.status.clone(),
            ticket_id: entry.ticket_id,
            message_row_id: entry.message_row_id,
            rule: entry.thread_rule.clone(),
            created: Self::creates(entry.thread_rule.as_deref()),
            reason: entry.reason.clone().or_else(|| entry.error.clone()),
        }
    }

    fn of_final(s: &FinalState) -> Self {
        Self {
            journal_id: s.id,
            status: s.status.clone(),
            ticket_id: s.ticket_id,
            message_row_id: s.message_row_id,
            rule: s.thread_rule.clone(),
            created: Self::creates(s.thread_rule.as_deref()),
            reason: s.reason.clone(),
        }
    }

    /// Whether the threading rule that applied a mail opened a new ticket.
    fn creates(rule: Option<&str>) -> bool {
        // `subject_token` joins; `subject_token_stranger` / `_unverified` open a linked ticket.
        rule.is_some_and(|r| r.starts_with("new") || r == "follow_up" || r.starts_with("subject_token_"))
    }
}

/// An attachment whose bytes are already in the blob store (written before the transaction:
/// blobs are content-addressed, so an orphan after a rollback is harmless).
pub struct StoredAttachment {
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub inline: bool,
    pub content_id: Option<String>,
}

pub struct Input<'a> {
    pub entry: &'a inbound_mail::Model,
    pub parsed: &'a ParsedMail,
    pub rules: &'a MailboxRules,
    pub attachments: Vec<StoredAttachment>,
    /// Notes for agents about attachments that were not stored.
    pub refused: Vec<String>,
    /// Admin released it from the quarantine.
    pub release: bool,
    /// The change (one mail, or a batch) it is applied in: its transaction, the services and
    /// memo the mails applying it causes use (confirmation, alerts, relayed updates).
    pub change: &'a Change<'a>,
    pub claim: Claim<'a>,
    /// What screening found (kept with the message it becomes).
    pub checks: &'a protocol::MailChecks,
}

/// The final states a batch gathers, to write them together before its commit.
pub type Finished = std::sync::Mutex<Vec<FinalState>>;

/// Who took the entry and its Message-ID lock, and who writes its final state.
#[derive(Debug, Clone, Copy)]
pub enum Claim<'a> {
    /// `apply_in` claims the entry and writes its state itself (the caller took the lock).
    Here,
    /// The batch claimed every entry and locked every Message-ID up front
    /// ([`claim_batch`]); the final states go into this list for the batch to write.
    ByBatch(&'a Finished),
}

/// Applies one mail inside the caller's transaction (a batch of mails shares one). An entry
/// someone else claimed returns its current state and changes nothing.
pub async fn apply_in(input: Input<'_>, plan: Plan) -> AppResult<Outcome> {
    let txn = input.change.db();
    if matches!(input.claim, Claim::Here)
        && let Some(taken) = claim_here(txn, &input).await?
    {
        return Ok(taken);
    }
    let (decision, sender, sender_name) = match plan {
        Plan::Quarantine { reason } => {
            return finish(txn, &input, status::QUARANTINED, None, None, None, Some(reason)).await;
        }
        Plan::Apply {
            decision,
            sender,
            sender_name,
        } => (decision, sender, sender_name),
    };
    let outcome = match decision {
        Decision::Duplicate {
            ticket_id,
            message_row_id,
        } => {
            finish(
                txn,
                &input,
                status::PROCESSED,
                Some(ticket_id),
                Some(message_row_id),
                Some("duplicate"),
                None,
            )
            .await?
        }
        Decision::Existing { ticket, rule }
            if input.parsed.classification.kind != MailKind::Normal && !input.release =>
        {
            let m = system_message(txn, &input, &ticket, &sender).await?;
            suppress_bounced(txn, input.parsed).await?;
            finish(
                txn,
                &input,
                status::PROCESSED,
                Some(ticket.id),
                Some(m),
                Some(rule),
                None,
            )
            .await?
        }
        Decision::Existing { ticket, rule } => {
            existing(txn, &input, &ticket, rule, &sender, sender_name.as_deref()).await?
        }
        Decision::New { parent, rule } => {
            let sender_user = sender_account(txn, &input, &sender, sender_name.as_deref()).await?;
            // A new ticket answers nothing of ours: a staff address proves nothing here.
            let (t, m) = create_ticket(txn, &input, &sender_user, false, (parent, rule)).await?;
            finish(txn, &input, status::PROCESSED, Some(t), Some(m), Some(rule), None).await?
        }
    };
    Ok(outcome)
}

/// Claims the entry for this run (counting the attempt); an entry someone else claimed
/// returns its current state as `Some`, to be reported and left alone.
async fn claim_here(txn: &DatabaseTransaction, input: &Input<'_>) -> AppResult<Option<Outcome>> {
    let mut claimable = vec![status::PENDING, status::FAILED];
    if input.release {
        claimable.push(status::QUARANTINED);
    }
    let claimed = inbound_mail::Entity::update_many()
        .col_expr(
            inbound_mail::Column::Attempts,
            Expr::col(inbound_mail::Column::Attempts).add(1),
        )
        .filter(inbound_mail::Column::Id.eq(input.entry.id))
        .filter(inbound_mail::Column::Status.is_in(claimable))
        .exec(txn)
        .await?;
    if claimed.rows_affected == 0 {
        let now = inbound_mail::Entity::find_by_id(input.entry.id)
            .one(txn)
            .await?
            .ok_or(AppError::NotFound("mail"))?;
        return Ok(Some(Outcome::of(&now)));
    }
    Ok(None)
}

/// A mail from a person on an existing ticket: appended, or a new follow-up ticket when the
/// ticket was closed long ago; a staff address that proves nothing is quarantined.
async fn existing(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    ticket: &ticket::Model,
    rule: &'static str,
    sender: &str,
    sender_name: Option<&str>,
) -> AppResult<Outcome> {
    let sender_user = sender_account(txn, input, sender, sender_name).await?;
    let as_staff = acts_as_staff(txn, input, ticket.id, &sender_user).await?;
    if is_staff(&sender_user) && !as_staff {
        // It names an agent but proves nothing: applied as anyone's mail it would still
        // reach the customer under the agent's name. An admin who knows it is real
        // releases it.
        let reason = "from a staff address, but it answers no mail we sent that address: \
                      possibly forged; release it if it is genuine"
            .to_owned();
        return finish(txn, input, status::QUARANTINED, None, None, None, Some(reason)).await;
    }
    match follow_up_parent(ticket, input.rules) {
        Some(parent) => {
            let (t, m) = create_ticket(txn, input, &sender_user, as_staff, (Some(parent), "follow_up")).await?;
            finish(txn, input, status::PROCESSED, Some(t), Some(m), Some("follow_up"), None).await
        }
        None => {
            let m = append(txn, input, ticket.clone(), &sender_user, as_staff, rule).await?;
            finish(txn, input, status::PROCESSED, Some(ticket.id), m, Some(rule), None).await
        }
    }
}

/// Two copies of one mail (sent to two of our mailboxes) processed at the same moment: taken
/// before threading, this lock makes the second wait for the first's commit, and its own
/// Message-ID lookup then finds the first's message (a duplicate).
pub async fn lock_message_id(txn: &DatabaseTransaction, parsed: &ParsedMail) -> AppResult<()> {
    lock_message_ids(txn, [parsed]).await
}

/// Takes the Message-ID locks of several mails in one statement, in ascending key order, so
/// two batches sharing mails wait for each other instead of deadlocking.
async fn lock_message_ids<'a>(
    txn: &DatabaseTransaction,
    mails: impl IntoIterator<Item = &'a ParsedMail>,
) -> AppResult<()> {
    let keys = mails
        .into_iter()
        .filter_map(|p| p.message_id.as_deref())
        .map(|mid| i64::from_str_radix(&crate::blobs::BlobStore::sha256(mid.as_bytes())[..15], 16).unwrap_or(0));
    crate::backend::lock_keys(txn, keys).await?;
    Ok(())
}

/// Claims a whole batch of pending entries and takes their Message-ID locks: two statements
/// instead of two per mail. `false` when some entry was taken meanwhile (by the pending
/// worker, say): the caller then goes mail by mail, which sorts that out per entry.
pub async fn claim_batch<'a>(
    txn: &DatabaseTransaction,
    mails: impl IntoIterator<Item = (&'a inbound_mail::Model, &'a ParsedMail)>,
) -> AppResult<bool> {
    let (entries, parsed): (Vec<&inbound_mail::Model>, Vec<&ParsedMail>) = mails.into_iter().unzip();
    lock_message_ids(txn, parsed).await?;
    let ids: BTreeSet<i64> = entries.iter().map(|e| e.id).collect();
    let claimed = inbound_mail::Entity::update_many()
        .col_expr(
            inbound_mail::Column::Attempts,
            Expr::col(inbound_mail::Column::Attempts).add(1),
        )
        .filter(inbound_mail::Column::Id.is_in(ids.iter().copied()))
        .filter(inbound_mail::Column::Status.is_in([status::PENDING, status::FAILED]))
        .exec(txn)
        .await?;
    Ok(claimed.rows_affected == ids.len() as u64)
}

async fn finish(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    state: &str,
    ticket_id: Option<i64>,
    message_row_id: Option<i64>,
    rule: Option<&str>,
    reason: Option<String>,
) -> AppResult<Outcome> {
    let c = &input.parsed.classification;
    let done = FinalState {
        id: input.entry.id,
        status: state.into(),
        kind: Some(kind_str(c.kind).into()),
        reason: reason.or_else(|| (!c.reason.is_empty()).then(|| c.reason.clone())),
        ticket_id,
        message_row_id,
        thread_rule: rule.map(String::from),
        processed_at: Utc::now(),
    };
    let outcome = Outcome::of_final(&done);
    match input.claim {
        Claim::ByBatch(finished) => finished
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(done),
        Claim::Here => final_state::write(txn, &[done]).await?,
    }
    Ok(outcome)
}

pub fn kind_str(kind: MailKind) -> &'static str {
    match kind {
        MailKind::Normal => "normal",
        MailKind::AutoReply => "auto_reply",
        MailKind::Bounce => "bounce",
        MailKind::FeedbackReport => "feedback_report",
        MailKind::DeliveryReport => "delivery_report",
        MailKind::Junk => "junk",
    }
}

/// The account of the sender, created as a customer when unknown (a batch has them at hand).
async fn sender_account(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    email: &str,
    name: Option<&str>,
) -> AppResult<user::Model> {
    if let Ok(normal) = normalize_email(email)
        && let Some(u) = accounts::known(input.change.memo(), &normal)
    {
        return Ok(u);
    }
    crate::directory::users::find_or_create_customer_named(txn, email, name).await
}

/// A reply to a closed ticket after the follow-up window opens a new ticket linked to it.
fn follow_up_parent(t: &ticket::Model, rules: &MailboxRules) -> Option<i64> {
    let days = rules.followup_days?;
    let closed_at = t.closed_at.filter(|_| t.status == TicketStatus::Closed)?;
    (Utc::now() - closed_at > Duration::days(days)).then_some(t.id)
}

fn subject_has(parsed: &ParsedMail, command: &str) -> bool {
    parsed.subject.to_lowercase().contains(command)
}

fn is_staff(u: &user::Model) -> bool {
    u.role.is_staff()
}

/// A staff account's mail acts as staff only when its sender is authenticated for the staff
/// member's domain (DMARC, or an aligned DKIM signature, where the mailbox enforces sender
/// authentication), when it proves it answers our mail to that address (see [`staff_proof`]),
/// or when an admin released it.
async fn acts_as_staff(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    ticket_id: i64,
    sender: &user::Model,
) -> AppResult<bool> {
    if !is_staff(sender) {
        return Ok(false);
    }
    if input.release {
        // An admin released it from the quarantine after reading it.
        return Ok(true);
    }
    if input.rules.enforces_sender_auth()
        && input
            .checks
            .authentication
            .as_ref()
            .is_some_and(|a| a.verified_for(&sender.email))
    {
        return Ok(true);
    }
    let proven =
        staff_proof::answers_our_mail_to(txn, input.change.ctx().keys(), input.parsed, ticket_id, &sender.email)
            .await?;
    if !proven {
        tracing::warn!(
            entry = input.entry.id,
            ticket = ticket_id,
            "mail from a staff address without proof that it answers our mail: handled as a stranger's"
        );
    }
    Ok(proven)
}

fn clean_subject(subject: &str) -> String {
    let mut s = subject.to_owned();
    for cmd in ["#close#", "#tech#", "#unsubscribe#", "#unsub#"] {
        while let Some(pos) = s.to_lowercase().find(cmd) {
            s.replace_range(pos..pos + cmd.len(), "");
        }
    }
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let s: String = s.chars().take(250).collect();
    if s.is_empty() { "(no subject)".into() } else { s }
}

async fn create_ticket(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    sender: &user::Model,
    as_staff: bool,
    // The ticket it follows up, if any, and the threading rule that opened it (on the message).
    (parent, rule): (Option<i64>, &str),
) -> AppResult<(i64, i64)> {
    let now = Utc::now();
    let categories = crate::directory::categories::rows(input.change.memo(), txn).await?;
    let category = input
        .rules
        .category_from_recipients(input.parsed, &categories)
        .or(input.rules.default_category_id);
    let new = NewTicket {
        subject: clean_subject(&input.parsed.subject),
        priority: input.rules.default_priority,
        category_id: category,
        requester_id: sender.id,
        via: Channel::Email,
        parent,
        mailbox_id: input.rules.mailbox_id,
        at: now,
    };
    let t = write::open(txn, new).await?;
    let behind = input.change.write_behind();
    let via = Some(Channel::Email.as_str().into());
    events::record_or_defer(txn, behind, t.id, Some(sender.id), EventKind::Created, via).await?;
    if let Some(p) = parent {
        events::record_or_defer(txn, behind, t.id, None, EventKind::FollowsUp, Some(p.to_string())).await?;
    }
    let t = due::sync_row(txn, input.change.memo(), t, true, now).await?;
    let kind = if as_staff && subject_has(input.parsed, "#tech#") {
        MessageKind::Note
    } else {
        MessageKind::Customer
    };
    let (m, files) = insert_message(txn, input, (t.id, t.version), kind, Some(sender), rule).await?;
    let subscribers = add_subscribers(txn, input, t.id, sender).await?;
    let ticket_id = t.id;
    let message_id = m.id;
    // Everything the notification needs was just written: no reading it back.
    let public = facts::PUBLIC_KINDS.contains(&m.kind);
    let rows = facts::Rows {
        ticket: t,
        requester: sender.clone(),
        assignee: None,
        subscribers,
        public: public.then_some(m).into_iter().collect(),
        files: Some(files.into_iter().filter(|a| public && !a.inline).collect()),
    };
    let f = facts::assemble(txn, input.change.memo(), rows).await?;
    let created = Event::Created {
        ticket_id,
        actor: sender.id,
        by_email: true,
    };
    notify::notify_with(input.change, created, f).await?;
    let trigger = Trigger::new([RuleEvent::TicketCreated])
        .with_message(message_id)
        .with_mail(mail_facts(input.parsed, input.checks));
    rules::run(input.change, ticket_id, trigger).await?;
    Ok((ticket_id, message_id))
}

/// What the rules may test of the mail beyond what is stored.
pub(super) fn mail_facts(parsed: &ParsedMail, checks: &protocol::MailChecks) -> MailFacts {
    MailFacts {
        recipients: parsed
            .to
            .iter()
            .chain(&parsed.cc)
            .map(|a| a.email.to_lowercase())
            .collect(),
        auto_reply: parsed.classification.kind == MailKind::AutoReply,
        sender_verified: checks
            .authentication
            .as_ref()
            .is_some_and(protocol::SenderAuth::verified),
    }
}

/// The status a mail moves its ticket to: `#close#` from staff or the requester (`may_close`),
/// else a customer's mail reopens a pending ticket, and a resolved or closed one when the
/// mailbox says so.
fn next_status(input: &Input<'_>, current: TicketStatus, kind: MessageKind, may_close: bool) -> Option<TicketStatus> {
    if subject_has(input.parsed, "#close#") && may_close {
        Some(TicketStatus::Closed)
    } else if kind == MessageKind::Customer {
        match current {
            TicketStatus::Pending => Some(TicketStatus::Open),
            TicketStatus::Resolved | TicketStatus::Closed if input.rules.reopen_closed => Some(TicketStatus::Open),
            _ => None,
        }
    } else {
        None
    }
}

/// Appends a message to an existing ticket, with the e-mail commands and reopening rules.
async fn append(
    txn: &DatabaseTransaction,
    input: &Input<'_>,
    t: ticket::Model,
    sender: &user::Model,
    staff: bool,
    rule: &str,
) -> AppResult<Option<i64>> {
    let is_requester = sender.id == t.requester_id;
    // A new message makes every draft written against the old version stale. The row comes
    // back under the lock the UPDATE took: the version this message brings it to.
    let fresh = crate::tickets::version::bump(txn, t.id).await?;
    if subject_has(input.parsed, "#unsub#") || subject_has(input.parsed, "#unsubscribe#") {
        forget_subscribers(input, t.id);
        write::unsubscribe(txn, t.id, &sender.email, Some(sender.id)).await?;
        return Ok(None);
    }
    let kind = match (staff, subject_has(input.parsed, "#tech#")) {
        (true, true) => MessageKind::Note,
        (true, false) => MessageKind::Reply,
        (false, _) => MessageKind::Customer,
    };
    let written = insert_message(txn, input, (t.id, fresh.version), kind, Some(sender), rule)
        .await?
        .0;
    let m = written.id;
    // A subject token is a number anyone can type: a mail that joined by it alone does not get
    // to add its To/Cc to the conversation (they would receive its history).
    if rule != "subject_token" {
        add_subscribers(txn, input, t.id, sender).await?;
    }
    let current = t.status;
    let next = next_status(input, current, kind, staff || is_requester);
    let first_response = kind == MessageKind::Reply && t.first_response_at.is_none();
    let row = if next.is_some_and(|n| n != current) || first_response {
        let mut active = fresh.into_active_model();
        if let Some(next) = next.filter(|n| *n != current) {
            apply_status(txn, &mut active, current, next, Some(sender.id)).await?;
        }
        if first_response {
            active.first_response_at = Set(Some(Utc::now()));
        }
        let saved = active.update(txn).await?;
        due::sync_row(txn, input.change.memo(), saved, false, Utc::now()).await?
    } else {
        fresh
    };
    let event = match kind {
        MessageKind::Reply => Some(Event::Reply {
            ticket_id: t.id,
            message_id: m,
            author: sender.id,
        }),
        MessageKind::Customer => Some(Event::CustomerUpdate {
            ticket_id: t.id,
            message_id: m,
            author: sender.id,
        }),
        _ => None,
    };
    if let Some(event) = event {
        notify::notify_for(input.change, event, row.clone(), &[sender], Some(&written)).await?;
    }
    if next == Some(TicketStatus::Closed) && current != TicketStatus::Closed {
        let closed = Event::Closed {
            ticket_id: t.id,
            actor: Some(sender.id),
        };
        notify::notify_for(input.change, closed, row, &[sender], Some(&written)).await?;
    }
    let status_changed = next.filter(|n| *n != current).map(|_| RuleEvent::StatusChanged);
    let trigger = Trigger::new([RuleEvent::MessageAdded].into_iter().chain(status_changed))
        .with_message(m)
        .with_mail(mail_facts(input.parsed, input.checks));
    rules::run(input.change, t.id, trigger).await?;
    Ok(Some(m))
}
