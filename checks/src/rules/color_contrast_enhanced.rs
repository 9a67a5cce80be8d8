use super::shared::contrast::judge_contrast;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Text};
use std::borrow::Cow;

pub struct ColorContrastEnhanced;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("color-contrast-enhanced"),
    family: Family::Contrast,
    impact: Impact::Advisory,
    scope: Scope::Page,
    title: Text::new("文字达到增强对比度", "Text has enhanced contrast"),
    failure_title: Text::new("文字未达到增强对比度", "Text lacks enhanced contrast"),
    criteria: Criteria { wcag: &["1.4.6"], miit: &["附件1 背景色高对比（适老版）"], act: &["09o5cg"] },
    docs: Text::new(
        "## 检查什么\n可见文字与背景的对比度不低于 7:1，大字不低于 4.5:1（WCAG 1.4.6，AAA 级）。普通页面上只作建议（不计分）；适老版页面按“中等”计分。\n\n\
## 为什么对老年读者重要\n白内障、黄斑变性使对比敏感度大幅下降。适老版页面提供高对比度，能让更多老年人读得清楚。\n\n\
## 示例\n不合格（增强）：白底上的 `#767676`（4.5:1）；合格：`#595959`（7:1）或 `#333`（12.6:1）。\n\n\
## 如何修复\n在适老版页面使用深色文字（如 `#333` 或黑色）和浅色背景，或提供高对比度模式。",
        "## What it checks\nVisible text has a contrast ratio of at least 7:1, or 4.5:1 for large text (WCAG 1.4.6, AAA). Advisory on ordinary pages (no weight); weighed as moderate on elder pages.\n\n\
## Why it matters for older readers\nCataracts and macular degeneration sharply reduce contrast sensitivity. High contrast on elder pages lets more older people read comfortably.\n\n\
## Example\nFails (enhanced): `#767676` on white (4.5:1). Passes: `#595959` (7:1) or `#333` (12.6:1).\n\n\
## How to fix\nUse dark text (such as `#333` or black) on light backgrounds on elder pages, or offer a high-contrast mode.",
    ),
};

impl Check for ColorContrastEnhanced {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        judge_contrast(cx, cx.options.enhanced_ratio, cx.options.enhanced_ratio_large, true)
    }
}
