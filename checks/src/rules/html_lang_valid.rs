use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::Attribute;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

pub struct HtmlLangValid;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("html-lang-valid"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("页面语言代码有效", "Page language tag is valid"),
    failure_title: Text::new("页面语言代码无效", "Page language tag is not valid"),
    criteria: Criteria { wcag: &["3.1.1"], miit: &["GB/T 37668-2019 (≈ WCAG 3.1.1)"], act: &["bf051a"] },
    docs: Text::new(
        "## 检查什么\n`<html lang>` 的值是有效的 BCP 47 语言标签：主语言子标签必须在 IANA 语言子标签注册表中。\n\n\
## 为什么对老年读者重要\n无效的语言代码（如 `zh_CN`、`cn`、`chinese`）会让读屏软件退回默认语音，中文被错误朗读。\n\n\
## 示例\n不合格：`lang=\"zh_CN\"`、`lang=\"cn\"`；合格：`lang=\"zh-CN\"`、`lang=\"zh-Hans-CN\"`、`lang=\"en-US\"`。\n\n\
## 如何修复\n使用连字符和标准代码：简体中文写 `zh-CN` 或 `zh-Hans-CN`，繁体中文写 `zh-TW` 或 `zh-Hant`。",
        "## What it checks\nThe value of `<html lang>` is a valid BCP 47 tag: its primary language subtag is in the IANA Language Subtag Registry.\n\n\
## Why it matters for older readers\nAn invalid code (`zh_CN`, `cn`, `chinese`) makes screen readers fall back to their default voice and mispronounce the page.\n\n\
## Example\nFails: `lang=\"zh_CN\"`, `lang=\"cn\"`. Passes: `lang=\"zh-CN\"`, `lang=\"zh-Hans-CN\"`, `lang=\"en-US\"`.\n\n\
## How to fix\nUse hyphens and registered codes: `zh-CN` or `zh-Hans-CN` for Simplified Chinese, `zh-TW` or `zh-Hant` for Traditional.",
    ),
};

fn primary_language_subtags() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        include_str!("../../data/language-subtags.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect()
    })
}

/// Whether a language tag has a registered primary language subtag. Like the ACT rule, a
/// tag is judged by that subtag (`en-US-GB` is accepted); private-use and grandfathered
/// irregular tags (`i-lux`, `x-…`) have none.
pub fn has_known_primary_language(tag: &str) -> bool {
    let primary = tag.trim().split('-').next().unwrap_or("").to_ascii_lowercase();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && primary_language_subtags().contains(primary.as_str())
}

impl Check for HtmlLangValid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let root = cx.page.root();
        let Some(lang) = root.value().attribute("lang").filter(|l| !l.trim().is_empty()) else {
            return CheckResult::inapplicable();
        };
        if root.value().name() != "html" {
            return CheckResult::inapplicable();
        }
        let mut tally = Tally::default();
        if has_known_primary_language(lang) {
            tally.pass();
        } else {
            let hint_zh = if lang.contains('_') { "（语言代码应使用连字符，如 zh-CN）" } else { "" };
            let hint_en = if lang.contains('_') { " (use a hyphen, e.g. zh-CN)" } else { "" };
            tally.add(
                Finding::failed(
                    cx.page,
                    root,
                    Message::new(
                        format!("lang=\"{lang}\" 不是有效的语言代码{hint_zh}。"),
                        format!("lang=\"{lang}\" is not a valid language tag{hint_en}."),
                    ),
                )
                .with("lang", lang),
            );
        }
        tally.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::has_known_primary_language as ok;

    #[test]
    fn bcp47_primary_subtags() {
        for good in ["zh-CN", "zh-Hans-CN", "en-US", "FR", "yue", "en-US-GB", "zh"] {
            assert!(ok(good), "{good}");
        }
        for bad in ["zh_CN", "cn", "chinese", "eng", "i-lux", "#1", "em-US", "x-klingon", ""] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
