use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::Attribute;
use std::borrow::Cow;

pub struct HtmlHasLang;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("html-has-lang"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("页面声明了语言", "Page declares its language"),
    failure_title: Text::new("页面没有声明语言", "Page does not declare its language"),
    criteria: Criteria { wcag: &["3.1.1"], miit: &["GB/T 37668-2019 (≈ WCAG 3.1.1)"], act: &["b5c3f8"] },
    docs: Text::new(
        "## 检查什么\n`<html>` 元素有非空的 `lang` 属性。\n\n\
## 为什么对老年读者重要\n读屏软件和浏览器的“朗读网页”功能依据 `lang` 选择发音。没有声明时，中文可能被当作英文逐字母朗读，老年人完全听不懂。\n\n\
## 示例\n不合格：`<html>`；合格：`<html lang=\"zh-CN\">`。\n\n\
## 如何修复\n在 `<html>` 上写明页面主要语言，中文页面用 `lang=\"zh-CN\"`（或 `zh-Hans-CN`）。",
        "## What it checks\nThe `<html>` element has a non-empty `lang` attribute.\n\n\
## Why it matters for older readers\nScreen readers and the browser's read-aloud feature choose the voice from `lang`. Without it, Chinese text may be spelled out by an English voice and be impossible to follow.\n\n\
## Example\nFails: `<html>`. Passes: `<html lang=\"zh-CN\">`.\n\n\
## How to fix\nDeclare the page's main language on `<html>`: `lang=\"zh-CN\"` (or `zh-Hans-CN`) for Chinese pages.",
    ),
};

impl Check for HtmlHasLang {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let root = cx.page.root();
        if root.value().name() != "html" {
            return CheckResult::inapplicable();
        }
        let mut tally = Tally::default();
        match root.value().attribute("lang") {
            Some(lang) if !lang.trim().is_empty() => tally.pass(),
            Some(_) => tally.add(Finding::failed(
                cx.page,
                root,
                Message::new("<html> 的 lang 属性是空的。", "The lang attribute of <html> is empty."),
            )),
            None => tally.add(Finding::failed(
                cx.page,
                root,
                Message::new(
                    "<html> 没有 lang 属性（xml:lang 不算）。",
                    "<html> has no lang attribute (xml:lang does not count).",
                ),
            )),
        }
        tally.finish()
    }
}
