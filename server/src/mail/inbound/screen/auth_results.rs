//! Reading the verdict of a receiving host we trust: the topmost `Authentication-Results`
//! header (RFC 8601) of mail fetched from Microsoft 365, Google and the like, which checked SPF,
//! DKIM and DMARC when the mail reached them — with the connecting IP we never see.
//!
//! Only the topmost header counts, and only when its authserv-id is one the mailbox names:
//! lower ones were written before the trusted host (or by the sender) and prove nothing.
//! Microsoft 365 writes its header without an authserv-id; the name `microsoft365` trusts that.

use protocol::{AuthResult, SenderAuth};

use super::auth::aligned;

/// The name that trusts a topmost header without an authserv-id (Microsoft 365's).
pub const MICROSOFT_365: &str = "microsoft365";

/// The verdict of the topmost `Authentication-Results` header, when `trusted` names its host.
/// `headers` are the mail's header fields in order (name, unfolded value).
pub fn from_trusted(headers: &[(String, String)], trusted: &[String], from_domain: &str) -> Option<SenderAuth> {
    let value = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
        .map(|(_, v)| uncomment(v))?;
    let mut parts = value.split(';').map(str::trim);
    let first = parts.next()?;
    let (host, results): (String, Vec<&str>) = if first.contains('=') {
        (String::new(), std::iter::once(first).chain(parts).collect())
    } else {
        let id = first.split_whitespace().next().unwrap_or_default().to_lowercase();
        (id, parts.collect())
    };
    let named = trusted.iter().any(|t| {
        let t = t.trim().to_lowercase();
        (host.is_empty() && t == MICROSOFT_365) || (!host.is_empty() && t == host)
    });
    if !named {
        return None;
    }
    let checked_by = if host.is_empty() {
        MICROSOFT_365.to_owned()
    } else {
        host
    };
    Some(read_results(&results, from_domain, checked_by))
}

fn read_results(results: &[&str], from_domain: &str, checked_by: String) -> SenderAuth {
    let mut auth = SenderAuth::unchecked(from_domain, &checked_by);
    let mut dkim_seen = Vec::new();
    for r in results {
        let mut words = r.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let result = AuthResult::parse(&result.to_lowercase()).unwrap_or(AuthResult::Permerror);
        let props: Vec<(String, String)> = words
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_lowercase(), v.trim_matches('"').to_lowercase()))
            .collect();
        let prop = |key: &str| props.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        match method.to_lowercase().as_str() {
            "spf" => {
                auth.spf = result;
                auth.spf_domain = prop("smtp.mailfrom").map(|m| m.rsplit('@').next().unwrap_or_default().to_owned());
            }
            "dkim" => {
                dkim_seen.push(result);
                if let (AuthResult::Pass, Some(d)) = (result, prop("header.d").or_else(|| prop("header.i"))) {
                    let d = d
                        .trim_start_matches('@')
                        .rsplit('@')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    auth.dkim_aligned |= aligned(&d, from_domain);
                    auth.dkim_domains.push(d);
                }
            }
            "dmarc" => {
                auth.dmarc = result;
                // Gmail: `p=` (from its comment); Microsoft 365: `action=` (what it applied).
                auth.dmarc_policy = prop("policy.dmarc")
                    .or_else(|| prop("p"))
                    .or_else(|| prop("action"))
                    .map(|p| {
                        if p.contains("reject") {
                            "reject".to_owned()
                        } else if p.contains("quarantine") {
                            "quarantine".to_owned()
                        } else {
                            p
                        }
                    });
            }
            "arc" => auth.arc = Some(result),
            _ => {}
        }
    }
    auth.dkim = best(&dkim_seen);
    auth
}

/// The best of several signatures' results: one pass is enough.
pub fn best(results: &[AuthResult]) -> AuthResult {
    use AuthResult::*;
    [Pass, Fail, Temperror, Permerror, Neutral, Softfail]
        .into_iter()
        .find(|r| results.contains(r))
        .unwrap_or(None)
}

