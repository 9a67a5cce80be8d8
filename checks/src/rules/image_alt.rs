use super::shared::name_rule::NameRule;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Text};
use crate::page::aria::explicit_role;
use std::borrow::Cow;

pub struct ImageAlt;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("image-alt"),
    family: Family::Labels,
    impact: Impact::Critical,
    scope: Scope::Page,
    title: Text::new("图片有替代文字", "Images have text alternatives"),
    failure_title: Text::new("图片缺少替代文字", "Images lack text alternatives"),
    criteria: Criteria { wcag: &["1.1.1"], miit: &["GB/T 37668-2019 3.2.1.3（≈ WCAG 1.1.1）"], act: &["23a2a8"] },
    docs: Text::new(
        "## 检查什么\n每张图片（`<img>` 或 `role=\"img\"`）都有可读出的名称（`alt`、`aria-label`、`aria-labelledby` 或 `title`），或被明确标为装饰（`alt=\"\"`、`role=\"presentation\"`/`none`）。\n\n\
## 为什么对老年读者重要\n视力下降的老年人常借助读屏软件。没有替代文字的图片只会被读成“图片”或文件名，通知、办事流程图、二维码说明等内容就丢失了。\n\n\
## 示例\n不合格：`<img src=\"banner_2026.jpg\">`；合格：`<img src=\"banner_2026.jpg\" alt=\"2026年城乡居民医保参保开始\">`；装饰图：`<img src=\"line.png\" alt=\"\">`。\n\n\
## 如何修复\n为传达信息的图片写出简短的 `alt`，说明图片要表达的内容；纯装饰的图片写 `alt=\"\"`。",
        "## What it checks\nEvery image (`<img>` or `role=\"img\"`) has an accessible name (`alt`, `aria-label`, `aria-labelledby` or `title`) or is marked decorative (`alt=\"\"`, `role=\"presentation\"`/`none`).\n\n\
## Why it matters for older readers\nMany older readers with declining sight use a screen reader. An image without a text alternative is read as \"image\" or a file name, and the notice, flow chart or QR-code instructions in it are lost.\n\n\
## Example\nFails: `<img src=\"banner_2026.jpg\">`. Passes: `<img src=\"banner_2026.jpg\" alt=\"2026 health insurance enrolment opens\">`; decorative: `<img src=\"line.png\" alt=\"\">`.\n\n\
## How to fix\nGive informative images a short `alt` that says what they convey; give purely decorative images `alt=\"\"`.",
    ),
};

impl Check for ImageAlt {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let rule = NameRule {
            announced_zh: "图片",
            announced_en: "image",
            fix_zh: "请添加描述图片内容的 alt；装饰性图片请写 alt=\"\"。",
            fix_en: "Add an alt that says what the image shows; use alt=\"\" for decorative images.",
        };
        // HTML images and role=img; decorative ones (presentation/none that holds) are passes.
        let targets =
            cx.page.elements().filter(|e| e.value().name() == "img" || explicit_role(*e).as_deref() == Some("img"));
        // Decorative images (alt="", or role presentation/none that holds) have no name by design.
        let decorative = |e| matches!(cx.page.role(e), Some("presentation" | "none"));
        rule.run(cx, targets, decorative, |_, _| Ok(()))
    }
}
