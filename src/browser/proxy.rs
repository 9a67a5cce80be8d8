//! The browser's only way out: a loopback HTTP proxy inside eldercheck. Chromium is started so that
//! it resolves no name itself (`--host-resolver-rules`) and sends every connection through a proxy
//! (loopback included), so whatever in a page opens a connection — markup, scripts, workers,
//! service workers, `<link rel=preconnect>`, a navigation, a form — reaches a host only through
//! here: the name is looked up once with the run's lookups, the address rule is applied to the
//! address that will be connected to (nothing can rebind between the check and the connect), and
//! only then is a connection made. Each access level has its own port, and a third port refuses
//! everything (the browser's own background requests, which belong to no page).

use crate::net::address::{Access, RefusedAddress};
use crate::net::lookups::Lookups;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Largest request head read from the browser.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Connections handled at once (each is one request or one tunnel).
const MAX_CONNECTIONS: usize = 512;
/// How long the browser may take to send a request head, and a connection to a host to open.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest one proxied exchange may last (a page's deadline is far shorter).
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(600);

/// What a port lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Allow(Access),
    DenyAll,
}

/// The proxy of one browser: its ports, serving until dropped.
pub struct Proxy {
    pub public_port: u16,
    pub private_port: u16,
    pub deny_port: u16,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Proxy {
    /// Listens on three loopback ports.
    pub async fn start(lookups: Arc<Lookups>) -> std::io::Result<Proxy> {
        let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let mut ports = Vec::new();
        let mut tasks = Vec::new();
        for rule in [Rule::Allow(Access::Public), Rule::Allow(Access::Private), Rule::DenyAll] {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
            ports.push(listener.local_addr()?.port());
            let (lookups, limit) = (lookups.clone(), limit.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let Ok((client, _)) = listener.accept().await else { continue };
                    let Ok(permit) = limit.clone().acquire_owned().await else { return };
                    let lookups = lookups.clone();
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(EXCHANGE_TIMEOUT, serve(client, rule, &lookups)).await;
                        drop(permit);
                    });
                }
            }));
        }
        Ok(Proxy { public_port: ports[0], private_port: ports[1], deny_port: ports[2], tasks })
    }

    /// The port for pages of this access.
    pub fn port_for(&self, access: Access) -> u16 {
        match access {
            Access::Public => self.public_port,
            Access::Private => self.private_port,
        }
    }
}

/// A request as the browser sent it to the proxy.
struct Head {
    /// `CONNECT host:port` (a tunnel), else a request for an absolute `http://` URL.
    tunnel: bool,
    host: String,
    port: u16,
    /// The request rewritten for the host (origin-form target, no proxy headers, one request per
    /// connection), and the bytes of its body already read.
    upstream: Vec<u8>,
}

async fn serve(mut client: TcpStream, rule: Rule, lookups: &Lookups) {
    let Ok(Ok(head)) = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut client)).await else {
        let _ = client.write_all(&refusal(400, "unreadable request")).await;
        return;
    };
    let Rule::Allow(access) = rule else {
        let _ = client.write_all(&refusal(403, "the browser's own requests are not made")).await;
        return;
    };
    let addresses = addresses(&head.host, lookups).await;
    let allowed: Vec<IpAddr> = addresses.iter().copied().filter(|ip| access.allows(*ip)).collect();
    if allowed.is_empty() {
        let why = match addresses.first() {
            Some(ip) => RefusedAddress { host: head.host.clone(), ip: *ip }.to_string(),
            None => format!("{} does not resolve", head.host),
        };
        let _ = client.write_all(&refusal(403, &why)).await;
        return;
    }
    let Some(mut upstream) = connect(&allowed, head.port).await else {
        let _ = client.write_all(&refusal(502, "the host could not be reached")).await;
        return;
    };
    if head.tunnel {
        if client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await.is_err() {
            return;
        }
    } else if upstream.write_all(&head.upstream).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// The addresses of a host as the run connects to it (IP literals as they are).
async fn addresses(host: &str, lookups: &Lookups) -> Vec<IpAddr> {
    let bare = host.trim_matches(['[', ']']);
    match bare.parse::<IpAddr>() {
        Ok(ip) => lookups.known(bare).unwrap_or_else(|| vec![ip]),
        Err(_) => lookups.of(bare).await,
    }
}

async fn connect(addresses: &[IpAddr], port: u16) -> Option<TcpStream> {
    for ip in addresses {
        let attempt = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(SocketAddr::new(*ip, port))).await;
        if let Ok(Ok(stream)) = attempt {
            return Some(stream);
        }
    }
    None
}

fn refusal(status: u16, why: &str) -> Vec<u8> {
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        _ => "Bad Gateway",
    };
    let body = format!("eldercheck: {why}\n");
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads and rewrites a request head (bounded).
async fn read_head(client: &mut TcpStream) -> Result<Head, String> {
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = client.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("closed".into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(head) = parse_head(&buffer)? {
            return Ok(head);
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return Err("request head too large".into());
        }
    }
}

