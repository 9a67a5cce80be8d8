//! The crawler: polite, complete whole-site crawls. It fetches pages and hands them on; it never
//! judges them, and it learns a page's links from the analysis stage as soon as the page is parsed.

pub mod fetch;
pub mod robots;
pub mod sitemap;
pub mod stylesheets;

use super::{Body, LoadFailure, PageParts, Referrer, SiteFeed};
use crate::net::address::Access;
use crate::net::scope;
use crate::progress::ProgressReporter;
use eldercheck_checks::page::{Link, StylesheetLoader};
use fetch::{FetchError, Fetcher, Want};
use robots::Robots;
use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use stylesheets::HttpStylesheets;
use tokio::task::JoinSet;
use url::Url;

/// The product token matched against robots.txt groups.
pub const ROBOTS_AGENT: &str = "eldercheck";
/// Sitemaps read per site at most (index children included).
const MAX_SITEMAPS: usize = 20;
/// Bytes of robots.txt read; the rest is ignored, as RFC 9309 allows (it asks for at least 500 KiB).
const ROBOTS_BYTES: usize = 500 * 1024;

/// What to crawl and how.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    pub max_pages: usize,
    pub max_depth: u32,
    pub respect_robots: bool,
    pub include: Vec<regex::Regex>,
    pub exclude: Vec<regex::Regex>,
    pub fetch: fetch::FetchConfig,
    /// A site's crawl stops requesting pages after this long; pages whose fetch is still under way
    /// then end as `site_timeout` errors, and the ones not requested are counted as skipped.
    pub site_timeout: std::time::Duration,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            max_pages: crate::options::DEFAULT_MAX_PAGES,
            max_depth: crate::options::DEFAULT_MAX_DEPTH,
            respect_robots: true,
            include: Vec::new(),
            exclude: Vec::new(),
            fetch: fetch::FetchConfig::default(),
            site_timeout: std::time::Duration::from_secs(crate::options::DEFAULT_SITE_TIMEOUT_S),
        }
    }
}

/// A URL waiting in a site's frontier.
#[derive(Debug, Clone)]
struct Queued {
    url: Url,
    depth: u32,
    referrer: Option<Referrer>,
}

/// Per-site frontier: breadth-first by depth, de-duplicated, and bounded: it never queues more URLs
/// than the page limit leaves room for, and remembers at most `seen_cap` URLs (as hashes).
struct Frontier {
    site_key: String,
    queue: VecDeque<Queued>,
    seen: HashSet<u64>,
    seen_cap: usize,
    hasher: RandomState,
    max_depth: u32,
    max_pages: usize,
    include: Vec<regex::Regex>,
    exclude: Vec<regex::Regex>,
    /// In-scope URLs found but not queued because of the page limit.
    overflow: usize,
}

impl Frontier {
    fn new(site_key: String, options: &CrawlOptions) -> Frontier {
        Frontier {
            site_key,
            queue: VecDeque::new(),
            seen: HashSet::new(),
            seen_cap: options.max_pages.saturating_mul(4).saturating_add(10_000),
            hasher: RandomState::new(),
            max_depth: options.max_depth,
            max_pages: options.max_pages,
            include: options.include.clone(),
            exclude: options.exclude.clone(),
            overflow: 0,
        }
    }

    fn wanted(&self, url: &Url) -> bool {
        let text = url.as_str();
        scope::in_scope(&self.site_key, url)
            && !scope::looks_like_non_html(url)
            && (self.include.is_empty() || self.include.iter().any(|r| r.is_match(text)))
            && !self.exclude.iter().any(|r| r.is_match(text))
    }

    /// Marks a URL as seen; false if it was seen before.
    fn first_sight(&mut self, url: &Url) -> bool {
        let hash = self.hasher.hash_one(url.as_str());
        if self.seen.contains(&hash) {
            return false;
        }
        if self.seen.len() < self.seen_cap {
            self.seen.insert(hash);
        }
        true
    }

