use super::shared::refresh::first_refresh;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use std::borrow::Cow;

pub struct MetaRefreshNoExceptions;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("meta-refresh-no-exceptions"),
    family: Family::Popups,
    impact: Impact::Advisory,
    scope: Scope::Page,
    title: Text::new("页面没有任何延时刷新", "The page has no delayed refresh at all"),
    failure_title: Text::new("页面有延时刷新或跳转", "The page has a delayed refresh or redirect"),
    criteria: Criteria { wcag: &["2.2.4", "3.2.5"], miit: &["附件2 2.3"], act: &["bisz58"] },
    docs: Text::new(
        "## 检查什么\n`<meta http-equiv=\"refresh\">` 的延时是否大于 0 秒（包括 20 小时以上的长延时）。这是 AAA 级要求，只作建议，不计分。\n\n\
## 为什么对老年读者重要\n任何不由用户发起的刷新或跳转都会打断阅读，老年读者常常不明白页面为什么变了。\n\n\
## 示例\n不合格：`<meta http-equiv=\"refresh\" content=\"72001\">`；合格：不使用 meta 刷新，或 `content=\"0; url=/new/\"`。\n\n\
## 如何修复\n删除延时刷新；跳转用服务器重定向。",
        "## What it checks\nWhether `<meta http-equiv=\"refresh\">` has any delay above 0 seconds, including delays over 20 hours. An AAA requirement: advisory, no weight.\n\n\
## Why it matters for older readers\nAny refresh or redirect the reader did not ask for interrupts reading, and older readers often cannot tell why the page changed.\n\n\
## Example\nFails: `<meta http-equiv=\"refresh\" content=\"72001\">`. Passes: no meta refresh, or `content=\"0; url=/new/\"`.\n\n\
## How to fix\nRemove delayed refreshes; redirect on the server.",
    ),
};

impl Check for MetaRefreshNoExceptions {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let mut tally = Tally::default();
        if let Some((meta, delay)) = first_refresh(cx) {
            if delay > 0 {
                tally.add(
                    Finding::failed(
                        cx.page,
                        meta,
                        Message::new(
                            format!("页面会在 {delay} 秒后自动刷新或跳转。"),
                            format!("The page refreshes or redirects after {delay} seconds."),
                        ),
                    )
                    .with("delay_s", delay),
                );
            } else {
                tally.pass();
            }
        }
        tally.finish()
    }
}
