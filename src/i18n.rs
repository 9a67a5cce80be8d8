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
    let mut out = node.as_str().map_or_else(|| path.last().copied().unwrap_or_default().to_string(), str::to_string);
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
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
}
