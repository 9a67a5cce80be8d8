//! The report's and the console's words in Chinese and English, from `reports/i18n/*.json` (embedded
//! at build time): one table per language for every place that speaks to people.

use eldercheck_checks::check::Lang;
use serde_json::Value;
use std::sync::OnceLock;

const ZH: &str = include_str!("../reports/i18n/zh-CN.json");
const EN: &str = include_str!("../reports/i18n/en.json");

/// The table of a language (an empty table if the embedded file were broken; a test reads both).
pub fn strings(lang: Lang) -> &'static Value {
    static ZH_TABLE: OnceLock<Value> = OnceLock::new();
    static EN_TABLE: OnceLock<Value> = OnceLock::new();
    let (cell, text) = match lang {
        Lang::ZhCn => (&ZH_TABLE, ZH),
        Lang::En => (&EN_TABLE, EN),
    };
    cell.get_or_init(|| serde_json::from_str(text).unwrap_or(Value::Null))
}

/// `table[path…]` with `{name}` placeholders filled in; the last key when missing.
pub fn say(table: &Value, path: &[&str], values: &[(&str, String)]) -> String {
    let mut node = table;
    for key in path {
        node = &node[*key];
    }
    let template = node.as_str().unwrap_or_else(|| path.last().copied().unwrap_or_default());
    // One pass, so that a value containing `{name}` is never substituted again.
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], &after[close + 1..])) {
            Some((name, tail)) if values.iter().any(|(n, _)| *n == name) => {
                if let Some((_, value)) = values.iter().find(|(n, _)| *n == name) {
                    out.push_str(&terminal_safe(value));
                }
                rest = tail;
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A UTC time (RFC 3339, as runs record it) as Beijing time, the time of the people reading, in
/// the table's `format` (`{year}`, `{month}`/`{mm}`, `{month_name}`, `{day}`/`{dd}`, `{hour}`, `{minute}`);
/// the text as given when it is not a time.
pub fn beijing_time(rfc3339: &str, table: &Value, format: &str) -> String {
    let Ok(time) = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339) else {
        return rfc3339.to_string();
    };
    let Ok(offset) = time::UtcOffset::from_hms(8, 0, 0) else { return rfc3339.to_string() };
    let local = time.to_offset(offset);
    let month_name = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        [usize::from(u8::from(local.month())).saturating_sub(1).min(11)];
    say(
        table,
        &[format],
        &[
            ("year", local.year().to_string()),
            ("month", u8::from(local.month()).to_string()),
            ("mm", format!("{:02}", u8::from(local.month()))),
            ("month_name", month_name.to_string()),
            ("day", local.day().to_string()),
            ("dd", format!("{:02}", local.day())),
            ("hour", format!("{:02}", local.hour())),
            ("minute", format!("{:02}", local.minute())),
        ],
    )
}

/// Text from pages, servers and files as a terminal may show it: control characters (escape
/// sequences that recolour, retitle or clear a terminal) and bidirectional overrides (which make
/// text read differently from what it is) are written as escapes.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars().map(|c| if unsafe_char(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

/// The language of the console: `--lang` when given, else the environment's (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`: English for `en…`), else Chinese.
pub fn console_lang(explicit: Option<&str>) -> Lang {
    if let Some(lang) = explicit.and_then(Lang::parse) {
        return lang;
    }
    for variable in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(value) = std::env::var(variable) {
            let value = value.to_ascii_lowercase();
            if value.is_empty() {
                continue;
            }
            return if value.starts_with("en") { Lang::En } else { Lang::ZhCn };
        }
    }
    Lang::ZhCn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tables_load_and_have_the_same_keys() {
        fn keys(value: &Value, prefix: &str, out: &mut Vec<String>) {
            if let Value::Object(map) = value {
                for (k, v) in map {
                    let path = format!("{prefix}/{k}");
                    out.push(path.clone());
                    keys(v, &path, out);
                }
            }
        }
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        keys(strings(Lang::ZhCn), "", &mut zh);
        keys(strings(Lang::En), "", &mut en);
        assert!(!zh.is_empty());
        zh.sort();
        en.sort();
        assert_eq!(zh, en, "zh-CN.json and en.json must have the same keys");
        assert_eq!(
            say(strings(Lang::ZhCn), &["console", "usage", "missing_path"], &[("path", "x".into())]),
            "找不到文件或文件夹：x"
        );
    }

    #[test]
    fn console_values_are_substituted_once_and_made_terminal_safe() {
        let table: Value = serde_json::json!({ "m": "页面 {url}：{message}" });
        let said =
            say(&table, &["m"], &[("url", "{message}".into()), ("message", "\u{1b}]0;pwn\u{7}x\u{202e}y".into())]);
        assert_eq!(said, "页面 {message}：\\u{1b}]0;pwn\\u{7}x\\u{202e}y");
    }
}
