//! The client's address, computed once per request at the edge and attached to it as a
//! [`ClientAddress`] extension, so the sign-in lockout, the throttles of unauthenticated paths
//! and the security log all see the same address.
//!
//! Behind a TLS proxy the TCP peer is the proxy, and every client would share one address (one
//! lockout, one throttle for everyone). So the operator names the proxies
//! (`EVENTKIT_TRUSTED_PROXIES`, CIDRs) and the header they write (`EVENTKIT_TRUSTED_PROXY_HEADER`,
//! `x-forwarded-for` or `forwarded`, RFC 7239). The header is read only when the peer is one of
//! those proxies, and only the header named: a proxy that appends to `X-Forwarded-For` passes a
//! client's own `Forwarded` header through unchanged, so reading both would let clients choose
//! their address. The client is the right-most address in the chain that is not a trusted proxy
//! (everything left of it was written by the client or by proxies we do not know). A malformed,
//! `unknown` or obfuscated entry ends the walk: the trusted hop that wrote it counts as the client,
//! so a broken header never lets a client pick its address.

use http::HeaderMap;
use std::{
    fmt,
    net::{IpAddr, Ipv6Addr},
};

/// A network in CIDR form (`10.0.0.0/8`, `2001:db8::/32`); a bare address is a network of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    base: IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// `addr/prefix` or a bare address; `None` if it is neither.
    pub fn parse(raw: &str) -> Option<Self> {
        let (addr, prefix) = match raw.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (raw.trim(), None),
        };
        let base = addr.parse::<IpAddr>().ok()?.to_canonical();
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Self { base, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(ip) & mask == u32::from(net) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(ip) & mask == u128::from(net) & mask
            }
            _ => false,
        }
    }
}

/// The header the trusted proxies write the client's address in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for="[2001:db8::1]:443"` (RFC 7239).
    Forwarded,
}

impl ForwardedHeader {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "x-forwarded-for" => Some(Self::XForwardedFor),
            "forwarded" => Some(Self::Forwarded),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
        }
    }
}

/// The proxies whose forwarding header is believed (none by default: the peer is the client).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNetwork>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// From a comma-separated list of CIDRs or addresses; the error names the bad entry.
    pub fn parse(list: &str, header: ForwardedHeader) -> Result<Self, String> {
        let networks = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| {
                IpNetwork::parse(e).ok_or_else(|| format!("{e:?} is not an IP address or CIDR"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { networks, header })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }

    /// The client of a request that came from `peer` with `headers`.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> ClientAddress {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return ClientAddress(client);
        }
        let hops = self.hops(headers);
        for hop in hops.iter().rev() {
            let Some(ip) = hop else { break };
            client = *ip;
            if !self.trusts(client) {
                break;
            }
        }
        ClientAddress(client)
    }

    /// The chain of the header, left (client) to right (nearest proxy); `None` for an entry
    /// that is not an address. Several header lines form one list, in order.
    fn hops(&self, headers: &HeaderMap) -> Vec<Option<IpAddr>> {
        let mut hops = Vec::new();
        for value in headers.get_all(self.header.name()) {
            let Ok(value) = value.to_str() else {
                hops.push(None);
                continue;
            };
            for element in split_outside_quotes(value, ',') {
                hops.push(match self.header {
                    ForwardedHeader::XForwardedFor => parse_node(element),
                    ForwardedHeader::Forwarded => forwarded_for(element).and_then(parse_node),
                });
            }
        }
        hops
    }
}

/// The `for` parameter of one `Forwarded` element (`for=1.2.3.4;proto=https`), unquoted.
fn forwarded_for(element: &str) -> Option<&str> {
    split_outside_quotes(element, ';')
        .into_iter()
        .find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("for")
                .then(|| value.trim().trim_matches('"'))
        })
}

/// An address with an optional port: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]:80`.
/// `unknown` and obfuscated identifiers (`_hidden`) are not addresses.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        if !(after.is_empty() || valid_port(after.strip_prefix(':')?)) {
            return None;
        }
        return v6
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| IpAddr::V6(ip).to_canonical());
    }
    let (v4, port) = node.split_once(':')?;
    if !valid_port(port) {
        return None;
    }
    v4.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn valid_port(port: &str) -> bool {
    port.parse::<u16>().is_ok()
}

