//! Sender authentication of inbound mail: SPF (when the mail came through our SMTP receiver,
//! the only time we see the connecting IP), DKIM, DMARC and ARC, checked with `mail-auth`
//! against a caching resolver with short timeouts.
//!
//! DNS trouble never loses a mail and never makes a verdict negative: a lookup that does not
//! answer in time is `temperror`, and the mailbox's policy decides what that allows.

use std::net::SocketAddr;
use std::time::Duration;

use mail_auth::hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::system_conf::read_system_conf;
use mail_auth::{
    AuthenticatedMessage, DkimOutput, DkimResult, DmarcOutput, DmarcResult, MessageAuthenticator, SpfOutput, SpfResult,
    dmarc::Policy, dmarc::verify::DmarcParameters, spf::verify::SpfParameters,
};
use protocol::{AuthResult, SenderAuth};

use super::auth_results::best;
use crate::mail::inbound::journal::Envelope;
use crate::settings::Settings;

/// Who writes `checked_by` on verdicts of our own.
pub const CHECKED_HERE: &str = "maildesk";

/// The resolver and how long a whole check may take.
pub struct Authenticator {
    inner: MessageAuthenticator,
    /// The whole check (several lookups), after which it is `temperror`.
    deadline: Duration,
    /// Our host name, for SPF's `%{r}` macro.
    host: String,
}

impl Authenticator {
    /// `resolvers` empty: the system's (`/etc/resolv.conf`). Each lookup waits `timeout`, once;
    /// answers are cached up to their TTL.
    pub fn new(resolvers: &[SocketAddr], timeout: Duration, host: &str) -> anyhow::Result<Self> {
        let (config, mut opts) = if resolvers.is_empty() {
            read_system_conf().unwrap_or_else(|e| {
                // No resolv.conf: every check is `temperror` until one is configured.
                tracing::warn!(error = %e, "no system DNS configuration; set scan.dns_resolvers");
                (
                    ResolverConfig::from_parts(None, Vec::new(), Vec::new()),
                    ResolverOpts::default(),
                )
            })
        } else {
            (
                ResolverConfig::from_parts(None, Vec::new(), resolvers.iter().map(name_server).collect()),
                ResolverOpts::default(),
            )
        };
        opts.timeout = timeout;
        opts.attempts = 1;
        opts.cache_size = 8192;
        // Mail is checked against what the domains publish, not what a search list makes of it.
        opts.ndots = 0;
        Ok(Self {
            inner: MessageAuthenticator::new(config, opts)?,
            deadline: timeout * 4,
            host: if host.is_empty() {
                "maildesk".to_owned()
            } else {
                host.to_owned()
            },
        })
    }

    /// The authenticator `scan.*` describes; none when `scan.sender_auth` is off.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        if !settings.scan.sender_auth {
            return Ok(None);
        }
        let timeout = Duration::from_millis(settings.scan.dns_timeout_ms);
        Ok(Some(Self::new(
            &settings.scan.resolvers()?,
            timeout,
            &settings.receiver.hostname,
        )?))
    }

    /// The verdict on `raw`. `envelope`: what our SMTP receiver saw (IP, HELO, MAIL FROM); without
    /// it SPF is `none` and DMARC rests on DKIM.
    pub async fn verify(&self, raw: &[u8], envelope: Option<&Envelope>) -> SenderAuth {
        let Some(msg) = AuthenticatedMessage::parse(raw) else {
            return SenderAuth::unchecked("", CHECKED_HERE);
        };
        let from_domain = from_domain(&msg);
        match tokio::time::timeout(self.deadline, self.check(&msg, envelope, &from_domain)).await {
            Ok(verdict) => verdict,
            Err(_) => {
                tracing::warn!(domain = %from_domain, "sender authentication timed out (DNS)");
                let mut v = SenderAuth::unchecked(&from_domain, CHECKED_HERE);
                (v.spf, v.dkim, v.dmarc) = (AuthResult::Temperror, AuthResult::Temperror, AuthResult::Temperror);
                v
            }
        }
    }

    async fn check(
        &self,
        msg: &AuthenticatedMessage<'_>,
        envelope: Option<&Envelope>,
        from_domain: &str,
    ) -> SenderAuth {
        let dkim = self.inner.verify_dkim(msg).await;
        let (spf, mail_from_domain) = match envelope {
            Some(e) => {
                let sender = if e.mail_from.is_empty() {
                    format!("postmaster@{}", e.helo)
                } else {
                    e.mail_from.clone()
                };
                let params = SpfParameters::verify_mail_from(e.ip, &e.helo, &self.host, &sender);
                let domain = sender
                    .rsplit_once('@')
                    .map_or(e.helo.clone(), |(_, d)| d.to_lowercase());
                (Some(self.inner.verify_spf(params).await), domain)
            }
            None => (None, String::new()),
        };
        let no_spf = SpfOutput::default();
        let dmarc = self
            .inner
            .verify_dmarc(
                DmarcParameters::new(msg, &dkim, &mail_from_domain, spf.as_ref().unwrap_or(&no_spf))
                    .with_domain_suffix_fn(organizational),
            )
            .await;
        let arc = if msg.as_headers.is_empty() {
            None
        } else {
            Some(dkim_result(self.inner.verify_arc(msg).await.result()))
        };
        verdict(from_domain, &dkim, spf.as_ref(), &dmarc, arc)
    }
}