    /// Adds a URL; returns whether it was queued. `requested` is how many pages the site has requested.
    fn offer(&mut self, url: &Url, depth: u32, referrer: Option<Referrer>, requested: usize) -> bool {
        let Some(url) = scope::normalise(url) else { return false };
        if depth > self.max_depth || !self.wanted(&url) || !self.first_sight(&url) {
            return false;
        }
        if requested + self.queue.len() >= self.max_pages {
            self.overflow += 1;
            return false;
        }
        self.queue.push_back(Queued { url, depth, referrer });
        true
    }
}

/// Crawls sites: one fetcher (politeness across all sites) and one stylesheet cache for the run.
pub struct Crawler {
    fetcher: Arc<Fetcher>,
    stylesheets: Arc<HttpStylesheets>,
    options: Arc<CrawlOptions>,
    /// Start addresses probed at once (a probe is one lookup and one connection attempt).
    probes: tokio::sync::Semaphore,
}

/// Sites whose start address is probed at once: enough that a batch with thousands of dead sites
/// is told so in minutes (a probe waits at most 10 s), few enough for the machine's sockets.
const PROBES_AT_ONCE: usize = 128;

/// What a page task hands back to the site's crawl loop.
struct Fetched {
    depth: u32,
    /// The page's URL after redirects, or `None` when it repeated a page already handed on.
    final_url: Option<String>,
    links: Vec<Link>,
}

impl Crawler {
    /// Needs a tokio runtime: stylesheets are fetched on it from the analysis threads.
    pub fn new(
        options: CrawlOptions,
        lookups: Arc<crate::net::lookups::Lookups>,
        runtime: tokio::runtime::Handle,
    ) -> Result<Crawler, FetchError> {
        let fetcher = Arc::new(Fetcher::new(options.fetch.clone(), lookups)?);
        let stylesheets = Arc::new(HttpStylesheets::new(fetcher.clone(), runtime));
        Ok(Crawler {
            fetcher,
            stylesheets,
            options: Arc::new(options),
            probes: tokio::sync::Semaphore::new(PROBES_AT_ONCE),
        })
    }

    /// Whether a site can be crawled at all (its start address answers), asked before the site takes
    /// one of the crawl's slots: in a batch of thousands of sites with many down, a dead site costs
    /// one lookup and one connection attempt, not a slot held through a robots.txt and its retries.
    /// A site that does not answer is handed on as its home page's failure and finished.
    pub async fn crawl_if_reachable(
        &self,
        start_text: &str,
        feed: SiteFeed,
        progress: Arc<ProgressReporter>,
        crawl_slots: Arc<tokio::sync::Semaphore>,
    ) {
        let start = Url::parse(start_text.trim()).ok().and_then(|u| scope::normalise(&u));
        if let Some(start) = start {
            let host = start.host_str().unwrap_or_default();
            let access = Access::for_start(&self.fetcher.lookups().of(host).await);
            let unreachable = {
                let Ok(_probe) = self.probes.acquire().await else { return };
                self.fetcher.unreachable(&start, access).await
            };
            if let Some(error) = unreachable {
                let loader = self.stylesheets.for_site(access, None);
                progress.add_queued(1);
                let shown = scope::redact(start.as_str()).into_owned();
                let failure = LoadFailure::new(error.kind, scope::redact(&error.message).into_owned());
                feed.page(PageParts::failed(shown.clone(), shown.clone(), 0, failure), loader, false).await;
                feed.finish(Some(shown), 0).await;
                return;
            }
        }
        let Ok(_slot) = crawl_slots.acquire_owned().await else { return };
        // A site whose turn came after the run was interrupted is not started.
        if crate::interrupt::requested().is_some() {
            feed.finish(None, 0).await;
            return;
        }
        self.crawl_site(start_text, feed, progress).await;
    }

