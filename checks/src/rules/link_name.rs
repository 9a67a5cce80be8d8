use super::shared::name_rule::NameRule;
use crate::check::{Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Impact, Scope, Text};
use crate::page::aria::is_link_role;
use std::borrow::Cow;

pub struct LinkName;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("link-name"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("链接有名称", "Links have names"),
    failure_title: Text::new("链接缺少名称", "Links lack names"),
    criteria: Criteria { wcag: &["2.4.4", "4.1.2"], miit: &["GB/T 37668-2019 3.2.1.3"], act: &["c487ae"] },
    docs: Text::new(
        "## 检查什么\n每个链接（`<a href>`、`<area href>`、`role=\"link\"`）都有可读出的名称：链接文字、图片的 `alt`、`aria-label` 或 `title`。\n\n\
## 为什么对老年读者重要\n只有图标或图片的链接（微博、微信、无障碍入口图标、横幅广告图）在读屏软件里只读成“链接”或一串网址，老年用户不知道会去哪里。\n\n\
## 示例\n不合格：`<a href=\"/wza/\"><img src=\"wza.png\"></a>`；合格：`<a href=\"/wza/\"><img src=\"wza.png\" alt=\"无障碍浏览\"></a>`。\n\n\
## 如何修复\n给链接里的图片写 `alt`，或给图标链接加 `aria-label`，说明链接去向。",
        "## What it checks\nEvery link (`<a href>`, `<area href>`, `role=\"link\"`) has a name: link text, an image's `alt`, `aria-label` or `title`.\n\n\
## Why it matters for older readers\nIcon- or image-only links (social media, the accessibility-mode icon, banner images) are read as just \"link\" or a URL, so older users cannot tell where they lead.\n\n\
## Example\nFails: `<a href=\"/wza/\"><img src=\"wza.png\"></a>`. Passes: `<a href=\"/wza/\"><img src=\"wza.png\" alt=\"Accessible mode\"></a>`.\n\n\
## How to fix\nGive images inside links an `alt`, or icon links an `aria-label`, that says where the link goes.",
    ),
};

impl Check for LinkName {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let rule = NameRule {
            announced_zh: "链接",
            announced_en: "link",
            fix_zh: "请写出链接文字，或为链接中的图片加 alt、为图标链接加 aria-label。",
            fix_en: "Add link text, an alt on the image inside, or an aria-label on the icon link.",
        };
        let targets = cx.page.elements().filter(|e| cx.page.role(*e).is_some_and(is_link_role));
        rule.run(cx, targets, |_| false, |_, _| Ok(()))
    }
}
