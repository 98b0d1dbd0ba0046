//! Where server-side requests to addresses that users chose may go: rule webhooks and mailbox
//! IMAP hosts. Without this, an admin (or whoever holds an admin session) could make the
//! server probe the internal network, or read a cloud metadata service at 169.254.169.254.
//! Unless `security.allow_private_networks` is set, only public addresses are reached:
//!
//! - on save, a literal private address or a `localhost` name is refused ([`check_host`]);
//! - on every connection, the name is resolved and the addresses checked, and the connection
//!   goes to exactly the addresses checked (a filtering resolver for reqwest, [`connect_tcp`]
//!   for IMAP), so a name cannot resolve public for a check and private for the connection
//!   (DNS rebinding). Webhook calls follow no redirects, so a receiver cannot bounce them
//!   inwards either.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpStream;

use crate::settings::Settings;

/// Which addresses may be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Egress {
    /// Only public addresses (the default).
    PublicOnly,
    /// Any address (`security.allow_private_networks`: a helpdesk on an internal network, tests).
    Anywhere,
}

impl Egress {
    pub fn of(settings: &Settings) -> Self {
        if settings.security.allow_private_networks {
            Self::Anywhere
        } else {
            Self::PublicOnly
        }
    }

    pub fn allows(self, ip: IpAddr) -> bool {
        self == Self::Anywhere || is_public(ip)
    }
}

/// Whether `ip` is an address of the public internet: not loopback, private, shared (CGNAT),
/// link-local (cloud metadata), unique-local, unspecified, multicast, broadcast or reserved,
/// also when written as an IPv4-mapped (or -compatible, or NAT64) IPv6 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let refused = a == 0 // 0.0.0.0/8: "this network"; 0.0.0.0 reaches the local host
        || a == 127 // loopback
        || a == 10 // private
        || (a == 172 && (16..=31).contains(&b)) // private
        || (a == 192 && b == 168) // private
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 100 && (64..=127).contains(&b)) // shared address space (CGNAT)
        || a >= 224; // multicast 224/4, reserved 240/4, broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if ip.is_unspecified() || ip.is_loopback() {
        return false;
    }
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4
    // address inside decides.
    let embedded = match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0, 0, hi, lo] | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => {
            Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)))
        }
        _ => None,
    };
    if let Some(v4) = embedded {
        return is_public_v4(v4);
    }
    let refused = (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still private)
        || (s[0] & 0xfe00) == 0xfc00 // unique-local fc00::/7
        || (s[0] & 0xff00) == 0xff00; // multicast
    !refused
}

/// A host as typed (a URL's host, a mailbox's IMAP host), checked without resolving it: a
/// literal address `egress` does not allow, or a `localhost` name (RFC 6761: always loopback),
/// is refused; other names are checked when connecting. `Err` says why, for the admin.
pub fn check_host(host: &str, egress: Egress) -> Result<(), String> {
    if egress == Egress::Anywhere {
        return Ok(());
    }
    let host = host.trim();
    // Parsed as a web address's host, so 2130706433, 0x7f.1 or [::ffff:7f00:1] are read as
    // the addresses they are, as a resolver would read them.
    let parsed = reqwest::Url::parse(&format!("http://{host}/")).ok();
    let canonical = parsed.as_ref().and_then(reqwest::Url::host_str).unwrap_or(host);
    let ip = canonical
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    if ip.is_none() {
        let name = canonical.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") {
            return Err(format!("{host} is this server itself ({HINT})"));
        }
    }
    match ip {
        Some(ip) if !is_public(ip) => Err(format!("{host} is not a public address ({HINT})")),
        _ => Ok(()),
    }
}

const HINT: &str = "set security.allow_private_networks to reach internal hosts";

