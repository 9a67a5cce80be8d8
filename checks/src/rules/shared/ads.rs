//! What on a page is advertising: resources from ad networks and elements marked as ads. Shared by
//! `ad-content` and the pop-up checks (a pop-up carrying an ad is a veto on elder pages).

use super::domains::same_site;
use super::lexicon::{ad_host_of, name_words};
use crate::check::CheckContext;
use crate::page::Attribute;
use crate::page::Page;
use scraper::ElementRef;

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
    "sinaads",
    "adslot",
    "adunit",
    "adwrap",
    "adcontainer",
];
/// Words that make an ad slot's name with `ad`/`ads` run on: `news_imgad`, `picAd`, `bannerad`.
const AD_COMPOUND_HEADS: &[&str] =
    &["img", "pic", "banner", "float", "top", "side", "text", "left", "right", "foot", "couplet", "dl", "tonglan"];
/// Attributes only ad slots carry: ad networks' `<ins>` slots, filled by their script.
const AD_SLOT_ATTRIBUTES: &[&str] = &["data-ad-client", "data-ad-slot", "data-ad-pdps", "data-ad-unit", "data-ad-type"];
/// Sub-domain labels of a site's own ad server (`adpai.thepaper.cn`, `ad4.sina.com.cn`).
const AD_SERVER_LABELS: &[&str] = &["ad", "ads", "adpai", "adserver", "adx", "adsys", "guanggao", "sinaads"];
const AD_LABELS: &[&str] = &["广告", "推广", "赞助", "advertisement", "sponsored", "ad"];

/// Whether a word of a class or id names an ad slot.
fn is_ad_word(word: &str) -> bool {
    AD_TOKENS.contains(&word)
        || ["ad", "ads"]
            .iter()
            .any(|tail| word.strip_suffix(tail).is_some_and(|head| AD_COMPOUND_HEADS.contains(&head)))
}

fn is_ad_token_element(element: ElementRef<'_>) -> bool {
    let v = element.value();
    v.classes().chain(v.id()).any(|name| may_name_an_ad(name) && name_words(name).iter().any(|w| is_ad_word(w)))
}

/// Every ad word holds `ad`, `guanggao` or `sponsor` (in any ASCII case; no other character
/// lower-cases to these letters): names without them need not be split into words, which is
/// most of a page's classes.
fn may_name_an_ad(name: &str) -> bool {
    let contains = |needle: &[u8]| name.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    contains(b"ad") || contains(b"guanggao") || contains(b"sponsor")
}

/// An ad network's slot, declared by attributes its script fills (`<ins class="adsbygoogle"
/// data-ad-client>`, `<ins class="sinaads" data-ad-pdps>`): an ad whatever it holds yet.
fn is_declared_slot(element: ElementRef<'_>) -> bool {
    let v = element.value();
    AD_SLOT_ATTRIBUTES.iter().any(|a| v.attribute(a).is_some()) && (v.name() == "ins" || is_ad_token_element(element))
}

/// A host of the page's own site whose label says it serves ads (`adpai.thepaper.cn` on
/// `www.thepaper.cn`): a site's own ad server is in no network's list.
fn own_ad_server(page: &Page, url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    let site = page.url.host_str()?;
    if host.eq_ignore_ascii_case(site) || !same_site(host, site) {
        return None;
    }
    let label = host.split('.').next()?.to_ascii_lowercase();
    let label = label.trim_end_matches(|c: char| c.is_ascii_digit());
    label.split('-').any(|part| AD_SERVER_LABELS.contains(&part)).then(|| host.to_string())
}

/// An outbound link, an image or a frame inside: what an ad slot holds.
fn holds_ad_material(page: &Page, element: ElementRef<'_>) -> bool {
    let site = page.url.host_str().unwrap_or_default();
    // A saved or local page has no host of its own: its absolute links are not "outbound" to anyone.
    let local = page.url.scheme() == "file";
    element.descendent_elements().any(|d| match d.value().name() {
        "img" | "iframe" | "embed" | "object" | "ins" => true,
        "a" if local => false,
        // Another site (by registrable domain: `sports.sina.com.cn` is not outbound from `news.sina.com.cn`).
        "a" => d.value().attribute("href").and_then(|h| page.base_url.join(h).ok()).is_some_and(|u| {
            matches!(u.scheme(), "http" | "https") && !same_site(u.host_str().unwrap_or_default(), site)
        }),
        _ => false,
    })
}

