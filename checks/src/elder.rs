//! Elder pages (适老版页面): pages of a site's elder mode, judged with stricter thresholds.

use crate::page::Page;
use serde::{Deserialize, Serialize};

/// How elder pages are recognised: the profile's rules plus `--elder-path` patterns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ElderRules {
    /// Whether the profile's elder rules apply at all (`elder_rules`).
    pub enabled: bool,
    /// The profile's URL patterns (`elder_paths`).
    pub profile_paths: Vec<String>,
    /// `--elder-path` patterns: they mark elder pages even when the profile's rules are off.
    pub extra_paths: Vec<String>,
}

/// Why a page counts as an elder page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "detail", rename_all = "snake_case")]
pub enum ElderReason {
    /// The URL contains one of the profile's `elder_paths` or a `--elder-path` pattern.
    UrlPattern(String),
    /// The `html` or `body` element's class or id names elder mode.
    Markup(String),
    /// The page was reached through a link named like an elder-mode entry (关怀版 …).
    EntryLink(String),
}

/// Words of a link or control that leads to a site's elder mode (长者模式, 关怀版 …).
pub const ENTRY_WORDS: &[&str] = &[
    "长者模式",
    "长者版",
    "长者浏览",
    "关怀版",
    "关怀模式",
    "适老版",
    "适老模式",
    "长辈版",
    "长辈模式",
    "老年模式",
    "老年版",
    "大字版",
    "大字模式",
    "亲情版",
    "关爱版",
    "elder mode",
    "senior mode",
    "care mode",
];

/// Words naming accessibility in general: a toolbar switch (无障碍) as often as a statement page
/// (无障碍说明, "Accessibility"). Alone they make an entry only where the control turns a mode on.
pub const ACCESSIBILITY_WORDS: &[&str] = &["无障碍", "accessibility", "accessible", "barrier-free"];

/// Words that make an accessibility text a way into a mode: 无障碍浏览, 无障碍模式, "accessibility tools".
const MODE_WORDS: &[&str] =
    &["浏览", "模式", "版", "工具", "开关", "通道", "阅读", "mode", "toolbar", "tools", "version", "view"];

/// Words of a statement, policy or help page about accessibility, which is no entry to anything.
const STATEMENT_WORDS: &[&str] =
    &["说明", "声明", "政策", "帮助", "指南", "承诺", "法", "statement", "policy", "help", "legal", "@"];

/// Longest link text (in characters, spaces ignored) still read as an entry name: a news title
/// that mentions 适老化 or 无障碍 is not an entry to the elder mode.
const MAX_ENTRY_TEXT_CHARS: usize = 14;

/// What a control's text says it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryText {
    /// An elder or accessible mode by name: 关怀版, 长者模式, 无障碍浏览, "accessibility mode".
    Mode,
    /// Accessibility, no more (无障碍, "Accessibility"): an entry only if the control switches a
    /// mode on in place, since as a link it is usually a statement page.
    Accessibility,
}

/// Reads a link or control text as an entry to an elder or accessible mode, if it is one.
pub fn entry_text(text: &str) -> Option<EntryText> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    let spaced = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if compact.chars().count() > MAX_ENTRY_TEXT_CHARS || STATEMENT_WORDS.iter().any(|w| spaced.contains(w)) {
        return None;
    }
    if ENTRY_WORDS.iter().any(|w| spaced.contains(w)) {
        return Some(EntryText::Mode);
    }
    if !ACCESSIBILITY_WORDS.iter().any(|w| spaced.contains(w)) {
        return None;
    }
    if MODE_WORDS.iter().any(|w| spaced.contains(w)) {
        Some(EntryText::Mode)
    } else {
        Some(EntryText::Accessibility)
    }
}

/// Whether a link text names the elder or accessible mode (长者模式 / 关怀版 / 无障碍浏览 …): a
/// page reached through it is a page of that mode.
pub fn is_entry_text(text: &str) -> bool {
    entry_text(text) == Some(EntryText::Mode)
}

/// Class/id words that mark an elder-mode page.
const MARKUP_WORDS: &[&str] = &["elder", "care", "older", "laonian", "zhangzhe"];

/// The part of a page's address that belongs to its site: the path below `site_root` (a local
/// folder's URL) or the URL's own path, with the query. Lower-cased.
fn site_relative(url: &url::Url, site_root: Option<&str>) -> (String, String) {
    let path = match site_root.and_then(|root| url.as_str().strip_prefix(root)) {
        Some(below) => format!("/{}", below.split(['?', '#']).next().unwrap_or_default()),
        None => url.path().to_string(),
    };
    (path.to_lowercase(), url.query().unwrap_or_default().to_lowercase())
}

/// Whether a profile's elder pattern matches a site-relative address. `key=value` patterns match a
/// query parameter; path patterns match whole path segments (`/elder` matches `/elder/`, `/elder.html`
/// and `/elder_v2/`, not `/eldercheck/` or `/newsletter/`).
fn pattern_matches(pattern: &str, path: &str, query: &str) -> bool {
    let pattern = pattern.to_lowercase();
    if pattern.contains('=') && !pattern.contains('/') {
        return query.split('&').any(|pair| pair == pattern.trim_start_matches('?'));
    }
    let wanted: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    if wanted.is_empty() {
        return false;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let segment_matches = |segment: &str, want: &str| {
        segment == want
            || segment.strip_prefix(want).is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric()))
    };
    segments.windows(wanted.len()).any(|window| window.iter().zip(&wanted).all(|(s, w)| segment_matches(s, w)))
}

