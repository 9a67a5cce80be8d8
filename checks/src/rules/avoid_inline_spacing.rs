use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::style::{parse_style_attribute, LineHeight, Prop, Specified};
use crate::page::Attribute;
use scraper::{ElementRef, Node};
use std::borrow::Cow;

pub struct AvoidInlineSpacing;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("avoid-inline-spacing"),
    family: Family::Font,
    impact: Impact::Minor,
    scope: Scope::Page,
    title: Text::new("行内样式不锁定过小的文字间距", "Inline styles do not lock tight text spacing"),
    failure_title: Text::new("行内样式用 !important 锁定了过小的文字间距", "Inline styles lock tight text spacing with !important"),
    criteria: Criteria { wcag: &["1.4.12"], miit: &["附件2 1.2"], act: &["24afc2", "9e45ec", "78fd32"] },
    docs: Text::new(
        "## 检查什么\n`style` 属性中带 `!important` 的 `letter-spacing`、`word-spacing`、`line-height` 不小于字号的 0.12 倍、0.16 倍和 1.5 倍。\n\n\
## 为什么对老年读者重要\n许多老年读者用浏览器插件或阅读模式加大字距、行距。行内 `!important` 会压过这些用户设置，让文字仍然挤在一起。\n\n\
## 示例\n不合格：`<p style=\"line-height: 1em !important\">`；合格：`<p style=\"line-height: 1.6\">`（不加 `!important`）。\n\n\
## 如何修复\n去掉行内样式中的 `!important`，或把数值提高到上述最小值以上。",
        "## What it checks\n`letter-spacing`, `word-spacing` and `line-height` set with `!important` in a `style` attribute are at least 0.12, 0.16 and 1.5 times the font size.\n\n\
## Why it matters for older readers\nMany older readers widen letter, word and line spacing with browser extensions or reading modes. Inline `!important` overrides those settings and keeps the text cramped.\n\n\
## Example\nFails: `<p style=\"line-height: 1em !important\">`. Passes: `<p style=\"line-height: 1.6\">` (without `!important`).\n\n\
## How to fix\nRemove `!important` from inline spacing, or raise the values above these minimums.",
    ),
};

/// Visible text of the element's own (ACT: a visible text node child, not a descendant's).
fn has_visible_text(cx: &CheckContext<'_>, element: ElementRef<'_>) -> bool {
    cx.page.is_visible(element)
        && element.children().any(|n| matches!(n.value(), Node::Text(t) if !t.trim().is_empty()))
}

impl Check for AvoidInlineSpacing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        for element in page.elements() {
            let Some(style_attr) = element.value().attribute("style") else { continue };
            let (declarations, _) = parse_style_attribute(style_attr);
            let important: Vec<Prop> = [Prop::LetterSpacing, Prop::WordSpacing, Prop::LineHeight]
                .into_iter()
                // `inherit`/`unset` take the parent's value: the attribute does not set the spacing itself.
                .filter(|p| {
                    declarations.iter().any(|d| {
                        d.prop == *p && d.important && !matches!(d.value, Specified::Inherit | Specified::Unset)
                    })
                })
                .collect();
            if important.is_empty() || !has_visible_text(cx, element) {
                continue;
            }
            // Line height matters only to text that wraps: in a browser, one line in a box of fixed
            // width never will (ACT 78fd32).
            let one_fixed_line = page.rendering().and_then(|r| r.lines.get(&element.id())) == Some(&1)
                && matches!(page.style_of(element).width, crate::page::style::Extent::Px(_));
            let important: Vec<Prop> =
                important.into_iter().filter(|p| !(one_fixed_line && *p == Prop::LineHeight)).collect();
            if important.is_empty() {
                continue;
            }
            let style = page.style_of(element);
            let Ok(font) = style.font_size.clone() else {
                tally.add(Finding::cant_tell(
                    page,
                    element,
                    "font-size-unresolved",
                    Message::new("无法静态计算字号。", "The font size cannot be computed statically."),
                ));
                continue;
            };
            for prop in important {
                let (value, minimum, zh, en) = match prop {
                    Prop::LetterSpacing => {
                        (style.letter_spacing.clone().ok().map(|v| v / font), 0.12, "字间距", "letter spacing")
                    }
                    Prop::WordSpacing => {
                        (style.word_spacing.clone().ok().map(|v| v / font), 0.16, "词间距", "word spacing")
                    }
                    _ => (
                        match style.line_height.clone() {
                            Ok(LineHeight::Normal) => Some(1.2),
                            Ok(LineHeight::Factor(f)) => Some(f),
                            Ok(LineHeight::Px(px)) => Some(px / font),
                            Err(_) => None,
                        },
                        1.5,
                        "行高",
                        "line height",
                    ),
                };
                match value {
                    None => tally.add(Finding::cant_tell(page, element, "spacing-unresolved", Message::new(format!("无法静态计算{zh}。"), format!("The {en} cannot be computed statically.")))),
                    Some(v) if v + 0.001 >= minimum => tally.pass(),
                    Some(v) => tally.add(
                        Finding::failed(page, element, Message::new(
                            format!("行内样式用 !important 把{zh}锁定为字号的 {v:.2} 倍（至少应为 {minimum} 倍），读者无法用工具调大。"),
                            format!("An inline !important locks the {en} at {v:.2} × the font size (at least {minimum} is needed), so readers cannot widen it."),
                        ))
                        .with("property", prop.name())
                        .with("ratio", f64::from((v * 100.0).round() / 100.0)),
                    ),
                }
            }
        }
        tally.finish()
    }
}
