use super::shared::scaling::element as element_of;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::scripts::script_facts;
use crate::page::Attribute;
use std::borrow::Cow;

pub struct MovingContent;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("moving-content"),
    family: Family::Popups,
    impact: Impact::Moderate,
    scope: Scope::Page,
    title: Text::new("没有无法暂停的滚动内容", "No moving content that cannot be paused"),
    failure_title: Text::new("有无法暂停的滚动或闪烁内容", "Content moves or blinks without a way to pause it"),
    criteria: Criteria { wcag: &["2.2.2"], miit: &["附件1 2.4 避免干扰"], act: &[] },
    docs: Text::new(
        "## 检查什么\n页面上是否有 `<marquee>` 跑马灯、`<blink>` 闪烁文字，或由脚本定时滚动的内容（滚动新闻、滚动公告）。静态检查只读页面内联脚本；渲染模式（`--render`）下还找出加载后自己移动的内容（滚动新闻、自动轮播），包括外部脚本驱动的，并按下它的“暂停/停止”按钮，再观察页面时间里的 6 秒（虚拟时间，不用真等）：仍在移动为不合格，停下为合格。\n\n\
## 为什么对老年读者重要\n滚动的文字还没读完就移走了，老年读者跟不上，也难以点中滚动中的链接；不停移动的内容还会分散注意力。\n\n\
## 示例\n不合格：`<marquee>关于开展医保参保工作的通知</marquee>`；合格：静态的公告列表，或带“暂停”按钮的轮播。\n\n\
## 如何修复\n改为静态列表；确需滚动时提供明显的暂停/播放按钮，并在鼠标悬停和键盘聚焦时停止。",
        "## What it checks\nWhether the page has `<marquee>`, `<blink>`, or content scrolled by a timer in an inline script (news tickers, scrolling notices). In rendered mode (`--render`) it also finds content that moves by itself after load (tickers, auto-advancing carousels), whatever script drives it, presses its pause or stop control and watches it for six seconds of the page's time (virtual time): content that keeps moving fails, content that stops passes.\n\n\
## Why it matters for older readers\nScrolling text moves away before it has been read, and its links are hard to hit; constant movement also distracts.\n\n\
## Example\nFails: `<marquee>Notice on health insurance enrolment</marquee>`. Passes: a static list, or a carousel with a pause button.\n\n\
## How to fix\nUse a static list; if content must move, give it a visible pause/play button and stop it on hover and keyboard focus.",
    ),
};

/// A pause or stop control in the moving content's container (up to three levels up).
fn has_pause_control(element: scraper::ElementRef<'_>) -> bool {
    let container = element.ancestors().filter_map(scraper::ElementRef::wrap).nth(2).unwrap_or(element);
    container.descendent_elements().any(|d| {
        let v = d.value();
        let text = crate::page::collapsed_text(d).to_lowercase();
        let label = v.attribute("aria-label").or_else(|| v.attribute("title")).unwrap_or_default().to_lowercase();
        matches!(v.name(), "button" | "a" | "input")
            && ["暂停", "停止", "pause", "stop"].iter().any(|w| text.contains(w) || label.contains(w))
    })
}

impl Check for MovingContent {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        let mut moving = false;
        for element in
            page.elements().filter(|e| matches!(e.value().name(), "marquee" | "blink") && page.is_rendered(*e))
        {
            moving = true;
            tally.add(Finding::failed(
                page,
                element,
                Message::new(
                    format!("<{}> 让文字不停移动或闪烁，读者无法暂停。", element.value().name()),
                    format!(
                        "<{}> keeps the text moving or blinking, and readers cannot pause it.",
                        element.value().name()
                    ),
                ),
            ));
        }
        let facts = script_facts(page);
        let mut ids = facts.scrolled_ids.clone();
        ids.sort();
        ids.dedup();
        for id in &ids {
            if let Some(element) = page.element_by_id(id).filter(|e| page.is_rendered(*e)) {
                moving = true;
                tally.add(Finding::failed(page, element, Message::new(
                    "脚本定时滚动这块内容（如滚动新闻），读者来不及阅读，也没有暂停按钮。",
                    "A script scrolls this content on a timer (a news ticker); readers cannot keep up and cannot pause it.",
                )));
            }
        }
        // In a browser: the outermost in-flow boxes that moved against their container between two
        // samples (tickers, auto-advancing carousels). Positioned windows are pop-up-overlay's.
        if let Some(rendering) = page.rendering() {
            // With the boxes seen moving while the page's clock ran ahead (a slow carousel).
            let mut moving_nodes = rendering.moved.clone();
            for tried in rendering.interactions.iter().flat_map(|i| &i.motion).filter(|t| t.moving) {
                if let Some(element) = element_of(page, tried.id) {
                    moving_nodes.insert(element.id());
                }
            }
            let moved: Vec<_> = page
                .elements()
                .filter(|e| moving_nodes.contains(&e.id()))
                .filter(|e| page.is_visible(*e) && !page.style_of(*e).is_positioned_out_of_flow())
                .collect();
            for element in &moved {
                if element.ancestors().any(|a| moving_nodes.contains(&a.id())) {
                    continue;
                }
                // Its pause control pressed in the browser, and the box watched again.
                let tried = rendering.interactions.as_ref().and_then(|i| {
                    i.motion.iter().find(|t| element_of(page, t.id).is_some_and(|e| e.id() == element.id()))
                });
                match tried.map(|t| (t.still_moving, t.control_text.as_str())) {
                    Some((Some(false), _)) => {
                        tally.pass();
                        continue;
                    }
                    Some((Some(true), control)) => {
                        moving = true;
                        tally.add(
                            Finding::failed(page, *element, Message::new(
                                format!("这块内容自己移动，按了它的“{control}”按钮后仍然在动：暂停按钮不起作用。"),
                                format!("This content moves by itself and still moves after its \"{control}\" control was pressed: the pause does not work."),
                            ))
                            .with("seen_moving", true)
                            .with("problem", "pause_does_not_work"),
                        );
                        continue;
                    }
                    _ => {}
                }
                if has_pause_control(*element) {
                    continue;
                }
                moving = true;
                tally.add(
                    Finding::failed(page, *element, Message::new(
                        "这块内容在页面打开后自己移动（滚动新闻或自动轮播），读者来不及阅读，也找不到暂停按钮。",
                        "This content moves by itself after the page opens (a ticker or auto-advancing carousel); readers cannot keep up and find no pause button.",
                    ))
                    .with("seen_moving", true),
                );
            }
        }
        // The page itself is the target: nothing moving is a pass.
        if !moving {
            tally.pass();
        }
        tally.finish()
    }
}
