//! IP networks (`10.0.0.0/8`, `2001:db8::/32`, or one address) and the client address behind
//! a chain of proxies, read from `X-Forwarded-For` or `Forwarded` (RFC 7239).
//!
//! Forwarded headers are whatever the client wrote, plus what each proxy appended. Only the
//! hops appended by proxies we trust are facts, so the client is the right-most hop that is
//! not one of ours; anything to its left may be forged.

use std::net::IpAddr;

/// An address with a prefix length: the addresses whose first `prefix` bits match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// `ADDR` or `ADDR/PREFIX`.
    pub fn parse(s: &str) -> Option<Network> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(u32::from(net).into(), u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(net), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, prefix: u8, bits: u32) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = bits - u32::from(prefix);
    (a >> shift) == (b >> shift)
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The proxies whose forwarded headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<Network>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The client behind `peer`, given the hops a forwarded header lists (left to right,
    /// `None` for one that is not an address, such as `unknown` or an obfuscated name).
    /// An untrusted peer is the client, whatever it wrote. Walking from the right, every
    /// trusted hop is skipped; the first untrusted one is the client. A hop that cannot be
    /// read ends the walk at the last address known, so a garbled header never lets the
    /// client choose its own address.
    pub fn client(&self, peer: IpAddr, hops: &[Option<IpAddr>]) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = hop else {
                return client;
            };
            client = *ip;
            if !self.contains(*ip) {
                return client;
            }
        }
        client
    }
}

/// One node of a forwarded header: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`,
/// `2001:db8::1`, optionally in quotes.
pub fn parse_node(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"');
    if let Some(rest) = s.strip_prefix('[') {
        let (ip, _) = rest.split_once(']')?;
        return ip.parse().ok();
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    // An IPv4 address with a port (an IPv6 one would need brackets).
    let (ip, port) = s.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The hops of `X-Forwarded-For` header values, in order.
pub fn x_forwarded_for<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Option<IpAddr>> {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(parse_node)
        .collect()
}

/// The elements of `Forwarded` header values (RFC 7239), in order: each a list of
/// (lower-case parameter, value without quotes).
pub fn forwarded_elements<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for value in values {
        for element in split_outside_quotes(value, ',') {
            let pairs = split_outside_quotes(&element, ';')
                .into_iter()
                .filter_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    Some((
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_owned(),
                    ))
                })
                .collect();
            out.push(pairs);
        }
    }
    out
}

/// The `for=` hops of `Forwarded` elements; an element without one is an unreadable hop.
pub fn forwarded_for(elements: &[Vec<(String, String)>]) -> Vec<Option<IpAddr>> {
    elements
        .iter()
        .map(|pairs| {
            pairs
                .iter()
                .find(|(k, _)| k == "for")
                .and_then(|(_, v)| parse_node(v))
        })
        .collect()
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in s.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == sep && !quoted {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let n = Network::parse("10.1.0.0/16").unwrap();
        assert!(n.contains(ip("10.1.200.3")));
        assert!(!n.contains(ip("10.2.0.1")));
        assert!(n.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped IPv6");
        let one = Network::parse("127.0.0.1").unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert!(Network::parse("0.0.0.0/0")
            .unwrap()
            .contains(ip("192.0.2.1")));
        assert!(!Network::parse("0.0.0.0/0").unwrap().contains(ip("::1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "example.se",
            "10.0.0.0/x",
            "10.0.0/8",
        ] {
            assert_eq!(Network::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let proxies = TrustedProxies(vec![
            Network::parse("10.0.0.0/8").unwrap(),
            Network::parse("127.0.0.1").unwrap(),
        ]);
        let hops = x_forwarded_for(["198.51.100.7, 203.0.113.9", "10.0.0.2"]);
        // 198.51.100.7 was written by the client; 203.0.113.9 is who our proxy saw.
        assert_eq!(proxies.client(ip("127.0.0.1"), &hops), ip("203.0.113.9"));
        // From an untrusted peer nothing it wrote counts.
        assert_eq!(proxies.client(ip("192.0.2.50"), &hops), ip("192.0.2.50"));
        // Only trusted hops: the left-most is the client.
        let inner = x_forwarded_for(["10.0.0.5, 10.0.0.2"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &inner), ip("10.0.0.5"));
        // No header: the peer itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        // An unreadable hop stops the walk at the last known address.
        let garbled = x_forwarded_for(["198.51.100.7, unknown"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &garbled), ip("127.0.0.1"));
    }

    #[test]
    fn forwarded_headers_parse() {
        let elements = forwarded_elements([
            r#"for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711""#,
            "For=\"198.51.100.1:8080\";Proto=https;host=tillbud.example.se",
        ]);
        assert_eq!(
            forwarded_for(&elements),
            [
                Some(ip("192.0.2.60")),
                Some(ip("2001:db8:cafe::17")),
                Some(ip("198.51.100.1"))
            ]
        );
        assert_eq!(elements[2][1], ("proto".to_owned(), "https".to_owned()));
        assert_eq!(forwarded_for(&forwarded_elements(["for=_hidden"])), [None]);
        assert_eq!(parse_node("203.0.113.1:80"), Some(ip("203.0.113.1")));
        assert_eq!(parse_node("::1"), Some(ip("::1")));
        assert_eq!(parse_node("nope"), None);
    }
}
