//! What the checks on the way in found about an inbound mail, kept with it and with the message
//! it became: who really sent it (SPF, DKIM, DMARC and ARC, in RFC 8601's words: shown to agents
//! as a badge, printed by `maildesk mail parse`, tested by rules).

use serde::{Deserialize, Serialize};

string_enum!(
    /// What a mailbox does with sender authentication's verdict.
    #[derive(Default)]
    SenderPolicy {
        #[default]
        /// Staff semantics, joining by subject token and DMARC's reject/quarantine need a
        /// verified sender (the default).
        Enforce => "enforce",
        /// Verdicts are recorded and shown, nothing is decided by them (to watch before enforcing).
        Monitor => "monitor",
    }
);

string_enum!(
    /// What a mailbox does with an attachment the virus scanner flags.
    #[derive(Default)]
    MalwareAction {
        #[default]
        /// The file is not stored; the message says so and the ticket is tagged `malware`.
        Strip => "strip",
        /// The whole mail waits in the quarantine for an admin.
        Quarantine => "quarantine",
    }
);

/// Everything checked on one mail. A check that did not run is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailChecks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<SenderAuth>,
    /// Attachments the virus scanner flagged: they were not stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub malware: Vec<MalwareFinding>,
    /// Why the attachments went unscanned (the scanner was down and the setting lets mail
    /// through rather than wait): shown to agents as a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unscanned: Option<String>,
    /// The spam filter's score and the rules that scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spam: Option<SpamVerdict>,
    /// Files the mailbox did not store (too large, a blocked type): staff can still take them
    /// from the original mail while retention keeps it
    /// (`GET /api/v1/messages/{id}/original/{index}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<WithheldFile>,
}

/// A file of the mail that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithheldFile {
    /// Its place among the mail's attachments.
    pub index: usize,
    pub filename: String,
    pub size: u64,
    pub reason: String,
}

/// One attachment the virus scanner flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MalwareFinding {
    /// Its place among the mail's attachments.
    pub index: usize,
    pub filename: String,
    /// The scanner's name for what it found.
    pub signature: String,
}

/// What the spam filter (rspamd) said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpamVerdict {
    pub score: f64,
    pub required_score: f64,
    /// The filter's action: `no action`, `add header`, `rewrite subject`, `greylist`, `reject`.
    pub action: String,
    /// The rules that scored, highest first (admins only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<SpamSymbol>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpamSymbol {
    pub name: String,
    pub score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SpamVerdict {
    /// The filter would reject it: junk.
    pub fn is_junk(&self) -> bool {
        self.action == "reject"
    }

    /// The filter would mark it: agents see a flag.
    pub fn is_suspect(&self) -> bool {
        matches!(self.action.as_str(), "add header" | "rewrite subject")
    }
}

string_enum!(
    /// One method's result.
    AuthResult {
        Pass => "pass",
        Fail => "fail",
        Softfail => "softfail",
        Neutral => "neutral",
        None => "none",
        Temperror => "temperror",
        Permerror => "permerror",
    }
);

/// The verdict on one mail's sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SenderAuth {
    /// The domain of the `From:` address: the one the verdict is about.
    pub from_domain: String,
    pub spf: AuthResult,
    /// The domain SPF checked (envelope sender, else HELO); none when the mail came without an
    /// SMTP envelope of ours (fetched from a mailbox: only its receiving host saw the sender).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spf_domain: Option<String>,
    /// The best result over the mail's DKIM signatures.
    pub dkim: AuthResult,
    /// The domains (`d=`) whose signatures verified.
    #[serde(default)]
    pub dkim_domains: Vec<String>,
    /// A verified signature of the `From:` domain or of its organizational domain.
    pub dkim_aligned: bool,
    pub dmarc: AuthResult,
    /// The `From:` domain's published policy (`none`, `quarantine`, `reject`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dmarc_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arc: Option<AuthResult>,
    /// Who checked: `maildesk`, or the trusted receiving host whose `Authentication-Results`
    /// header was read.
    pub checked_by: String,
}

