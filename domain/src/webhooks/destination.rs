//! Where webhooks may go (the SSRF guard's rules). A destination address is refused if it is
//! private, loopback, link-local (which holds the cloud metadata address 169.254.169.254),
//! CGNAT, multicast, unspecified, reserved, an IPv4-mapped, -compatible or -translated IPv6
//! address, a NAT64 address embedding any of those, or an address of the IPv6 transition
//! mechanisms that reach IPv4 hosts through a gateway or relay we cannot vouch for (local-use
//! NAT64, 6to4, Teredo) — unless the operator's allow-list names it. The
//! dispatcher applies [`Guard::check_address`] to every address a host resolves to and connects
//! only to checked addresses; registration applies [`Guard::check_url`] (IP literals are checked
//! there too, hostnames on every delivery, because DNS answers change).

use crate::FieldViolation;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// An allow-list entry from `EVENTKIT_WEBHOOK_ALLOWLIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// A host name or IP literal, any port.
    Host(String),
    /// A host and one port.
    HostPort(String, u16),
    /// Every address in a network.
    Network(IpAddr, u8),
}

/// The rules plus the operator's allow-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    allowed: Vec<Allowed>,
}

/// Why a destination is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Guard {
    /// Parses a comma-separated allow-list: `host`, `host:port`, `[v6]:port`, an IP, or a CIDR.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut allowed = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            allowed.push(parse_entry(entry).ok_or_else(|| {
                format!("{entry:?} is not a host, host:port, IP address or CIDR")
            })?);
        }
        Ok(Self { allowed })
    }

    /// Whether the operator allowed this host (and port) by name, whatever it resolves to.
    pub fn allows_host(&self, host: &str, port: u16) -> bool {
        let host = normalise_host(host);
        self.allowed.iter().any(|a| match a {
            Allowed::Host(h) => *h == host,
            Allowed::HostPort(h, p) => *h == host && *p == port,
            Allowed::Network(..) => false,
        })
    }

    /// Checks one address a destination resolved to (or its IP literal).
    pub fn check_address(&self, ip: IpAddr) -> Result<(), Refused> {
        let allowed = self.allowed.iter().any(|a| match a {
            Allowed::Network(net, bits) => in_network(ip, *net, *bits),
            Allowed::Host(h) => h.parse::<IpAddr>() == Ok(ip),
            Allowed::HostPort(..) => false,
        });
        match forbidden_reason(ip) {
            Some(reason) if !allowed => Err(Refused(format!("{ip} is {reason}"))),
            _ => Ok(()),
        }
    }

    /// Validates an endpoint URL at registration: http(s), a host, no credentials or
    /// fragment, and an IP literal must be an allowed address. Returns the normalised URL.
    pub fn check_url(&self, field: &str, raw: &str) -> Result<url::Url, FieldViolation> {
        let bad = |why: String| FieldViolation::new(field, why);
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(bad("is required".into()));
        }
        if raw.chars().count() > MAX_URL_CHARS {
            return Err(bad(format!("must be at most {MAX_URL_CHARS} characters")));
        }
        let url = url::Url::parse(raw).map_err(|e| bad(format!("is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must be an http or https URL".into()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "must not hold credentials; receivers verify the signature instead".into(),
            ));
        }
        if url.fragment().is_some() {
            return Err(bad("must not have a #fragment".into()));
        }
        let port = url.port_or_known_default().unwrap_or(443);
        match url.host() {
            None => return Err(bad("needs a host".into())),
            Some(url::Host::Ipv4(ip)) => self.check_literal(IpAddr::V4(ip), port, field)?,
            Some(url::Host::Ipv6(ip)) => self.check_literal(IpAddr::V6(ip), port, field)?,
            Some(url::Host::Domain(_)) => {}
        }
        Ok(url)
    }

    fn check_literal(&self, ip: IpAddr, port: u16, field: &str) -> Result<(), FieldViolation> {
        if self.allows_host(&ip.to_string(), port) {
            return Ok(());
        }
        self.check_address(ip).map_err(|r| {
            FieldViolation::new(
                field,
                format!("{r}; webhooks go to public addresses only (operators can allow internal hosts with EVENTKIT_WEBHOOK_ALLOWLIST)"),
            )
        })
    }
}

fn normalise_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