/// An image or frame at most 2 pixels wide or high, by attribute or by style: a tracking pixel.
fn is_pixel(page: &Page, element: ElementRef<'_>) -> bool {
    let attribute = |name: &str| {
        element.value().attribute(name).and_then(|v| v.trim().trim_end_matches("px").trim().parse::<f32>().ok())
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
    let mut found_nodes = crate::page::NodeSet::default();
    for element in page.elements() {
        if super::inside_found(&found, &mut found_nodes, element) {
            continue;
        }
        let v = element.value();
        let source = match v.name() {
            "script" | "iframe" | "img" | "embed" | "frame" => v.attribute("src"),
            "object" => v.attribute("data"),
            _ => None,
        };
        if let Some(url) = source.and_then(|s| page.base_url.join(s).ok()) {
            // A tracking pixel (1×1, or hidden) from an ad network shows nothing: not ad content.
            let shows_nothing = v.name() != "script" && (is_pixel(page, element) || !page.is_visible(element));
            let host = ad_host_of(&url, &cx.options.extra_ad_hosts).or_else(|| own_ad_server(page, &url));
            if let Some(host) = host.filter(|_| !shows_nothing) {
                found.push((element, format!("host:{host}")));
                continue;
            }
        }
        if !page.is_rendered(element) {
            continue;
        }
        if is_declared_slot(element) {
            found.push((element, "slot".into()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Thresholds;
    use crate::page::Page;

    fn ads_on(url: &str, html: &str) -> usize {
        let page = Page::parse(url, html);
        let options = Thresholds::default();
        ad_elements(&CheckContext {
            page: &page,
            options: &options,
            elder_page: true,
            budget: crate::budget::Budget::unlimited(),
        })
        .len()
    }

    #[test]
    fn absolute_links_of_a_local_page_are_not_outbound() {
        let html = "<div class='ad-links'><a href='https://www.example.gov.cn/news/'>新闻</a></div>";
        assert_eq!(ads_on("file:///srv/saved/index.html", html), 0, "a saved page's own site is unknown");
        assert_eq!(ads_on("https://other.example.cn/", html), 1, "on a live site the link leaves the site");
    }

    #[test]
    fn ad_slot_names_and_declared_slots() {
        let page = "https://news.example.com.cn/a.html";
        assert_eq!(ads_on(page, "<div class='picAd'><img src='/x.jpg'></div>"), 1);
        assert_eq!(ads_on(page, "<div class='news_imgad'><img src='/x.jpg'></div>"), 1);
        assert_eq!(ads_on(page, "<div class='header'><img src='/x.jpg'></div>"), 0);
        assert_eq!(ads_on(page, "<div class='thread'><img src='/x.jpg'></div>"), 0, "thread is not an ad");
        assert_eq!(ads_on(page, "<ins class='sinaads' data-ad-pdps='PDPS0001'></ins>"), 1, "filled by script");
        assert_eq!(ads_on(page, "<ins class='sinaads' data-ad-pdps='PDPS0001' style='display:none'></ins>"), 0);
    }

    #[test]
    fn a_sites_own_ad_server_and_its_own_sub_sites() {
        let page = "https://www.thepaper.cn/news.html";
        assert_eq!(ads_on(page, "<iframe src='https://adpai.thepaper.cn/s?id=1'></iframe>"), 1);
        assert_eq!(ads_on(page, "<iframe src='https://video.thepaper.cn/s?id=1'></iframe>"), 0);
        assert_eq!(ads_on(page, "<iframe src='https://adpai.example.cn/s?id=1'></iframe>"), 0, "not listed, not own");
        let sina = "https://news.sina.com.cn/a.html";
        let links = "<div class='ad-links'><a href='https://sports.sina.com.cn/'>体育</a></div>";
        assert_eq!(ads_on(sina, links), 0, "a link to the same site is not outbound");
    }

    #[test]
    fn tracking_pixels_are_not_ads_but_visible_ad_images_are() {
        let pixel = "<img width=1 height=1 src='https://googleads.g.doubleclick.net/pagead/1/'>";
        assert_eq!(ads_on("https://a.gov.cn/", pixel), 0);
        let banner = "<img width=300 height=250 src='https://googleads.g.doubleclick.net/pagead/banner.png'>";
        assert_eq!(ads_on("https://a.gov.cn/", banner), 1);
    }
}
