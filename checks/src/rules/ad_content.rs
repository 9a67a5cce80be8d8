use super::lexicon::ad_host_of;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::Page;
use scraper::ElementRef;
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
        "## 检查什么\n页面是否加载广告网络的资源（内置可更新的主机名单，如 googlesyndication、doubleclick、pos.baidu.com、cpro.baidustatic.com、tanx.com、gdt.qq.com、mediav；检测方案可用 `extra_ad_hosts` 增补），\
或有标记为广告的区块（class/id 为 ad、ads、advert、adsbygoogle、guanggao、sponsor 等，或标有“广告”“推广”“赞助”字样，且包含外部链接、图片或框架）。\
普通页面上此项为“轻微”；**适老版页面上出现广告是否决项**。\n\n\
## 为什么对老年读者重要\n广告容易被老年人误认为政府或网站的正式内容，点击后被引导下载、付款甚至受骗。适老化规范要求适老版页面严禁出现广告内容及插件。\n\n\
## 示例\n不合格：`<script src=\"https://pos.baidu.com/xxx.js\"></script>`、`<div class=\"ad\"><a href=\"https://shop.example.com\"><img src=\"ad.jpg\"></a></div>`；合格：适老版页面不加载任何广告代码。\n\n\
## 如何修复\n从适老版页面和模板中移除广告代码、广告位和广告插件；普通页面的广告应明确标注并避免遮挡内容。",
        "## What it checks\nWhether the page loads resources from ad networks (a bundled, updatable host list such as googlesyndication, doubleclick, pos.baidu.com, cpro.baidustatic.com, tanx.com, gdt.qq.com, mediav; extend it with `extra_ad_hosts`), \
or has blocks marked as ads (class/id ad, ads, advert, adsbygoogle, guanggao, sponsor…, or labelled 广告/推广/赞助) that hold an outbound link, image or frame. \
Minor on ordinary pages; **a veto on elder pages**.\n\n\
## Why it matters for older readers\nOlder readers easily take ads for official content and are led into downloads, payments or scams. The MIIT criteria forbid ads and ad plug-ins on elder pages.\n\n\
## Example\nFails: `<script src=\"https://pos.baidu.com/xxx.js\"></script>`, `<div class=\"ad\"><a href=\"https://shop.example.com\"><img src=\"ad.jpg\"></a></div>`. Passes: an elder page with no ad code.\n\n\
## How to fix\nRemove ad code, ad slots and ad plug-ins from elder pages and their templates; on ordinary pages, label ads clearly and keep them from covering content.",
    ),
};

const AD_TOKENS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "adverts",
    "advertisement",
    "advertising",
    "adsbygoogle",
    "adsense",
    "adbox",
    "guanggao",
    "sponsor",
    "sponsored",
];
const AD_LABELS: &[&str] = &["广告", "推广", "赞助", "advertisement", "sponsored", "ad"];

fn is_ad_token_element(element: ElementRef<'_>) -> bool {
    let v = element.value();
    let words = v.classes().map(str::to_string).chain(v.id().map(str::to_string));
    words.into_iter().any(|w| w.to_ascii_lowercase().split(['-', '_']).any(|t| AD_TOKENS.contains(&t)))
}

/// An outbound link, an image or a frame inside: what an ad slot holds.
fn holds_ad_material(page: &Page, element: ElementRef<'_>) -> bool {
    let site = page.url.host_str().unwrap_or_default().trim_start_matches("www.").to_string();
    // A saved or local page has no host of its own: its absolute links are not "outbound" to anyone.
    let local = page.url.scheme() == "file";
    element.descendent_elements().any(|d| match d.value().name() {
        "img" | "iframe" | "embed" | "object" | "ins" => true,
        "a" if local => false,
        "a" => d.value().attr("href").and_then(|h| page.base_url.join(h).ok()).is_some_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && !u.host_str().unwrap_or_default().trim_start_matches("www.").eq_ignore_ascii_case(&site)
        }),
        _ => false,
    })
}

