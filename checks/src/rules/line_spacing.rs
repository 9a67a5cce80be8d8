use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::style::LineHeight;
use crate::text::{char_count, visible_text_elements};
use std::borrow::Cow;

pub struct LineSpacing;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("line-spacing"),
    family: Family::Font,
    impact: Impact::Moderate,
    scope: Scope::Page,
    title: Text::new("段落行距足够", "Paragraph line spacing is enough"),
    failure_title: Text::new("段落行距过小", "Paragraph line spacing is too tight"),
    criteria: Criteria { wcag: &["1.4.12"], miit: &["附件2 1.2 行距至少 1.3 倍"], act: &[] },
    docs: Text::new(
        "## 检查什么\n段落文字（`p`、`li`、`dd`、`td`、`div` 中 30 字以上的文字）的行高不小于字号的 1.3 倍（检测方案 `min_line_height`）。\
`line-height: normal` 的实际行距取决于字体，记为“需人工判断”。在适老版页面中此项按“较重”计分。\n\n\
## 为什么对老年读者重要\n行距过密时，视力下降的读者容易串行、读错行。适老化规范要求段落内行距至少为 1.3 倍。\n\n\
## 示例\n不合格：`.article p { font-size: 16px; line-height: 18px }`（1.125 倍）；合格：`line-height: 1.6`。\n\n\
## 如何修复\n为正文设置无单位的 `line-height: 1.5` 到 `1.8`。",
        "## What it checks\nParagraph text (30 or more characters in `p`, `li`, `dd`, `td`, `div`) has a line height of at least 1.3 × its font size (profile key `min_line_height`). \
`line-height: normal` depends on the font and is reported as needing review. On elder pages this check weighs as serious.\n\n\
## Why it matters for older readers\nTight lines make readers with declining sight lose their place and skip lines. The MIIT criteria ask for at least 1.3 line spacing in paragraphs.\n\n\
## Example\nFails: `.article p { font-size: 16px; line-height: 18px }` (1.125). Passes: `line-height: 1.6`.\n\n\
## How to fix\nSet a unitless `line-height` of 1.5 to 1.8 on body text.",
    ),
};

const PARAGRAPH_TAGS: &[&str] = &["p", "li", "dd", "td", "div", "article", "section", "blockquote"];
const MIN_PARAGRAPH_CHARS: usize = 30;

impl Check for LineSpacing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let minimum = cx.options.min_line_height;
        let mut tally = Tally::default();
        for item in visible_text_elements(page) {
            if !PARAGRAPH_TAGS.contains(&item.element.value().name()) || char_count(item.text) < MIN_PARAGRAPH_CHARS {
                continue;
            }
            let style = page.style_of(item.element);
            let (Ok(font), Ok(line)) = (style.font_size.clone(), style.line_height.clone()) else {
                tally.add(Finding::cant_tell(
                    page,
                    item.element,
                    "line-height-unresolved",
                    Message::new(
                        "无法静态计算行高或字号。",
                        "The line height or font size cannot be computed statically.",
                    ),
                ));
                continue;
            };
            let ratio = match line {
                LineHeight::Normal => {
                    tally.add(Finding::cant_tell(page, item.element, "line-height-normal", Message::new(
                        "行高为 normal，实际行距取决于字体（常见中文字体约 1.1–1.4 倍），请确认不小于 1.3 倍，或明确设置 line-height: 1.5。",
                        "The line height is `normal`, which depends on the font (about 1.1–1.4 for common Chinese fonts); confirm it is at least 1.3, or set line-height: 1.5.",
                    )).with_origin(style.origins.line_height.as_ref()));
                    continue;
                }
                LineHeight::Factor(f) => f,
                LineHeight::Px(px) if font > 0.0 => px / font,
                LineHeight::Px(_) => continue,
            };
            if ratio + 0.001 >= minimum {
                tally.pass();
            } else {
                tally.add(
                    Finding::failed(page, item.element, Message::new(
                        format!("行高只有字号的 {ratio:.2} 倍，小于 {minimum} 倍，读者容易串行。请设置 line-height: 1.5 以上。"),
                        format!("The line height is only {ratio:.2} × the font size, below {minimum}; readers lose their line. Set line-height: 1.5 or more."),
                    ))
                    .with("line_height_ratio", f64::from((ratio * 100.0).round() / 100.0))
                    .with("font_px", f64::from(font))
                    .with_origin(style.origins.line_height.as_ref()),
                );
            }
        }
        tally.finish()
    }
}
