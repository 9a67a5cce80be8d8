use super::shared::contrast::judge_contrast;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Text};
use std::borrow::Cow;

pub struct ColorContrast;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("color-contrast"),
    family: Family::Contrast,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("文字与背景对比度足够", "Text has enough contrast"),
    failure_title: Text::new("文字与背景对比度不足", "Text contrast is too low"),
    criteria: Criteria { wcag: &["1.4.3"], miit: &["附件2 1.3 对比度 ≥ 4.5:1（大字 ≥ 3:1）"], act: &["afw4f7"] },
    docs: Text::new(
        "## 检查什么\n每段可见文字与其背景的对比度（WCAG 相对亮度公式）不低于 4.5:1；大字（≥ 24px，或粗体 ≥ 18.66px）不低于 3:1。\
背景色按祖先元素逐层叠加计算（含透明度和 opacity）；背景图、无法读取的渐变或颜色记为“需人工判断”，并写明原因，绝不误报。\n\n\
## 为什么对老年读者重要\n随着年龄增长，眼睛对比敏感度下降，浅灰色文字在白底上几乎看不见。适老化规范要求文字对比度至少 4.5:1。\n\n\
## 示例\n不合格：白底上的 `color: #999`（2.8:1），常见于页脚和发布日期；合格：`color: #595959`（7:1）或更深。\n\n\
## 如何修复\n加深文字颜色或背景颜色，直到对比度达标；页脚、版权、日期等次要文字同样需要达标。",
        "## What it checks\nEvery piece of visible text has a contrast ratio (WCAG relative luminance) of at least 4.5:1 with its background, or 3:1 for large text (≥ 24px, or bold ≥ 18.66px). \
Backgrounds are composited through the ancestors (alpha and opacity included); background images and gradients or colours the engine cannot read are reported as needing review with the reason, never as failures.\n\n\
## Why it matters for older readers\nContrast sensitivity declines with age: light grey text on white becomes nearly invisible. The MIIT criteria require at least 4.5:1.\n\n\
## Example\nFails: `color: #999` on white (2.8:1), common in footers and dates. Passes: `color: #595959` (7:1) or darker.\n\n\
## How to fix\nDarken the text or the background until the ratio is met, including footers, copyright lines and dates.",
    ),
};

impl Check for ColorContrast {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        judge_contrast(cx, cx.options.min_ratio, cx.options.min_ratio_large, false)
    }
}
