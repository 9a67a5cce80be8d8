//! Registrable domains (eTLD+1) from the public suffix list: `news.sina.com.cn` and
//! `sports.sina.com.cn` are one site, `sina.com.cn`; `taboola.com` and `taboola.com.cn` one brand.

/// The registrable domain of a host (`www.example.com.cn` → `example.com.cn`), or the host itself
/// where the list knows no suffix for it (an IP address, a single label).
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if is_address(&host) {
        return host;
    }
    psl::domain_str(&host).map_or_else(|| host.clone(), str::to_string)
}

/// An IP address (`127.0.0.1`, `[::1]`) has no public suffix: the list would read `0.1` off it.
fn is_address(host: &str) -> bool {
    host.contains(':') || (!host.is_empty() && host.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The registrable domain without its public suffix: `taboola` for `images.taboola.com.cn`.
pub fn brand(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if is_address(&host) {
        return None;
    }
    let domain = psl::domain_str(&host)?;
    let suffix = psl::suffix_str(&host)?;
    domain.strip_suffix(suffix)?.strip_suffix('.').map(str::to_string)
}

/// Whether two hosts belong to one site (the same registrable domain).
pub fn same_site(a: &str, b: &str) -> bool {
    registrable_domain(a) == registrable_domain(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        assert_eq!(registrable_domain("news.sina.com.cn"), "sina.com.cn");
        assert_eq!(registrable_domain("WWW.Example.co.uk."), "example.co.uk");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert!(same_site("news.sina.com.cn", "sports.sina.com.cn"));
        assert!(!same_site("a.github.io", "b.github.io"), "github.io is a public suffix");
        assert_eq!(brand("images.taboola.com.cn").as_deref(), Some("taboola"));
        assert_eq!(brand("taboola.com").as_deref(), Some("taboola"));
    }
}
