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
mod interact;
mod intercept;
mod pixels;
mod proxy;
mod scaling;
mod tab;

use crate::net::address::Access;
use crate::net::lookups::Lookups;
use crate::options::RenderMode;
use crate::progress::ProgressReporter;
use crate::sources::local::SiteFolder;
use crate::sources::{Body, PageParts, RenderFallback, RenderReason, Rendered};
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
    /// Bytes the browser and its processes may hold before it is stopped.
    pub memory_budget: u64,
    pub max_body_bytes: usize,
}

struct Browser {
    connection: Arc<Connection>,
    /// Tabs set up and free for the next page: opening and setting up a tab costs ~80 ms a page.
    idle: Mutex<Vec<Tab>>,
    /// A browser context per access level, each with its own proxy port: a private site's pages
    /// never share cookies, caches or connections with a public site's.
    contexts: Vec<(Access, String)>,
    /// Set when the browser outgrew its memory budget and was killed.
    memory_exceeded: std::sync::atomic::AtomicBool,
    /// One keyboard walk at a time (see [`Tab::keyboard`]).
    keyboard: Arc<tokio::sync::Mutex<()>>,
    // Dropped after the connection: the process is killed last, then the proxy.
    process: chromium::Process,
    _proxy: proxy::Proxy,
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
        let context = self.contexts.iter().find(|(a, _)| *a == access).map(|(_, id)| id.clone()).unwrap_or_default();
        let params = json!({ "url": "about:blank", "browserContextId": context });
        let target = c.call(None, "Target.createTarget", params, COMMAND_TIMEOUT).await?;
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
        let tab = Tab::new(c.clone(), target_id, session, access, self.keyboard.clone());
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
    #[error("the browser used more than {0} MiB of memory (--render-memory-mib) and was stopped")]
    Memory(u64),
    /// What the browser showed is not the page that was served.
    #[error("{message}")]
    NotThePage { kind: &'static str, message: String },
    #[error("{0}")]
    Launch(String),
    #[error("the run was interrupted ({0}) before the page was rendered")]
    Interrupted(&'static str),
}

impl RenderError {
    /// The fallback's kind in report.json.
    fn kind(&self) -> &'static str {
        match self {
            RenderError::Deadline(_) => "timeout",
            RenderError::Crashed => "crashed",
            RenderError::TooLarge(_) => "too_large",
            RenderError::NavigatedAway => "navigated_away",
            RenderError::Memory(_) => "memory",
            RenderError::NotThePage { kind, .. } => kind,
            RenderError::Protocol(_) | RenderError::Unreadable(_) | RenderError::Launch(_) => "render_failed",
            RenderError::Interrupted(_) => "interrupted",
        }
    }
}

/// About how many elements a page's HTML has (start tags), to tell a page that wiped itself.
fn rough_element_count(html: &str) -> usize {
    let bytes = html.as_bytes();
    bytes.windows(2).filter(|w| w[0] == b'<' && w[1].is_ascii_alphabetic()).count()
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

    /// Starts the browser now: a run that must render every page stops with this error instead of
    /// quietly checking statically when the browser cannot start (a memory limit, a broken install).
    pub async fn start(&self) -> Result<(), String> {
        match self.browser().await {
            Ok(_) => Ok(()),
            Err(error) => Err(error.to_string()),
        }
    }

    /// Why this page should be rendered, or `None` to check its static DOM only.
    fn reason(&self, parts: &PageParts, body: &Body) -> Option<RenderReason> {
        let elder_link = parts.referrer.as_ref().is_some_and(|r| eldercheck_checks::elder::is_entry_text(&r.text));
        match self.settings.mode {
            RenderMode::Never => None,
            RenderMode::Always => Some(RenderReason::Always),
            RenderMode::Auto if parts.is_home => Some(RenderReason::HomePage),
            RenderMode::Auto if elder_link => Some(RenderReason::ElderPage),
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
    /// browser's facts attached. A page the browser fails on, or shows as something else (an error
    /// page, another document, a page that wiped itself), keeps the bytes the source read and is
    /// judged as served, saying why: a page can never buy a pass by breaking the browser.
    async fn render_page(&self, parts: &mut PageParts, access: Access) {
        let Some(reason) = parts.content.as_ref().ok().and_then(|body| self.reason(parts, body)) else { return };
        let Ok(body) = &mut parts.content else { return };
        if self.gave_up.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
            return;
        }
        let Ok(url) = Url::parse(&parts.url) else { return };
        // The browser is given the text the static engine reads, in UTF-8: a page whose `<meta>`
        // names the wrong charset reads the same in both.
        let decoded = eldercheck_checks::page::decode_html(&body.bytes, body.charset.as_deref());
        let static_elements = rough_element_count(&decoded.text);
        let served = Body::fetched(decoded.text.into_bytes(), Some("utf-8".into()));
        let Ok(_tab) = self.tabs.acquire().await else { return };
        let deadline = tokio::time::Instant::now() + self.settings.page_timeout;
        let folder = parts.site_root.as_deref().and_then(|r| Url::parse(r).ok()).and_then(|r| SiteFolder::of_url(&r));
        let document = Document {
            url: url.clone(),
            status: parts.status,
            body: served,
            folder: folder.map(Arc::new),
            static_elements,
            is_home: parts.is_home,
        };
        match self.render(&document, access, reason, deadline).await {
            Ok((html, rendered)) => {
                *body = Body {
                    bytes: html.into_bytes(),
                    charset: Some("utf-8".into()),
                    rendered: Some(Box::new(rendered)),
                    render_fallback: None,
                };
            }
            Err(RenderError::Launch(message)) => {
                // Without a browser the page is still checked, statically.
                self.give_up(message);
            }
            Err(error) => {
                body.render_fallback =
                    Some(RenderFallback { reason, kind: error.kind().to_string(), message: error.to_string() });
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
        let launch = |e: &dyn std::fmt::Display| RenderError::Launch(e.to_string());
        let proxy = proxy::Proxy::start(self.lookups.clone()).await.map_err(|e| launch(&e))?;
        let process =
            chromium::launch(&self.settings.chromium, viewport, proxy.deny_port).await.map_err(|e| launch(&e))?;
        let connection = Connection::connect(&process.ws_url).await.map_err(|e| launch(&e))?;
        // Downloads are refused everywhere: a page cannot write to the disk.
        let deny = json!({ "behavior": "deny" });
        connection.call(None, "Browser.setDownloadBehavior", deny, COMMAND_TIMEOUT).await.map_err(|e| launch(&e))?;
        let mut contexts = Vec::new();
        for access in [Access::Public, Access::Private] {
            let params = json!({
                "proxyServer": format!("http://127.0.0.1:{}", proxy.port_for(access)),
                "proxyBypassList": "<-loopback>",
            });
            let created = connection.call(None, "Target.createBrowserContext", params, COMMAND_TIMEOUT).await;
            let id = created.map_err(|e| launch(&e))?["browserContextId"].as_str().unwrap_or_default().to_string();
            let deny = json!({ "behavior": "deny", "browserContextId": id });
            connection
                .call(None, "Browser.setDownloadBehavior", deny, COMMAND_TIMEOUT)
                .await
                .map_err(|e| launch(&e))?;
            contexts.push((access, id));
        }
        let browser = Arc::new(Browser {
            connection,
            idle: Mutex::new(Vec::new()),
            contexts,
            memory_exceeded: Default::default(),
            keyboard: Default::default(),
            process,
            _proxy: proxy,
        });
        tokio::spawn(watch_memory(Arc::downgrade(&browser), self.settings.memory_budget));
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
        // Stopping: pages not yet in the browser are judged as served, at once.
        if let Some(signal) = crate::interrupt::requested() {
            return Err(RenderError::Interrupted(crate::interrupt::name(signal)));
        }
        let browser = self.browser().await?;
        let t0 = std::time::Instant::now();
        let (mut tab, result) = match tokio::time::timeout_at(deadline, browser.tab(access, &self.settings)).await {
            Ok(Ok(mut tab)) => {
                trace("create", t0);
                let rendering = tab.render(document, reason, &self.settings, &self.lookups, deadline);
                let result = match tokio::time::timeout_at(deadline, rendering).await {
                    Ok(result) => result,
                    Err(_) => Err(RenderError::Deadline(self.settings.page_timeout.as_secs())),
                };
                (tab, result)
            }
            Ok(Err(error)) => return Err(error),
            Err(_) => return Err(RenderError::Deadline(self.settings.page_timeout.as_secs())),
        };
        // A page the browser was killed for (a canvas bomb) says so.
        let mut result = match result {
            Err(_) if browser.memory_exceeded.load(Ordering::SeqCst) => {
                Err(RenderError::Memory(self.settings.memory_budget / 1024 / 1024))
            }
            other => other,
        };
        // A tab whose page failed is closed, also after the deadline: a page stuck in a loop would
        // otherwise keep a core busy for the run. A tab that rendered its page serves the next one;
        // one left on virtual time by the reader's interactions does not.
        tab.pages += 1;
        if result.is_ok() && tab.reusable() && tab.pages < PAGES_PER_TAB {
            browser.keep(tab, self.settings.tabs);
        } else {
            tab.close().await;
        }
        // The home page's elder switch, pressed on a copy of the page in a tab of its own.
        if let Ok((_, rendered)) = &mut result {
            let measured = rendered.facts.scaling.as_ref().is_some_and(|s| s.base.is_some());
            if document.is_home && measured {
                self.press_switch(&browser, document, access, deadline, rendered).await;
            }
        }
        trace(&format!("TOTAL {}", document.url), t0);
        result
    }
}

impl Renderer {
    async fn press_switch(
        &self,
        browser: &Browser,
        document: &Document,
        access: Access,
        deadline: tokio::time::Instant,
        rendered: &mut Rendered,
    ) {
        let t = std::time::Instant::now();
        let pressed = match tokio::time::timeout_at(deadline, browser.tab(access, &self.settings)).await {
            Ok(Ok(copy)) => {
                let screenshot = rendered.screenshot.as_ref();
                let switch = copy.press_switch_on_copy(document, &self.settings, &self.lookups, deadline, screenshot);
                let pressed = switch.await;
                copy.close().await;
                pressed
            }
            Ok(Err(error)) => Err(format!("no tab for the elder switch: {error}")),
            Err(_) => Err("the page's time ran out before its elder switch was pressed".into()),
        };
        if let Some(scaling) = rendered.facts.scaling.as_mut() {
            match pressed {
                Ok(switch) => scaling.elder_switch = switch,
                Err(problem) => {
                    scaling.problem.get_or_insert(problem);
                }
            }
        }
        trace("switch", t);
    }
}

/// How often the browser's memory is measured.
const MEMORY_CHECK_EVERY: Duration = Duration::from_millis(250);

/// Kills the browser when it and its processes hold more than `budget` bytes: a page of huge
/// canvases grew it past 9 GB. Its pages in flight are then judged as served; the next page starts a
/// new browser.
async fn watch_memory(browser: std::sync::Weak<Browser>, budget: u64) {
    loop {
        tokio::time::sleep(MEMORY_CHECK_EVERY).await;
        let Some(browser) = browser.upgrade() else { return };
        if browser.connection.is_closed() {
            return;
        }
        let used = tokio::task::spawn_blocking({
            let browser = browser.clone();
            move || browser.process.memory()
        })
        .await
        .ok()
        .flatten();
        if used.is_some_and(|used| used > budget) {
            browser.memory_exceeded.store(true, Ordering::SeqCst);
            browser.process.kill();
            return;
        }
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
    /// A local site's folder: root-relative references resolve against it, as the static engine's
    /// do, and no other file is read.
    folder: Option<Arc<SiteFolder>>,
    /// About how many elements the page has as served (start tags).
    static_elements: usize,
    /// The site's home page: its elder switch is pressed.
    is_home: bool,
}
