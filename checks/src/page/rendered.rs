//! What a browser knew about a page after running its scripts: for each element, the computed values
//! the checks judge and its layout box; which boxes moved between two samples; which media played
//! with sound. A rendered page is parsed from the browser's DOM, whose elements carry
//! [`ELEMENT_ID_ATTR`]; the browser's values then replace the engine's cascade for those elements.
//! The engine still supplies what a browser does not report: where a value was declared.
//!
//! The checks crate never runs a browser: the application supplies these facts.

use super::style::{parse_color, ColorValue, ComputedStyle, LineHeight};
use serde::{Deserialize, Serialize};

/// The attribute the renderer puts on every element so that the browser's facts can be matched to
/// the re-parsed DOM. Reports never show it.
pub const ELEMENT_ID_ATTR: &str = "data-eldercheck-id";

/// A layout box in CSS px, relative to the top left of the document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Bounds {
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// The part of the box inside `other`.
    pub fn intersection_area(&self, other: &Bounds) -> f32 {
        let w = (self.x + self.width).min(other.x + other.width) - self.x.max(other.x);
        let h = (self.y + self.height).min(other.y + other.height) - self.y.max(other.y);
        w.max(0.0) * h.max(0.0)
    }
}

/// One element as the browser computed it. Values are as `getComputedStyle` returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowserElement {
    /// The value of [`ELEMENT_ID_ATTR`].
    pub id: u32,
    /// `checkVisibility()`: false under `display: none` or `content-visibility: hidden`.
    #[serde(default = "yes")]
    pub rendered: bool,
    #[serde(default)]
    pub visibility: String,
    #[serde(default)]
    pub font_size: String,
    #[serde(default)]
    pub font_weight: String,
    #[serde(default)]
    pub color: String,
    #[serde(default)]
    pub background_color: String,
    #[serde(default)]
    pub opacity: String,
    #[serde(default)]
    pub line_height: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub z_index: String,
    /// Where the box was after load, in document coordinates; absent for elements without a box.
    #[serde(default)]
    pub bounds: Option<Bounds>,
    /// The box moved between two samples about a second apart (a floating window, a ticker).
    #[serde(default)]
    pub moved: bool,
    /// An `<audio>`/`<video>` playing with sound after load, for more than 3 s.
    #[serde(default)]
    pub audible: bool,
    /// An `<audio>`/`<video>` playing without sound: muted, at volume 0, or with no audio track.
    #[serde(default)]
    pub silent: bool,
    /// Lines the element's own text takes.
    #[serde(default)]
    pub lines: u32,
    /// The colour behind the element's glyphs as photographed (text over images, gradients or with
    /// a shadow): the median of the pixels the glyphs cover, with the glyphs hidden.
    #[serde(default)]
    pub backdrop: Option<String>,
    /// Focusable inside `aria-hidden`, but focus moves elsewhere as soon as it arrives (a sentinel).
    #[serde(default)]
    pub focus_escapes: bool,
}

/// Everything a browser reported about one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BrowserFacts {
    pub elements: Vec<BrowserElement>,
    /// The viewport the page was laid out in.
    pub viewport_width: f32,
    pub viewport_height: f32,
    /// The scroll height of the document.
    pub document_height: f32,
    /// `window.open`/`alert`/`confirm`/`prompt` calls the page made while loading.
    #[serde(default)]
    pub dialogs: Vec<String>,
    /// Stylesheets the browser asked for and did not get (failed, refused, or an error status).
    #[serde(default)]
    pub failed_stylesheets: Vec<String>,
    /// Images likewise: a background image that did not load leaves text on its fallback colour.
    #[serde(default)]
    pub failed_images: Vec<String>,
    /// The font-scaling measurements, when they were taken.
    #[serde(default)]
    pub scaling: Option<ScalingFacts>,
    /// The interactions tried, when they were.
    #[serde(default)]
    pub interactions: Option<InteractionFacts>,
}

/// One visible text as laid out in one state of the page (see [`ScalingFacts`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextLayout {
    /// The element's [`ELEMENT_ID_ATTR`].
    pub id: u32,
    /// Computed font size, CSS px.
    pub size: f32,
    /// The boxes of its own text's first lines: x, y, width, height in document px.
    #[serde(default)]
    pub rects: Vec<[f32; 4]>,
    /// How many px of its text lie outside a box that hides overflow (0: none).
    #[serde(default)]
    pub lost: f32,
    /// The element whose `overflow` cut it, or -1.
    #[serde(default)]
    pub clipped_by: i64,
    /// That element's padding box (x, y, width, height): where the reader sees the text cut.
    #[serde(default)]
    pub clip_box: Option<[f32; 4]>,
}

