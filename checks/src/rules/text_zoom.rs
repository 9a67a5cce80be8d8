use super::shared::scaling::{self, GROWN_FACTOR, MAX_FINDINGS, OVERFLOW_SLACK};
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::style::SizeUnitKind;
use scraper::ElementRef;
use std::borrow::Cow;

pub struct TextZoom;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("text-zoom"),
    family: Family::Font,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("字号调到 200% 后文字变大且完整", "Text grows and stays whole at 200% text size"),
    failure_title: Text::new("把字号调大后文字不变大、被截断或重叠", "Text does not grow, is cut off or overlaps at 200% text size"),
    criteria: Criteria { wcag: &["1.4.4"], miit: &["附件1 网页放大与大字屏幕服务", "附件1 字体可调"], act: &[] },
    docs: Text::new(
        "## 检查什么\n在浏览器里把读者的默认字号加倍（标准字号 16 → 32 px，等宽 13 → 26 px，相当于把浏览器“字体大小”设为特大），不刷新页面，重新排版后逐段比较：\
一点没变大的文字（字号被 px 等绝对单位写死，指出写死字号的元素和 CSS 声明）、放大后被外框 `overflow: hidden` 截掉半行以上的文字，以及页面因此出现横向滚动；和别的文字排在同一位置的文字列为“待确认”，请对照截图判断。\
只算放大引起的问题：原来就被截断或重叠的不算。放大后的页面截图放在 1× 截图旁边。需要浏览器，**只在渲染模式（`--render`）下检查**。\n\n\
## 为什么对老年读者重要\n很多老年人把浏览器或手机的字号调到最大。字号写死的网站不跟着变；高度写死的栏目放大后把字截掉一半，读者根本看不全。\n\n\
## 示例\n不合格：`.nav a { font-size: 14px }`（放大后仍是 14 px）；`.menu { height: 40px; overflow: hidden }` 里的文字放大后被截掉。\
合格：`.nav a { font-size: 0.875rem }`，`.menu { min-height: 2.5rem }`。\n\n\
## 如何修复\n字号用 `rem`、`em` 或百分比；装文字的框用 `min-height` 代替 `height`，不要给文字框加 `overflow: hidden`；长词加 `overflow-wrap: anywhere`；宽度用百分比或 `max-width`。",
        "## What it checks\nThe reader's default text size is doubled in the browser (standard 16 → 32 px, fixed 13 → 26 px: a browser's largest text setting), without reloading, and every text is compared after the new layout: \
text that did not grow at all (its size fixed in px or another absolute unit; the element and the CSS declaration that fixed it are named), text a box with `overflow: hidden` now cuts by half a line or more, and sideways scrolling this causes; text now laid out over other text is listed for review against the picture. \
Only losses the enlargement causes count. The 2× screenshot is shown beside the 1× one. Needs a browser: **rendered mode only** (`--render`).\n\n\
## Why it matters for older readers\nMany older people set their browser's or phone's text to the largest size. Fixed sizes ignore it, and boxes of fixed height cut enlarged text in half.\n\n\
## Example\nFails: `.nav a { font-size: 14px }` (still 14 px at 200%); text in `.menu { height: 40px; overflow: hidden }` cut off when enlarged. \
Passes: `.nav a { font-size: 0.875rem }`, `.menu { min-height: 2.5rem }`.\n\n\
## How to fix\nSize text in `rem`, `em` or `%`; give text boxes `min-height` instead of `height` and no `overflow: hidden`; add `overflow-wrap: anywhere` for long words; use `%` or `max-width` for widths.",
    ),
};

/// The nearest element (itself or an ancestor) whose own `font-size` declaration fixes the size.
fn fixing_element<'a>(cx: &CheckContext<'a>, element: ElementRef<'a>) -> ElementRef<'a> {
    std::iter::once(element)
        .chain(element.ancestors().filter_map(ElementRef::wrap))
        .take(64)
        .find(|e| {
            matches!(
                cx.page.style_of(*e).font_size_origin.declared,
                Some(SizeUnitKind::Absolute | SizeUnitKind::ViewportOnly)
            )
        })
        .unwrap_or(element)
}

