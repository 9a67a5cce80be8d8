use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::aria::explicit_role;
use crate::page::collapsed_text;
use crate::page::rendered::Bounds;
use crate::page::Attribute;
use scraper::ElementRef;
use std::borrow::Cow;
use std::collections::HashMap;

pub struct TargetSize;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("target-size"),
    family: Family::Font,
    impact: Impact::Moderate,
    scope: Scope::Page,
    title: Text::new("链接和按钮足够大，容易点中", "Links and buttons are big enough to hit"),
    failure_title: Text::new("链接或按钮太小，不容易点中", "Links or buttons are too small to hit"),
    criteria: Criteria { wcag: &["2.5.8"], miit: &["附件1 2.2 放大缩小", "附件1 2.5 操作方便"], act: &[] },
    docs: Text::new(
        "## 检查什么\n浏览器里实际画出来的链接、按钮、复选框等可点击目标不小于 24×24 px（WCAG 2.5.8）。句子中的文字链接、周围 24 px 内没有其他目标的小目标不算。\
目标大小要浏览器排版后才能知道，所以**只在渲染模式（`--render`）下检查**，静态检查时记为“不适用”。\n\n\
## 为什么对老年读者重要\n老年人手指不稳、视力下降，很小的按钮和挤在一起的链接常常点错或点不中，只好放弃办理。\n\n\
## 示例\n不合格：`<a href=\"/close\" style=\"font-size:10px\">×</a>`（10×12 px）；合格：`<button style=\"min-width:44px;min-height:44px\">关闭</button>`。\n\n\
## 如何修复\n给按钮和图标链接设置 `min-width`/`min-height`（适老版建议 44 px 以上），或加大内边距；相邻链接之间留出间距。",
        "## What it checks\nLinks, buttons, checkboxes and other pointer targets, as the browser draws them, are at least 24×24 px (WCAG 2.5.8). Links inside a sentence and small targets with no other target within 24 px are exempt. \
Sizes need the browser's layout, so this check **runs in rendered mode only** (`--render`) and is inapplicable in static checks.\n\n\
## Why it matters for older readers\nUnsteady hands and weaker sight make small buttons and crowded links easy to miss or mis-hit; older readers give up on the task.\n\n\
## Example\nFails: `<a href=\"/close\" style=\"font-size:10px\">×</a>` (10×12 px). Passes: `<button style=\"min-width:44px;min-height:44px\">Close</button>`.\n\n\
## How to fix\nGive buttons and icon links a `min-width`/`min-height` (44 px or more on elder pages) or more padding, and leave space between neighbouring links.",
    ),
};

/// WCAG 2.5.8's minimum, in CSS px.
const MIN_PX: f32 = 24.0;
/// Targets of one grid cell compared with a target.
const MAX_NEIGHBOURS: usize = 32;
/// Ancestors looked through to tell a target nested in another.
const MAX_NESTING: usize = 32;

fn is_target(element: &ElementRef<'_>) -> bool {
    let v = element.value();
    match v.name() {
        "a" => v.attribute("href").is_some(),
        "button" | "select" | "summary" | "textarea" => true,
        "input" => !v.attribute("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden")),
        _ => matches!(
            explicit_role(*element).as_deref(),
            Some("button" | "link" | "checkbox" | "radio" | "tab" | "menuitem" | "switch")
        ),
    }
}

/// A link inside running text: the sentence around it sets its size, not the author (WCAG's inline exception).
fn inline_in_text(page: &crate::page::Page, element: ElementRef<'_>) -> bool {
    if element.value().name() != "a" || &*page.style_of(element).display != "inline" {
        return false;
    }
    let Some(parent) = element.parent().and_then(ElementRef::wrap) else { return false };
    let own = collapsed_text(element).chars().count();
    // Counted only as far as the answer needs: a paragraph of thousands of small links is read once per
    // link otherwise.
    let around: usize = parent
        .text()
        .flat_map(str::split_whitespace)
        .scan(0usize, |seen, word| {
            (*seen <= own + 11).then(|| {
                *seen += word.chars().count() + 1;
                *seen
            })
        })
        .last()
        .unwrap_or(0);
    around.saturating_sub(1) > own + 10
}

fn centre(b: &Bounds) -> (f32, f32) {
    (b.x + b.width / 2.0, b.y + b.height / 2.0)
}

impl Check for TargetSize {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn needs_browser(&self) -> bool {
        true
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        let targets: Vec<(ElementRef<'_>, Bounds)> = page
            .elements()
            .filter(is_target)
            .filter(|e| page.is_visible(*e))
            .filter_map(|e| page.layout_box(e).filter(|b| b.area() > 0.0).map(|b| (e, b)))
            .collect();
        // Centres on a grid of MIN_PX cells: the spacing test looks at neighbouring cells only.
        let cell = |(x, y): (f32, f32)| ((x / MIN_PX).floor() as i64, (y / MIN_PX).floor() as i64);
        let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for (index, (_, bounds)) in targets.iter().enumerate() {
            grid.entry(cell(centre(bounds))).or_default().push(index);
        }
        for (index, (element, bounds)) in targets.iter().enumerate() {
            if bounds.width >= MIN_PX && bounds.height >= MIN_PX {
                tally.pass();
                continue;
            }
            if inline_in_text(page, *element) {
                continue;
            }
            // The spacing exception: no other target's centre within MIN_PX of this one's.
            let (x, y) = centre(bounds);
            let (cx_, cy_) = cell((x, y));
            // Bounded however many targets a page piles on one spot: a few neighbours per cell and a
            // few levels of nesting tell.
            let nested =
                |a: ElementRef<'_>, b: ElementRef<'_>| a.ancestors().take(MAX_NESTING).any(|n| n.id() == b.id());
            let crowded = (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| (cx_ + dx, cy_ + dy))).any(|key| {
                grid.get(&key).is_some_and(|list| {
                    list.iter().filter(|other| **other != index).take(MAX_NEIGHBOURS).any(|other| {
                        let (neighbour, neighbour_box) = targets[*other];
                        let (ox, oy) = centre(&neighbour_box);
                        let inside = nested(neighbour, *element) || nested(*element, neighbour);
                        !inside && ((ox - x).powi(2) + (oy - y).powi(2)).sqrt() < MIN_PX
                    })
                })
            });
            if !crowded {
                tally.pass();
                continue;
            }
            let (w, h) = (bounds.width, bounds.height);
            tally.add(
                Finding::failed(
                    page,
                    *element,
                    Message::new(
                        format!("可点击区域只有 {w:.0}×{h:.0} px，小于 24×24 px，旁边还挤着其他链接或按钮，老年读者容易点错。"),
                        format!("The target is only {w:.0}×{h:.0} px, under 24×24 px, with other targets close by; older readers easily hit the wrong one."),
                    ),
                )
                .with("size_px", vec![f64::from(w.round()), f64::from(h.round())]),
            );
        }
        tally.finish()
    }
}
