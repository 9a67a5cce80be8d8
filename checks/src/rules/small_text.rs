use super::shared::sizes::round_rem;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::text::{char_count, visible_text_elements};
use std::borrow::Cow;

pub struct SmallText;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("small-text"),
    family: Family::Font,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("文字字号足够大", "Text is large enough"),
    failure_title: Text::new("文字字号过小", "Text is too small"),
    criteria: Criteria { wcag: &["1.4.4"], miit: &["附件1 移动网页大字体 ≥ 18", "附件2 1.1 适老版主要文字 ≥ 18 dp"], act: &[] },
    docs: Text::new(
        "## 检查什么\n页面上可见文字的计算字号不小于最小值：普通页面 12px，适老版页面 18px（阈值来自检测方案 `min_text_px` / `elder_min_text_px`）。结果中给出低于阈值的文字占全页文字的比例。\n\n\
## 为什么对老年读者重要\n老花眼使小字难以辨认。适老化规范要求适老版主要文字不小于 18 dp/pt；12px 以下的文字即使在普通页面也很难读。\n\n\
## 示例\n不合格：`.footer { font-size: 10px }`；合格：正文 `font-size: 1rem`（16px），适老版正文 `font-size: 1.125rem`（18px）以上。\n\n\
## 如何修复\n提高正文和说明文字的字号，使用 `rem`/`em` 以便读者放大；适老版正文设为 18px 以上。",
        "## What it checks\nThe computed size of visible text is at least the minimum: 12px on ordinary pages, 18px on elder pages (profile keys `min_text_px` / `elder_min_text_px`). The result gives the share of the page's text below the minimum.\n\n\
## Why it matters for older readers\nPresbyopia makes small print hard to read. The MIIT criteria ask for at least 18 dp/pt for main text in elder modes; text under 12px is hard to read on any page.\n\n\
## Example\nFails: `.footer { font-size: 10px }`. Passes: body text at `1rem` (16px); elder pages at `1.125rem` (18px) or more.\n\n\
## How to fix\nRaise the size of body and caption text, in `rem`/`em` so readers can enlarge it; use 18px or more on elder pages.",
    ),
};

impl Check for SmallText {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let min_px = super::shared::sizes::min_text_px(cx);
        let mut tally = Tally::default();
        let (mut total_chars, mut small_chars) = (0usize, 0usize);
        for item in visible_text_elements(page) {
            let chars = char_count(item.text);
            let style = page.style_of(item.element);
            match style.font_size.clone() {
                Ok(px) => {
                    total_chars += chars;
                    // Sizes are compared at 0.01px so that 11.9999 from em chains is not rounded up.
                    if px + 0.01 < min_px {
                        small_chars += chars;
                        tally.add(
                            Finding::failed(
                                page,
                                item.element,
                                Message::new(
                                    format!("文字字号为 {}px，小于最小值 {}px。", round1(px), min_px),
                                    format!("Text is {}px, below the minimum of {}px.", round1(px), min_px),
                                ),
                            )
                            .with("font_px", round1(px))
                            .with("min_px", min_px)
                            .with("suggested_rem", round_rem(min_px))
                            .with_origin(style.origins.font_size.as_ref()),
                        );
                    } else {
                        tally.pass();
                    }
                }
                Err(why) => tally.add(
                    Finding::cant_tell(
                        page,
                        item.element,
                        "font-size-unresolved",
                        Message::new(
                            format!("无法静态计算字号：{why}"),
                            format!("The font size cannot be computed statically: {why}"),
                        ),
                    )
                    .with("detail", why.to_string()),
                ),
            }
        }
        if total_chars > 0 {
            tally.data("small_text_share", (small_chars as f64 / total_chars as f64 * 1000.0).round() / 1000.0);
            tally.data("min_px", min_px);
        }
        tally.finish()
    }
}

fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}
