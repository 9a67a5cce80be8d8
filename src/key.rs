//! The finding key: how a finding is recognised from one run to the next, in the history store, in
//! baselines and in SARIF fingerprints. One type, so that the three can never disagree.

use std::fmt;

/// `check id + " " + location + " " + selector`, where the location is the page URL for page
/// findings and the site URL for site-level findings (which are keyed once per site).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingKey {
    pub check: String,
    pub location: String,
    pub selector: String,
}

impl FindingKey {
    pub fn page(check: &str, page_url: &str, selector: &str) -> FindingKey {
        FindingKey { check: check.to_string(), location: page_url.to_string(), selector: selector.to_string() }
    }

    pub fn site(check: &str, site_url: &str, selector: &str) -> FindingKey {
        FindingKey { check: check.to_string(), location: site_url.to_string(), selector: selector.to_string() }
    }

    /// Reads a key back from its text (check ids and URLs have no spaces; the selector may).
    pub fn parse(text: &str) -> FindingKey {
        let mut parts = text.splitn(3, ' ');
        FindingKey {
            check: parts.next().unwrap_or_default().to_string(),
            location: parts.next().unwrap_or_default().to_string(),
            selector: parts.next().unwrap_or_default().to_string(),
        }
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
    fn keys_read_back_from_their_text() {
        let key = FindingKey::page("image-alt", "https://a.cn/news/", "div.banner > img:nth-child(2)");
        assert_eq!(key.to_string(), "image-alt https://a.cn/news/ div.banner > img:nth-child(2)");
        assert_eq!(FindingKey::parse(&key.to_string()), key);
    }
}