/// Splits on `sep` except inside double quotes (RFC 7239 quoted strings).
fn split_outside_quotes(value: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(&value[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// The address of the client that made a request (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The request's client address, when the edge attached one.
    pub fn of(extensions: &http::Extensions) -> Option<Self> {
        extensions.get::<Self>().copied()
    }

    /// What throttles count under: the address, or for IPv6 its /64 (one subscriber usually
    /// holds a whole /64, so counting single IPv6 addresses would throttle nobody).
    pub fn throttle_key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let net = Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64));
                format!("{net}/64")
            }
        }
    }
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, value.parse().unwrap());
        }
        h
    }

    fn xff(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list, ForwardedHeader::XForwardedFor).unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let net = IpNetwork::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.1.2.3")));
        assert!(
            net.contains(ip("::ffff:10.1.2.3")),
            "IPv4-mapped IPv6 is IPv4"
        );
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::1")));
        let v6 = IpNetwork::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(
            IpNetwork::parse("192.0.2.7")
                .unwrap()
                .contains(ip("192.0.2.7"))
        );
        assert!(
            IpNetwork::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        for bad in ["10.0.0.0/33", "::/129", "nope", "10.0.0.0/x", ""] {
            assert_eq!(IpNetwork::parse(bad), None, "{bad:?}");
        }
        let err = TrustedProxies::parse("10.0.0.0/8, proxy.local", ForwardedHeader::Forwarded)
            .unwrap_err();
        assert!(err.contains("proxy.local"), "{err}");
        assert_eq!(
            ForwardedHeader::parse("Forwarded"),
            Some(ForwardedHeader::Forwarded)
        );
        assert_eq!(
            ForwardedHeader::parse(""),
            Some(ForwardedHeader::XForwardedFor)
        );
        assert_eq!(ForwardedHeader::parse("x-real-ip"), None);
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let spoofed = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.9"),
        ]);
        let peer = ip("198.51.100.4");
        assert_eq!(
            TrustedProxies::default().client_address(peer, &spoofed).0,
            peer
        );
        assert_eq!(xff("10.0.0.0/8").client_address(peer, &spoofed).0, peer);
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let proxies = xff("10.0.0.0/8, 192.0.2.1");
        let peer = ip("10.0.0.2");
        // The client wrote a fake first entry; our proxies appended the real one and their own.
        let chain = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 192.0.2.1")]);
        assert_eq!(proxies.client_address(peer, &chain).0, ip("203.0.113.9"));
        // Split over several header lines, with ports (Azure) and IPv6.
        let lines = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "[2001:db8::7]:4711, 10.9.9.9:80"),
        ]);
        assert_eq!(proxies.client_address(peer, &lines).0, ip("2001:db8::7"));
        // No header: the proxy itself is the client.
        assert_eq!(proxies.client_address(peer, &HeaderMap::new()).0, peer);
        // Every hop trusted: the left-most one.
        let internal = headers(&[("x-forwarded-for", "10.1.1.1, 10.2.2.2")]);
        assert_eq!(proxies.client_address(peer, &internal).0, ip("10.1.1.1"));
        // The peer as an IPv4-mapped IPv6 address (a dual-stack listener) is still trusted.
        let mapped = ip("::ffff:10.0.0.2");
        let one = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(proxies.client_address(mapped, &one).0, ip("203.0.113.9"));
    }

    #[test]
    fn malformed_entries_stop_at_the_last_trusted_hop() {
        let proxies = xff("10.0.0.0/8");
        let peer = ip("10.0.0.2");
        for value in [
            "203.0.113.9, garbage",
            "203.0.113.9, unknown",
            "203.0.113.9, 1.2.3.4:99999",
            "203.0.113.9, [2001:db8::1",
        ] {
            let h = headers(&[("x-forwarded-for", value)]);
            assert_eq!(proxies.client_address(peer, &h).0, peer, "{value:?}");
        }
        // A malformed entry left of the client does not matter.
        let h = headers(&[("x-forwarded-for", "garbage, 203.0.113.9, 10.1.1.1")]);
        assert_eq!(proxies.client_address(peer, &h).0, ip("203.0.113.9"));
    }

    #[test]
    fn forwarded_is_parsed_only_when_configured() {
        let proxies = TrustedProxies::parse("10.0.0.0/8", ForwardedHeader::Forwarded).unwrap();
        let peer = ip("10.0.0.2");
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            (
                "forwarded",
                "for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\"",
            ),
        ]);
        assert_eq!(proxies.client_address(peer, &h).0, ip("2001:db8:cafe::17"));
        let obfuscated = headers(&[("forwarded", "for=192.0.2.60, for=_hidden")]);
        assert_eq!(proxies.client_address(peer, &obfuscated).0, peer);
        let no_for = headers(&[("forwarded", "proto=https;by=10.0.0.1")]);
        assert_eq!(proxies.client_address(peer, &no_for).0, peer);
        let quoted_comma = headers(&[("forwarded", "for=\"a,b\", for=198.51.100.1")]);
        assert_eq!(
            proxies.client_address(peer, &quoted_comma).0,
            ip("198.51.100.1")
        );
        // X-Forwarded-For alone is ignored under `forwarded`.
        let only_xff = headers(&[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(proxies.client_address(peer, &only_xff).0, peer);
    }

    #[test]
    fn ipv6_clients_are_throttled_by_their_slash_64() {
        assert_eq!(ClientAddress(ip("192.0.2.1")).throttle_key(), "192.0.2.1");
        assert_eq!(
            ClientAddress(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).throttle_key(),
            "2001:db8:1:2::/64"
        );
    }
}
