//! DNS test support for sender authentication (SPF, DKIM, DMARC): the private Unbound of
//! `scripts/dns.sh` on loopback, and helpers that publish a test domain's records in it at run
//! time (through `unbound-control`), so the server's resolver, pointed at [`DnsServer::addr`] by
//! its setting, finds them.
//!
//! The Unbound answers only what the tests published: any other name is NXDOMAIN at once, never
//! a time-out and never a lookup on the internet. Each test takes its own domain
//! ([`unique_domain`]), so tests run in parallel on the one shared server ([`shared`]). A test
//! that needs DNS to fail (temperror) starts a server of its own ([`DnsServer::private`]) and
//! stops it; the shared one keeps serving.
//!
//! Records are published with a TTL of 0 ([`TTL`]): no resolver or verifier cache keeps an old
//! answer when a test changes or removes a record.
//!
//! What a resolver (hickory 0.26) sees: a published name answers; an unpublished one is NXDOMAIN
//! with an SOA (`DnsError::NoRecordsFound`, code NXDomain); a published name without the asked
//! type is NOERROR with no answer (`NoRecordsFound`, code NoError); a stopped server is
//! `NetError::Timeout` over UDP (after the resolver's timeout × (attempts + 1)) and
//! `NetError::NoConnections` at once over TCP. On the shared server, one domain can be made to
//! fail too: [`DnsServer::local_zone`] with `deny` drops its questions (time-out), with `refuse`
//! answers REFUSED.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The TTL of every record the helpers publish.
pub const TTL: u32 = 0;

/// A running Unbound of `scripts/dns.sh`.
#[derive(Debug)]
pub struct DnsServer {
    /// The DNS port on 127.0.0.1, UDP and TCP.
    pub port: u16,
    /// `unbound-control`'s port on 127.0.0.1.
    pub control_port: u16,
    /// The state dir: config, pid file and log (`unbound.log` lists every question and answer).
    pub dir: PathBuf,
    conf: PathBuf,
    control: PathBuf,
    /// Started by [`DnsServer::private`] for one test: stopped when dropped.
    owned: bool,
}

/// The shared DNS server, started once per test process (the script is idempotent and locked:
/// test processes started at once get the same server). Fails the test, naming what to run, if
/// it cannot be started.
pub fn shared() -> &'static DnsServer {
    static SHARED: OnceLock<DnsServer> = OnceLock::new();
    // The environment's MAILDESK_DNS_{DIR,PORT,CONTROL_PORT}, if set, choose where it runs.
    SHARED.get_or_init(|| DnsServer::start(&[], false))
}

/// A fresh domain for one test, e.g. `spf-3f9c0a1b2c4d.test` (lower case, under `.test`).
pub fn unique_domain(prefix: &str) -> String {
    format!("{prefix}-{}.test", &uuid::Uuid::new_v4().simple().to_string()[..12]).to_ascii_lowercase()
}

/// A loopback port `p` such that UDP `p`, TCP `p` and TCP `p + 1` (the control port) are free
/// right now, for [`DnsServer::private`].
pub fn free_port_pair() -> u16 {
    for _ in 0..50 {
        let tcp = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free loopback port");
        let port = tcp.local_addr().expect("its address").port();
        if port == u16::MAX {
            continue;
        }
        let udp_free = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok();
        let control_free = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port + 1)).is_ok();
        if udp_free && control_free {
            return port;
        }
    }
    panic!("found no free pair of loopback ports for a private DNS server")
}

impl DnsServer {
    /// Starts a DNS server of the test's own: state in `dir_name` (an absolute path, or a name
    /// for `<temp dir>/maildesk-dns-<name>`, /tmp/maildesk-dns-<name> here), answering on 127.0.0.1:`port` with its control port on
    /// `port + 1` (see [`free_port_pair`]). It starts empty, is independent of [`shared`], and
    /// stops when [`stop`](Self::stop)ped or dropped.
    pub fn private(dir_name: &str, port: u16) -> DnsServer {
        let dir = if Path::new(dir_name).is_absolute() {
            PathBuf::from(dir_name)
        } else {
            std::env::temp_dir().join(format!("maildesk-dns-{dir_name}"))
        };
        let env = [
            ("MAILDESK_DNS_DIR", dir.display().to_string()),
            ("MAILDESK_DNS_PORT", port.to_string()),
            ("MAILDESK_DNS_CONTROL_PORT", (u32::from(port) + 1).to_string()),
        ];
        DnsServer::start(&env, true)
    }

