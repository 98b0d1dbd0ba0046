//! Screening on the way in: what we learn about a journaled mail before it is applied — who
//! really sent it (`auth`, or a trusted host's `auth_results`), whether an attachment carries
//! malware (`clamd`), how spammy it is (`rspamd`). It runs outside the apply transaction (it
//! waits on DNS and daemons), once per journal entry: the findings are kept with the entry
//! (`inbound_mails.checks`), so a retry, a batch redone mail by mail or a replay decides on the
//! same findings, and then with the message the mail became. What the findings decide (staff
//! semantics, threading, quarantine, stripped files, tags) is the pipeline's and `apply`'s.

pub mod auth;
pub mod auth_results;
pub mod clamd;
pub mod rspamd;

use std::time::Duration;

use entity::inbound_mail;
use mail_parse::parsed::ParsedMail;
use protocol::{MailChecks, MalwareFinding, SenderAuth, SpamSymbol, SpamVerdict};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::journal::Envelope;
use crate::mail::inbound::rules::MailboxRules;

/// `checked_by` when nobody checked: authentication is turned off (`scan.sender_auth`).
pub const NOT_CHECKED: &str = "off";

/// What `of_entry` returns when the virus scanner is down and mail must wait for it: the entry
/// stays pending (not a dead letter) and the pending worker tries again.
pub const SCANNER_DOWN: &str = "the virus scanner";

/// The entry's findings: kept from an earlier run, else found now and kept.
pub async fn of_entry(
    ctx: &AppContext,
    entry: &inbound_mail::Model,
    rules: &MailboxRules,
    parsed: &ParsedMail,
) -> AppResult<MailChecks> {
    if let Some(kept) = entry
        .checks
        .as_deref()
        .and_then(|s| serde_json::from_str::<MailChecks>(s).ok())
    {
        return Ok(kept);
    }
    let envelope = entry
        .envelope
        .as_deref()
        .and_then(|e| serde_json::from_str::<Envelope>(e).ok());
    let (authentication, scanned, spam) = tokio::join!(
        authenticate(ctx, entry, rules, envelope.as_ref()),
        scan_attachments(ctx, parsed),
        score(ctx, entry, envelope.as_ref()),
    );
    let (malware, unscanned) = scanned?;
    let checks = MailChecks {
        authentication: Some(authentication),
        malware,
        unscanned,
        spam,
        withheld: Vec::new(),
    };
    keep(ctx.db(), entry.id, &checks).await?;
    Ok(checks)
}

async fn authenticate(
    ctx: &AppContext,
    entry: &inbound_mail::Model,
    rules: &MailboxRules,
    envelope: Option<&Envelope>,
) -> SenderAuth {
    let headers = header_fields(&entry.raw);
    let from_domain = from_domain(&headers);
    // Mail our SMTP receiver took from the sender itself passed no trusted host: its topmost
    // `Authentication-Results` is whatever the sender wrote.
    if envelope.is_none()
        && !rules.trusted_auth_hosts.is_empty()
        && let Some(verdict) = auth_results::from_trusted(&headers, &rules.trusted_auth_hosts, &from_domain)
    {
        return verdict;
    }
    let Some(authenticator) = ctx.authenticator() else {
        return SenderAuth::unchecked(&from_domain, NOT_CHECKED);
    };
    authenticator.verify(&entry.raw, envelope).await
}

