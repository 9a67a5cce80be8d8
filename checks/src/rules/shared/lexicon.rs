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

/// The bundled ad hosts indexed for lookups: each lower-cased host with its position in the list
/// (the earliest listed match is the one named), and the brands that carry over to other suffixes.
struct AdHostIndex {
    position: std::collections::HashMap<String, usize>,
    brands: std::collections::HashSet<String>,
}

fn ad_host_index() -> &'static AdHostIndex {
    static INDEX: OnceLock<AdHostIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut position = std::collections::HashMap::new();
        let mut brands = std::collections::HashSet::new();
        for (at, listed) in ad_hosts().iter().enumerate() {
            position.entry(listed.to_ascii_lowercase()).or_insert(at);
            if let Some(brand) = carried_brand(listed) {
                brands.insert(brand);
            }
        }
        AdHostIndex { position, brands }
    })
}

/// The ad host a URL belongs to, from the bundled list or the profile's extras: the first listed
/// host that is the URL's host or one of its parents, else the URL's host when it carries a listed
/// network's brand under another suffix. Called for every script, image and frame of every page,
/// so the bundled list is looked up by the host's suffixes rather than scanned.
pub fn ad_host_of(url: &url::Url, extra: &[String]) -> Option<String> {
    let host = url.host_str()?;
    let index = ad_host_index();
    let lowered = host.trim_end_matches('.').to_ascii_lowercase();
    let suffixes = std::iter::once(lowered.as_str())
        .chain(lowered.match_indices('.').map(|(dot, _)| &lowered[dot + 1..]))
        .filter(|suffix| !suffix.is_empty());
    let bundled = suffixes.filter_map(|suffix| index.position.get(suffix)).min().map(|at| ad_hosts()[*at].to_string());
    bundled.or_else(|| extra.iter().find(|l| host_matches(host, l)).cloned()).or_else(|| {
        let brand_listed = super::domains::brand(host).is_some_and(|b| index.brands.contains(&b))
            || extra.iter().any(|l| carried_brand(l).is_some_and(|b| Some(b) == super::domains::brand(host)));
        brand_listed.then(|| host.to_string())
    })
}

/// The brand a listed host carries to other public suffixes: only a registrable domain's, and only
/// when it is long enough to be a network's own name.
fn carried_brand(listed: &str) -> Option<String> {
    let listed = listed.to_ascii_lowercase();
    if super::domains::registrable_domain(&listed) != listed {
        return None;
    }
    super::domains::brand(&listed).filter(|brand| brand.chars().count() >= MIN_BRAND_CHARS)
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

/// The letters of a class or id, lower-cased, into `out` (cleared first): the words of
/// [`name_words`] run together (`float_Ad-1` → `floatad`), without building them.
pub fn name_letters_into(name: &str, out: &mut String) {
    out.clear();
    for c in name.chars().filter(|c| c.is_alphabetic()) {
        out.extend(c.to_lowercase());
    }
}

/// The induced phrase in a text, if any: the first of the bundled words (in list order) that the
/// text contains, else the first of the profile's. The bundled words are found in one pass over the
/// text (every control's name on every page is searched).
pub fn induced_phrase(text: &str, extra: &[String]) -> Option<String> {
    static BUNDLED: OnceLock<Option<aho_corasick::AhoCorasick>> = OnceLock::new();
    let bundled =
        BUNDLED.get_or_init(|| aho_corasick::AhoCorasick::new(induced_words().iter().map(|w| w.to_lowercase())).ok());
    let lower = text.to_lowercase();
    let first = match bundled {
        Some(automaton) => automaton.find_overlapping_iter(&lower).map(|m| m.pattern().as_usize()).min(),
        None => induced_words().iter().position(|w| lower.contains(&w.to_lowercase())),
    };
    if let Some(at) = first {
        return Some(induced_words()[at].to_string());
    }
    extra.iter().find(|w| lower.contains(&w.to_lowercase())).cloned()
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
        let mut letters = String::new();
        for name in ["floatAd1", "W5_duilian", "float-AD_2", "ÄrgerFloat", "/images/yzm.jsp?t=1", ""] {
            name_letters_into(name, &mut letters);
            assert_eq!(letters, name_words(name).concat(), "{name}");
        }
        assert!(induced_phrase("立即下载APP，领取新人红包", &[]).is_some());
        assert!(induced_phrase("附件下载：关于开展医保参保工作的通知.pdf", &[]).is_none());
        assert!(induced_phrase("电费缴纳", &["电费".into()]).is_some());
        // The one-pass search names the word a scan of the list in order names.
        for word in induced_words() {
            let text = format!("请点击{word}，立即领取");
            let naive = induced_words().iter().find(|w| text.to_lowercase().contains(&w.to_lowercase()));
            assert_eq!(induced_phrase(&text, &[]).as_deref(), naive.copied(), "{text}");
        }
    }
}
