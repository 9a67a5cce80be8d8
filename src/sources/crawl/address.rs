//! Which network addresses the crawler may connect to. A page, a robots.txt, a sitemap or a
//! stylesheet can point anywhere, including the cloud metadata service (169.254.169.254) and the
//! machine's own or its network's private services. eldercheck never connects to link-local,
//! multicast or unspecified addresses, and connects to loopback and private addresses only for a
//! site whose start address is itself on such a network (an owner checking an intranet site).
//!
//! The rule is applied to every address a host name resolves to, by the HTTP client's resolver,
//! so that a public name that resolves to a private address (DNS rebinding) is refused too, and to
//! addresses written in URLs, which no resolver sees.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

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

/// Host names kept by [`Lookups`] before the table is emptied.
const MAX_HOSTS: usize = 4096;
/// How long a lookup's answer is used (a nightly batch runs for hours; records change).
const LOOKUP_TTL: std::time::Duration = std::time::Duration::from_secs(300);
/// A lookup not answered in this time is asked again, alongside, then again after twice as long,
/// up to [`LOOKUP_ASKS`] questions. An answer normally takes well under this (a cached or failing
/// name a millisecond, an uncached one tens of milliseconds); a lost question has none for five
/// seconds (glibc). The benchmark machine's resolver loses one question in four beyond ~40 a
/// second, and a page names dozens of hosts at once: waiting a second for each loss held such
/// pages' loads 1–5 s.
const LOOKUP_RETRY_AFTER: std::time::Duration = std::time::Duration::from_millis(200);
const LOOKUP_ASKS: usize = 4;
/// A name that takes longer to resolve is treated as not resolving.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

type LookupCell = Arc<tokio::sync::OnceCell<Vec<IpAddr>>>;

/// The system resolver, asked once per host name at a time: a page's dozens of requests to one host
/// share one lookup. Many identical lookups at once are what some resolvers drop (glibc then waits
/// five seconds), and they cost the resolver for nothing.
#[derive(Default)]
pub struct Lookups {
    hosts: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, LookupCell)>>,
}

