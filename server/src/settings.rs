//! Typed settings, loaded in layers: built-in defaults → optional config file → environment
//! (`MAILDESK__SECTION__KEY`, plus the conventional `DATABASE_URL` / `REDIS_URL`).
//! Secrets are `SecretString`, so `Debug` never prints them.

use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

/// The stemming languages `search.language` accepts (both search engines have a stemmer for each:
/// a test in `search/tantivy_engine/schema.rs` holds them to it).
pub const SEARCH_LANGUAGES: &[&str] = &[
    "arabic",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "greek",
    "hungarian",
    "italian",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where SQLite, blobs, keys and the search index live.
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    pub auth: AuthSettings,
    pub redis: RedisSettings,
    pub admin: AdminSettings,
    pub limits: LimitSettings,
    pub portal: PortalSettings,
    pub smtp: SmtpSettings,
    pub outbound: OutboundSettings,
    pub search: SearchSettings,
    pub sla: SlaSettings,
    pub ingest: IngestSettings,
    pub security: SecuritySettings,
    pub receiver: ReceiverSettings,
    pub mail: MailSettings,
    pub scan: ScanSettings,
    pub retention: RetentionSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Empty: SQLite at `<data_dir>/maildesk.db`.
    pub url: SecretString,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    pub bind: String,
    /// Empty: serve the browser app built into the binary. A folder (e.g. `frontend/dist`, which
    /// `scripts/build-frontend.sh` writes): serve that instead, from disk, for frontend work.
    pub static_dir: PathBuf,
    /// How people reach this server, for links and the start-up message. Empty: from `bind`.
    pub public_url: String,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (comma-separated addresses or
    /// blocks, e.g. `10.0.0.0/8`); empty = trust none.
    pub trusted_proxies: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Empty: generated once and kept in `<data_dir>/keys/jwt.secret`.
    pub jwt_secret: SecretString,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    /// Sign-in attempts per account admitted at once within `login_window_secs`; after that,
    /// one per delay (see `login_base_delay_ms`).
    pub login_max_failures_per_account: u32,
    /// The same per client IP.
    pub login_max_failures_per_ip: u32,
    /// Counts are forgotten after this long without an attempt.
    pub login_window_secs: u64,
    /// The wait after the last free attempt; it doubles with every further attempt…
    pub login_base_delay_ms: u64,
    /// …up to this (never a permanent lock: the owner gets in after at most this long).
    pub login_max_delay_ms: u64,
    /// Life of a one-time ticket for a URL that cannot carry a header (WebSocket, downloads).
    pub url_ticket_ttl_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// Empty: in-process bus and counters (one node).
    pub url: SecretString,
    /// Prepended to every key and channel, so several deployments (or tests) share one Redis.
    pub key_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSettings {
    /// The first admin, created on an empty database.
    pub email: String,
    /// Empty: a one-time password is generated and printed once.
    pub password: SecretString,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub max_json_bytes: usize,
    pub max_attachment_bytes: usize,
    /// What one user may hold in uploads not yet attached to a message (bytes).
    pub pending_upload_bytes: u64,
    /// Uploads not attached to a message within this many hours are deleted.
    pub pending_upload_hours: u32,
    /// Raw mails one client address may be sending to `POST /inbound` at once before their
    /// signature is checked; more are refused (429).
    pub inbound_uploads_per_client: usize,
    /// Live sockets one user may hold open on one node; more are refused (429).
    pub sockets_per_user: usize,
    /// Frames a socket may send per second on average (bursts of three seconds' worth pass);
    /// past that frames are refused, and a client that keeps at it is disconnected.
    pub socket_frames_per_second: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSettings {
    /// Customers also see the tickets of other people of their company.
    pub company_tickets: bool,
    /// Public knowledge-base articles are readable without signing in.
    pub public_kb: bool,
}

/// Where outgoing mail goes. An empty `host` keeps every mail in the dev outbox (the database,
/// readable in the admin API) instead of sending it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `implicit` (SMTPS), `starttls`, or `none` (plain text; loopback hosts only).
    pub tls: String,
    pub username: String,
    pub password: SecretString,
    pub timeout_secs: u64,
    /// PEM file of a private CA to trust besides the public roots (a self-run relay).
    pub ca_file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundSettings {
    /// "From" when a ticket has no mailbox (tickets from the web), and the domain of our
    /// Message-IDs.
    pub from_email: String,
    /// "From" name of system notifications ("Acme Support").
    pub from_name: String,
    /// DKIM signing: all three set, or none.
    pub dkim_domain: String,
    pub dkim_selector: String,
    /// PEM file of the RSA private key.
    pub dkim_key_file: String,
    /// First retry after a temporary failure; doubles each time.
    pub retry_base_secs: u64,
    /// Give up (failed) after this many attempts.
    pub max_attempts: i32,
    /// How often the sender looks for due mail.
    pub poll_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    /// `meilisearch` when `meili_url` is set, otherwise the embedded Tantivy index.
    pub meili_url: String,
    pub meili_api_key: SecretString,
    /// Index names start with this, so several helpdesks can share one Meilisearch.
    pub meili_index_prefix: String,
    /// Stemming language and stop words of the search index, either engine (english, german,
    /// french, spanish, …).
    pub language: String,
    /// Changes are gathered this long before one batch goes to the index.
    pub batch_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaSettings {
    /// How often each node looks for tickets whose due time passed (and alerts once).
    pub check_interval_secs: u64,
}

/// How inbound mail is gathered into batches (see `mail::inbound::batch`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestSettings {
    /// At most this many mails share a journal commit and an apply transaction.
    pub batch_mails: usize,
    /// At most this many batches at once (never more than half the database pool).
    pub max_lanes: usize,
}

/// Watching the mailboxes (see `mail::watch`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// A mailbox that failed and fetched nothing for this long is reported to admins (mail and
    /// dashboard), and again once it fetches.
    pub stale_alert_minutes: u64,
    /// Microsoft Graph's base URL (a national cloud, or a stand-in for tests).
    pub graph_url: String,
    /// Microsoft's sign-in authority for OAuth (`{authority}/{tenant}/oauth2/v2.0/…`).
    pub microsoft_login_url: String,
}

/// The built-in SMTP and LMTP receiver (see `mail::receiver`): the address mail is forwarded
/// to, or an MTA delivers to over LMTP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiverSettings {
    /// Where `serve` listens for SMTP (e.g. `0.0.0.0:25`); empty = off.
    pub smtp_bind: String,
    /// Where `serve` listens for LMTP (e.g. `127.0.0.1:24`); empty = off.
    pub lmtp_bind: String,
    /// The name in the greeting; empty = the host of `http.public_url`.
    pub hostname: String,
    /// PEM certificate chain and key for STARTTLS; both empty = no STARTTLS.
    pub tls_cert_file: String,
    pub tls_key_file: String,
    /// Largest message accepted (advertised as SIZE); a mailbox's own limit may be lower.
    pub max_message_bytes: usize,
    /// Connections at once, in all, and from one client address.
    pub max_connections: usize,
    pub connections_per_client: usize,
    /// Messages one client address may send per minute (then 451, so it retries later).
    pub messages_per_minute_per_client: u32,
    /// Recipients per message.
    pub max_recipients: usize,
    /// Idle time before a connection is dropped (RFC 5321 asks for at least 5 minutes).
    pub timeout_secs: u64,
}

/// Limits on what the server itself reaches out to (see `egress`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// Rule webhooks and mailbox IMAP hosts may point at loopback, private, link-local
    /// (cloud metadata) and other internal addresses. Off: only public addresses.
    pub allow_private_networks: bool,
}

