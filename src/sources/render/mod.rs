//! Rendered mode: a page source's pages, run through headless Chromium before they are checked.
//!
//! A source hands each fetched page to [`Renderer::render_if_wanted`]. The page's own bytes (fetched
//! politely by the crawler, or read from the folder) are given to the browser in place of a second
//! navigation request; its scripts, stylesheets and images are loaded by the browser under the same
//! address rule as the crawler's requests (no link-local addresses ever, private ones only for a
//! site that is itself private). After load and a settle time the page's DOM, every element's
//! computed values and layout box, the boxes that moved in the next second, the media playing with
//! sound and a screenshot are taken; the page then flows on as bytes plus browser facts, and the
//! analysis stage judges what the browser showed. The renderer never judges.

pub mod cdp;
pub mod chromium;

use crate::sources::crawl::address::{self, Access};
use crate::sources::{Body, LoadFailure, PageParts};
use base64::Engine as _;
use cdp::{CdpError, Connection, Event};
use eldercheck_checks::page::rendered::BrowserFacts;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};
use url::Url;

const EXTRACT_JS: &str = include_str!("extract.js");
/// Runs before any script of every document of the tab. The Fetch domain, which applies the address
/// rule, does not see WebSocket, WebTransport or WebRTC connections, nor the requests of workers;
/// those APIs are switched off, so a page cannot reach a service the crawler may not. (Frames stay in
/// the page's process, `--disable-site-isolation-trials`, so their requests are seen.)
const GUARD_JS: &str = r#"(() => {
  const refuse = function () { throw new DOMException('switched off by eldercheck', 'SecurityError'); };
  for (const name of ['WebSocket', 'WebTransport', 'RTCPeerConnection', 'webkitRTCPeerConnection', 'Worker', 'SharedWorker']) {
    try { Object.defineProperty(window, name, { value: refuse, writable: false, configurable: false }); } catch (e) {}
  }
  try {
    if (navigator.serviceWorker) {
      Object.defineProperty(navigator.serviceWorker, 'register', { value: () => Promise.reject(new DOMException('switched off by eldercheck', 'SecurityError')) });
    }
  } catch (e) {}
  // What the page still has pending, for the settle time: one-shot timers due within a second and
  // when its DOM last changed (requests in flight are followed in the Network domain).
  try {
    let lastChange = performance.now();
    const timers = new Set();
    const settleTimer = window.setTimeout, forgetTimer = window.clearTimeout;
    // A second timer of the same delay, which runs right after the page's, marks it done: the
    // page's handler is left as it is, a function or a string of code (older sites' floats).
    window.setTimeout = function (handler, delay) {
      const id = settleTimer.apply(window, arguments);
      if (Number(delay || 0) <= 1000) {
        timers.add(id);
        settleTimer.call(window, () => timers.delete(id), delay);
      }
      return id;
    };
    window.clearTimeout = function (id) { timers.delete(id); return forgetTimer.call(window, id); };
    // CSS animations and transitions move boxes without changing the DOM: a page with boxes still
    // moving is watched for the whole settle time, which is how long movement is measured.
    // Properties that move a box (camelCase, as keyframes name them; a keyframe's own `offset`,
    // `easing` and `composite` are not properties). A transform moves it when it translates: a
    // spinning or pulsing icon stays where it is.
    const moves = /^(left|top|right|bottom|translate|margin|inset|offset[A-Z])/;
    const translates = /translate|matrix/i;
    const moving = (key, value) => moves.test(key) || (key === 'transform' && translates.test(String(value)));
    const movingAnimations = () => {
      const animations = document.getAnimations ? document.getAnimations() : [];
      // The first few hundred tell: one moving box is enough to keep watching.
      for (let i = 0; i < animations.length && i < 300; i++) {
        const animation = animations[i];
        if (animation.playState !== 'running' || !animation.effect || !animation.effect.getKeyframes) continue;
        const frames = animation.effect.getKeyframes();
        if (frames.some((frame) => Object.keys(frame).some((key) => moving(key, frame[key])))) return 1;
      }
      return 0;
    };
    new MutationObserver(() => { lastChange = performance.now(); })
      .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    Object.defineProperty(window, '__eldercheckPending', {
      value: () => [timers.size + movingAnimations(), performance.now() - lastChange],
    });
  } catch (e) {}
})();"#;
/// Pages one tab renders before it is closed and a fresh one opened. A tab keeps its renderer's
/// caches and heap from page to page; on the 50-page benchmark a tab kept for every page peaked at
/// 1.7–1.8 GiB (browser and eldercheck), a tab per 25 pages at 1.4 GiB, a new tab for every page
/// at 1.3 GiB but ~90 ms slower a page (opening and setting up a tab, a cold renderer).
const PAGES_PER_TAB: u32 = 25;
/// How long a page must have been still after load before it is read (see `Tab::settle`).
const QUIET: Duration = Duration::from_millis(50);
/// Screenshots are this wide at most (px); a desktop page is scaled down, a phone page is not.
const SCREENSHOT_WIDTH: f32 = 800.0;
/// Longest part of a page photographed, in CSS px: the top of a long page is where pop-ups live.
const SCREENSHOT_MAX_HEIGHT: f32 = 3000.0;
const SCREENSHOT_QUALITY: u32 = 60;
/// Browser restarts in one run before rendering is given up and pages are checked statically.
const MAX_RESTARTS: u32 = 5;
/// How long one protocol command may take (the page deadline also applies).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one picture may take. A 3,000 px picture of a heavy page takes ~0.1–0.5 s, of a page
/// animating 2,000 boxes on a slow machine ~5 s.
const PICTURE_TIMEOUT: Duration = Duration::from_secs(8);

pub use crate::options::RenderMode;

/// Why a page was rendered, as the report states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderReason {
    /// `--render always`.
    Always,
    /// The site's home page, where floating windows and elder-mode toolbars live.
    HomePage,
    HiddenUntilScriptsRun,
    EmptyAppRoot,
    NoscriptAsksForJavascript,
    LittleTextWithScripts,
}

