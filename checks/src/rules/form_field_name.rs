use super::shared::name_rule::NameRule;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Message, Scope, Text};
use crate::page::aria::NameSource;
use std::borrow::Cow;

pub struct FormFieldName;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("form-field-name"),
    family: Family::Labels,
    impact: Impact::Critical,
    scope: Scope::Page,
    title: Text::new("表单字段有标签", "Form fields have labels"),
    failure_title: Text::new("表单字段缺少标签", "Form fields lack labels"),
    criteria: Criteria { wcag: &["4.1.2", "1.3.1"], miit: &["GB/T 37668-2019 3.2.1.3", "附件1 表单可操作"], act: &["e086e5"] },
    docs: Text::new(
        "## 检查什么\n每个表单字段（输入框、下拉框、文本域、复选框、单选框及对应的 ARIA 角色）都有名称：`<label>`、`aria-label` 或 `aria-labelledby`。\
在 `miit-web` 检测方案中，只有 `placeholder` 提示文字不算标签（`wcag-aa` 方案与 W3C ACT 规则一致，算作名称）。\n\n\
## 为什么对老年读者重要\n占位提示在输入第一个字后就消失，老年用户容易忘记这一栏要填什么；读屏软件也可能不读占位文字。没有标签的输入框只会读成“编辑框”。\n\n\
## 示例\n不合格：`<input name=\"tel\" placeholder=\"请输入手机号\">`；合格：`<label for=\"tel\">手机号</label><input id=\"tel\" name=\"tel\">`。\n\n\
## 如何修复\n为每个字段加上始终可见的 `<label>`，用 `for` 与字段的 `id` 关联；无法显示文字时用 `aria-label`。",
        "## What it checks\nEvery form field (text input, select, textarea, checkbox, radio and the matching ARIA roles) has a name: `<label>`, `aria-label` or `aria-labelledby`. \
Under the `miit-web` profile a `placeholder` alone does not count as a label (the `wcag-aa` profile follows the W3C ACT rule and counts it).\n\n\
## Why it matters for older readers\nA placeholder disappears as soon as typing starts, so older users forget what the field was for, and screen readers may not read it. A field without a label is announced as just \"edit text\".\n\n\
## Example\nFails: `<input name=\"tel\" placeholder=\"Mobile number\">`. Passes: `<label for=\"tel\">Mobile number</label><input id=\"tel\" name=\"tel\">`.\n\n\
## How to fix\nGive every field an always-visible `<label>` tied to its `id` with `for`; use `aria-label` where no text can be shown.",
    ),
};

const FIELD_ROLES: &[&str] = &[
    "checkbox",
    "combobox",
    "listbox",
    "menuitemcheckbox",
    "menuitemradio",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "textbox",
];

impl Check for FormFieldName {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let rule = NameRule {
            announced_zh: "编辑框",
            announced_en: "edit text",
            fix_zh: "请加上始终可见的 <label>（用 for 关联 id）或 aria-label。",
            fix_en: "Add an always-visible <label> (tied with for/id) or an aria-label.",
        };
        let targets = cx.page.elements().filter(|e| cx.page.role(*e).is_some_and(|r| FIELD_ROLES.contains(&r)));
        let placeholder_counts = cx.options.placeholder_is_label;
        rule.run(cx, targets, |_| false, |_, name| {
            if name.source == Some(NameSource::Placeholder) && !placeholder_counts {
                Err(Message::new(
                    format!("只有占位提示“{}”，没有标签：开始输入后提示消失，读屏软件也可能不读。请加上始终可见的 <label>。", name.name),
                    format!("Only a placeholder (\"{}\") and no label: it disappears once typing starts and screen readers may skip it. Add an always-visible <label>.", name.name),
                ))
            } else {
                Ok(())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Outcome;
    use crate::options::Thresholds;
    use crate::page::Page;

    #[test]
    fn placeholder_names_a_field_only_under_wcag_aa() {
        let page = Page::parse("https://a.gov.cn/", "<input name=tel placeholder='请输入手机号'>");
        let run = |placeholder_is_label: bool| {
            let options = Thresholds { placeholder_is_label, ..Thresholds::default() };
            FormFieldName
                .run(&CheckContext {
                    page: &page,
                    options: &options,
                    elder_page: false,
                    budget: crate::budget::Budget::unlimited(),
                })
                .outcome
        };
        assert_eq!(run(false), Outcome::Failed, "miit-web");
        assert_eq!(run(true), Outcome::Passed, "wcag-aa");
    }
}
