//! Driving one browser tab through one page: navigate to the served document, wait for load,
//! watch it until it is quiet (movement sampled), read its DOM and the browser's facts in a world of
//! our own, and take the pictures (`capture`). A tab renders pages one after another.

use super::capture::{Photo, SCREENSHOT_MAX_HEIGHT};
use super::cdp::{CdpError, Connection};
use super::intercept::{handle_events, Seen};
use super::{trace, Document, RenderError, RenderSettings, COMMAND_TIMEOUT};
use crate::net::address::Access;
use crate::net::lookups::Lookups;
use crate::sources::{RenderReason, Rendered};
use eldercheck_checks::page::rendered::BrowserFacts;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

const EXTRACT_JS: &str = include_str!("js/extract.js");
/// Runs before any script of every document of the tab (see the file).
const GUARD_JS: &str = include_str!("js/guard.js");
/// The longest a read waits for playing media to be heard (see `Tab::listen_to_media`).
const LISTEN_MOST: Duration = Duration::from_millis(1500);

/// How long a page must have been still after load before it is read (see `Tab::settle`).
pub(super) const QUIET: Duration = Duration::from_millis(50);

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
pub(super) struct Tab {
    pub(super) connection: Arc<Connection>,
    target_id: String,
    pub(super) session: String,
    pub(super) access: Access,
    /// Whether the last page finished loading: a page still loading could send its events into the
    /// next page's, so its tab is closed instead.
    last_page_loaded: bool,
    /// Pages this tab has rendered.
    pub(super) pages: u32,
    /// Whether a picture of the current page did not come within the picture timeout: the page is
    /// judged without pictures, and the tab is not used again.
    pub(super) pictures_stuck: AtomicBool,
    /// Whether the page is changed from how it loaded (text size, viewport, an elder switch
    /// pressed) and not yet put back: such a tab renders no other page.
    state_changed: AtomicBool,
    /// Held while this tab's page is walked with the keyboard: two tabs of one browser taking keys
    /// at once disturb each other's focus (a trap's timers then fire out of step).
    pub(super) keyboard: Arc<tokio::sync::Mutex<()>>,
}

/// What the page gave when it was read: its DOM (serialised) and the browser's facts.
#[derive(Deserialize)]
struct Extracted {
    /// The address of the document that was read.
    #[serde(default)]
    location: String,
    html: Option<String>,
    facts: Option<BrowserFacts>,
    too_large: Option<u64>,
}

/// Pages this large as served (start tags) that keep fewer than a fifth of their elements in the
/// browser wiped themselves (`document.write(location.host)`-style scripts against copies).
const WIPED_MIN_ELEMENTS: usize = 30;

/// Whether what the browser read is the page that was served: not Chromium's error page, not a
/// document the page navigated to, not a page that replaced most of itself.
fn not_the_page(document: &Document, location: &str, replaced: bool, elements: usize) -> Option<RenderError> {
    if location.starts_with("chrome-error:") {
        let message = "the page's scripts led the browser to an address it may not or cannot load; \
                       the browser showed its error page instead"
            .to_string();
        return Some(RenderError::NotThePage { kind: "error_page", message });
    }
    let without_fragment = |text: &str| text.split('#').next().unwrap_or_default().to_string();
    if replaced && without_fragment(location) != without_fragment(document.url.as_str()) {
        let shown: String = location.chars().take(200).collect();
        let message = format!("the page's scripts took the browser to another address ({shown})");
        return Some(RenderError::NotThePage { kind: "navigated_away", message });
    }
    if document.static_elements >= WIPED_MIN_ELEMENTS && elements < 10_000 && elements * 5 < document.static_elements {
        let message = format!(
            "the page's scripts removed most of it in the browser ({elements} of about {} elements left)",
            document.static_elements
        );
        return Some(RenderError::NotThePage { kind: "wiped", message });
    }
    None
}

/// Whether a viewport this wide is a phone's (touch, mobile layout rules).
pub(super) fn is_phone(width: u32) -> bool {
    width < 600
}

