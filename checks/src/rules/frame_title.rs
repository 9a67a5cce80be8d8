use super::shared::name_rule::NameRule;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Text};
use crate::page::aria::explicit_role;
use crate::page::Attribute;
use std::borrow::Cow;

pub struct FrameTitle;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("frame-title"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("内嵌框架有标题", "Frames have titles"),
    failure_title: Text::new("内嵌框架缺少标题", "Frames lack titles"),
    criteria: Criteria { wcag: &["4.1.2"], miit: &["GB/T 37668-2019 3.2.1.3"], act: &["cae760"] },
    docs: Text::new(
        "## 检查什么\n每个 `<iframe>` 都有名称（`title`、`aria-label` 或 `aria-labelledby`）。\n\n\
## 为什么对老年读者重要\n政务网站常用内嵌框架放地图、视频、办事系统或统计代码。没有标题时读屏软件只读“框架”，老年用户不知道里面是什么，是否值得进入。\n\n\
## 示例\n不合格：`<iframe src=\"/map.html\"></iframe>`；合格：`<iframe src=\"/map.html\" title=\"政务服务中心位置地图\"></iframe>`。\n\n\
## 如何修复\n为每个 `<iframe>` 写出说明其内容的 `title`；不显示内容的统计框架可加 `aria-hidden=\"true\"` 和 `tabindex=\"-1\"`。",
        "## What it checks\nEvery `<iframe>` has a name (`title`, `aria-label` or `aria-labelledby`).\n\n\
## Why it matters for older readers\nGovernment sites embed maps, videos, service systems and analytics in frames. Without a title a screen reader says only \"frame\", so older users cannot tell what is inside.\n\n\
## Example\nFails: `<iframe src=\"/map.html\"></iframe>`. Passes: `<iframe src=\"/map.html\" title=\"Map of the service centre\"></iframe>`.\n\n\
## How to fix\nGive every `<iframe>` a `title` that describes its content; hide empty analytics frames with `aria-hidden=\"true\"` and `tabindex=\"-1\"`.",
    ),
};

impl Check for FrameTitle {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let rule = NameRule {
            announced_zh: "框架",
            announced_en: "frame",
            fix_zh: "请为 iframe 加上说明内容的 title。",
            fix_en: "Add a title that describes the frame's content.",
        };
        // Frames taken out of the focus order or marked presentational are not targets (ACT cae760).
        let targets = cx.page.elements().filter(|e| {
            e.value().name() == "iframe"
                && e.value().attribute("tabindex").and_then(|t| t.trim().parse::<i32>().ok()).is_none_or(|t| t >= 0)
                && !matches!(explicit_role(*e).as_deref(), Some("none" | "presentation"))
        });
        rule.run(cx, targets, |_| false, |_, _| Ok(()))
    }
}
