//! The pictures a rendered page gets: the screenshot stored with the results (a JPEG of the top of
//! the page, scaled to at most [`SCREENSHOT_WIDTH`]), and the pair of pictures with and without the
//! glyphs of text over images, gradients or shadows, from which the colour behind them is read.

use super::cdp::CdpError;
use super::pixels::{backdrop_colour, decode_png, Image};
use super::tab::Tab;
use crate::sources::Screenshot;
use base64::Engine as _;
use eldercheck_checks::page::rendered::BrowserFacts;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;
use url::Url;

/// Screenshots are this wide at most (px); a desktop page is scaled down, a phone page is not.
const SCREENSHOT_WIDTH: f32 = 800.0;
/// Longest part of a page photographed, in CSS px: the top of a long page is where pop-ups live.
pub(super) const SCREENSHOT_MAX_HEIGHT: f32 = 3000.0;
const SCREENSHOT_QUALITY: u32 = 60;
/// How long one picture may take. A 3,000 px picture of a heavy page takes ~0.1–0.5 s, of a page
/// animating 2,000 boxes on a slow machine ~5 s.
const PICTURE_TIMEOUT: Duration = Duration::from_secs(8);

/// A picture of the page taken while it was watched or read.
pub(super) struct Photo {
    /// `None` when the browser could not photograph the page: it is not asked again.
    pub(super) shot: Option<Screenshot>,
    pub(super) started: tokio::time::Instant,
    /// The viewport width and page height photographed.
    pub(super) size: (f32, f32),
    /// Whether the page had gone quiet when it was photographed.
    pub(super) quiet: bool,
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

/// A screenshot's file name: a digest of the page URL, the same in every shard of a batch.
fn screenshot_name(url: &Url) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(url.as_str().as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

impl Tab {
    /// Photographs text whose backdrop is not one colour (images, gradients, shadows) with and without
    /// its glyphs, and records the colour behind them. Failures leave the engine's verdict alone.
    pub(super) async fn measure_backdrops(&self, session: &str, context: i64, facts: &mut BrowserFacts) {
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

    /// A JPEG of the top of the page at viewport width, scaled to at most [`SCREENSHOT_WIDTH`].
    /// A page whose screenshot fails is still checked; it just has no picture.
    pub(super) async fn screenshot(
        &self,
        session: &str,
        url: &Url,
        size: (f32, f32),
        folder: &std::path::Path,
    ) -> Option<Screenshot> {
        self.named_screenshot(session, url, "", (0.0, true), size, folder).await
    }

    /// A screenshot as [`Tab::screenshot`], its file name marked with `suffix` (letters only): the
    /// page enlarged (`z`) or switched to its elder mode (`e`). It starts `top` CSS px down the page;
    /// `beyond` photographs past the viewport, which makes the browser lay the page out again with
    /// its own settings (a doubled text size is lost), so the enlarged page is photographed within it.
    pub(super) async fn named_screenshot(
        &self,
        session: &str,
        url: &Url,
        suffix: &str,
        (top, beyond): (f32, bool),
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
                    "clip": { "x": 0, "y": top, "width": width, "height": height, "scale": scale },
                    "captureBeyondViewport": beyond,
                    "optimizeForSpeed": true,
                }),
            )
            .await?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str()?).ok()?;
        let name = format!("{}{suffix}.jpg", screenshot_name(url));
        std::fs::create_dir_all(folder).ok()?;
        std::fs::write(folder.join(&name), bytes).ok()?;
        Some(Screenshot {
            file: format!("screens/{name}"),
            width: (width * scale).round() as u32,
            height: (height * scale).round() as u32,
            scale,
            top,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshot_names_depend_only_on_the_url() {
        let a = Url::parse("https://www.example.gov.cn/").expect("url");
        let b = Url::parse("https://www.example.gov.cn/a.html").expect("url");
        assert_eq!(screenshot_name(&a), screenshot_name(&a));
        assert_ne!(screenshot_name(&a), screenshot_name(&b));
        assert_eq!(screenshot_name(&a).len(), 24);
    }
}
