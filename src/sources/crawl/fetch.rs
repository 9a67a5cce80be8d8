//! HTTP fetching with politeness: a global limit on requests in flight, at most two per host,
//! a minimum gap between requests to one host, retries with exponential backoff for timeouts,
//! 5xx and 429 (`Retry-After` honoured), a body cap, and redirects followed by hand so that scope,
//! loops and the number of hops are under control.

use crate::net::address::{Access, RefusedAddress};
use crate::net::lookups::{Lookups, PolicyResolver};
use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

/// Largest number of redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;
/// Requests in flight to one host at most.
pub const PER_HOST_IN_FLIGHT: usize = 2;
/// How long a site's start address may take to accept a connection before the site is not checked.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests to one host that time out (after their retries) in a row before the host is given up
/// for the run: a dead server then costs two timeouts, not one per page.
const TIMEOUTS_BEFORE_GIVING_UP: u32 = 2;

#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    pub timeout: Duration,
    pub max_body_bytes: usize,
    /// Retries after the first attempt, for timeouts, connection failures, 5xx and 429.
    pub retries: u32,
    /// First backoff; doubled for each retry.
    pub retry_base: Duration,
    /// Longest `Retry-After` honoured; longer ones end the retries.
    pub max_retry_after: Duration,
    /// Minimum gap between two requests to one host.
    pub delay: Duration,
    /// Requests in flight in total.
    pub concurrency: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        use crate::options::{
            DEFAULT_CONCURRENCY, DEFAULT_DELAY_MS, DEFAULT_MAX_BODY_MIB, DEFAULT_RETRIES, DEFAULT_TIMEOUT_S,
        };
        FetchConfig {
            user_agent: format!("eldercheck/{} (+https://github.com/eldercheck/eldercheck)", crate::VERSION),
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_S),
            max_body_bytes: DEFAULT_MAX_BODY_MIB * 1024 * 1024,
            retries: DEFAULT_RETRIES,
            retry_base: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            delay: Duration::from_millis(DEFAULT_DELAY_MS),
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// Why a fetch failed; `kind` is the report's error kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub kind: &'static str,
    pub message: String,
    pub status: Option<u16>,
    /// The URL reached when the error happened (after redirects).
    pub final_url: Option<String>,
}

impl FetchError {
    fn new(kind: &'static str, message: impl Into<String>) -> FetchError {
        FetchError { kind, message: message.into(), status: None, final_url: None }
    }
}

/// A successful response after redirects.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub final_url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub charset: Option<String>,
    pub body: Vec<u8>,
}

fn is_html_type(content_type: Option<&str>) -> bool {
    // No Content-Type at all: sniffing would treat most such bodies as HTML, so do we.
    content_type.is_none_or(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("text/html") || t.starts_with("application/xhtml+xml")
    })
}

/// Politeness state of one host.
struct HostState {
    permits: Semaphore,
    next_slot: tokio::sync::Mutex<Instant>,
    delay: Mutex<Duration>,
}

/// What a caller wants from a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// An HTML page: other content types end with `not_html` before the body is read.
    Html,
    /// Anything (sitemaps, stylesheets), within the body cap.
    Any,
    /// The first bytes of anything, up to this many: a robots.txt over its limit is still read
    /// (RFC 9309: at least the first 500 KiB), never treated as missing.
    Prefix(usize),
}

pub struct Fetcher {
    /// For sites on public addresses: loopback, private and link-local addresses are refused.
    public: reqwest::Client,
    /// For sites the user asked for on a private network: link-local addresses are refused.
    private: reqwest::Client,
    config: FetchConfig,
    /// The run's name lookups and `--resolve` entries.
    lookups: Arc<Lookups>,
    global: Semaphore,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    /// Hosts whose name did not resolve or that refused connections, with the error: later
    /// requests to them in this run fail at once instead of waiting on DNS or connects again.
    unreachable: Mutex<HashMap<String, FetchError>>,
    /// HTTP basic credentials given in start URLs, by host: sent to that host only, and kept out
    /// of every URL the crawler hands on (and so out of reports and the history).
    credentials: Mutex<HashMap<String, (String, Option<String>)>>,
    /// Timed-out requests in a row, by host.
    timeouts: Mutex<HashMap<String, u32>>,
}

