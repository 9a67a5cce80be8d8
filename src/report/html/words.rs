//! The report's words: the language's table, messages with their values, times, clipped text.

use super::WriteError;
use eldercheck_checks::check::{Family, Lang};
use serde_json::{json, Value};

pub(super) fn strings(lang: Lang) -> Result<Value, WriteError> {
    let table = crate::i18n::strings(lang);
    if table.is_object() {
        Ok(table.clone())
    } else {
        Err(WriteError::Template("the report's words (reports/i18n) cannot be read".into()))
    }
}

pub(super) fn text(t: &Value, key: &str) -> String {
    t[key].as_str().unwrap_or(key).to_string()
}

/// A message with `{name}` placeholders filled in, once (the console's filler).
pub(super) fn fill(t: &Value, key: &str, values: &[(&str, String)]) -> String {
    crate::i18n::say(t, &[key], values)
}

pub(super) fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"))
}

/// `2026-11-29T07:47:48.714721167Z` as Beijing time without fractions: `2026年11月29日 15:47（北京时间）`.
pub(super) fn local_time(rfc3339: &str, t: &Value) -> String {
    crate::i18n::beijing_time(rfc3339, t, "time_format")
}

pub(super) fn profile_text(profile: &str, t: &Value) -> String {
    match t["profiles"][profile].as_str() {
        Some(words) => words.to_string(),
        None => t["profiles"]["custom"].as_str().unwrap_or("{name}").replace("{name}", profile),
    }
}

/// A failure as the reports show it: what happened and what to do, the technical detail apart.
pub(super) fn error_view(kind: &str, message: &str, t: &Value) -> Value {
    let explained = crate::explain::explain(kind, message, t);
    serde_json::json!({ "what": explained.what, "todo": explained.todo, "detail": clip(&explained.detail, 600) })
}

/// Markdown with `code` spans, as segments the template escapes.
pub(super) fn segments(markdown: &str) -> Vec<Value> {
    markdown
        .trim()
        .split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| json!({ "text": part, "code": i % 2 == 1 }))
        .collect()
}

/// One section of a check's docs (`## 如何修复` …) as plain Markdown.
pub(super) fn docs_section(docs: &str, headings: &[&str]) -> String {
    for heading in headings {
        if let Some(start) = docs.find(heading) {
            let rest = &docs[start + heading.len()..];
            let end = rest.find("\n## ").unwrap_or(rest.len());
            return rest[..end].trim().to_string();
        }
    }
    String::new()
}

/// Only colours this tool computed (`#rrggbb`) go into a style attribute.
pub(super) fn css_colour(value: Option<&Value>) -> Option<String> {
    let text = value?.as_str()?;
    let ok = text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit());
    ok.then(|| text.to_string())
}

pub(super) fn family_title(family: Family, lang: Lang) -> String {
    family.title().get(lang).to_string()
}

/// At most `max` characters, with an ellipsis when cut.
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}
