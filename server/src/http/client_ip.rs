//! Who is really calling: behind a reverse proxy every request comes from the proxy's
//! address, so per-IP limits would throttle everyone at once. When the peer is a configured
//! trusted proxy (`http.trusted_proxies`), the client is the right-most `X-Forwarded-For`
//! entry that is not itself a trusted proxy; otherwise the header is ignored, so a client
//! cannot pick its own address to dodge the limit.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// An address block: `10.0.0.0/8`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Self { net: addr, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.bits)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            // An IPv4 client seen through an IPv6 socket.
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().is_some_and(|v4| self.contains(IpAddr::V4(v4))),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

/// `http.trusted_proxies`: comma-separated addresses or blocks. `Err` names the bad entry.
pub fn parse_list(s: &str) -> Result<Vec<Cidr>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Cidr::parse(p).ok_or_else(|| p.to_owned()))
        .collect()
}

/// The client address as seen through trusted proxies.
pub fn resolve(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[Cidr]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let Some(chain) = forwarded_for else {
        return Some(peer);
    };
    // Right to left: each proxy appends the address it saw. The first untrusted one is the
    // client; anything further left could be made up by that client.
    let mut client = peer;
    for hop in chain.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(ip) => client = ip,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(client)
}

pub fn of_request(req: &HttpRequest, trusted: &[Cidr]) -> Option<IpAddr> {
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    resolve(req.peer_addr().map(|a| a.ip()), forwarded, trusted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_match_their_addresses_only() {
        let private = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.200.3.4")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(Cidr::parse("::1").unwrap().contains(ip("::1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("127.0.0.1").unwrap().contains(ip("::ffff:127.0.0.1")));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(parse_list("10.0.0.0/8, nonsense"), Err("nonsense".into()));
        assert_eq!(parse_list("").unwrap(), vec![]);
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        // Through the proxy: the client it saw.
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), Some("203.0.113.7"), &trusted),
            Some(ip("203.0.113.7"))
        );
        // A forged left part is ignored; chained trusted proxies are skipped.
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), Some("1.2.3.4, 203.0.113.7, 10.0.0.9"), &trusted),
            Some(ip("203.0.113.7"))
        );
        // Straight from the internet, the header means nothing.
        assert_eq!(
            resolve(Some(ip("198.51.100.1")), Some("1.2.3.4"), &trusted),
            Some(ip("198.51.100.1"))
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(resolve(Some(ip("10.0.0.2")), None, &trusted), Some(ip("10.0.0.2")));
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), Some("bogus"), &trusted),
            Some(ip("10.0.0.2"))
        );
    }
}
