use super::shared::scaling::{self, OVERFLOW_SLACK};
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use std::borrow::Cow;

pub struct Reflow;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("reflow"),
    family: Family::Font,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("页面放大到 400% 不用左右拖动", "No sideways scrolling when the page is zoomed to 400%"),
    failure_title: Text::new("页面放大后要左右拖动才能看全", "The zoomed page has to be scrolled sideways"),
    criteria: Criteria { wcag: &["1.4.10"], miit: &["附件1 网页放大与大字屏幕服务", "附件1 2.2 放大缩小"], act: &[] },
    docs: Text::new(
        "## 检查什么\n1280 px 宽的屏幕放大到 400%，页面只剩 320 CSS px 宽（WCAG 1.4.10）。在浏览器里把同一个页面改成 320 px 宽重新排版（不刷新），看页面是否横向滚动、由哪个元素撑出，多出多少 px，\
以及文字是否因此被截掉。需要二维阅读的内容（数据表格、图片、地图、视频、代码）撑出不算。需要浏览器，**只在渲染模式（`--render`）下检查**。\n\n\
## 为什么对老年读者重要\n视力差的老年人常用 Ctrl + 加号 把整页放大。放大后每读一行都要左右拖动，读者很快就会迷失位置、放弃阅读。\n\n\
## 示例\n不合格：`body { min-width: 1400px }` 或 `.main { width: 1200px }` 的固定宽度布局；合格：`.main { max-width: 1200px; width: 100% }` 加上窄屏的媒体查询。\n\n\
## 如何修复\n固定宽度改成 `max-width` 加百分比；用 `@media (max-width: 640px)` 把多栏改成单栏；长网址和长词加 `overflow-wrap: anywhere`；宽表格放进 `overflow-x: auto` 的容器。",
        "## What it checks\nA 1,280 px screen zoomed to 400% is 320 CSS px wide (WCAG 1.4.10). The same page is laid out again in the browser at 320 px (no reload): does it scroll sideways, which element pushes it out and by how many px, \
and does text get cut off? Content that needs two dimensions (data tables, images, maps, video, code) is exempt. Needs a browser: **rendered mode only** (`--render`).\n\n\
## Why it matters for older readers\nReaders with low vision zoom the whole page with Ctrl and +. If every line then needs sideways scrolling, they lose their place and give up.\n\n\
## Example\nFails: a fixed layout such as `body { min-width: 1400px }` or `.main { width: 1200px }`. Passes: `.main { max-width: 1200px; width: 100% }` with a media query for narrow screens.\n\n\
## How to fix\nReplace fixed widths with `max-width` and percentages; switch to one column with `@media (max-width: 640px)`; add `overflow-wrap: anywhere` for long words and addresses; put wide tables in an `overflow-x: auto` box.",
    ),
};

/// The page at 320 px, for the report to show beside the finding.
fn with_picture(finding: Finding, facts: &crate::page::rendered::ScalingFacts) -> Finding {
    match facts.narrow_picture.as_ref().and_then(|p| serde_json::to_value(p).ok()) {
        Some(picture) => finding.with("narrow_picture", picture),
        None => finding,
    }
}

impl Check for Reflow {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn needs_browser(&self) -> bool {
        true
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let (facts, base, narrow) = match scaling::layouts(cx, |f| f.narrow.as_ref()) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let mut tally = Tally::default();
        let overflow = scaling::overflow(narrow);
        tally.data("viewport_px", f64::from(narrow.viewport_width.round()));
        tally.data("overflow_px", f64::from(overflow.round()));
        if overflow > OVERFLOW_SLACK {
            // The element sticking out furthest that is not two-dimensional content decides.
            let culprit = narrow.sticking_out.iter().find(|s| s.kind.is_empty());
            match culprit.and_then(|s| scaling::element(page, s.id).map(|e| (s, e))) {
                Some((out, element)) => {
                    let px = overflow.round();
                    let width = out.width.round();
                    let finding = Finding::failed(
                        page,
                        element,
                        Message::new(
                            format!("页面放大到 400%（320 px 宽）时，这个 {width:.0} px 宽的元素把页面向右撑出 {px:.0} px，读者每读一行都要左右拖动。"),
                            format!("At 400% zoom (320 px wide), this {width:.0} px wide element pushes the page {px:.0} px past the screen; every line needs sideways scrolling."),
                        ),
                    )
                    .with("problem", "overflow")
                    .with("overflow_px", f64::from(px))
                    .with("element_width_px", f64::from(width));
                    tally.add(with_picture(finding, facts));
                }
                None if narrow.sticking_out.is_empty() => {
                    // Something scrolls, but no element of the page could be named (a pseudo-element, a margin).
                    tally.data("unnamed_overflow", true);
                    let px = overflow.round();
                    {
                        let root = page.html.root_element();
                        let finding = Finding::failed(
                            page,
                            root,
                            Message::new(
                                format!("页面放大到 400%（320 px 宽）时向右多出 {px:.0} px，要左右拖动才能看全。"),
                                format!("At 400% zoom (320 px wide) the page is {px:.0} px wider than the screen and needs sideways scrolling."),
                            ),
                        )
                        .with("problem", "overflow")
                        .with("overflow_px", f64::from(px));
                        tally.add(with_picture(finding, facts));
                    }
                }
                None => {
                    // Only tables, images, maps or code are wider than the screen: WCAG's exception.
                    let kinds: Vec<&str> = narrow.sticking_out.iter().map(|s| s.kind.as_str()).collect();
                    tally.data("exempt_overflow", kinds.join(","));
                    tally.pass();
                }
            }
        } else {
            tally.pass();
        }
        scaling::report_losses(
            page,
            base,
            narrow,
            ("页面放大到 400%（320 px 宽）时", "At 400% zoom (320 px wide)"),
            None,
            false,
            &mut tally,
        );
        tally.finish()
    }
}
