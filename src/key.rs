//! Issue ids: how a problem is recognised from page to page and from run to run, in the history
//! store, baselines and SARIF fingerprints. An issue is a root cause: the author's CSS declaration
//! that decided a style finding, or the element (by its signature, never its position) for the
//! others. Ids are site-relative — no scheme, host or folder — so they survive a move to another
//! folder or server, and inserting an unrelated element does not change them.

use crate::results::FindingResult;
use eldercheck_checks::page::style::Source;
use std::fmt;

/// Turns the absolute addresses of one site into site-relative ones (`/css/site.css`).
#[derive(Debug, Clone)]
pub struct SiteAddresses {
    prefixes: Vec<String>,
}

impl SiteAddresses {
    /// For a crawled site, its origin with and without `www.`, over http and https; for a local
    /// folder, the folder's URL.
    pub fn new(site_url: &str) -> SiteAddresses {
        let mut prefixes = Vec::new();
        if let Ok(url) = url::Url::parse(site_url) {
            match (url.scheme(), url.host_str()) {
                ("http" | "https", Some(host)) => {
                    let bare = host.strip_prefix("www.").unwrap_or(host);
                    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                    for scheme in ["https", "http"] {
                        for name in [format!("www.{bare}"), bare.to_string()] {
                            prefixes.push(format!("{scheme}://{name}{port}/"));
                        }
                    }
                }
                _ => {
                    let mut folder = url.to_string();
                    if !folder.ends_with('/') {
                        folder = folder.rsplit_once('/').map_or(folder.clone(), |(dir, _)| format!("{dir}/"));
                    }
                    prefixes.push(folder);
                }
            }
        }
        // Longest first, so that a folder inside another is replaced whole.
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        SiteAddresses { prefixes }
    }

    /// `text` with every address of the site made site-relative.
    pub fn relative(&self, text: &str) -> String {
        let mut out = text.to_string();
        for prefix in &self.prefixes {
            if out.contains(prefix.as_str()) {
                out = out.replace(prefix.as_str(), "/");
            }
        }
        out
    }
}

/// FNV-1a, 64 bits: stable across runs, machines and versions (unlike std's hasher).
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The id of an issue: the check and a fingerprint of the root cause, e.g. `image-alt-3f2a9c1e0b7d`.
pub fn issue_id(check: &str, root_cause: &str) -> String {
    format!("{check}-{:012x}", fnv1a(root_cause) >> 16)
}

/// The root cause of a page finding, in site-relative terms. What needs a person is grouped by why
/// (and by the declaration involved, if any): every paragraph whose line height is left at `normal`
/// is one thing to review, not one per paragraph.
pub fn root_cause(finding: &FindingResult, site: &SiteAddresses) -> String {
    if finding.outcome == eldercheck_checks::check::FindingOutcome::CantTell {
        let declaration = finding.origin.as_ref().filter(|o| o.is_author()).map(|origin| {
            let place = match &origin.source {
                Source::Stylesheet { url } => site.relative(url),
                Source::StyleElement { index } => format!("style#{index}"),
                _ => String::new(),
            };
            format!("{place} {}:{} {}", origin.line.unwrap_or(0), origin.column.unwrap_or(0), origin.declaration)
        });
        return format!("review {} {}", finding.reason.as_deref().unwrap_or(""), declaration.unwrap_or_default());
    }
    match finding.origin.as_ref().filter(|o| o.is_author()) {
        Some(origin) => {
            let at = |place: String| {
                format!(
                    "{place} {}:{} {} {}",
                    origin.line.unwrap_or(0),
                    origin.column.unwrap_or(0),
                    origin.selector.as_deref().unwrap_or(""),
                    origin.declaration
                )
            };
            match &origin.source {
                Source::Stylesheet { url } => at(format!("css {}", site.relative(url))),
                // A page template's `<style>` is the same on every page: not tied to one page.
                Source::StyleElement { index } => at(format!("style#{index}")),
                // Attributes live on one element: the element and the declaration are the cause.
                Source::StyleAttribute | Source::Attribute { .. } | Source::UserAgent => {
                    format!("element {} {}", site.relative(&finding.signature), origin.declaration)
                }
            }
        }
        None => format!("element {}", site.relative(&finding.signature)),
    }
}

/// The root cause of a site-level finding: one per check and element of the home page.
pub fn site_root_cause(finding: &FindingResult) -> String {
    format!("site {}", finding.selector)
}

/// The finding key of reports before issues (`check page-URL selector`): still honoured in
/// baselines written then.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingKey {
    pub check: String,
    pub location: String,
    pub selector: String,
}

impl FindingKey {
    pub fn new(check: &str, location: &str, selector: &str) -> FindingKey {
        FindingKey { check: check.to_string(), location: location.to_string(), selector: selector.to_string() }
    }
}

impl fmt::Display for FindingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.check, self.location, self.selector)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_site_relative() {
        let site = SiteAddresses::new("https://www.example.gov.cn/");
        assert_eq!(
            site.relative("img[src=http://example.gov.cn/images/logo.png]@#header"),
            "img[src=/images/logo.png]@#header"
        );
        assert_eq!(site.relative("https://www.example.gov.cn/css/a.css"), "/css/a.css");
        assert_eq!(site.relative("https://cdn.example.com/x.css"), "https://cdn.example.com/x.css");
        let folder = SiteAddresses::new("file:///home/editor/site/");
        assert_eq!(folder.relative("a[href=file:///home/editor/site/news/1.html]"), "a[href=/news/1.html]");
        let moved = SiteAddresses::new("file:///srv/copy/site/");
        assert_eq!(
            moved.relative("a[href=file:///srv/copy/site/news/1.html]"),
            folder.relative("a[href=file:///home/editor/site/news/1.html]"),
            "the same site in another folder has the same ids"
        );
    }

    #[test]
    fn ids_are_stable_and_name_their_check() {
        let id = issue_id("image-alt", "element img[src=/logo.png]@#header");
        assert_eq!(id, issue_id("image-alt", "element img[src=/logo.png]@#header"));
        assert!(id.starts_with("image-alt-") && id.len() == "image-alt-".len() + 12, "{id}");
        assert_ne!(id, issue_id("image-alt", "element img[src=/banner.png]@#header"));
    }
}
