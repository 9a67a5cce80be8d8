//! robots.txt: groups by user agent, Allow/Disallow with `*` and `$`, longest match wins
//! (RFC 9309), `Crawl-delay` and `Sitemap:` lines.

use std::time::Duration;

/// The longest `Crawl-delay` honoured. Bing documents 1–10 s as the useful range; a larger value
/// (60, 99999) would let one site hold a crawl slot for the whole site deadline at one page a
/// minute. One request every 10 s stays far below any load a site could notice.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<(bool, String)>,
    crawl_delay: Option<Duration>,
}

/// The rules that apply to eldercheck on one host.
#[derive(Debug, Clone, Default)]
pub struct Robots {
    rules: Vec<(bool, String)>,
    pub crawl_delay: Option<Duration>,
    pub sitemaps: Vec<String>,
    /// robots.txt could not be read (5xx after retries): nothing may be crawled.
    pub disallow_all: bool,
}

impl Robots {
    /// Everything allowed (no robots.txt, or 4xx, or `--no-robots`).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    pub fn deny_all() -> Robots {
        Robots { disallow_all: true, ..Robots::default() }
    }

    /// Parses robots.txt for the product token `agent` (e.g. "eldercheck").
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        let mut groups: Vec<Group> = Vec::new();
        let mut sitemaps = Vec::new();
        let mut current: Option<Group> = None;
        let mut last_was_agent = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !last_was_agent {
                        if let Some(g) = current.take() {
                            groups.push(g);
                        }
                        current = Some(Group::default());
                    }
                    if let Some(g) = current.as_mut() {
                        g.agents.push(value.to_ascii_lowercase());
                    }
                    last_was_agent = true;
                }
                "allow" | "disallow" => {
                    last_was_agent = false;
                    if let Some(g) = current.as_mut() {
                        // An empty Disallow allows everything; an empty Allow says nothing.
                        if !value.is_empty() {
                            g.rules.push((key == "allow", value.to_string()));
                        }
                    }
                }
                "crawl-delay" => {
                    last_was_agent = false;
                    if let (Some(g), Ok(secs)) = (current.as_mut(), value.parse::<f64>()) {
                        if secs.is_finite() && secs >= 0.0 {
                            g.crawl_delay = Some(Duration::from_secs_f64(secs.min(MAX_CRAWL_DELAY.as_secs_f64())));
                        }
                    }
                }
                "sitemap" => sitemaps.push(value.to_string()),
                _ => last_was_agent = false,
            }
        }
        if let Some(g) = current.take() {
            groups.push(g);
        }
        let specific: Vec<&Group> =
            groups.iter().filter(|g| g.agents.iter().any(|a| a != "*" && agent.contains(a.as_str()))).collect();
        let chosen: Vec<&Group> = if specific.is_empty() {
            groups.iter().filter(|g| g.agents.iter().any(|a| a == "*")).collect()
        } else {
            specific
        };
        Robots {
            rules: chosen.iter().flat_map(|g| g.rules.iter().cloned()).collect(),
            crawl_delay: chosen.iter().filter_map(|g| g.crawl_delay).max(),
            sitemaps,
            disallow_all: false,
        }
    }

    /// Whether a path (with query) may be fetched: the longest matching rule wins; Allow wins ties.
    pub fn allows(&self, path_and_query: &str) -> bool {
        if self.disallow_all {
            return false;
        }
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if pattern_matches(pattern, path_and_query) {
                let len = pattern.len();
                let better = match best {
                    None => true,
                    Some((l, a)) => len > l || (len == l && *allow && !a),
                };
                if better {
                    best = Some((len, *allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// `*` matches any run of characters, a trailing `$` anchors the end.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if let Some(found) = path[pos..].find(part) {
            pos += found + part.len();
        } else {
            return false;
        }
    }
    if anchored {
        // The last literal part must end the path (or the pattern ended with `*$`).
        parts.last().is_some_and(|last| last.is_empty() || path.ends_with(last))
            && (parts.len() > 1 || pos == path.len())
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "# comment\nUser-agent: Googlebot\nDisallow: /\n\nUser-agent: *\nDisallow: /admin/\nDisallow: /*.php$\nAllow: /admin/public/\nDisallow: /search?\nCrawl-delay: 2\nSitemap: https://a.cn/sitemap_index.xml\n";

    #[test]
    fn star_group_rules_and_precedence() {
        let r = Robots::parse(TXT, "eldercheck");
        assert!(r.allows("/"));
        assert!(!r.allows("/admin/x"));
        assert!(r.allows("/admin/public/a.html"), "longer Allow wins");
        assert!(!r.allows("/index.php"));
        assert!(r.allows("/index.php?x=1"), "$ anchors the end");
        assert!(!r.allows("/search?q=老年"));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        for garbage in ["99999", "1e300", "86400"] {
            let r = Robots::parse(&format!("User-agent: *\nCrawl-delay: {garbage}\n"), "eldercheck");
            assert_eq!(r.crawl_delay, Some(MAX_CRAWL_DELAY), "Crawl-delay: {garbage}");
        }
        for ignored in ["NaN", "inf", "-5", "soon"] {
            let r = Robots::parse(&format!("User-agent: *\nCrawl-delay: {ignored}\n"), "eldercheck");
            assert_eq!(r.crawl_delay, None, "Crawl-delay: {ignored}");
        }
        assert_eq!(r.sitemaps, vec!["https://a.cn/sitemap_index.xml".to_string()]);
    }

    #[test]
    fn specific_group_wins_over_star() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: eldercheck\nAllow: /\nDisallow: /private",
            "eldercheck",
        );
        assert!(r.allows("/news"));
        assert!(!r.allows("/private/1"));
        let r = Robots::parse("User-agent: a\nUser-agent: *\nDisallow: /x\n", "eldercheck");
        assert!(!r.allows("/x"), "consecutive user-agent lines share a group");
        let r = Robots::parse("User-agent: *\nDisallow:\n", "eldercheck");
        assert!(r.allows("/anything"));
        assert!(!Robots::deny_all().allows("/"));
    }
}