impl SenderAuth {
    /// The `From:` domain is proven: DMARC passes, or a signature of that domain verified.
    pub fn verified(&self) -> bool {
        self.dmarc == AuthResult::Pass || self.dkim_aligned
    }

    /// Proven for this address's domain (a staff member's, a requester's).
    pub fn verified_for(&self, email: &str) -> bool {
        let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
        self.verified() && domain.eq_ignore_ascii_case(&self.from_domain)
    }

    /// DMARC failed and the domain asks receivers to reject or quarantine such mail.
    pub fn dmarc_says_refuse(&self) -> bool {
        self.dmarc == AuthResult::Fail && matches!(self.dmarc_policy.as_deref(), Some("reject" | "quarantine"))
    }

    /// DNS trouble decided nothing: the verdict is open, not negative.
    pub fn temporary(&self) -> bool {
        [self.spf, self.dkim, self.dmarc].contains(&AuthResult::Temperror)
    }

    /// Why the sender is not verified, in a few words for the agent's badge.
    pub fn why_not(&self) -> Option<String> {
        if self.verified() {
            return None;
        }
        Some(if self.temporary() {
            "DNS did not answer; it could not be checked".to_owned()
        } else if self.dmarc == AuthResult::Fail {
            format!("DMARC fails for {}", self.from_domain)
        } else if self.dkim == AuthResult::Pass {
            format!(
                "signed by {}, not by {}",
                self.dkim_domains.join(", "),
                self.from_domain
            )
        } else if self.dkim == AuthResult::None {
            format!("no signature, and {} publishes no DMARC that passes", self.from_domain)
        } else {
            format!("its signature does not verify (DKIM {})", self.dkim)
        })
    }

    /// The verdict for a mail nobody could check (authentication off, no `From:` domain).
    pub fn unchecked(from_domain: &str, checked_by: &str) -> Self {
        Self {
            from_domain: from_domain.to_owned(),
            spf: AuthResult::None,
            spf_domain: None,
            dkim: AuthResult::None,
            dkim_domains: Vec::new(),
            dkim_aligned: false,
            dmarc: AuthResult::None,
            dmarc_policy: None,
            arc: None,
            checked_by: checked_by.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> SenderAuth {
        SenderAuth::unchecked("shop.example", "maildesk")
    }

    #[test]
    fn dmarc_pass_or_an_aligned_signature_verifies_the_from_domain_only() {
        let mut a = base();
        assert!(!a.verified());
        assert!(a.why_not().is_some());
        a.dmarc = AuthResult::Pass;
        assert!(a.verified_for("ann@shop.example"));
        assert!(a.verified_for("Ann@SHOP.example"));
        assert!(!a.verified_for("ann@other.example"));
        let mut b = base();
        b.dkim = AuthResult::Pass;
        b.dkim_domains = vec!["mailer.example".into()];
        assert!(!b.verified(), "a signature of another domain proves nothing");
        assert_eq!(
            b.why_not().as_deref(),
            Some("signed by mailer.example, not by shop.example")
        );
        b.dkim_aligned = true;
        assert!(b.verified());
    }

    #[test]
    fn only_a_failing_dmarc_with_a_strict_policy_asks_to_refuse() {
        let mut a = base();
        a.dmarc = AuthResult::Fail;
        assert!(!a.dmarc_says_refuse());
        for (policy, refuse) in [("none", false), ("quarantine", true), ("reject", true)] {
            a.dmarc_policy = Some(policy.into());
            assert_eq!(a.dmarc_says_refuse(), refuse, "{policy}");
        }
        a.dmarc = AuthResult::Temperror;
        assert!(!a.dmarc_says_refuse(), "DNS trouble never refuses");
        assert!(a.temporary());
    }

    #[test]
    fn results_travel_as_their_rfc_names() {
        assert_eq!(serde_json::to_string(&AuthResult::Temperror).unwrap(), "\"temperror\"");
        assert_eq!(AuthResult::parse("softfail"), Some(AuthResult::Softfail));
    }
}
