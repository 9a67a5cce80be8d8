//! The crawler: polite, complete whole-site crawls of URLs and site lists. It gathers pages and
//! hands them to the engine; it never judges them.

pub mod fetch;
pub mod robots;
pub mod sitemap;
pub mod sites;
pub mod url_scope;

use crate::engine::{check_page_and_links, CheckedPage, EngineSettings, PageInput, Referrer};
use crate::progress::ProgressReporter;
use crate::report::{PageError, PageReport, SiteReport};
use eldercheck_checks::page::{LoadError, StylesheetLoader};
use fetch::{FetchError, Fetcher, Want};
use robots::Robots;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

/// The product token matched against robots.txt groups.
pub const ROBOTS_AGENT: &str = "eldercheck";
/// Sitemaps read per site at most (index children included).
const MAX_SITEMAPS: usize = 20;

/// What to crawl and how.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    pub max_pages: usize,
    pub max_depth: u32,
    pub respect_robots: bool,
    pub include: Vec<regex::Regex>,
    pub exclude: Vec<regex::Regex>,
    pub fetch: fetch::FetchConfig,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            max_pages: 100,
            max_depth: 3,
            respect_robots: true,
            include: Vec::new(),
            exclude: Vec::new(),
            fetch: fetch::FetchConfig::default(),
        }
    }
}

/// One site to crawl.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteTarget {
    pub url: String,
    pub name: Option<String>,
    pub group: Option<String>,
}

/// A crawled site before scoring, with the pages the limits left unvisited.
pub struct CrawledSite {
    pub report: SiteReport,
    pub skipped_by_limit: usize,
}

/// Stylesheets by URL: their bytes, or why they could not be fetched.
type CssCache = HashMap<Url, Result<Arc<Vec<u8>>, String>>;

/// Stylesheets fetched over HTTP for the engine, cached per run. Called from blocking threads.
pub struct HttpStylesheets {
    fetcher: Arc<Fetcher>,
    runtime: tokio::runtime::Handle,
    cache: Mutex<CssCache>,
}

impl HttpStylesheets {
    pub fn new(fetcher: Arc<Fetcher>, runtime: tokio::runtime::Handle) -> Self {
        HttpStylesheets { fetcher, runtime, cache: Mutex::new(HashMap::new()) }
    }
}

impl StylesheetLoader for HttpStylesheets {
    fn load(&self, url: &Url) -> Result<Vec<u8>, LoadError> {
        let Some(url) = url_scope::normalise(url) else {
            return Err(LoadError::NotAllowed(format!("{url}: not an http(s) stylesheet")));
        };
        if let Some(cached) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&url) {
            return cached.as_ref().map(|b| b.to_vec()).map_err(|e| LoadError::Other(e.clone()));
        }
        let result = self
            .runtime
            .block_on(self.fetcher.get(&url, Want::Any, None))
            .map(|f| Arc::new(f.body))
            .map_err(|e| format!("{url}: {e}"));
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(url, result.clone());
        result.map(|b| b.to_vec()).map_err(LoadError::Other)
    }
}

/// A URL waiting in a site's frontier.
#[derive(Debug, Clone)]
struct Queued {
    url: Url,
    depth: u32,
    referrer: Option<Referrer>,
}

/// Per-site frontier: breadth-first by depth, de-duplicated, bounded by the limits.
struct Frontier {
    site_key: String,
    queue: VecDeque<Queued>,
    seen: HashSet<Url>,
    max_depth: u32,
    include: Vec<regex::Regex>,
    exclude: Vec<regex::Regex>,
    /// In-scope URLs found but not requested because of `--max-pages`.
    overflow: usize,
}

impl Frontier {
    fn wanted(&self, url: &Url) -> bool {
        let text = url.as_str();
        url_scope::in_scope(&self.site_key, url)
            && !url_scope::looks_like_non_html(url)
            && (self.include.is_empty() || self.include.iter().any(|r| r.is_match(text)))
            && !self.exclude.iter().any(|r| r.is_match(text))
    }

    /// Adds a URL; returns whether it was new and in scope.
    fn offer(&mut self, url: &Url, depth: u32, referrer: Option<Referrer>) -> bool {
        let Some(url) = url_scope::normalise(url) else { return false };
        if depth > self.max_depth || !self.wanted(&url) || !self.seen.insert(url.clone()) {
            return false;
        }
        self.queue.push_back(Queued { url, depth, referrer });
        true
    }
}

