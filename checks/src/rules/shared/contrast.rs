//! Text contrast, shared by `color-contrast`, `color-contrast-enhanced` and custom checks: the
//! contrast of an element's text against every background it can have, and the judging of every
//! visible text of a page against a (normal, large text) pair of thresholds.

use crate::check::{CheckContext, CheckResult, Finding, Message, Tally};
use crate::page::style::{contrast_ratio, nearest_passing_colour, Rgba};
use crate::page::BackgroundProblem;
use crate::text::{visible_text_and_marks, InactiveWidgets};

/// WCAG "large scale": 18pt, or 14pt bold.
pub fn is_large_text(font_px: f32, weight: f32) -> bool {
    font_px >= 24.0 || (font_px >= 18.66 && weight >= 700.0)
}

/// Contrast of text against every background it can have, as (lowest, highest) ratio.
pub enum Contrast {
    Known { lowest: f64, highest: f64, foreground: Rgba, backgrounds: Vec<Rgba> },
    Unknown { reason: &'static str, message: Message },
}

/// Works out the contrast of an element's text.
pub fn text_contrast(page: &crate::page::Page, element: scraper::ElementRef<'_>) -> Contrast {
    let style = page.style_of(element);
    let foreground = match style.color.clone() {
        Ok(c) => c,
        Err(e) => {
            return Contrast::Unknown {
                reason: "color-unresolved",
                message: Message::new(
                    format!("无法静态计算文字颜色：{e}"),
                    format!("The text colour cannot be computed statically: {e}"),
                ),
            }
        }
    };
    let backgrounds = match page.backgrounds_behind(element) {
        Ok(b) => b,
        Err(problem) => {
            let (reason, zh, en) = match problem {
                BackgroundProblem::Image => (
                    "background-image",
                    "文字位于背景图片之上，需要人工判断对比度。".to_string(),
                    "The text is over a background image; check its contrast by eye.".to_string(),
                ),
                BackgroundProblem::Gradient => (
                    "background-gradient",
                    "文字位于无法解析的渐变背景之上。".into(),
                    "The text is over a gradient the engine cannot read.".into(),
                ),
                BackgroundProblem::Unresolved(e) => (
                    "background-unresolved",
                    format!("无法静态计算背景颜色：{e}"),
                    format!("The background colour cannot be computed statically: {e}"),
                ),
                BackgroundProblem::Positioned => (
                    "positioned-over-content",
                    "文字位于绝对/固定定位的透明元素中，背后内容需浏览器排版才能确定。".into(),
                    "The text is in a transparent absolutely/fixed positioned box; what is behind it needs layout."
                        .into(),
                ),
            };
            return Contrast::Unknown { reason, message: Message::new(zh, en) };
        }
    };
    let mut lowest = f64::MAX;
    let mut highest = 0.0f64;
    for bg in &backgrounds {
        let fg = foreground.with_alpha_scaled(style.cumulative_opacity).over(*bg);
        let ratio = contrast_ratio(fg, *bg);
        lowest = lowest.min(ratio);
        highest = highest.max(ratio);
    }
    Contrast::Known { lowest, highest, foreground, backgrounds }
}

/// Judges each visible text element against a (normal, large) threshold pair.
pub fn judge_contrast(cx: &CheckContext<'_>, normal: f64, large: f64, enhanced: bool) -> CheckResult {
    let page = cx.page;
    let inactive = InactiveWidgets::new(page);
    let mut tally = Tally::default();
    for item in visible_text_and_marks(page) {
        if inactive.contains(item.element) || !conveys_language(item.text) {
            continue;
        }
        let style = page.style_of(item.element);
        let large_text = style.font_size.as_ref().ok().is_some_and(|px| is_large_text(*px, style.font_weight));
        // Size unknown: judge as normal text only when it fails even the large-text minimum.
        let size_known = style.font_size.is_ok();
        let required = if large_text { large } else { normal };
        match text_contrast(page, item.element) {
            Contrast::Unknown { reason, message } => tally.add(Finding::cant_tell(page, item.element, reason, message)),
            Contrast::Known { lowest, highest, foreground, backgrounds } => {
                // Text in the background colour itself is invisible, not low-contrast (ACT afw4f7).
                if highest < 1.01 {
                    continue;
                }
                // A photographed backdrop already shows what the shadow does.
                let measured = page.rendering().is_some_and(|r| r.backdrops.contains_key(&item.element.id()));
                let shadowed = style.text_shadow.is_some() && !measured;
                let round = |r: f64| (r * 100.0).round() / 100.0;
                // The colour declaration is where the fix goes; when the author set only the backdrop,
                // the background declaration is.
                // Origins and suggestions cost a search each, so only findings pay for them.
                let data = |f: Finding| {
                    let origin = style
                        .origins
                        .color
                        .clone()
                        .filter(|o| o.is_author())
                        .or_else(|| page.background_origin(item.element));
                    let suggestion =
                        backgrounds.first().and_then(|bg| nearest_passing_colour(foreground, *bg, required));
                    let f = match (suggestion, backgrounds.first()) {
                        (Some(colour), Some(bg)) => f
                            .with("suggested_foreground", colour.to_css())
                            .with("suggested_ratio", round(contrast_ratio(colour, *bg))),
                        _ => f,
                    };
                    f.with_origin(origin.as_ref())
                        .with("ratio", round(lowest))
                        .with("required", required)
                        .with("foreground", foreground.to_css())
                        .with("background", backgrounds.first().map(|b| b.to_css()).unwrap_or_default())
                        .with("large_text", large_text)
                        .with("font_px", style.font_size.as_ref().map(|p| (f64::from(*p) * 10.0).round() / 10.0).ok())
                };
                if lowest >= required {
                    tally.pass();
                } else if !size_known && lowest >= large {
                    tally.add(data(Finding::cant_tell(page, item.element, "font-size-unresolved", Message::new(
                        format!("对比度 {:.2}:1 对大字合格、对普通文字不合格，但字号无法静态计算。", lowest),
                        format!("Contrast {lowest:.2}:1 is enough for large text but not for normal text, and the size cannot be computed statically."),
                    ))));
                } else if highest >= required {
                    tally.add(data(Finding::cant_tell(page, item.element, "background-gradient", Message::new(
                        format!("渐变背景上的对比度在 {lowest:.2}:1 到 {highest:.2}:1 之间，部分区域达不到 {required}:1。"),
                        format!("Contrast over the gradient ranges from {lowest:.2}:1 to {highest:.2}:1; part of it is below {required}:1."),
                    ))));
                } else if shadowed {
                    tally.add(data(Finding::cant_tell(page, item.element, "text-shadow", Message::new(
                        format!("对比度 {lowest:.2}:1 低于 {required}:1，但文字有阴影，阴影可能提高可读性，需要人工判断。"),
                        format!("Contrast {lowest:.2}:1 is below {required}:1, but the text has a shadow that may make it legible; check by eye."),
                    ))));
                } else if page.over_unloaded_background_image(item.element) {
                    // The browser painted the colour under an image that did not load: not what readers see.
                    tally.add(data(Finding::cant_tell(page, item.element, "background-image-not-loaded", Message::new(
                        format!("浏览器中对比度为 {lowest:.2}:1，低于 {required}:1；但文字背后的背景图片未能加载，实际对比度需要确认。"),
                        format!("Contrast is {lowest:.2}:1 in the browser, below {required}:1; the background image behind the text did not load, so confirm the real contrast."),
                    ))));
                } else if page.styles_incomplete() {
                    // With a stylesheet missing, the real colours may differ: never a false failure.
                    tally.add(data(Finding::cant_tell(page, item.element, "stylesheet-not-loaded", Message::new(
                        format!("按已加载的样式计算对比度为 {lowest:.2}:1，低于 {required}:1；但有样式表未能加载，需要确认。"),
                        format!("Contrast is {lowest:.2}:1 with the styles that loaded, below {required}:1; a stylesheet could not be loaded, so confirm it."),
                    ))));
                } else {
                    let (zh_kind, en_kind) =
                        if enhanced { ("增强对比度", "enhanced contrast") } else { ("对比度", "contrast") };
                    tally.add(data(Finding::failed(page, item.element, Message::new(
                        format!("文字{zh_kind} {lowest:.2}:1，低于要求的 {required}:1（文字 {}，背景 {}）。", foreground.to_css(), backgrounds.first().map(|b| b.to_css()).unwrap_or_default()),
                        format!("Text {en_kind} is {lowest:.2}:1, below the required {required}:1 (text {}, background {}).", foreground.to_css(), backgrounds.first().map(|b| b.to_css()).unwrap_or_default()),
                    ))));
                }
            }
        }
    }
    tally.finish()
}

/// A lone Latin letter or symbol ("X" on a close button) is not text in a human language.
fn conveys_language(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    !(letters.len() == 1 && letters[0].is_ascii())
}
