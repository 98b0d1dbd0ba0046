//! Fetching a Graph mailbox: the delta query of its folder, page by page (`@odata.nextLink`),
//! each new message's raw MIME (`$value`) journaled and processed like an IMAP one, and only
//! after the journal commit marked read, moved or deleted. The link to call next (a nextLink
//! when a cycle stops at `batch_size`, else the final deltaLink) is kept per mailbox, so the
//! next cycle asks only for what changed. A crash re-lists what was not acknowledged yet; the
//! journal's Message-ID key makes those duplicates, never a second ticket.

use chrono::Utc;
use entity::mailbox;
use reqwest::Method;
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;

use super::{Graph, GraphError, segment, user_of};
use crate::context::AppContext;
use crate::mail::imap::lease::Lease;
use crate::mail::imap::{FetchError, FetchReport};
use crate::mail::inbound::journal::{NewMail, Source};

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    value: Vec<Item>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink")]
    delta_link: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    #[serde(rename = "isRead", default)]
    is_read: bool,
    #[serde(rename = "@removed")]
    removed: Option<serde_json::Value>,
}

/// The folder as Graph names it: `INBOX` (IMAP's name, our default) is the well-known `inbox`.
fn folder(m: &mailbox::Model) -> String {
    let f = crate::mail::imap::fetch::folder_of(m);
    if f.eq_ignore_ascii_case("inbox") {
        "inbox".into()
    } else {
        f
    }
}

/// The first request of a full sync.
fn initial_url(graph: &Graph<'_>, m: &mailbox::Model) -> String {
    graph.user_url(
        &user_of(m),
        &format!(
            "/mailFolders/{}/messages/delta?$select=id,isRead,internetMessageId,subject",
            segment(&folder(m))
        ),
    )
}

/// One cycle: up to about `batch_size` new messages. Returns a note for the admin (a message
/// too large to take), like the IMAP cycle.
pub async fn run_cycle(
    ctx: &AppContext,
    m: &mailbox::Model,
    lease: Option<&Lease>,
    report: &mut FetchReport,
) -> Result<Option<String>, FetchError> {
    let mut graph = Graph::new(ctx, m.id);
    let user = user_of(m);
    let batch = usize::try_from(m.batch_size).unwrap_or(50).clamp(1, 1000);
    let limit = crate::mail::mailboxes::raw_limit(m);
    let mut url = match &m.graph_delta_link {
        Some(link) => link.clone(),
        None => initial_url(&graph, m),
    };
    let mut restarted = false;
    let mut taken = 0usize;
    let mut note = None;
    loop {
        let page = delta_page(&mut graph, m, &mut url, batch, &mut restarted).await?;
        for item in page.value {
            if item.removed.is_some() || (m.after_import == "mark_read" && item.is_read) {
                continue;
            }
            if let Some(lease) = lease
                && !lease.renew(ctx.db()).await?
            {
                return Err(FetchError::LeaseLost);
            }
            taken += 1;
            report.fetched += 1;
            let message = graph.user_url(&user, &format!("/messages/{}", segment(&item.id)));
            let Some(raw) = read_limited(&mut graph, &format!("{message}/$value"), limit).await? else {
                report.failed += 1;
                note = Some(format!(
                    "a message ({}) is larger than this mailbox takes ({limit} bytes); it was left in the folder",
                    item.id
                ));
                continue;
            };
            report
                .ingest(ctx, NewMail::new(Source::Graph, Some(m.id), &raw))
                .await?;
            // Journaled: only now may the folder forget it.
            acknowledge(&mut graph, m, &message).await?;
        }
        let Some(next) = link_after(ctx, m, &graph, page.next_link, page.delta_link).await? else {
            return Ok(note);
        };
        if taken >= batch {
            // Enough for one cycle: the next starts from this page.
            save_link(ctx, m, &next).await?;
            return Ok(note);
        }
        url = next;
    }
}

/// Reads the delta page at `url`; when the service forgot our place (once a cycle) it starts
/// over from a full sync, updating `url`.
async fn delta_page(
    graph: &mut Graph<'_>,
    m: &mailbox::Model,
    url: &mut String,
    batch: usize,
    restarted: &mut bool,
) -> Result<Page, FetchError> {
    loop {
        let answer = graph
            .call(Method::GET, url, |r| {
                r.header("Prefer", format!("odata.maxpagesize={batch}"))
            })
            .await;
        let response = match answer {
            Err(GraphError::SyncStateGone) if !*restarted => {
                // The service forgot our place: a full sync (already journaled mail is a
                // duplicate, and acknowledged mail is no longer in the folder or read).
                tracing::info!(mailbox = m.id, "Graph sync state expired; syncing afresh");
                *restarted = true;
                *url = initial_url(graph, m);
                continue;
            }
            other => other?,
        };
        return response
            .json()
            .await
            .map_err(|e| FetchError::Imap(format!("Microsoft Graph: reading a delta page: {e}")));
    }
}

/// The (checked) link to call after a page, or `None` once the final deltaLink is saved and
/// the folder is caught up.
async fn link_after(
    ctx: &AppContext,
    m: &mailbox::Model,
    graph: &Graph<'_>,
    next_link: Option<String>,
    delta_link: Option<String>,
) -> Result<Option<String>, FetchError> {
    let next = match (next_link, delta_link) {
        (Some(next), _) => Some(next),
        (None, Some(delta)) => {
            save_link(ctx, m, &delta).await?;
            return Ok(None);
        }
        (None, None) => None,
    };
    let Some(next) = next else {
        return Err(FetchError::Imap(
            "Microsoft Graph: a delta page with neither nextLink nor deltaLink".into(),
        ));
    };
    graph.check_link(&next)?;
    Ok(Some(next))
}

async fn save_link(ctx: &AppContext, m: &mailbox::Model, link: &str) -> Result<(), FetchError> {
    let mut row: mailbox::ActiveModel = m.clone().into();
    row.graph_delta_link = Set(Some(link.to_owned()));
    row.updated_at = Set(Utc::now());
    row.update(ctx.db()).await?;
    Ok(())
}

/// The body of `url`, or `None` when it is larger than `limit`.
async fn read_limited(graph: &mut Graph<'_>, url: &str, limit: usize) -> Result<Option<Vec<u8>>, FetchError> {
    let mut response = graph.call(Method::GET, url, |r| r).await?;
    if response
        .content_length()
        .is_some_and(|n| usize::try_from(n).unwrap_or(usize::MAX) > limit)
    {
        return Ok(None);
    }
    let mut raw = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::Imap(format!("Microsoft Graph: reading a message: {e}")))?
    {
        if raw.len() + chunk.len() > limit {
            return Ok(None);
        }
        raw.extend_from_slice(&chunk);
    }
    Ok(Some(raw))
}

/// `after_import` on Graph: delete, move (to a folder id or well-known name such as
/// `archive` or `deleteditems`), or mark read.
async fn acknowledge(graph: &mut Graph<'_>, m: &mailbox::Model, message: &str) -> Result<(), FetchError> {
    match m.after_import.as_str() {
        "delete" => {
            graph.call(Method::DELETE, message, |r| r).await?;
        }
        "move" => {
            let to = m.move_to_folder.clone().unwrap_or_else(|| "archive".into());
            graph
                .call(Method::POST, &format!("{message}/move"), |r| {
                    r.json(&serde_json::json!({ "destinationId": to }))
                })
                .await?;
        }
        _ => {
            graph
                .call(Method::PATCH, message, |r| {
                    r.json(&serde_json::json!({ "isRead": true }))
                })
                .await?;
        }
    }
    Ok(())
}