/// Resolves `host` and returns its addresses, all of which `egress` allows; `Err` says why not.
/// A name with any refused address is refused as a whole: it points inwards on purpose.
pub async fn resolve(host: &str, port: u16, egress: Egress) -> Result<Vec<SocketAddr>, String> {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("resolving {host}: {e}"))?
        .collect();
    if let Some(bad) = addrs.iter().find(|a| !egress.allows(a.ip())) {
        return Err(format!(
            "refusing {host}: it resolves to {}, not a public address ({HINT})",
            bad.ip()
        ));
    }
    if addrs.is_empty() {
        return Err(format!("resolving {host}: no address"));
    }
    Ok(addrs)
}

/// A TCP connection to `host:port`, made to the addresses [`resolve`] checked.
pub async fn connect_tcp(host: &str, port: u16, egress: Egress) -> std::io::Result<TcpStream> {
    let addrs = resolve(host, port, egress)
        .await
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::PermissionDenied, e))?;
    TcpStream::connect(&addrs[..]).await
}

/// reqwest's resolver for webhook calls: [`resolve`], so the connection goes to the addresses
/// checked. (reqwest does not ask a resolver about a literal address: [`check_url`] does.)
#[derive(Debug)]
struct CheckedResolver(Egress);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let (egress, host) = (self.0, name.as_str().to_owned());
        Box::pin(async move {
            let addrs = resolve(&host, 0, egress)
                .await
                .map_err(Box::<dyn std::error::Error + Send + Sync>::from)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An HTTP client for calls to user-chosen addresses: the checking resolver, no redirects, and
/// no proxy from the environment (a proxy would connect on our behalf, unchecked).
pub fn http_client(egress: Egress) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(CheckedResolver(egress)))
        .build()
        .unwrap_or_else(|e| {
            // Only a broken TLS set-up fails here; a client that never connects is safe.
            tracing::error!(error = %e, "building the webhook HTTP client failed");
            reqwest::Client::new()
        })
}

/// The address of a call about to be made: its host checked as [`check_host`] does (names are
/// then checked by the client's resolver).
pub fn check_url(url: &str, egress: Egress) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid address: {e}"))?;
    let host = parsed.host_str().ok_or("the address has no host")?;
    check_host(host, egress)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for s in [
            "127.0.0.1",
            "127.255.0.9",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(ip(s)), "{s} was taken for public");
        }
    }

    #[test]
    fn public_addresses_are_public() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "192.167.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.1.1",
            "223.255.255.255",
            "2606:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(s)), "{s} was refused");
        }
    }

    #[test]
    fn literal_private_hosts_and_localhost_are_refused_on_save() {
        for host in [
            "127.0.0.1",
            "10.0.0.1",
            "169.254.169.254",
            "[::1]",
            "[::ffff:7f00:1]",
            "2130706433",
            "0x7f.1",
            "localhost",
            "LOCALHOST.",
            "imap.localhost",
        ] {
            let err = check_host(host, Egress::PublicOnly).unwrap_err();
            assert!(err.contains("allow_private_networks"), "{host}: {err}");
            assert_eq!(check_host(host, Egress::Anywhere), Ok(()));
        }
        for host in [
            "imap.example.com",
            "93.184.216.34",
            "[2606:4700::1111]",
            "localhost.example.com",
        ] {
            assert_eq!(check_host(host, Egress::PublicOnly), Ok(()), "{host}");
        }
        assert!(check_url("http://127.0.0.1:8080/hook", Egress::PublicOnly).is_err());
        assert!(check_url("http://[::1]/", Egress::PublicOnly).is_err());
        assert!(check_url("https://hooks.example.com/x", Egress::PublicOnly).is_ok());
    }

    #[tokio::test]
    async fn names_are_checked_after_resolution_before_any_connection() {
        // `localhost` resolves from the hosts file, no network needed.
        let err = resolve("localhost", 80, Egress::PublicOnly).await.unwrap_err();
        assert!(err.contains("not a public address"), "{err}");
        let err = connect_tcp("127.0.0.1", 9, Egress::PublicOnly).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied, "{err}");
        assert!(resolve("127.0.0.1", 80, Egress::Anywhere).await.is_ok());

        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let refused = CheckedResolver(Egress::PublicOnly).resolve(name).await;
        assert!(refused.is_err());
    }
}
