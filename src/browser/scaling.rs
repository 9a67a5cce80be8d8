//! Font scaling, tried for real: once everything else about a page is read, its text is laid out
//! again with the spacing widened (WCAG 1.4.12), with the reader's text size doubled (the
//! browser's own font-size setting, what a reader's 特大 setting does) and in a 320 px viewport
//! (1,280 px at 400%, WCAG 1.4.10), each change undone before the next; no reload. On a home page
//! the elder-mode switch is then pressed and the switched page measured. The browser measures; the
//! checks (`text-zoom`, `text-spacing`, `reflow`, `elder-mode-switch`) judge.

use super::capture::SCREENSHOT_MAX_HEIGHT;
use super::intercept::Seen;
use super::tab::{device_metrics, is_phone, Tab};
use super::{trace, Document, RenderError, RenderSettings, COMMAND_TIMEOUT};
use eldercheck_checks::elder::{entry_text, EntryText};
use eldercheck_checks::page::rendered::{ElderSwitch, Layout, MainText, Picture, ScalingFacts};
use eldercheck_checks::page::scaling::{first_loss, overflow, OVERFLOW_SLACK};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

use crate::net::scope::site_key;

/// The browser's default text sizes (standard, fixed), and doubled.
const DEFAULT_FONT_SIZES: (u32, u32) = (16, 13);
const ZOOM: u32 = 2;
/// WCAG 1.4.10: 1,280 CSS px at 400%. The 256 px height of the criterion is for content that
/// scrolls sideways by design; a page that scrolls down is judged by its width, and a phone-like
/// height lets the picture of it show a screenful.
const REFLOW_WIDTH: u32 = 320;
const REFLOW_HEIGHT: u32 = 640;
/// Time the three layouts may take on one page (a heavy page lays out in ~100 ms each).
const LAYOUTS_BUDGET: Duration = Duration::from_millis(2500);
/// Time pressing the elder switch may take, waiting for the switched page included.
const SWITCH_BUDGET: Duration = Duration::from_millis(5000);
/// Kept free before the page's deadline: the measurements never cost a page its rendering.
const DEADLINE_MARGIN: Duration = Duration::from_millis(1500);
/// Page above the first loss shown in the 2× picture, CSS px.
const PICTURE_MARGIN: f32 = 120.0;
/// How long the switched page may take to load.
const SWITCH_LOAD: Duration = Duration::from_millis(3000);
/// How long the page may take to settle after the switch (its scripts restyle it).
const SWITCH_SETTLE: Duration = Duration::from_millis(800);
/// Bytes of local storage saved to be put back after the switch; a page with more keeps the switch's.
const MAX_STORAGE_CHARS: usize = 256 * 1024;

#[derive(Deserialize)]
struct Candidate {
    id: u32,
    text: String,
    href: Option<String>,
    shown: bool,
}

/// The words the page's controls are searched for; [`entry_text`] then decides.
fn switch_words() -> Vec<&'static str> {
    eldercheck_checks::elder::ENTRY_WORDS.iter().chain(eldercheck_checks::elder::ACCESSIBILITY_WORDS).copied().collect()
}

/// Whether `target` belongs to the site of `page` as the crawler scopes it ([`site_key`]), or to a
/// host below it: elder versions often live on one (`care.example.gov.cn`). A local page's switch
/// stays among local files.
fn same_site(page: &Url, target: &Url) -> bool {
    if page.host_str().is_none() || target.host_str().is_none() {
        return page.scheme() == "file" && target.scheme() == "file";
    }
    let (site, other) = (site_key(page), site_key(target));
    other == site || other.ends_with(&format!(".{site}"))
}

/// How a switch is pressed: a link within the site is followed, anything else clicked.
enum Press {
    Follow(Url),
    Click,
}

