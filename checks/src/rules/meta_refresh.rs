use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use scraper::ElementRef;
use std::borrow::Cow;

pub struct MetaRefresh;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("meta-refresh"),
    family: Family::Popups,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("页面不会定时刷新或跳转", "The page does not refresh or redirect on a timer"),
    failure_title: Text::new("页面定时刷新或跳转", "The page refreshes or redirects on a timer"),
    criteria: Criteria { wcag: &["2.2.1", "3.2.5"], miit: &["附件2 2.3 操作完成前界面不发生变化"], act: &["bc659a"] },
    docs: Text::new(
        "## 检查什么\n`<meta http-equiv=\"refresh\">` 是否在 1 秒到 20 小时之间的延时后刷新或跳转页面（立即跳转不算）。\n\n\
## 为什么对老年读者重要\n老年人阅读和填写表单较慢。页面在他们读完或填完之前自动刷新、跳走，内容和已填信息就丢了。\n\n\
## 示例\n不合格：`<meta http-equiv=\"refresh\" content=\"60\">`（首页每分钟刷新）；合格：不自动刷新，或 `content=\"0; url=/new/\"` 立即跳转。\n\n\
## 如何修复\n删除定时刷新；需要更新的内容用“刷新”按钮或局部更新；跳转用服务器 301/302 重定向。",
        "## What it checks\nWhether `<meta http-equiv=\"refresh\">` reloads or redirects the page after a delay between 1 second and 20 hours (instant redirects pass).\n\n\
## Why it matters for older readers\nOlder people read and fill in forms more slowly. A page that refreshes or moves away before they finish loses their place and what they typed.\n\n\
## Example\nFails: `<meta http-equiv=\"refresh\" content=\"60\">` (home page reloading every minute). Passes: no timed refresh, or `content=\"0; url=/new/\"`.\n\n\
## How to fix\nRemove timed refreshes; offer a refresh button or update parts of the page; use server-side 301/302 redirects.",
    ),
};

/// The delay of a refresh `content` value, by the HTML standard's parsing; `None` when invalid.
pub fn refresh_delay(content: &str) -> Option<u64> {
    let rest = content.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() && !rest.starts_with('.') {
        return None;
    }
    let after = rest[digits.len()..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if let Some(next) = after.chars().next() {
        if !(next == ';' || next == ',' || next.is_ascii_whitespace()) {
            return None;
        }
    }
    Some(digits.parse().unwrap_or(if digits.is_empty() { 0 } else { u64::MAX }))
}

/// The first `<meta http-equiv=refresh>` with a valid content, and its delay.
pub fn first_refresh<'a>(cx: &CheckContext<'a>) -> Option<(ElementRef<'a>, u64)> {
    cx.page
        .elements()
        .filter(|e| {
            e.value().name() == "meta"
                && e.value().attr("http-equiv").is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh"))
        })
        .find_map(|e| e.value().attr("content").and_then(refresh_delay).map(|d| (e, d)))
}

impl Check for MetaRefresh {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let mut tally = Tally::default();
        if let Some((meta, delay)) = first_refresh(cx) {
            if (1..=72_000).contains(&delay) {
                tally.add(
                    Finding::failed(cx.page, meta, Message::new(
                        format!("页面会在 {delay} 秒后自动刷新或跳转，读者可能来不及读完或填完。"),
                        format!("The page refreshes or redirects after {delay} seconds, possibly before the reader has finished."),
                    ))
                    .with("delay_s", delay),
                );
            } else {
                tally.pass();
            }
        }
        tally.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_delay;

    #[test]
    fn refresh_content_parsing() {
        assert_eq!(refresh_delay("30"), Some(30));
        assert_eq!(refresh_delay(" 5; url=/a"), Some(5));
        assert_eq!(refresh_delay("0;URL='https://a.cn/'"), Some(0));
        assert_eq!(refresh_delay("5: url=/a"), None);
        assert_eq!(refresh_delay("; url=/a"), None);
        assert_eq!(refresh_delay("1.5, /a"), Some(1));
        assert_eq!(refresh_delay("url=/a"), None);
    }
}
