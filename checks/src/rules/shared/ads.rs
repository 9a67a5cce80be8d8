//! What on a page is advertising: resources from ad networks and elements marked as ads. Shared by
//! `ad-content` and the pop-up checks (a pop-up carrying an ad is a veto on elder pages).

use super::lexicon::ad_host_of;
use crate::check::CheckContext;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Thresholds;
    use crate::page::Page;

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
