use super::shared::refresh::first_refresh;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};

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
