use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::style::SizeUnitKind;
use crate::text::visible_text_elements;
use scraper::ElementRef;
use std::borrow::Cow;
use std::collections::HashMap;

pub struct FixedFontSize;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("fixed-font-size"),
    family: Family::Font,
    impact: Impact::Moderate,
    scope: Scope::Page,
    title: Text::new("文字大小可随浏览器设置放大", "Text follows the reader's text-size setting"),
    failure_title: Text::new("文字大小被固定，浏览器字号设置无法放大", "Text size is fixed against the reader's setting"),
    criteria: Criteria { wcag: &["1.4.4"], miit: &["附件1 大字屏幕服务（C12–C14 相对单位）"], act: &[] },
    docs: Text::new(
        "## 检查什么\n可见文字的字号是否用绝对单位（px、pt、cm、mm、in、pc）或只用视口单位（vw、vh）设定，使读者在浏览器里调大“字体大小”时文字不会变大。\
结果按设定字号的元素归并：一条 `font-size: 12px` 的规则影响多少段文字，就记在那个元素上。\n\n\
## 为什么对老年读者重要\n很多老年人把浏览器或手机的默认字号调大。用 px 写死的字号不跟随这个设置，页面仍然是小字。\n\n\
## 示例\n不合格：`body { font-size: 12px }`；合格：`body { font-size: 0.875rem }`、`.title { font-size: 1.5em }`。\n\n\
## 如何修复\n把字号改为 `rem`、`em` 或百分比；根元素不要用 px 设定字号。",
        "## What it checks\nWhether visible text is sized in absolute units (px, pt, cm, mm, in, pc) or viewport units alone (vw, vh), so that raising the browser's text size does not enlarge it. \
Results are grouped by the element whose `font-size` fixes the size: one `font-size: 12px` rule is reported once, with how many pieces of text it affects.\n\n\
## Why it matters for older readers\nMany older people raise the default text size of their browser or phone. Sizes fixed in px ignore that setting, and the page stays small.\n\n\
## Example\nFails: `body { font-size: 12px }`. Passes: `body { font-size: 0.875rem }`, `.title { font-size: 1.5em }`.\n\n\
## How to fix\nUse `rem`, `em` or percentages for font sizes, and do not set the root element's size in px.",
    ),
};

/// The nearest element (itself or an ancestor) whose own `font-size` declaration fixes the size.
fn fixing_element<'a>(cx: &CheckContext<'a>, element: ElementRef<'a>) -> Option<(ElementRef<'a>, SizeUnitKind)> {
    std::iter::once(element).chain(element.ancestors().filter_map(ElementRef::wrap)).find_map(|e| {
        match cx.page.style_of(e).font_size_origin.declared {
            Some(kind @ (SizeUnitKind::Absolute | SizeUnitKind::ViewportOnly)) => Some((e, kind)),
            _ => None,
        }
    })
}

impl Check for FixedFontSize {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        // One finding per element that fixes the size, counting the text it affects.
        let mut by_source: Vec<(ElementRef<'_>, SizeUnitKind, u32)> = Vec::new();
        let mut index: HashMap<ego_tree::NodeId, usize> = HashMap::new();
        for item in visible_text_elements(page) {
            let style = page.style_of(item.element);
            // A size from the browser's own stylesheet (form controls, `<small>` …) follows the reader's
            // text size setting in browsers; only the author can fix a size.
            let from_browser = style.origins.font_size.as_ref().is_some_and(|o| !o.is_author());
            if style.font_size.is_err() || style.font_size_origin.scales_with_user_setting || from_browser {
                tally.pass();
                continue;
            }
            let Some((source, kind)) = fixing_element(cx, item.element) else {
                tally.pass();
                continue;
            };
            match index.get(&source.id()) {
                Some(&i) => by_source[i].2 += 1,
                None => {
                    index.insert(source.id(), by_source.len());
                    by_source.push((source, kind, 1));
                }
            }
        }
        let min_px = super::shared::sizes::min_text_px(cx);
        for (source, kind, count) in by_source {
            let px = page.style_of(source).font_size.clone().unwrap_or(0.0);
            let (zh_unit, en_unit) = match kind {
                SizeUnitKind::ViewportOnly => ("视口单位（vw/vh）", "viewport units (vw/vh)"),
                _ => ("绝对单位（如 px、pt）", "absolute units (px, pt…)"),
            };
            let mut finding = Finding::failed(
                page,
                source,
                Message::new(
                    format!("此处用{zh_unit}把字号固定为 {px:.0}px，影响 {count} 段文字：读者调大浏览器字号时它们不会变大。请改用 rem 或 em。"),
                    format!("The font size is fixed at {px:.0}px in {en_unit}, affecting {count} pieces of text: they do not grow when the reader enlarges text. Use rem or em."),
                ),
            )
            .with("font_px", f64::from((px * 10.0).round() / 10.0))
            .with("text_elements", count)
            .with("suggested_rem", super::shared::sizes::fixed_size_rem(px, min_px))
            .with_origin(page.style_of(source).origins.font_size.as_ref());
            finding
                .data
                .insert("unit".into(), if kind == SizeUnitKind::ViewportOnly { "viewport" } else { "absolute" }.into());
            // Every affected text element counts as a failed target.
            tally.add_grouped(finding, count);
        }
        tally.finish()
    }
}