/// An image or frame at most 2 pixels wide or high, by attribute or by style: a tracking pixel.
fn is_pixel(page: &Page, element: ElementRef<'_>) -> bool {
    let attribute = |name: &str| {
        element.value().attr(name).and_then(|v| v.trim().trim_end_matches("px").trim().parse::<f32>().ok())
    };
    let style = page.style_of(element);
    let styled =
        |extent: &crate::page::style::Extent| matches!(extent, crate::page::style::Extent::Px(px) if *px <= 2.0);
    attribute("width").is_some_and(|w| w <= 2.0)
        || attribute("height").is_some_and(|h| h <= 2.0)
        || styled(&style.width)
        || styled(&style.height)
}

/// Ad slots and ad-network resources on the page, outermost first, each once.
pub fn ad_elements<'a>(cx: &CheckContext<'a>) -> Vec<(ElementRef<'a>, String)> {
    let page = cx.page;
    let mut found: Vec<(ElementRef<'a>, String)> = Vec::new();
    for element in page.elements() {
        if found.iter().any(|(f, _)| element.ancestors().any(|a| a.id() == f.id())) {
            continue;
        }
        let v = element.value();
        let source = match v.name() {
            "script" | "iframe" | "img" | "embed" | "frame" => v.attr("src"),
            "object" => v.attr("data"),
            _ => None,
        };
        if let Some(url) = source.and_then(|s| page.base_url.join(s).ok()) {
            // A tracking pixel (1×1, or hidden) from an ad network shows nothing: not ad content.
            let shows_nothing = v.name() != "script" && (is_pixel(page, element) || !page.is_visible(element));
            if let Some(host) = ad_host_of(&url, &cx.options.extra_ad_hosts).filter(|_| !shows_nothing) {
                found.push((element, format!("host:{host}")));
                continue;
            }
        }
        if !page.is_rendered(element) {
            continue;
        }
        if is_ad_token_element(element) && holds_ad_material(page, element) {
            found.push((element, "marked".into()));
            continue;
        }
        // A short label "广告" (a leaf element) inside a block that holds ad material marks the block.
        if element.child_elements().next().is_some() {
            continue;
        }
        let own_text: String = element.text().collect();
        let own_text = own_text.trim();
        if own_text.len() <= 16 && AD_LABELS.contains(&own_text.to_lowercase().as_str()) {
            if let Some(container) = element.parent().and_then(ElementRef::wrap).filter(|c| holds_ad_material(page, *c))
            {
                if !found.iter().any(|(f, _)| f.id() == container.id()) {
                    found.push((container, "labelled".into()));
                }
            }
        }
    }
    found
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Thresholds;

    fn ads_on(url: &str, html: &str) -> usize {
        let page = Page::parse(url, html);
        let options = Thresholds::default();
        ad_elements(&CheckContext { page: &page, options: &options, elder_page: true }).len()
    }

    #[test]
    fn absolute_links_of_a_local_page_are_not_outbound() {
        let html = "<div class='ad-links'><a href='https://www.example.gov.cn/news/'>新闻</a></div>";
        assert_eq!(ads_on("file:///srv/saved/index.html", html), 0, "a saved page's own site is unknown");
        assert_eq!(ads_on("https://other.example.cn/", html), 1, "on a live site the link leaves the site");
    }

    #[test]
    fn tracking_pixels_are_not_ads_but_visible_ad_images_are() {
        let pixel = "<img width=1 height=1 src='https://googleads.g.doubleclick.net/pagead/1/'>";
        assert_eq!(ads_on("https://a.gov.cn/", pixel), 0);
        let banner = "<img width=300 height=250 src='https://googleads.g.doubleclick.net/pagead/banner.png'>";
        assert_eq!(ads_on("https://a.gov.cn/", banner), 1);
    }
}
