use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::aria::{explicit_role, implicit_role, is_focusable, is_hidden_from_at};
use crate::page::Attribute;
use std::borrow::Cow;

pub struct AriaRequiredAttr;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("aria-required-attr"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("ARIA 角色具备必需的状态和属性", "ARIA roles have required states and properties"),
    failure_title: Text::new("ARIA 角色缺少必需的状态或属性", "ARIA roles lack required states or properties"),
    criteria: Criteria { wcag: &["4.1.2"], miit: &["GB/T 37668-2019"], act: &["4e8ab6"] },
    docs: Text::new(
        "## 检查什么\n用 `role` 声明的控件带有 WAI-ARIA 1.2 规定的必需状态和属性，例如复选框的 `aria-checked`、标题的 `aria-level`、组合框的 `aria-expanded`、滑块的 `aria-valuenow`。\n\n\
## 为什么对老年读者重要\n缺少这些状态时，读屏软件无法告诉用户复选框是否已勾选、下拉框是否展开、滑块当前数值，老年用户无法确认自己的操作结果。\n\n\
## 示例\n不合格：`<span role=\"checkbox\">同意协议</span>`；合格：`<span role=\"checkbox\" aria-checked=\"false\" tabindex=\"0\">同意协议</span>`。\n\n\
## 如何修复\n补上必需的属性并随状态更新；能用原生 `<input type=\"checkbox\">` 等元素时优先使用。",
        "## What it checks\nControls declared with `role` carry the states and properties WAI-ARIA 1.2 requires, such as `aria-checked` on a checkbox, `aria-level` on a heading, `aria-expanded` on a combobox and `aria-valuenow` on a slider.\n\n\
## Why it matters for older readers\nWithout them a screen reader cannot say whether a box is ticked, a list is open or what value a slider has, so older users cannot confirm what they did.\n\n\
## Example\nFails: `<span role=\"checkbox\">I agree</span>`. Passes: `<span role=\"checkbox\" aria-checked=\"false\" tabindex=\"0\">I agree</span>`.\n\n\
## How to fix\nAdd the required attributes and keep them updated; prefer native elements such as `<input type=\"checkbox\">`.",
    ),
};

/// Required states and properties per role (WAI-ARIA 1.2), for roles set explicitly.
fn required(role: &str, focusable: bool, expanded: bool) -> &'static [&'static str] {
    match role {
        "checkbox" | "switch" | "radio" | "menuitemcheckbox" | "menuitemradio" => &["aria-checked"],
        "heading" => &["aria-level"],
        // aria-controls is required only while the popup is shown (as axe-core reads ARIA 1.2).
        "combobox" if expanded => &["aria-expanded", "aria-controls"],
        "combobox" => &["aria-expanded"],
        "scrollbar" => &["aria-controls", "aria-valuenow"],
        "slider" | "meter" => &["aria-valuenow"],
        // A focusable separator is a widget and needs its value.
        "separator" if focusable => &["aria-valuenow"],
        _ => &[],
    }
}

impl Check for AriaRequiredAttr {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        for element in page.elements() {
            let Some(role) = explicit_role(element) else { continue };
            // Native semantics supply the states when the explicit role repeats the implicit one.
            if implicit_role(element) == Some(role.as_str()) || is_hidden_from_at(page, element) {
                continue;
            }
            let v = element.value();
            let expanded = v.attribute("aria-expanded").is_some_and(|e| e.trim().eq_ignore_ascii_case("true"));
            let needed = required(&role, is_focusable(element), expanded);
            if needed.is_empty() {
                continue;
            }
            let missing: Vec<&str> =
                needed.iter().copied().filter(|a| v.attribute(a).is_none_or(|x| x.trim().is_empty())).collect();
            if missing.is_empty() {
                tally.pass();
            } else {
                tally.add(
                    Finding::failed(
                        page,
                        element,
                        Message::new(
                            format!("role=\"{role}\" 缺少必需的 {}：读屏软件无法读出它的状态。", missing.join("、")),
                            format!(
                                "role=\"{role}\" lacks the required {}: screen readers cannot announce its state.",
                                missing.join(", ")
                            ),
                        ),
                    )
                    .with("role", role.as_str())
                    .with("missing", missing),
                );
            }
        }
        tally.finish()
    }
}
