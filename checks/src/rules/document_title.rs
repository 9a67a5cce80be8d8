use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::collapsed_text;
use scraper::ElementRef;
use std::borrow::Cow;

pub struct DocumentTitle;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("document-title"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("页面有标题", "Page has a title"),
    failure_title: Text::new("页面缺少标题", "Page has no title"),
    criteria: Criteria { wcag: &["2.4.2"], miit: &["GB/T 37668-2019 (≈ WCAG 2.4.2)"], act: &["2779a5"] },
    docs: Text::new(
        "## 检查什么\n页面的第一个 `<title>` 元素存在且包含文字。\n\n\
## 为什么对老年读者重要\n读屏软件打开页面时首先朗读标题；浏览器标签页和收藏夹也显示标题。没有标题，使用读屏的老年人无法判断自己打开的是哪个页面。\n\n\
## 示例\n不合格：`<title></title>`；合格：`<title>社保查询 - 某市人民政府</title>`。\n\n\
## 如何修复\n在 `<head>` 中加入一个描述页面内容的 `<title>`，格式建议为“页面名称 - 网站名称”。",
        "## What it checks\nThe page's first `<title>` element exists and has text.\n\n\
## Why it matters for older readers\nScreen readers announce the title first, and tabs and bookmarks show it. Without one, an older reader using a screen reader cannot tell which page is open.\n\n\
## Example\nFails: `<title></title>`. Passes: `<title>Pension enquiry - City Government</title>`.\n\n\
## How to fix\nAdd a `<title>` in `<head>` that describes the page, e.g. \"Page name - Site name\".",
    ),
};

impl Check for DocumentTitle {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let root = page.root();
        if root.value().name() != "html" {
            return CheckResult::inapplicable();
        }
        let mut tally = Tally::default();
        // The document's title is its first HTML `title` element, wherever it is (not in SVG or templates).
        let first_title = page.elements().find(|e| {
            e.value().name() == "title"
                && &*e.value().name.ns == "http://www.w3.org/1999/xhtml"
                && !e.ancestors().filter_map(ElementRef::wrap).any(|a| matches!(a.value().name(), "template" | "svg"))
        });
        match first_title {
            Some(title) if !collapsed_text(title).is_empty() => tally.pass(),
            Some(title) => tally.add(Finding::failed(
                page,
                title,
                Message::new(
                    "页面的 <title> 是空的，读屏软件无法告诉用户这是哪个页面。",
                    "The page's <title> is empty, so screen readers cannot say which page this is.",
                ),
            )),
            None => tally.add(Finding::failed(
                page,
                root,
                Message::new("页面没有 <title> 元素。", "The page has no <title> element."),
            )),
        }
        tally.finish()
    }
}
