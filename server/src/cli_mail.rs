//! The mail commands of the CLI: `import`, `mail parse`, `mail replay`, `demo`.

use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::context::AppContext;
use crate::mail::inbound::journal::{NewMail, Source};
use crate::mail::inbound::pipeline;
use crate::mail::{ParseOptions, parse_mail, sources};
use crate::settings::Settings;
use crate::{bootstrap, db};

/// What an import did, mail by mail.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub threaded: usize,
    pub duplicates: usize,
    pub quarantined: usize,
    pub failed: usize,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created {} · threaded {} · duplicates {} · quarantined {} · failed {}",
            self.created, self.threaded, self.duplicates, self.quarantined, self.failed
        )
    }
}

pub async fn context(settings: Settings) -> anyhow::Result<AppContext> {
    let conn = db::connect(&settings).await?;
    db::migrate(&conn).await?;
    bootstrap::ensure_admin(&conn, &settings).await?;
    AppContext::new(settings, conn).await
}

/// Feeds every mail under `path` through the same pipeline as IMAP and the HTTP endpoint.
pub async fn import(ctx: &AppContext, path: &Path, mailbox_id: Option<i64>, source: Source, quiet: bool) -> anyhow::Result<ImportSummary> {
    let mails = sources::collect(path)?;
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(mails.len() as u64) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut summary = ImportSummary::default();
    for mail in mails {
        let new = NewMail { mailbox_id, source, raw: &mail.raw, explicit_key: None, imap: None };
        match pipeline::ingest(ctx, new).await {
            Ok((journaled, outcome)) => match outcome.status.as_str() {
                _ if journaled.duplicate => summary.duplicates += 1,
                "processed" if outcome.created => summary.created += 1,
                "processed" => summary.threaded += 1,
                "quarantined" => summary.quarantined += 1,
                _ => {
                    summary.failed += 1;
                    bar.println(format!("failed: {} ({})", mail.origin, outcome.reason.unwrap_or_default()));
                }
            },
            Err(e) => {
                summary.failed += 1;
                bar.println(format!("failed: {} ({e})", mail.origin));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(summary)
}

/// `maildesk mail parse FILE`: exactly what the pipeline sees, as JSON.
pub fn parse_file(path: &Path) -> anyhow::Result<String> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = parse_mail(&raw, &ParseOptions::default()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(serde_json::to_string_pretty(&parsed)?)
}

pub async fn replay(ctx: &AppContext, id: Option<i64>) -> anyhow::Result<(usize, usize)> {
    let outcomes = pipeline::replay(ctx, id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let failed = outcomes.iter().filter(|o| o.status == "failed").count();
    Ok((outcomes.len() - failed, failed))
}
