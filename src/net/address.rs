//! Which network addresses the crawler may connect to. A page, a robots.txt, a sitemap or a
//! stylesheet can point anywhere, including the cloud metadata service (169.254.169.254) and the
//! machine's own or its network's private services. eldercheck never connects to link-local,
//! multicast or unspecified addresses, and connects to loopback and private addresses only for a
//! site whose start address is itself on such a network (an owner checking an intranet site).
//!
//! The rule is applied to every address a host name resolves to, by the HTTP client's resolver
//! (`lookups::PolicyResolver`), so that a public name that resolves to a private address (DNS
//! rebinding) is refused too, and to addresses written in URLs, which no resolver sees. The browser's
//! requests obey the same rule (`browser::intercept`).

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What the addresses of one site's requests may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Public addresses only: the normal case.
    Public,
    /// Public, loopback and private addresses: the site the user asked for is on a private network.
    Private,
}

/// The kind of an address, as far as the crawler is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    /// Loopback, RFC 1918, shared address space (100.64/10), unique local IPv6 (fc00::/7).
    Private,
    /// Link-local (169.254/16 with cloud metadata, fe80::/10), unspecified, multicast, broadcast,
    /// reserved: never requested.
    Forbidden,
}

pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, ..] = ip.octets();
    if ip.is_link_local() || ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast() || a == 0 || a >= 240 {
        AddressClass::Forbidden
    } else if ip.is_loopback()
        || ip.is_private()
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b & 0xfe) == 18)
    {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let first = ip.segments()[0];
    if ip.is_unspecified() || ip.is_multicast() || (first & 0xffc0) == 0xfe80 {
        AddressClass::Forbidden
    } else if ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfec0 {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

impl Access {
    pub fn allows(self, ip: IpAddr) -> bool {
        match classify(ip) {
            AddressClass::Public => true,
            AddressClass::Private => self == Access::Private,
            AddressClass::Forbidden => false,
        }
    }

    /// The access a site gets from where its start address points: private when the user asked for
    /// a site on a loopback or private address. `resolved` are the start host's addresses.
    pub fn for_start(resolved: &[IpAddr]) -> Access {
        if resolved.iter().any(|ip| classify(*ip) == AddressClass::Private) {
            Access::Private
        } else {
            Access::Public
        }
    }
}

/// A connection refused by the address rule; carried through the HTTP client's error chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedAddress {
    pub host: String,
    pub ip: IpAddr,
}

impl fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match classify(self.ip) {
            AddressClass::Forbidden => "a link-local, multicast or reserved address, which eldercheck never requests",
            _ => "a loopback or private address, requested only for sites that are themselves on a private network",
        };
        if self.host == self.ip.to_string() {
            write!(f, "{} is {what}", self.ip)
        } else {
            write!(f, "{} resolves to {}: {what}", self.host, self.ip)
        }
    }
}

impl Error for RefusedAddress {}

/// The refusal in an error's chain of sources, if that is what it is.
pub fn refusal_in(error: &(dyn Error + 'static)) -> Option<RefusedAddress> {
    let mut current: Option<&(dyn Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<RefusedAddress>() {
            return Some(refused.clone());
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn address_classes() {
        for forbidden in ["169.254.169.254", "0.0.0.0", "224.0.0.1", "255.255.255.255", "fe80::1", "::", "ff02::1"] {
            assert_eq!(classify(ip(forbidden)), AddressClass::Forbidden, "{forbidden}");
        }
        for private in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "::1", "fd00::1"] {
            assert_eq!(classify(ip(private)), AddressClass::Private, "{private}");
        }
        for public in ["8.8.8.8", "202.108.22.5", "2400:da00::6666", "172.32.0.1"] {
            assert_eq!(classify(ip(public)), AddressClass::Public, "{public}");
        }
        assert_eq!(classify(ip("::ffff:169.254.169.254")), AddressClass::Forbidden, "IPv4-mapped IPv6");
        assert_eq!(classify(ip("::ffff:127.0.0.1")), AddressClass::Private);
    }

    #[test]
    fn access_rules() {
        assert!(!Access::Public.allows(ip("127.0.0.1")));
        assert!(Access::Private.allows(ip("127.0.0.1")));
        assert!(!Access::Private.allows(ip("169.254.169.254")), "link-local is never allowed");
        assert!(Access::Public.allows(ip("8.8.8.8")));
        assert_eq!(Access::for_start(&[ip("192.168.0.10")]), Access::Private);
        assert_eq!(Access::for_start(&[ip("8.8.8.8")]), Access::Public);
        assert_eq!(Access::for_start(&[ip("169.254.169.254")]), Access::Public);
    }
}
