//! URL normalisation and same-site scope.

use url::Url;

/// Largest URL the crawler follows; longer ones are almost always traps.
pub const MAX_URL_LEN: usize = 2048;

/// Normalises a URL for de-duplication: fragment dropped, default port dropped, host lower-cased
/// (the `url` crate already lower-cases hosts and drops default ports), empty path as `/`.
pub fn normalise(url: &Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let mut url = url.clone();
    url.set_fragment(None);
    // Credentials in links are not followed: only a start URL's are used (see Fetcher::take_credentials).
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if url.query() == Some("") {
        url.set_query(None);
    }
    (url.as_str().len() <= MAX_URL_LEN).then_some(url)
}

/// `text` with the credentials of every URL in it removed (`https://user:secret@host/` →
/// `https://host/`). A start URL may carry a password for an intranet site; it is used for requests
/// and never written to a report, the results folder or the history store.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    static CREDENTIALS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let pattern = CREDENTIALS.get_or_init(|| regex::Regex::new(r"(?i)\b((?:https?|ftp)://)[^/?#@\s]*@").ok());
    match pattern {
        Some(re) if text.contains('@') => re.replace_all(text, "$1"),
        _ => std::borrow::Cow::Borrowed(text),
    }
}

/// The site a host belongs to: `www.` and the bare domain are one site.
pub fn site_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    host.strip_prefix("www.").map(str::to_string).unwrap_or(host)
}

/// Whether `url` is in the same site as `start` (any scheme, `www.` or not).
pub fn in_scope(start_key: &str, url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && site_key(url) == start_key
}

/// Links to files that are not web pages are not requested at all.
pub fn looks_like_non_html(url: &Url) -> bool {
    const EXTENSIONS: &[&str] = &[
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "zip", "rar", "7z", "gz", "tar", "jpg",
        "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "mp3", "mp4", "avi", "wmv", "flv", "mov", "wav", "apk",
        "exe", "msi", "dmg", "iso", "css", "js", "json", "xml", "txt", "csv", "ofd", "caj", "swf",
    ];
    let path = url.path().to_ascii_lowercase();
    path.rsplit('/').next().and_then(|file| file.rsplit_once('.')).is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("test url")
    }

    #[test]
    fn credentials_never_leave_the_crawler() {
        assert_eq!(redact("https://admin:s3cret@intranet.a.cn/x?q=a@b"), "https://intranet.a.cn/x?q=a@b");
        assert_eq!(
            redact("error sending request for url (http://u:p@a.cn/)"),
            "error sending request for url (http://a.cn/)"
        );
        assert_eq!(redact("mailto:someone@a.cn"), "mailto:someone@a.cn");
        assert_eq!(redact("https://a.cn/@user"), "https://a.cn/@user");
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            normalise(&u("HTTP://WWW.Example.GOV.cn:80/a?#top")).map(|u| u.to_string()),
            Some("http://www.example.gov.cn/a".into())
        );
        assert_eq!(normalise(&u("https://example.cn:443")).map(|u| u.to_string()), Some("https://example.cn/".into()));
        assert!(normalise(&u("mailto:a@b.cn")).is_none());
        assert!(normalise(&u("javascript:void(0)")).is_none());
        let long = format!("https://a.cn/{}", "x".repeat(3000));
        assert!(normalise(&u(&long)).is_none());
    }

    #[test]
    fn www_and_bare_domain_are_one_site() {
        let key = site_key(&u("https://www.example.gov.cn/"));
        assert!(in_scope(&key, &u("http://example.gov.cn/news")));
        assert!(in_scope(&key, &u("https://WWW.example.gov.cn/")));
        assert!(!in_scope(&key, &u("https://other.gov.cn/")));
        assert!(!in_scope(&key, &u("https://zwfw.example.gov.cn/")), "a subdomain is another site");
    }

    #[test]
    fn file_links_are_skipped() {
        assert!(looks_like_non_html(&u("https://a.cn/files/通知.PDF")));
        assert!(!looks_like_non_html(&u("https://a.cn/news/index.shtml")));
        assert!(!looks_like_non_html(&u("https://a.cn/news/")));
    }
}
