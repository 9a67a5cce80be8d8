use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::aria::{explicit_role, is_hidden_from_at};
use crate::page::Attribute;
use std::borrow::Cow;

pub struct AriaRoles;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("aria-roles"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("role 属性取值有效", "Role attributes are valid"),
    failure_title: Text::new("role 属性取值无效", "Role attributes are not valid"),
    criteria: Criteria { wcag: &["4.1.2"], miit: &["GB/T 37668-2019"], act: &["674b10"] },
    docs: Text::new(
        "## 检查什么\n每个非空的 `role` 属性至少包含一个 WAI-ARIA 1.2（或 DPUB-ARIA、Graphics-ARIA）中定义的有效角色。\n\n\
## 为什么对老年读者重要\n拼错的角色（如 `role=\"buton\"`、`role=\"lnik\"`）会被读屏软件忽略，自定义按钮和菜单就无法被识别和操作。\n\n\
## 示例\n不合格：`<div role=\"buton\">提交</div>`；合格：`<div role=\"button\" tabindex=\"0\">提交</div>`，或直接用 `<button>`。\n\n\
## 如何修复\n改正拼写，使用规范中的角色名；能用原生 HTML 元素时优先使用原生元素。",
        "## What it checks\nEvery non-empty `role` attribute contains at least one valid role from WAI-ARIA 1.2 (or DPUB-ARIA, Graphics-ARIA).\n\n\
## Why it matters for older readers\nA misspelt role (`role=\"buton\"`, `role=\"lnik\"`) is ignored by screen readers, so custom buttons and menus cannot be recognised or used.\n\n\
## Example\nFails: `<div role=\"buton\">Submit</div>`. Passes: `<div role=\"button\" tabindex=\"0\">Submit</div>`, or simply `<button>`.\n\n\
## How to fix\nCorrect the spelling and use role names from the specification; prefer native HTML elements where they exist.",
    ),
};

impl Check for AriaRoles {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        for element in page.elements() {
            let Some(role) = element.value().attribute("role").filter(|r| !r.trim().is_empty()) else { continue };
            if is_hidden_from_at(page, element) {
                continue;
            }
            if explicit_role(element).is_some() {
                tally.pass();
            } else {
                tally.add(
                    Finding::failed(
                        page,
                        element,
                        Message::new(
                            format!("role=\"{}\" 不是有效的 ARIA 角色，读屏软件会忽略它。", role.trim()),
                            format!("role=\"{}\" is not a valid ARIA role; screen readers ignore it.", role.trim()),
                        ),
                    )
                    .with("role", role.trim()),
                );
            }
        }
        tally.finish()
    }
}