fn name_server(addr: &SocketAddr) -> NameServerConfig {
    let mut udp = ConnectionConfig::udp();
    udp.port = addr.port();
    let mut tcp = ConnectionConfig::tcp();
    tcp.port = addr.port();
    NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
}

/// The one `From:` domain (a mail with several From domains has none: DMARC exempts it).
fn from_domain(msg: &AuthenticatedMessage<'_>) -> String {
    let mut domains = msg
        .from
        .iter()
        .filter_map(|f| f.rsplit_once('@'))
        .map(|(_, d)| d.to_lowercase());
    match (domains.next(), domains.next()) {
        (Some(d), None) => d,
        _ => String::new(),
    }
}

fn verdict(
    from_domain: &str,
    dkim: &[DkimOutput<'_>],
    spf: Option<&SpfOutput>,
    dmarc: &DmarcOutput,
    arc: Option<AuthResult>,
) -> SenderAuth {
    let mut v = SenderAuth::unchecked(from_domain, CHECKED_HERE);
    let passed: Vec<String> = dkim
        .iter()
        .filter(|o| o.result() == &DkimResult::Pass)
        .filter_map(|o| o.signature().map(|s| s.d.to_lowercase()))
        .collect();
    v.dkim = best(&dkim.iter().map(|o| dkim_result(o.result())).collect::<Vec<_>>());
    v.dkim_aligned = !from_domain.is_empty() && passed.iter().any(|d| aligned(d, from_domain));
    v.dkim_domains = passed;
    if let Some(spf) = spf {
        v.spf = spf_result(spf.result());
        v.spf_domain = Some(spf.domain().to_lowercase());
    }
    (v.dmarc, v.dmarc_policy) = dmarc_result(dmarc);
    v.arc = arc;
    v
}

/// DMARC's verdict and the policy that applies. A published record that neither SPF nor DKIM
/// satisfies is a failure, even when neither was there to try.
fn dmarc_result(d: &DmarcOutput) -> (AuthResult, Option<String>) {
    let (spf, dkim) = (d.spf_result(), d.dkim_result());
    let temp = |r: &DmarcResult| matches!(r, DmarcResult::TempError(_));
    let perm = |r: &DmarcResult| matches!(r, DmarcResult::PermError(_));
    let policy = d.dmarc_record().map(|_| match d.policy() {
        Policy::Reject => "reject".to_owned(),
        Policy::Quarantine => "quarantine".to_owned(),
        Policy::None | Policy::Unspecified => "none".to_owned(),
    });
    let result = if spf == &DmarcResult::Pass || dkim == &DmarcResult::Pass {
        AuthResult::Pass
    } else if temp(spf) || temp(dkim) {
        AuthResult::Temperror
    } else if perm(spf) || perm(dkim) {
        AuthResult::Permerror
    } else if policy.is_some() {
        AuthResult::Fail
    } else {
        AuthResult::None
    };
    (result, policy)
}

fn dkim_result(r: &DkimResult) -> AuthResult {
    match r {
        DkimResult::Pass => AuthResult::Pass,
        DkimResult::Neutral(_) => AuthResult::Neutral,
        DkimResult::Fail(_) => AuthResult::Fail,
        DkimResult::PermError(_) => AuthResult::Permerror,
        DkimResult::TempError(_) => AuthResult::Temperror,
        DkimResult::None => AuthResult::None,
    }
}

fn spf_result(r: SpfResult) -> AuthResult {
    match r {
        SpfResult::Pass => AuthResult::Pass,
        SpfResult::Fail => AuthResult::Fail,
        SpfResult::SoftFail => AuthResult::Softfail,
        SpfResult::Neutral => AuthResult::Neutral,
        SpfResult::TempError => AuthResult::Temperror,
        SpfResult::PermError => AuthResult::Permerror,
        SpfResult::None => AuthResult::None,
    }
}

/// The organizational domain (`mail.shop.co.uk` → `shop.co.uk`), from the public suffix list:
/// cutting at two labels would make every `*.co.uk` "aligned" with every other.
pub fn organizational(domain: &str) -> &str {
    psl::domain_str(domain).unwrap_or(domain)
}

/// DMARC's relaxed alignment: the same organizational domain.
pub fn aligned(signer: &str, from_domain: &str) -> bool {
    let (signer, from) = (
        signer.trim_end_matches('.').to_lowercase(),
        from_domain.trim_end_matches('.').to_lowercase(),
    );
    !signer.is_empty() && (signer == from || organizational(&signer) == organizational(&from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_follows_the_public_suffix_list() {
        assert!(aligned("shop.example.com", "example.com"));
        assert!(aligned("mail.shop.co.uk", "shop.co.uk"));
        assert!(
            !aligned("evil.co.uk", "shop.co.uk"),
            "two registrations under one public suffix"
        );
        assert!(!aligned("example.net", "example.com"));
        assert!(!aligned("", "example.com"));
    }
}
