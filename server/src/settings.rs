//! Typed settings, loaded in layers: built-in defaults → optional config file → environment
//! (`MAILDESK__SECTION__KEY`, plus the conventional `DATABASE_URL` / `REDIS_URL`).
//! Secrets are `SecretString`, so `Debug` never prints them.

use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

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
    /// The built browser app (`scripts/build-frontend.sh` writes it).
    pub static_dir: PathBuf,
    /// How people reach this server, for links and the start-up message. Empty: from `bind`.
    pub public_url: String,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Empty: generated once and kept in `<data_dir>/keys/jwt.secret`.
    pub jwt_secret: SecretString,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    /// Failed logins allowed per account within `login_window_secs`.
    pub login_max_failures_per_account: u32,
    /// Failed logins allowed per client IP within `login_window_secs`.
    pub login_max_failures_per_ip: u32,
    pub login_window_secs: u64,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSettings {
    /// Customers also see the tickets of other people of their company.
    pub company_tickets: bool,
}

/// The built-in defaults, as the first layer.
const DEFAULTS: &str = r#"
data_dir = "data"

[database]
url = ""
max_connections = 10

[http]
bind = "127.0.0.1:8080"
static_dir = "frontend/dist"
public_url = ""
workers = 0

[auth]
jwt_secret = ""
access_ttl_secs = 900
refresh_ttl_secs = 2592000
login_max_failures_per_account = 5
login_max_failures_per_ip = 30
login_window_secs = 900

[redis]
url = ""
key_prefix = "maildesk:"

[admin]
email = "admin@maildesk.local"
password = ""

[limits]
max_json_bytes = 1048576
max_attachment_bytes = 26214400

[portal]
company_tickets = false
"#;

/// A setting that cannot be read: one line naming the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct SettingsError(String);

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
        for (conventional, key) in [("DATABASE_URL", "database.url"), ("REDIS_URL", "redis.url")] {
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
        if self.auth.access_ttl_secs <= 0 || self.auth.refresh_ttl_secs <= self.auth.access_ttl_secs {
            return Err(SettingsError(
                "auth.refresh_ttl_secs must be greater than auth.access_ttl_secs, both positive".into(),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(SettingsError("database.max_connections must be at least 1".into()));
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
    fn secrets_are_redacted_in_debug() {
        let s = Settings::load_from(None, &env(&[("MAILDESK__ADMIN__PASSWORD", "hunter2-secret")])).unwrap();
        assert!(!format!("{s:?}").contains("hunter2-secret"));
    }
}
