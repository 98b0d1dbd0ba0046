//! Where each provider's endpoints are and which scopes a mailbox asks for. Microsoft and
//! Google are known; any other provider is found by OpenID discovery from its issuer (read
//! through the egress-checked client, cached for an hour).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use entity::{mailbox, mailbox_oauth};
use protocol::{FetchProtocol, OAuthProvider};
use serde::Deserialize;

use super::OAuthError;
use crate::egress::{self, Egress};
use crate::settings::Settings;

/// The endpoints the authorization-code flow and refreshing use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    /// Asked for the account's address when the token response has no ID token.
    pub userinfo: Option<String>,
}

/// What the mailbox's grant is used for, which decides the scopes asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// IMAP or POP3 fetching and SMTP sending.
    MailProtocols,
    /// Microsoft Graph fetching or sending.
    Graph,
}

impl Usage {
    pub fn of(m: &mailbox::Model) -> Self {
        if FetchProtocol::parse(&m.fetch_protocol) == FetchProtocol::Graph || m.graph_send {
            Self::Graph
        } else {
            Self::MailProtocols
        }
    }
}

/// The scopes asked for: the admin's own, or the provider's defaults for `usage`. Every set
/// asks for the account's address (`openid email`) and, where the provider knows it, for a
/// refresh token (`offline_access`).
pub fn scopes(app: &mailbox_oauth::Model, usage: Usage) -> Vec<String> {
    let own: Vec<String> = app.scopes.split_whitespace().map(str::to_owned).collect();
    if !own.is_empty() {
        return own;
    }
    let provider = OAuthProvider::parse(&app.provider).unwrap_or(OAuthProvider::Oidc);
    let defaults: &[&str] = match (provider, usage) {
        // One resource per token at Microsoft: IMAP, POP and SMTP are all outlook.office.com.
        (OAuthProvider::Microsoft, Usage::MailProtocols) => &[
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/POP.AccessAsUser.All",
            "https://outlook.office.com/SMTP.Send",
            "offline_access",
            "openid",
            "email",
        ],
        // `.Shared`: a delegated account reading and sending as a shared mailbox.
        (OAuthProvider::Microsoft, Usage::Graph) => &[
            "https://graph.microsoft.com/Mail.ReadWrite",
            "https://graph.microsoft.com/Mail.ReadWrite.Shared",
            "https://graph.microsoft.com/Mail.Send",
            "https://graph.microsoft.com/Mail.Send.Shared",
            "https://graph.microsoft.com/User.Read",
            "offline_access",
            "openid",
            "email",
        ],
        // Google's refresh token comes from `access_type=offline`, not a scope.
        (OAuthProvider::Google, _) => &["https://mail.google.com/", "openid", "email"],
        (OAuthProvider::Oidc, _) => &["openid", "email", "offline_access"],
    };
    defaults.iter().map(|s| (*s).to_owned()).collect()
}

/// Extra parameters of the authorization request, beside the standard ones.
pub fn authorize_params(app: &mailbox_oauth::Model) -> Vec<(&'static str, &'static str)> {
    match OAuthProvider::parse(&app.provider) {
        // Without both, Google gives a refresh token only on the very first consent.
        Some(OAuthProvider::Google) => vec![("access_type", "offline"), ("prompt", "consent")],
        Some(OAuthProvider::Microsoft) => vec![("prompt", "select_account")],
        _ => vec![],
    }
}

/// The endpoints of `app`'s provider.
pub async fn endpoints(settings: &Settings, app: &mailbox_oauth::Model) -> Result<Endpoints, OAuthError> {
    match OAuthProvider::parse(&app.provider) {
        Some(OAuthProvider::Microsoft) => Ok(microsoft(settings, app.tenant.as_deref())),
        Some(OAuthProvider::Google) => Ok(Endpoints {
            authorize: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token: "https://oauth2.googleapis.com/token".into(),
            userinfo: Some("https://openidconnect.googleapis.com/v1/userinfo".into()),
        }),
        Some(OAuthProvider::Oidc) => {
            let issuer = app
                .issuer
                .as_deref()
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .ok_or_else(|| OAuthError::NotConfigured("the OpenID provider has no issuer URL".into()))?;
            discover(Egress::of(settings), issuer).await
        }
        None => Err(OAuthError::NotConfigured(format!(
            "unknown OAuth provider {:?}",
            app.provider
        ))),
    }
}