/// An element that sticks out of the viewport on the right (its parent does not), making the page
/// scroll sideways.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StickingOut {
    pub id: u32,
    /// Its right edge, document px.
    pub right: f32,
    pub width: f32,
    /// What two-dimensional content it is or is in (`table`, `img`, `pre` …; WCAG 1.4.10's
    /// exception), or empty.
    #[serde(default)]
    pub kind: String,
}

/// The page's visible text in one state of the page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub viewport_width: f32,
    /// How wide the document scrolls.
    pub scroll_width: f32,
    #[serde(default)]
    pub texts: Vec<TextLayout>,
    /// Widest first.
    #[serde(default)]
    pub sticking_out: Vec<StickingOut>,
}

/// The size of a page's main text: the median font size over its visible characters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MainText {
    pub px: f32,
    pub texts: u32,
    pub chars: u32,
    /// Texts a box that hides overflow cuts.
    pub clipped: u32,
    /// The document measured.
    #[serde(default)]
    pub location: String,
}

/// What pressing the home page's elder-mode switch did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ElderSwitch {
    /// The control pressed ([`ELEMENT_ID_ATTR`] in the page as read).
    pub control: u32,
    /// Its text as the reader sees it.
    pub text: String,
    /// `link` (followed within the site) or `click` (its own script ran).
    pub action: String,
    pub before: MainText,
    /// The page after the switch; absent when it could not be measured (see `problem`).
    pub after: Option<MainText>,
    /// An accessibility toolbar's "larger text" control pressed after the switch opened it.
    #[serde(default)]
    pub then_pressed: Option<String>,
    /// Why the switched page could not be measured (it left the site, did not load in time …).
    #[serde(default)]
    pub problem: Option<String>,
    /// The pictures before and after.
    #[serde(default)]
    pub pictures: Option<[Picture; 2]>,
    /// Some of the page's scripts did not load (refused, failed): a switch that changes nothing
    /// may need one of them.
    #[serde(default)]
    pub scripts_failed: bool,
}

/// A screenshot stored with the results (the page's own, and those of the page changed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    /// Relative to the results folder (`screens/….jpg`).
    pub file: String,
    /// Image px.
    pub width: u32,
    pub height: u32,
    /// Image px per CSS px.
    pub scale: f32,
    /// Where the picture starts on the page, CSS px from the top (0, not written, for a picture of
    /// the top of the page).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub top: f32,
}

/// How the page held up when a reader enlarged it: laid out as loaded, with the browser's text
/// size doubled, with the WCAG 1.4.12 spacing, in a 320 px viewport; and its elder switch pressed.
/// Measured after everything else was read, each change undone before the next.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScalingFacts {
    pub base: Option<Layout>,
    pub zoomed: Option<Layout>,
    pub spaced: Option<Layout>,
    pub narrow: Option<Layout>,
    /// The home page's switch, when it has one the browser could press.
    pub elder_switch: Option<ElderSwitch>,
    /// Why a measurement is missing (the page's time ran out, the page broke the probe).
    #[serde(default)]
    pub problem: Option<String>,
    /// The page with its text doubled.
    #[serde(default)]
    pub zoomed_picture: Option<Picture>,
    /// The page at 320 px, when it scrolled sideways there.
    #[serde(default)]
    pub narrow_picture: Option<Picture>,
}

/// What a reader's own use of the page showed, tried once everything else was read: the keyboard
/// walked through it, its pop-ups closed, its moving content paused (src/browser/interact.rs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InteractionFacts {
    #[serde(default)]
    pub keyboard: Option<KeyboardWalk>,
    #[serde(default)]
    pub popups: Vec<PopupTry>,
    #[serde(default)]
    pub motion: Vec<MotionTry>,
    /// Why a part was not tried (the page's time ran out, the page broke the probe).
    #[serde(default)]
    pub problem: Option<String>,
}