impl Lookups {
    /// The addresses of `host` (empty when it does not resolve).
    pub async fn of(&self, host: &str) -> Vec<IpAddr> {
        let cell = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            if hosts.len() >= MAX_HOSTS {
                hosts.clear();
            }
            let key = host.to_ascii_lowercase();
            match hosts.get(&key) {
                Some((at, cell)) if at.elapsed() < LOOKUP_TTL => cell.clone(),
                _ => {
                    let cell = LookupCell::default();
                    hosts.insert(key, (std::time::Instant::now(), cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_init(|| async {
            // A query whose answer was lost is only asked again by glibc after five seconds, and a
            // page's burst of lookups loses some on some resolvers: the lookup is started again
            // alongside (as browsers' resolvers retry), and the first answer wins.
            let lookup = asked_again(LOOKUP_RETRY_AFTER, LOOKUP_ASKS, || tokio::net::lookup_host((host, 0)));
            match tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await {
                Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                _ => Vec::new(),
            }
        })
        .await
        .clone()
    }

    /// The addresses of `host` if they are known without waiting: a fresh answer in the table.
    pub fn known(&self, host: &str) -> Option<Vec<IpAddr>> {
        let hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let (at, cell) = hosts.get(&host.to_ascii_lowercase())?;
        cell.get().filter(|_| at.elapsed() < LOOKUP_TTL).cloned()
    }

    /// One table for the whole process.
    pub fn shared() -> Arc<Lookups> {
        static SHARED: std::sync::OnceLock<Arc<Lookups>> = std::sync::OnceLock::new();
        SHARED.get_or_init(Arc::default).clone()
    }
}

/// The answer of `ask()`; when none has come after `after`, `ask()` is started again alongside, and
/// again after twice as long, up to `most` questions in all; the first answer of any wins.
async fn asked_again<F, Fut>(after: std::time::Duration, most: usize, ask: F) -> Fut::Output
where
    F: Fn() -> Fut,
    Fut: std::future::Future,
{
    use futures_util::StreamExt;
    let mut asked = futures_util::stream::FuturesUnordered::new();
    let mut wait = after;
    loop {
        asked.push(ask());
        let answer = if asked.len() >= most {
            asked.next().await
        } else {
            match tokio::time::timeout(wait, asked.next()).await {
                Ok(answer) => answer,
                Err(_) => {
                    wait *= 2;
                    continue;
                }
            }
        };
        if let Some(answer) = answer {
            return answer;
        }
    }
}

/// The HTTP client's resolver: the system's, with addresses the site may not reach removed.
pub struct PolicyResolver {
    pub access: Access,
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let access = self.access;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                Lookups::shared().of(&host).await.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            if found.is_empty() {
                let message = format!("failed to look up address information for {host}");
                return Err(Box::new(std::io::Error::other(message)) as Box<dyn Error + Send + Sync>);
            }
            let allowed: Vec<SocketAddr> = found.iter().copied().filter(|a| access.allows(a.ip())).collect();
            match (allowed.is_empty(), found.first()) {
                (true, Some(refused)) => {
                    Err(Box::new(RefusedAddress { host, ip: refused.ip() }) as Box<dyn Error + Send + Sync>)
                }
                _ => Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

impl PolicyResolver {
    pub fn shared(access: Access) -> Arc<PolicyResolver> {
        Arc::new(PolicyResolver { access })
    }
}

/// The addresses of a host as the crawler would connect: `--resolve` entries first, then IP
/// literals, then the system resolver. Empty when the name does not resolve.
pub async fn addresses_of(host: &str, overrides: &[(String, SocketAddr)]) -> Vec<IpAddr> {
    match addresses_known(host, overrides) {
        Some(known) => known,
        None => Lookups::shared().of(host.trim_matches(['[', ']'])).await,
    }
}

/// [`addresses_of`] when it needs no wait: `--resolve` entries, IP literals and fresh lookups. The
/// rendering browser's requests are paused until they are answered, and most ask for a host the
/// page has asked for before.
pub fn addresses_known(host: &str, overrides: &[(String, SocketAddr)]) -> Option<Vec<IpAddr>> {
    let host = host.trim_matches(['[', ']']);
    let fixed: Vec<IpAddr> =
        overrides.iter().filter(|(name, _)| name.eq_ignore_ascii_case(host)).map(|(_, a)| a.ip()).collect();
    if !fixed.is_empty() {
        return Some(fixed);
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(vec![ip]);
    }
    Lookups::shared().known(host)
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
    fn addresses_are_known_without_waiting_only_when_no_lookup_is_needed() {
        let mapped = [("intranet.example".to_string(), "10.1.2.3:80".parse().expect("addr"))];
        assert_eq!(addresses_known("[::1]", &[]), Some(vec![ip("::1")]));
        assert_eq!(addresses_known("INTRANET.example", &mapped), Some(vec![ip("10.1.2.3")]));
        assert_eq!(addresses_known("never-looked-up.example", &mapped), None);
    }

    #[tokio::test]
    async fn a_lookup_without_an_answer_is_asked_again_and_the_first_answer_wins() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let asked = AtomicU32::new(0);
        let wait = std::time::Duration::from_millis(20);
        // The first two questions are lost (never answered); the third is answered at once.
        let lost_twice_then_answered = || {
            let n = asked.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    std::future::pending::<()>().await;
                }
                n
            }
        };
        let answer =
            tokio::time::timeout(std::time::Duration::from_secs(5), asked_again(wait, 4, lost_twice_then_answered))
                .await;
        assert_eq!(answer, Ok(2));
        asked.store(0, Ordering::SeqCst);
        let answered = || {
            asked.fetch_add(1, Ordering::SeqCst);
            async { 7 }
        };
        assert_eq!(asked_again(wait, 4, answered).await, 7);
        assert_eq!(asked.load(Ordering::SeqCst), 1, "an answered question is not asked again");
        // However many are lost, no more than `most` questions are asked.
        asked.store(0, Ordering::SeqCst);
        let never_answered = || {
            asked.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<u32>()
        };
        let gave_up =
            tokio::time::timeout(std::time::Duration::from_millis(500), asked_again(wait, 3, never_answered)).await;
        assert!(gave_up.is_err());
        assert_eq!(asked.load(Ordering::SeqCst), 3);
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

    #[tokio::test]
    async fn the_resolver_refuses_what_the_site_may_not_reach() {
        use reqwest::dns::Resolve;
        let name = |n: &str| n.parse::<reqwest::dns::Name>().expect("name");
        let refused = PolicyResolver { access: Access::Public }.resolve(name("localhost")).await;
        let error = refused.err().expect("localhost is loopback");
        assert!(refusal_in(error.as_ref()).is_some(), "{error}");
        let allowed = PolicyResolver { access: Access::Private }.resolve(name("localhost")).await;
        assert!(allowed.is_ok_and(|mut a| a.next().is_some()));
    }
}
