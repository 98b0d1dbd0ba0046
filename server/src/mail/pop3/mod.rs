//! POP3 fetching (a mailbox with `fetch_protocol = pop3`), worked by the same per-mailbox
//! worker and lease as IMAP (`imap::worker`): one short session per cycle, since a POP3 session
//! sees no mail that arrives during it and deletes only at `QUIT`.
//!
//! The invariant, per message: **journal commit → `pop3_seen` row → `DELE`**. A crash before
//! the row re-fetches the message (the journal's key makes it a duplicate); a `DELE` that never
//! reached `QUIT` is sent again next cycle. With `after_import` other than `delete` the message
//! stays on the server and its UIDL row keeps it from being taken twice.

pub mod client;

use std::collections::HashSet;

use chrono::Utc;
use entity::{mailbox, pop3_seen};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::context::AppContext;
use crate::egress::Egress;
use crate::mail::imap::connect::Endpoint;
use crate::mail::imap::lease::Lease;
use crate::mail::imap::{FetchError, FetchReport, WorkerOptions};
use crate::mail::inbound::journal::{NewMail, Source};
use client::Pop3;

/// Past this many ids on the server, the ids no longer there are not swept (one query would be
/// too large); they go once the list is shorter.
const SWEEP_UP_TO: usize = 5_000;

pub fn is_pop3(m: &mailbox::Model) -> bool {
    m.fetch_protocol == "pop3"
}

/// One cycle: takes up to `batch_size` new messages. Returns a note for the admin (a message
/// left on the server because it is too large), like the IMAP cycle.
pub async fn run_cycle(
    ctx: &AppContext,
    m: &mailbox::Model,
    lease: Option<&Lease>,
    opts: &WorkerOptions,
    report: &mut FetchReport,
) -> Result<Option<String>, FetchError> {
    let endpoint = Endpoint::of_mailbox(ctx.keys(), Egress::of(ctx.settings()), m)?
        .authorized(ctx)
        .await?;
    let mut pop = Pop3::connect(&endpoint, opts.connect_timeout).await?;
    let listed = pop.uidl().await?;
    let seen: HashSet<String> = pop3_seen::Entity::find()
        .select_only()
        .column(pop3_seen::Column::Uidl)
        .filter(pop3_seen::Column::MailboxId.eq(m.id))
        .into_tuple::<String>()
        .all(ctx.db())
        .await?
        .into_iter()
        .collect();
    let delete = m.after_import == "delete";
    let limit = crate::mail::mailboxes::raw_limit(m);
    let batch = usize::try_from(m.batch_size).unwrap_or(50).max(1);
    let mut note = None;
    let mut taken = 0;
    for (n, uid) in &listed {
        if seen.contains(uid) {
            if delete {
                pop.dele(*n).await?;
            }
            continue;
        }
        if taken >= batch {
            break;
        }
        taken += 1;
        if let Some(lease) = lease
            && !lease.renew(ctx.db()).await?
        {
            return Err(FetchError::LeaseLost);
        }
        report.fetched += 1;
        let Some(raw) = pop.retr(*n, limit).await? else {
            report.failed += 1;
            note = Some(format!(
                "a message ({uid}) is larger than this mailbox takes ({limit} bytes); it was left on the server"
            ));
            remember(ctx, m.id, uid).await?;
            continue;
        };
        report.ingest(ctx, NewMail::new(Source::Pop3, Some(m.id), &raw)).await?;
        // Journaled: only now may the server forget it.
        remember(ctx, m.id, uid).await?;
        if delete {
            pop.dele(*n).await?;
        }
    }
    pop.quit().await?;
    if listed.len() <= SWEEP_UP_TO {
        let on_server: Vec<String> = listed.into_iter().map(|(_, uid)| uid).collect();
        pop3_seen::Entity::delete_many()
            .filter(pop3_seen::Column::MailboxId.eq(m.id))
            .filter(pop3_seen::Column::Uidl.is_not_in(on_server))
            .exec(ctx.db())
            .await?;
    }
    Ok(note)
}

async fn remember(ctx: &AppContext, mailbox_id: i64, uid: &str) -> Result<(), FetchError> {
    pop3_seen::Entity::insert(pop3_seen::ActiveModel {
        mailbox_id: Set(mailbox_id),
        uidl: Set(uid.to_owned()),
        seen_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([pop3_seen::Column::MailboxId, pop3_seen::Column::Uidl])
    .exec(ctx.db())
    .await?;
    Ok(())
}

/// "Test connection" for a POP3 mailbox: signs in and counts the messages.
pub async fn test_connection(endpoint: &Endpoint, opts: &WorkerOptions) -> Result<String, FetchError> {
    let mut pop = Pop3::connect(endpoint, opts.connect_timeout).await?;
    let (messages, bytes) = pop.stat().await?;
    pop.quit().await?;
    Ok(format!(
        "Signed in to {}:{} over POP3: {messages} messages ({bytes} bytes) on the server.",
        endpoint.host, endpoint.port
    ))
}
