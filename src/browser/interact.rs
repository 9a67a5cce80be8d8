//! A reader's own use of the page, tried once everything else is read: the keyboard walked through
//! it (Tab, and Shift+Tab when Tab is caught), its mouse-only controls pressed with Enter, its
//! pop-ups closed with one click and watched for coming back, its moving content paused. The
//! browser acts and notes what happened; `keyboard-focus`, `popup-close` and `moving-content`
//! judge.
//!
//! The keyboard runs in real time (a trap's timers must fire between keys). The pop-ups and moving
//! content then run on the page's virtual time: seconds of the page's timers pass in milliseconds,
//! so that a pop-up coming back after 2 s or a carousel turning every 5 s costs no waiting. Virtual
//! time cannot be handed back, so it comes last and the tab is closed after the page. While
//! controls are pressed the main frame is held on its document (navigations refused and noted),
//! new windows are closed (noted), downloads are refused browser-wide, and every request the
//! clicks cause still goes through the address rule.

use super::intercept::Seen;
use super::tab::Tab;
use super::{trace, Document, RenderError, RenderSettings, COMMAND_TIMEOUT};
use eldercheck_checks::page::rendered::{
    Bounds, BrowserFacts, CloseControl, FocusChange, FocusStop, InteractionFacts, KeyboardWalk, MotionTry, MouseOnly,
    PopupTry,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Real time all interactions of one page may take (the pop-ups' and carousels' seconds pass on
/// virtual time and cost only what the page's scripts compute).
const BUDGET: Duration = Duration::from_millis(3000);
/// Of which the keyboard walk may take.
const KEYBOARD_BUDGET: Duration = Duration::from_millis(1500);
/// Kept free before the page's deadline.
const DEADLINE_MARGIN: Duration = Duration::from_millis(1000);
/// Tab stops walked at most (a page of thousands of links is judged on its first 300).
const MAX_STOPS: usize = 300;
/// Stops walked when the walk waits after every key (scripts move focus).
const MAX_WAITED_STOPS: usize = 80;
/// Tabs sent at once, first and at most (each batch twice the last): a round trip per key cost
/// more than the page's own work on most pages.
const FIRST_BATCH: usize = 16;
const MAX_BATCH: usize = 64;
/// How long a key's effects are waited for when the page's scripts move focus (a trap's timer).
const KEY_WAIT: Duration = Duration::from_millis(30);
/// The longest a key's timers are waited for.
const KEY_WAIT_MOST: Duration = Duration::from_millis(250);
/// Mouse-only controls pressed with Enter, and how long their reaction is waited for.
const MAX_ENTER_TRIES: usize = 4;
const ENTER_WAIT: Duration = Duration::from_millis(60);
const MAX_POPUPS: usize = 4;
const MAX_MOTION: usize = 4;
/// Virtual time (ms) after a click for the page to react, for a closed pop-up to come back, and
/// for moving content to show that it moves.
const REACT_MS: u64 = 600;
const COME_BACK_MS: u64 = 3000;
const MOTION_MS: u64 = 6000;
/// Virtual time (ms) watched for content that moves by itself.
const MOTION_WATCH_MS: u64 = 3000;
/// Real time the browser may take to run a virtual-time budget.
const VIRTUAL_WAIT: Duration = Duration::from_millis(800);
/// Real time a picture of the closed pop-up may take.
const PICTURE_WAIT: Duration = Duration::from_millis(800);

#[derive(Deserialize, Default)]
struct Step {
    key: u64,
    id: i64,
    end: bool,
    at_key: u64,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    bounds: Option<Bounds>,
    #[serde(default)]
    unseen: String,
    #[serde(default)]
    previous: Option<Judged>,
}

#[derive(Deserialize)]
struct Judged {
    key: u64,
    changes: Vec<FocusChange>,
}

/// One walk through the page in one direction.
#[derive(Default)]
struct Walk {
    stops: Vec<Step>,
    judged: Vec<Judged>,
    reached_end: bool,
    /// The element focus came back to (key, id).
    caught: Option<(u64, i64)>,
    scripts_move_focus: bool,
    truncated: bool,
    /// Whether Escape let focus out where it was first caught; `None` when it was never caught.
    escape_leaves: Option<bool>,
}

#[derive(Clone, Copy)]
enum Key {
    Tab { back: bool },
    Escape,
    Enter,
}

#[derive(Deserialize)]
struct PopupSeen {
    id: u32,
    bounds: Bounds,
    close: Option<CloseControl>,
    countdown: Option<String>,
}

#[derive(Deserialize)]
struct Point {
    x: f64,
    y: f64,
    hits: bool,
}

#[derive(Deserialize)]
struct MotionSeen {
    id: u32,
    container: i64,
    control: Option<i64>,
    control_text: String,
}

/// The key-down and key-up events of a key, as the browser's input takes them.
fn key_events(key: Key) -> (serde_json::Value, serde_json::Value) {
    let (name, code, modifiers, text) = match key {
        Key::Tab { back } => ("Tab", 9, if back { 8 } else { 0 }, None),
        Key::Escape => ("Escape", 27, 0, None),
        Key::Enter => ("Enter", 13, 0, Some("\r")),
    };
    let mut down = json!({
        "type": if text.is_some() { "keyDown" } else { "rawKeyDown" },
        "key": name, "code": name, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code,
        "modifiers": modifiers,
    });
    if let Some(text) = text {
        down["text"] = json!(text);
        down["unmodifiedText"] = json!(text);
    }
    let up =
        json!({ "type": "keyUp", "key": name, "code": name, "windowsVirtualKeyCode": code, "modifiers": modifiers });
    (down, up)
}

impl Tab {
    /// Tries the page as a reader uses it, within the page's time. Leaves the page on virtual time:
    /// the tab is not used for another page.
    pub(super) async fn interact(
        &self,
        document: &Document,
        context: i64,
        facts: &BrowserFacts,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
        deadline: Instant,
    ) -> InteractionFacts {
        let mut found = InteractionFacts::default();
        let latest = deadline.checked_sub(DEADLINE_MARGIN).unwrap_or(deadline);
        let end = (Instant::now() + BUDGET).min(latest);
        if Instant::now() >= end {
            found.problem = Some("the page's time ran out before it was tried".into());
            return found;
        }
        seen.lock().unwrap_or_else(|e| e.into_inner()).holding = true;
        let t = std::time::Instant::now();
        let walking = async {
            let _alone = self.keyboard.clone().lock_owned().await;
            let keyboard_end = (Instant::now() + KEYBOARD_BUDGET).min(end);
            self.keyboard(context, keyboard_end, end).await
        };
        match tokio::time::timeout_at(end, walking).await {
            Ok(Ok(walk)) => found.keyboard = Some(walk),
            Ok(Err(error)) => found.problem = Some(format!("the keyboard walk failed: {error}")),
            Err(_) => found.problem = Some("the page stopped answering during the keyboard walk".into()),
        }
        if found.keyboard.is_none() {
            // A page that broke or hung the walk may still be busy: its tab serves no other page.
            self.set_state_changed(true);
        }
        trace("keyboard", t);
        let t = std::time::Instant::now();
        let candidates = facts.popup_candidates();
        // Virtual time only for a page with a pop-up or something that may move by itself: the
        // tab of a still page serves the next page.
        let moving = facts.moving_in_flow();
        if candidates.is_empty() && moving.is_empty() && !self.may_move().await {
            trace("popups", t);
            return found;
        }
        self.set_state_changed(true);
        let tried = self.popups_and_motion(document, context, &candidates, moving, settings, seen);
        match tokio::time::timeout_at(end, tried).await {
            Ok(Ok((popups, motion))) => {
                found.popups = popups;
                found.motion = motion;
            }
            Ok(Err(error)) => {
                found.problem.get_or_insert_with(|| format!("the pop-ups could not be tried: {error}"));
            }
            Err(_) => {
                found.problem.get_or_insert_with(|| "the page's time ran out while its pop-ups were tried".into());
            }
        }
        trace("popups", t);
        found
    }

    async fn press_key(&self, key: Key) -> Result<(), RenderError> {
        let (down, up) = key_events(key);
        let c = &self.connection;
        c.call(Some(&self.session), "Input.dispatchKeyEvent", down, COMMAND_TIMEOUT).await?;
        c.call(Some(&self.session), "Input.dispatchKeyEvent", up, COMMAND_TIMEOUT).await?;
        Ok(())
    }

    /// Waits until the page's timers due within [`KEY_WAIT`] of a key have run (a trap's timer
    /// pulling focus back), in the page's own time: a page sharing its renderer with a busy one
    /// runs them late. At most [`KEY_WAIT_MOST`].
    async fn await_page_timers(&self) {
        let end = Instant::now() + KEY_WAIT_MOST;
        let probe = format!(
            "typeof __eldercheckDueWithin === 'function' ? __eldercheckDueWithin({}) : 0",
            KEY_WAIT.as_millis()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
        while Instant::now() < end {
            if self.in_page(&probe).await.and_then(|v| v.as_u64()) == Some(0) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Whether the page's scripts could still move something (see js/guard.js); a page that cannot
    /// say may.
    async fn may_move(&self) -> bool {
        let probe = "typeof __eldercheckMayMove === 'function' ? __eldercheckMayMove() : true";
        self.in_page(probe).await.and_then(|v| v.as_bool()).unwrap_or(true)
    }

    /// Sends `keys` Tabs without waiting for each, and reads what each did.
    async fn tab_batch(&self, context: i64, back: bool, keys: usize) -> Result<Vec<Step>, RenderError> {
        self.evaluate(&self.session, context, "window.__eldercheck.keyBatch()").await?;
        let (down, up) = key_events(Key::Tab { back });
        let c = &self.connection;
        let session = Some(self.session.as_str());
        for _ in 1..keys {
            c.send(session, "Input.dispatchKeyEvent", down.clone()).await?;
            c.send(session, "Input.dispatchKeyEvent", up.clone()).await?;
        }
        // The browser handles input in order: the last key answered, every key has been.
        c.call(session, "Input.dispatchKeyEvent", down, COMMAND_TIMEOUT).await?;
        c.call(session, "Input.dispatchKeyEvent", up, COMMAND_TIMEOUT).await?;
        self.js(context, "window.__eldercheck.keyFlush()").await
    }

    async fn step(&self, context: i64) -> Result<Step, RenderError> {
        self.js(context, "window.__eldercheck.keyStep()").await
    }

    /// Tab (or Shift+Tab) from where focus is until it passes the page's last element, comes back
    /// to an element it has been on, or the walk's bound. With `wait`, each key's effects are waited
    /// for (a timer that pulls focus back); the end counts when the key itself took focus out of the
    /// page, before any timer: focus in the browser's own controls is out of the page's reach.
    async fn walk(&self, context: i64, back: bool, wait: bool, end: Instant) -> Result<Walk, RenderError> {
        let mut walk = Walk::default();
        let most = if wait { MAX_WAITED_STOPS } else { MAX_STOPS };
        // Focus out of the page, where a reader starts: a timer the last walk left behind may pull
        // it back once or twice (unheard by the page now, so it starts no new one).
        let reset = format!("window.__eldercheck.keyReset({back})");
        self.evaluate(&self.session, context, &reset).await?;
        for _ in 0..3 {
            if !wait {
                break;
            }
            self.await_page_timers().await;
            if self.evaluate(&self.session, context, &reset).await?.as_bool() == Some(true) {
                break;
            }
        }
        self.evaluate(&self.session, context, "window.__eldercheck.keyRelease()").await?;
        let mut visited = HashSet::new();
        let mut last = 0;
        let mut frame_stops = 0;
        let mut queued: VecDeque<Step> = VecDeque::new();
        let mut batch = FIRST_BATCH;
        // Where the last key sent left focus (a batch's keys past the end wrap to the top).
        let mut left_at = 0;
        loop {
            if walk.stops.len() >= most || Instant::now() >= end {
                walk.truncated = true;
                break;
            }
            let mut step = match queued.pop_front() {
                Some(step) => step,
                None if wait => {
                    self.press_key(Key::Tab { back }).await?;
                    let step = self.step(context).await?;
                    if step.end {
                        step
                    } else {
                        self.await_page_timers().await;
                        let settled = self.step(context).await?;
                        Step { previous: step.previous.or(settled.previous), at_key: step.at_key, ..settled }
                    }
                }
                None => {
                    let keys = batch.min(most - walk.stops.len()).max(1);
                    queued = self.tab_batch(context, back, keys).await?.into();
                    left_at = queued.back().map_or(0, |s| if s.end { 0 } else { s.key });
                    batch = (batch * 2).min(MAX_BATCH);
                    match queued.pop_front() {
                        Some(step) => step,
                        None => break,
                    }
                }
            };
            if let Some(judged) = step.previous.take() {
                walk.judged.push(judged);
            }
            if step.at_key != last {
                walk.scripts_move_focus = true;
            }
            if step.end {
                walk.reached_end = true;
                break;
            }
            // Inside a frame focus moves on where this document cannot see it.
            if step.key == last && step.tag == "iframe" {
                frame_stops += 1;
                if frame_stops > MAX_STOPS {
                    walk.truncated = true;
                    break;
                }
                continue;
            }
            if !visited.insert(step.key) {
                if walk.escape_leaves.is_none() {
                    // Escape is the standard way out of a dialog that holds focus: tried once.
                    self.press_key(Key::Escape).await?;
                    self.press_key(Key::Tab { back }).await?;
                    if wait {
                        self.await_page_timers().await;
                    }
                    let after = self.step(context).await?;
                    let left = after.end || !visited.contains(&after.key);
                    walk.escape_leaves = Some(left);
                    if after.end {
                        walk.reached_end = true;
                        break;
                    }
                    if left {
                        last = after.key;
                        visited.insert(after.key);
                        walk.stops.push(after);
                        continue;
                    }
                }
                walk.caught = Some((step.key, step.id));
                break;
            }
            last = step.key;
            walk.stops.push(step);
        }
        if walk.reached_end && !wait {
            // Keys come faster than a page's timers: one that pulls focus back shows after the end.
            self.await_page_timers().await;
            let now = self.evaluate(&self.session, context, "window.__eldercheck.focusKey()").await?;
            if now.as_u64() != Some(left_at) {
                walk.scripts_move_focus = true;
            }
        }
        if let Some(judged) = self.js::<Option<Judged>>(context, "window.__eldercheck.keyFinish()").await? {
            walk.judged.push(judged);
        }
        Ok(walk)
    }

    /// Walks the page with the keyboard; presses Enter on its mouse-only controls.
    async fn keyboard(&self, context: i64, walk_end: Instant, end: Instant) -> Result<KeyboardWalk, RenderError> {
        let mut forward = self.walk(context, false, false, walk_end).await?;
        let wait = forward.scripts_move_focus;
        if wait {
            // The page's scripts move focus: walked again, waiting after every key.
            forward = self.walk(context, false, true, walk_end).await?;
        }
        let mut keyboard = KeyboardWalk {
            forward_end: forward.reached_end,
            scripts_move_focus: wait,
            truncated: forward.truncated,
            ..KeyboardWalk::default()
        };
        keyboard.escape_leaves = forward.escape_leaves == Some(true);
        if let Some((_, id)) = forward.caught {
            // Caught going forward: from the end of the page backwards, as a reader would try next.
            let backward =
                self.walk(context, true, wait, walk_end.max(Instant::now() + KEY_WAIT * 10).min(end)).await?;
            keyboard.backward_end = Some(backward.reached_end);
            if !backward.reached_end {
                let backward_id = backward.caught.map(|(_, id)| id);
                keyboard.caught_at =
                    [Some(id), backward_id].into_iter().flatten().find_map(|id| u32::try_from(id).ok());
            }
        }
        // Where focus was caught it never left, so how it looks without focus is not known.
        let caught_key = forward.caught.map(|(key, _)| key);
        keyboard.stops = forward
            .stops
            .iter()
            .map(|step| {
                let judged =
                    forward.judged.iter().rev().find(|j| j.key == step.key).filter(|_| Some(step.key) != caught_key);
                FocusStop {
                    id: step.id,
                    bounds: step.bounds,
                    changes: judged.map(|j| j.changes.clone()),
                    unseen: step.unseen.clone(),
                }
            })
            .collect();
        let t = std::time::Instant::now();
        keyboard.mouse_only = self.mouse_only(context, end).await?;
        trace("mouse-only", t);
        Ok(keyboard)
    }

    async fn mouse_only(&self, context: i64, end: Instant) -> Result<Vec<MouseOnly>, RenderError> {
        let mut controls: Vec<MouseOnly> = self.js(context, "window.__eldercheck.mouseOnly()").await?;
        for control in controls.iter_mut().filter(|c| c.focusable && !c.keys).take(MAX_ENTER_TRIES) {
            if Instant::now() >= end {
                break;
            }
            // Enter may change the page for good: its tab serves no other page.
            self.set_state_changed(true);
            let watch = format!("window.__eldercheck.watchPress({})", control.id);
            if self.evaluate(&self.session, context, &watch).await?.as_bool() != Some(true) {
                continue;
            }
            self.press_key(Key::Enter).await?;
            tokio::time::sleep(ENTER_WAIT).await;
            let reacted: Option<serde_json::Value> = self.js(context, "window.__eldercheck.pressResult()").await?;
            control.enter_works = reacted.and_then(|r| r["reacted"].as_bool());
        }
        Ok(controls)
    }

    /// Runs the page's clock `ms` ahead on virtual time, waiting (briefly) until it has.
    async fn advance(&self, seen: &Arc<Mutex<Seen>>, ms: u64) -> Result<(), RenderError> {
        let notify = seen.lock().unwrap_or_else(|e| e.into_inner()).time_advanced.clone();
        let waiting = notify.notified();
        let params = json!({ "policy": "advance", "budget": ms });
        self.connection.call(Some(&self.session), "Emulation.setVirtualTimePolicy", params, COMMAND_TIMEOUT).await?;
        let t = std::time::Instant::now();
        let ran = tokio::time::timeout(VIRTUAL_WAIT, waiting).await.is_ok();
        trace(if ran { "advance" } else { "advance-timeout" }, t);
        Ok(())
    }

    async fn js<T: for<'de> Deserialize<'de>>(&self, context: i64, expression: &str) -> Result<T, RenderError> {
        let value = self.evaluate(&self.session, context, expression).await?;
        let text = match &value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        serde_json::from_str(&text).map_err(|e| RenderError::Unreadable(e.to_string()))
    }

    /// A reader's click at a point of the screen (see `clickAt` in js/extract.js: no pointer
    /// stays over the page's content, so a carousel that pauses while hovered is not paused by it).
    async fn click_at(&self, context: i64, x: f64, y: f64) -> Result<(), RenderError> {
        self.evaluate(&self.session, context, &format!("window.__eldercheck.clickAt({x}, {y})")).await?;
        Ok(())
    }

    /// Escape, on virtual time (see `pressEscape` in js/extract.js).
    async fn escape(&self, context: i64) -> Result<(), RenderError> {
        self.evaluate(&self.session, context, "window.__eldercheck.pressEscape()").await?;
        Ok(())
    }

    /// Clicks an element where a reader would; false when something else lies over it.
    async fn click_element(&self, context: i64, id: i64) -> Result<bool, RenderError> {
        let point: Option<Point> = self.js(context, &format!("window.__eldercheck.clickPoint({id})")).await?;
        let Some(point) = point.filter(|p| p.hits) else { return Ok(false) };
        self.click_at(context, point.x, point.y).await?;
        Ok(true)
    }

    #[allow(clippy::too_many_arguments)]
    async fn popups_and_motion(
        &self,
        document: &Document,
        context: i64,
        candidates: &[(u32, &'static str)],
        mut moving: Vec<u32>,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
    ) -> Result<(Vec<PopupTry>, Vec<MotionTry>), RenderError> {
        let session = self.session.as_str();
        // Animations were paused for the read; the reader's page has them running.
        let _ = self.evaluate(session, context, "document.getAnimations().forEach((a) => a.play()); 0").await;
        // What moves in the flow over a few seconds of the page's time, beside what the watch saw.
        self.evaluate(session, context, "window.__eldercheck.motionSample()").await?;
        self.advance(seen, MOTION_WATCH_MS).await?;
        let later: Vec<u32> = self.js(context, "window.__eldercheck.movedInFlow()").await?;
        moving.extend(later.into_iter().filter(|id| !moving.contains(id)).collect::<Vec<_>>());
        let list = serde_json::to_string(&candidates.iter().map(|(id, kind)| json!([id, kind])).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        let popups: Vec<PopupSeen> = self.js(context, &format!("window.__eldercheck.popupInfo({list})")).await?;
        let mut tried = Vec::new();
        self.evaluate(session, context, "window.__eldercheck.watchAdded()").await?;
        for popup in popups.into_iter().take(MAX_POPUPS) {
            let shown: bool = self.js(context, &format!("window.__eldercheck.popupShown({})", popup.id)).await?;
            if !shown {
                continue;
            }
            tried.push(self.close_popup(document, context, popup, settings, seen).await?);
        }
        let moving = serde_json::to_string(&moving).unwrap_or_else(|_| "[]".into());
        let motion: Vec<MotionSeen> = self.js(context, &format!("window.__eldercheck.motionInfo({moving})")).await?;
        let mut paused = Vec::new();
        for item in motion.into_iter().take(MAX_MOTION) {
            paused.push(self.pause_motion(context, item, seen).await?);
        }
        Ok((tried, paused))
    }

    async fn close_popup(
        &self,
        document: &Document,
        context: i64,
        popup: PopupSeen,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
    ) -> Result<PopupTry, RenderError> {
        let mut tried = PopupTry {
            id: popup.id,
            bounds: popup.bounds,
            close: popup.close.clone(),
            countdown: popup.countdown.clone(),
            ..PopupTry::default()
        };
        let Some(close) = popup.close else {
            self.escape(context).await?;
            self.advance(seen, REACT_MS).await?;
            tried.escape_closes = Some(!self.popup_shown(context, popup.id).await?);
            tried.outcome = "no_close".into();
            return Ok(tried);
        };
        let (windows, navigations) = {
            let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            (seen.opened_windows.len(), seen.refused_navigations.len())
        };
        if !self.click_element(context, close.id).await? {
            tried.outcome = "not_clickable".into();
            return Ok(tried);
        }
        self.advance(seen, REACT_MS).await?;
        let led_to = |seen: &Arc<Mutex<Seen>>| {
            let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            let window = seen.opened_windows.get(windows).cloned();
            let navigation = seen.refused_navigations.get(navigations).cloned();
            (window, navigation)
        };
        let outcome = match led_to(seen) {
            (Some(window), _) => {
                tried.opened = Some(window);
                "opened_window"
            }
            (None, Some(navigation)) => {
                tried.opened = Some(navigation);
                "navigated"
            }
            (None, None) if self.popup_shown(context, popup.id).await? => {
                if tried.countdown.is_some() {
                    "countdown"
                } else if self.click_element(context, close.id).await? {
                    self.advance(seen, REACT_MS).await?;
                    if self.popup_shown(context, popup.id).await? {
                        "stayed"
                    } else {
                        "two_clicks"
                    }
                } else {
                    "stayed"
                }
            }
            (None, None) => {
                self.advance(seen, COME_BACK_MS).await?;
                let back = format!("window.__eldercheck.popupBack([{}])", popup.id);
                if self.js::<bool>(context, &back).await? {
                    "came_back"
                } else {
                    let _ = self.evaluate(&self.session, context, "scrollBy(0, innerHeight); 0").await;
                    self.advance(seen, REACT_MS).await?;
                    let again = self.js::<bool>(context, &back).await?;
                    let _ = self.evaluate(&self.session, context, "scrollTo(0, 0); 0").await;
                    if again {
                        "came_back_on_scroll"
                    } else {
                        "closed"
                    }
                }
            }
        };
        tried.outcome = outcome.into();
        if tried.escape_closes.is_none() && matches!(outcome, "stayed" | "countdown") {
            self.escape(context).await?;
            self.advance(seen, REACT_MS).await?;
            tried.escape_closes = Some(!self.popup_shown(context, popup.id).await?);
        }
        let t = std::time::Instant::now();
        if let Some(folder) = &settings.screenshots {
            // A paused page may wait a second or two for the frame a picture needs: its clock runs
            // free while the picture is taken, and is paused again after.
            let policy = |policy: &str| json!({ "policy": policy });
            let c = &self.connection;
            c.call(Some(&self.session), "Emulation.setVirtualTimePolicy", policy("advance"), COMMAND_TIMEOUT).await?;
            if let Some((width, height)) = self.viewport_size(context).await {
                let suffix = format!("p{}", popup.id);
                let shot =
                    self.named_screenshot(&self.session, &document.url, &suffix, (0.0, false), (width, height), folder);
                // Beside another tab on virtual time a picture can take seconds: then there is none.
                tried.after = tokio::time::timeout(PICTURE_WAIT, shot).await.ok().flatten();
            }
            c.call(Some(&self.session), "Emulation.setVirtualTimePolicy", policy("pause"), COMMAND_TIMEOUT).await?;
        }
        trace("popup-picture", t);
        Ok(tried)
    }

    async fn popup_shown(&self, context: i64, id: u32) -> Result<bool, RenderError> {
        self.js(context, &format!("window.__eldercheck.popupShown({id})")).await
    }

    async fn signature(&self, context: i64, container: i64) -> Result<String, RenderError> {
        let expression = format!("window.__eldercheck.motionSignature({container})");
        let value = self.evaluate(&self.session, context, &expression).await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    async fn viewport_size(&self, context: i64) -> Option<(f32, f32)> {
        let size: (f32, f32) = self.js(context, "JSON.stringify([innerWidth, innerHeight])").await.ok()?;
        Some(size)
    }

    /// Watches a moving box's container on virtual time, presses its pause control and watches again.
    async fn pause_motion(
        &self,
        context: i64,
        item: MotionSeen,
        seen: &Arc<Mutex<Seen>>,
    ) -> Result<MotionTry, RenderError> {
        let before = self.signature(context, item.container).await?;
        self.advance(seen, MOTION_MS).await?;
        let moving = self.signature(context, item.container).await? != before;
        let mut tried = MotionTry {
            id: item.id,
            container: item.container,
            control: item.control,
            control_text: item.control_text.clone(),
            moving,
            still_moving: None,
        };
        if let Some(control) = item.control.filter(|_| moving) {
            if self.click_element(context, control).await? {
                self.advance(seen, REACT_MS).await?;
                let paused = self.signature(context, item.container).await?;
                self.advance(seen, MOTION_MS).await?;
                tried.still_moving = Some(self.signature(context, item.container).await? != paused);
            }
        }
        Ok(tried)
    }
}