    /// Crawls one site, handing every page on to `feed`, then reports the site complete.
    pub async fn crawl_site(&self, start_text: &str, feed: SiteFeed, progress: Arc<ProgressReporter>) {
        let parsed = Url::parse(start_text.trim()).ok().map(|mut u| {
            self.fetcher.take_credentials(&mut u);
            u
        });
        let Some(start) = parsed.and_then(|u| scope::normalise(&u)) else {
            let loader: Arc<dyn StylesheetLoader> = self.stylesheets.for_site(Access::Public, None);
            let failure = LoadFailure::new("invalid_url", format!("{start_text:?} is not an http(s) URL"));
            progress.add_queued(1);
            let given = scope::redact(start_text).into_owned();
            feed.page(PageParts::failed(given.clone(), given, 0, failure), loader, false).await;
            feed.finish(None, 0).await;
            return;
        };
        let options = &self.options;
        let deadline = tokio::time::Instant::now() + options.site_timeout;
        // A site the user asked for on a private network may reach private addresses; no other may.
        let host = start.host_str().unwrap_or_default();
        let access = Access::for_start(&self.fetcher.lookups().of(host).await);
        feed.set_access(access);
        let loader = self.stylesheets.for_site(access, Some(deadline));
        let site_key = scope::site_key(&start);
        // A robots.txt still loading at the deadline allows all: the home page then ends as site_timeout.
        let robots = if options.respect_robots {
            tokio::time::timeout_at(deadline, load_robots(&self.fetcher, &start, access))
                .await
                .unwrap_or_else(|_| Robots::allow_all())
        } else {
            Robots::allow_all()
        };
        if let Some(delay) = robots.crawl_delay {
            self.fetcher.set_min_delay(&start, delay);
        }
        let mut frontier = Frontier::new(site_key.clone(), options);
        frontier.first_sight(&start);
        let site = SiteCrawl {
            feed,
            loader,
            handed_on: Arc::new(Mutex::new(HashSet::new())),
            key: site_key.clone(),
            access,
            deadline,
        };
        progress.add_queued(1);
        // The home page is fetched alone and first, so that it is the end of the start URL's redirect
        // chain whatever else the sitemap lists.
        let home = Queued { url: start.clone(), depth: 0, referrer: None };
        let home = self.page_task(robots.allows(&path_and_query(&start)), &site).run(home).await;
        let mut requested = 1usize;
        let before = frontier.queue.len();
        if options.max_depth >= 1 {
            let sitemaps = self.offer_sitemap_urls(&start, &robots, &site, &mut frontier, requested);
            let _ = tokio::time::timeout_at(deadline, sitemaps).await;
        }
        offer_links(&mut frontier, home, options.max_depth, requested);
        progress.add_queued(frontier.queue.len() - before);

        let mut in_flight: JoinSet<Fetched> = JoinSet::new();
        loop {
            // An interrupted run takes no page more; those in flight finish.
            while in_flight.len() < fetch::PER_HOST_IN_FLIGHT
                && requested < options.max_pages
                && tokio::time::Instant::now() < deadline
                && crate::interrupt::requested().is_none()
            {
                let Some(next) = frontier.queue.pop_front() else { break };
                requested += 1;
                let task = self.page_task(robots.allows(&path_and_query(&next.url)), &site);
                in_flight.spawn(task.run(next));
            }
            let Some(joined) = in_flight.join_next().await else { break };
            let fetched = match joined {
                Ok(fetched) => fetched,
                Err(e) => {
                    eprintln!("eldercheck: a page task failed unexpectedly: {e}");
                    continue;
                }
            };
            let before = frontier.queue.len();
            offer_links(&mut frontier, fetched, options.max_depth, requested);
            progress.add_queued(frontier.queue.len() - before);
        }
        let skipped = frontier.overflow + frontier.queue.len();
        site.feed.finish(Some(scope::redact(start.as_str()).into_owned()), skipped).await;
    }