/// Every attachment through clamd (when one is configured). Down: per `scan.clamd_down`, the
/// mail waits (an `Unavailable` error) or goes on with the reason it was not scanned.
async fn scan_attachments(ctx: &AppContext, parsed: &ParsedMail) -> AppResult<(Vec<MalwareFinding>, Option<String>)> {
    let settings = &ctx.settings().scan;
    let socket = settings.clamd_socket.trim();
    if socket.is_empty() || parsed.attachments.is_empty() {
        return Ok((Vec::new(), None));
    }
    let endpoint = clamd::Endpoint::parse(socket).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let timeout = Duration::from_secs(settings.clamd_timeout_secs);
    let mut found = Vec::new();
    for (index, a) in parsed.attachments.iter().enumerate() {
        match clamd::scan(&endpoint, &a.bytes, timeout).await {
            Ok(clamd::Verdict::Clean) => {}
            Ok(clamd::Verdict::Infected { signature }) => found.push(MalwareFinding {
                index,
                filename: a.filename.clone(),
                signature,
            }),
            Err(clamd::ScanError::Protocol(why)) => {
                // clamd answered but would not scan it (over its size limit): not proven clean.
                tracing::warn!(file = %a.filename, %why, "clamd refused an attachment");
                found.push(MalwareFinding {
                    index,
                    filename: a.filename.clone(),
                    signature: format!("not scannable ({why})"),
                });
            }
            Err(clamd::ScanError::Unavailable(why)) => {
                tracing::warn!(%why, "clamd unavailable");
                if settings.clamd_down == "wait" {
                    return Err(AppError::Unavailable(SCANNER_DOWN));
                }
                return Ok((found, Some(format!("the virus scanner was unreachable: {why}"))));
            }
        }
    }
    Ok((found, None))
}

/// The spam score, when rspamd is configured. Scoring is advice: when rspamd is down the mail
/// goes on without a score (and the log says so).
async fn score(ctx: &AppContext, entry: &inbound_mail::Model, envelope: Option<&Envelope>) -> Option<SpamVerdict> {
    let settings = &ctx.settings().scan;
    let url = settings.rspamd_url.trim();
    if url.is_empty() {
        return None;
    }
    let hints = rspamd::Hints {
        ip: envelope.map(|e| e.ip),
        helo: envelope.map(|e| e.helo.as_str()),
        mail_from: envelope.map(|e| e.mail_from.as_str()),
        rcpt: &[],
    };
    let timeout = Duration::from_secs(settings.rspamd_timeout_secs);
    // rspamd is the admin's own service (a setting, not user input): no egress rules apply.
    static HTTP: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(reqwest::Client::new);
    match rspamd::check(&HTTP, url, &entry.raw, &hints, timeout).await {
        Ok(report) => Some(SpamVerdict {
            score: report.score,
            required_score: report.required_score,
            action: report.action,
            symbols: report
                .symbols
                .into_iter()
                .map(|s| SpamSymbol {
                    name: s.name,
                    score: s.score,
                    description: s.description,
                })
                .collect(),
        }),
        Err(e) => {
            tracing::warn!(journal_id = entry.id, error = %e, "rspamd did not score a mail; it goes on unscored");
            None
        }
    }
}

/// Header fields in order, unfolded, as text.
fn header_fields(raw: &[u8]) -> Vec<(String, String)> {
    let Some(msg) = mail_parser::MessageParser::new().parse_headers(raw) else {
        return Vec::new();
    };
    msg.headers()
        .iter()
        .map(|h| {
            let value = raw
                .get(h.offset_start as usize..h.offset_end as usize)
                .map(|v| String::from_utf8_lossy(v).replace(['\r', '\n'], " "))
                .unwrap_or_default();
            (h.name().to_owned(), value.trim().to_owned())
        })
        .collect()
}

fn from_domain(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("From"))
        .and_then(|(_, v)| v.rsplit_once('@'))
        .map(|(_, rest)| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect::<String>()
                .to_lowercase()
        })
        .unwrap_or_default()
}

async fn keep(db: &impl ConnectionTrait, id: i64, checks: &MailChecks) -> AppResult<()> {
    let json = serde_json::to_string(checks).map_err(|e| AppError::Internal(e.into()))?;
    inbound_mail::Entity::update_many()
        .col_expr(inbound_mail::Column::Checks, Expr::value(json))
        .filter(inbound_mail::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
