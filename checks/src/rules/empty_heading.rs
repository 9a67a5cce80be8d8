use super::shared::name_rule::NameRule;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Text};
use std::borrow::Cow;

pub struct EmptyHeading;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("empty-heading"),
    family: Family::Labels,
    impact: Impact::Minor,
    scope: Scope::Page,
    title: Text::new("标题不为空", "Headings are not empty"),
    failure_title: Text::new("存在空标题", "Empty headings"),
    criteria: Criteria { wcag: &["1.3.1", "2.4.6"], miit: &["GB/T 37668-2019"], act: &["ffd0e9"] },
    docs: Text::new(
        "## 检查什么\n每个标题（`<h1>`–`<h6>`、`role=\"heading\"`）都有可读出的文字。\n\n\
## 为什么对老年读者重要\n读屏用户按标题跳读页面。空标题（常见于用作间距或只放图标的 `<h2>`）会读成“标题 2”，打断浏览，让人以为内容缺失。\n\n\
## 示例\n不合格：`<h2><i class=\"icon\"></i></h2>`；合格：`<h2>办事服务</h2>`。\n\n\
## 如何修复\n给标题写上文字；只为版式使用的空标题改用 `<div>` 加样式。",
        "## What it checks\nEvery heading (`<h1>`–`<h6>`, `role=\"heading\"`) has text a screen reader can read.\n\n\
## Why it matters for older readers\nScreen-reader users move through a page by headings. An empty heading (used for spacing or holding only an icon) is read as \"heading level 2\", which interrupts reading and suggests missing content.\n\n\
## Example\nFails: `<h2><i class=\"icon\"></i></h2>`. Passes: `<h2>Online services</h2>`.\n\n\
## How to fix\nPut text in the heading; use a styled `<div>` for empty headings used only for layout.",
    ),
};

impl Check for EmptyHeading {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let rule = NameRule {
            announced_zh: "标题",
            announced_en: "heading",
            fix_zh: "请为标题写上文字，或不要把空元素标成标题。",
            fix_en: "Put text in the heading, or do not mark an empty element as a heading.",
        };
        let targets = cx.page.elements().filter(|e| cx.page.role(*e) == Some("heading"));
        rule.run(cx, targets, |_| false, |_, _| Ok(()))
    }
}