/// Tab pressed through the page from its top (and Shift+Tab from its end when Tab was caught).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyboardWalk {
    /// Where focus landed, in order, each element once.
    pub stops: Vec<FocusStop>,
    /// Tab brought focus past the last element (to the browser's own controls).
    pub forward_end: bool,
    /// Shift+Tab did from the end; absent when not needed (Tab got through).
    #[serde(default)]
    pub backward_end: Option<bool>,
    /// The element focus kept coming back to when a walk was caught ([`ELEMENT_ID_ATTR`]).
    #[serde(default)]
    pub caught_at: Option<u32>,
    /// Escape let focus out of where it was caught (a modal dialog's way out).
    #[serde(default)]
    pub escape_leaves: bool,
    /// The page's scripts moved focus by themselves: the walk waited after every key.
    #[serde(default)]
    pub scripts_move_focus: bool,
    /// The walk stopped at its bound (stops or time) before it got through.
    #[serde(default)]
    pub truncated: bool,
    #[serde(default)]
    pub mouse_only: Vec<MouseOnly>,
}

/// One element the keyboard focused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FocusStop {
    /// [`ELEMENT_ID_ATTR`], or -1 for an element made after the page was read.
    pub id: i64,
    #[serde(default)]
    pub bounds: Option<Bounds>,
    /// What changed between the element focused and blurred; absent when it could not be told
    /// (focus never left it).
    #[serde(default)]
    pub changes: Option<Vec<FocusChange>>,
    /// Why the focused element could not be seen (`invisible`, `no_size`, `off_screen`,
    /// `clipped`), or empty.
    #[serde(default)]
    pub unseen: String,
}

/// One thing that changed when an element took focus, as the browser measured it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FocusChange {
    /// `ring` (the browser's own), `outline`, `shadow`, `border`, `background`, `color`,
    /// `underline`, `change` (opacity, transform, generated content, background image).
    pub kind: String,
    /// Thickness of a line (outline, shadow, border), CSS px.
    #[serde(default)]
    pub width: f32,
    /// The colour it took (CSS), the one it had, and the colour behind the element.
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub behind: String,
}

/// An element with a click handler in its markup that is not a control (a `div onclick`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MouseOnly {
    pub id: u32,
    /// Tab reaches it (`tabindex`).
    pub focusable: bool,
    #[serde(default)]
    pub role: String,
    /// It has a key handler in its markup.
    #[serde(default)]
    pub keys: bool,
    /// Enter on it did something (a click, a change to the page); absent when not pressed.
    #[serde(default)]
    pub enter_works: Option<bool>,
}

/// One pop-up the browser tried to close.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PopupTry {
    pub id: u32,
    pub bounds: Bounds,
    #[serde(default)]
    pub close: Option<CloseControl>,
    /// `closed`, `stayed` (a click did nothing), `two_clicks`, `countdown`, `came_back`,
    /// `came_back_on_scroll`, `opened_window`, `navigated`, `not_clickable` (something lies over
    /// the control), `no_close`.
    pub outcome: String,
    /// The countdown the pop-up showed (`5秒`).
    #[serde(default)]
    pub countdown: Option<String>,
    /// Where the click led instead of closing (`opened_window`, `navigated`).
    #[serde(default)]
    pub opened: Option<String>,
    /// Escape closed it (tried when it has no working close control).
    #[serde(default)]
    pub escape_closes: Option<bool>,
    /// The screen after the click.
    #[serde(default)]
    pub after: Option<Picture>,
}

/// A pop-up's close control as drawn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CloseControl {
    pub id: i64,
    pub bounds: Bounds,
    #[serde(default)]
    pub text: String,
}

/// One moving box and what its pause control did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MotionTry {
    /// The box seen moving.
    pub id: u32,
    /// Its container, watched.
    pub container: i64,
    #[serde(default)]
    pub control: Option<i64>,
    #[serde(default)]
    pub control_text: String,
    /// It moved in the time watched before the control was pressed.
    pub moving: bool,
    /// It still moved after the control was pressed; absent without a control.
    #[serde(default)]
    pub still_moving: Option<bool>,
}

/// A pop-up layer sits this high or higher (z-index) …
pub const POPUP_MIN_Z_INDEX: i32 = 100;
/// … and covers at least this share of the viewport (checks/src/rules/shared/popups.rs).
pub const POPUP_MIN_COVERAGE: f32 = 0.25;