    fn start(env: &[(&str, String)], owned: bool) -> DnsServer {
        let (ok, stdout, stderr) = dns_script(&[], env);
        assert!(
            ok,
            "Unbound is needed for the sender-authentication tests and could not be started.\n\
             Start it with: bash scripts/dns.sh (installs unbound when run as root)\n{stdout}{stderr}"
        );
        let (ok, stdout, stderr) = dns_script(&["env"], env);
        assert!(ok, "scripts/dns.sh env failed: {stderr}");
        let vars: std::collections::HashMap<&str, &str> = stdout.lines().filter_map(|l| l.split_once('=')).collect();
        let var = |name: &str| {
            *vars
                .get(name)
                .unwrap_or_else(|| panic!("scripts/dns.sh env printed no {name}: {stdout:?}"))
        };
        let port = |name: &str| {
            var(name)
                .parse()
                .unwrap_or_else(|e| panic!("scripts/dns.sh env: {name}={:?}: {e}", var(name)))
        };
        DnsServer {
            port: port("MAILDESK_DNS_PORT"),
            control_port: port("MAILDESK_DNS_CONTROL_PORT"),
            dir: PathBuf::from(var("MAILDESK_DNS_DIR")),
            conf: PathBuf::from(var("MAILDESK_DNS_CONF")),
            control: PathBuf::from(var("MAILDESK_DNS_CONTROL")),
            owned,
        }
    }

    /// Where the server answers: 127.0.0.1:port, UDP and TCP (the resolver setting).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Stops a server of the test's own ([`DnsServer::private`]): from then on a query to it
    /// gets no answer (over UDP a resolver times out; over TCP the connection is refused): DNS
    /// temperror. Idempotent.
    pub fn stop(&self) {
        assert!(
            self.owned,
            "the shared DNS server serves every test of the process: stop a DnsServer::private one instead"
        );
        let (ok, stdout, stderr) = dns_script(&["stop"], &self.script_env());
        assert!(
            ok,
            "scripts/dns.sh stop failed ({}): {stdout}{stderr}",
            self.dir.display()
        );
    }

    /// Publishes one record in zone-file syntax, e.g. `"_dmarc.x.test. 0 TXT \"v=DMARC1; p=reject\""`
    /// (without a TTL, Unbound gives it 3600 s). A TXT string holds at most 255 bytes: for longer
    /// values use [`add_txt`](Self::add_txt), which splits them.
    pub fn add(&self, rr: &str) {
        self.control(&["local_data", rr]);
    }

    /// Publishes a TXT record `name` with `value`, split into strings of at most 255 bytes (a
    /// verifier joins them), with TTL [`TTL`]. Other records of the name stay.
    pub fn add_txt(&self, name: &str, value: &str) {
        self.add(&format!("{} {TTL} IN TXT {}", fqdn(name), txt_rdata(value)));
    }

    /// Removes every record of `name` (all types); the name then answers NXDOMAIN (or an empty
    /// answer, if names below it still have records).
    pub fn remove(&self, name: &str) {
        self.control(&["local_data_remove", &fqdn(name)]);
    }

    /// Makes `zone` (and every name below it) a local zone of `kind` (Unbound's types): `deny`
    /// drops its questions unanswered, `refuse` answers REFUSED, `static` answers its own records
    /// or NXDOMAIN (as the whole server does by default). Records published below it before are
    /// hidden while the zone exists; those published after belong to the zone.
    pub fn local_zone(&self, zone: &str, kind: &str) {
        self.control(&["local_zone", &fqdn(zone), kind]);
    }

    /// Undoes [`local_zone`](Self::local_zone): the records published before it answer again,
    /// those published into the zone are gone.
    pub fn remove_zone(&self, zone: &str) {
        self.control(&["local_zone_remove", &fqdn(zone)]);
    }

