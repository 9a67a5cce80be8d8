//! Rendered mode: a source's pages run through headless Chromium before they are checked. The
//! browser is a hook of the sources ([`crate::sources::Renderer`]); it never judges.
//!
//! A source hands each fetched page to the [`Renderer`]. The page's own bytes (fetched politely by
//! the crawler, or read from the folder) are given to the browser in place of a second navigation
//! request; its scripts, stylesheets and images are loaded by the browser under the same address
//! rule as the crawler's requests (no link-local addresses ever, private ones only for a site that
//! is itself private). After load and a settle time the page's DOM, every element's computed values
//! and layout box, the boxes that moved in the next second, the media playing with sound and a
//! screenshot are taken; the page then flows on as bytes plus browser facts, and the analysis stage
//! judges what the browser showed.
//!
//! Rooms: `chromium` (finding and starting the browser), `cdp` (the DevTools protocol), `tab`
//! (driving one tab through a page), `intercept` (the tab's events: serving the page, the address
//! rule, local files, dialogs), `capture` (screenshots and backdrop pictures), `pixels` (pixel maths),
//! `js/` (the scripts run in the page).

mod capture;
pub mod cdp;
pub mod chromium;
mod intercept;
mod pixels;
mod tab;

use crate::net::address::Access;
use crate::net::lookups::Lookups;
use crate::options::RenderMode;
use crate::progress::ProgressReporter;
use crate::sources::{Body, LoadFailure, PageParts, RenderReason, Rendered};
use cdp::{CdpError, Connection};
use futures_util::future::BoxFuture;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tab::Tab;
use tokio::sync::Semaphore;
use url::Url;

/// Pages one tab renders before it is closed and a fresh one opened. A tab keeps its renderer's
/// caches and heap from page to page; on the 50-page benchmark a tab kept for every page peaked at
/// 1.7–1.8 GiB (browser and eldercheck), a tab per 25 pages at 1.4 GiB, a new tab for every page
/// at 1.3 GiB but ~90 ms slower a page (opening and setting up a tab, a cold renderer).
const PAGES_PER_TAB: u32 = 25;
/// Browser restarts in one run before rendering is given up and pages are checked statically.
const MAX_RESTARTS: u32 = 5;
/// How long one protocol command may take (the page deadline also applies).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

/// How pages are rendered in this run.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    pub mode: RenderMode,
    pub chromium: PathBuf,
    /// Tabs open at once.
    pub tabs: usize,
    /// From navigation to the screenshot, per page.
    pub page_timeout: Duration,
    /// Wait after the load event for late scripts; boxes that move in this time are moving content.
    pub settle: Duration,
    pub viewport: (u32, u32),
    /// The results folder's `screens/`, or none (output to stdout).
    pub screenshots: Option<PathBuf>,
    pub max_body_bytes: usize,
}

struct Browser {
    connection: Arc<Connection>,
    /// Tabs set up and free for the next page: opening and setting up a tab costs ~80 ms a page.
    idle: Mutex<Vec<Tab>>,
    // Dropped after the connection: the process is killed last.
    _process: chromium::Process,
}

impl Browser {
    /// A free tab for a page of this access, or a new one.
    async fn tab(&self, access: Access, settings: &RenderSettings) -> Result<Tab, RenderError> {
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            idle.iter().position(|t| t.access == access).map(|at| idle.swap_remove(at))
        };
        if let Some(tab) = reused {
            return Ok(tab);
        }
        let c = &self.connection;
        let target = c.call(None, "Target.createTarget", json!({ "url": "about:blank" }), COMMAND_TIMEOUT).await?;
        let target_id = target["targetId"].as_str().unwrap_or_default().to_string();
        let attached =
            c.call(None, "Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }), COMMAND_TIMEOUT);
        let session = match attached.await {
            Ok(attached) => attached["sessionId"].as_str().unwrap_or_default().to_string(),
            Err(error) => {
                let _ = c.send(None, "Target.closeTarget", json!({ "targetId": target_id })).await;
                return Err(error.into());
            }
        };
        let tab = Tab::new(c.clone(), target_id, session, access);
        if let Err(error) = tab.set_up(settings).await {
            tab.close().await;
            return Err(error);
        }
        Ok(tab)
    }

