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

/// The ad host a URL belongs to, from the bundled list or the profile's extras.
pub fn ad_host_of(url: &url::Url, extra: &[String]) -> Option<String> {
    let host = url.host_str()?;
    ad_hosts().iter().map(|h| h.to_string()).chain(extra.iter().cloned()).find(|listed| host_matches(host, listed))
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
        assert!(induced_phrase("立即下载APP，领取新人红包", &[]).is_some());
        assert!(induced_phrase("附件下载：关于开展医保参保工作的通知.pdf", &[]).is_none());
        assert!(induced_phrase("电费缴纳", &["电费".into()]).is_some());
    }
}
