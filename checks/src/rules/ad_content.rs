use super::shared::ads::ad_elements;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};

use std::borrow::Cow;

pub struct AdContent;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("ad-content"),
    family: Family::Popups,
    impact: Impact::Minor,
    scope: Scope::Page,
    title: Text::new("页面没有广告", "No advertising on the page"),
    failure_title: Text::new("页面含有广告", "The page carries advertising"),
    criteria: Criteria { wcag: &["2.2.4"], miit: &["附件1 2.4.1 适老版页面严禁出现广告内容及插件"], act: &[] },
    docs: Text::new(
        "## 检查什么\n页面是否加载广告网络的资源（内置可更新的主机名单，如 googlesyndication、doubleclick、pos.baidu.com、cpro.baidustatic.com、tanx.com、gdt.qq.com、mediav；检测方案可用 `extra_ad_hosts` 增补；同一广告网络换了后缀的域名如 taboola.com.cn 按公共后缀表识别），本站自己的广告服务器（如 adpai.、ad4. 开头的同站子域名），\
广告网络声明的广告位（如 `<ins class=\"sinaads\" data-ad-pdps>`、`data-ad-client`，由脚本填充），\
或有标记为广告的区块（class/id 为 ad、ads、advert、adsbygoogle、guanggao、sponsor，或 picAd、news_imgad 这类组合名，或标有“广告”“推广”“赞助”字样，且包含外部链接（指向其他网站，同一可注册域名下的子站不算）、图片或框架）。\
普通页面上此项为“轻微”；**适老版页面上出现广告是否决项**。\n\n\
## 为什么对老年读者重要\n广告容易被老年人误认为政府或网站的正式内容，点击后被引导下载、付款甚至受骗。适老化规范要求适老版页面严禁出现广告内容及插件。\n\n\
## 示例\n不合格：`<script src=\"https://pos.baidu.com/xxx.js\"></script>`、`<div class=\"ad\"><a href=\"https://shop.example.com\"><img src=\"ad.jpg\"></a></div>`；合格：适老版页面不加载任何广告代码。\n\n\
## 如何修复\n从适老版页面和模板中移除广告代码、广告位和广告插件；普通页面的广告应明确标注并避免遮挡内容。",
        "## What it checks\nWhether the page loads resources from ad networks (a bundled, updatable host list such as googlesyndication, doubleclick, pos.baidu.com, cpro.baidustatic.com, tanx.com, gdt.qq.com, mediav; extend it with `extra_ad_hosts`; a listed network under another public suffix, such as taboola.com.cn, is recognised through the public suffix list), the site's own ad server (a same-site sub-domain such as adpai. or ad4.), \
ad networks' declared slots (`<ins class=\"sinaads\" data-ad-pdps>`, `data-ad-client`, filled by their script), \
or has blocks marked as ads (class/id ad, ads, advert, adsbygoogle, guanggao, sponsor, compounds such as picAd or news_imgad, or labelled 广告/推广/赞助) that hold an outbound link (to another site: sub-sites of the same registrable domain are not), image or frame. \
Minor on ordinary pages; **a veto on elder pages**.\n\n\
## Why it matters for older readers\nOlder readers easily take ads for official content and are led into downloads, payments or scams. The MIIT criteria forbid ads and ad plug-ins on elder pages.\n\n\
## Example\nFails: `<script src=\"https://pos.baidu.com/xxx.js\"></script>`, `<div class=\"ad\"><a href=\"https://shop.example.com\"><img src=\"ad.jpg\"></a></div>`. Passes: an elder page with no ad code.\n\n\
## How to fix\nRemove ad code, ad slots and ad plug-ins from elder pages and their templates; on ordinary pages, label ads clearly and keep them from covering content.",
    ),
};

impl Check for AdContent {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        let ads = ad_elements(cx);
        if ads.is_empty() {
            // The page itself is the target: no ads is a pass.
            tally.pass();
            return tally.finish();
        }
        for (element, why) in ads {
            let (zh, en) = match why.strip_prefix("host:") {
                Some(host) => {
                    (format!("加载了广告网络 {host} 的资源。"), format!("Loads a resource from the ad network {host}."))
                }
                None if why == "slot" => (
                    "这是广告网络的广告位（由其脚本填充广告）。".to_string(),
                    "This is an ad network's slot, which its script fills with an ad.".to_string(),
                ),
                None if why == "labelled" => (
                    "此区块标有“广告/推广/赞助”字样并含外部链接或图片。".to_string(),
                    "This block is labelled as advertising and holds an outbound link or image.".to_string(),
                ),
                None => (
                    "此区块的 class/id 标明为广告位，并含外部链接或图片。".to_string(),
                    "This block's class or id marks it as an ad slot, and it holds an outbound link or image."
                        .to_string(),
                ),
            };
            let suffix_zh = if cx.elder_page { "适老版页面严禁出现广告（否决项）。" } else { "" };
            let suffix_en = if cx.elder_page { " Ads are forbidden on elder pages (a veto)." } else { "" };
            tally.add(
                Finding::failed(page, element, Message::new(format!("{zh}{suffix_zh}"), format!("{en}{suffix_en}")))
                    .with("evidence", why),
            );
        }
        tally.finish()
    }
}