/// The header value without RFC 5322 comments, whose text (`(p=NONE sp=NONE)`) Gmail uses for
/// the policy: its `p=` is kept as a plain word.
fn uncomment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut depth = 0usize;
    for c in value.chars() {
        match c {
            '(' => {
                depth += 1;
                out.push(' ');
            }
            ')' => {
                depth = depth.saturating_sub(1);
                out.push(' ');
            }
            c if depth > 0 && !c.is_ascii_alphanumeric() && c != '=' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    fn trusted(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_named_hosts_topmost_header_gives_the_verdict() {
        let h = headers(&[
            (
                "Authentication-Results",
                "mx.google.com; dkim=pass header.i=@shop.example header.s=s1 header.b=abc; \
                 spf=pass (google.com: domain of a@shop.example designates 1.2.3.4 as permitted sender) \
                 smtp.mailfrom=a@shop.example; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=shop.example",
            ),
            (
                "Authentication-Results",
                "forged.example; dmarc=pass header.from=shop.example",
            ),
        ]);
        let a = from_trusted(&h, &trusted(&["mx.google.com"]), "shop.example").unwrap();
        assert_eq!(
            (a.spf, a.dkim, a.dmarc),
            (AuthResult::Pass, AuthResult::Pass, AuthResult::Pass)
        );
        assert_eq!(a.dmarc_policy.as_deref(), Some("reject"));
        assert_eq!(a.dkim_domains, vec!["shop.example".to_owned()]);
        assert!(a.dkim_aligned && a.verified());
        assert_eq!(a.checked_by, "mx.google.com");
        assert_eq!(a.spf_domain.as_deref(), Some("shop.example"));
    }

    #[test]
    fn an_unnamed_host_or_a_lower_header_is_not_trusted() {
        let h = headers(&[
            ("Received", "from x"),
            (
                "Authentication-Results",
                "mx.other.example; dmarc=pass header.from=shop.example",
            ),
            (
                "Authentication-Results",
                "mx.google.com; dmarc=pass header.from=shop.example",
            ),
        ]);
        assert!(from_trusted(&h, &trusted(&["mx.google.com"]), "shop.example").is_none());
        assert!(from_trusted(&h, &trusted(&[]), "shop.example").is_none());
    }

    #[test]
    fn microsoft_365s_header_without_a_host_needs_its_own_name() {
        let h = headers(&[(
            "Authentication-Results",
            "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=shop.example; dkim=none (message not signed) \
             header.d=none;dmarc=fail action=quarantine header.from=shop.example;compauth=fail reason=000",
        )]);
        assert!(from_trusted(&h, &trusted(&["mx.google.com"]), "shop.example").is_none());
        let a = from_trusted(&h, &trusted(&["Microsoft365"]), "shop.example").unwrap();
        assert_eq!(
            (a.spf, a.dkim, a.dmarc),
            (AuthResult::Fail, AuthResult::None, AuthResult::Fail)
        );
        assert!(!a.verified());
        assert!(a.dmarc_says_refuse(), "Microsoft applied quarantine");
        assert_eq!(a.checked_by, MICROSOFT_365);
    }

    #[test]
    fn a_signature_of_another_domain_is_not_aligned() {
        let h = headers(&[(
            "Authentication-Results",
            "mx.google.com; dkim=pass header.d=bulkmailer.example; dmarc=fail (p=NONE) header.from=shop.example",
        )]);
        let a = from_trusted(&h, &trusted(&["mx.google.com"]), "shop.example").unwrap();
        assert_eq!(a.dkim, AuthResult::Pass);
        assert!(!a.dkim_aligned && !a.verified());
        assert!(!a.dmarc_says_refuse(), "p=none asks nothing");
    }

    #[test]
    fn garbage_never_panics_and_passes_nothing() {
        for v in [
            "",
            ";",
            "mx.google.com",
            "mx.google.com; =; dkim=; spf",
            "((((",
            "mx.google.com; dkim=bogus",
        ] {
            let h = headers(&[("Authentication-Results", v)]);
            if let Some(a) = from_trusted(&h, &trusted(&["mx.google.com", MICROSOFT_365]), "shop.example") {
                assert!(!a.verified(), "{v:?}");
            }
        }
    }
}
