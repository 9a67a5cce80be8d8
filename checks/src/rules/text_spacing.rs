use super::shared::scaling;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Tally, Text};
use std::borrow::Cow;

pub struct TextSpacing;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("text-spacing"),
    family: Family::Font,
    impact: Impact::Moderate,
    scope: Scope::Page,
    title: Text::new("加大行距字距后文字仍完整", "Text stays whole with wider spacing"),
    failure_title: Text::new("加大行距字距后文字被截断或重叠", "Text is cut off or overlaps with wider spacing"),
    criteria: Criteria { wcag: &["1.4.12"], miit: &["附件2 1.2 行间距与字间距"], act: &[] },
    docs: Text::new(
        "## 检查什么\n在浏览器里给所有元素加上 W3C 文本间距书签的设置（行高 1.5 倍、段后距 2 倍字号、字间距 0.12 倍、词间距 0.16 倍，WCAG 1.4.12），不刷新页面重新排版，\
看有没有文字因此被外框截掉半行以上（不合格）或与别的文字排到同一位置（待确认）。原来就截断或重叠的不算。它补充静态的 `avoid-inline-spacing`（那项只看行内 `!important` 样式）。需要浏览器，**只在渲染模式（`--render`）下检查**。\n\n\
## 为什么对老年读者重要\n老年读者常用阅读插件或适老版把行距、字距调大，让文字不再挤在一起。高度写死的框会把多出来的行截掉，读者以为内容就到此为止。\n\n\
## 示例\n不合格：`.notice { height: 60px; overflow: hidden }` 里的两行通知，行距加大后第二行被截掉；合格：`.notice { min-height: 60px }`。\n\n\
## 如何修复\n装文字的框用 `min-height` 代替 `height`，不给文字框加 `overflow: hidden`；行高用无单位数值（如 `line-height: 1.5`）；不要用 `!important` 锁定间距。",
        "## What it checks\nThe W3C text-spacing bookmarklet's values are applied to every element in the browser (line height 1.5, paragraph spacing 2 × the font size, letter spacing 0.12, word spacing 0.16 em; WCAG 1.4.12) and the page is laid out again without reloading: \
does any text get cut off by its box by half a line or more (fails), or land over other text (listed for review)? Losses that were there before do not count. It complements the static `avoid-inline-spacing` (which only reads inline `!important` styles). Needs a browser: **rendered mode only** (`--render`).\n\n\
## Why it matters for older readers\nOlder readers widen line and letter spacing with reading extensions or elder modes so that text is no longer crowded. A box of fixed height cuts the extra lines off, and the reader thinks the text ends there.\n\n\
## Example\nFails: a two-line notice in `.notice { height: 60px; overflow: hidden }` whose second line is cut off with wider spacing. Passes: `.notice { min-height: 60px }`.\n\n\
## How to fix\nGive text boxes `min-height` instead of `height` and no `overflow: hidden`; use unitless line heights (`line-height: 1.5`); do not lock spacing with `!important`.",
    ),
};

impl Check for TextSpacing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn needs_browser(&self) -> bool {
        true
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let (_, base, spaced) = match scaling::layouts(cx, |f| f.spaced.as_ref()) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let mut tally = Tally::default();
        scaling::report_losses(
            cx.page,
            base,
            spaced,
            ("行距、字距加大后", "With the wider spacing"),
            None,
            false,
            &mut tally,
        );
        tally.finish()
    }
}