/// Crawls every site concurrently; one site's failure never stops another.
pub async fn crawl_sites(
    targets: Vec<SiteTarget>,
    options: CrawlOptions,
    settings: Arc<EngineSettings>,
    progress: Arc<ProgressReporter>,
) -> Result<Vec<CrawledSite>, FetchError> {
    let fetcher = Arc::new(Fetcher::new(options.fetch.clone())?);
    let loader = Arc::new(HttpStylesheets::new(fetcher.clone(), tokio::runtime::Handle::current()));
    // CPU-bound page checks run on blocking threads, one per core.
    let cpu = Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));
    let options = Arc::new(options);
    progress.add_sites(targets.len());
    let mut tasks = JoinSet::new();
    for (index, target) in targets.into_iter().enumerate() {
        let (fetcher, loader, cpu, options, settings, progress) =
            (fetcher.clone(), loader.clone(), cpu.clone(), options.clone(), settings.clone(), progress.clone());
        tasks.spawn(async move {
            let site = crawl_site(target, &fetcher, loader, cpu, &options, settings, &progress).await;
            progress.site_done();
            (index, site)
        });
    }
    let mut sites: Vec<(usize, CrawledSite)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(site) => sites.push(site),
            // A panic in one site's task is a bug; the other sites still finish.
            Err(e) => eprintln!("eldercheck: a site crawl failed unexpectedly: {e}"),
        }
    }
    sites.sort_by_key(|(i, _)| *i);
    Ok(sites.into_iter().map(|(_, s)| s).collect())
}

fn page_error(kind: &str, message: impl Into<String>) -> PageError {
    PageError { kind: kind.to_string(), message: message.into() }
}

async fn crawl_site(
    target: SiteTarget,
    fetcher: &Arc<Fetcher>,
    loader: Arc<HttpStylesheets>,
    cpu: Arc<Semaphore>,
    options: &CrawlOptions,
    settings: Arc<EngineSettings>,
    progress: &ProgressReporter,
) -> CrawledSite {
    let name = target.name.clone().unwrap_or_else(|| target.url.clone());
    let mut report = SiteReport::new(target.url.clone(), name, target.group.clone());
    let start = match Url::parse(target.url.trim()).ok().and_then(|u| url_scope::normalise(&u)) {
        Some(u) => u,
        None => {
            report.pages.push(PageReport::error_entry(
                target.url.clone(),
                target.url.clone(),
                0,
                None,
                page_error("invalid_url", format!("{:?} is not an http(s) URL", target.url)),
            ));
            progress.page_done(report.pages.last());
            return CrawledSite { report, skipped_by_limit: 0 };
        }
    };
    report.url = start.to_string();
    let site_key = url_scope::site_key(&start);
    let robots = if options.respect_robots { load_robots(fetcher, &start).await } else { Robots::allow_all() };
    if let Some(delay) = robots.crawl_delay {
        fetcher.set_min_delay(&start, delay);
    }
    let mut frontier = Frontier {
        site_key: site_key.clone(),
        queue: VecDeque::new(),
        seen: HashSet::new(),
        max_depth: options.max_depth,
        include: options.include.clone(),
        exclude: options.exclude.clone(),
        overflow: 0,
    };
    // The start page is always requested, whatever the filters say.
    frontier.seen.insert(start.clone());
    frontier.queue.push_back(Queued { url: start.clone(), depth: 0, referrer: None });
    if options.max_depth >= 1 {
        for url in sitemap_urls(fetcher, &start, &robots, &site_key).await {
            frontier.offer(&url, 1, None);
        }
    }
    progress.add_queued(frontier.queue.len());

    let mut requested = 0usize;
    let mut in_flight: JoinSet<CheckedPage> = JoinSet::new();
    let mut checked_urls: HashSet<Url> = HashSet::new();
    loop {
        while in_flight.len() < fetch::PER_HOST_IN_FLIGHT && requested < options.max_pages {
            let Some(next) = frontier.queue.pop_front() else { break };
            requested += 1;
            if !robots.allows(&path_and_query(&next.url)) {
                // Never requested: recorded so that the report says why the page is missing.
                let entry = PageReport::error_entry(
                    next.url.to_string(),
                    next.url.to_string(),
                    next.depth,
                    None,
                    page_error("robots_denied", "robots.txt does not allow eldercheck to fetch this page"),
                );
                progress.page_done(Some(&entry));
                report.pages.push(entry);
                continue;
            }
            let (fetcher, loader, cpu, settings) = (fetcher.clone(), loader.clone(), cpu.clone(), settings.clone());
            let site_key = site_key.clone();
            in_flight.spawn(async move { fetch_and_check(next, &fetcher, loader, cpu, settings, &site_key).await });
        }
        let Some(joined) = in_flight.join_next().await else { break };
        let checked = match joined {
            Ok(c) => c,
            Err(e) => {
                eprintln!("eldercheck: a page task failed unexpectedly: {e}");
                continue;
            }
        };
        progress.page_done(Some(&checked.report));
        // Two URLs that redirect to one page are one page.
        if let Ok(final_url) = Url::parse(&checked.report.url) {
            if checked.report.error.is_none() && !checked_urls.insert(final_url) {
                continue;
            }
        }
        let depth = checked.report.depth;
        if depth < options.max_depth {
            let before = frontier.queue.len();
            for link in checked.links {
                let referrer = Referrer { url: checked.report.url.clone(), text: link.text };
                frontier.offer(&link.url, depth + 1, Some(referrer));
            }
            progress.add_queued(frontier.queue.len() - before);
        }
        report.pages.push(checked.report);
    }
    frontier.overflow = frontier.queue.len();
    report.pages.sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.url.cmp(&b.url)));
    CrawledSite { report, skipped_by_limit: frontier.overflow }
}

