use super::shared::lexicon::induced_phrase;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::aria::{accessible_name, is_hidden_from_at, is_link_role};
use scraper::ElementRef;
use std::borrow::Cow;

pub struct InducedButton;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("induced-button"),
    family: Family::Popups,
    impact: Impact::Moderate,
    scope: Scope::Page,
    title: Text::new("没有诱导下载或诱导付款的按钮", "No buttons inducing downloads or payments"),
    failure_title: Text::new("有诱导下载或诱导付款的按钮", "Buttons induce downloads or payments"),
    criteria: Criteria { wcag: &[], miit: &["附件1 2.4.2 无诱导下载、诱导付款等诱导式按键"], act: &[] },
    docs: Text::new(
        "## 检查什么\n按钮和链接的名称是否含诱导下载或诱导付款的用语（内置中英文词库，如“立即下载”“下载APP”“领红包”“立即充值”“抢购”“扫码领取”“download now”；检测方案可用 `extra_induced_words` 增补）。\
只匹配完整短语，“附件下载”等政务常用语不算。**适老版页面上出现诱导式按键是否决项**。\n\n\
## 为什么对老年读者重要\n老年人容易被“领红包”“立即下载”等字样吸引点击，进而安装来历不明的应用或被引导付款，造成财产损失。\n\n\
## 示例\n不合格：`<a class=\"btn\" href=\"/app.apk\">立即下载APP 领红包</a>`；合格：`<a href=\"/files/notice.pdf\">附件下载</a>`。\n\n\
## 如何修复\n删除诱导性按钮和用语；确需提供客户端下载时使用平实的说明文字，并不要放在适老版页面。",
        "## What it checks\nWhether the names of buttons and links contain induced-download or induced-payment wording (a bundled zh/en lexicon: 立即下载, 下载APP, 领红包, 立即充值, 抢购, 扫码领取, \"download now\"…; extend it with `extra_induced_words`). \
Only whole phrases match: plain wording such as 附件下载 (download the attachment) does not. **A veto on elder pages.**\n\n\
## Why it matters for older readers\nOlder people are easily drawn by \"claim a red packet\" or \"download now\" into installing unknown apps or paying, and lose money.\n\n\
## Example\nFails: `<a class=\"btn\" href=\"/app.apk\">立即下载APP 领红包</a>`. Passes: `<a href=\"/files/notice.pdf\">附件下载</a>`.\n\n\
## How to fix\nRemove inducing buttons and wording; if an app must be offered, describe it plainly and keep it off elder pages.",
    ),
};

fn is_control(page: &crate::page::Page, element: ElementRef<'_>) -> bool {
    page.role(element).is_some_and(|r| r == "button" || is_link_role(r))
}

impl Check for InducedButton {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        for control in page.elements().filter(|e| is_control(page, *e)) {
            if is_hidden_from_at(page, control) {
                continue;
            }
            let name = accessible_name(page, control).name;
            match induced_phrase(&name, &cx.options.extra_induced_words) {
                Some(phrase) => {
                    let (zh, en) = if cx.elder_page {
                        (
                            "适老版页面不得出现诱导式按键（否决项）。",
                            " Such buttons are forbidden on elder pages (a veto).",
                        )
                    } else {
                        ("", "")
                    };
                    tally.add(
                        Finding::failed(page, control, Message::new(
                            format!("“{name}”含诱导用语“{phrase}”，容易诱导老年人下载或付款。{zh}"),
                            format!("\"{name}\" contains the inducing phrase \"{phrase}\", which lures older readers into downloads or payments.{en}"),
                        ))
                        .with("phrase", phrase),
                    );
                }
                None => tally.pass(),
            }
        }
        tally.finish()
    }
}