/// The request in `buffer`, once its head is complete.
fn parse_head(buffer: &[u8]) -> Result<Option<Head>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut request = httparse::Request::new(&mut headers);
    let length = match request.parse(buffer).map_err(|e| e.to_string())? {
        httparse::Status::Complete(length) => length,
        httparse::Status::Partial => return Ok(None),
    };
    let method = request.method.ok_or("no method")?;
    let target = request.path.ok_or("no target")?;
    if method.eq_ignore_ascii_case("CONNECT") {
        let (host, port) = split_authority(target, 443)?;
        return Ok(Some(Head { tunnel: true, host, port, upstream: Vec::new() }));
    }
    let url = url::Url::parse(target).map_err(|e| format!("{target:?}: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!("{}: only http:// goes through without a tunnel", url.scheme()));
    }
    let host = url.host_str().ok_or("no host")?.to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let mut origin_form = url.path().to_string();
    if let Some(query) = url.query() {
        origin_form.push('?');
        origin_form.push_str(query);
    }
    let mut upstream = format!("{method} {origin_form} HTTP/1.1\r\n").into_bytes();
    for header in request.headers.iter() {
        let name = header.name.to_ascii_lowercase();
        if name.starts_with("proxy-") || name == "connection" || name == "keep-alive" {
            continue;
        }
        upstream.extend_from_slice(header.name.as_bytes());
        upstream.extend_from_slice(b": ");
        upstream.extend_from_slice(header.value);
        upstream.extend_from_slice(b"\r\n");
    }
    // One request per connection: the next request of the browser may be for another host.
    upstream.extend_from_slice(b"Connection: close\r\n\r\n");
    upstream.extend_from_slice(&buffer[length..]);
    Ok(Some(Head { tunnel: false, host, port, upstream }))
}

/// `host:port` (IPv6 in brackets).
fn split_authority(authority: &str, default_port: u16) -> Result<(String, u16), String> {
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            (host, port.parse().map_err(|_| format!("bad port in {authority:?}"))?)
        }
        _ => (authority, default_port),
    };
    if host.is_empty() {
        return Err(format!("no host in {authority:?}"));
    }
    Ok((host.trim_matches(['[', ']']).to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_rewritten_for_the_host_one_per_connection() {
        let raw = b"GET http://www.example.gov.cn:8080/a?b=1 HTTP/1.1\r\nHost: www.example.gov.cn:8080\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive\r\n\r\nbody";
        let head = parse_head(raw).expect("parses").expect("complete");
        assert!(!head.tunnel);
        assert_eq!((head.host.as_str(), head.port), ("www.example.gov.cn", 8080));
        let text = String::from_utf8(head.upstream).expect("text");
        assert!(text.starts_with("GET /a?b=1 HTTP/1.1\r\n"), "{text}");
        assert!(!text.to_ascii_lowercase().contains("proxy-connection") && text.contains("Connection: close"));
        assert!(text.ends_with("\r\n\r\nbody"));
        let tunnel = parse_head(b"CONNECT [::1]:443 HTTP/1.1\r\nHost: x\r\n\r\n").expect("parses").expect("complete");
        assert!(tunnel.tunnel && tunnel.host == "::1" && tunnel.port == 443);
        assert!(parse_head(b"GET http://a/ HTTP/1.1\r\nHost:").expect("partial").is_none());
        assert!(parse_head(b"GET ftp://a/ HTTP/1.1\r\n\r\n").is_err());
    }

    #[tokio::test]
    async fn the_proxy_connects_only_where_the_address_rule_allows() {
        // A canary on loopback: a public page's request for it must never connect.
        let canary = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let canary_port = canary.local_addr().expect("addr").port();
        let touched = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = touched.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = canary.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
            }
        });
        let proxy = Proxy::start(Arc::new(Lookups::default())).await.expect("proxy");
        let ask = |port: u16, request: String| async move {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
            stream.write_all(request.as_bytes()).await.expect("write");
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
            String::from_utf8_lossy(&answer).into_owned()
        };
        let get = format!("GET http://127.0.0.1:{canary_port}/ HTTP/1.1\r\nHost: x\r\n\r\n");
        let connect = format!("CONNECT localhost:{canary_port} HTTP/1.1\r\nHost: x\r\n\r\n");
        for (port, request) in [
            (proxy.public_port, get.clone()),
            (proxy.public_port, connect.clone()),
            (proxy.deny_port, get.clone()),
            (proxy.private_port, "GET http://169.254.169.254/latest/ HTTP/1.1\r\nHost: x\r\n\r\n".to_string()),
        ] {
            let answer = ask(port, request).await;
            assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        }
        assert_eq!(touched.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing reached the canary");
        let answer = ask(proxy.private_port, get).await;
        assert!(answer.ends_with("ok"), "a private site's page may reach loopback: {answer}");
        assert_eq!(touched.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
