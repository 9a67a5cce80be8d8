//! `<meta http-equiv=refresh>`, shared by `meta-refresh` and `meta-refresh-no-exceptions`.

use crate::check::CheckContext;
use crate::page::Attribute;
use scraper::ElementRef;

/// The delay of a refresh `content` value, by the HTML standard's parsing; `None` when invalid.
pub fn refresh_delay(content: &str) -> Option<u64> {
    let rest = content.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() && !rest.starts_with('.') {
        return None;
    }
    let after = rest[digits.len()..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if let Some(next) = after.chars().next() {
        if !(next == ';' || next == ',' || next.is_ascii_whitespace()) {
            return None;
        }
    }
    Some(digits.parse().unwrap_or(if digits.is_empty() { 0 } else { u64::MAX }))
}

/// The first `<meta http-equiv=refresh>` with a valid content, and its delay.
pub fn first_refresh<'a>(cx: &CheckContext<'a>) -> Option<(ElementRef<'a>, u64)> {
    cx.page
        .elements()
        .filter(|e| {
            e.value().name() == "meta"
                && e.value().attribute("http-equiv").is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh"))
        })
        .find_map(|e| e.value().attribute("content").and_then(refresh_delay).map(|d| (e, d)))
}

#[cfg(test)]
mod tests {
    use super::refresh_delay;

    #[test]
    fn refresh_content_parsing() {
        assert_eq!(refresh_delay("30"), Some(30));
        assert_eq!(refresh_delay(" 5; url=/a"), Some(5));
        assert_eq!(refresh_delay("0;URL='https://a.cn/'"), Some(0));
        assert_eq!(refresh_delay("5: url=/a"), None);
        assert_eq!(refresh_delay("; url=/a"), None);
        assert_eq!(refresh_delay("1.5, /a"), Some(1));
        assert_eq!(refresh_delay("url=/a"), None);
    }
}
