//! What inline scripts do on load, read from their text (scripts are never run): content moved
//! by timers (飘窗 floating windows, scrolling news), and windows or alerts opened on load.
//! External scripts are not fetched, so what they do is not seen here.

use crate::page::Attribute;
use crate::page::Page;
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Default)]
pub struct ScriptFacts {
    /// Ids of elements that a timer moves by changing their position (floating windows).
    pub moved_ids: Vec<String>,
    /// A timer changes an element's position, even if the element could not be identified.
    pub moves_something: bool,
    /// Ids of elements that a timer scrolls (scrolling news tickers).
    pub scrolled_ids: Vec<String>,
    pub scrolls_something: bool,
    /// `window.open` or `alert` run as the page loads.
    pub on_load_popups: Vec<&'static str>,
}

fn re(pattern: &'static str, cell: &'static OnceLock<Regex>) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("the patterns in this file are valid"))
}

fn ids_in(script: &str) -> Vec<String> {
    static IDS: OnceLock<Regex> = OnceLock::new();
    re(r#"(?:getElementById\(\s*["']([^"']+)["']\s*\)|\$\(\s*["']#([\w-]+)["']\s*\)|document\.all\.(\w+))"#, &IDS)
        .captures_iter(script)
        .filter_map(|c| c.get(1).or(c.get(2)).or(c.get(3)).map(|m| m.as_str().to_string()))
        .collect()
}

/// Block comments and whole-line `//` comments removed (commented-out code does not run).
fn strip_comments(script: &str) -> String {
    static BLOCK: OnceLock<Regex> = OnceLock::new();
    static LINE: OnceLock<Regex> = OnceLock::new();
    let without_blocks = re(r"(?s)/\*.*?\*/", &BLOCK).replace_all(script, " ");
    re(r"(?m)^\s*//.*$", &LINE).replace_all(&without_blocks, "").into_owned()
}

/// A value with no variable in it (`"0px"`, `10 + 'px'`): an assignment of it places a box once,
/// as an init script polled until the page is ready does, and moves nothing.
fn is_constant(value: &str) -> bool {
    static STRINGS: OnceLock<Regex> = OnceLock::new();
    let without_strings = re(r#""[^"]*"|'[^']*'"#, &STRINGS).replace_all(value, "");
    !without_strings.chars().any(|c| c.is_alphabetic() || c == '_' || c == '$')
}

/// The page's script facts, read once per page (popup-overlay and moving-content both use them).
pub fn script_facts(page: &Page) -> &ScriptFacts {
    page.script_facts.get_or_init(|| read_script_facts(page))
}

fn read_script_facts(page: &Page) -> ScriptFacts {
    static TIMER: OnceLock<Regex> = OnceLock::new();
    static MOVE_X: OnceLock<Regex> = OnceLock::new();
    static MOVE_Y: OnceLock<Regex> = OnceLock::new();
    static FLOAT_NAMES: OnceLock<Regex> = OnceLock::new();
    static SCROLL: OnceLock<Regex> = OnceLock::new();
    let timer = re(r"\bset(?:Interval|Timeout)\s*\(", &TIMER);
    // A floating window bounces in two dimensions: a timer sets both its left and its top.
    // Captures what is assigned, up to the end of the statement.
    let moves_x = re(r"(?i)\.style\.(?:left|pixelleft|posleft)\s*=([^=][^;\n}]*)", &MOVE_X);
    let moves_y = re(r"(?i)\.style\.(?:top|pixeltop|postop)\s*=([^=][^;\n}]*)", &MOVE_Y);
    let float_names =
        re(r"(?i)float_?ad|floatingad|piao_?chuang|floatdiv|move_?ad|ad_?move|飘窗|float_?window", &FLOAT_NAMES);
    let scroll = re(r"\.scroll(?:Top|Left)\s*(?:\+\+|--|\+=|-=|=)", &SCROLL);
    let mut facts = ScriptFacts::default();
    for script in page.elements().filter(|e| e.value().name() == "script" && e.value().attribute("src").is_none()) {
        let kind = script.value().attribute("type").unwrap_or("text/javascript").to_ascii_lowercase();
        if !(kind.contains("javascript") || kind.is_empty() || kind == "module") {
            continue;
        }
        let text = strip_comments(&script.text().collect::<String>());
        let has_timer = timer.is_match(&text);
        let varies =
            |pattern: &Regex| pattern.captures_iter(&text).any(|c| c.get(1).is_some_and(|v| !is_constant(v.as_str())));
        if has_timer && ((varies(moves_x) && varies(moves_y)) || float_names.is_match(&text)) {
            facts.moves_something = true;
            facts.moved_ids.extend(ids_in(&text));
        }
        if has_timer && scroll.is_match(&text) {
            facts.scrolls_something = true;
            facts.scrolled_ids.extend(ids_in(&text));
        }
        // Straight-line code (no function bodies) runs as the page loads.
        let runs_on_load = !text.contains("function") && !text.contains("=>") || text.contains("window.onload");
        if runs_on_load {
            // window.open(url, "_self") navigates the same window: not a pop-up.
            if text.contains("window.open(") && !text.contains("'_self'") && !text.contains("\"_self\"") {
                facts.on_load_popups.push("window.open");
            }
            static ALERT: OnceLock<Regex> = OnceLock::new();
            if re(r"(?:^|[;\s])(?:window\.)?alert\s*\(", &ALERT).is_match(&text) {
                facts.on_load_popups.push("alert");
            }
        }
    }
    if let Some(onload) =
        page.elements().find(|e| e.value().name() == "body").and_then(|b| b.value().attribute("onload"))
    {
        if onload.contains("window.open(") {
            facts.on_load_popups.push("window.open");
        }
        if onload.contains("alert(") {
            facts.on_load_popups.push("alert");
        }
    }
    facts.on_load_popups.dedup();
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floating_window_and_ticker_scripts() {
        let page = Page::parse(
            "https://a.gov.cn/",
            r#"<div id="piaochuang"><a href="/zt/">专题</a></div><div id="news"></div>
            <script>var x=0; function move(){ var d=document.getElementById("piaochuang"); d.style.left = x + "px"; x++; } setInterval(move, 30);</script>
            <script>setInterval(function(){ document.getElementById('news').scrollTop++; }, 50);</script>
            <script>alert("欢迎访问");</script>"#,
        );
        let facts = script_facts(&page);
        assert!(facts.moved_ids.contains(&"piaochuang".to_string()));
        assert!(facts.scrolled_ids.contains(&"news".to_string()));
        assert_eq!(facts.on_load_popups, vec!["alert"]);
    }

    #[test]
    fn an_init_script_polled_until_ready_places_a_box_once() {
        let page = Page::parse(
            "https://a.gov.cn/",
            r#"<div><iframe id="frame"></iframe></div>
            <script>var wait = setInterval(function(){ if (window.ready) { clearInterval(wait);
              var f = document.getElementById("frame"); f.style.top = "0px"; f.style.left = "0px";
              f.style.position = "absolute"; } }, 500);</script>"#,
        );
        let facts = script_facts(&page);
        assert!(facts.moved_ids.is_empty(), "{:?}", facts.moved_ids);
        assert!(!facts.moves_something);
    }
}