fn parse_entry(entry: &str) -> Option<Allowed> {
    if let Some((net, bits)) = entry.split_once('/') {
        let net: IpAddr = net.parse().ok()?;
        let bits: u8 = bits.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        return (bits <= max).then_some(Allowed::Network(net, bits));
    }
    if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Some(Allowed::Host(ip.to_string()));
    }
    if let Some((host, port)) = entry.rsplit_once(':') {
        let port = port.parse().ok()?;
        let host = normalise_host(host);
        let host = host.parse::<IpAddr>().map_or(host, |ip| ip.to_string());
        return valid_host(&host).then_some(Allowed::HostPort(host, port));
    }
    let host = normalise_host(entry);
    valid_host(&host).then_some(Allowed::Host(host))
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && (host.parse::<IpAddr>().is_ok()
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// Why an address may not be called, or `None` for an ordinary public address.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let v4 = |net: [u8; 4], bits: u8| in_network(IpAddr::V4(ip), IpAddr::from(net), bits);
    if ip == Ipv4Addr::new(169, 254, 169, 254) {
        Some("the cloud metadata address")
    } else if v4([127, 0, 0, 0], 8) {
        Some("a loopback address")
    } else if v4([10, 0, 0, 0], 8) || v4([172, 16, 0, 0], 12) || v4([192, 168, 0, 0], 16) {
        Some("a private address")
    } else if v4([169, 254, 0, 0], 16) {
        Some("a link-local address")
    } else if v4([100, 64, 0, 0], 10) {
        Some("a carrier-grade NAT address")
    } else if v4([224, 0, 0, 0], 4) {
        Some("a multicast address")
    } else if v4([0, 0, 0, 0], 8) {
        Some("an unspecified address")
    } else if v4([240, 0, 0, 0], 4)
        || v4([192, 0, 0, 0], 24)
        || v4([192, 0, 2, 0], 24)
        || v4([198, 18, 0, 0], 15)
        || v4([198, 51, 100, 0], 24)
        || v4([203, 0, 113, 0], 24)
    {
        Some("a reserved address")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let v6 = |net: &str, bits: u8| {
        in_network(
            IpAddr::V6(ip),
            IpAddr::V6(net.parse().expect("valid network")),
            bits,
        )
    };
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if v6("::ffff:0:0", 96) {
        Some("an IPv4-mapped address")
    } else if v6("::", 96) {
        Some("an IPv4-compatible address")
    } else if v6("::ffff:0:0:0", 96) {
        Some("an IPv4-translated address")
    } else if v6("64:ff9b::", 96) {
        // NAT64: the last 32 bits are an IPv4 address the gateway would call.
        let [.., a, b, c, d] = ip.octets();
        forbidden_v4(Ipv4Addr::new(a, b, c, d))
            .map(|_| "a NAT64 address of a forbidden IPv4 address")
    } else if v6("64:ff9b:1::", 48) {
        // Local-use NAT64 (RFC 8215): a gateway of the network we run in, whatever it embeds.
        Some("a local-use NAT64 address")
    } else if v6("2002::", 16) {
        // 6to4 embeds an IPv4 address (bits 16-47) that a relay would call; relays are
        // deprecated (RFC 7526) and not ours to trust, so the whole range is refused.
        Some("a 6to4 address")
    } else if v6("2001::", 32) {
        // Teredo embeds its server's and (obfuscated) client's IPv4 addresses.
        Some("a Teredo address")
    } else if v6("fc00::", 7) {
        Some("a private (unique local) address")
    } else if v6("fe80::", 10) {
        Some("a link-local address")
    } else if v6("ff00::", 8) {
        Some("a multicast address")
    } else if v6("2001:db8::", 32) {
        Some("a reserved address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(ip: &str) -> bool {
        Guard::default().check_address(ip.parse().unwrap()).is_err()
    }

    #[test]
    fn forbidden_addresses() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "239.1.1.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:0:7f00:1",
            "::ffff:0:808:808",
            "64:ff9b:1::a9fe:a9fe",
            "64:ff9b:1:ffff::808:808",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "64:ff9b::808:808",
            "2001:4860:4860::8888",
            "2003::1",
        ] {
            assert!(!refused(ip), "{ip} is public");
        }
    }

    #[test]
    fn allow_list_entries() {
        let g = Guard::parse("hooks.internal, 10.0.0.0/8, 127.0.0.1, localhost:8080, [::1]:9000")
            .unwrap();
        assert!(g.check_address("10.9.9.9".parse().unwrap()).is_ok());
        assert!(g.check_address("127.0.0.1".parse().unwrap()).is_ok());
        assert!(g.check_address("127.0.0.2".parse().unwrap()).is_err());
        assert!(g.allows_host("HOOKS.internal.", 443));
        assert!(g.allows_host("localhost", 8080));
        assert!(!g.allows_host("localhost", 8081));
        assert!(g.allows_host("::1", 9000));
        assert!(Guard::parse("10.0.0.0/33").is_err());
        assert!(Guard::parse("bad host!").is_err());
        assert_eq!(Guard::parse(" , ").unwrap(), Guard::default());
    }

    #[test]
    fn registration_checks_literals_and_shape() {
        let g = Guard::default();
        assert!(
            g.check_url("url", "https://hooks.example.com/in?x=1")
                .is_ok()
        );
        for bad in [
            "",
            "not a url",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
            "http://127.0.0.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.1/",
            "http://0x7f000001/",
            "http://2130706433/",
        ] {
            let err = g.check_url("url", bad).unwrap_err();
            assert_eq!(err.field, "url", "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert!(g.check_url("url", &long).is_err());
        let local = Guard::parse("127.0.0.1").unwrap();
        assert!(local.check_url("url", "http://127.0.0.1:9/").is_ok());
    }
}