impl RenderReason {
    fn of_static_dom(reason: &str) -> Option<RenderReason> {
        Some(match reason {
            "hidden_until_scripts_run" => RenderReason::HiddenUntilScriptsRun,
            "empty_app_root" => RenderReason::EmptyAppRoot,
            "noscript_asks_for_javascript" => RenderReason::NoscriptAsksForJavascript,
            "little_text_with_scripts" => RenderReason::LittleTextWithScripts,
            _ => return None,
        })
    }
}

/// A page screenshot stored in the results folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screenshot {
    /// Path relative to the results folder (`screens/….jpg`).
    pub file: String,
    /// Image size in px.
    pub width: u32,
    pub height: u32,
    /// Image px per CSS px.
    pub scale: f32,
}

/// What the browser added to a page.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub reason: RenderReason,
    pub facts: BrowserFacts,
    pub screenshot: Option<Screenshot>,
}

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
    pub resolve: Vec<(String, SocketAddr)>,
    pub max_body_bytes: usize,
    /// Language of the one notice the renderer may print.
    pub console_lang: eldercheck_checks::check::Lang,
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
        let tab = Tab {
            connection: c.clone(),
            target_id,
            session,
            access,
            last_page_loaded: false,
            pages: 0,
            pictures_stuck: AtomicBool::new(false),
        };
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
    browser: tokio::sync::Mutex<Option<Arc<Browser>>>,
    tabs: Semaphore,
    restarts: AtomicU32,
    /// Said once when rendering is given up.
    gave_up: Mutex<Option<String>>,
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
    pub fn new(settings: RenderSettings) -> Renderer {
        let tabs = Semaphore::new(settings.tabs.max(1));
        Renderer {
            settings,
            browser: tokio::sync::Mutex::new(None),
            tabs,
            restarts: AtomicU32::new(0),
            gave_up: Mutex::new(None),
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
    pub async fn render_if_wanted(&self, parts: &mut PageParts, access: Access) {
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
            let console = crate::i18n::strings(self.settings.console_lang);
            eprintln!(
                "{}",
                crate::i18n::say(console, &["console", "render_given_up"], &[("message", message.clone())])
            );
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
        let process = chromium::launch(&self.settings.chromium, viewport, &self.settings.resolve)
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
                let rendering = tab.render(document, reason, &self.settings);
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
        let reusable = tab.last_page_loaded && !tab.pictures_stuck.load(Ordering::Relaxed);
        if result.is_ok() && reusable && tab.pages < PAGES_PER_TAB {
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

/// A tab's event handler and subscription, ended however the rendering ends (a deadline drops the
/// rendering mid-way: a detached handler would live on with its session).
struct Listening {
    handler: tokio::task::JoinHandle<()>,
    connection: Arc<Connection>,
    session: String,
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.handler.abort();
        self.connection.unsubscribe(&self.session);
    }
}

/// One browser tab, attached and set up; it renders pages one after the other.
struct Tab {
    connection: Arc<Connection>,
    target_id: String,
    session: String,
    access: Access,
    /// Whether the last page finished loading: a page still loading could send its events into the
    /// next page's, so its tab is closed instead.
    last_page_loaded: bool,
    /// Pages this tab has rendered.
    pages: u32,
    /// Whether a picture of the current page did not come within [`PICTURE_TIMEOUT`]: the page is
    /// judged without pictures, and the tab is not used again.
    pictures_stuck: AtomicBool,
}

/// What the tab's event handler saw.
#[derive(Default)]
struct Seen {
    loaded: bool,
    crashed: bool,
    dialogs: Vec<String>,
    /// When the page last asked for something (a script, image, frame, XHR).
    last_request: Option<tokio::time::Instant>,
    /// Requests started and not yet ended; `None` once more than [`MAX_FOLLOWED_REQUESTS`] were
    /// followed (the page then counts as busy until the settle time is up).
    in_flight: Option<std::collections::HashSet<String>>,
    /// Told when the page has loaded or crashed.
    news: Arc<tokio::sync::Notify>,
}

impl Seen {
    fn new() -> Seen {
        Seen { in_flight: Some(Default::default()), ..Default::default() }
    }

    fn nothing_in_flight(&self) -> bool {
        self.in_flight.as_ref().is_some_and(|f| f.is_empty())
    }

    /// A page that opens dialogs or windows in a loop is noted a few times, not without end.
    fn note_dialog(&mut self, kind: String) {
        if self.dialogs.len() < MAX_DIALOGS {
            self.dialogs.push(kind);
        }
    }
}

/// Requests of one page followed at once for the settle time.
const MAX_FOLLOWED_REQUESTS: usize = 10_000;
/// Dialogs and windows noted for one page.
const MAX_DIALOGS: usize = 50;

impl Tab {
    /// Closes the tab without waiting: a tab with requests still paused may take seconds to answer,
    /// and nothing depends on the answer.
    async fn close(&self) {
        let _ = self.connection.send(None, "Target.closeTarget", json!({ "targetId": self.target_id })).await;
    }

    /// What every page of the tab needs, sent once when the tab opens.
    async fn set_up(&self, settings: &RenderSettings) -> Result<(), RenderError> {
        let c = &self.connection;
        let s = Some(self.session.as_str());
        let (width, height) = settings.viewport;
        // Sent together: the browser applies them in order, and one round trip costs less than seven.
        let setup = [
            ("Page.enable", json!({})),
            (
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
            ),
            ("Inspector.enable", json!({})),
            // Requests in flight, for the settle time; bodies are not kept.
            ("Network.enable", json!({ "maxTotalBufferSize": 65536, "maxResourceBufferSize": 4096 })),
            // A background tab gets no focus events; pages that move focus (sentinels) need them.
            ("Emulation.setFocusEmulationEnabled", json!({ "enabled": true })),
            ("Page.addScriptToEvaluateOnNewDocument", json!({ "source": GUARD_JS })),
            // Connections the Fetch domain cannot see are not made at all (see GUARD_JS).
            ("Fetch.enable", json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] })),
            // Pop-ups the page opens show up as targets attached to this tab.
            ("Target.setAutoAttach", json!({ "autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true })),
        ];
        futures_util::future::try_join_all(
            setup.into_iter().map(|(method, params)| c.call(s, method, params, COMMAND_TIMEOUT)),
        )
        .await?;
        Ok(())
    }

    async fn render(
        &mut self,
        document: &Document,
        reason: RenderReason,
        settings: &RenderSettings,
    ) -> Result<(String, Rendered), RenderError> {
        let url = &document.url;
        let c = &self.connection;
        let session = self.session.clone();
        let events = c.subscribe(&session);
        let seen = Arc::new(Mutex::new(Seen::new()));
        let handler = tokio::spawn(handle_events(
            c.clone(),
            session.clone(),
            events,
            seen.clone(),
            document.clone(),
            self.access,
            settings.resolve.clone(),
        ));
        let _listening = Listening { handler, connection: c.clone(), session: session.clone() };
        let result = self.drive(&session, url, reason, settings, &seen).await;
        self.last_page_loaded = seen.lock().unwrap_or_else(|e| e.into_inner()).loaded;
        result
    }

    async fn drive(
        &self,
        session: &str,
        url: &Url,
        reason: RenderReason,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
    ) -> Result<(String, Rendered), RenderError> {
        let c = &self.connection;
        let s = Some(session);
        let t = std::time::Instant::now();
        let navigated = c.call(s, "Page.navigate", json!({ "url": url.as_str() }), COMMAND_TIMEOUT).await?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str).filter(|e| !e.is_empty()) {
            return Err(RenderError::Unreadable(format!("navigation failed: {error}")));
        }
        // The load event, or as much of the page as loaded in half the time a page may take.
        let wait_until = tokio::time::Instant::now() + settings.page_timeout / 2;
        let news = seen.lock().unwrap_or_else(|e| e.into_inner()).news.clone();
        loop {
            {
                let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                if seen.crashed {
                    return Err(RenderError::Crashed);
                }
                if seen.loaded {
                    break;
                }
            }
            if c.is_closed() {
                return Err(RenderError::Protocol(CdpError::Closed));
            }
            if tokio::time::Instant::now() >= wait_until {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(10), news.notified()).await;
        }
        trace("load", t);
        let t = std::time::Instant::now();
        // A page with nothing pending at load is photographed at once, while it is sampled and
        // watched (the picture then costs no time); any other page is photographed when the watch
        // ends, while its DOM is read. Should a page that went quiet change after its picture began,
        // or have grown, it is photographed again once it is read, so the picture always shows what
        // was judged. (The browser keeps the page's viewport as it is while it photographs beyond
        // it: reading the page meanwhile sees the page as the reader does.)
        let idle = seen.lock().unwrap_or_else(|e| e.into_inner()).nothing_in_flight()
            && tokio::time::timeout(QUIET, self.pending(session)).await.is_ok_and(|(pending, _)| pending == 0);
        let (watch_ended, watch_over) = tokio::sync::oneshot::channel::<bool>();
        let photograph = async {
            let folder = settings.screenshots.as_ref()?;
            let quiet = if idle { true } else { watch_over.await.ok()? };
            let started = tokio::time::Instant::now();
            let size = self.page_size(session).await?;
            let photo = self.screenshot(session, url, size, folder);
            let shot = if idle {
                // Not waited for longer than the page is watched: a page that is slow to
                // photograph is photographed once, after it is read.
                tokio::time::timeout(settings.settle.max(QUIET), photo).await.ok()?
            } else {
                photo.await
            };
            Some(Photo { shot, started, size, quiet })
        };
        let collect = format!("window.__eldercheck.collect({})", settings.max_body_bytes);
        let watch_and_read = async {
            // Positions are sampled at load and compared after the watch, which late scripts get too.
            let context = match self.prepare_world(session).await {
                Err(RenderError::Protocol(CdpError::Protocol { message, .. })) if message.contains("context") => {
                    self.settle(session, settings.settle, seen).await;
                    self.prepare_world(session).await.map_err(navigated_away)?
                }
                other => other?,
            };
            let quiet = self.settle(session, settings.settle, seen).await;
            self.freeze_animations(session, context).await;
            let _ = watch_ended.send(quiet);
            trace("settle", t);
            let read = std::time::Instant::now();
            let collected = self.evaluate(session, context, &collect).await;
            trace("read", read);
            match collected {
                Ok(collected) => Ok((false, context, collected)),
                // The page replaced itself during the settle time (a script redirect, `document.open`):
                // its world went with it. The new document is judged, without the movement sample.
                Err(RenderError::Protocol(CdpError::Protocol { message, .. })) if message.contains("context") => {
                    self.settle(session, settings.settle, seen).await;
                    let context = self.prepare_world(session).await.map_err(navigated_away)?;
                    let collected = self.evaluate(session, context, &collect).await.map_err(navigated_away)?;
                    Ok((true, context, collected))
                }
                Err(error) => Err(error),
            }
        };
        // A page that could not be read is not waited for to be photographed (a page that keeps
        // navigating away never finishes a picture).
        let ((replaced, context, collected), photographed) =
            tokio::try_join!(watch_and_read, async { Ok(photograph.await) })?;
        trace("watched", t);
        let photographed = match photographed {
            // A picture of the document the page replaced.
            Some(_) if replaced => None,
            // A page still busy when the watch ended would be just as busy in a second picture.
            Some(photo) if photo.quiet && self.changed_since(session, photo.started).await => None,
            other => other,
        };
        let t = std::time::Instant::now();
        let text = collected.as_str().ok_or_else(|| RenderError::Unreadable("no page data".into()))?;
        let extracted: Extracted = serde_json::from_str(text).map_err(|e| RenderError::Unreadable(e.to_string()))?;
        if let Some(length) = extracted.too_large {
            return Err(RenderError::TooLarge(length));
        }
        let mut facts = extracted.facts.unwrap_or_default();
        {
            let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.crashed {
                return Err(RenderError::Crashed);
            }
            facts.dialogs = seen.dialogs.clone();
        }
        trace("collect", t);
        let t = std::time::Instant::now();
        let read_size = (facts.viewport_width, facts.document_height);
        let pictured = |(width, height): (f32, f32)| (width, height.clamp(1.0, SCREENSHOT_MAX_HEIGHT));
        let screenshot = match (&settings.screenshots, photographed) {
            (Some(_), Some(photo)) if pictured(photo.size) == pictured(read_size) => photo.shot,
            (Some(folder), _) if !self.pictures_stuck.load(Ordering::Relaxed) => {
                self.screenshot(session, url, read_size, folder).await
            }
            _ => None,
        };
        trace("screenshot", t);
        let t = std::time::Instant::now();
        // After the DOM and the screenshot are taken: these briefly change what the page shows.
        if !self.pictures_stuck.load(Ordering::Relaxed) {
            self.measure_backdrops(session, context, &mut facts).await;
        }
        trace("backdrops", t);
        let t = std::time::Instant::now();
        self.probe_focus(session, context, &mut facts).await;
        trace("focus", t);
        Ok((extracted.html.unwrap_or_default(), Rendered { reason, facts, screenshot }))
    }

    /// Watches the page after load until it is quiet, [`QUIET`] long with no request in flight or
    /// started, no one-shot timer due within a second and no change to its DOM, or for `most` at most.
    /// A page with nothing left to do is read at once; one that keeps moving boxes or loading content
    /// is watched for the whole time, which is also how long movement is measured. Returns whether
    /// it went quiet.
    async fn settle(&self, session: &str, most: Duration, seen: &Arc<Mutex<Seen>>) -> bool {
        let started = tokio::time::Instant::now();
        let end = started + most;
        let poll = Duration::from_millis(10);
        while tokio::time::Instant::now() < end {
            let requests_quiet = {
                let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.nothing_in_flight() && seen.last_request.is_none_or(|at| at.elapsed() >= QUIET)
            };
            // A page too busy to answer the probe in the time left is not quiet.
            let left = end.saturating_duration_since(tokio::time::Instant::now());
            if requests_quiet && tokio::time::timeout(left, self.page_quiet(session)).await.unwrap_or(false) {
                return true;
            }
            tokio::time::sleep(poll.min(end.saturating_duration_since(tokio::time::Instant::now()))).await;
        }
        false
    }

    /// Pauses the page's CSS and Web Animations where they are, once movement has been measured:
    /// what is read, photographed and measured behind text is then one moment of the page, and a
    /// page animating thousands of boxes no longer makes every picture wait for its frames. (Each
    /// animation is paused: slowing the document's timeline to 0 over the protocol put animated
    /// boxes back where they started, hiding the movement just measured.)
    async fn freeze_animations(&self, session: &str, context: i64) {
        // Not asking each its state: that makes the browser restyle the page once per animation.
        let pause = "document.getAnimations().forEach((a) => a.pause()); 0";
        let _ = self.evaluate(session, context, pause).await;
    }

    /// Whether the page's own scripts have nothing pending (see GUARD_JS).
    async fn page_quiet(&self, session: &str) -> bool {
        let (pending, unchanged) = self.pending(session).await;
        pending == 0 && unchanged >= QUIET
    }

    /// Whether the page's DOM changed after `moment`; a page too busy to answer at once has.
    async fn changed_since(&self, session: &str, moment: tokio::time::Instant) -> bool {
        tokio::time::timeout(QUIET, self.pending(session))
            .await
            .map_or(true, |(_, unchanged)| unchanged < moment.elapsed())
    }

    /// What the page's scripts still have pending and how long its DOM has been unchanged. A page
    /// that replaced the probe, or a document without it, counts as quiet and unchanged: the settle
    /// time is a courtesy, not a rule.
    async fn pending(&self, session: &str) -> (u64, Duration) {
        let probe = "typeof window.__eldercheckPending === 'function' ? window.__eldercheckPending() : [0, 1e9]";
        let params = json!({ "expression": probe, "returnByValue": true });
        let Ok(reply) = self.connection.call(Some(session), "Runtime.evaluate", params, COMMAND_TIMEOUT).await else {
            return (0, Duration::MAX);
        };
        let value = &reply["result"]["value"];
        let pending = value[0].as_f64().filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0) as u64;
        let unchanged = value[1].as_f64().filter(|v| v.is_finite() && *v >= 0.0).unwrap_or(1e9);
        (pending, Duration::from_secs_f64(unchanged.min(1e9) / 1000.0))
    }

    /// The isolated world with the extraction script installed and the first position sample taken.
    async fn prepare_world(&self, session: &str) -> Result<i64, RenderError> {
        let context = self.isolated_world(session).await?;
        self.evaluate(session, context, &format!("window.__eldercheck = {EXTRACT_JS}; window.__eldercheck.sample()"))
            .await?;
        Ok(context)
    }

    /// The page's viewport width and height (CSS px), without asking the page.
    async fn page_size(&self, session: &str) -> Option<(f32, f32)> {
        let metrics =
            self.connection.call(Some(session), "Page.getLayoutMetrics", json!({}), COMMAND_TIMEOUT).await.ok()?;
        let dimension = |value: &Value| value.as_f64().filter(|v| v.is_finite()).map(|v| v as f32);
        Some((
            dimension(&metrics["cssLayoutViewport"]["clientWidth"])?,
            dimension(&metrics["cssContentSize"]["height"])?,
        ))
    }

    /// A JavaScript world of its own in the page's main frame: the page cannot tamper with it.
    async fn isolated_world(&self, session: &str) -> Result<i64, RenderError> {
        let c = &self.connection;
        let tree = c.call(Some(session), "Page.getFrameTree", json!({}), COMMAND_TIMEOUT).await?;
        let frame = tree["frameTree"]["frame"]["id"].as_str().unwrap_or_default().to_string();
        let world = c
            .call(
                Some(session),
                "Page.createIsolatedWorld",
                json!({ "frameId": frame, "worldName": "eldercheck", "grantUniveralAccess": false }),
                COMMAND_TIMEOUT,
            )
            .await?;
        world["executionContextId"].as_i64().ok_or_else(|| RenderError::Unreadable("no isolated world".into()))
    }

    async fn evaluate(&self, session: &str, context: i64, expression: &str) -> Result<Value, RenderError> {
        let reply = self
            .connection
            .call(
                Some(session),
                "Runtime.evaluate",
                json!({ "expression": expression, "contextId": context, "returnByValue": true }),
                COMMAND_TIMEOUT,
            )
            .await?;
        if let Some(exception) = reply.get("exceptionDetails") {
            let text = exception["exception"]["description"]
                .as_str()
                .or_else(|| exception["text"].as_str())
                .unwrap_or("exception")
                .chars()
                .take(300)
                .collect::<String>();
            return Err(RenderError::Unreadable(text));
        }
        Ok(reply["result"]["value"].clone())
    }

    /// Photographs text whose backdrop is not one colour (images, gradients, shadows) with and without
    /// its glyphs, and records the colour behind them. Failures leave the engine's verdict alone.
    async fn measure_backdrops(&self, session: &str, context: i64, facts: &mut BrowserFacts) {
        let Ok(list) = self.evaluate(session, context, "window.__eldercheck.backdropCandidates()").await else {
            return;
        };
        let Ok(candidates) = serde_json::from_str::<Vec<Candidate>>(list.as_str().unwrap_or("[]")) else { return };
        // One picture with all their glyphs and one without: a pair per element cost up to half a
        // second on pages with many, since a picture beyond the first screen lays the page out again.
        // Text further down than the page screenshot keeps the engine's verdict (review).
        // Within the page's width and the screenshot's height: the one picture of them all stays
        // bounded however far a page places its text.
        let page_width = f64::from(facts.viewport_width);
        let chosen: Vec<Candidate> = candidates
            .into_iter()
            .filter(|c| c.x >= 0.0 && c.x + c.width <= page_width && c.y + c.height <= f64::from(SCREENSHOT_MAX_HEIGHT))
            .collect();
        if chosen.is_empty() {
            return;
        }
        let left = chosen.iter().map(|c| c.x).fold(f64::INFINITY, f64::min).floor().max(0.0);
        let top = chosen.iter().map(|c| c.y).fold(f64::INFINITY, f64::min).floor().max(0.0);
        let right = chosen.iter().map(|c| c.x + c.width).fold(0.0, f64::max).ceil();
        let bottom = chosen.iter().map(|c| c.y + c.height).fold(0.0, f64::max).ceil();
        let clip = json!({ "x": left, "y": top, "width": right - left, "height": bottom - top, "scale": 1 });
        let beyond = !chosen.iter().all(|c| c.in_view);
        let ids = chosen.iter().map(|c| c.id.to_string()).collect::<Vec<_>>().join(",");
        let with_text = self.png(session, &clip, beyond).await;
        let hide = format!("[{ids}].forEach(window.__eldercheck.hideText); 0");
        let hidden = self.evaluate(session, context, &hide).await;
        let without_text = if hidden.is_ok() { self.png(session, &clip, beyond).await } else { None };
        let show = format!("[{ids}].forEach(window.__eldercheck.showText); 0");
        let _ = self.evaluate(session, context, &show).await;
        let (Some(with_text), Some(without_text)) = (with_text, without_text) else { return };
        for candidate in &chosen {
            let (x, y, width, height) = (candidate.x - left, candidate.y - top, candidate.width, candidate.height);
            let colour = backdrop_colour(&with_text.crop(x, y, width, height), &without_text.crop(x, y, width, height));
            if let Some(colour) = colour {
                if let Some(element) = facts.elements.iter_mut().find(|e| e.id == candidate.id) {
                    element.backdrop = Some(colour);
                }
            }
        }
    }

    /// One picture of the page, or `None`. Chromium 156 now and then never answers a picture (in
    /// one run of the render tests in six, a page photographed while its DOM was read): one that does not
    /// come in time leaves the page to be judged without pictures rather than to run into its
    /// deadline, and no later picture of this page or tab is asked for.
    async fn picture(&self, session: &str, params: Value) -> Option<Value> {
        if self.pictures_stuck.load(Ordering::Relaxed) {
            return None;
        }
        match self.connection.call(Some(session), "Page.captureScreenshot", params, PICTURE_TIMEOUT).await {
            Ok(shot) => Some(shot),
            Err(CdpError::Timeout { .. }) => {
                self.pictures_stuck.store(true, Ordering::Relaxed);
                None
            }
            Err(_) => None,
        }
    }

    async fn png(&self, session: &str, clip: &Value, beyond_viewport: bool) -> Option<Image> {
        let shot = self
            .picture(
                session,
                json!({ "format": "png", "clip": clip, "captureBeyondViewport": beyond_viewport, "optimizeForSpeed": true }),
            )
            .await?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str()?).ok()?;
        decode_png(&bytes)
    }

    /// Marks focusable elements inside aria-hidden whose focus the page moves elsewhere at once.
    async fn probe_focus(&self, session: &str, context: i64, facts: &mut BrowserFacts) {
        let Ok(list) = self.evaluate(session, context, "window.__eldercheck.focusProbe()").await else { return };
        let Ok(escapes) = serde_json::from_str::<Vec<u32>>(list.as_str().unwrap_or("[]")) else { return };
        for element in facts.elements.iter_mut().filter(|e| escapes.contains(&e.id)) {
            element.focus_escapes = true;
        }
    }

    /// A JPEG of the top of the page at viewport width, scaled to at most [`SCREENSHOT_WIDTH`].
    /// A page whose screenshot fails is still checked; it just has no picture.
    async fn screenshot(
        &self,
        session: &str,
        url: &Url,
        (viewport_width, page_height): (f32, f32),
        folder: &std::path::Path,
    ) -> Option<Screenshot> {
        let width = viewport_width.max(1.0);
        let height = page_height.clamp(1.0, SCREENSHOT_MAX_HEIGHT);
        let scale = (SCREENSHOT_WIDTH / width).min(1.0);
        let shot = self
            .picture(
                session,
                json!({
                    "format": "jpeg",
                    "quality": SCREENSHOT_QUALITY,
                    "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": scale },
                    "captureBeyondViewport": true,
                    "optimizeForSpeed": true,
                }),
            )
            .await?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str()?).ok()?;
        let name = format!("{}.jpg", screenshot_name(url));
        std::fs::create_dir_all(folder).ok()?;
        std::fs::write(folder.join(&name), bytes).ok()?;
        Some(Screenshot {
            file: format!("screens/{name}"),
            width: (width * scale).round() as u32,
            height: (height * scale).round() as u32,
            scale,
        })
    }
}

