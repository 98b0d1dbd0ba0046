//! The mail commands of the CLI: `import`, `mail parse`, `mail replay`, `demo`.

use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use mail_parse::{ParseOptions, parse_mail};
use protocol::SenderAuth;

use crate::context::AppContext;
use crate::egress::Egress;
use crate::mail::inbound::journal::{NewMail, Source};
use crate::mail::inbound::pipeline;
use crate::mail::inbound::screen::{self, auth::Authenticator};
use crate::mail::sources;
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
pub async fn import(
    ctx: &AppContext,
    path: &Path,
    mailbox_id: Option<i64>,
    source: Source,
    quiet: bool,
) -> anyhow::Result<ImportSummary> {
    let mails = sources::collect(path)?;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(mails.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut summary = ImportSummary::default();
    for mail in mails {
        let new = NewMail::new(source, mailbox_id, &mail.raw);
        match pipeline::ingest(ctx, new).await {
            Ok((journaled, outcome)) => match outcome.status.as_str() {
                _ if journaled.duplicate => summary.duplicates += 1,
                "processed" if outcome.created => summary.created += 1,
                "processed" => summary.threaded += 1,
                "quarantined" => summary.quarantined += 1,
                _ => {
                    summary.failed += 1;
                    bar.suspend(|| eprintln!("failed: {} ({})", mail.origin, outcome.reason.unwrap_or_default()));
                }
            },
            Err(e) => {
                summary.failed += 1;
                bar.suspend(|| eprintln!("failed: {} ({e})", mail.origin));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(summary)
}

/// `maildesk mail parse FILE`: exactly what the pipeline sees, as JSON, with the sender
/// authentication verdict as `"authentication"` (no SMTP envelope: SPF is `none`, as for mail
/// fetched from a mailbox); `authenticator` none: authentication is off.
pub async fn parse_file(path: &Path, authenticator: Option<&Authenticator>) -> anyhow::Result<String> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = parse_mail(&raw, &ParseOptions::default()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let authentication = match authenticator {
        Some(a) => a.verify(&raw, None).await,
        None => {
            let domain = parsed
                .from
                .as_ref()
                .and_then(|f| f.email.rsplit_once('@'))
                .map(|(_, d)| d.to_lowercase());
            SenderAuth::unchecked(domain.as_deref().unwrap_or_default(), screen::NOT_CHECKED)
        }
    };
    let mut json = serde_json::to_value(&parsed)?;
    if let Some(object) = json.as_object_mut() {
        object.insert("authentication".into(), serde_json::to_value(authentication)?);
    }
    Ok(serde_json::to_string_pretty(&json)?)
}

pub async fn replay(ctx: &AppContext, id: Option<i64>) -> anyhow::Result<(usize, usize)> {
    let outcomes = pipeline::replay(ctx, id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let failed = outcomes.iter().filter(|o| o.status == "failed").count();
    Ok((outcomes.len() - failed, failed))
}

/// Sample mails `maildesk demo` imports: new requests, a threaded follow-up, attachments,
/// inline images, legacy charsets, an auto-reply and a bounce.
const DEMO_MAILS: &[(&str, &[u8])] = &[
    (
        "008-apple-mail-mac-new-request.eml",
        include_bytes!("../demo/008-apple-mail-mac-new-request.eml"),
    ),
    (
        "010-thunderbird-new-request-flowed.eml",
        include_bytes!("../demo/010-thunderbird-new-request-flowed.eml"),
    ),
    (
        "012-outlook-ios-get-outlook.eml",
        include_bytes!("../demo/012-outlook-ios-get-outlook.eml"),
    ),
    (
        "015-plain-text-only-new-request.eml",
        include_bytes!("../demo/015-plain-text-only-new-request.eml"),
    ),
    (
        "017-mixed-pdf-attachment.eml",
        include_bytes!("../demo/017-mixed-pdf-attachment.eml"),
    ),
    (
        "019-related-inline-cid-images.eml",
        include_bytes!("../demo/019-related-inline-cid-images.eml"),
    ),
    (
        "040-windows-1252-smart-quotes-euro.eml",
        include_bytes!("../demo/040-windows-1252-smart-quotes-euro.eml"),
    ),
    (
        "054-emoji-subject-and-body.eml",
        include_bytes!("../demo/054-emoji-subject-and-body.eml"),
    ),
    (
        "074-ooo-english-auto-submitted.eml",
        include_bytes!("../demo/074-ooo-english-auto-submitted.eml"),
    ),
    (
        "091-bounce-postfix-dsn-user-unknown.eml",
        include_bytes!("../demo/091-bounce-postfix-dsn-user-unknown.eml"),
    ),
    (
        "900-demo-thread-request.eml",
        include_bytes!("../demo/900-demo-thread-request.eml"),
    ),
    (
        "901-demo-thread-follow-up.eml",
        include_bytes!("../demo/901-demo-thread-follow-up.eml"),
    ),
];

pub const DEMO_ADDRESS: &str = "support@help.example.com";

/// Imports the bundled sample mails through the same pipeline as real mail, into a demo
/// mailbox (created when missing), so a new user sees real tickets at once.
pub async fn demo(ctx: &AppContext) -> anyhow::Result<ImportSummary> {
    let existing = crate::mail::mailboxes::list(ctx.db())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mailbox_id = match existing.iter().find(|m| m.address == DEMO_ADDRESS) {
        Some(m) => m.id,
        None => {
            let settings = protocol::MailboxSettings {
                name: Some("Demo support mailbox".into()),
                address: Some(DEMO_ADDRESS.into()),
                ..Default::default()
            };
            crate::mail::mailboxes::create(ctx.db(), ctx.keys(), Egress::of(ctx.settings()), &settings)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .mailbox
                .id
        }
    };
    let mut summary = ImportSummary::default();
    for (name, raw) in DEMO_MAILS {
        let mail = NewMail::new(Source::Demo, Some(mailbox_id), raw);
        let (journaled, outcome) = pipeline::ingest(ctx, mail)
            .await
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        match outcome.status.as_str() {
            _ if journaled.duplicate => summary.duplicates += 1,
            "processed" if outcome.created => summary.created += 1,
            "processed" => summary.threaded += 1,
            "quarantined" => summary.quarantined += 1,
            _ => summary.failed += 1,
        }
    }
    Ok(summary)
}