impl Fetcher {
    pub fn new(config: FetchConfig, lookups: Arc<Lookups>) -> Result<Fetcher, FetchError> {
        Ok(Fetcher {
            public: Fetcher::client(&config, Access::Public, &lookups)?,
            private: Fetcher::client(&config, Access::Private, &lookups)?,
            global: Semaphore::new(config.concurrency.max(1)),
            config,
            lookups,
            hosts: Mutex::new(HashMap::new()),
            unreachable: Mutex::new(HashMap::new()),
            credentials: Mutex::new(HashMap::new()),
            timeouts: Mutex::new(HashMap::new()),
        })
    }

    /// Takes the credentials out of a start URL, to be sent to its host with every request.
    pub fn take_credentials(&self, url: &mut Url) {
        if url.username().is_empty() && url.password().is_none() {
            return;
        }
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let user = decode(url.username());
        let password = url.password().map(decode);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        self.credentials.lock().unwrap_or_else(|e| e.into_inner()).insert(host_key(url), (user, password));
    }

    fn client(config: &FetchConfig, access: Access, lookups: &Arc<Lookups>) -> Result<reqwest::Client, FetchError> {
        let mut builder = reqwest::Client::builder()
            .dns_resolver(Arc::new(PolicyResolver { access, lookups: lookups.clone() }))
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(PER_HOST_IN_FLIGHT)
            // A site's connections are useless once its crawl is done; in a batch of thousands of sites,
            // idle connections kept for the default 90 s hold memory (tens of KB each) and file
            // descriptors by the thousand. Long enough to be reused between two polite requests.
            .pool_idle_timeout((config.delay * 2).clamp(Duration::from_secs(2), Duration::from_secs(30)));
        // `--resolve` entries are the user's own choice of address and bypass the address rule.
        for entry in lookups.overrides() {
            builder = builder.resolve(&entry.host, entry.address);
        }
        builder.build().map_err(|e| FetchError::new("client", format!("cannot build the HTTP client: {e}")))
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// The run's name lookups.
    pub fn lookups(&self) -> &Arc<Lookups> {
        &self.lookups
    }

    /// Whether a site's start address answers at all: its name resolves and one of the addresses its
    /// access allows accepts a connection. A host that does not is remembered as unreachable for the
    /// run. `None` when it answers, or when the crawl itself must say why not (an address the rule
    /// refuses).
    pub async fn unreachable(&self, url: &Url, access: Access) -> Option<FetchError> {
        let host = url.host_str()?;
        let addresses = self.lookups.of(host).await;
        let error = if addresses.is_empty() {
            FetchError::new("dns", format!("{host}: the name does not resolve"))
        } else {
            let allowed: Vec<std::net::IpAddr> = addresses.into_iter().filter(|ip| access.allows(*ip)).collect();
            if allowed.is_empty() {
                return None;
            }
            let port = url.port_or_known_default().unwrap_or(80);
            let wait = self.config.timeout.min(PROBE_TIMEOUT);
            // What the last address said: refused at once, or silent.
            let mut why = format!("no connection within {} s", wait.as_secs());
            for ip in &allowed {
                let connect = tokio::net::TcpStream::connect(std::net::SocketAddr::new(*ip, port));
                match tokio::time::timeout(wait, connect).await {
                    Ok(Ok(_)) => return None,
                    Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                        why = "connection refused".into()
                    }
                    Ok(Err(e)) => why = e.to_string(),
                    Err(_) => {}
                }
            }
            FetchError::new("connect", format!("{host}:{port}: {why}"))
        };
        self.unreachable.lock().unwrap_or_else(|e| e.into_inner()).insert(host_key(url), error.clone());
        Some(error)
    }

