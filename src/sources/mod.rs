//! Page sources: a local folder and the HTTP crawler. A source yields fetched pages or load
//! failures, never results: it knows nothing of checks. Links come back to the source that asked for
//! them, as soon as a page is parsed.
//!
//! Rendering is a hook: a source hands each page to the run's [`Renderer`] (if any) before it goes
//! on, and what a renderer may add to a page ([`Rendered`]: browser facts and a screenshot) is
//! defined here. The browser itself (`crate::browser`) implements the hook; sources never import it.

pub mod crawl;
pub mod local;
pub mod site_list;

use crate::net::address::Access;
use eldercheck_checks::page::rendered::BrowserFacts;
use eldercheck_checks::page::{Link, StylesheetLoader};
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// What runs a page in a browser before it is checked (rendered mode).
pub trait Renderer: Send + Sync {
    /// Renders `page` when the run renders pages like it: its content becomes the browser's DOM
    /// with the browser's facts attached ([`Body::rendered`]). A page the browser fails on keeps a
    /// result: the renderer decides whether it is judged statically or becomes an error entry.
    /// `access` is the address rule of the page's site.
    fn render_if_wanted<'a>(&'a self, page: &'a mut PageParts, access: Access) -> BoxFuture<'a, ()>;
}

/// Why a page was rendered, as the report states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderReason {
    /// `--render always`.
    Always,
    /// The site's home page, where floating windows and elder-mode toolbars live.
    HomePage,
    /// A page reached through a link named like an elder-mode entry (关怀版 …): its large text is
    /// what the font-scaling checks measure.
    ElderPage,
    HiddenUntilScriptsRun,
    EmptyAppRoot,
    NoscriptAsksForJavascript,
    LittleTextWithScripts,
}

impl RenderReason {
    /// The reason for a page whose static DOM looks built by scripts
    /// (`eldercheck_checks::page::rendered::script_built_reason`).
    pub fn of_static_dom(reason: &str) -> Option<RenderReason> {
        Some(match reason {
            "hidden_until_scripts_run" => RenderReason::HiddenUntilScriptsRun,
            "empty_app_root" => RenderReason::EmptyAppRoot,
            "noscript_asks_for_javascript" => RenderReason::NoscriptAsksForJavascript,
            "little_text_with_scripts" => RenderReason::LittleTextWithScripts,
            _ => return None,
        })
    }
}

/// A page screenshot stored in the results folder: the same picture the font-scaling facts carry.
pub use eldercheck_checks::page::rendered::Picture as Screenshot;

/// Why a page that was to be rendered is judged as served instead: the browser failed on it, or what
/// it showed was not the page (an error page, a navigation elsewhere, a page that wiped itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderFallback {
    pub reason: RenderReason,
    /// `render_failed`, `timeout`, `crashed`, `too_large`, `memory`, `error_page`, `navigated_away`,
    /// `wiped`.
    pub kind: String,
    pub message: String,
}

/// What a browser added to a page.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub reason: RenderReason,
    pub facts: BrowserFacts,
    pub screenshot: Option<Screenshot>,
}

/// How a page was reached (crawls only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referrer {
    pub url: String,
    pub text: String,
}

/// The bytes of a page as fetched or read.
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Vec<u8>,
    /// The charset named by the HTTP `Content-Type` header.
    pub charset: Option<String>,
    /// What a browser added when the page was rendered (the bytes are then the browser's DOM).
    pub rendered: Option<Box<Rendered>>,
    /// Set when the page was to be rendered but is judged as served (the bytes are the source's).
    pub render_fallback: Option<RenderFallback>,
}

impl Body {
    /// Bytes as fetched or read, not rendered.
    pub fn fetched(bytes: Vec<u8>, charset: Option<String>) -> Body {
        Body { bytes, charset, rendered: None, render_fallback: None }
    }
}

/// Why a page has no bytes: its error kind (`read`, `dns`, `http_status`, `robots_denied`, …) and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadFailure {
    pub kind: String,
    pub message: String,
}

impl LoadFailure {
    pub fn new(kind: &str, message: impl Into<String>) -> LoadFailure {
        LoadFailure { kind: kind.to_string(), message: message.into() }
    }
}

/// A page a source produced: bytes to check, or why there are none.
pub struct SourcedPage {
    /// The site's index in the run.
    pub site: usize,
    pub page: PageParts,
    /// Where the page's stylesheets come from.
    pub loader: Arc<dyn StylesheetLoader>,
    /// Where the page's links go once it is parsed, if the source wants them.
    pub links: Option<oneshot::Sender<Vec<Link>>>,
}

