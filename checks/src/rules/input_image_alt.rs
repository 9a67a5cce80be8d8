use super::shared::name_rule::NameRule;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Message, Scope, Text};
use crate::page::aria::NameSource;
use crate::page::Attribute;
use std::borrow::Cow;

pub struct InputImageAlt;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("input-image-alt"),
    family: Family::Labels,
    impact: Impact::Critical,
    scope: Scope::Page,
    title: Text::new("图片按钮有名称", "Image buttons have names"),
    failure_title: Text::new("图片按钮缺少名称", "Image buttons lack names"),
    criteria: Criteria { wcag: &["1.1.1", "4.1.2"], miit: &["GB/T 37668-2019 3.2.1.3"], act: &["59796f"] },
    docs: Text::new(
        "## 检查什么\n`<input type=\"image\">` 图片按钮有名称（`alt`、`aria-label`、`aria-labelledby` 或 `title`）；浏览器默认的“Submit Query”不算。\n\n\
## 为什么对老年读者重要\n“搜索”“登录”常做成图片按钮。没有名称时读屏软件只读“提交查询”或文件名，老年用户无法确认按下后会发生什么。\n\n\
## 示例\n不合格：`<input type=\"image\" src=\"search.gif\">`；合格：`<input type=\"image\" src=\"search.gif\" alt=\"搜索\">`。\n\n\
## 如何修复\n为图片按钮加上说明其作用的 `alt`，如“搜索”“登录”。",
        "## What it checks\n`<input type=\"image\">` buttons have a name (`alt`, `aria-label`, `aria-labelledby` or `title`); the browser default \"Submit Query\" does not count.\n\n\
## Why it matters for older readers\nSearch and log-in buttons are often images. Without a name, a screen reader says \"Submit Query\" or a file name, and an older user cannot tell what pressing it will do.\n\n\
## Example\nFails: `<input type=\"image\" src=\"search.gif\">`. Passes: `<input type=\"image\" src=\"search.gif\" alt=\"Search\">`.\n\n\
## How to fix\nGive the image button an `alt` that says what it does, such as \"Search\" or \"Log in\".",
    ),
};

impl Check for InputImageAlt {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let rule = NameRule {
            announced_zh: "按钮",
            announced_en: "button",
            fix_zh: "请为图片按钮加上说明作用的 alt。",
            fix_en: "Add an alt that says what the button does.",
        };
        let targets = cx.page.elements().filter(|e| {
            e.value().name() == "input"
                && e.value().attribute("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("image"))
        });
        rule.run(cx, targets, |_| false, |_, name| {
            if name.source == Some(NameSource::Default) {
                Err(Message::new(
                    "图片按钮只有浏览器默认名称“提交查询”，读屏用户无法知道它的作用。请加上说明作用的 alt。",
                    "The image button only has the browser's default name \"Submit Query\"; add an alt that says what it does.",
                ))
            } else {
                Ok(())
            }
        })
    }
}
