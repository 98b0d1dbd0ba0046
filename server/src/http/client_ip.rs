//! Who is really calling: behind a reverse proxy every request comes from the proxy's
//! address, so per-IP limits would throttle everyone at once. When the peer is a configured
//! trusted proxy (`http.trusted_proxies`), the client is the right-most `X-Forwarded-For`
//! entry that is not itself a trusted proxy; otherwise the header is ignored, so a client
//! cannot pick its own address to dodge the limit.

use std::net::IpAddr;

use actix_web::HttpRequest;

use crate::net::Cidr;

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
    use crate::net::parse_list;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
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
