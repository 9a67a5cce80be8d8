use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use std::borrow::Cow;

pub struct CssOrientationLock;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("css-orientation-lock"),
    family: Family::Font,
    impact: Impact::Minor,
    scope: Scope::Page,
    title: Text::new("页面不锁定屏幕方向", "The page does not lock screen orientation"),
    failure_title: Text::new("页面用 CSS 锁定了屏幕方向", "The page locks screen orientation with CSS"),
    criteria: Criteria { wcag: &["1.3.4"], miit: &["附件2 适配横竖屏"], act: &["b33eff"] },
    docs: Text::new(
        "## 检查什么\n页面是否在 `@media (orientation: …)` 中用 `transform: rotate()`（或 `rotate`、`matrix`）把内容旋转约 90°，迫使用户只能在一个方向阅读。\n\n\
## 为什么对老年读者重要\n有的老年人把平板固定在支架上、或只能横着拿手机。内容被锁定为竖屏时，他们要歪着头阅读。\n\n\
## 示例\n不合格：`@media (orientation: landscape) { body { transform: rotate(90deg) } }`；合格：用响应式布局适配横屏和竖屏。\n\n\
## 如何修复\n删除按方向旋转页面的样式，让版面在两个方向上都能正常显示。",
        "## What it checks\nWhether the page rotates content by about 90° with `transform: rotate()` (or `rotate`, `matrix`) inside `@media (orientation: …)`, forcing one orientation.\n\n\
## Why it matters for older readers\nSome older people keep a tablet on a stand or can only hold a phone sideways. Content locked to portrait makes them read with their head tilted.\n\n\
## Example\nFails: `@media (orientation: landscape) { body { transform: rotate(90deg) } }`. Passes: a responsive layout for both orientations.\n\n\
## How to fix\nRemove styles that rotate the page by orientation, and let the layout work both ways.",
    ),
};

impl Check for CssOrientationLock {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        if !page.styles_depend_on_orientation() {
            return tally.finish();
        }
        for element in page.elements().filter(|e| page.is_rendered(*e)) {
            let here = page.style_of(element).rotation_degrees();
            let there = page.rotation_in_other_orientation(element);
            let (Some(a), Some(b)) = (here, there) else { continue };
            if (a - b).abs() < 0.01 {
                continue;
            }
            // A target: its rotation depends on the orientation. It locks when the change is a quarter turn.
            let quarter = ((a - b).rem_euclid(180.0) - 90.0).abs() < 1.0;
            if quarter {
                tally.add(
                    Finding::failed(page, element, Message::new(
                        format!("此元素在横屏和竖屏下的旋转角度相差约 90°（{a:.1}° / {b:.1}°），页面被锁定为一个方向。"),
                        format!("This element is rotated by about 90° more in one orientation ({a:.1}° / {b:.1}°), locking the page to one orientation."),
                    ))
                    .with("rotation", f64::from(a))
                    .with("rotation_other_orientation", f64::from(b)),
                );
            } else {
                tally.pass();
            }
        }
        tally.finish()
    }
}