fn microsoft(settings: &Settings, tenant: Option<&str>) -> Endpoints {
    let authority = settings.mail.microsoft_login_url.trim_end_matches('/');
    // `organizations`: any work or school account; personal accounts have no IMAP OAuth.
    let tenant = tenant
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("organizations");
    Endpoints {
        authorize: format!("{authority}/{tenant}/oauth2/v2.0/authorize"),
        token: format!("{authority}/{tenant}/oauth2/v2.0/token"),
        userinfo: Some("https://graph.microsoft.com/oidc/userinfo".into()),
    }
}

#[derive(Deserialize)]
struct Discovery {
    issuer: Option<String>,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: Option<String>,
}

type Cache = Mutex<HashMap<String, (Instant, Endpoints)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

/// OpenID Connect Discovery 1.0 §4: `{issuer}/.well-known/openid-configuration`.
async fn discover(egress: Egress, issuer: &str) -> Result<Endpoints, OAuthError> {
    let issuer = issuer.trim_end_matches('/');
    if let Some((at, found)) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(issuer)
        && at.elapsed() < DISCOVERY_TTL
    {
        return Ok(found.clone());
    }
    let url = format!("{issuer}/.well-known/openid-configuration");
    egress::check_url(&url, egress).map_err(|e| OAuthError::NotConfigured(format!("issuer {issuer}: {e}")))?;
    let response = egress::http_client(egress)
        .get(&url)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|e| OAuthError::Provider(format!("reading {url}: {e}")))?;
    if !response.status().is_success() {
        return Err(OAuthError::Provider(format!(
            "reading {url}: HTTP {}",
            response.status()
        )));
    }
    let doc: Discovery = response
        .json()
        .await
        .map_err(|e| OAuthError::Provider(format!("{url} is not an OpenID configuration: {e}")))?;
    // §4.3: the document must name the issuer it was fetched for.
    if let Some(named) = &doc.issuer
        && named.trim_end_matches('/') != issuer
    {
        return Err(OAuthError::NotConfigured(format!(
            "{url} names the issuer {named}, not {issuer}"
        )));
    }
    for endpoint in [&doc.authorization_endpoint, &doc.token_endpoint] {
        egress::check_url(endpoint, egress).map_err(|e| OAuthError::NotConfigured(format!("{endpoint}: {e}")))?;
    }
    let found = Endpoints {
        authorize: doc.authorization_endpoint,
        token: doc.token_endpoint,
        userinfo: doc.userinfo_endpoint,
    };
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(issuer.to_owned(), (Instant::now(), found.clone()));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(provider: &str, tenant: Option<&str>, scopes: &str) -> mailbox_oauth::Model {
        mailbox_oauth::Model {
            mailbox_id: 1,
            provider: provider.into(),
            tenant: tenant.map(Into::into),
            client_id: "c".into(),
            client_secret_enc: None,
            issuer: None,
            scopes: scopes.into(),
            account: None,
            refresh_token_enc: None,
            access_token_enc: None,
            access_expires_at: None,
            status: "not_connected".into(),
            last_error: None,
            connected_at: None,
            refreshed_at: None,
            refresh_owner: None,
            refresh_lease_until: None,
            alerted_at: None,
            updated_at: chrono::Utc::now(),
        }
    }

    #[tokio::test]
    async fn microsoft_uses_the_v2_endpoints_of_the_tenant() {
        let settings = Settings::load_from(None, &[]).unwrap();
        let e = endpoints(&settings, &app("microsoft", Some("contoso.onmicrosoft.com"), ""))
            .await
            .unwrap();
        assert_eq!(
            e.authorize,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
        );
        assert_eq!(
            e.token,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        let default_tenant = endpoints(&settings, &app("microsoft", None, "")).await.unwrap();
        assert!(default_tenant.token.contains("/organizations/oauth2/v2.0/token"));
    }

    #[test]
    fn scopes_follow_the_usage_unless_the_admin_set_them() {
        let ms = app("microsoft", None, "");
        let imap = scopes(&ms, Usage::MailProtocols);
        assert!(imap.contains(&"https://outlook.office.com/IMAP.AccessAsUser.All".to_owned()));
        assert!(imap.contains(&"offline_access".to_owned()));
        assert!(!imap.iter().any(|s| s.contains("graph.microsoft.com")));
        let graph = scopes(&ms, Usage::Graph);
        assert!(graph.contains(&"https://graph.microsoft.com/Mail.Send".to_owned()));
        assert!(!graph.iter().any(|s| s.contains("outlook.office.com")));
        let google = scopes(&app("google", None, ""), Usage::MailProtocols);
        assert!(google.contains(&"https://mail.google.com/".to_owned()));
        let own = scopes(&app("oidc", None, "a  b"), Usage::Graph);
        assert_eq!(own, vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            authorize_params(&app("google", None, "")),
            vec![("access_type", "offline"), ("prompt", "consent")]
        );
    }
}