impl SearchSettings {
    pub fn meili_enabled(&self) -> bool {
        !self.meili_url.trim().is_empty()
    }
}

impl SmtpSettings {
    pub fn enabled(&self) -> bool {
        !self.host.trim().is_empty()
    }
}

mod screening;
pub use screening::{RetentionSettings, ScanSettings};

/// The built-in defaults, as the first layer.
const DEFAULTS: &str = include_str!("settings_defaults.toml");

/// A setting that cannot be read: one line naming the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct SettingsError(pub(crate) String);

impl Settings {
    /// Defaults → `file` → the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(file, &vars)
    }

    /// Same as [`Settings::load`] with an explicit environment, so tests need not mutate the
    /// process's own.
    pub fn load_from(file: Option<&Path>, env: &[(String, String)]) -> Result<Self, SettingsError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(path) = file {
            if !path.exists() {
                return Err(SettingsError(format!("config file {} does not exist", path.display())));
            }
            builder = builder.add_source(File::from(path));
        }
        let ours: config::Map<String, String> = env
            .iter()
            .filter(|(k, _)| k.starts_with("MAILDESK__"))
            .cloned()
            .collect();
        builder = builder.add_source(
            Environment::with_prefix("MAILDESK")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .source(Some(ours.clone())),
        );
        // The conventional variables, unless the namespaced one says otherwise.
        for (conventional, key) in [
            ("DATABASE_URL", "database.url"),
            ("REDIS_URL", "redis.url"),
            ("MEILI_URL", "search.meili_url"),
            // The key Meilisearch itself was started with; a narrower MEILI_API_KEY wins.
            ("MEILI_MASTER_KEY", "search.meili_api_key"),
            ("MEILI_API_KEY", "search.meili_api_key"),
        ] {
            let namespaced = format!("MAILDESK__{}", key.replace('.', "__").to_uppercase());
            if ours.contains_key(&namespaced) {
                continue;
            }
            if let Some((_, v)) = env.iter().find(|(k, _)| k == conventional) {
                builder = builder
                    .set_override(key, v.clone())
                    .map_err(|e| SettingsError(e.to_string()))?;
            }
        }
        let settings: Settings = builder
            .build()
            .and_then(Config::try_deserialize)
            .map_err(|e| SettingsError(e.to_string().replace('\n', " ")))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        use secrecy::ExposeSecret;
        let jwt_secret = self.auth.jwt_secret.expose_secret().len();
        if jwt_secret != 0 && jwt_secret < crate::keys::MIN_KEY_BYTES {
            return Err(SettingsError(format!(
                "auth.jwt_secret is {jwt_secret} bytes; it must be at least {} (or empty: generated and kept under the data dir)",
                crate::keys::MIN_KEY_BYTES
            )));
        }
        if self.auth.access_ttl_secs <= 0 || self.auth.refresh_ttl_secs <= self.auth.access_ttl_secs {
            return Err(SettingsError(
                "auth.refresh_ttl_secs must be greater than auth.access_ttl_secs, both positive".into(),
            ));
        }
        if let Err(bad) = crate::net::parse_list(&self.http.trusted_proxies) {
            return Err(SettingsError(format!(
                "http.trusted_proxies: {bad:?} is not an address or address block"
            )));
        }
        if !SEARCH_LANGUAGES.contains(&self.search.language.to_ascii_lowercase().as_str()) {
            return Err(SettingsError(format!(
                "search.language {:?} is not one of: {}",
                self.search.language,
                SEARCH_LANGUAGES.join(", ")
            )));
        }
        if !["implicit", "starttls", "none"].contains(&self.smtp.tls.as_str()) {
            return Err(SettingsError("smtp.tls must be implicit, starttls or none".into()));
        }
        if self.smtp.enabled() && self.smtp.tls == "none" && !crate::net::is_loopback(&self.smtp.host) {
            return Err(SettingsError(
                "smtp.tls = none (plain text) is only allowed for a loopback host".into(),
            ));
        }
        let dkim = [
            &self.outbound.dkim_domain,
            &self.outbound.dkim_selector,
            &self.outbound.dkim_key_file,
        ];
        if dkim.iter().any(|s| !s.is_empty()) && dkim.iter().any(|s| s.is_empty()) {
            return Err(SettingsError(
                "outbound.dkim_domain, dkim_selector and dkim_key_file go together".into(),
            ));
        }
        if !self.outbound.from_email.contains('@') {
            return Err(SettingsError("outbound.from_email must be an email address".into()));
        }
        if self.sla.check_interval_secs == 0 {
            return Err(SettingsError("sla.check_interval_secs must be at least 1".into()));
        }
        if !(1..=256).contains(&self.ingest.batch_mails) || self.ingest.max_lanes == 0 {
            return Err(SettingsError(
                "ingest.batch_mails must be 1 to 256 and ingest.max_lanes at least 1".into(),
            ));
        }
        self.scan.check()?;
        if self.retention.raw_mail_days < 0 || self.retention.closed_ticket_days < 0 {
            return Err(SettingsError(
                "retention.raw_mail_days and closed_ticket_days must be 0 (keep) or more".into(),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(SettingsError("database.max_connections must be at least 1".into()));
        }
        if self.limits.sockets_per_user == 0 || self.limits.socket_frames_per_second == 0 {
            return Err(SettingsError(
                "limits.sockets_per_user and limits.socket_frames_per_second must be at least 1".into(),
            ));
        }
        if self.limits.inbound_uploads_per_client == 0 {
            return Err(SettingsError(
                "limits.inbound_uploads_per_client must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The database URL, SQLite under the data dir when none is configured.
    pub fn database_url(&self) -> String {
        use secrecy::ExposeSecret;
        let url = self.database.url.expose_secret();
        if url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("maildesk.db").display())
        } else {
            url.to_owned()
        }
    }

    /// The domain of our Message-IDs: the one of the global From address.
    pub fn mail_domain(&self) -> &str {
        self.outbound
            .from_email
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or("maildesk.local")
    }

    /// How people reach this server: `http.public_url`, or the bound address when empty
    /// (the port is the one actually bound, which tests choose at random).
    pub fn public_url_for(&self, port: u16) -> String {
        let configured = self.http.public_url.trim().trim_end_matches('/');
        if !configured.is_empty() {
            return configured.to_owned();
        }
        let host = self.http.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
        let host = if host == "0.0.0.0" || host == "[::]" {
            "127.0.0.1"
        } else {
            host
        };
        format!("http://{host}:{port}")
    }

    /// `http.trusted_proxies`, parsed (checked at load).
    pub fn trusted_proxies(&self) -> Vec<crate::net::Cidr> {
        crate::net::parse_list(&self.http.trusted_proxies).unwrap_or_default()
    }

    pub fn redis_url(&self) -> Option<String> {
        use secrecy::ExposeSecret;
        let url = self.redis.url.expose_secret();
        (!url.is_empty()).then(|| url.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_load_without_any_file_or_environment() {
        let s = Settings::load_from(None, &[]).unwrap();
        assert_eq!(s.http.bind, "127.0.0.1:8080");
        assert!(s.database_url().starts_with("sqlite://data/maildesk.db"));
        assert_eq!(s.redis_url(), None);
    }

    #[test]
    fn environment_overrides_nested_keys_and_conventional_names() {
        let s = Settings::load_from(
            None,
            &env(&[
                ("MAILDESK__HTTP__BIND", "0.0.0.0:9000"),
                ("MAILDESK__AUTH__ACCESS_TTL_SECS", "60"),
                ("DATABASE_URL", "postgres://x@h/db"),
            ]),
        )
        .unwrap();
        assert_eq!(s.http.bind, "0.0.0.0:9000");
        assert_eq!(s.auth.access_ttl_secs, 60);
        assert_eq!(s.database_url(), "postgres://x@h/db");
    }

    #[test]
    fn a_wrong_value_names_its_key_on_one_line() {
        let err = Settings::load_from(None, &env(&[("MAILDESK__AUTH__ACCESS_TTL_SECS", "soon")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("access_ttl_secs"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let err = Settings::load_from(None, &env(&[("MAILDESK__HTTP__BIDN", "x")])).unwrap_err();
        assert!(err.to_string().contains("bidn"), "{err}");
    }

    #[test]
    fn ingest_batches_are_configurable_within_bounds() {
        let s = Settings::load_from(None, &env(&[("MAILDESK__INGEST__BATCH_MAILS", "4")])).unwrap();
        assert_eq!((s.ingest.batch_mails, s.ingest.max_lanes), (4, 8));
        for bad in [
            ("MAILDESK__INGEST__BATCH_MAILS", "0"),
            ("MAILDESK__INGEST__MAX_LANES", "0"),
        ] {
            let err = Settings::load_from(None, &env(&[bad])).unwrap_err();
            assert!(err.to_string().contains("ingest.batch_mails"), "{err}");
        }
    }

    #[test]
    fn the_overdue_check_interval_defaults_to_30_seconds_and_cannot_be_zero() {
        assert_eq!(Settings::load_from(None, &[]).unwrap().sla.check_interval_secs, 30);
        let err = Settings::load_from(None, &env(&[("MAILDESK__SLA__CHECK_INTERVAL_SECS", "0")])).unwrap_err();
        assert!(err.to_string().contains("sla.check_interval_secs"), "{err}");
    }

    #[test]
    fn a_short_configured_jwt_secret_is_refused_at_load() {
        let err = Settings::load_from(None, &env(&[("MAILDESK__AUTH__JWT_SECRET", "short-secret")])).unwrap_err();
        assert!(err.to_string().contains("auth.jwt_secret"), "{err}");
        let long = "k".repeat(32);
        assert!(Settings::load_from(None, &env(&[("MAILDESK__AUTH__JWT_SECRET", &long)])).is_ok());
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let s = Settings::load_from(None, &env(&[("MAILDESK__ADMIN__PASSWORD", "hunter2-secret")])).unwrap();
        assert!(!format!("{s:?}").contains("hunter2-secret"));
    }
}