impl SourcedPage {
    /// A lone document (a tool or a test): site 0, depth 0, not a home page, no links wanted.
    pub fn document(url: &url::Url, bytes: Vec<u8>, loader: Arc<dyn StylesheetLoader>) -> SourcedPage {
        let page = PageParts {
            url: url.to_string(),
            requested_url: url.to_string(),
            status: None,
            depth: 0,
            referrer: None,
            is_home: false,
            site_root: None,
            content: Ok(Body::fetched(bytes, None)),
        };
        SourcedPage { site: 0, page, loader, links: None }
    }
}

/// A site whose source has produced every page it will produce.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSourced {
    pub site: usize,
    /// The site's URL as the source settled it (a crawl's normalised start URL).
    pub url: Option<String>,
    /// Pages produced (checked or failed).
    pub pages: usize,
    /// Pages found but left out by the page limit (a lower bound once the frontier's memory cap is reached).
    pub skipped_by_limit: usize,
    /// The signal that interrupted the run while the site was being sourced.
    pub interrupted: Option<i32>,
}

/// What flows from the sources to the analysis stage.
pub enum SourceEvent {
    Page(Box<SourcedPage>),
    SiteSourced(SiteSourced),
}

/// How a source hands one site's pages on: it counts what it produced, so that the next stages know
/// when the site is complete. Clones share the count (a crawl hands pages on from several tasks).
#[derive(Clone)]
pub struct SiteFeed {
    site: usize,
    sender: mpsc::Sender<SourceEvent>,
    produced: Arc<AtomicUsize>,
    /// Pages pass through the browser first (rendered mode).
    renderer: Option<Arc<dyn Renderer>>,
    /// The site is on a private network, so its pages' own requests may be too (see `address`).
    private_network: Arc<std::sync::atomic::AtomicBool>,
}

impl SiteFeed {
    pub fn new(site: usize, sender: mpsc::Sender<SourceEvent>) -> SiteFeed {
        SiteFeed {
            site,
            sender,
            produced: Arc::new(AtomicUsize::new(0)),
            renderer: None,
            private_network: Arc::default(),
        }
    }

    /// Hands pages to `renderer` before they go on.
    pub fn rendered_by(mut self, renderer: Option<Arc<dyn Renderer>>) -> SiteFeed {
        self.renderer = renderer;
        self
    }

    /// The address rule the site's pages get in the browser: the crawl's own.
    pub fn set_access(&self, access: Access) {
        self.private_network.store(access == Access::Private, Ordering::SeqCst);
    }

    pub fn site(&self) -> usize {
        self.site
    }

    /// Hands a page on (waiting while the analysis stage is full) and, when `want_links`, waits for
    /// its links. A page whose analysis ended without links gives none.
    pub async fn page(&self, mut page: PageParts, loader: Arc<dyn StylesheetLoader>, want_links: bool) -> Vec<Link> {
        if let Some(renderer) = &self.renderer {
            let access = if self.private_network.load(Ordering::SeqCst) { Access::Private } else { Access::Public };
            renderer.render_if_wanted(&mut page, access).await;
        }
        let (links_sender, links_receiver) = if want_links {
            let (s, r) = oneshot::channel();
            (Some(s), Some(r))
        } else {
            (None, None)
        };
        let sourced = SourcedPage { site: self.site, page, loader, links: links_sender };
        if self.sender.send(SourceEvent::Page(Box::new(sourced))).await.is_err() {
            return Vec::new();
        }
        self.produced.fetch_add(1, Ordering::SeqCst);
        match links_receiver {
            Some(receiver) => receiver.await.unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// Tells the next stages that the site is complete; every clone must be done handing pages on.
    pub async fn finish(self, url: Option<String>, skipped_by_limit: usize) {
        let pages = self.produced.load(Ordering::SeqCst);
        // A site finished while the run was stopping may be missing pages it would have had.
        let interrupted = crate::interrupt::requested();
        let done = SiteSourced { site: self.site, url, pages, skipped_by_limit, interrupted };
        // A closed channel means the run is shutting down; nothing is left to tell.
        let _ = self.sender.send(SourceEvent::SiteSourced(done)).await;
    }
}

/// A page's facts as a source knows them.
pub struct PageParts {
    /// The final URL (after redirects); any text for a failure (an unusable target is reported as given).
    pub url: String,
    pub requested_url: String,
    pub status: Option<u16>,
    pub depth: u32,
    pub referrer: Option<Referrer>,
    /// The site's home page: site-level checks are judged on it.
    pub is_home: bool,
    /// Where the site starts when that is not the URL's origin (a local folder): URL patterns such as
    /// elder paths are matched against the part of the URL below it, never against the folder's own path.
    pub site_root: Option<String>,
    pub content: Result<Body, LoadFailure>,
}

impl PageParts {
    /// A page that could not be loaded.
    pub fn failed(url: String, requested_url: String, depth: u32, failure: LoadFailure) -> PageParts {
        PageParts {
            url,
            requested_url,
            status: None,
            depth,
            referrer: None,
            is_home: false,
            site_root: None,
            content: Err(failure),
        }
    }
}
