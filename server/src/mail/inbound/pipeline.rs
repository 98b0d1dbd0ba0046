//! Orchestration: journal an incoming mail, then process it (parse → classify → plan →
//! apply). Processing failures never lose the mail: the entry becomes a dead letter with its
//! error, replayable after a fix.

use std::time::Duration;

use chrono::Utc;
use entity::{inbound_mail, user};
use mail_parse::parsed::{Address, MailKind, ParsedMail};
use mail_parse::{ParseOptions, parse_mail};
use protocol::live::ChangeKind;
use protocol::{MailChecks, MalwareAction, SenderAuth, WithheldFile};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::blobs::BlobStore;
use crate::change::Change;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::apply::{self, Claim, Input, Outcome, Plan, StoredAttachment};
use crate::mail::inbound::journal::{Journaled, NewMail, status};
use crate::mail::inbound::known_ids::{self, KnownIds};
use crate::mail::inbound::rules::MailboxRules;
use crate::mail::inbound::screen;
use crate::mail::inbound::threading::{self, Decision, Token};

/// Journals the mail (durable when this returns), then processes it. A processing error is
/// recorded on the entry, not returned: the caller's duty (acknowledge the source) is done
/// once the journal holds the mail. Concurrent calls are gathered into batches (see
/// [`batch`](crate::mail::inbound::batch)): one journal commit and one apply commit per batch.
pub async fn ingest(ctx: &AppContext, mail: NewMail<'_>) -> AppResult<(Journaled, Outcome)> {
    ctx.ingest_queue().submit(ctx, &mail).await
}

/// Processes one entry. Already-processed entries return their recorded result (unless
/// `release` takes a quarantined one into a ticket).
pub async fn process(ctx: &AppContext, journal_id: i64, release: bool) -> AppResult<Outcome> {
    let entry = inbound_mail::Entity::find_by_id(journal_id)
        .one(ctx.db())
        .await?
        .ok_or(AppError::NotFound("mail"))?;
    process_entry(ctx, &entry, release).await
}

pub(crate) async fn process_entry(ctx: &AppContext, entry: &inbound_mail::Model, release: bool) -> AppResult<Outcome> {
    if is_done(entry, release) {
        return Ok(Outcome::of(entry));
    }
    match try_process(ctx, entry, release).await {
        Ok(outcome) => Ok(outcome),
        Err(AppError::Unavailable(what)) if what == screen::SCANNER_DOWN => {
            // Not the mail's fault: it stays pending, and the pending worker tries again.
            tracing::warn!(
                journal_id = entry.id,
                "the virus scanner is down; the mail waits for it"
            );
            Ok(Outcome::of(entry))
        }
        Err(e) => {
            tracing::warn!(journal_id = entry.id, error = %e, "inbound mail failed; kept as a dead letter");
            mark_failed(ctx, entry, &e.to_string()).await
        }
    }
}

pub(crate) fn is_done(entry: &inbound_mail::Model, release: bool) -> bool {
    entry.status == status::PROCESSED || (entry.status == status::QUARANTINED && !release)
}

/// Tells the change which ticket the mail created or added to, for live clients once it
/// commits (a duplicate or a quarantined mail changed nothing).
fn touched(change: &Change<'_>, outcome: &Outcome) {
    let (Some(ticket_id), true) = (outcome.ticket_id, outcome.status == status::PROCESSED) else {
        return;
    };
    if outcome.rule.as_deref() == Some("duplicate") {
        return;
    }
    let kind = if outcome.created {
        ChangeKind::Created
    } else {
        ChangeKind::Message
    };
    change.touched(ticket_id, kind, outcome.message_row_id);
}

async fn try_process(ctx: &AppContext, entry: &inbound_mail::Model, release: bool) -> AppResult<Outcome> {
    let rules = MailboxRules::load(ctx.db(), entry.mailbox_id).await?;
    let parsed = parse_entry(entry, &rules)?;
    let checks = screen::of_entry(ctx, entry, &rules, &parsed).await?;
    let change = Change::open(ctx, None).await?;
    let mail = Ready {
        entry,
        rules: &rules,
        parsed: &parsed,
        checks: &checks,
    };
    let outcome = apply_entry(&change, mail, release, Claim::Here).await?;
    change.commit().await?;
    Ok(outcome)
}

pub(crate) fn parse_entry(entry: &inbound_mail::Model, rules: &MailboxRules) -> AppResult<ParsedMail> {
    let options = ParseOptions {
        excluded_text: rules.excluded_text.clone(),
        own_addresses: rules.own_addresses.clone(),
    };
    let mut parsed =
        parse_mail(&entry.raw, &options).map_err(|e| AppError::validation(format!("unparseable mail: {e}")))?;
    if let Some(redactor) = &rules.redactor {
        redactor.apply(&mut parsed);
    }
    Ok(parsed)
}

/// A journaled mail ready to apply: its entry, its mailbox's rules, what parsing and
/// screening found.
pub(crate) struct Ready<'a> {
    pub entry: &'a inbound_mail::Model,
    pub rules: &'a MailboxRules,
    pub parsed: &'a ParsedMail,
    pub checks: &'a MailChecks,
}