    fn host(&self, url: &Url) -> Arc<HostState> {
        let key = host_key(url);
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(HostState {
                    permits: Semaphore::new(PER_HOST_IN_FLIGHT),
                    next_slot: tokio::sync::Mutex::new(Instant::now()),
                    delay: Mutex::new(self.config.delay),
                })
            })
            .clone()
    }

    /// Raises the gap between requests to `url`'s host (robots.txt `Crawl-delay`).
    pub fn set_min_delay(&self, url: &Url, delay: Duration) {
        let host = self.host(url);
        let mut current = host.delay.lock().unwrap_or_else(|e| e.into_inner());
        if delay > *current {
            *current = delay;
        }
    }

    /// GET with redirects. `scope` (a site key) limits where redirects may go; `access` which
    /// addresses may be connected to, at every hop.
    pub async fn get(&self, url: &Url, want: Want, scope: Option<&str>, access: Access) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        let mut visited: Vec<Url> = vec![current.clone()];
        for _ in 0..=MAX_REDIRECTS {
            let response = self.request_with_retries(&current, access).await.map_err(|mut e| {
                e.final_url = Some(current.to_string());
                e
            })?;
            let status = response.status();
            if status.is_redirection() {
                let Some(location) = response.headers().get(LOCATION).and_then(|l| l.to_str().ok()) else {
                    return Err(FetchError {
                        status: Some(status.as_u16()),
                        final_url: Some(current.to_string()),
                        ..FetchError::new("http_status", format!("HTTP {status} without a Location header"))
                    });
                };
                let next =
                    current.join(location).ok().and_then(|u| crate::net::scope::normalise(&u)).ok_or_else(|| {
                        FetchError::new("redirect", format!("redirect to an unusable address: {location}"))
                    })?;
                if visited.contains(&next) {
                    let chain: Vec<String> = visited.iter().map(Url::to_string).collect();
                    return Err(FetchError {
                        final_url: Some(current.to_string()),
                        ..FetchError::new("redirect_loop", format!("redirect loop: {} → {next}", chain.join(" → ")))
                    });
                }
                if let Some(key) = scope {
                    if !crate::net::scope::in_scope(key, &next) {
                        return Err(FetchError {
                            final_url: Some(current.to_string()),
                            ..FetchError::new("redirect_out_of_scope", format!("redirects to another site: {next}"))
                        });
                    }
                }
                visited.push(next.clone());
                current = next;
                continue;
            }
            let content_type = header_text(response.headers(), CONTENT_TYPE.as_str());
            if !status.is_success() {
                return Err(FetchError {
                    status: Some(status.as_u16()),
                    final_url: Some(current.to_string()),
                    ..FetchError::new("http_status", format!("HTTP {status}"))
                });
            }
            if want == Want::Html && !is_html_type(content_type.as_deref()) {
                return Err(FetchError {
                    status: Some(status.as_u16()),
                    final_url: Some(current.to_string()),
                    ..FetchError::new("not_html", format!("not an HTML page ({})", content_type.unwrap_or_default()))
                });
            }
            let charset = content_type.as_deref().and_then(charset_parameter);
            let body = self.read_body(response, want).await.map_err(|mut e| {
                e.final_url = Some(current.to_string());
                e.status = Some(status.as_u16());
                e
            })?;
            return Ok(Fetched { final_url: current, status: status.as_u16(), content_type, charset, body });
        }
        let chain: Vec<String> = visited.iter().map(Url::to_string).collect();
        Err(FetchError {
            final_url: Some(current.to_string()),
            ..FetchError::new(
                "too_many_redirects",
                format!("more than {MAX_REDIRECTS} redirects: {}", chain.join(" → ")),
            )
        })
    }

    /// One request (no redirects followed), retried on timeouts, connection failures, 5xx and 429.
    async fn request_with_retries(&self, url: &Url, access: Access) -> Result<reqwest::Response, FetchError> {
        // Addresses written in the URL reach no resolver: the rule is applied here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        let overridden = self.lookups.overrides().iter().any(|r| url.host_str().is_some_and(|u| u == r.host));
        if let Some(ip) = literal.filter(|ip| !overridden && !access.allows(*ip)) {
            let refused = RefusedAddress { host: ip.to_string(), ip };
            return Err(FetchError::new("private_address", refused.to_string()));
        }
        let key = host_key(url);
        // The host already failed in this run: the same failure, without asking again.
        if let Some(earlier) = self.unreachable.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Err(earlier.clone());
        }
        let outcome = self.request_with_retries_inner(url, access).await;
        match &outcome {
            Err(e) if matches!(e.kind, "dns" | "connect") => {
                self.unreachable.lock().unwrap_or_else(|e| e.into_inner()).insert(key, e.clone());
            }
            Err(e) if e.kind == "timeout" => {
                let mut timeouts = self.timeouts.lock().unwrap_or_else(|e| e.into_inner());
                let count = timeouts.entry(key.clone()).or_default();
                *count += 1;
                if *count >= TIMEOUTS_BEFORE_GIVING_UP {
                    let given_up = FetchError {
                        message: format!("{} ({count} requests in a row timed out; the host is given up)", e.message),
                        ..e.clone()
                    };
                    self.unreachable.lock().unwrap_or_else(|e| e.into_inner()).insert(key, given_up);
                }
            }
            Ok(_) => {
                self.timeouts.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
            }
            Err(_) => {}
        }
        outcome
    }

    async fn request_with_retries_inner(&self, url: &Url, access: Access) -> Result<reqwest::Response, FetchError> {
        let mut attempt = 0;
        loop {
            let outcome = self.polite_request(url, access).await;
            let retry_after = match &outcome {
                Ok(response) if response.status().as_u16() == 429 || response.status().is_server_error() => {
                    Some(retry_after(response.headers()))
                }
                Ok(_) => None,
                Err(e) if matches!(e.kind, "timeout" | "connect") => Some(None),
                Err(_) => None,
            };
            let Some(server_wait) = retry_after else { return outcome };
            if attempt >= self.config.retries {
                return outcome;
            }
            let backoff = self.config.retry_base * 2u32.pow(attempt);
            let wait = match server_wait {
                Some(w) if w > self.config.max_retry_after => return outcome,
                Some(w) => w.max(backoff),
                None => backoff,
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = crate::interrupt::stopped() => return Err(interrupted()),
            }
            attempt += 1;
        }
    }

    async fn polite_request(&self, url: &Url, access: Access) -> Result<reqwest::Response, FetchError> {
        let host = self.host(url);
        let _host_permit =
            host.permits.acquire().await.map_err(|_| FetchError::new("internal", "host limiter closed"))?;
        {
            let delay = *host.delay.lock().unwrap_or_else(|e| e.into_inner());
            let mut next = host.next_slot.lock().await;
            let now = Instant::now();
            if *next > now {
                tokio::select! {
                    () = tokio::time::sleep_until(*next) => {}
                    () = crate::interrupt::stopped() => return Err(interrupted()),
                }
            }
            *next = Instant::now() + delay;
        }
        let _global = self.global.acquire().await.map_err(|_| FetchError::new("internal", "limiter closed"))?;
        let client = match access {
            Access::Public => &self.public,
            Access::Private => &self.private,
        };
        let mut request = client.get(url.clone());
        if let Some((user, password)) = self.credentials.lock().unwrap_or_else(|e| e.into_inner()).get(&host_key(url)) {
            request = request.basic_auth(user, password.as_ref());
        }
        request.send().await.map_err(classify)
    }

    async fn read_body(&self, mut response: reqwest::Response, want: Want) -> Result<Vec<u8>, FetchError> {
        let (cap, truncate) = match want {
            Want::Prefix(bytes) => (bytes, true),
            Want::Html | Want::Any => (self.config.max_body_bytes, false),
        };
        if !truncate && response.content_length().is_some_and(|len| len as usize > cap) {
            return Err(FetchError::new("too_large", format!("body larger than the {cap}-byte cap")));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > cap {
                if truncate {
                    body.extend_from_slice(&chunk[..cap - body.len()]);
                    break;
                }
                return Err(FetchError::new("too_large", format!("body larger than the {cap}-byte cap")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// Politeness and reachability are tracked per host and port.
fn host_key(url: &Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or(0))
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn charset_parameter(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

fn classify(error: reqwest::Error) -> FetchError {
    use std::error::Error as _;
    if let Some(refused) = crate::net::address::refusal_in(&error) {
        return FetchError::new("private_address", refused.to_string());
    }
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    let lower = chain.to_ascii_lowercase();
    let kind = if error.is_timeout() || lower.contains("timed out") {
        "timeout"
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        "dns"
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        "tls"
    } else if error.is_connect() {
        "connect"
    } else if error.is_body() || error.is_decode() {
        "body"
    } else {
        "request"
    };
    FetchError::new(kind, chain)
}

/// A request not made because the run was stopped while it waited its turn.
fn interrupted() -> FetchError {
    FetchError::new(INTERRUPTED, "the run was stopped before this page's turn came")
}

/// The error kind of [`interrupted`]: such a page is left out of the report, as one never reached.
pub const INTERRUPTED: &str = "interrupted";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_parameters() {
        assert_eq!(charset_parameter("text/html; charset=GBK"), Some("GBK".into()));
        assert_eq!(charset_parameter("text/html;charset=\"gb2312\""), Some("gb2312".into()));
        assert_eq!(charset_parameter("text/html"), None);
        assert!(is_html_type(Some("text/html; charset=utf-8")));
        assert!(is_html_type(None));
        assert!(!is_html_type(Some("application/pdf")));
    }
}