/// Declarations told apart among text that did not grow (the findings show the largest few).
const MAX_GROUPS: usize = 200;

impl Check for TextZoom {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn needs_browser(&self) -> bool {
        true
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let (facts, base, zoomed) = match scaling::layouts(cx, |f| f.zoomed.as_ref()) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let mut tally = Tally::default();
        let before: rustc_hash::FxHashMap<u32, f32> = base.texts.iter().map(|t| (t.id, t.size)).collect();
        // Text that did not grow, grouped by the element whose declaration fixed its size.
        let mut groups: Vec<(ElementRef<'_>, u32, f32, f32)> = Vec::new();
        let mut grown = 0u32;
        let mut unlisted = 0u32;
        for text in &zoomed.texts {
            let Some(&was) = before.get(&text.id).filter(|s| **s > 0.0) else { continue };
            if text.size >= was * GROWN_FACTOR {
                grown += 1;
                continue;
            }
            let Some(element) = scaling::element(page, text.id) else { continue };
            let source = fixing_element(cx, element);
            match groups.iter().position(|g| g.0.id() == source.id()) {
                Some(at) => groups[at].1 += 1,
                None if groups.len() < MAX_GROUPS => groups.push((source, 1, was, text.size)),
                // Beyond that many declarations, counted without being told apart.
                None => unlisted += 1,
            }
        }
        for _ in 0..grown {
            tally.pass();
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.1));
        // Texts of the declarations not listed count as failed targets of the last finding listed,
        // which says so.
        unlisted += groups.iter().skip(MAX_FINDINGS).map(|g| g.1).sum::<u32>();
        let listed = groups.len().min(MAX_FINDINGS);
        for (index, (source, count, was, now)) in groups.into_iter().take(MAX_FINDINGS).enumerate() {
            let (more_zh, more_en, targets) = if index + 1 == listed && unlisted > 0 {
                (
                    format!("另有 {unlisted} 段文字在别处，同样没有变大。"),
                    format!(" {unlisted} more pieces of text elsewhere do not grow either."),
                    count + unlisted,
                )
            } else {
                (String::new(), String::new(), count)
            };
            let finding = Finding::failed(
                page,
                source,
                Message::new(
                    format!("读者把字号调到 200% 后，这里的 {count} 段文字仍是 {now:.0} px（原来 {was:.0} px），一点没有变大：字号被写死了。请改用 rem 或 em。{more_zh}"),
                    format!("With the reader's text at 200%, {count} pieces of text here stay at {now:.0} px (were {was:.0} px): the size is fixed. Use rem or em.{more_en}"),
                ),
            )
            .with("problem", "not_grown")
            .with("px_before", f64::from(was.round()))
            .with("px_after", f64::from(now.round()))
            .with_origin(page.style_of(source).origins.font_size.as_ref());
            tally.add_grouped(finding, targets);
        }
        let picture = facts.zoomed_picture.as_ref();
        scaling::report_losses(
            page,
            base,
            zoomed,
            ("字号调到 200% 后", "With the text at 200%"),
            picture,
            true,
            &mut tally,
        );
        let pushed = scaling::overflow(zoomed) - scaling::overflow(base);
        if pushed > OVERFLOW_SLACK {
            if let Some(out) = zoomed.sticking_out.first() {
                if let Some(element) = scaling::element(page, out.id) {
                    let px = pushed.round();
                    let finding = Finding::failed(
                        page,
                        element,
                        Message::new(
                            format!("字号调到 200% 后，这个元素把页面向右撑出 {px:.0} px，读者要左右拖动才能看全。"),
                            format!("With the text at 200%, this element pushes the page {px:.0} px wider than the screen; the reader has to scroll sideways."),
                        ),
                    )
                    .with("problem", "overflow")
                    .with("overflow_px", f64::from(px));
                    tally.add(finding);
                }
            }
        }
        if let Some(picture) = picture.and_then(|p| serde_json::to_value(p).ok()) {
            tally.data("zoomed_picture", picture);
        }
        tally.finish()
    }
}