/// The viewport a tab lays its pages out in, as `Emulation.setDeviceMetricsOverride` takes it.
pub(super) fn device_metrics(width: u32, height: u32, mobile: bool) -> Value {
    json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile })
}

/// The page as read after the watch.
struct Read {
    /// The page replaced its document while it was watched: the new one was read.
    replaced: bool,
    /// The isolated world the page was read in.
    context: i64,
    collected: Value,
}

/// The page replaced its document again while it was being read (a redirect loop, a reload).
fn navigated_away(error: RenderError) -> RenderError {
    match error {
        RenderError::Protocol(CdpError::Protocol { .. }) => RenderError::NavigatedAway,
        other => other,
    }
}

/// Whether a protocol error says the page's JavaScript world is gone (the page replaced itself).
fn world_gone(error: &RenderError) -> bool {
    matches!(error, RenderError::Protocol(CdpError::Protocol { message, .. }) if message.contains("context"))
}

impl Tab {
    pub(super) fn new(
        connection: Arc<Connection>,
        target_id: String,
        session: String,
        access: Access,
        keyboard: Arc<tokio::sync::Mutex<()>>,
    ) -> Tab {
        Tab {
            connection,
            target_id,
            session,
            access,
            last_page_loaded: false,
            pages: 0,
            pictures_stuck: AtomicBool::new(false),
            state_changed: AtomicBool::new(false),
            keyboard,
        }
    }

    /// Whether the tab may render another page: its last page loaded and its pictures came.
    pub(super) fn reusable(&self) -> bool {
        self.last_page_loaded
            && !self.pictures_stuck.load(Ordering::Relaxed)
            && !self.state_changed.load(Ordering::Relaxed)
    }

    pub(super) fn set_state_changed(&self, changed: bool) {
        self.state_changed.store(changed, Ordering::Relaxed);
    }

    /// Waits for the page to be quiet, at most `most` (see [`Tab::settle`]).
    pub(super) async fn settle_for(&self, most: Duration, seen: &Arc<Mutex<Seen>>) -> bool {
        self.settle(most, seen).await
    }

    /// Closes the tab without waiting: a tab with requests still paused may take seconds to answer,
    /// and nothing depends on the answer.
    pub(super) async fn close(&self) {
        let _ = self.connection.send(None, "Target.closeTarget", json!({ "targetId": self.target_id })).await;
    }