    fn keep(&self, tab: Tab, most: usize) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < most.max(1) {
            idle.push(tab);
        } else {
            drop(idle);
            tokio::spawn(async move { tab.close().await });
        }
    }
}

/// One browser per run, a bounded number of tabs, restarted when it dies.
pub struct Renderer {
    settings: RenderSettings,
    /// The run's name lookups: the browser's requests obey the crawler's address rule.
    lookups: Arc<Lookups>,
    browser: tokio::sync::Mutex<Option<Arc<Browser>>>,
    tabs: Semaphore,
    restarts: AtomicU32,
    /// Said once when rendering is given up.
    gave_up: Mutex<Option<String>>,
    /// Where the one notice the renderer may give goes (the run's progress output).
    progress: Arc<ProgressReporter>,
}

#[derive(Debug, thiserror::Error)]
enum RenderError {
    #[error("{0}")]
    Protocol(#[from] CdpError),
    #[error("the page did not finish rendering within {0} s")]
    Deadline(u64),
    #[error("the browser tab crashed")]
    Crashed,
    #[error("the rendered page is {0} characters long, over --max-body-mib")]
    TooLarge(u64),
    #[error("the browser returned something unreadable: {0}")]
    Unreadable(String),
    #[error("the page kept navigating away while it was being read")]
    NavigatedAway,
    #[error("{0}")]
    Launch(String),
}

impl Renderer {
    pub fn new(settings: RenderSettings, lookups: Arc<Lookups>, progress: Arc<ProgressReporter>) -> Renderer {
        let tabs = Semaphore::new(settings.tabs.max(1));
        Renderer {
            settings,
            lookups,
            browser: tokio::sync::Mutex::new(None),
            tabs,
            restarts: AtomicU32::new(0),
            gave_up: Mutex::new(None),
            progress,
        }
    }

    pub fn mode(&self) -> RenderMode {
        self.settings.mode
    }

    /// Why this page should be rendered, or `None` to check its static DOM only.
    fn reason(&self, parts: &PageParts, body: &Body) -> Option<RenderReason> {
        match self.settings.mode {
            RenderMode::Never => None,
            RenderMode::Always => Some(RenderReason::Always),
            RenderMode::Auto if parts.is_home => Some(RenderReason::HomePage),
            RenderMode::Auto => {
                if eldercheck_checks::page::binary_kind(&body.bytes).is_some() {
                    return None;
                }
                let decoded = eldercheck_checks::page::decode_html(&body.bytes, body.charset.as_deref());
                eldercheck_checks::page::rendered::script_built_reason(&decoded.text)
                    .and_then(RenderReason::of_static_dom)
            }
        }
    }

    /// Renders the page when the mode asks for it: its content becomes the browser's DOM, with the
    /// browser's facts attached. A page the browser fails on becomes an error entry.
    async fn render_page(&self, parts: &mut PageParts, access: Access) {
        let Ok(body) = &parts.content else { return };
        let Some(reason) = self.reason(parts, body) else { return };
        if self.gave_up.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
            return;
        }
        let Ok(url) = Url::parse(&parts.url) else { return };
        let body = body.clone();
        let Ok(_tab) = self.tabs.acquire().await else { return };
        let deadline = tokio::time::Instant::now() + self.settings.page_timeout;
        let site_root = parts.site_root.as_deref().and_then(|r| Url::parse(r).ok());
        let document = Document { url: url.clone(), status: parts.status, body, site_root };
        let outcome = self.render(&document, access, reason, deadline).await;
        match outcome {
            Ok((html, rendered)) => {
                parts.content = Ok(Body {
                    bytes: html.into_bytes(),
                    charset: Some("utf-8".into()),
                    rendered: Some(Box::new(rendered)),
                });
            }
            Err(RenderError::Launch(message)) => {
                // Without a browser the page is still checked, statically.
                self.give_up(message);
            }
            Err(error) => {
                parts.content = Err(LoadFailure::new("render_failed", error.to_string()));
            }
        }
    }