/// A picture of the page taken while it was watched or read.
struct Photo {
    /// `None` when the browser could not photograph the page: it is not asked again.
    shot: Option<Screenshot>,
    started: tokio::time::Instant,
    /// The viewport width and page height photographed.
    size: (f32, f32),
    /// Whether the page had gone quiet when it was photographed.
    quiet: bool,
}

#[derive(Deserialize)]
struct Candidate {
    id: u32,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    #[serde(default)]
    in_view: bool,
}

/// Decoded RGB pixels.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

impl Image {
    /// The pixels of a rectangle (in px from the top left, clamped to the picture).
    fn crop(&self, x: f64, y: f64, width: f64, height: f64) -> Image {
        let clamp = |v: f64, most: usize| (v.max(0.0) as usize).min(most);
        let (left, top) = (clamp(x.floor(), self.width), clamp(y.floor(), self.height));
        let (right, bottom) = (clamp((x + width).ceil(), self.width), clamp((y + height).ceil(), self.height));
        let rgb = (top..bottom).flat_map(|row| {
            self.rgb.get(row * self.width + left..row * self.width + right).into_iter().flatten().copied()
        });
        Image { width: right - left, height: bottom - top, rgb: rgb.collect() }
    }
}

fn decode_png(bytes: &[u8]) -> Option<Image> {
    let mut decoder =
        png::Decoder::new_with_limits(std::io::Cursor::new(bytes), png::Limits { bytes: 32 * 1024 * 1024 });
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    let mut buffer = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buffer).ok()?;
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        _ => return None,
    };
    let (width, height) = (info.width as usize, info.height as usize);
    let rgb = (0..height)
        .flat_map(|row| (0..width).map(move |column| row * info.line_size + column * channels))
        .filter_map(|at| buffer.get(at..at + 3).map(|p| [p[0], p[1], p[2]]))
        .collect();
    Some(Image { width, height, rgb })
}