    /// What every page of the tab needs, sent once when the tab opens.
    pub(super) async fn set_up(&self, settings: &RenderSettings) -> Result<(), RenderError> {
        let c = &self.connection;
        let s = Some(self.session.as_str());
        let (width, height) = settings.viewport;
        // Sent together: the browser applies them in order, and one round trip costs less than seven.
        let setup = [
            ("Page.enable", json!({})),
            ("Emulation.setDeviceMetricsOverride", device_metrics(width, height, is_phone(width))),
            ("Inspector.enable", json!({})),
            // Requests in flight, for the settle time; bodies are not kept.
            ("Network.enable", json!({ "maxTotalBufferSize": 65536, "maxResourceBufferSize": 4096 })),
            // A background tab gets no focus events; pages that move focus (sentinels) need them.
            ("Emulation.setFocusEmulationEnabled", json!({ "enabled": true })),
            ("Page.addScriptToEvaluateOnNewDocument", json!({ "source": GUARD_JS })),
            // Connections the Fetch domain cannot see are not made at all (see js/guard.js).
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

    /// Runs `work` on this tab with its events answered (the document served from the source's
    /// bytes, the address rule, dialogs) into a fresh [`Seen`], ended with it.
    pub(super) async fn watched<'a, T, F, W>(&'a self, document: &Document, lookups: &Arc<Lookups>, work: W) -> T
    where
        W: FnOnce(Arc<Mutex<Seen>>) -> F,
        F: std::future::Future<Output = T> + 'a,
    {
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
            lookups.clone(),
        ));
        let _listening = Listening { handler, connection: c.clone(), session };
        work(seen).await
    }

    pub(super) async fn render(
        &mut self,
        document: &Document,
        reason: RenderReason,
        settings: &RenderSettings,
        lookups: &Arc<Lookups>,
        deadline: tokio::time::Instant,
    ) -> Result<(String, Rendered), RenderError> {
        let this = &*self;
        let (result, loaded) = this
            .watched(document, lookups, |seen| async move {
                let result = this.drive(document, reason, settings, &seen, deadline).await;
                let loaded = seen.lock().unwrap_or_else(|e| e.into_inner()).loaded;
                (result, loaded)
            })
            .await;
        self.last_page_loaded = loaded;
        result
    }

    /// Loads the page, watches and reads it (photographed meanwhile), then takes what needs the page
    /// to hold still: the screenshot if the first one no longer shows it, backdrops, focus probes.
    async fn drive(
        &self,
        document: &Document,
        reason: RenderReason,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
        deadline: tokio::time::Instant,
    ) -> Result<(String, Rendered), RenderError> {
        let (session, url) = (self.session.as_str(), &document.url);
        let t = std::time::Instant::now();
        self.load(url, settings, seen).await?;
        trace("load", t);
        let t = std::time::Instant::now();
        let (read, photographed) = self.watch_and_read(url, settings, seen).await?;
        trace("watched", t);
        let photographed = match photographed {
            // A picture of the document the page replaced.
            Some(_) if read.replaced => None,
            // A page still busy when the watch ended would be just as busy in a second picture.
            Some(photo) if photo.quiet && self.changed_since(photo.started).await => None,
            other => other,
        };
        let t = std::time::Instant::now();
        let text = read.collected.as_str().ok_or_else(|| RenderError::Unreadable("no page data".into()))?;
        let extracted: Extracted = serde_json::from_str(text).map_err(|e| RenderError::Unreadable(e.to_string()))?;
        if let Some(length) = extracted.too_large {
            return Err(RenderError::TooLarge(length));
        }
        let mut facts = extracted.facts.unwrap_or_default();
        if let Some(problem) = not_the_page(document, &extracted.location, read.replaced, facts.elements.len()) {
            return Err(problem);
        }
        {
            let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.crashed {
                return Err(RenderError::Crashed);
            }
            facts.dialogs = seen.dialogs.clone();
            facts.failed_stylesheets = seen.failed_stylesheets.clone();
            facts.failed_images = seen.failed_images.clone();
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
            self.measure_backdrops(session, read.context, &mut facts).await;
        }
        trace("backdrops", t);
        let t = std::time::Instant::now();
        self.probe_focus(session, read.context, &mut facts).await;
        trace("focus", t);
        let t = std::time::Instant::now();
        // Last: these change the page (text size, viewport, the elder switch) and put it back.
        let scaling = self.measure_scaling(document, read.context, settings, deadline).await;
        facts.scaling = Some(scaling);
        trace("scaling", t);
        // Then the reader's own use of it: keyboard, pop-ups, moving content (the page is left on
        // virtual time; the home page's elder switch is pressed on a fresh copy, by the renderer).
        let interactions = self.interact(document, read.context, &facts, settings, seen, deadline).await;
        facts.interactions = Some(interactions);
        Ok((extracted.html.unwrap_or_default(), Rendered { reason, facts, screenshot }))
    }

    /// Navigates to the page and waits for its load event, or for as much of the page as loaded in
    /// half the time a page may take.
    pub(super) async fn load(
        &self,
        url: &Url,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
    ) -> Result<(), RenderError> {
        let c = &self.connection;
        let navigated =
            c.call(Some(&self.session), "Page.navigate", json!({ "url": url.as_str() }), COMMAND_TIMEOUT).await?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str).filter(|e| !e.is_empty()) {
            return Err(RenderError::Unreadable(format!("navigation failed: {error}")));
        }
        if let (Some(frame), Some(loader)) = (navigated["frameId"].as_str(), navigated["loaderId"].as_str()) {
            seen.lock().unwrap_or_else(|e| e.into_inner()).document = Some((frame.to_string(), loader.to_string()));
        }
        let wait_until = tokio::time::Instant::now() + settings.page_timeout / 2;
        let news = seen.lock().unwrap_or_else(|e| e.into_inner()).news.clone();
        loop {
            {
                let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                if seen.crashed {
                    return Err(RenderError::Crashed);
                }
                if seen.loaded {
                    return Ok(());
                }
            }
            if c.is_closed() {
                return Err(RenderError::Protocol(CdpError::Closed));
            }
            if tokio::time::Instant::now() >= wait_until {
                return Ok(());
            }
            let _ = tokio::time::timeout(Duration::from_millis(10), news.notified()).await;
        }
    }

    /// Watches the loaded page until it is quiet and reads it, photographing it meanwhile. A page
    /// with nothing pending at load is photographed at once, while it is sampled and watched (the
    /// picture then costs no time); any other page is photographed when the watch ends, while its
    /// DOM is read. Should a page that went quiet change after its picture began, or have grown, it
    /// is photographed again once it is read (by the caller), so the picture always shows what was
    /// judged. (The browser keeps the page's viewport as it is while it photographs beyond it:
    /// reading the page meanwhile sees the page as the reader does.)
    async fn watch_and_read(
        &self,
        url: &Url,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
    ) -> Result<(Read, Option<Photo>), RenderError> {
        let session = self.session.as_str();
        let idle = seen.lock().unwrap_or_else(|e| e.into_inner()).nothing_in_flight()
            && tokio::time::timeout(QUIET, self.pending()).await.is_ok_and(|(pending, _)| pending == 0);
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
        // A page that could not be read is not waited for to be photographed (a page that keeps
        // navigating away never finishes a picture).
        tokio::try_join!(self.watch_then_read(settings, seen, watch_ended), async { Ok(photograph.await) })
    }

    /// Samples positions, watches until quiet (telling `watch_ended` whether it went quiet), pauses
    /// animations and reads the page. A page that replaced itself meanwhile (a script redirect,
    /// `document.open`) lost its world with it: the new document is read, without the movement sample.
    async fn watch_then_read(
        &self,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
        watch_ended: tokio::sync::oneshot::Sender<bool>,
    ) -> Result<Read, RenderError> {
        let session = self.session.as_str();
        let t = std::time::Instant::now();
        let collect = format!("window.__eldercheck.collect({})", settings.max_body_bytes);
        // Positions are sampled at load and compared after the watch, which late scripts get too.
        let context = match self.prepare_world(session).await {
            Err(error) if world_gone(&error) => {
                self.settle(settings.settle, seen).await;
                self.prepare_world(session).await.map_err(navigated_away)?
            }
            other => other?,
        };
        let quiet = self.settle(settings.settle, seen).await;
        self.listen_to_media(session, context).await;
        self.freeze_animations(session, context).await;
        let _ = watch_ended.send(quiet);
        trace("settle", t);
        let read = std::time::Instant::now();
        let collected = self.evaluate(session, context, &collect).await;
        trace("read", read);
        match collected {
            Ok(collected) => Ok(Read { replaced: false, context, collected }),
            Err(error) if world_gone(&error) => {
                self.settle(settings.settle, seen).await;
                let context = self.prepare_world(session).await.map_err(navigated_away)?;
                let collected = self.evaluate(session, context, &collect).await.map_err(navigated_away)?;
                Ok(Read { replaced: true, context, collected })
            }
            Err(error) => Err(error),
        }
    }

    /// Watches the page after load until it is quiet, [`QUIET`] long with no request in flight or
    /// started, no one-shot timer due within a second and no change to its DOM, or for `most` at most.
    /// A page with nothing left to do is read at once; one that keeps moving boxes or loading content
    /// is watched for the whole time, which is also how long movement is measured. Returns whether
    /// it went quiet.
    async fn settle(&self, most: Duration, seen: &Arc<Mutex<Seen>>) -> bool {
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
            if requests_quiet && tokio::time::timeout(left, self.page_quiet()).await.unwrap_or(false) {
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
    /// Media playing when the page went quiet is listened to for a moment longer (at most
    /// [`LISTEN_MOST`]), so that a track of silence is not taken for sound; a page without playing
    /// media is read at once.
    async fn listen_to_media(&self, session: &str, context: i64) {
        let end = tokio::time::Instant::now() + LISTEN_MOST;
        loop {
            let Ok(wait) = self.evaluate(session, context, "window.__eldercheck.stillListening()").await else {
                return;
            };
            let wait = Duration::from_millis(wait.as_u64().unwrap_or(0));
            let left = end.saturating_duration_since(tokio::time::Instant::now());
            if wait.is_zero() || left.is_zero() {
                return;
            }
            tokio::time::sleep(wait.min(left)).await;
        }
    }

    async fn freeze_animations(&self, session: &str, context: i64) {
        // Not asking each its state: that makes the browser restyle the page once per animation.
        let pause = "document.getAnimations().forEach((a) => a.pause()); 0";
        let _ = self.evaluate(session, context, pause).await;
    }

    /// Whether the page's own scripts have nothing pending (see js/guard.js).
    async fn page_quiet(&self) -> bool {
        let (pending, unchanged) = self.pending().await;
        pending == 0 && unchanged >= QUIET
    }

    /// Whether the page's DOM changed after `moment`; a page too busy to answer at once has.
    async fn changed_since(&self, moment: tokio::time::Instant) -> bool {
        tokio::time::timeout(QUIET, self.pending()).await.map_or(true, |(_, unchanged)| unchanged < moment.elapsed())
    }

    /// What the page's scripts still have pending and how long its DOM has been unchanged. A page
    /// that replaced the probe, or a document without it, counts as quiet and unchanged: the settle
    /// time is a courtesy, not a rule.
    async fn pending(&self) -> (u64, Duration) {
        let probe = "typeof window.__eldercheckPending === 'function' ? window.__eldercheckPending() : [0, 1e9]";
        let Some(value) = self.in_page(probe).await else { return (0, Duration::MAX) };
        let value = &value;
        let pending = value[0].as_f64().filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0) as u64;
        let unchanged = value[1].as_f64().filter(|v| v.is_finite() && *v >= 0.0).unwrap_or(1e9);
        (pending, Duration::from_secs_f64(unchanged.min(1e9) / 1000.0))
    }

    /// The value of `expression` in the page's own world (where js/guard.js keeps what the page
    /// has pending), or `None` when the page does not answer.
    pub(super) async fn in_page(&self, expression: &str) -> Option<Value> {
        let params = json!({ "expression": expression, "returnByValue": true });
        let reply =
            self.connection.call(Some(&self.session), "Runtime.evaluate", params, COMMAND_TIMEOUT).await.ok()?;
        Some(reply["result"]["value"].clone())
    }

    /// The isolated world with the extraction script installed and the first position sample taken.
    pub(super) async fn prepare_world(&self, session: &str) -> Result<i64, RenderError> {
        let context = self.isolated_world(session).await?;
        self.evaluate(session, context, &format!("window.__eldercheck = {EXTRACT_JS}; window.__eldercheck.sample()"))
            .await?;
        Ok(context)
    }

    /// The page's viewport width and height (CSS px), without asking the page.
    pub(super) async fn page_size(&self, session: &str) -> Option<(f32, f32)> {
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

    pub(super) async fn evaluate(&self, session: &str, context: i64, expression: &str) -> Result<Value, RenderError> {
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

    /// Marks focusable elements inside aria-hidden whose focus the page moves elsewhere at once.
    async fn probe_focus(&self, session: &str, context: i64, facts: &mut BrowserFacts) {
        let Ok(list) = self.evaluate(session, context, "window.__eldercheck.focusProbe()").await else { return };
        let Ok(escapes) = serde_json::from_str::<Vec<u32>>(list.as_str().unwrap_or("[]")) else { return };
        for element in facts.elements.iter_mut().filter(|e| escapes.contains(&e.id)) {
            element.focus_escapes = true;
        }
    }
}
