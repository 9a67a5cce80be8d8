use super::shared::lexicon::assistive_toolbars;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::elder::{entry_text, EntryText};
use crate::page::aria::{accessible_name, is_link_role};
use crate::page::Attribute;
use std::borrow::Cow;

pub struct ElderModeEntry;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("elder-mode-entry"),
    family: Family::Service,
    impact: Impact::Serious,
    scope: Scope::Site,
    title: Text::new("首页提供适老化服务入口", "The home page offers an elder-friendly entry"),
    failure_title: Text::new("首页没有适老化服务入口", "The home page offers no elder-friendly entry"),
    criteria: Criteria { wcag: &[], miit: &["附件1 网页放大、大字屏幕与语音阅读服务", "附件2 3.1 适老版入口"], act: &[] },
    docs: Text::new(
        "## 检查什么\n网站首页有没有进入适老化服务的入口：名称为“长者模式”“关怀版”“适老版”“长辈版”“老年模式”“大字版”“无障碍浏览”“elder mode”等的链接或按钮，\
或加载了常见的无障碍辅助工具条脚本（大字、放大、高对比度、读屏）。只写“无障碍”“Accessibility”的控件，要在当前页打开辅助模式（按钮、脚本开关）才算入口；\
指向“无障碍说明”“Accessibility Statement”等声明、政策或帮助页的链接不算。这是站点级检查，只看首页。\n\n\
## 为什么对老年读者重要\n老年人需要一眼就能找到大字、简洁、无广告的版本。入口藏得太深或没有入口，适老化改造就形同虚设。\n\n\
## 示例\n不合格：首页只有“政务公开”“办事服务”等栏目；合格：页首有“关怀版”或“无障碍浏览”按钮。\n\n\
## 如何修复\n在首页页首显眼位置放置“关怀版/长者模式”入口和无障碍工具条入口，文字清楚、按钮足够大。",
        "## What it checks\nWhether the site's home page has an entry to an elder-friendly service: a link or button named 长者模式, 关怀版, 适老版, 长辈版, 老年模式, 大字版, 无障碍浏览 or \"elder mode\", \
or a common assistive-toolbar script (large text, zoom, high contrast, reading aloud). A control saying only 无障碍 or \"Accessibility\" counts when it switches a mode on in the page (a button, a script switch); \
a link to an accessibility statement, policy or help page does not. A site-level check on the home page.\n\n\
## Why it matters for older readers\nOlder people need to find the large-text, simple, ad-free version at a glance; without a visible entry the elder-friendly work goes unused.\n\n\
## Example\nFails: a home page with only \"Government affairs\" and \"Online services\". Passes: a \"关怀版\" or \"无障碍浏览\" button in the header.\n\n\
## How to fix\nPut a clearly labelled, large \"关怀版 / 长者模式\" entry and an accessibility-toolbar entry at the top of the home page.",
    ),
};

/// Address words of a statement, policy, help or listing page: a link there informs, it enters no mode.
const STATEMENT_ADDRESS_WORDS: &[&str] =
    &["statement", "policy", "legal", "help", "/category/", "/tag/", "shengming", "mailto:"];

fn leads_to_statement(href: Option<&str>) -> bool {
    href.is_some_and(|h| {
        let lower = h.to_ascii_lowercase();
        STATEMENT_ADDRESS_WORDS.iter().any(|w| lower.contains(w))
    })
}

/// A link that goes nowhere but runs a script (`href="javascript:…"`, `#`, none, or an `onclick`):
/// a toolbar switch, as 无障碍 buttons in page headers are built.
fn switches_in_place(element: &scraper::node::Element) -> bool {
    let href = element.attribute("href").map(str::trim).unwrap_or_default().to_ascii_lowercase();
    (href.is_empty()
        || href.starts_with('#')
        || href.starts_with("javascript:")
        || element.attribute("onclick").is_some())
        && !leads_to_statement(Some(&href))
}

impl Check for ElderModeEntry {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        let entry = page.elements().find(|e| {
            let role = page.role(*e);
            let control = role.is_some_and(|r| r == "button" || is_link_role(r));
            if !control || !page.is_rendered(*e) {
                return false;
            }
            match entry_text(&accessible_name(page, *e).name) {
                Some(EntryText::Mode) => !leads_to_statement(e.value().attribute("href")),
                Some(EntryText::Accessibility) => role.is_some_and(|r| r == "button") || switches_in_place(e.value()),
                None => false,
            }
        });
        let toolbar = page.elements().find(|e| {
            let v = e.value();
            let src = match v.name() {
                "script" => v.attribute("src"),
                "link" => v.attribute("href"),
                _ => None,
            };
            src.is_some_and(|s| {
                let lower = s.to_ascii_lowercase();
                assistive_toolbars().iter().any(|t| lower.contains(t))
            })
        });
        if entry.is_some() || toolbar.is_some() {
            tally.pass();
            if let Some(e) = entry {
                tally.data("entry", accessible_name(page, e).name);
            }
        } else {
            tally.add(Finding::failed(
                page,
                page.root(),
                Message::new(
                    "首页没有“关怀版/长者模式/无障碍”等适老化服务入口，也没有加载无障碍辅助工具条。",
                    "The home page has no entry to an elder mode (关怀版 / 长者模式 / 无障碍) and loads no assistive toolbar.",
                ),
            ));
        }
        tally.finish()
    }
}
