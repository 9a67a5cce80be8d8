//! Stylesheets fetched over HTTP for the analysis stage, shared between pages through a cache
//! bounded in bytes and entries (least recently used out first). Bodies are shared, never copied,
//! and a stylesheet that several pages need at once is fetched once.

use super::fetch::{Fetcher, Want};
use crate::net::address::Access;
use crate::net::scope;
use eldercheck_checks::page::{LoadError, StylesheetLoader};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::time::Instant;
use url::Url;

/// Bytes of stylesheet bodies kept for reuse.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;
/// Stylesheets (and remembered failures) kept at most.
pub const CACHE_ENTRIES: usize = 2048;

struct Entry {
    result: Result<Arc<[u8]>, String>,
    last_used: u64,
}

/// A stylesheet as fetched for sites of one access level: what a private-network site could fetch
/// is never handed to a public one.
type Key = (Access, Url);

#[derive(Default)]
struct Cache {
    entries: HashMap<Key, Entry>,
    bytes: usize,
    clock: u64,
}

impl Cache {
    fn get(&mut self, key: &Key) -> Option<Result<Arc<[u8]>, String>> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|entry| {
            entry.last_used = clock;
            entry.result.clone()
        })
    }

    fn insert(&mut self, key: Key, result: Result<Arc<[u8]>, String>, max_bytes: usize, max_entries: usize) {
        let size = result.as_ref().map_or(0, |b| b.len());
        if size > max_bytes {
            return;
        }
        self.clock += 1;
        if let Some(old) = self.entries.insert(key, Entry { result, last_used: self.clock }) {
            self.bytes -= old.result.as_ref().map_or(0, |b| b.len());
        }
        self.bytes += size;
        while self.bytes > max_bytes || self.entries.len() > max_entries {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, e)| e.last_used).map(|(u, _)| u.clone()) else {
                break;
            };
            if let Some(evicted) = self.entries.remove(&oldest) {
                self.bytes -= evicted.result.as_ref().map_or(0, |b| b.len());
            }
        }
    }
}

type Fetching = Arc<OnceLock<Result<Arc<[u8]>, String>>>;

/// Loads stylesheets over HTTP. Called from the analysis threads, which block on the async fetch.
pub struct HttpStylesheets {
    fetcher: Arc<Fetcher>,
    runtime: tokio::runtime::Handle,
    cache: Mutex<Cache>,
    /// Fetches under way, at most one per analysis thread: others wanting the same URL wait for it.
    fetching: Mutex<HashMap<Key, Fetching>>,
    max_bytes: usize,
    max_entries: usize,
}

impl HttpStylesheets {
    pub fn new(fetcher: Arc<Fetcher>, runtime: tokio::runtime::Handle) -> Self {
        HttpStylesheets::with_limits(fetcher, runtime, CACHE_BYTES, CACHE_ENTRIES)
    }

    pub fn with_limits(
        fetcher: Arc<Fetcher>,
        runtime: tokio::runtime::Handle,
        max_bytes: usize,
        max_entries: usize,
    ) -> Self {
        HttpStylesheets {
            fetcher,
            runtime,
            cache: Mutex::new(Cache::default()),
            fetching: Mutex::new(HashMap::new()),
            max_bytes,
            max_entries,
        }
    }

    /// The loader for a site's pages: the shared cache, fetching under the site's address rule
    /// until the site's deadline (after it, sheets not cached are not loaded: the pages already
    /// fetched are checked with what they have, and say so).
    pub fn for_site(self: &Arc<Self>, access: Access, deadline: Option<Instant>) -> Arc<dyn StylesheetLoader> {
        Arc::new(SiteStylesheets { shared: self.clone(), access, deadline })
    }

    fn load(&self, url: &Url, access: Access, deadline: Option<Instant>) -> Result<Arc<[u8]>, LoadError> {
        let Some(url) = scope::normalise(url) else {
            return Err(LoadError::NotAllowed(format!("{url}: not an http(s) stylesheet")));
        };
        let key = (access, url);
        if let Some(cached) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return cached.map_err(LoadError::Other);
        }
        let past_deadline = || {
            LoadError::Other(format!(
                "{}: not loaded, the site's crawl reached its time limit (--site-timeout-s)",
                key.1
            ))
        };
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(past_deadline());
        }
        let fetching = self.fetching.lock().unwrap_or_else(|e| e.into_inner()).entry(key.clone()).or_default().clone();
        let url = &key.1;
        let result = fetching
            .get_or_init(|| {
                let fetch = self.fetcher.get(url, Want::Any, None, access);
                let fetched = match deadline {
                    // The timer is made inside the runtime: it needs its reactor.
                    Some(deadline) => self.runtime.block_on(async { tokio::time::timeout_at(deadline, fetch).await }),
                    None => Ok(self.runtime.block_on(fetch)),
                };
                // A sheet cut off by one site's deadline is not a failure of the sheet: not cached.
                let Ok(fetched) = fetched else { return Err(DEADLINE.to_string()) };
                let result = fetched.map(|f| Arc::<[u8]>::from(f.body)).map_err(|e| format!("{url}: {e}"));
                self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(
                    key.clone(),
                    result.clone(),
                    self.max_bytes,
                    self.max_entries,
                );
                result
            })
            .clone();
        self.fetching.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        match result {
            Err(e) if e == DEADLINE => Err(past_deadline()),
            result => result.map_err(LoadError::Other),
        }
    }
}

/// What a fetch cut off by the site's deadline hands to those waiting for the same sheet.
const DEADLINE: &str = "site deadline";

/// [`HttpStylesheets`] as one site sees it.
struct SiteStylesheets {
    shared: Arc<HttpStylesheets>,
    access: Access,
    deadline: Option<Instant>,
}

impl StylesheetLoader for SiteStylesheets {
    fn load(&self, url: &Url) -> Result<Arc<[u8]>, LoadError> {
        self.shared.load(url, self.access, self.deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(n: usize) -> Key {
        (Access::Public, Url::parse(&format!("https://a.cn/{n}.css")).expect("url"))
    }

    #[test]
    fn the_cache_stays_within_its_byte_and_entry_limits() {
        let mut cache = Cache::default();
        for n in 0..100 {
            cache.insert(url(n), Ok(Arc::from(vec![b'x'; 1000])), 10_000, 50);
            assert!(cache.bytes <= 10_000 && cache.entries.len() <= 50);
        }
        assert!(cache.get(&url(99)).is_some(), "the newest stays");
        assert!(cache.get(&url(0)).is_none(), "the oldest went first");
        cache.insert(url(1000), Ok(Arc::from(vec![b'x'; 20_000])), 10_000, 50);
        assert!(cache.get(&url(1000)).is_none(), "a body larger than the cache is not kept");
        for n in 0..100 {
            cache.insert(url(2000 + n), Err("gone".into()), 10_000, 50);
        }
        assert!(cache.entries.len() <= 50, "failures count against the entry limit");
    }

    #[test]
    fn recently_used_entries_survive() {
        let mut cache = Cache::default();
        cache.insert(url(0), Ok(Arc::from(vec![b'x'; 100])), 300, 10);
        cache.insert(url(1), Ok(Arc::from(vec![b'x'; 100])), 300, 10);
        cache.insert(url(2), Ok(Arc::from(vec![b'x'; 100])), 300, 10);
        assert!(cache.get(&url(0)).is_some());
        cache.insert(url(3), Ok(Arc::from(vec![b'x'; 100])), 300, 10);
        assert!(cache.get(&url(0)).is_some(), "used just now");
        assert!(cache.get(&url(1)).is_none(), "least recently used");
    }
}