    /// SPF for `domain`: only `ip` may send its mail (`v=spf1 ip4:<ip> -all`; `ip6:` for an IPv6
    /// address).
    pub fn publish_spf(&self, domain: &str, ip: &str) {
        let mechanism = match ip.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => "ip6",
            _ => "ip4",
        };
        self.add_txt(domain, &format!("v=spf1 {mechanism}:{ip} -all"));
    }

    /// DMARC for `domain` (`_dmarc.<domain>`: `v=DMARC1; p=<policy>`, policy none, quarantine or
    /// reject; relaxed alignment, the default).
    pub fn publish_dmarc(&self, domain: &str, policy: &str) {
        self.add_txt(&format!("_dmarc.{domain}"), &format!("v=DMARC1; p={policy}"));
    }

    /// A DKIM public key for `domain` (`<selector>._domainkey.<domain>`: `v=DKIM1; k=<key_type>;
    /// p=<key>`): `key_type` is `rsa` (the key is the base64 DER SubjectPublicKeyInfo, about 400
    /// characters for RSA-2048) or `ed25519` (the base64 of the 32 raw key bytes).
    pub fn publish_dkim(&self, domain: &str, selector: &str, public_key_b64: &str, key_type: &str) {
        self.add_txt(
            &format!("{selector}._domainkey.{domain}"),
            &format!("v=DKIM1; k={key_type}; p={public_key_b64}"),
        );
    }

    /// Runs `unbound-control -c <conf> <args…>` against this server; fails the test unless it
    /// answers `ok`. Returns its output (for commands that list things).
    pub fn control(&self, args: &[&str]) -> String {
        let out = Command::new(&self.control)
            .arg("-c")
            .arg(&self.conf)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.control.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stdout.starts_with("error"),
            "unbound-control -c {} {args:?} failed ({}): {stdout}{stderr}\n\
             (is the test DNS server running? start it with: bash scripts/dns.sh)",
            self.conf.display(),
            out.status,
        );
        stdout.into_owned()
    }

    /// The variables that make `scripts/dns.sh` address this server.
    fn script_env(&self) -> [(&'static str, String); 3] {
        [
            ("MAILDESK_DNS_DIR", self.dir.display().to_string()),
            ("MAILDESK_DNS_PORT", self.port.to_string()),
            ("MAILDESK_DNS_CONTROL_PORT", self.control_port.to_string()),
        ]
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if self.owned {
            let _ = dns_script(&["stop"], &self.script_env());
        }
    }
}

/// `name` with the root's trailing dot (Unbound reads names relative to nothing else).
fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// A TXT value as zone-file character strings: `"…" "…"`, each at most 255 bytes, with `"` and
/// `\` escaped and other bytes outside printable ASCII written as `\DDD`.
fn txt_rdata(value: &str) -> String {
    let bytes = value.as_bytes();
    if bytes.is_empty() {
        return "\"\"".to_owned();
    }
    let strings: Vec<String> = bytes
        .chunks(255)
        .map(|chunk| {
            let mut s = String::with_capacity(chunk.len() + 2);
            s.push('"');
            for &b in chunk {
                match b {
                    b'"' | b'\\' => {
                        s.push('\\');
                        s.push(char::from(b));
                    }
                    0x20..=0x7e => s.push(char::from(b)),
                    _ => s.push_str(&format!("\\{b:03}")),
                }
            }
            s.push('"');
            s
        })
        .collect();
    strings.join(" ")
}

/// Runs `scripts/dns.sh` with `env` set.
fn dns_script(args: &[&str], env: &[(&str, String)]) -> (bool, String, String) {
    crate::rig::script("dns.sh", args, env)
}

/// A test domain that DKIM-signs its mail: its Ed25519 key, published under selector `s1`.
pub struct Signer {
    pub domain: String,
    pkcs8: Vec<u8>,
}

impl Signer {
    pub fn publish(dns: &DnsServer, prefix: &str) -> Self {
        let domain = unique_domain(prefix);
        let pkcs8 = mail_auth::common::crypto::Ed25519Key::generate_pkcs8().expect("an Ed25519 key");
        let public = mail_auth::common::crypto::Ed25519Key::from_pkcs8_der(&pkcs8)
            .expect("the key")
            .public_key();
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, public);
        dns.publish_dkim(&domain, "s1", &b64, "ed25519");
        Self { domain, pkcs8 }
    }

    pub fn sign(&self, raw: &[u8]) -> Vec<u8> {
        let key = mail_auth::common::crypto::Ed25519Key::from_pkcs8_der(&self.pkcs8).expect("the key");
        let signature = mail_auth::dkim::DkimSigner::from_key(key)
            .domain(&self.domain)
            .selector("s1")
            .headers(["From", "To", "Subject", "Message-ID", "Date", "Cc"])
            .sign(raw)
            .expect("signing the mail");
        let mut out = mail_auth::common::headers::HeaderWriter::to_header(&signature).into_bytes();
        out.extend_from_slice(raw);
        out
    }

    pub fn address(&self, local: &str) -> String {
        format!("{local}@{}", self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::txt_rdata;

    #[test]
    fn txt_values_are_split_at_255_bytes_and_escaped() {
        assert_eq!(txt_rdata("v=DMARC1; p=reject"), "\"v=DMARC1; p=reject\"");
        assert_eq!(txt_rdata(""), "\"\"");
        assert_eq!(txt_rdata("a\"b\\c\u{e9}"), "\"a\\\"b\\\\c\\195\\169\"");
        let long = "k".repeat(600);
        let rdata = txt_rdata(&long);
        let strings: Vec<&str> = rdata.split(' ').collect();
        assert_eq!(strings.len(), 3);
        assert_eq!(strings[0].len(), 255 + 2);
        assert_eq!(strings[1].len(), 255 + 2);
        assert_eq!(strings[2].len(), 90 + 2);
    }
}