/// The colour behind the glyphs: among the pixels where the picture with text differs from the one
/// without, the median (by luminance) of the picture without. `None` when the glyphs left no mark.
fn backdrop_colour(with_text: &Image, without_text: &Image) -> Option<String> {
    if with_text.width != without_text.width || with_text.height != without_text.height {
        return None;
    }
    let mut behind: Vec<[u8; 3]> = with_text
        .rgb
        .iter()
        .zip(&without_text.rgb)
        .filter(|(a, b)| a.iter().zip(b.iter()).map(|(x, y)| x.abs_diff(*y) as u32).sum::<u32>() > 48)
        .map(|(_, b)| *b)
        .collect();
    if behind.len() < 4 {
        return None;
    }
    let luminance = |p: &[u8; 3]| 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]);
    behind.sort_unstable_by_key(luminance);
    let [r, g, b] = behind[behind.len() / 2];
    Some(format!("rgb({r}, {g}, {b})"))
}

/// The page replaced its document again while it was being read (a redirect loop, a reload).
fn navigated_away(error: RenderError) -> RenderError {
    match error {
        RenderError::Protocol(CdpError::Protocol { .. }) => RenderError::NavigatedAway,
        other => other,
    }
}

/// A screenshot's file name: a digest of the page URL, the same in every shard of a batch.
fn screenshot_name(url: &Url) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(url.as_str().as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct Extracted {
    html: Option<String>,
    facts: Option<BrowserFacts>,
    too_large: Option<u64>,
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

/// Answers the tab's events while the page renders: serves the document, applies the address rule
/// to every other request, dismisses dialogs and closes pop-up windows (noting both), and notes
/// the load event and crashes. Never waits for a reply (see [`Connection::send`]).
async fn handle_events(
    c: Arc<Connection>,
    session: String,
    mut events: mpsc::Receiver<Event>,
    seen: Arc<Mutex<Seen>>,
    document: Document,
    access: Access,
    resolve: Vec<(String, SocketAddr)>,
) {
    // A local page is read by the browser itself, with the files beside it.
    let local = document.url.scheme() == "file";
    let mut served = local;
    while let Some(Event { method, params }) = events.recv().await {
        match method.as_str() {
            "Page.loadEventFired" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.loaded = true;
                seen.news.notify_one();
            }
            "Network.requestWillBeSent" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.last_request = Some(tokio::time::Instant::now());
                if seen.in_flight.as_ref().is_some_and(|f| f.len() >= MAX_FOLLOWED_REQUESTS) {
                    seen.in_flight = None;
                }
                if let (Some(in_flight), Some(id)) = (seen.in_flight.as_mut(), params["requestId"].as_str()) {
                    in_flight.insert(id.to_string());
                }
            }
            "Network.loadingFinished" | "Network.loadingFailed" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                if let (Some(in_flight), Some(id)) = (seen.in_flight.as_mut(), params["requestId"].as_str()) {
                    in_flight.remove(id);
                }
            }
            "Inspector.targetCrashed" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.crashed = true;
                seen.news.notify_one();
            }
            "Page.javascriptDialogOpening" => {
                let kind = params["type"].as_str().unwrap_or("alert").to_string();
                seen.lock().unwrap_or_else(|e| e.into_inner()).note_dialog(kind);
                let _ = c.send(Some(&session), "Page.handleJavaScriptDialog", json!({ "accept": true })).await;
            }
            "Target.attachedToTarget" => {
                let info = &params["targetInfo"];
                if info["type"].as_str() == Some("page") {
                    seen.lock().unwrap_or_else(|e| e.into_inner()).note_dialog("window.open".into());
                    if let Some(id) = info["targetId"].as_str() {
                        let (c, id) = (c.clone(), id.to_string());
                        tokio::spawn(async move {
                            let _ =
                                c.call(None, "Target.closeTarget", json!({ "targetId": id }), COMMAND_TIMEOUT).await;
                        });
                    }
                }
            }
            "Fetch.requestPaused" => {
                let request_id = params["requestId"].as_str().unwrap_or_default().to_string();
                let requested = params["request"]["url"].as_str().unwrap_or_default();
                let is_document = !served
                    && params["resourceType"].as_str() == Some("Document")
                    && Url::parse(requested).is_ok_and(|mut u| {
                        u.set_fragment(None);
                        let mut ours = document.url.clone();
                        ours.set_fragment(None);
                        u == ours
                    });
                if is_document {
                    served = true;
                    let content_type = match &document.body.charset {
                        Some(charset) => format!("text/html; charset={charset}"),
                        None => "text/html".to_string(),
                    };
                    let body = base64::engine::general_purpose::STANDARD.encode(&document.body.bytes);
                    let params = json!({
                        "requestId": request_id,
                        "responseCode": document.status.filter(|s| (200..600).contains(s)).unwrap_or(200),
                        "responseHeaders": [{ "name": "Content-Type", "value": content_type }],
                        "body": body,
                    });
                    let _ = c.send(Some(&session), "Fetch.fulfillRequest", params).await;
                    continue;
                }
                let (c, session) = (c.clone(), session.clone());
                if local && requested.starts_with("file:") {
                    let (requested, site_root) = (requested.to_string(), document.site_root.clone());
                    tokio::spawn(async move {
                        let (method, params) = local_file_answer(&request_id, &requested, site_root.as_ref()).await;
                        let _ = c.send(Some(&session), method, params).await;
                    });
                    continue;
                }
                // Most requests are decided at once; only a host not looked up yet waits, on its own.
                match decided_now(requested, access, &resolve) {
                    Ok(allowed) => {
                        let (method, params) = rule_answer(&request_id, allowed);
                        let _ = c.send(Some(&session), method, params).await;
                    }
                    Err(host) => {
                        let resolve = resolve.clone();
                        tokio::spawn(async move {
                            let allowed = allowed_once_looked_up(&host, access, &resolve).await;
                            let (method, params) = rule_answer(&request_id, allowed);
                            let _ = c.send(Some(&session), method, params).await;
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

fn rule_answer(request_id: &str, allowed: bool) -> (&'static str, Value) {
    if allowed {
        ("Fetch.continueRequest", json!({ "requestId": request_id }))
    } else {
        ("Fetch.failRequest", json!({ "requestId": request_id, "errorReason": "BlockedByClient" }))
    }
}

/// Largest local file served to the browser.
const MAX_LOCAL_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where a local page's `file:` request is read from: inside the site folder as it is, and a
/// root-relative reference (`/css/site.css`, which the browser makes `file:///css/site.css`) inside
/// the site folder, as a web server would serve it. `None` for anything else: other files on the
/// machine, and `file://host/…` (what a protocol-relative `//cdn.example.com/a.js` becomes in a saved
/// page: a remote resource, and on Linux a lookup that can stall the page's load for seconds).
fn local_file_for(requested: &Url, root: &Url) -> Option<std::path::PathBuf> {
    if requested.scheme() != "file" || requested.host_str().is_some_and(|h| !h.is_empty()) {
        return None;
    }
    let root = root.to_file_path().ok()?;
    let path = requested.to_file_path().ok()?;
    if path.starts_with(&root) {
        return Some(path);
    }
    let relative = path.strip_prefix("/").ok()?;
    Some(root.join(relative)).filter(|p| p.starts_with(&root))
}

/// The answer to a local page's `file:` request: the file it maps to, or a failure.
async fn local_file_answer(request_id: &str, requested: &str, root: Option<&Url>) -> (&'static str, Value) {
    let fail = ("Fetch.failRequest", json!({ "requestId": request_id, "errorReason": "BlockedByClient" }));
    let (Ok(url), Some(root)) = (Url::parse(requested), root) else { return fail };
    let Some(path) = local_file_for(&url, root) else { return fail };
    // A file inside the folder is read by the browser itself; only a root-relative reference, which the
    // browser would look for at the top of the disk, is served from the folder here.
    if url.to_file_path().is_ok_and(|asked| asked == path) {
        return ("Fetch.continueRequest", json!({ "requestId": request_id }));
    }
    let read = tokio::task::spawn_blocking(move || {
        // Regular files only: a device or a pipe in the folder is never read.
        std::fs::metadata(&path).ok().filter(|m| m.is_file() && m.len() <= MAX_LOCAL_FILE_BYTES)?;
        let bytes = std::fs::read(&path).ok()?;
        Some((bytes, content_type(&path)))
    })
    .await;
    let Ok(Some((bytes, kind))) = read else { return fail };
    (
        "Fetch.fulfillRequest",
        json!({
            "requestId": request_id,
            "responseCode": 200,
            "responseHeaders": [{ "name": "Content-Type", "value": kind }],
            "body": base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
    )
}

fn content_type(path: &std::path::Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// The address rule for a host that had to be looked up first.
async fn allowed_once_looked_up(host: &str, access: Access, resolve: &[(String, SocketAddr)]) -> bool {
    allowed_addresses(&address::addresses_of(host, resolve).await, access)
}

/// The address rule's answer when it needs no lookup, or the host whose lookup decides it.
fn decided_now(requested: &str, access: Access, resolve: &[(String, SocketAddr)]) -> Result<bool, String> {
    match Target::of(requested) {
        Target::Decided(allowed) => Ok(allowed),
        Target::Host(host) => match address::addresses_known(&host, resolve) {
            Some(addresses) => Ok(allowed_addresses(&addresses, access)),
            None => Err(host),
        },
    }
}

/// What a requested URL asks the address rule.
enum Target {
    /// Decided by the URL alone: schemes without a network request are allowed, the rest refused.
    Decided(bool),
    /// An http(s) host whose addresses decide.
    Host(String),
}

impl Target {
    fn of(requested: &str) -> Target {
        let Ok(url) = Url::parse(requested) else { return Target::Decided(false) };
        if !matches!(url.scheme(), "http" | "https") {
            return Target::Decided(matches!(url.scheme(), "data" | "blob"));
        }
        match url.host_str() {
            Some(host) => Target::Host(host.to_string()),
            None => Target::Decided(false),
        }
    }
}

fn allowed_addresses(addresses: &[std::net::IpAddr], access: Access) -> bool {
    !addresses.is_empty() && addresses.iter().all(|ip| access.allows(*ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crawler's address rule for a request the page's scripts, styles or markup make, as the
    /// tab's event handler applies it.
    async fn request_allowed(requested: &str, access: Access, resolve: &[(String, SocketAddr)]) -> bool {
        match decided_now(requested, access, resolve) {
            Ok(allowed) => allowed,
            Err(host) => allowed_once_looked_up(&host, access, resolve).await,
        }
    }

    #[tokio::test]
    async fn the_address_rule_applies_to_the_pages_own_requests() {
        assert!(!request_allowed("http://169.254.169.254/latest/meta-data/", Access::Private, &[]).await);
        assert!(!request_allowed("http://127.0.0.1:8080/admin", Access::Public, &[]).await);
        assert!(request_allowed("http://127.0.0.1:8080/app.js", Access::Private, &[]).await);
        assert!(!request_allowed("file:///etc/passwd", Access::Private, &[]).await);
        assert!(!request_allowed("not a url", Access::Private, &[]).await);
        let mapped = [("intranet.example".to_string(), "10.1.2.3:80".parse().expect("addr"))];
        assert!(!request_allowed("http://intranet.example/a.js", Access::Public, &mapped).await);
        assert!(request_allowed("http://intranet.example/b.js", Access::Private, &mapped).await);
    }

    #[test]
    fn a_crop_keeps_the_pixels_of_its_rectangle() {
        let picture = Image { width: 3, height: 2, rgb: (0..6).map(|v| [v, v, v]).collect() };
        let crop = picture.crop(0.5, 0.2, 1.0, 0.9);
        assert_eq!((crop.width, crop.height), (2, 2));
        assert_eq!(crop.rgb, vec![[0; 3], [1; 3], [3; 3], [4; 3]]);
        let outside = picture.crop(5.0, 5.0, 4.0, 4.0);
        assert_eq!((outside.width, outside.height, outside.rgb.len()), (0, 0, 0));
    }

    #[test]
    fn the_backdrop_is_read_where_the_glyphs_were() {
        let grey = [0x73, 0x73, 0x73];
        let mut with_text = Image { width: 4, height: 2, rgb: vec![grey; 8] };
        let mut without_text = Image { width: 4, height: 2, rgb: vec![grey; 8] };
        // Black glyph pixels over a white halo at three places; the rest is the plain grey box.
        for at in [1, 2, 5] {
            with_text.rgb[at] = [0, 0, 0];
            without_text.rgb[at] = [250, 250, 250];
        }
        with_text.rgb[6] = [10, 10, 10];
        without_text.rgb[6] = [240, 240, 240];
        assert_eq!(backdrop_colour(&with_text, &without_text).as_deref(), Some("rgb(250, 250, 250)"));
        let blank = Image { width: 4, height: 2, rgb: vec![grey; 8] };
        assert_eq!(backdrop_colour(&blank, &blank), None, "no glyphs, no backdrop");
    }

    #[test]
    fn local_pages_read_their_own_folder_only() {
        let root = Url::parse("file:///srv/site/").expect("url");
        let file = |u: &str| local_file_for(&Url::parse(u).expect("url"), &root);
        assert_eq!(file("file:///srv/site/css/a.css"), Some("/srv/site/css/a.css".into()));
        assert_eq!(file("file:///css/site.css"), Some("/srv/site/css/site.css".into()), "root-relative");
        assert_eq!(file("file:///srv/site/../../etc/passwd"), Some("/srv/site/etc/passwd".into()));
        assert_eq!(file("file://www.google-analytics.com/analytics.js"), None);
        assert_eq!(file("https://example.com/a.js"), None);
    }

    #[test]
    fn screenshot_names_depend_only_on_the_url() {
        let a = Url::parse("https://www.example.gov.cn/").expect("url");
        let b = Url::parse("https://www.example.gov.cn/a.html").expect("url");
        assert_eq!(screenshot_name(&a), screenshot_name(&a));
        assert_ne!(screenshot_name(&a), screenshot_name(&b));
        assert_eq!(screenshot_name(&a).len(), 24);
    }
}