/// Plans and applies one parsed mail inside `change`: threading sees what its transaction
/// wrote before (the earlier mails of a batch).
pub(crate) async fn apply_entry(
    change: &Change<'_>,
    mail: Ready<'_>,
    release: bool,
    claim: Claim<'_>,
) -> AppResult<Outcome> {
    let Ready {
        entry,
        rules,
        parsed,
        checks,
    } = mail;
    let (ctx, txn) = (change.ctx(), change.db());
    if matches!(claim, Claim::Here) {
        apply::lock_message_id(txn, parsed).await?;
    }
    let known = change.memo().get(&known_ids::Batch);
    let screened = Screened { parsed, checks, rules };
    let plan = plan(ctx, txn, known.as_deref(), screened, release).await?;
    let (attachments, refused, withheld) = store_attachments(ctx.blobs(), parsed, rules, checks).await?;
    // The files not stored are listed with the message (taken from the original on demand).
    let checks = &MailChecks {
        withheld,
        ..checks.clone()
    };
    let input = Input {
        entry,
        parsed,
        rules,
        attachments,
        refused,
        release,
        change,
        claim,
        checks,
    };
    let outcome = apply::apply_in(input, plan).await?;
    touched(change, &outcome);
    Ok(outcome)
}

/// Who wrote the mail: From, or Reply-To when From holds no address.
pub(crate) fn sender_of(parsed: &ParsedMail) -> Option<&Address> {
    parsed
        .from
        .as_ref()
        .filter(|a| a.email.contains('@'))
        .or_else(|| parsed.reply_to.first())
}

/// What planning reads of one mail: the parse, the screening, the mailbox's rules.
struct Screened<'a> {
    parsed: &'a ParsedMail,
    checks: &'a MailChecks,
    rules: &'a MailboxRules,
}

impl Screened<'_> {
    /// Sender authentication's verdict, when the mailbox lets it decide.
    fn enforced(&self) -> Option<&SenderAuth> {
        self.checks
            .authentication
            .as_ref()
            .filter(|_| self.rules.enforces_sender_auth())
    }
}

/// Why screening keeps the mail from a ticket, if it does: the spam filter would reject it
/// (junk), or the mailbox quarantines mail with a flagged attachment.
fn screened_out(checks: &MailChecks, rules: &MailboxRules) -> Option<String> {
    if let Some(spam) = checks.spam.as_ref().filter(|s| s.is_junk()) {
        return Some(format!(
            "junk: spam score {:.1} (the filter rejects at {:.1})",
            spam.score, spam.required_score
        ));
    }
    if rules.malware_action == MalwareAction::Quarantine
        && let Some(found) = checks.malware.first()
    {
        return Some(format!("malware: attachment {} ({})", found.filename, found.signature));
    }
    None
}

async fn plan(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    known: Option<&KnownIds>,
    mail: Screened<'_>,
    release: bool,
) -> AppResult<Plan> {
    let Screened { parsed, rules, .. } = mail;
    let Some(from) = sender_of(parsed) else {
        return Ok(Plan::Quarantine {
            reason: "no sender address".into(),
        });
    };
    let sender = from.email.to_lowercase();
    let sender_name = from.name.clone();
    let normal = parsed.classification.kind == MailKind::Normal || release;
    if !release && rules.is_own(&sender) {
        return Ok(Plan::Quarantine {
            reason: format!("sent from our own address {sender} (mail loop)"),
        });
    }
    if !release && let Some(reason) = screened_out(mail.checks, rules) {
        return Ok(Plan::Quarantine { reason });
    }
    if !release && let Some(auth) = mail.enforced().filter(|a| a.dmarc_says_refuse()) {
        return Ok(Plan::Quarantine {
            reason: format!(
                "DMARC fails for {} and its policy is {}: not from whom it claims",
                auth.from_domain,
                auth.dmarc_policy.as_deref().unwrap_or("reject")
            ),
        });
    }
    if !normal {
        // Robots are only kept when they answer one of our mails; no subject-token guessing.
        let decision = threading::thread(db, ctx.keys(), parsed, &sender, Token::Ignore, known).await?;
        return Ok(match decision {
            Decision::New { .. } => Plan::Quarantine {
                reason: parsed.classification.reason.clone(),
            },
            d => Plan::Apply {
                decision: d,
                sender,
                sender_name,
            },
        });
    }
    if !release && let Some((max, window)) = rules.rate_limit {
        let key = format!("inbound:{}:{sender}", rules.mailbox_id.unwrap_or(0));
        let n = ctx.attempts().record(&key, window).await.unwrap_or(0);
        if n > max {
            return Ok(Plan::Quarantine {
                reason: format!(
                    "{sender} sent more than {max} mails in {} minutes (loop protection)",
                    window.as_secs() / 60
                ),
            });
        }
    }
    // A subject token alone is easy to copy: it joins only a sender proven to be who the
    // From: says, unless the mailbox only watches the verdicts.
    let token = match mail.enforced() {
        _ if release => Token::Use,
        Some(auth) if auth.verified_for(&sender) => Token::Verified,
        Some(_) => Token::UnverifiedSender,
        None => Token::Use,
    };
    let decision = threading::thread(db, ctx.keys(), parsed, &sender, token, known).await?;
    if matches!(decision, Decision::New { .. }) && !rules.accept_unknown && !release {
        let known = user::Entity::find()
            .filter(user::Column::Email.eq(sender.clone()))
            .one(db)
            .await?
            .is_some();
        if !known {
            return Ok(Plan::Quarantine {
                reason: format!("{sender} is not a known user and this mailbox refuses strangers"),
            });
        }
    }
    Ok(Plan::Apply {
        decision,
        sender,
        sender_name,
    })
}

