//! `@media` evaluation for a fixed viewport, as a screen device.

use serde::Serialize;

/// The simulated device. Desktop 1280×800 by default; mobile 390×844 for phone layouts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Viewport {
    pub width: f32,
    pub height: f32,
}

impl Viewport {
    pub const DESKTOP: Viewport = Viewport { width: 1280.0, height: 800.0 };
    pub const MOBILE: Viewport = Viewport { width: 390.0, height: 844.0 };
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport::DESKTOP
    }
}

/// Evaluates a media query list (`screen and (max-width: 600px), print`). An empty list matches.
/// Features the engine cannot evaluate make their query false, as an unknown feature does in browsers.
pub fn matches_media(list: &str, viewport: Viewport) -> bool {
    let list = list.trim();
    if list.is_empty() {
        return true;
    }
    split_top_level(list, ',').iter().any(|q| matches_query(q, viewport))
}

fn matches_query(query: &str, viewport: Viewport) -> bool {
    let lower = query.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return false;
    }
    let (negated, rest) = match lower.strip_prefix("not ") {
        Some(r) => (true, r.trim()),
        None => (false, lower.strip_prefix("only ").unwrap_or(&lower).trim()),
    };
    let mut result = true;
    for (i, part) in split_and(rest).iter().enumerate() {
        let part = part.trim();
        let ok = if part.starts_with('(') {
            evaluate_condition(part, viewport, 0)
        } else if i == 0 {
            matches!(part, "all" | "screen")
        } else {
            false
        };
        result &= ok;
    }
    result != negated
}

/// Conditions nested deeper than this are not evaluated (the query does not match): real
/// stylesheets nest two or three levels, and each level rescans the text.
const MAX_CONDITION_NESTING: u8 = 16;

/// A parenthesised condition, possibly `not (…)`, `(…) or (…)`, or a feature.
fn evaluate_condition(text: &str, viewport: Viewport, nesting: u8) -> bool {
    if nesting > MAX_CONDITION_NESTING {
        return false;
    }
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("not") {
        return !evaluate_condition(rest, viewport, nesting + 1);
    }
    let ors = split_keyword(text, " or ");
    if ors.len() > 1 {
        return ors.iter().any(|t| evaluate_condition(t, viewport, nesting + 1));
    }
    let ands = split_and(text);
    if ands.len() > 1 {
        return ands.iter().all(|t| evaluate_condition(t, viewport, nesting + 1));
    }
    match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) if inner.trim_start().starts_with('(') || inner.trim_start().starts_with("not") => {
            evaluate_condition(inner, viewport, nesting + 1)
        }
        Some(inner) => evaluate_feature(inner.trim(), viewport),
        None => false,
    }
}

fn evaluate_feature(feature: &str, viewport: Viewport) -> bool {
    // Range syntax: `width >= 600px`, `400px <= width < 800px`.
    if feature.contains('<') || feature.contains('>') {
        return evaluate_range(feature, viewport);
    }
    let (name, value) = match feature.split_once(':') {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (feature.trim(), None),
    };
    let name = name.strip_prefix("-webkit-").unwrap_or(name);
    let (prefix, base) = if let Some(b) = name.strip_prefix("min-") {
        ("min", b)
    } else if let Some(b) = name.strip_prefix("max-") {
        ("max", b)
    } else {
        ("", name)
    };
    let base = base.strip_prefix("device-").unwrap_or(base);
    let actual = match base {
        "width" => Some(viewport.width),
        "height" => Some(viewport.height),
        "aspect-ratio" => Some(viewport.width / viewport.height),
        "device-pixel-ratio" | "resolution" => Some(1.0),
        _ => None,
    };
    match (actual, value) {
        (Some(actual), Some(v)) => {
            let Some(wanted) = feature_value(base, v) else { return false };
            match prefix {
                "min" => actual >= wanted,
                "max" => actual <= wanted,
                _ => (actual - wanted).abs() < 0.01,
            }
        }
        (Some(actual), None) => actual != 0.0,
        (None, v) => match (base, v) {
            ("orientation", Some(v)) => (v == "landscape") == (viewport.width > viewport.height),
            ("color", _) | ("hover", Some("hover")) | ("pointer", Some("fine")) | ("any-hover", Some("hover")) => true,
            ("hover", None) | ("pointer", None) => true,
            ("prefers-color-scheme", Some(v)) => v == "light",
            ("prefers-reduced-motion", Some(v)) | ("prefers-contrast", Some(v)) | ("forced-colors", Some(v)) => {
                v == "no-preference" || v == "none"
            }
            ("scan", _) | ("grid", Some("0")) => base == "grid",
            _ => false,
        },
    }
}