/// Decides whether a page is an elder page. `site_root` is where the site starts when that is not the
/// URL's origin (a local folder), so that the folder's own path never counts.
pub fn detect(page: &Page, rules: &ElderRules, site_root: Option<&str>) -> Option<ElderReason> {
    let (path, query) = site_relative(&page.url, site_root);
    let relative = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
    // --elder-path patterns are the user's own: "contains", as documented, on the site-relative address.
    for pattern in &rules.extra_paths {
        if relative.contains(&pattern.to_lowercase()) {
            return Some(ElderReason::UrlPattern(pattern.clone()));
        }
    }
    if !rules.enabled {
        return None;
    }
    for pattern in &rules.profile_paths {
        if pattern_matches(pattern, &path, &query) {
            return Some(ElderReason::UrlPattern(pattern.clone()));
        }
    }
    let root = page.root();
    let body = root.child_elements().find(|e| e.value().name() == "body");
    for element in std::iter::once(root).chain(body) {
        let el = element.value();
        let words = el.classes().map(str::to_string).chain(el.id().map(str::to_string));
        for word in words {
            let lower = word.to_ascii_lowercase();
            // Whole words or word parts split by - and _: "elder-mode", "care_version", "zhangzhe".
            if lower.split(['-', '_']).any(|part| MARKUP_WORDS.contains(&part)) {
                return Some(ElderReason::Markup(word));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_link_texts() {
        for yes in [
            "关怀版",
            "长者模式",
            " 适老版 ",
            "无障碍浏览",
            "Elder Mode",
            "进入长辈版",
            "长者浏览模式",
            "网站无障碍开关",
        ] {
            assert!(is_entry_text(yes), "{yes}");
        }
        for no in [
            "关于开展第3期适老化改造工作的通知",
            "《无障碍环境建设法》全文及解读",
            "政务公开",
            "",
            "无障碍说明",
            "Accessibility Statement",
            "Accessibility Policy",
            "Accessibility Help",
            "accessibility@nytimes.com",
            "Accessibility",
        ] {
            assert!(!is_entry_text(no), "{no}");
        }
        assert_eq!(entry_text("无障碍"), Some(EntryText::Accessibility));
        assert_eq!(entry_text("Accessibility"), Some(EntryText::Accessibility));
        assert_eq!(entry_text("无障碍说明"), None);
    }

    #[test]
    fn url_and_markup_detection() {
        let rules = |enabled: bool, extra: &[&str]| ElderRules {
            enabled,
            profile_paths: ["/care/", "/elder"].map(String::from).to_vec(),
            extra_paths: extra.iter().map(|e| e.to_string()).collect(),
        };
        let p = rules(true, &[]);
        let page = Page::parse("https://www.example.gov.cn/care/index.html", "<p>x</p>");
        assert_eq!(detect(&page, &p, None), Some(ElderReason::UrlPattern("/care/".into())));
        let page = Page::parse("https://www.example.gov.cn/", "<html class='elder-mode'><body><p>x</p></body></html>");
        assert_eq!(detect(&page, &p, None), Some(ElderReason::Markup("elder-mode".into())));
        let page = Page::parse("https://www.example.gov.cn/", "<body class='careers'><p>x</p></body>");
        assert_eq!(detect(&page, &p, None), None, "careers is not care");
        let page = Page::parse("https://www.example.gov.cn/big/", "<p>x</p>");
        assert!(detect(&page, &rules(true, &["/big/"]), None).is_some());
        assert_eq!(detect(&Page::parse("https://x.cn/care/", "<p>x</p>"), &rules(false, &[]), None), None);
    }

    #[test]
    fn url_patterns_match_site_relative_path_segments() {
        let p = ElderRules {
            enabled: true,
            profile_paths: ["/care/", "/elder", "mode=care"].map(String::from).to_vec(),
            extra_paths: Vec::new(),
        };
        let at = |url: &str, root: Option<&str>| detect(&Page::parse(url, "<p>x</p>"), &p, root);
        // A clone in a folder named eldercheck: the folder's own path never counts.
        let root = Some("file:///home/u/eldercheck/examples/demo-site/");
        assert_eq!(at("file:///home/u/eldercheck/examples/demo-site/index.html", root), None);
        assert!(at("file:///home/u/eldercheck/examples/demo-site/care/index.html", root).is_some());
        assert!(at("file:///srv/elder/site/news.html", Some("file:///srv/elder/site/")).is_none());
        for yes in
            ["https://a.cn/elder/", "https://a.cn/elder.html", "https://a.cn/zh/elder_v2/x", "https://a.cn/?mode=care"]
        {
            assert!(at(yes, None).is_some(), "{yes}");
        }
        for no in [
            "https://a.cn/eldercheck/",
            "https://a.cn/newsletter/",
            "https://a.cn/careers/",
            "https://a.cn/?mode=careful",
        ] {
            assert!(at(no, None).is_none(), "{no}");
        }
    }
}
