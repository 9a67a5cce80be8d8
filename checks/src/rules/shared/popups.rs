//! Which elements of a page are pop-ups, modals and floating windows (飘窗), and their close
//! controls: shared by `popup-overlay` (what covers the page on load) and the rendered checks that
//! act on pop-ups. This is applicability only: what a pop-up must satisfy is each check's own.

use crate::page::collapsed_text;
use crate::page::rendered::Bounds;
use crate::page::scripts::script_facts;
use crate::page::style::Extent;
use crate::page::Attribute;
use crate::page::Page;
use scraper::ElementRef;

use crate::page::rendered::{POPUP_MIN_COVERAGE as MIN_COVERAGE, POPUP_MIN_Z_INDEX as MIN_Z_INDEX};
/// Smallest close button (MIIT 附件2 2.4: 44×44).
pub const MIN_CLOSE_PX: f32 = 44.0;
const CLOSE_WORDS: &[&str] = &["关闭", "关 闭", "×", "✕", "✖", "x", "close", "关", "不再显示", "跳过"];

/// Width and height in px of a fixed box (percentages are of the viewport).
fn box_size(extent: Extent, viewport: f32, start: Extent, end: Extent) -> Option<f32> {
    match extent {
        Extent::Px(px) => Some(px),
        Extent::Percent(p) => Some(viewport * p / 100.0),
        Extent::Auto => match (start, end) {
            (Extent::Px(a), Extent::Px(b)) => Some(viewport - a - b),
            (Extent::Percent(a), Extent::Percent(b)) => Some(viewport * (100.0 - a - b) / 100.0),
            _ => None,
        },
        Extent::Unknown => None,
    }
}

/// Drawers and panels parked outside the viewport until opened: `translate(±100%)`, or
/// `left`/`top` at or beyond the viewport's far edge.
fn slid_off_screen(style: &crate::page::style::ComputedStyle, viewport: (f32, f32)) -> bool {
    let translated = style.transform.as_deref().is_some_and(|t| {
        let t = t.replace(' ', "").to_ascii_lowercase();
        t.contains("translate") && t.contains("100%")
    });
    let beyond = |e: Extent, size: f32| match e {
        Extent::Percent(p) => p >= 100.0,
        Extent::Px(px) => px >= size,
        _ => false,
    };
    translated || beyond(style.left, viewport.0) || beyond(style.top, viewport.1)
}

/// Where a close button sits on its window, from the boxes the browser drew.
pub(crate) fn drawn_position(button: Bounds, window: Bounds) -> &'static str {
    let centre_x = button.x + button.width / 2.0;
    let centre_y = button.y + button.height / 2.0;
    let upper = centre_y < window.y + window.height / 3.0;
    let lower = centre_y > window.y + window.height * 2.0 / 3.0;
    let middle_x = (centre_x - (window.x + window.width / 2.0)).abs() < window.width / 6.0;
    match (upper, lower) {
        (true, _) if centre_x >= window.x + window.width / 2.0 => "top-right",
        (true, _) => "top-left",
        (_, true) if middle_x => "bottom",
        _ => "unknown",
    }
}

pub fn close_control(element: ElementRef<'_>) -> Option<ElementRef<'_>> {
    element.descendent_elements().skip(1).find(|d| {
        let v = d.value();
        let text = collapsed_text(*d).to_lowercase();
        let label = v
            .attribute("aria-label")
            .or_else(|| v.attribute("title"))
            .or_else(|| v.attribute("alt"))
            .unwrap_or_default()
            .to_lowercase();
        let marker = v.classes().chain(v.id()).any(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("close") || c.contains("guanbi") || c == "gb" || c.contains("btn-x")
        });
        (CLOSE_WORDS.contains(&text.as_str()) && text.chars().count() <= 4)
            || label.contains("关闭")
            || label.contains("close")
            || marker
    })
}

/// How a pop-up shows itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupKind {
    /// A layer covering much of the viewport on load.
    Overlay,
    /// A positioned box a script moves around the page.
    Floating,
}

