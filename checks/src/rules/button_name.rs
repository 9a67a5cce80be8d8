use super::shared::name_rule::NameRule;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Text};
use crate::page::Attribute;
use std::borrow::Cow;

pub struct ButtonName;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("button-name"),
    family: Family::Labels,
    impact: Impact::Critical,
    scope: Scope::Page,
    title: Text::new("按钮有名称", "Buttons have names"),
    failure_title: Text::new("按钮缺少名称", "Buttons lack names"),
    criteria: Criteria { wcag: &["4.1.2"], miit: &["GB/T 37668-2019 3.2.1.3（≈ WCAG 4.1.2）"], act: &["97a4e1"] },
    docs: Text::new(
        "## 检查什么\n每个按钮（`<button>`、`<input type=\"button|submit|reset\">`、`role=\"button\"`）都有可读出的名称：文字内容、`value`、`aria-label` 或 `aria-labelledby`。\n\n\
## 为什么对老年读者重要\n门户网站上常见只有图标的按钮（放大镜、关闭叉号、汉堡菜单）。没有名称时读屏软件只读“按钮”，老年用户不敢点，也找不到需要的功能。\n\n\
## 示例\n不合格：`<button class=\"icon-search\"></button>`；合格：`<button class=\"icon-search\" aria-label=\"搜索\"></button>`。\n\n\
## 如何修复\n给图标按钮加上 `aria-label`（如“搜索”“关闭”“菜单”），或放入对读屏可见的文字。",
        "## What it checks\nEvery button (`<button>`, `<input type=\"button|submit|reset\">`, `role=\"button\"`) has a name: text content, `value`, `aria-label` or `aria-labelledby`.\n\n\
## Why it matters for older readers\nPortals are full of icon-only buttons (magnifier, close cross, menu). Without a name a screen reader says only \"button\": older users hesitate to press it and cannot find the feature.\n\n\
## Example\nFails: `<button class=\"icon-search\"></button>`. Passes: `<button class=\"icon-search\" aria-label=\"Search\"></button>`.\n\n\
## How to fix\nGive icon buttons an `aria-label` (\"Search\", \"Close\", \"Menu\") or text that screen readers can see.",
    ),
};

impl Check for ButtonName {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let rule = NameRule {
            announced_zh: "按钮",
            announced_en: "button",
            fix_zh: "请加上 aria-label 或可见文字说明按钮作用。",
            fix_en: "Add an aria-label or text that says what the button does.",
        };
        // Image buttons are judged by input-image-alt.
        let targets = cx.page.elements().filter(|e| {
            cx.page.role(*e) == Some("button")
                && !(e.value().name() == "input"
                    && e.value().attribute("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("image")))
        });
        rule.run(cx, targets, |_| false, |_, _| Ok(()))
    }
}