    fn page_task(&self, robots_allows: bool, site: &SiteCrawl) -> PageTask {
        PageTask {
            fetcher: self.fetcher.clone(),
            robots_allows,
            feed: site.feed.clone(),
            loader: site.loader.clone(),
            handed_on: site.handed_on.clone(),
            site_key: site.key.clone(),
            access: site.access,
            deadline: site.deadline,
            site_timeout: self.options.site_timeout,
            max_depth: self.options.max_depth,
        }
    }

    /// Offers the page URLs of `/sitemap.xml`, the robots.txt `Sitemap:` lines and sitemap indexes
    /// (on this site only) at depth 1, one sitemap at a time.
    async fn offer_sitemap_urls(
        &self,
        start: &Url,
        robots: &Robots,
        site: &SiteCrawl,
        frontier: &mut Frontier,
        requested: usize,
    ) {
        let site_key = site.key.as_str();
        let mut queue: VecDeque<Url> = robots
            .sitemaps
            .iter()
            .filter_map(|s| start.join(s).ok())
            .filter(|u| scope::in_scope(site_key, u))
            .collect();
        if let Ok(default) = start.join("/sitemap.xml") {
            if !queue.contains(&default) {
                queue.push_back(default);
            }
        }
        let mut seen = HashSet::new();
        let cap = self.fetcher.config().max_body_bytes;
        while let Some(sitemap) = queue.pop_front() {
            if seen.len() >= MAX_SITEMAPS || !seen.insert(sitemap.clone()) {
                continue;
            }
            let Ok(fetched) = self.fetcher.get(&sitemap, Want::Any, Some(site_key), site.access).await else {
                continue;
            };
            let Ok(xml) = sitemap::maybe_gunzip(&fetched.body, cap * 4) else { continue };
            let parsed = sitemap::parse(&xml);
            for page in parsed.pages.iter().filter_map(|p| Url::parse(p).ok()) {
                frontier.offer(&page, 1, None, requested);
            }
            queue.extend(
                parsed.sitemaps.iter().filter_map(|s| Url::parse(s).ok()).filter(|u| scope::in_scope(site_key, u)),
            );
        }
    }
}

/// What every page task of one site shares.
struct SiteCrawl {
    feed: SiteFeed,
    loader: Arc<dyn StylesheetLoader>,
    /// Pages already handed on, by final URL: two URLs that redirect to one page are one page.
    handed_on: Arc<Mutex<HashSet<String>>>,
    key: String,
    access: Access,
    deadline: tokio::time::Instant,
}

/// Queues a fetched page's links one level deeper.
fn offer_links(frontier: &mut Frontier, fetched: Fetched, max_depth: u32, requested: usize) {
    let Some(page_url) = fetched.final_url else { return };
    if fetched.depth >= max_depth {
        return;
    }
    for link in fetched.links {
        let referrer = Referrer { url: page_url.clone(), text: link.text };
        frontier.offer(&link.url, fetched.depth + 1, Some(referrer), requested);
    }
}

/// One page of a crawl: fetch it (unless robots.txt forbids), hand it on, wait for its links.
struct PageTask {
    fetcher: Arc<Fetcher>,
    robots_allows: bool,
    feed: SiteFeed,
    loader: Arc<dyn StylesheetLoader>,
    handed_on: Arc<Mutex<HashSet<String>>>,
    site_key: String,
    access: Access,
    deadline: tokio::time::Instant,
    site_timeout: std::time::Duration,
    max_depth: u32,
}

