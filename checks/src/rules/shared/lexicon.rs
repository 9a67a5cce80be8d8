//! Bundled word and host lists (data files in `checks/data/`), parsed once.

use std::sync::OnceLock;

fn lines(text: &'static str) -> Vec<&'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

pub fn ad_hosts() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| lines(include_str!("../../../data/ad-hosts.txt")))
}

pub fn induced_words() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| lines(include_str!("../../../data/induced-words.txt")))
}

pub fn assistive_toolbars() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| lines(include_str!("../../../data/assistive-toolbars.txt")))
}

/// Whether `host` is `listed` or one of its subdomains.
pub fn host_matches(host: &str, listed: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let listed = listed.to_ascii_lowercase();
    host == listed || host.ends_with(&format!(".{listed}"))
}

/// Shortest brand (registrable domain without its suffix) matched under any public suffix: long
/// enough to be the network's own name (`taboola`, `criteo`), not a word (`media`, `zedo`).
const MIN_BRAND_CHARS: usize = 6;

/// Whether `host` is a listed ad network's domain under another public suffix: `taboola.com`
/// listed, `images.taboola.com.cn` seen. Only listed registrable domains carry their brand over.
fn same_brand(host: &str, listed: &str) -> bool {
    let listed = listed.to_ascii_lowercase();
    if super::domains::registrable_domain(&listed) != listed {
        return false;
    }
    match (super::domains::brand(&listed), super::domains::brand(host)) {
        (Some(a), Some(b)) => a.chars().count() >= MIN_BRAND_CHARS && a == b,
        _ => false,
    }
}

/// The ad host a URL belongs to, from the bundled list or the profile's extras.
pub fn ad_host_of(url: &url::Url, extra: &[String]) -> Option<String> {
    let host = url.host_str()?;
    let listed = || ad_hosts().iter().map(|h| h.to_string()).chain(extra.iter().cloned());
    listed()
        .find(|l| host_matches(host, l))
        .or_else(|| listed().find(|l| same_brand(host, l)).map(|_| host.to_string()))
}

/// The words of a class or id: split at `-`, `_`, digits and lower-to-upper case changes
/// (`floatAd1` → float, ad; `news_imgad` → news, imgad), lower-cased.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        let boundary = !c.is_alphabetic() || (c.is_uppercase() && previous_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphabetic() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The induced phrase in a text, if any.
pub fn induced_phrase(text: &str, extra: &[String]) -> Option<String> {
    let lower = text.to_lowercase();
    induced_words()
        .iter()
        .map(|w| w.to_string())
        .chain(extra.iter().cloned())
        .find(|w| lower.contains(&w.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_words() {
        assert!(host_matches("pagead2.googlesyndication.com", "googlesyndication.com"));
        assert!(!host_matches("notgooglesyndication.com", "googlesyndication.com"));
        let at = |u: &str| ad_host_of(&url::Url::parse(u).expect("url"), &[]);
        assert_eq!(at("https://images.taboola.com.cn/x.jpg").as_deref(), Some("images.taboola.com.cn"));
        assert_eq!(at("https://static.criteo.com.cn/x.js").as_deref(), Some("static.criteo.com.cn"));
        assert_eq!(at("https://www.media.cn/x.js"), None, "media.net's brand is a word");
        assert_eq!(at("https://pos.baidu.com.cn/x.js"), None, "pos.baidu.com is not a registrable domain");
        assert_eq!(name_words("floatAd1"), ["float", "ad"]);
        assert_eq!(name_words("news_imgad"), ["news", "imgad"]);
        assert_eq!(name_words("/images/yzm.jsp?t=1"), ["images", "yzm", "jsp", "t"]);
        assert!(induced_phrase("立即下载APP，领取新人红包", &[]).is_some());
        assert!(induced_phrase("附件下载：关于开展医保参保工作的通知.pdf", &[]).is_none());
        assert!(induced_phrase("电费缴纳", &["电费".into()]).is_some());
    }
}
