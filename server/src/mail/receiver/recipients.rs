//! Which mailbox an envelope recipient belongs to. The receiver accepts mail only for
//! addresses of enabled mailboxes, in the forms the inbound routing understands
//! (`inbound::rules::category_from_recipients`): the address itself, `base+tag@` of a mailbox,
//! and `word-<category id>@` on a mailbox's domain. Anything else is refused at RCPT time
//! (550 5.1.1), so the server never becomes a relay or a sink for random addresses.

/// A mailbox the receiver may deliver to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub mailbox_id: i64,
    /// Lower-cased.
    pub address: String,
}

/// The mailbox `recipient` is for, if any. `targets` are the enabled mailboxes (lowest id
/// first: it takes a `word-<category>@` address when several share the domain).
pub fn resolve(recipient: &str, targets: &[Target], category_ids: &[i64]) -> Option<i64> {
    let rcpt = recipient.trim().to_lowercase();
    let (local, domain) = rcpt.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    if let Some(t) = targets.iter().find(|t| t.address == rcpt) {
        return Some(t.mailbox_id);
    }
    if let Some((base, tag)) = local.split_once('+')
        && !tag.is_empty()
        && let Some(t) = targets.iter().find(|t| t.address == format!("{base}@{domain}"))
    {
        return Some(t.mailbox_id);
    }
    if let Some((word, id)) = local.rsplit_once('-')
        && !word.is_empty()
        && let Ok(id) = id.parse::<i64>()
        && category_ids.contains(&id)
    {
        let suffix = format!("@{domain}");
        return targets
            .iter()
            .find(|t| t.address.ends_with(&suffix))
            .map(|t| t.mailbox_id);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Target> {
        vec![
            Target {
                mailbox_id: 1,
                address: "support@acme.test".into(),
            },
            Target {
                mailbox_id: 2,
                address: "billing@acme.test".into(),
            },
            Target {
                mailbox_id: 3,
                address: "help@other.test".into(),
            },
        ]
    }

    #[test]
    fn mailbox_addresses_and_their_forms_resolve() {
        let t = targets();
        assert_eq!(resolve("Support@ACME.test", &t, &[]), Some(1));
        assert_eq!(resolve("billing+urgent@acme.test", &t, &[]), Some(2));
        assert_eq!(resolve("printers-7@acme.test", &t, &[7]), Some(1));
        assert_eq!(resolve("printers-7@other.test", &t, &[7]), Some(3));
    }

    #[test]
    fn everything_else_is_refused() {
        let t = targets();
        for rcpt in [
            "someone@acme.test",
            "support@evil.test",
            "support+@acme.test",
            "printers-8@acme.test",
            "printers-7@evil.test",
            "-7@acme.test",
            "support",
            "@acme.test",
            "support@",
            "",
        ] {
            assert_eq!(resolve(rcpt, &t, &[7]), None, "{rcpt:?}");
        }
    }
}