impl PageTask {
    async fn run(self, next: Queued) -> Fetched {
        let requested = scope::redact(next.url.as_str()).into_owned();
        let is_home = next.depth == 0;
        let parts = |url: String, status, content| PageParts {
            url,
            requested_url: requested.clone(),
            status,
            depth: next.depth,
            referrer: next.referrer.clone(),
            is_home,
            site_root: None,
            content,
        };
        if !self.robots_allows {
            // Never requested: recorded so that the report says why the page is missing.
            let failure = LoadFailure::new("robots_denied", "robots.txt does not allow eldercheck to fetch this page");
            self.feed.page(parts(requested.clone(), None, Err(failure)), self.loader, false).await;
            return Fetched { depth: next.depth, final_url: None, links: Vec::new() };
        }
        let fetch = self.fetcher.get(&next.url, Want::Html, Some(&self.site_key), self.access);
        let fetched = tokio::time::timeout_at(self.deadline, fetch).await.unwrap_or_else(|_| {
            Err(FetchError {
                kind: "site_timeout",
                message: format!(
                    "the site's crawl reached its time limit ({} s, --site-timeout-s) before this page loaded",
                    self.site_timeout.as_secs()
                ),
                status: None,
                final_url: None,
            })
        });
        match fetched {
            Ok(f) => {
                let final_url = scope::redact(f.final_url.as_str()).into_owned();
                if !self.handed_on.lock().unwrap_or_else(|e| e.into_inner()).insert(final_url.clone()) {
                    return Fetched { depth: next.depth, final_url: None, links: Vec::new() };
                }
                let want_links = next.depth < self.max_depth;
                let content = Ok(Body::fetched(f.body, f.charset));
                let links =
                    self.feed.page(parts(final_url.clone(), Some(f.status), content), self.loader, want_links).await;
                Fetched { depth: next.depth, final_url: Some(final_url), links }
            }
            // Never requested: the site is reported incomplete, not this page as a failure.
            Err(e) if e.kind == fetch::INTERRUPTED => Fetched { depth: next.depth, final_url: None, links: Vec::new() },
            Err(e) => {
                let url = e.final_url.as_deref().map_or_else(|| requested.clone(), |u| scope::redact(u).into_owned());
                let failure = LoadFailure::new(e.kind, scope::redact(&e.message).into_owned());
                self.feed.page(parts(url, e.status, Err(failure)), self.loader, false).await;
                Fetched { depth: next.depth, final_url: None, links: Vec::new() }
            }
        }
    }
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// robots.txt: 2xx parsed (its first 500 KiB), 4xx or unreachable = allow all, 5xx (after
/// retries) = crawl nothing. Redirects may leave the site (RFC 9309), within the address rule.
async fn load_robots(fetcher: &Fetcher, start: &Url, access: Access) -> Robots {
    let Ok(robots_url) = start.join("/robots.txt") else { return Robots::allow_all() };
    match fetcher.get(&robots_url, Want::Prefix(ROBOTS_BYTES), None, access).await {
        Ok(f) => Robots::parse(&String::from_utf8_lossy(&f.body), ROBOTS_AGENT),
        Err(e) if e.kind == "http_status" && e.status.is_some_and(|s| s >= 500) => Robots::deny_all(),
        Err(_) => Robots::allow_all(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(max_pages: usize) -> CrawlOptions {
        CrawlOptions { max_pages, max_depth: 5, ..CrawlOptions::default() }
    }

    #[test]
    fn the_frontier_never_queues_more_than_the_page_limit_leaves_room_for() {
        let mut frontier = Frontier::new("a.cn".into(), &options(10));
        for n in 0..40_000 {
            let url = Url::parse(&format!("https://a.cn/day/{n}.html")).expect("url");
            frontier.offer(&url, 1, None, 3);
        }
        assert_eq!(frontier.queue.len(), 7, "10 pages, 3 already requested");
        assert_eq!(frontier.overflow, 40_000 - 7);
        assert!(frontier.seen.len() <= frontier.seen_cap, "the seen set is bounded too");
        let again = Url::parse("https://a.cn/day/5.html").expect("url");
        assert!(!frontier.offer(&again, 1, None, 3), "a URL seen before is not offered twice");
    }
}
