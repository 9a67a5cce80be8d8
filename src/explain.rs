//! Why a page or a site could not be checked, in a sentence a web editor understands and with what
//! to do about it; the technical detail (the error chain) is kept beside it, for whoever fixes the
//! server. One place for the console, the reports and sites.csv.

use serde_json::Value;

/// A failure put into words.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// What happened: `网站拒绝了自动检测（HTTP 412）`.
    pub what: String,
    /// What to do about it.
    pub todo: String,
    /// The error as recorded (English, technical).
    pub detail: String,
}

/// The HTTP status in a message of the `http_status` kind (`HTTP 412`, `HTTP 503 …`).
fn status_in(message: &str) -> Option<u16> {
    let at = message.find("HTTP ")?;
    message[at + 5..].get(..3)?.parse().ok()
}

/// Which sentence a failure gets: its kind, and for HTTP errors the kind of status. 403, 412 and
/// 451 are what web application firewalls answer automated visitors with; 429 is "too many requests".
fn sentence_key(kind: &str, message: &str) -> (String, Option<u16>) {
    let lower = message.to_ascii_lowercase();
    match kind {
        "http_status" => {
            let status = status_in(message);
            let key = match status {
                Some(401) => "http_login",
                Some(403 | 412 | 451) => "http_blocked",
                Some(404 | 410) => "http_not_found",
                Some(429) => "http_too_many",
                Some(500..=599) => "http_server",
                _ => "http_other",
            };
            (key.to_string(), status)
        }
        "connect" if lower.contains("refused") => ("connect_refused".to_string(), None),
        other => (other.to_string(), None),
    }
}

/// Explains a failure of `kind` with `message` in the words of `table` (a language's table).
pub fn explain(kind: &str, message: &str, table: &Value) -> Explained {
    let (key, status) = sentence_key(kind, message);
    let status_text = status.map(|s| s.to_string()).unwrap_or_default();
    let entry = &table["error_explained"][key.as_str()];
    let fill = |text: &str| text.replace("{status}", &status_text);
    let (what, todo) = match (entry[0].as_str(), entry[1].as_str()) {
        (Some(what), Some(todo)) => (fill(what), fill(todo)),
        _ => (
            table["error_kinds"][kind].as_str().unwrap_or(kind).to_string(),
            table["error_explained"]["fallback_todo"].as_str().unwrap_or_default().to_string(),
        ),
    };
    Explained { what, todo, detail: message.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eldercheck_checks::check::Lang;

    #[test]
    fn every_kind_has_a_sentence_and_advice_in_both_languages() {
        for lang in [Lang::ZhCn, Lang::En] {
            let table = crate::i18n::strings(lang);
            let kinds = table["error_kinds"].as_object().expect("error kinds");
            for kind in kinds.keys() {
                let explained = explain(kind, "", table);
                let (key, _) = sentence_key(kind, "");
                assert!(table["error_explained"][key.as_str()].is_array(), "{lang:?}: {kind} has no sentence");
                assert!(!explained.todo.is_empty(), "{lang:?}: {kind} has no advice");
            }
        }
    }

    #[test]
    fn firewalls_dns_and_refusals_are_told_apart() {
        let zh = crate::i18n::strings(Lang::ZhCn);
        let waf = explain("http_status", "HTTP 412", zh);
        assert!(waf.what.contains("拒绝") && waf.what.contains("412"), "{waf:?}");
        assert!(waf.todo.contains("User-Agent") && waf.todo.contains("白名单"), "{waf:?}");
        let dns =
            explain("dns", "error sending request for url (https://x.gov.cn/): client error (Connect): dns error", zh);
        assert!(dns.what.starts_with("域名") && !dns.what.contains("error sending"), "{dns:?}");
        assert!(dns.detail.contains("dns error"), "the detail is kept");
        let refused = explain("connect", "tcp connect error: Connection refused (os error 111)", zh);
        assert_ne!(refused.what, explain("connect", "connection reset", zh).what);
        assert!(explain("http_status", "HTTP 503", zh).what.contains("503"));
    }
}
