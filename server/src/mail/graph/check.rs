//! `maildesk mail graph-check --mailbox ID [--send-to ADDRESS]`: runs the calls the Graph
//! channel makes against the real Microsoft Graph with the mailbox's own grant, read-only
//! unless asked to send, and reports each step — what an admin runs once against their tenant
//! (the tests use a stand-in written from the published reference; this shows the real service
//! answers in the same shapes). Nothing is journaled, marked read, moved or deleted.

use reqwest::Method;

use super::{Graph, segment, user_of};
use crate::context::AppContext;
use crate::mail::checks;
use crate::mail::oauth::tokens;

/// One step's outcome, printed as it happens.
fn step(ok: bool, what: &str, detail: &str) -> bool {
    println!("{} {what}: {detail}", if ok { "ok  " } else { "FAIL" });
    ok
}

/// Returns whether every step passed.
pub async fn run(ctx: &AppContext, mailbox_id: i64, send_to: Option<&str>) -> anyhow::Result<bool> {
    let m = crate::mail::mailboxes::get(ctx.db(), mailbox_id).await?;
    let mut all = true;
    match tokens::bearer(ctx, m.id).await {
        Ok(b) => step(true, "token", &format!("a live access token for {}", b.account)),
        Err(e) => return Ok(step(false, "token", &e.to_string())),
    };
    let mut graph = Graph::new(ctx, m.id);
    let user = user_of(&m);
    all &= check_profile(&mut graph, &user).await;
    let Some((items, ok)) = check_delta(&mut graph, &user, &m.imap_folder).await else {
        return Ok(false);
    };
    all &= ok;
    all &= check_value(&mut graph, &user, &items).await;
    if let Some(to) = send_to {
        let mut sending = m.clone();
        sending.graph_send = true;
        let answer = checks::send_test_mail(ctx, &sending, to).await?;
        all &= step(answer.ok, "sendMail", &answer.answer);
    }
    Ok(all)
}

/// Reads the mailbox's profile (its address and display name); whether that worked.
async fn check_profile(graph: &mut Graph<'_>, user: &str) -> bool {
    let profile = graph.user_url(user, "");
    match graph.call(Method::GET, &profile, |r| r).await {
        Ok(r) => {
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            step(true, "mailbox", &format!("{} ({})", v["mail"], v["displayName"]))
        }
        Err(e) => step(false, "mailbox", &e.to_string()),
    }
}

/// Reads the first page of the folder's delta (at most 5 messages): its items and whether the
/// page carried a usable next link; `None` when the call itself failed.
async fn check_delta(graph: &mut Graph<'_>, user: &str, imap_folder: &str) -> Option<(Vec<serde_json::Value>, bool)> {
    let folder = if imap_folder.eq_ignore_ascii_case("inbox") {
        "inbox".to_owned()
    } else {
        imap_folder.to_owned()
    };
    let delta = graph.user_url(
        user,
        &format!(
            "/mailFolders/{}/messages/delta?$select=id,isRead,internetMessageId,subject",
            segment(&folder)
        ),
    );
    let page: serde_json::Value = match graph
        .call(Method::GET, &delta, |r| r.header("Prefer", "odata.maxpagesize=5"))
        .await
    {
        Ok(r) => r.json().await.unwrap_or_default(),
        Err(e) => {
            step(false, "delta", &e.to_string());
            return None;
        }
    };
    let items = page["value"].as_array().cloned().unwrap_or_default();
    let link = page["@odata.nextLink"]
        .as_str()
        .or(page["@odata.deltaLink"].as_str())
        .unwrap_or("");
    let ok = step(
        !link.is_empty() && graph.check_link(link).is_ok(),
        "delta",
        &format!(
            "{} message(s) on the first page (at most 5 asked), next: {}",
            items.len(),
            if page["@odata.nextLink"].is_string() {
                "nextLink"
            } else {
                "deltaLink"
            }
        ),
    );
    Some((items, ok))
}

/// Reads the first listed message's MIME (`$value`) and checks it parses; whether that worked
/// (an empty folder passes).
async fn check_value(graph: &mut Graph<'_>, user: &str, items: &[serde_json::Value]) -> bool {
    let Some(id) = items.iter().find_map(|i| i["id"].as_str()) else {
        return step(true, "$value", "the folder is empty: nothing to read");
    };
    let url = graph.user_url(user, &format!("/messages/{}/$value", segment(id)));
    match graph.call(Method::GET, &url, |r| r).await {
        Ok(r) => {
            let kind = r
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let raw = r.bytes().await.unwrap_or_default();
            let parsed = mail_parser::MessageParser::new().parse_headers(&raw[..]);
            step(
                parsed.is_some_and(|p| p.message_id().is_some() || p.subject().is_some()),
                "$value",
                &format!("{} bytes of MIME ({kind})", raw.len()),
            )
        }
        Err(e) => step(false, "$value", &e.to_string()),
    }
}