impl PopupKind {
    pub fn id(self) -> &'static str {
        match self {
            PopupKind::Overlay => "overlay",
            PopupKind::Floating => "floating",
        }
    }
}

/// A pop-up of the page, with its close control as far as the page tells.
pub struct Popup<'a> {
    pub element: ElementRef<'a>,
    pub kind: PopupKind,
    /// Share of the viewport it covers (overlays).
    pub coverage: Option<f32>,
    pub close: Option<ElementRef<'a>>,
    /// Width and height of the close control, in px, where known.
    pub close_size: Option<(f32, f32)>,
    /// `top-right`, `top-left`, `bottom` or `unknown`.
    pub close_position: Option<&'static str>,
}

/// Every pop-up of the page: overlays first, then floating windows, none inside another.
pub fn find_popups(page: &Page) -> Vec<Popup<'_>> {
    let mut found: Vec<(ElementRef<'_>, PopupKind, Option<f32>)> = overlays(page);
    for element in floating_windows(page) {
        let inside_another =
            |o: &ElementRef<'_>| o.id() == element.id() || element.ancestors().any(|a| a.id() == o.id());
        if !found.iter().any(|(o, _, _)| inside_another(o)) {
            found.push((element, PopupKind::Floating, None));
        }
    }
    found
        .into_iter()
        .map(|(element, kind, coverage)| {
            let close = close_control(element);
            Popup {
                element,
                kind,
                coverage,
                close,
                close_size: close.and_then(|c| close_size(page, c)),
                close_position: close.map(|c| close_position(page, c, element)),
            }
        })
        .collect()
}

/// Positioned layers above the page (z-index ≥ 100) covering at least a quarter of the viewport.
fn overlays(page: &Page) -> Vec<(ElementRef<'_>, PopupKind, Option<f32>)> {
    let (vw, vh) = (page.viewport.width, page.viewport.height);
    let mut overlays: Vec<(ElementRef<'_>, PopupKind, Option<f32>)> = Vec::new();
    for element in page.elements() {
        if !page.is_visible(element) || overlays.iter().any(|(o, _, _)| element.ancestors().any(|a| a.id() == o.id())) {
            continue;
        }
        let s = page.style_of(element);
        if !s.is_positioned_out_of_flow() || s.z_index.is_none_or(|z| z < MIN_Z_INDEX) || slid_off_screen(s, (vw, vh)) {
            continue;
        }
        // A rendered page says where the box is; the viewport at load is what a reader first sees.
        if let (Some(drawn), Some(rendering)) = (page.layout_box(element), page.rendering()) {
            let viewport = rendering.viewport;
            let coverage = drawn.intersection_area(&viewport) / viewport.area().max(1.0);
            if coverage >= MIN_COVERAGE && element.descendants().count() > 1 {
                overlays.push((element, PopupKind::Overlay, Some(coverage)));
            }
            continue;
        }
        let fixed = &*s.position == "fixed";
        let (Some(w), Some(h)) = (box_size(s.width, vw, s.left, s.right), box_size(s.height, vh, s.top, s.bottom))
        else {
            continue;
        };
        // An absolutely positioned box is sized against its container, known only when in px.
        let sized_in_px = matches!(s.width, Extent::Px(_)) && matches!(s.height, Extent::Px(_));
        if !fixed && !sized_in_px {
            continue;
        }
        let coverage = (w.min(vw).max(0.0) * h.min(vh).max(0.0)) / (vw * vh);
        if coverage >= MIN_COVERAGE && element.descendants().count() > 1 {
            overlays.push((element, PopupKind::Overlay, Some(coverage)));
        }
    }
    overlays
}

/// Boxes the browser saw move between two samples, and boxes inline scripts move on a timer, that
/// are positioned above the page with something to show.
fn floating_windows(page: &Page) -> Vec<ElementRef<'_>> {
    let moved_in_browser: Vec<ElementRef<'_>> =
        page.rendering().map(|r| page.elements().filter(|e| r.moved.contains(&e.id())).collect()).unwrap_or_default();
    let facts = script_facts(page);
    let moved_by_script = facts.moved_ids.iter().filter_map(|id| page.element_by_id(id));
    let floating = |e: &ElementRef<'_>| {
        let s = page.style_of(*e);
        page.is_visible(*e)
            && s.is_positioned_out_of_flow()
            && s.z_index.is_none_or(|z| z >= 0)
            && e.descendent_elements().any(|d| matches!(d.value().name(), "img" | "a" | "iframe" | "object" | "embed"))
    };
    moved_in_browser.into_iter().chain(moved_by_script).filter(floating).collect()
}