/// Stores the attachments the mailbox takes; the others (flagged by the virus scanner, too
/// large, blocked) become notes for agents, and the harmless ones of those are listed as
/// withheld.
async fn store_attachments(
    blobs: &BlobStore,
    parsed: &ParsedMail,
    rules: &MailboxRules,
    checks: &MailChecks,
) -> AppResult<(Vec<StoredAttachment>, Vec<String>, Vec<WithheldFile>)> {
    let mut stored = Vec::new();
    let mut refused = Vec::new();
    let mut withheld = Vec::new();
    for (index, a) in parsed.attachments.iter().enumerate() {
        if let Some(found) = checks.malware.iter().find(|f| f.index == index) {
            refused.push(format!("attachment {} removed: {}", found.filename, found.signature));
            continue;
        }
        if let Some(why) = rules.refuse_attachment(&a.filename, &a.content_type, a.size) {
            withheld.push(WithheldFile {
                index,
                filename: a.filename.clone(),
                size: a.size,
                reason: why.clone(),
            });
            refused.push(why);
            continue;
        }
        let sha256 = blobs.put(&a.bytes).await?;
        stored.push(StoredAttachment {
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: i64::try_from(a.size).unwrap_or(i64::MAX),
            sha256,
            inline: a.inline,
            content_id: a.content_id.clone(),
        });
    }
    Ok((stored, refused, withheld))
}

/// Only an entry nobody else finished meanwhile becomes a dead letter.
async fn mark_failed(ctx: &AppContext, entry: &inbound_mail::Model, error: &str) -> AppResult<Outcome> {
    let error: String = error.chars().take(2000).collect();
    inbound_mail::Entity::update_many()
        .col_expr(inbound_mail::Column::Status, Expr::value(status::FAILED))
        .col_expr(inbound_mail::Column::Error, Expr::value(error))
        .col_expr(inbound_mail::Column::ProcessedAt, Expr::value(Utc::now()))
        .filter(inbound_mail::Column::Id.eq(entry.id))
        .filter(inbound_mail::Column::Status.is_in([status::PENDING, status::FAILED]))
        .exec(ctx.db())
        .await?;
    let now = inbound_mail::Entity::find_by_id(entry.id)
        .one(ctx.db())
        .await?
        .ok_or(AppError::NotFound("mail"))?;
    Ok(Outcome::of(&now))
}

/// Processes entries left pending longer than `min_age` (e.g. by a crash between journal and
/// processing; fresh ones are being processed by whoever journaled them).
pub async fn process_pending(ctx: &AppContext, limit: u64, min_age: Duration) -> AppResult<Vec<Outcome>> {
    let cutoff = Utc::now() - chrono::Duration::from_std(min_age).unwrap_or_default();
    let ids: Vec<i64> = inbound_mail::Entity::find()
        .select_only()
        .column(inbound_mail::Column::Id)
        .filter(inbound_mail::Column::Status.eq(status::PENDING))
        .filter(inbound_mail::Column::ReceivedAt.lte(cutoff))
        .order_by_asc(inbound_mail::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(ctx.db())
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(process(ctx, id, false).await?);
    }
    Ok(out)
}

/// Reprocesses dead letters: one, or all of them.
pub async fn replay(ctx: &AppContext, id: Option<i64>) -> AppResult<Vec<Outcome>> {
    let mut q = inbound_mail::Entity::find()
        .select_only()
        .column(inbound_mail::Column::Id)
        .filter(inbound_mail::Column::Status.eq(status::FAILED))
        .order_by_asc(inbound_mail::Column::Id);
    if let Some(id) = id {
        q = q.filter(inbound_mail::Column::Id.eq(id));
    }
    let ids: Vec<i64> = q.into_tuple().all(ctx.db()).await?;
    if id.is_some() && ids.is_empty() {
        return Err(AppError::NotFound("failed mail"));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(process(ctx, id, false).await?);
    }
    Ok(out)
}

/// Background worker: picks up pending entries so a crash between journaling and processing
/// never strands a mail.
pub async fn run_pending_worker(ctx: AppContext, every: Duration) {
    loop {
        if let Err(e) = process_pending(&ctx, 100, Duration::from_secs(30)).await {
            tracing::warn!(error = %e, "processing pending inbound mail failed");
        }
        tokio::time::sleep(every).await;
    }
}