/// The control to press among the candidates, and how: a named elder mode before a bare
/// 无障碍, a shown control before a hidden one; a bare 无障碍 only as a button (as a link it is a
/// statement page); never a link off the site.
fn choose(candidates: Vec<Candidate>, page: &Url) -> Option<(Candidate, Press)> {
    let mut best: Option<(u8, Candidate, Press)> = None;
    for candidate in candidates {
        let Some(kind) = entry_text(&candidate.text) else { continue };
        let link = candidate
            .href
            .as_deref()
            .and_then(|h| Url::parse(h).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https" | "file"))
            .filter(|u| {
                let (mut a, mut b) = (u.clone(), page.clone());
                a.set_fragment(None);
                b.set_fragment(None);
                a != b
            });
        let press = match link {
            Some(url) if same_site(page, &url) => Press::Follow(url),
            Some(_) => continue,
            None => Press::Click,
        };
        if kind == EntryText::Accessibility && matches!(press, Press::Follow(_)) {
            continue;
        }
        let rank = u8::from(kind == EntryText::Mode) * 2 + u8::from(candidate.shown);
        if best.as_ref().is_none_or(|(r, _, _)| rank > *r) {
            best = Some((rank, candidate, press));
        }
    }
    best.map(|(_, c, p)| (c, p))
}

impl Tab {
    /// The font-scaling measurements of the page read in `context`, within the page's time.
    pub(super) async fn measure_scaling(
        &self,
        document: &Document,
        context: i64,
        settings: &RenderSettings,
        deadline: Instant,
    ) -> ScalingFacts {
        let mut facts = ScalingFacts::default();
        let latest = deadline.checked_sub(DEADLINE_MARGIN).unwrap_or(deadline);
        let end = (Instant::now() + LAYOUTS_BUDGET).min(latest);
        self.set_state_changed(true);
        let measured = tokio::time::timeout_at(end, self.layouts(document, context, settings, &mut facts)).await;
        let t = std::time::Instant::now();
        let finished = matches!(measured, Ok(Ok(())));
        // A page whose scripts hang its renderer would hold the restoring commands past the page's
        // deadline: they get what time is left, and the tab is closed if they do not finish.
        let restored = match tokio::time::timeout_at(latest, self.restore_layout(context, settings, finished)).await {
            Ok(restored) => restored,
            Err(_) => Err(RenderError::Unreadable("the page stopped answering".into())),
        };
        trace("scaling-restore", t);
        if let Err(error) = restored {
            facts.problem = Some(format!("the page could not be put back after the measurement: {error}"));
            return facts;
        }
        self.set_state_changed(false);
        match measured {
            Err(_) => facts.problem = Some("the page's time ran out before it was measured".into()),
            Ok(Err(error)) => facts.problem = Some(error.to_string()),
            Ok(Ok(())) => {}
        }
        facts
    }

    async fn layout(&self, context: i64) -> Result<Layout, RenderError> {
        let value = self.evaluate(&self.session, context, "window.__eldercheck.layout()").await?;
        serde_json::from_str(value.as_str().unwrap_or("{}")).map_err(|e| RenderError::Unreadable(e.to_string()))
    }

    async fn layouts(
        &self,
        document: &Document,
        context: i64,
        settings: &RenderSettings,
        facts: &mut ScalingFacts,
    ) -> Result<(), RenderError> {
        let session = self.session.as_str();
        let t = std::time::Instant::now();
        facts.base = Some(self.layout(context).await?);
        trace("scaling-base", t);
        let t = std::time::Instant::now();
        self.evaluate(session, context, "window.__eldercheck.widenSpacing(true)").await?;
        facts.spaced = Some(self.layout(context).await?);
        self.evaluate(session, context, "window.__eldercheck.widenSpacing(false)").await?;
        trace("scaling-spaced", t);
        let t = std::time::Instant::now();
        self.set_font_sizes(ZOOM).await?;
        let zoomed = self.layout(context).await?;
        trace("scaling-zoomed", t);
        let t = std::time::Instant::now();
        // A picture only of a page that lost something: the screen around its first loss, scrolled
        // there (photographing beyond the screen would undo the doubled text size).
        let first = facts.base.as_ref().and_then(|base| first_loss(base, &zoomed));
        if let (Some(folder), Some(first)) = (&settings.screenshots, first) {
            if let Some(picture) = self.zoomed_picture(document, context, first, folder).await {
                facts.zoomed_picture = Some(picture);
            }
        }
        facts.zoomed = Some(zoomed);
        trace("scaling-picture", t);
        let t = std::time::Instant::now();
        self.set_font_sizes(1).await?;
        // A desktop screen zoomed, not a phone: no mobile layout rules.
        self.set_viewport(REFLOW_WIDTH, REFLOW_HEIGHT, false).await?;
        self.wait_for_width(context, REFLOW_WIDTH).await;
        let narrow = self.layout(context).await?;
        trace("scaling-narrow", t);
        let pictured = document.is_home && overflow(&narrow) > OVERFLOW_SLACK;
        if let (Some(folder), true) = (&settings.screenshots, pictured) {
            // The home page's first screen as the reader sees it, text running off its right edge.
            // Only the home page's: after the viewport change the browser repaints the whole page
            // for the picture, 214 ms a page on average on the real pages (a second on one in ten).
            let size = (REFLOW_WIDTH as f32, REFLOW_HEIGHT as f32);
            let t = std::time::Instant::now();
            let shot = self.named_screenshot(session, &document.url, "n", (0.0, false), size, folder).await;
            facts.narrow_picture = shot;
            trace("scaling-narrow-picture", t);
        }
        facts.narrow = Some(narrow);
        Ok(())
    }

    /// The screen around `first` (CSS px down the page) with the text doubled; the page is scrolled
    /// there and back.
    async fn zoomed_picture(
        &self,
        document: &Document,
        context: i64,
        first: f32,
        folder: &std::path::Path,
    ) -> Option<Picture> {
        let session = self.session.as_str();
        let at = (first - PICTURE_MARGIN).max(0.0);
        let scroll = format!("(() => {{ const was = [scrollX, scrollY]; scrollTo(0, {at}); return JSON.stringify([was, scrollY, innerWidth, innerHeight]); }})()");
        let reply = self.evaluate(session, context, &scroll).await.ok()?;
        let (was, top, width, height): ([f64; 2], f64, f64, f64) = serde_json::from_str(reply.as_str()?).ok()?;
        let size = (width as f32, height as f32);
        let shot = self.named_screenshot(session, &document.url, "z", (top as f32, false), size, folder).await;
        let _ = self.evaluate(session, context, &format!("scrollTo({}, {}); 0", was[0], was[1])).await;
        shot
    }

    /// Puts the text size, the spacing and the viewport back as the tab had them (the measurements
    /// that `finished` put the first two back themselves).
    async fn restore_layout(&self, context: i64, settings: &RenderSettings, finished: bool) -> Result<(), RenderError> {
        if !finished {
            let _ = self.evaluate(&self.session, context, "window.__eldercheck.widenSpacing(false)").await;
            self.set_font_sizes(1).await?;
        }
        let (width, height) = settings.viewport;
        self.set_viewport(width, height, is_phone(width)).await
    }

    async fn set_font_sizes(&self, factor: u32) -> Result<(), RenderError> {
        let (standard, fixed) = DEFAULT_FONT_SIZES;
        let sizes = json!({ "fontSizes": { "standard": standard * factor, "fixed": fixed * factor } });
        self.connection.call(Some(&self.session), "Page.setFontSizes", sizes, COMMAND_TIMEOUT).await?;
        Ok(())
    }

    async fn set_viewport(&self, width: u32, height: u32, mobile: bool) -> Result<(), RenderError> {
        let metrics = device_metrics(width, height, mobile);
        self.connection
            .call(Some(&self.session), "Emulation.setDeviceMetricsOverride", metrics, COMMAND_TIMEOUT)
            .await?;
        Ok(())
    }

    /// Waits (briefly) until the page's layout has taken the new width.
    async fn wait_for_width(&self, context: i64, width: u32) {
        for _ in 0..20 {
            let now = self.evaluate(&self.session, context, "document.documentElement.clientWidth || innerWidth").await;
            if now.ok().and_then(|v| v.as_f64()).is_some_and(|w| (w - f64::from(width)).abs() < 1.0) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    async fn main_text(&self, context: i64) -> Option<MainText> {
        let value = self.evaluate(&self.session, context, "window.__eldercheck.mainText()").await.ok()?;
        serde_json::from_str(value.as_str()?).ok()
    }

    /// The home page's elder switch, pressed on a fresh copy of the page loaded in this tab (the
    /// tab that read the page has been used by the reader's interactions, on virtual time), within
    /// the page's time.
    pub(super) async fn press_switch_on_copy(
        &self,
        document: &Document,
        settings: &RenderSettings,
        lookups: &Arc<crate::net::lookups::Lookups>,
        deadline: Instant,
        screenshot: Option<&Picture>,
    ) -> Result<Option<ElderSwitch>, String> {
        let latest = deadline.checked_sub(DEADLINE_MARGIN).unwrap_or(deadline);
        let end = (Instant::now() + SWITCH_LOAD + SWITCH_BUDGET).min(latest);
        if Instant::now() >= end {
            return Err("the page's time ran out before its elder switch was pressed".into());
        }
        let pressed = self.watched(document, lookups, |seen| async move {
            let t = std::time::Instant::now();
            self.load(&document.url, settings, &seen).await.map_err(|e| e.to_string())?;
            let context = self.prepare_world(&self.session).await.map_err(|e| e.to_string())?;
            self.settle_after_switch(&seen).await;
            // The walk that numbers the elements, as when the page was read: the switch's control
            // is named by the number it had then. Its result stays in the page.
            let tag = format!("(window.__eldercheck.collect({}), 0)", settings.max_body_bytes);
            self.evaluate(&self.session, context, &tag).await.map_err(|e| e.to_string())?;
            trace("switch-copy", t);
            Ok(self.press_elder_switch(document, context, settings, &seen, end, screenshot).await)
        });
        match tokio::time::timeout_at(latest, pressed).await {
            Ok(result) => result,
            Err(_) => Err("the page stopped answering after its elder switch was pressed".into()),
        }
    }

    /// Presses the home page's elder switch and measures the page it leaves, within `end`. The tab
    /// is not used for another page afterwards; cookies and local storage the switch set are put
    /// back, so the site's other pages are rendered as a reader who never pressed it sees them.
    async fn press_elder_switch(
        &self,
        document: &Document,
        context: i64,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
        end: Instant,
        screenshot: Option<&Picture>,
    ) -> Option<ElderSwitch> {
        let session = self.session.as_str();
        let words = serde_json::to_string(&switch_words()).ok()?;
        let list =
            self.evaluate(session, context, &format!("window.__eldercheck.entryCandidates({words})")).await.ok()?;
        let candidates: Vec<Candidate> = serde_json::from_str(list.as_str()?).ok()?;
        let (control, press) = choose(candidates, &document.url)?;
        let before = self.main_text(context).await?;
        // From here on the page is changed for good: the tab is closed after this page.
        self.set_state_changed(true);
        let cookies = self.cookies().await;
        let storage_probe = format!(
            "(() => {{ try {{ const s = JSON.stringify(Object.entries(localStorage)); return s.length <= {MAX_STORAGE_CHARS} ? s : null; }} catch (e) {{ return null; }} }})()"
        );
        let storage =
            self.evaluate(session, context, &storage_probe).await.ok().and_then(|v| v.as_str().map(String::from));
        let mut switch = ElderSwitch {
            control: control.id,
            text: control.text.chars().take(40).collect(),
            action: match press {
                Press::Follow(_) => "link".into(),
                Press::Click => "click".into(),
            },
            before,
            ..ElderSwitch::default()
        };
        let pressed = tokio::time::timeout_at(
            end,
            self.switch_and_measure(document, context, &press, control.id, settings, seen, &mut switch, screenshot),
        )
        .await;
        if pressed.is_err() && switch.after.is_none() {
            switch.problem = Some("the switched page did not settle in time".into());
        }
        switch.scripts_failed = !seen.lock().unwrap_or_else(|e| e.into_inner()).failed_scripts.is_empty();
        self.put_back(cookies, storage, &document.url).await;
        Some(switch)
    }

    #[allow(clippy::too_many_arguments)]
    async fn switch_and_measure(
        &self,
        document: &Document,
        context: i64,
        press: &Press,
        control: u32,
        settings: &RenderSettings,
        seen: &Arc<Mutex<Seen>>,
        switch: &mut ElderSwitch,
        before_picture: Option<&Picture>,
    ) {
        let session = self.session.as_str();
        let before_location = switch.before.location.clone();
        match press {
            Press::Follow(url) => {
                let navigated = self
                    .connection
                    .call(Some(session), "Page.navigate", json!({ "url": url.as_str() }), COMMAND_TIMEOUT)
                    .await;
                if let Err(error) = navigated {
                    switch.problem = Some(format!("the entry's page could not be opened: {error}"));
                    return;
                }
            }
            Press::Click => {
                if self.evaluate(session, context, &format!("window.__eldercheck.press({control})")).await.is_err() {
                    switch.problem = Some("the control could not be pressed".into());
                    return;
                }
            }
        }
        // A click may navigate too (a script sets location): either way, wait for a loaded document.
        let left = self.wait_for_document(&before_location, matches!(press, Press::Follow(_))).await;
        self.settle_after_switch(seen).await;
        let world = match left {
            Some(location) => {
                let Ok(location_url) = Url::parse(&location) else { return };
                if location.starts_with("chrome-error:") {
                    switch.problem = Some("the entry's page did not load".into());
                    return;
                }
                if !same_site(&document.url, &location_url) {
                    switch.problem =
                        Some(format!("the switch left the site ({})", location.chars().take(120).collect::<String>()));
                    return;
                }
                match self.prepare_world(session).await {
                    Ok(world) => world,
                    Err(error) => {
                        switch.problem = Some(format!("the switched page could not be read: {error}"));
                        return;
                    }
                }
            }
            None => context,
        };
        let mut after = self.main_text(world).await;
        let unchanged = after.as_ref().is_none_or(|a| a.px <= switch.before.px + 0.5);
        if unchanged {
            // An accessibility toolbar opened: press its "larger text" control.
            if let Ok(Value::String(pressed)) =
                self.evaluate(session, world, "window.__eldercheck.largerTextControl()").await
            {
                switch.then_pressed = Some(pressed);
                self.settle_after_switch(seen).await;
                after = self.main_text(world).await.or(after);
            }
        }
        // Beside the page's own screenshot, taken before the switch.
        if let (Some(folder), Some(before)) = (&settings.screenshots, before_picture) {
            if let Some(size) = self.page_size(session).await {
                let size = (size.0, size.1.clamp(1.0, SCREENSHOT_MAX_HEIGHT));
                let after = self.named_screenshot(session, &document.url, "e", (0.0, true), size, folder).await;
                switch.pictures = after.map(|after| [before.clone(), after]);
            }
        }
        switch.after = after;
    }

    /// The address of a new document once it has loaded, or `None` when the page stayed (`must`: a
    /// navigation was asked for, so it is waited for the whole time).
    async fn wait_for_document(&self, before: &str, must: bool) -> Option<String> {
        let end = Instant::now() + if must { SWITCH_LOAD } else { Duration::from_millis(300) };
        let probe = json!({ "expression": "[String(location.href), document.readyState]", "returnByValue": true });
        let mut moved = None;
        while Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let Ok(reply) =
                self.connection.call(Some(&self.session), "Runtime.evaluate", probe.clone(), COMMAND_TIMEOUT).await
            else {
                continue;
            };
            let value = &reply["result"]["value"];
            let (Some(location), Some(state)) = (value[0].as_str(), value[1].as_str()) else { continue };
            let strip = |s: &str| s.split('#').next().unwrap_or_default().to_string();
            if strip(location) != strip(before) {
                moved = Some(location.to_string());
                if state == "complete" {
                    return moved;
                }
            }
        }
        moved
    }

    async fn settle_after_switch(&self, seen: &Arc<Mutex<Seen>>) {
        let _ = self.settle_for(SWITCH_SETTLE, seen).await;
    }

    async fn cookies(&self) -> Vec<Value> {
        let reply =
            self.connection.call(Some(&self.session), "Network.getAllCookies", json!({}), COMMAND_TIMEOUT).await;
        reply.ok().and_then(|r| r["cookies"].as_array().cloned()).unwrap_or_default()
    }

    /// Deletes the cookies the switch set, puts back the ones it changed, and restores local storage.
    async fn put_back(&self, before: Vec<Value>, storage: Option<String>, page: &Url) {
        let key = |c: &Value| (c["name"].clone(), c["domain"].clone(), c["path"].clone());
        let now = self.cookies().await;
        for cookie in &now {
            let old = before.iter().find(|b| key(b) == key(cookie));
            match old {
                Some(old) if old["value"] == cookie["value"] => {}
                Some(old) => {
                    let mut params = old.clone();
                    if let Some(object) = params.as_object_mut() {
                        object.retain(|k, _| {
                            matches!(
                                k.as_str(),
                                "name" | "value" | "domain" | "path" | "secure" | "httpOnly" | "sameSite" | "expires"
                            )
                        });
                    }
                    let _ =
                        self.connection.call(Some(&self.session), "Network.setCookie", params, COMMAND_TIMEOUT).await;
                }
                None => {
                    let params = json!({ "name": cookie["name"], "domain": cookie["domain"], "path": cookie["path"] });
                    let _ = self
                        .connection
                        .call(Some(&self.session), "Network.deleteCookies", params, COMMAND_TIMEOUT)
                        .await;
                }
            }
        }
        let Some(storage) = storage else { return };
        // Local storage belongs to the origin: put back from a document of the page's origin only.
        // Written into the script as JSON string literals, which JavaScript reads as they are.
        let literal = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
        let (origin, storage) = (literal(&page.origin().ascii_serialization()), literal(&storage));
        let restore = format!(
            "(() => {{ if (location.origin !== {origin}) return 0; try {{ localStorage.clear(); for (const [k, v] of JSON.parse({storage})) localStorage.setItem(k, v); }} catch (e) {{}} return 0; }})()"
        );
        let params = json!({ "expression": restore, "returnByValue": true });
        let _ = self.connection.call(Some(&self.session), "Runtime.evaluate", params, COMMAND_TIMEOUT).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: u32, text: &str, href: Option<&str>, shown: bool) -> Candidate {
        Candidate { id, text: text.into(), href: href.map(String::from), shown }
    }

    #[test]
    fn the_switch_is_a_named_mode_within_the_site() {
        let page = Url::parse("https://www.example.gov.cn/").expect("url");
        let list = vec![
            candidate(1, "无障碍", Some("https://www.example.gov.cn/wza.html"), true),
            candidate(2, "关怀版", Some("https://other.example.com/care"), true),
            candidate(3, "长辈版", Some("https://care.example.gov.cn/"), true),
        ];
        let (chosen, press) = choose(list, &page).expect("a switch");
        assert_eq!(chosen.id, 3);
        assert!(matches!(press, Press::Follow(_)));
        // A bare 无障碍 counts as a button only; a link to the page itself is a button too.
        let list = vec![
            candidate(1, "无障碍", Some("https://www.example.gov.cn/wza.html"), true),
            candidate(2, "无障碍", Some("https://www.example.gov.cn/#"), true),
        ];
        let (chosen, press) = choose(list, &page).expect("a switch");
        assert_eq!(chosen.id, 2);
        assert!(matches!(press, Press::Click));
        assert!(choose(vec![candidate(1, "政务公开", None, true)], &page).is_none());
    }

    #[test]
    fn same_site_allows_subdomains_only() {
        let page = Url::parse("https://www.example.gov.cn/").expect("url");
        for (target, same) in [
            ("https://www.example.gov.cn/a", true),
            ("https://care.example.gov.cn/", true),
            ("https://example.gov.cn/", true),
            ("https://badexample.gov.cn/", false),
            ("https://gov.cn/", false),
        ] {
            assert_eq!(same_site(&page, &Url::parse(target).expect("url")), same, "{target}");
        }
    }
}