async fn fetch_and_check(
    next: Queued,
    fetcher: &Fetcher,
    loader: Arc<HttpStylesheets>,
    cpu: Arc<Semaphore>,
    settings: Arc<EngineSettings>,
    site_key: &str,
) -> CheckedPage {
    let fetched = fetcher.get(&next.url, Want::Html, Some(site_key)).await;
    let (url, status, charset, body) = match fetched {
        Ok(f) => (f.final_url, Some(f.status), f.charset, Ok(f.body)),
        Err(e) => {
            let mut report = PageReport::error_entry(
                e.final_url.clone().unwrap_or_else(|| next.url.to_string()),
                next.url.to_string(),
                next.depth,
                e.status,
                page_error(e.kind, e.message),
            );
            report.referrer = next.referrer;
            return CheckedPage { report, links: Vec::new() };
        }
    };
    let input = PageInput {
        url: url.clone(),
        requested_url: next.url.to_string(),
        status,
        depth: next.depth,
        header_charset: charset,
        body,
        referrer: next.referrer,
        is_home: next.depth == 0,
    };
    let Ok(_permit) = cpu.acquire_owned().await else {
        return CheckedPage {
            report: PageReport::error_entry(
                url.to_string(),
                next.url.to_string(),
                next.depth,
                status,
                page_error("internal", "worker pool closed"),
            ),
            links: Vec::new(),
        };
    };
    let depth = next.depth;
    let requested = next.url.to_string();
    let task = tokio::task::spawn_blocking(move || check_page_and_links(input, loader.as_ref(), &settings));
    match task.await {
        Ok(checked) => checked,
        Err(e) => CheckedPage {
            report: PageReport::error_entry(
                url.to_string(),
                requested,
                depth,
                status,
                page_error("internal", format!("the checker failed on this page: {e}")),
            ),
            links: Vec::new(),
        },
    }
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// robots.txt: 2xx parsed, 4xx or unreachable = allow all, 5xx (after retries) = crawl nothing.
async fn load_robots(fetcher: &Fetcher, start: &Url) -> Robots {
    let Ok(robots_url) = start.join("/robots.txt") else { return Robots::allow_all() };
    match fetcher.get(&robots_url, Want::Any, None).await {
        Ok(f) => Robots::parse(&String::from_utf8_lossy(&f.body), ROBOTS_AGENT),
        Err(e) if e.kind == "http_status" && e.status.is_some_and(|s| s >= 500) => Robots::deny_all(),
        Err(_) => Robots::allow_all(),
    }
}

/// Page URLs listed by `/sitemap.xml` and the robots.txt `Sitemap:` lines (indexes followed).
async fn sitemap_urls(fetcher: &Fetcher, start: &Url, robots: &Robots, site_key: &str) -> Vec<Url> {
    let mut queue: VecDeque<Url> = robots.sitemaps.iter().filter_map(|s| start.join(s).ok()).collect();
    if let Ok(default) = start.join("/sitemap.xml") {
        if !queue.contains(&default) {
            queue.push_back(default);
        }
    }
    let mut seen = HashSet::new();
    let mut pages = Vec::new();
    let cap = fetcher.config().max_body_bytes;
    while let Some(sitemap) = queue.pop_front() {
        if seen.len() >= MAX_SITEMAPS || !seen.insert(sitemap.clone()) {
            continue;
        }
        let Ok(fetched) = fetcher.get(&sitemap, Want::Any, None).await else { continue };
        let Ok(xml) = sitemap::maybe_gunzip(&fetched.body, cap * 4) else { continue };
        let parsed = sitemap::parse(&xml);
        pages.extend(
            parsed.pages.iter().filter_map(|p| Url::parse(p).ok()).filter(|u| url_scope::in_scope(site_key, u)),
        );
        queue.extend(parsed.sitemaps.iter().filter_map(|s| Url::parse(s).ok()));
    }
    pages
}
