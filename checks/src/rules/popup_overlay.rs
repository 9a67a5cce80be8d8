use super::ad_content::ad_elements;
use super::lexicon::induced_phrase;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::collapsed_text;
use crate::page::rendered::Bounds;
use crate::page::scripts::script_facts;
use crate::page::style::Extent;
use scraper::ElementRef;
use std::borrow::Cow;

pub struct PopupOverlay;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("popup-overlay"),
    family: Family::Popups,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("页面加载时没有弹窗或飘窗遮挡内容", "No pop-up or floating window covers the page on load"),
    failure_title: Text::new("页面加载时有弹窗或飘窗遮挡内容", "A pop-up or floating window covers the page on load"),
    criteria: Criteria { wcag: &["2.2.4", "1.4.13"], miit: &["附件2 2.4 弹窗关闭按钮位置与大小", "附件1 2.4.1 不得有临时性广告弹窗"], act: &[] },
    docs: Text::new(
        "## 检查什么\n页面加载时可见的遮罩、弹窗和飘窗：固定或绝对定位、层级高（z-index ≥ 100）、覆盖视口 25% 以上的元素；或被内联脚本定时移动位置的元素（飘窗）；以及加载时执行的 `window.open`、`alert`。渲染模式（`--render`）下按浏览器实际画出的位置和大小判断覆盖面积和关闭按钮，并找出加载后约 0.3 秒内移动的定位元素（飘窗）和实际弹出的窗口、对话框，包括外部脚本生成的。\
每条结果说明是否有关闭控件，以及样式能确定时关闭按钮的尺寸（应不小于 44×44 px）和位置（应在左上、右上或底部居中）。\
**在适老版页面上，含广告或诱导内容的弹窗是否决项。**\n\n\
## 为什么对老年读者重要\n突然弹出、到处飘动的窗口会遮住正文，老年人找不到或点不中很小的关闭按钮，常常被迫点进广告。\n\n\
## 示例\n不合格：`<div style=\"position:fixed;inset:0;z-index:9999\">… <a class=\"close\" style=\"width:16px;height:16px\">×</a></div>`；合格：不弹窗，或弹窗有右上角 44×44 px 以上的“关闭”按钮。\n\n\
## 如何修复\n删除加载时的弹窗和飘窗；确需提示时使用页面内的通知条，关闭按钮放在右上角、不小于 44×44 px，并带“关闭”文字或 aria-label。",
        "## What it checks\nOverlays, modals and floating windows visible on load: fixed or absolute elements with a high z-index (≥ 100) covering at least 25% of the viewport; elements an inline script moves on a timer (飘窗); and `window.open` or `alert` run on load. In rendered mode (`--render`) coverage and close buttons are judged on the boxes the browser drew, and positioned boxes that move in the settle time after load (floating windows) and windows or dialogs actually opened are found, including those made by external scripts. \
Each finding says whether there is a close control and, where the CSS tells, its size (at least 44×44 px) and position (top-left, top-right or bottom-centre). \
**On elder pages, a pop-up that carries ads or inducing content is a veto.**\n\n\
## Why it matters for older readers\nWindows that pop up or float around cover the text; older readers cannot find or hit the tiny close button and end up clicking the ad.\n\n\
## Example\nFails: `<div style=\"position:fixed;inset:0;z-index:9999\">… <a class=\"close\" style=\"width:16px;height:16px\">×</a></div>`. Passes: no pop-up, or one with a \"Close\" button of at least 44×44 px at the top right.\n\n\
## How to fix\nRemove pop-ups and floating windows on load; use an in-page notice instead, with a close button at the top right, at least 44×44 px, labelled \"关闭\" or with an aria-label.",
    ),
};

const MIN_Z_INDEX: i32 = 100;
const MIN_COVERAGE: f32 = 0.25;
const MIN_CLOSE_PX: f32 = 44.0;
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
fn drawn_position(button: Bounds, window: Bounds) -> &'static str {
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