fn evaluate_range(feature: &str, viewport: Viewport) -> bool {
    let tokens: Vec<String> = tokenize_range(feature);
    // Pattern: value op name [op value]  or  name op value.
    let actual_of = |name: &str| match name {
        "width" | "device-width" => Some(viewport.width),
        "height" | "device-height" => Some(viewport.height),
        "aspect-ratio" => Some(viewport.width / viewport.height),
        _ => None,
    };
    let compare = |a: f32, op: &str, b: f32| match op {
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        ">=" => a >= b,
        "=" => (a - b).abs() < 0.01,
        _ => false,
    };
    match tokens.as_slice() {
        [name, op, value] if actual_of(name).is_some() => match (actual_of(name), feature_value(name, value)) {
            (Some(a), Some(v)) => compare(a, op, v),
            _ => false,
        },
        [value, op, name] => match (actual_of(name), feature_value(name, value)) {
            (Some(a), Some(v)) => compare(v, op, a),
            _ => false,
        },
        [v1, op1, name, op2, v2] => match (actual_of(name), feature_value(name, v1), feature_value(name, v2)) {
            (Some(a), Some(lo), Some(hi)) => compare(lo, op1, a) && compare(a, op2, hi),
            _ => false,
        },
        _ => false,
    }
}

fn tokenize_range(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' || c == '>' || c == '=' {
            if !current.trim().is_empty() {
                tokens.push(current.trim().to_string());
            }
            current.clear();
            let mut op = c.to_string();
            if i + 1 < chars.len() && chars[i + 1] == '=' {
                op.push('=');
                i += 1;
            }
            tokens.push(op);
        } else {
            current.push(c);
        }
        i += 1;
    }
    if !current.trim().is_empty() {
        tokens.push(current.trim().to_string());
    }
    tokens
}

fn feature_value(feature: &str, value: &str) -> Option<f32> {
    let v = value.trim();
    if feature.contains("aspect-ratio") {
        let (a, b) = v.split_once('/')?;
        return Some(a.trim().parse::<f32>().ok()? / b.trim().parse::<f32>().ok()?);
    }
    if feature.contains("pixel-ratio") {
        return v.parse().ok();
    }
    if feature == "resolution" {
        return v
            .strip_suffix("dppx")
            .or_else(|| v.strip_suffix('x'))
            .and_then(|n| n.parse().ok())
            .or_else(|| v.strip_suffix("dpi").and_then(|n| n.parse::<f32>().ok()).map(|d| d / 96.0));
    }
    let split = v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len());
    let number: f32 = v[..split].trim().parse().ok()?;
    // Media queries resolve em/rem against the initial font size (16px), not the page's.
    match &v[split..] {
        "px" | "" => Some(number),
        "em" | "rem" => Some(number * 16.0),
        "pt" => Some(number * 96.0 / 72.0),
        "in" => Some(number * 96.0),
        "cm" => Some(number * 96.0 / 2.54),
        "mm" => Some(number * 96.0 / 25.4),
        _ => None,
    }
}

fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == separator && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn split_keyword<'a>(text: &'a str, keyword: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            // Compared as bytes: `i` may be inside a multi-byte character (媒体查询 in a comment).
            _ if depth == 0 && bytes[i..].starts_with(keyword.as_bytes()) => {
                parts.push(&text[start..i]);
                i += keyword.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

fn split_and(text: &str) -> Vec<&str> {
    split_keyword(text, " and ").into_iter().map(str::trim).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_queries_for_desktop_and_mobile() {
        let d = Viewport::DESKTOP;
        let m = Viewport::MOBILE;
        assert!(matches_media("", d));
        assert!(matches_media("screen", d));
        assert!(!matches_media("print", d));
        assert!(matches_media("print, screen and (min-width: 1024px)", d));
        assert!(!matches_media("screen and (max-width: 600px)", d));
        assert!(matches_media("screen and (max-width: 600px)", m));
        assert!(matches_media("(orientation: portrait)", m));
        assert!(!matches_media("not screen", d));
        assert!(matches_media("only screen and (min-width: 40em)", d));
        assert!(matches_media("(width >= 600px)", d));
        assert!(matches_media("(400px <= width < 1300px)", d));
        assert!(!matches_media("(400px <= width < 1000px)", d));
        assert!(!matches_media("(unknown-feature: 2)", d));
        assert!(matches_media("(max-width: 500px) or (min-width: 1000px)", d));
        assert!(matches_media("not (max-width: 500px)", d));
    }

    #[test]
    fn hostile_and_non_ascii_media_lists() {
        let d = Viewport::DESKTOP;
        // Chinese pages put Chinese in media lists and comments; none of it may panic.
        assert!(!matches_media("手机", d));
        assert!(!matches_media("screen　and (max-width: 100px)", d));
        assert!(!matches_media("(手机 or 平板) and (max-width: 1px)", d));
        assert!(matches_media("screen, 手机", d));
        // Deep nesting is not evaluated, and costs a bounded number of passes over the text.
        let deep = format!("{}min-width:1px{}", "(".repeat(20_000), ")".repeat(20_000));
        assert!(!matches_media(&deep, d));
        assert!(matches_media("((((min-width:1px))))", d));
    }
}
