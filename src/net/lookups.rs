//! Name lookups for one run, shared by the crawler and the browser: `--resolve` entries first, then
//! IP literals, then the system resolver, asked once per host name at a time and remembered for a
//! while. The table belongs to the run that made it (no process-wide state), so two runs in one
//! process (the web app, tests) never see each other's answers or overrides.

use super::address::{Access, RefusedAddress};
use crate::options::Resolve;
use std::collections::HashMap;
use std::error::Error;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Host names kept before the table is emptied.
const MAX_HOSTS: usize = 4096;
/// How long a lookup's answer is used (a nightly batch runs for hours; records change).
const LOOKUP_TTL: Duration = Duration::from_secs(300);
/// A lookup not answered in this time is asked again, alongside, then again after twice as long,
/// up to [`LOOKUP_ASKS`] questions. An answer normally takes well under this (a cached or failing
/// name a millisecond, an uncached one tens of milliseconds); a lost question has none for five
/// seconds (glibc). The benchmark machine's resolver loses one question in four beyond ~40 a
/// second, and a page names dozens of hosts at once: waiting a second for each loss held such
/// pages' loads 1–5 s.
const LOOKUP_RETRY_AFTER: Duration = Duration::from_millis(200);
const LOOKUP_ASKS: usize = 4;
/// A name that takes longer to resolve is treated as not resolving.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

type LookupCell = Arc<tokio::sync::OnceCell<Vec<IpAddr>>>;

/// The addresses of host names as this run connects to them. Many identical lookups at once are
/// what some resolvers drop (glibc then waits five seconds), and they cost the resolver for
/// nothing: a page's dozens of requests to one host share one lookup.
#[derive(Default)]
pub struct Lookups {
    overrides: Vec<Resolve>,
    hosts: Mutex<HashMap<String, (Instant, LookupCell)>>,
}

impl Lookups {
    /// A table with `--resolve` entries, which win over DNS.
    pub fn new(overrides: Vec<Resolve>) -> Lookups {
        Lookups { overrides, hosts: Mutex::default() }
    }

    /// The `--resolve` entries.
    pub fn overrides(&self) -> &[Resolve] {
        &self.overrides
    }

    /// The addresses of `host` as the crawler would connect; empty when the name does not resolve.
    pub async fn of(&self, host: &str) -> Vec<IpAddr> {
        if let Some(known) = self.fixed(host) {
            return known;
        }
        let host = host.trim_matches(['[', ']']);
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
                    hosts.insert(key, (Instant::now(), cell.clone()));
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

    /// [`Lookups::of`] when it needs no wait: `--resolve` entries, IP literals and fresh answers.
    /// The browser's requests are paused until they are answered, and most ask for a host the page
    /// has asked for before.
    pub fn known(&self, host: &str) -> Option<Vec<IpAddr>> {
        if let Some(fixed) = self.fixed(host) {
            return Some(fixed);
        }
        let hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let (at, cell) = hosts.get(&host.trim_matches(['[', ']']).to_ascii_lowercase())?;
        cell.get().filter(|_| at.elapsed() < LOOKUP_TTL).cloned()
    }

    /// `--resolve` entries and IP literals.
    fn fixed(&self, host: &str) -> Option<Vec<IpAddr>> {
        let host = host.trim_matches(['[', ']']);
        let fixed: Vec<IpAddr> =
            self.overrides.iter().filter(|r| r.host.eq_ignore_ascii_case(host)).map(|r| r.address.ip()).collect();
        if !fixed.is_empty() {
            return Some(fixed);
        }
        host.parse::<IpAddr>().ok().map(|ip| vec![ip])
    }
}

/// The answer of `ask()`; when none has come after `after`, `ask()` is started again alongside, and
/// again after twice as long, up to `most` questions in all; the first answer of any wins.
async fn asked_again<F, Fut>(after: Duration, most: usize, ask: F) -> Fut::Output
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

/// The HTTP client's resolver: the run's lookups, with addresses the site may not reach removed.
pub struct PolicyResolver {
    pub access: Access,
    pub lookups: Arc<Lookups>,
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let (access, lookups) = (self.access, self.lookups.clone());
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = lookups.of(&host).await.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::address::refusal_in;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn addresses_are_known_without_waiting_only_when_no_lookup_is_needed() {
        let lookups = Lookups::new(vec!["intranet.example:80:10.1.2.3".parse().expect("resolve")]);
        assert_eq!(lookups.known("[::1]"), Some(vec![ip("::1")]));
        assert_eq!(lookups.known("INTRANET.example"), Some(vec![ip("10.1.2.3")]));
        assert_eq!(lookups.known("never-looked-up.example"), None);
    }

    #[test]
    fn two_runs_never_share_their_overrides() {
        let one = Lookups::new(vec!["a.example:80:10.0.0.1".parse().expect("resolve")]);
        let other = Lookups::default();
        assert!(one.known("a.example").is_some());
        assert_eq!(other.known("a.example"), None);
    }

    #[tokio::test]
    async fn a_lookup_without_an_answer_is_asked_again_and_the_first_answer_wins() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let asked = AtomicU32::new(0);
        let wait = Duration::from_millis(20);
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
        let answer = tokio::time::timeout(Duration::from_secs(5), asked_again(wait, 4, lost_twice_then_answered)).await;
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
        let gave_up = tokio::time::timeout(Duration::from_millis(500), asked_again(wait, 3, never_answered)).await;
        assert!(gave_up.is_err());
        assert_eq!(asked.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn the_resolver_refuses_what_the_site_may_not_reach() {
        use reqwest::dns::Resolve;
        let name = |n: &str| n.parse::<reqwest::dns::Name>().expect("name");
        let lookups = Arc::new(Lookups::default());
        let refused =
            PolicyResolver { access: Access::Public, lookups: lookups.clone() }.resolve(name("localhost")).await;
        let error = refused.err().expect("localhost is loopback");
        assert!(refusal_in(error.as_ref()).is_some(), "{error}");
        let allowed = PolicyResolver { access: Access::Private, lookups }.resolve(name("localhost")).await;
        assert!(allowed.is_ok_and(|mut a| a.next().is_some()));
    }
}