fn close_control(element: ElementRef<'_>) -> Option<ElementRef<'_>> {
    element.descendent_elements().skip(1).find(|d| {
        let v = d.value();
        let text = collapsed_text(*d).to_lowercase();
        let label = v
            .attr("aria-label")
            .or_else(|| v.attr("title"))
            .or_else(|| v.attr("alt"))
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

impl Check for PopupOverlay {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let (vw, vh) = (page.viewport.width, page.viewport.height);
        let facts = script_facts(page);
        let mut overlays: Vec<(ElementRef<'_>, &'static str, Option<f32>)> = Vec::new();
        for element in page.elements() {
            if !page.is_visible(element)
                || overlays.iter().any(|(o, _, _)| element.ancestors().any(|a| a.id() == o.id()))
            {
                continue;
            }
            let s = page.style_of(element);
            if !s.is_positioned_out_of_flow()
                || s.z_index.is_none_or(|z| z < MIN_Z_INDEX)
                || slid_off_screen(s, (vw, vh))
            {
                continue;
            }
            // A rendered page says where the box is; the viewport at load is what a reader first sees.
            if let (Some(drawn), Some(rendering)) = (page.layout_box(element), page.rendering()) {
                let viewport = rendering.viewport;
                let coverage = drawn.intersection_area(&viewport) / viewport.area().max(1.0);
                if coverage >= MIN_COVERAGE && element.descendants().count() > 1 {
                    overlays.push((element, "overlay", Some(coverage)));
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
                overlays.push((element, "overlay", Some(coverage)));
            }
        }
        // Boxes the browser saw move between two samples, and boxes inline scripts move on a timer.
        let moved_in_browser: Vec<ElementRef<'_>> = page
            .rendering()
            .map(|r| page.elements().filter(|e| r.moved.contains(&e.id())).collect())
            .unwrap_or_default();
        let moved_by_script = facts.moved_ids.iter().filter_map(|id| page.element_by_id(id));
        for element in moved_in_browser.into_iter().chain(moved_by_script) {
            // A floating window is a positioned box above the page with something to show.
            let floating = |e: &ElementRef<'_>| {
                let s = page.style_of(*e);
                page.is_visible(*e)
                    && s.is_positioned_out_of_flow()
                    && s.z_index.is_none_or(|z| z >= 0)
                    && e.descendent_elements()
                        .any(|d| matches!(d.value().name(), "img" | "a" | "iframe" | "object" | "embed"))
            };
            let inside_another =
                |o: &ElementRef<'_>| o.id() == element.id() || element.ancestors().any(|a| a.id() == o.id());
            if floating(&element) && !overlays.iter().any(|(o, _, _)| inside_another(o)) {
                overlays.push((element, "floating", None));
            }
        }
        let mut tally = Tally::default();
        let ads = if overlays.is_empty() { Vec::new() } else { ad_elements(cx) };
        for (element, kind, coverage) in &overlays {
            let close = close_control(*element);
            let close_size = close.and_then(|c| {
                if let Some(drawn) = page.layout_box(c) {
                    return Some((drawn.width, drawn.height));
                }
                let s = page.style_of(c);
                match (s.width, s.height) {
                    (Extent::Px(w), Extent::Px(h)) => Some((w, h)),
                    _ => None,
                }
            });
            let close_position = close.map(|c| {
                if let (Some(button), Some(window)) = (page.layout_box(c), page.layout_box(*element)) {
                    return drawn_position(button, window);
                }
                let s = page.style_of(c);
                match (s.top, s.right, s.left, s.bottom) {
                    (Extent::Px(_), Extent::Px(_), _, _) => "top-right",
                    (Extent::Px(_), _, Extent::Px(_), _) => "top-left",
                    (_, _, _, Extent::Px(_)) => "bottom",
                    _ => "unknown",
                }
            });
            let carries_ad =
                ads.iter().any(|(a, _)| a.id() == element.id() || a.ancestors().any(|x| x.id() == element.id()));
            let carries_induced = induced_phrase(&collapsed_text(*element), &cx.options.extra_induced_words).is_some();
            let mut problems_zh = Vec::new();
            let mut problems_en = Vec::new();
            match (close, close_size) {
                (None, _) => {
                    problems_zh.push("没有可识别的关闭按钮".to_string());
                    problems_en.push("no recognisable close control".to_string());
                }
                (Some(_), Some((w, h))) if w < MIN_CLOSE_PX || h < MIN_CLOSE_PX => {
                    problems_zh.push(format!("关闭按钮只有 {w:.0}×{h:.0} px，小于 44×44 px"));
                    problems_en.push(format!("the close button is only {w:.0}×{h:.0} px, under 44×44 px"));
                }
                _ => {}
            }
            let (what_zh, what_en) = match *kind {
                "floating" => (
                    "脚本让这个窗口在页面上飘动（飘窗），遮挡正文",
                    "A script floats this window around the page, covering content",
                ),
                _ => (
                    "这个弹层在页面加载时覆盖了视口的大部分",
                    "This layer covers much of the viewport when the page loads",
                ),
            };
            let extra_zh =
                if problems_zh.is_empty() { String::new() } else { format!("；{}", problems_zh.join("；")) };
            let extra_en = if problems_en.is_empty() { String::new() } else { format!("; {}", problems_en.join("; ")) };
            let veto_zh = if cx.elder_page && (carries_ad || carries_induced) {
                "。适老版页面上含广告或诱导内容的弹窗是否决项"
            } else {
                ""
            };
            let veto_en = if cx.elder_page && (carries_ad || carries_induced) {
                ". On an elder page, a pop-up with ads or inducing content is a veto"
            } else {
                ""
            };
            let mut finding = Finding::failed(
                page,
                *element,
                Message::new(format!("{what_zh}{extra_zh}{veto_zh}。"), format!("{what_en}{extra_en}{veto_en}.")),
            )
            .with("kind", *kind)
            .with("has_close", close.is_some())
            .with("carries_ad_or_induced", carries_ad || carries_induced);
            if let Some(c) = coverage {
                finding = finding.with("viewport_coverage", f64::from((c * 100.0).round() / 100.0));
            }
            if let Some((w, h)) = close_size {
                finding = finding.with("close_px", vec![f64::from(w), f64::from(h)]);
            }
            if let Some(p) = close_position {
                finding = finding.with("close_position", p);
            }
            tally.add(finding);
        }
        let mut on_load: Vec<&str> = facts.on_load_popups.iter().map(|w| &**w).collect();
        if let Some(rendering) = page.rendering() {
            on_load.extend(rendering.dialogs.iter().map(String::as_str));
        }
        on_load.sort_unstable();
        on_load.dedup();
        for what in &on_load {
            let body = page.elements().find(|e| e.value().name() == "body").unwrap_or_else(|| page.root());
            tally.add(
                Finding::failed(
                    page,
                    body,
                    Message::new(
                        format!("页面加载时执行 {what}，会弹出窗口或对话框打断阅读。"),
                        format!("The page runs {what} on load, opening a window or dialog that interrupts reading."),
                    ),
                )
                .with("kind", what.to_string())
                .with("carries_ad_or_induced", false),
            );
        }
        // The page itself is the target: nothing covering it on load is a pass.
        if overlays.is_empty() && on_load.is_empty() {
            tally.pass();
        }
        tally.finish()
    }
}