/// Words of a floating or couplet (对联) ad slot, in a slot's `data-ad-type`, class or id, or in
/// the address of the script that places it (`…|W5_duilian&…`).
const FLOATING_AD_WORDS: &[&str] = &["float", "floating", "duilian", "couplet", "piaochuang", "piaofu"];
const FLOATING_AD_NAMES: &[&str] = &["floatad", "floatads", "duilian", "couplet", "piaochuang", "piaofu"];

/// Floating and couplet ad slots the markup declares: `<ins data-ad-type="float">`, a
/// `floatAd1` box, a script loading `W5_duilian`. Their script fills and floats them, so the
/// markup is the evidence a static reading has. With the evidence that named them.
pub fn declared_floating_ads(page: &Page) -> Vec<(ElementRef<'_>, String)> {
    let mut found: Vec<(ElementRef<'_>, String)> = Vec::new();
    let mut found_nodes = crate::page::NodeSet::default();
    let mut letters = String::new();
    for element in page.elements() {
        if super::inside_found(&found, &mut found_nodes, element) {
            continue;
        }
        let v = element.value();
        if v.name() == "script" {
            let src = v.attribute("src").unwrap_or_default().to_ascii_lowercase();
            if let Some(word) = FLOATING_AD_NAMES.iter().find(|w| src.contains(*w)) {
                found.push((element, format!("script:{word}")));
            }
            continue;
        }
        if !page.is_rendered(element) {
            continue;
        }
        if let Some(kind) =
            v.attribute("data-ad-type").filter(|t| FLOATING_AD_WORDS.contains(&t.trim().to_ascii_lowercase().as_str()))
        {
            found.push((element, format!("data-ad-type={kind}")));
            continue;
        }
        let named = v.classes().chain(v.id()).find(|name| {
            super::lexicon::name_letters_into(name, &mut letters);
            FLOATING_AD_NAMES.iter().any(|w| letters.contains(w))
        });
        if let Some(name) = named {
            found.push((element, format!("name:{name}")));
        }
    }
    found
}

/// A close control's size: the box the browser drew, else a size in px from the styles.
fn close_size(page: &Page, close: ElementRef<'_>) -> Option<(f32, f32)> {
    if let Some(drawn) = page.layout_box(close) {
        return Some((drawn.width, drawn.height));
    }
    let s = page.style_of(close);
    match (s.width, s.height) {
        (Extent::Px(w), Extent::Px(h)) => Some((w, h)),
        _ => None,
    }
}

/// Where a close control sits on its window: from the boxes the browser drew, else from the
/// offsets the styles give it.
fn close_position(page: &Page, close: ElementRef<'_>, window: ElementRef<'_>) -> &'static str {
    if let (Some(button), Some(window)) = (page.layout_box(close), page.layout_box(window)) {
        return drawn_position(button, window);
    }
    let s = page.style_of(close);
    match (s.top, s.right, s.left, s.bottom) {
        (Extent::Px(_), Extent::Px(_), _, _) => "top-right",
        (Extent::Px(_), _, Extent::Px(_), _) => "top-left",
        (_, _, _, Extent::Px(_)) => "bottom",
        _ => "unknown",
    }
}
