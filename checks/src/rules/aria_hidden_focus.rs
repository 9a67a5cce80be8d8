use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::aria::in_sequential_focus_order;
use crate::page::Attribute;
use ego_tree::NodeId;
use scraper::ElementRef;
use std::borrow::Cow;
use std::collections::HashSet;

pub struct AriaHiddenFocus;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("aria-hidden-focus"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("对读屏隐藏的内容不能获得焦点", "Hidden content is not focusable"),
    failure_title: Text::new("对读屏隐藏的内容仍可获得焦点", "Hidden content can receive focus"),
    criteria: Criteria { wcag: &["4.1.2"], miit: &["附件1 全程键盘操作"], act: &["6cfa84"] },
    docs: Text::new(
        "## 检查什么\n带有 `aria-hidden=\"true\"` 的元素及其后代中，没有可以用 Tab 键到达的元素（链接、按钮、输入框、`tabindex≥0` 的元素）。\n\n\
## 为什么对老年读者重要\n键盘和读屏用户按 Tab 键会停在这些元素上，但读屏软件什么也不读，用户以为页面卡住了，不知道焦点去了哪里。\n\n\
## 示例\n不合格：`<div aria-hidden=\"true\"><a href=\"/ad\">了解详情</a></div>`；合格：隐藏区域内的链接加 `tabindex=\"-1\"`，或去掉 `aria-hidden`。\n\n\
## 如何修复\n不要对含可交互内容的区域用 `aria-hidden`；确需隐藏时同时用 CSS 隐藏、加 `inert` 或 `tabindex=\"-1\"`。",
        "## What it checks\nNo element with `aria-hidden=\"true\"`, or any of its descendants, can be reached with the Tab key (links, buttons, fields, `tabindex≥0`).\n\n\
## Why it matters for older readers\nKeyboard and screen-reader users land on these elements when they press Tab, but nothing is announced: the page seems stuck and focus is lost.\n\n\
## Example\nFails: `<div aria-hidden=\"true\"><a href=\"/ad\">Learn more</a></div>`. Passes: the link in the hidden region has `tabindex=\"-1\"`, or `aria-hidden` is removed.\n\n\
## How to fix\nDo not put `aria-hidden` on regions with interactive content; if they must be hidden, also hide them with CSS, `inert` or `tabindex=\"-1\"`.",
    ),
};

impl Check for AriaHiddenFocus {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        // Targets: elements whose aria-hidden is exactly "true" (other values are ignored by browsers).
        let is_hidden_root = |e: &ElementRef<'_>| {
            e.value().attribute("aria-hidden").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        // One pass: every focusable element inside a hidden region is one finding, however many
        // hidden regions enclose it, and marks those regions as failed. Scanning each region's
        // subtree instead is quadratic on nested regions (and reported one element many times).
        let mut failed_roots: HashSet<NodeId> = HashSet::new();
        for element in page.elements() {
            if !page.is_aria_hidden(element) || !in_sequential_focus_order(page, element) {
                continue;
            }
            // In a browser, focus given to it moved on at once (a focus sentinel): nobody lands here.
            if page.rendering().is_some_and(|r| r.focus_escapes.contains(&element.id())) {
                continue;
            }
            // Up to the first region already marked: an earlier walk marked every region above it.
            for region in std::iter::once(element).chain(element.ancestors().filter_map(ElementRef::wrap)) {
                if is_hidden_root(&region) && !failed_roots.insert(region.id()) {
                    break;
                }
            }
            // Every stylesheet loaded (in the engine, or in the browser that rendered it): what shows is the answer.
            if !page.styles_incomplete() {
                tally.add(Finding::failed(
                    page,
                    element,
                    Message::new(
                        "此元素在 aria-hidden=\"true\" 的区域内却能用 Tab 键到达：焦点停在这里时读屏软件什么也不读。请加 tabindex=\"-1\"、inert，或去掉 aria-hidden。",
                        "This element is inside aria-hidden=\"true\" but reachable with Tab: when focus lands here, the screen reader says nothing. Add tabindex=\"-1\" or inert, or remove aria-hidden.",
                    ),
                ));
            } else {
                // Hidden regions (closed dialogs, collapsed menus) are usually hidden by a stylesheet; one
                // did not load, so the region may well be hidden: never a false failure.
                tally.add(Finding::cant_tell(
                    page,
                    element,
                    "stylesheet-not-loaded",
                    Message::new(
                        "此元素在 aria-hidden=\"true\" 的区域内，按已加载的样式能用 Tab 键到达；但有样式表未能加载，它可能本来就被隐藏，需要确认。",
                        "This element is inside aria-hidden=\"true\" and reachable with Tab with the styles that loaded; a stylesheet could not be loaded and may hide it, so confirm.",
                    ),
                ));
            }
        }
        for _ in page.elements().filter(is_hidden_root).filter(|e| !failed_roots.contains(&e.id())) {
            tally.pass();
        }
        tally.finish()
    }
}