impl BrowserFacts {
    /// The pop-ups a browser should try to close, from its own facts (the rule of
    /// `rules::shared::popups`, on the boxes alone): positioned layers with a z-index of at least
    /// [`POPUP_MIN_Z_INDEX`] over [`POPUP_MIN_COVERAGE`] of the first screen (`overlay`), and
    /// positioned boxes that moved (`floating`). The browser keeps the outermost.
    pub fn popup_candidates(&self) -> Vec<(u32, &'static str)> {
        let screen = Bounds { x: 0.0, y: 0.0, width: self.viewport_width, height: self.viewport_height };
        let positioned = |e: &BrowserElement| matches!(e.position.as_str(), "fixed" | "absolute");
        let shown = |e: &BrowserElement| e.rendered && e.visibility != "hidden" && e.visibility != "collapse";
        self.elements
            .iter()
            .filter(|e| positioned(e) && shown(e))
            .filter_map(|e| {
                let z = e.z_index.trim().parse::<i32>().ok();
                let bounds = e.bounds?;
                let covers = bounds.intersection_area(&screen) / screen.area().max(1.0) >= POPUP_MIN_COVERAGE;
                if covers && z.is_some_and(|z| z >= POPUP_MIN_Z_INDEX) {
                    Some((e.id, "overlay"))
                } else if e.moved && z.is_none_or(|z| z >= 0) {
                    Some((e.id, "floating"))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Boxes in the page's flow that moved by themselves (tickers, carousels), for their pause
    /// controls to be tried: `moving-content`'s targets in rendered mode.
    pub fn moving_in_flow(&self) -> Vec<u32> {
        self.elements
            .iter()
            .filter(|e| e.moved && e.rendered && !matches!(e.position.as_str(), "fixed" | "absolute"))
            .map(|e| e.id)
            .collect()
    }
}

/// The browser's facts keyed by the page's own nodes.
#[derive(Debug, Default)]
pub struct Rendering {
    pub boxes: super::NodeMap<Bounds>,
    pub moved: super::NodeSet,
    pub audible: super::NodeSet,
    /// Media the browser saw playing without sound.
    pub silent: super::NodeSet,
    pub backdrops: super::NodeMap<super::style::Rgba>,
    pub focus_escapes: super::NodeSet,
    pub lines: super::NodeMap<u32>,
    pub viewport: Bounds,
    pub document_height: f32,
    pub dialogs: Vec<String>,
    pub failed_stylesheets: Vec<String>,
    pub failed_images: Vec<String>,
    pub scaling: Option<ScalingFacts>,
    pub interactions: Option<InteractionFacts>,
    /// Texts that overlap as loaded (`scaling.base`), worked out once for the three checks comparing with it.
    pub base_overlaps: std::sync::OnceLock<rustc_hash::FxHashSet<(u32, u32)>>,
    /// The page's node for each browser id.
    pub nodes: rustc_hash::FxHashMap<u32, ego_tree::NodeId>,
}

fn is_zero(value: &f32) -> bool {
    *value == 0.0
}

fn yes() -> bool {
    true
}

fn px(text: &str) -> Option<f32> {
    text.trim().strip_suffix("px")?.trim().parse::<f32>().ok().filter(|v| v.is_finite())
}

pub(crate) fn color(text: &str) -> Option<super::style::Rgba> {
    match parse_color(text) {
        Ok(ColorValue::Rgba(rgba)) => Some(rgba),
        _ => None,
    }
}

/// Overwrites the engine's values with the browser's where the browser gave a usable value.
pub(crate) fn apply(style: &mut ComputedStyle, element: &BrowserElement) {
    style.rendered = element.rendered;
    if !element.visibility.is_empty() {
        style.visibility = element.visibility.as_str().into();
    }
    if let Some(size) = px(&element.font_size) {
        style.font_size = Ok(size);
    }
    if let Ok(weight) = element.font_weight.trim().parse::<f32>() {
        style.font_weight = weight;
    }
    if let Some(rgba) = color(&element.color) {
        style.color = Ok(rgba);
    }
    if let Some(rgba) = color(&element.background_color) {
        style.background_color = Ok(rgba);
    }
    if let Ok(opacity) = element.opacity.trim().parse::<f32>() {
        style.opacity = opacity.clamp(0.0, 1.0);
    }
    match element.line_height.trim() {
        "normal" => style.line_height = Ok(LineHeight::Normal),
        other => {
            if let Some(value) = px(other) {
                style.line_height = Ok(LineHeight::Px(value));
            }
        }
    }
    if !element.position.is_empty() {
        style.position = element.position.as_str().into();
    }
    match element.z_index.trim() {
        "auto" => style.z_index = None,
        other => {
            if let Ok(z) = other.parse::<i32>() {
                style.z_index = Some(z);
            }
        }
    }
}

/// Ids that single-page-app frameworks mount into.
const APP_ROOTS: &[&str] = &["app", "root", "__next", "__nuxt", "q-app", "application"];
/// Less visible body text than this, with scripts present, means scripts build the page.
const SCRIPT_BUILT_TEXT_CHARS: usize = 200;

/// Why a page's HTML looks built by scripts (so that only a browser sees its content), or `None`.
/// One linear scan of the text, no parse: `--render auto` asks this of every page, and a second
/// parse would cost static checking a third more time.
pub fn script_built_reason(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let scripts = lower.matches("<script").count();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let hidden_rule = [
        "html{display:none",
        "body{display:none",
        "html{visibility:hidden",
        "body{visibility:hidden",
        "body{opacity:0",
        "html{opacity:0",
    ]
    .iter()
    .any(|rule| compact.contains(rule));
    let hidden_attribute = ["<html", "<body"].iter().any(|tag| {
        tag_attributes(&compact, tag)
            .is_some_and(|attrs| attrs.contains("display:none") || attrs.contains("visibility:hidden"))
    });
    if hidden_rule || hidden_attribute {
        return Some("hidden_until_scripts_run");
    }
    if scripts == 0 {
        return None;
    }
    let empty_root = APP_ROOTS.iter().any(|id| {
        ["\"", "'", ""].iter().any(|quote| {
            let needle = format!("id={quote}{id}{quote}");
            compact.match_indices(&needle).any(|(at, _)| {
                let after = &compact[at + needle.len()..];
                // The id must end there (`id=app` is not `id=apple`), and the element must be empty.
                let ends = quote.is_empty() && after.starts_with(['>', '/']) || !quote.is_empty();
                // Within the start tag's reach: a page of `id=app` without `>` costs one pass, not one per match.
                let tag = prefix(after, TAG_REACH);
                ends && tag.find('>').is_some_and(|close| after[close + 1..].starts_with("</"))
            })
        })
    });
    if empty_root {
        return Some("empty_app_root");
    }
    let noscript_asks = lower.match_indices("<noscript").any(|(at, _)| {
        let inside = prefix(&lower[at..], NOSCRIPT_REACH);
        let inside = &inside[..inside.find("</noscript").unwrap_or(inside.len())];
        inside.contains("javascript")
            || ["启用", "开启", "打开"].iter().any(|w| inside.contains(w))
                && (inside.contains("脚本") || inside.contains("js"))
    });
    if noscript_asks {
        return Some("noscript_asks_for_javascript");
    }
    (visible_chars(&lower) < SCRIPT_BUILT_TEXT_CHARS).then_some("little_text_with_scripts")
}

/// Bytes after an app root's id searched for the end of its start tag.
const TAG_REACH: usize = 1024;
/// Bytes of a `<noscript>` searched for a request to turn JavaScript on.
const NOSCRIPT_REACH: usize = 4096;

/// At most the first `most` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, most: usize) -> &str {
    let mut end = most.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// What is between `<tag` and the next `>`.
fn tag_attributes<'a>(compact: &'a str, tag: &str) -> Option<&'a str> {
    let at = compact.find(tag)? + tag.len();
    let rest = &compact[at..];
    Some(&rest[..rest.find('>')?])
}

/// Characters other than white space outside tags, comments, and script, style, noscript and
/// template contents, after `<body` (or from the start); counting stops at what the heuristic needs.
fn visible_chars(lower: &str) -> usize {
    let start = lower.find("<body").unwrap_or(0);
    let mut rest = &lower[start..];
    let mut count = 0;
    while !rest.is_empty() && count < SCRIPT_BUILT_TEXT_CHARS {
        let Some(open) = rest.find('<') else {
            count += rest.chars().filter(|c| !c.is_whitespace()).count();
            break;
        };
        count += rest[..open].chars().filter(|c| !c.is_whitespace()).count();
        rest = &rest[open..];
        let skip_to = if rest.starts_with("<!--") {
            Some("-->")
        } else {
            ["script", "style", "noscript", "template"].iter().find(|name| rest[1..].starts_with(*name)).map(|name| {
                match *name {
                    "script" => "</script",
                    "style" => "</style",
                    "noscript" => "</noscript",
                    _ => "</template",
                }
            })
        };
        rest = match skip_to.and_then(|end| rest.find(end).map(|at| (at, end))) {
            Some((at, end)) => &rest[at + end.len()..],
            None if skip_to.is_some() => "",
            None => match rest.find('>') {
                Some(close) => &rest[close + 1..],
                None => "",
            },
        };
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(html: &str) -> Option<&'static str> {
        script_built_reason(html)
    }

    #[test]
    fn prefixes_are_cut_at_character_boundaries() {
        assert_eq!(prefix("启用脚本", 4), "启");
        assert_eq!(prefix("abc", 10), "abc");
        let asks = format!("<noscript>请启用JavaScript{}</noscript><script></script>", " ".repeat(8000));
        assert_eq!(reason(&asks), Some("noscript_asks_for_javascript"), "the request comes first");
    }

    #[test]
    fn pages_that_only_scripts_fill() {
        assert_eq!(reason("<div id=app></div><script src=app.js></script>"), Some("empty_app_root"));
        assert_eq!(
            reason("<noscript>请启用 JavaScript 后访问本站</noscript><p>x</p><script></script>"),
            Some("noscript_asks_for_javascript")
        );
        assert_eq!(reason("<style>body { display: none }</style><p>很多文字</p>"), Some("hidden_until_scripts_run"));
        assert_eq!(reason("<h1>标题</h1><script>load()</script>"), Some("little_text_with_scripts"));
    }

    #[test]
    fn ordinary_pages_are_left_to_the_static_engine() {
        let article =
            format!("<h1>通知</h1><p>{}</p><script>stats()</script>", "关于做好养老服务工作的通知。".repeat(30));
        assert_eq!(reason(&article), None);
        assert_eq!(reason("<p>短页面，没有脚本</p>"), None);
        assert_eq!(
            reason("<div id=apple></div><p>没有脚本的页面</p><script></script>"),
            Some("little_text_with_scripts")
        );
        let long = format!("<div id=\"app\"><p>{}</p></div><script></script>", "服务指南".repeat(60));
        assert_eq!(reason(&long), None, "a filled app root is not empty");
    }

    #[test]
    fn browser_values_are_read_as_getcomputedstyle_writes_them() {
        let mut style = ComputedStyle::initial();
        let element = BrowserElement {
            id: 1,
            rendered: true,
            visibility: "visible".into(),
            font_size: "21.3333px".into(),
            font_weight: "700".into(),
            color: "rgb(153, 153, 153)".into(),
            background_color: "rgba(0, 0, 0, 0)".into(),
            opacity: "0.5".into(),
            line_height: "normal".into(),
            position: "fixed".into(),
            z_index: "9999".into(),
            bounds: None,
            moved: false,
            audible: false,
            silent: false,
            lines: 1,
            backdrop: None,
            focus_escapes: false,
        };
        apply(&mut style, &element);
        assert!((style.font_size.clone().expect("size") - 21.3333).abs() < 0.001);
        assert_eq!(style.font_weight, 700.0);
        let c = style.color.clone().expect("colour");
        assert_eq!((c.r, c.g, c.b), (153.0, 153.0, 153.0));
        assert_eq!(style.background_color.clone().expect("bg").a, 0.0);
        assert_eq!(&*style.position, "fixed");
        assert_eq!(style.z_index, Some(9999));
        assert_eq!(style.line_height, Ok(LineHeight::Normal));
    }

    #[test]
    fn overlapping_boxes() {
        let a = Bounds { x: 0.0, y: 0.0, width: 100.0, height: 100.0 };
        let b = Bounds { x: 50.0, y: 50.0, width: 100.0, height: 100.0 };
        assert_eq!(a.intersection_area(&b), 2500.0);
        let far = Bounds { x: 500.0, y: 0.0, width: 10.0, height: 10.0 };
        assert_eq!(a.intersection_area(&far), 0.0);
    }
}
