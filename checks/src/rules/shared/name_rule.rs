//! Shared logic of the "has an accessible name" checks: each target in the accessibility tree
//! must have a non-empty name; the finding says what a screen reader announces now.

use crate::check::{CheckContext, CheckResult, Finding, Message, Tally};
use crate::page::aria::{accessible_name, is_hidden_from_at, AccessibleName};
use crate::page::Attribute;
use scraper::ElementRef;

/// How one kind of target is described to a reader of the report.
pub struct NameRule {
    /// What the screen reader says for the role ("按钮" / "button").
    pub announced_zh: &'static str,
    pub announced_en: &'static str,
    /// What to add.
    pub fix_zh: &'static str,
    pub fix_en: &'static str,
}

/// A short description of the element for the message: its image file, link target or field name.
pub fn hint(element: ElementRef<'_>) -> String {
    let v = element.value();
    let file = |u: &str| u.rsplit('/').next().unwrap_or(u).split('?').next().unwrap_or(u).to_string();
    if let Some(src) = v.attribute("src").filter(|s| !s.is_empty()) {
        return file(src);
    }
    if let Some(img) =
        element.descendent_elements().find(|d| d.value().name() == "img").and_then(|i| i.value().attribute("src"))
    {
        return file(img);
    }
    v.attribute("href")
        .or_else(|| v.attribute("name"))
        .or_else(|| v.attribute("id"))
        .unwrap_or_default()
        .chars()
        .take(60)
        .collect()
}

impl NameRule {
    /// Judges targets. `exempt` targets pass without a name (decorative images); `accept` may
    /// reject a name (e.g. a placeholder) with a reason.
    pub fn run<'a>(
        &self,
        cx: &CheckContext<'a>,
        targets: impl Iterator<Item = ElementRef<'a>>,
        exempt: impl Fn(ElementRef<'a>) -> bool,
        accept: impl Fn(ElementRef<'a>, &AccessibleName) -> Result<(), Message>,
    ) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        for element in targets {
            if is_hidden_from_at(page, element) {
                continue;
            }
            if exempt(element) {
                tally.pass();
                continue;
            }
            let name = accessible_name(page, element);
            let verdict = if name.is_empty() {
                let what = hint(element);
                let (zh_what, en_what) = if what.is_empty() {
                    (String::new(), String::new())
                } else {
                    (format!("（{what}）"), format!(" ({what})"))
                };
                Err(Message::new(
                    format!("没有可读出的名称{zh_what}：读屏软件只会读出“{}”，用户不知道它是什么。{}", self.announced_zh, self.fix_zh),
                    format!("No accessible name{en_what}: a screen reader only says \"{}\", so the user cannot tell what it is. {}", self.announced_en, self.fix_en),
                ))
            } else {
                accept(element, &name)
            };
            match verdict {
                Ok(()) => tally.pass(),
                Err(message) => tally.add(Finding::failed(page, element, message).with("name", name.name.clone())),
            }
        }
        tally.finish()
    }
}