    fn give_up(&self, message: String) {
        let mut gave_up = self.gave_up.lock().unwrap_or_else(|e| e.into_inner());
        if gave_up.is_none() {
            self.progress.notice("render_given_up", &[("message", message.clone())]);
            *gave_up = Some(message);
        }
    }

    /// The browser, started (again) when there is none or the last one died.
    async fn browser(&self) -> Result<Arc<Browser>, RenderError> {
        let mut slot = self.browser.lock().await;
        if let Some(browser) = slot.as_ref().filter(|b| !b.connection.is_closed()) {
            return Ok(browser.clone());
        }
        if slot.take().is_some() && self.restarts.fetch_add(1, Ordering::SeqCst) >= MAX_RESTARTS {
            return Err(RenderError::Launch(format!("Chromium stopped {MAX_RESTARTS} times")));
        }
        let viewport = self.settings.viewport;
        let process = chromium::launch(&self.settings.chromium, viewport, self.lookups.overrides())
            .await
            .map_err(|e| RenderError::Launch(e.to_string()))?;
        let connection = Connection::connect(&process.ws_url).await.map_err(|e| RenderError::Launch(e.to_string()))?;
        let browser = Arc::new(Browser { connection, idle: Mutex::new(Vec::new()), _process: process });
        *slot = Some(browser.clone());
        Ok(browser)
    }

    async fn render(
        &self,
        document: &Document,
        access: Access,
        reason: RenderReason,
        deadline: tokio::time::Instant,
    ) -> Result<(String, Rendered), RenderError> {
        let browser = self.browser().await?;
        let t0 = std::time::Instant::now();
        let (mut tab, result) = match tokio::time::timeout_at(deadline, browser.tab(access, &self.settings)).await {
            Ok(Ok(mut tab)) => {
                trace("create", t0);
                let rendering = tab.render(document, reason, &self.settings, &self.lookups);
                let result = match tokio::time::timeout_at(deadline, rendering).await {
                    Ok(result) => result,
                    Err(_) => Err(RenderError::Deadline(self.settings.page_timeout.as_secs())),
                };
                (tab, result)
            }
            Ok(Err(error)) => return Err(error),
            Err(_) => return Err(RenderError::Deadline(self.settings.page_timeout.as_secs())),
        };
        // A tab whose page failed is closed, also after the deadline: a page stuck in a loop would
        // otherwise keep a core busy for the run. A tab that rendered its page serves the next one.
        tab.pages += 1;
        if result.is_ok() && tab.reusable() && tab.pages < PAGES_PER_TAB {
            browser.keep(tab, self.settings.tabs);
        } else {
            tab.close().await;
        }
        trace(&format!("TOTAL {}", document.url), t0);
        result
    }
}

/// With `ELDERCHECK_RENDER_TRACE=1`, prints how long each phase of rendering a page took (stderr,
/// `TRACE phase ms`): where the time goes, for the benchmark (docs/PERFORMANCE.md).
fn trace(phase: &str, since: std::time::Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("ELDERCHECK_RENDER_TRACE").is_some_and(|v| v == "1")) {
        let (phase, detail) = phase.split_once(' ').unwrap_or((phase, ""));
        eprintln!("TRACE {phase} {:.1} {detail}", since.elapsed().as_secs_f64() * 1000.0);
    }
}

impl crate::sources::Renderer for Renderer {
    fn render_if_wanted<'a>(&'a self, page: &'a mut PageParts, access: Access) -> BoxFuture<'a, ()> {
        Box::pin(self.render_page(page, access))
    }
}

/// The page the browser is given in place of fetching it again.
#[derive(Clone)]
struct Document {
    url: Url,
    status: Option<u16>,
    body: Body,
    /// A local site's folder (`file:` URL): root-relative references resolve against it, as the
    /// static engine's do, and no other file is read.
    site_root: Option<Url>,
}
