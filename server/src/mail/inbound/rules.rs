//! How one mailbox turns mail into tickets (its settings, with safe defaults for mail that came
//! in without a mailbox, e.g. `maildesk import`).

use std::time::Duration;

use entity::{category, mailbox};
use mail_parse::parsed::ParsedMail;
use protocol::{MalwareAction, Priority, SenderPolicy};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::error::AppResult;
use crate::mail::inbound::redact::Redactor;

#[derive(Debug, Clone)]
pub struct MailboxRules {
    pub mailbox_id: Option<i64>,
    pub default_category_id: Option<i64>,
    pub default_priority: Priority,
    pub accept_unknown: bool,
    pub add_recipients_as_subscribers: bool,
    pub reopen_closed: bool,
    pub followup_days: Option<i64>,
    pub max_attachment_bytes: u64,
    /// Lowercased file-name patterns (`*.exe`, `invoice.js`) and content types.
    pub blocked_attachments: Vec<String>,
    /// At most N mails per window from one sender; more go to the quarantine.
    pub rate_limit: Option<(u32, Duration)>,
    pub excluded_text: Vec<String>,
    /// Every mailbox address we own: never a requester or subscriber.
    pub own_addresses: Vec<String>,
    /// What sender authentication's verdict decides.
    pub sender_policy: SenderPolicy,
    /// Receiving hosts whose `Authentication-Results` header is trusted (see `screen`).
    pub trusted_auth_hosts: Vec<String>,
    /// What a flagged attachment does.
    pub malware_action: MalwareAction,
    /// Masks personal data before the mail is stored, when the mailbox asks for it.
    pub redactor: Option<Redactor>,
}

impl MailboxRules {
    pub async fn load(db: &impl ConnectionTrait, mailbox_id: Option<i64>) -> AppResult<Self> {
        let all = mailbox::Entity::find().all(db).await?;
        Ok(Self::of(&all, mailbox_id))
    }

    /// The rules of `mailbox_id` among all the mailboxes (read once for a batch).
    pub fn of(all: &[mailbox::Model], mailbox_id: Option<i64>) -> Self {
        let own_addresses = all.iter().map(|m| m.address.to_lowercase()).collect();
        let Some(m) = mailbox_id.and_then(|id| all.iter().find(|m| m.id == id)) else {
            return Self::defaults(own_addresses);
        };
        let lines = |s: &str| -> Vec<String> {
            s.lines()
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty())
                .collect()
        };
        Self {
            mailbox_id: Some(m.id),
            default_category_id: m.default_category_id,
            default_priority: Priority::parse(&m.default_priority).unwrap_or(Priority::Normal),
            accept_unknown: m.accept_unknown,
            add_recipients_as_subscribers: m.add_recipients_as_subscribers,
            reopen_closed: m.reopen_closed,
            followup_days: m.followup_days.map(i64::from),
            max_attachment_bytes: u64::try_from(m.max_attachment_bytes).unwrap_or(0),
            blocked_attachments: lines(&m.blocked_attachments),
            rate_limit: (m.rate_limit_count > 0 && m.rate_limit_minutes > 0).then(|| {
                (
                    m.rate_limit_count.unsigned_abs(),
                    Duration::from_secs(u64::from(m.rate_limit_minutes.unsigned_abs()) * 60),
                )
            }),
            // Excluded text keeps its case and inner lines: it is matched as written.
            excluded_text: m
                .excluded_text
                .split("\n\n")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            own_addresses,
            sender_policy: m.sender_policy,
            trusted_auth_hosts: lines(&m.trusted_auth_hosts),
            malware_action: m.malware_action,
            redactor: m.redact.then(|| Redactor::new(&m.redact_patterns)),
        }
    }

    pub fn defaults(own_addresses: Vec<String>) -> Self {
        Self {
            mailbox_id: None,
            default_category_id: None,
            default_priority: Priority::Normal,
            accept_unknown: true,
            add_recipients_as_subscribers: true,
            reopen_closed: true,
            followup_days: None,
            max_attachment_bytes: 25 * 1024 * 1024,
            blocked_attachments: vec![],
            rate_limit: None,
            excluded_text: vec![],
            own_addresses,
            sender_policy: SenderPolicy::Enforce,
            trusted_auth_hosts: vec![],
            malware_action: MalwareAction::Strip,
            redactor: None,
        }
    }

    /// The verdict decides (the mailbox enforces it).
    pub fn enforces_sender_auth(&self) -> bool {
        self.sender_policy == SenderPolicy::Enforce
    }

    pub fn is_own(&self, email: &str) -> bool {
        let email = email.to_lowercase();
        self.own_addresses
            .iter()
            .any(|own| *own == email || plus_base(&email).is_some_and(|b| b == *own))
    }

    /// Why an attachment is not stored, if it is not.
    pub fn refuse_attachment(&self, filename: &str, content_type: &str, size: u64) -> Option<String> {
        if size > self.max_attachment_bytes {
            return Some(format!(
                "{filename} ({size} bytes) is over the limit of {} bytes",
                self.max_attachment_bytes
            ));
        }
        let name = filename.to_lowercase();
        let ctype = content_type.to_lowercase();
        self.blocked_attachments
            .iter()
            .find(|p| glob_match(p, &name) || **p == ctype)
            .map(|p| format!("{filename} matches the blocked pattern {p}"))
    }

    /// Routing by the address the mail was sent to: `support+billing@` → category "billing";
    /// `anything-<category id>@` → that category (seed 000). The headers' To and Cc first, then
    /// the envelope recipients (`Delivered-To`), for mail whose headers do not name us.
    pub fn category_from_recipients(&self, parsed: &ParsedMail, categories: &[category::Model]) -> Option<i64> {
        for rcpt in parsed.to.iter().chain(&parsed.cc).chain(&parsed.delivered_to) {
            let Some((local, domain)) = rcpt.email.split_once('@') else {
                continue;
            };
            let ours_domain = self.own_addresses.iter().any(|o| o.ends_with(&format!("@{domain}")));
            if !ours_domain {
                continue;
            }
            if let Some((base, tag)) = local.split_once('+')
                && self.own_addresses.contains(&format!("{base}@{domain}"))
                && let Some(c) = categories.iter().find(|c| c.name.eq_ignore_ascii_case(tag))
            {
                return Some(c.id);
            }
            if let Some((_, id)) = local.rsplit_once('-')
                && let Ok(id) = id.parse::<i64>()
                && categories.iter().any(|c| c.id == id)
            {
                return Some(id);
            }
        }
        None
    }
}

fn plus_base(email: &str) -> Option<String> {
    let (local, domain) = email.split_once('@')?;
    let (base, _) = local.split_once('+')?;
    Some(format!("{base}@{domain}"))
}

/// `*` matches any run of characters; everything else literally.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(pos) = rest.find(part) {
            rest = &rest[pos + part.len()..];
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_limits_refuse_attachments() {
        let mut r = MailboxRules::defaults(vec!["support@example.com".into()]);
        r.blocked_attachments = vec!["*.exe".into(), "application/x-msdownload".into()];
        r.max_attachment_bytes = 100;
        assert!(
            r.refuse_attachment("Setup.EXE", "application/octet-stream", 10)
                .is_some()
        );
        assert!(r.refuse_attachment("a.bin", "application/x-msdownload", 10).is_some());
        assert!(r.refuse_attachment("big.pdf", "application/pdf", 101).is_some());
        assert!(r.refuse_attachment("ok.pdf", "application/pdf", 100).is_none());
        assert!(r.is_own("Support+Billing@example.com"));
        assert!(!r.is_own("someone@example.com"));
    }
}
