//! The settings of mail screening and retention: `[scan]` (sender authentication, clamd,
//! rspamd) and `[retention]`, with their checks.

use serde::Deserialize;

use super::SettingsError;

/// How long raw mail and closed tickets are kept (see `retention`). 0 = for ever.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// Raw bytes of processed inbound mail older than this are dropped (the messages stay).
    pub raw_mail_days: i64,
    /// Tickets closed longer ago than this are deleted with their files.
    pub closed_ticket_days: i64,
    /// How often every node sweeps.
    pub interval_minutes: u64,
}

/// Screening of inbound mail (see `mail::inbound::screen`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSettings {
    /// Check SPF, DKIM, DMARC and ARC of every inbound mail.
    pub sender_auth: bool,
    /// The DNS resolvers for it, comma-separated (`127.0.0.1:53`); empty = the system's
    /// (`/etc/resolv.conf`).
    pub dns_resolvers: String,
    /// How long one DNS lookup may take; a check that runs out is `temperror`, never a loss.
    pub dns_timeout_ms: u64,
    /// clamd's socket (`/run/clamav/clamd.ctl`) or `tcp://host:port`; empty = no virus scan.
    pub clamd_socket: String,
    /// clamd unreachable: `wait` (the mail stays pending and is tried again) or `unscanned`
    /// (processed, with a warning for agents).
    pub clamd_down: String,
    pub clamd_timeout_secs: u64,
    /// rspamd's HTTP address (`http://127.0.0.1:11333`); empty = no spam scoring.
    pub rspamd_url: String,
    pub rspamd_timeout_secs: u64,
}

impl ScanSettings {
    /// The resolvers as socket addresses (port 53 when none is given).
    pub fn resolvers(&self) -> Result<Vec<std::net::SocketAddr>, SettingsError> {
        self.dns_resolvers
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| {
                r.parse::<std::net::SocketAddr>()
                    .or_else(|_| {
                        r.parse::<std::net::IpAddr>()
                            .map(|ip| std::net::SocketAddr::new(ip, 53))
                    })
                    .map_err(|_| SettingsError(format!("scan.dns_resolvers: {r:?} is not an address (ip or ip:port)")))
            })
            .collect()
    }

    pub(super) fn check(&self) -> Result<(), SettingsError> {
        self.resolvers()?;
        if !(50..=30_000).contains(&self.dns_timeout_ms) {
            return Err(SettingsError("scan.dns_timeout_ms must be 50 to 30000".into()));
        }
        if !["wait", "unscanned"].contains(&self.clamd_down.as_str()) {
            return Err(SettingsError("scan.clamd_down must be wait or unscanned".into()));
        }
        let socket = self.clamd_socket.trim();
        let path_or_tcp = socket.starts_with('/') || socket.starts_with("unix:///") || socket.starts_with("tcp://");
        if !socket.is_empty() && !path_or_tcp && !socket.contains(':') {
            return Err(SettingsError(format!(
                "scan.clamd_socket: {socket:?} is neither an absolute socket path nor tcp://host:port"
            )));
        }
        if self.clamd_timeout_secs == 0 || self.rspamd_timeout_secs == 0 {
            return Err(SettingsError(
                "scan.clamd_timeout_secs and scan.rspamd_timeout_secs must be at least 1".into(),
            ));
        }
        Ok(())
    }
}
