//! What a page's CSS is made of: the browser's defaults, `<style>` elements, linked stylesheets and
//! their `@import`s (bounded in number and depth), loaded through the application's
//! [`StylesheetLoader`] (this crate never touches the network), with a problem noted for every
//! sheet that could not be used.

use super::style::{self, parse_stylesheet, Origin, RuleSet, SheetItem, StyleRule, Viewport};
use super::{decode_css, document_elements, PageOptions, StylesheetProblem};
use crate::page::Attribute;
use scraper::{ElementRef, Html};
use std::sync::{Arc, OnceLock};
use url::Url;

/// Why a stylesheet could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("not allowed: {0}")]
    NotAllowed(String),
    #[error("{0}")]
    Other(String),
}

/// Supplies the stylesheets a page links to. The checks crate never touches the network:
/// the application passes a loader for local folders or for HTTP.
pub trait StylesheetLoader: Send + Sync {
    /// Resolves a reference found in a page or stylesheet.
    fn resolve(&self, base: &Url, href: &str) -> Option<Url> {
        base.join(href.trim()).ok()
    }

    /// Returns the bytes of a stylesheet, shared so that a cache can hand them out without copying.
    fn load(&self, url: &Url) -> Result<Arc<[u8]>, LoadError>;
}

/// A loader that loads nothing (inline styles only).
pub struct NoStylesheets;

impl StylesheetLoader for NoStylesheets {
    fn load(&self, url: &Url) -> Result<Arc<[u8]>, LoadError> {
        Err(LoadError::NotAllowed(url.to_string()))
    }
}

pub(super) fn user_agent_rules(quirks: bool) -> &'static Vec<StyleRule> {
    static RULES: OnceLock<Vec<StyleRule>> = OnceLock::new();
    static QUIRKS_RULES: OnceLock<Vec<StyleRule>> = OnceLock::new();
    let parse = |quirks: bool| {
        let css = if quirks {
            format!("{}\n{}", style::USER_AGENT_CSS, style::QUIRKS_CSS)
        } else {
            style::USER_AGENT_CSS.into()
        };
        parse_stylesheet(&css, Viewport::DESKTOP, style::Source::UserAgent)
            .into_iter()
            .filter_map(|item| match item {
                SheetItem::Rule(rule) => Some(rule),
                SheetItem::Import(_) => None,
            })
            .collect()
    };
    if quirks {
        QUIRKS_RULES.get_or_init(|| parse(true))
    } else {
        RULES.get_or_init(|| parse(false))
    }
}

/// The rules of a page for one viewport, with what went wrong loading them.
pub(super) struct CollectedRules {
    pub(super) rules: RuleSet,
    pub(super) problems: Vec<StylesheetProblem>,
    pub(super) mentions_orientation: bool,
}

pub(super) fn collect_rules(
    html: &Html,
    base: &Url,
    loader: &dyn StylesheetLoader,
    options: PageOptions,
    encoding: &'static encoding_rs::Encoding,
) -> CollectedRules {
    let quirks = html.quirks_mode == html5ever::tree_builder::QuirksMode::Quirks;
    let mut rules = RuleSet::default();
    rules.quirks = quirks;
    for rule in user_agent_rules(quirks) {
        rules.push(Origin::UserAgent, rule.clone());
    }
    // In quirks mode a table's text colour is the document's text colour (`<body text>`), not its parent's.
    let body_text = document_elements(html)
        .find(|e| e.value().name() == "body")
        .and_then(|b| b.value().attribute("text"))
        .and_then(style::legacy_color);
    if let Some(text) = body_text.filter(|_| quirks) {
        let css = format!("table {{ color: {text} }}");
        for item in parse_stylesheet(&css, options.viewport, style::Source::UserAgent) {
            if let SheetItem::Rule(rule) = item {
                rules.push(Origin::UserAgent, rule);
            }
        }
    }
    let mut problems = Vec::new();
    let mut budget = options.max_stylesheets;
    let mut bytes_left = options.max_stylesheet_bytes;
    let mut rules_left = MAX_RULES;
    let names = style::DocumentNames::of(html, quirks);
    let mut mentions_orientation = false;
    let mut style_elements = 0u32;
    let fallbacks = noscript_stylesheets(html);
    for element in document_elements(html) {
        let el = element.value();
        let applies = |el: &scraper::node::Element| {
            el.attribute("media").is_none_or(|m| style::matches_media(m, options.viewport))
        };
        match el.name() {
            "style" if applies(el) && is_css_type(el) && !in_inert_subtree(element) => {
                let css: String = element.text().collect();
                mentions_orientation |= css.contains("orientation");
                let mut chain = Vec::new();
                style_elements += 1;
                let source = style::Source::StyleElement { index: style_elements };
                let mut state = SheetState {
                    rules: &mut rules,
                    problems: &mut problems,
                    budget: &mut budget,
                    bytes_left: &mut bytes_left,
                    rules_left: &mut rules_left,
                    mentions_orientation: &mut mentions_orientation,
                    names: &names,
                };
                let name = format!("<style> #{style_elements}");
                let items = parse_within_limit(&css, source, &name, options, &mut state);
                add_items_with(items, base, loader, options, encoding, &mut state, &mut chain, 0);
            }
            "link"
                if (is_stylesheet_link(el) && applies(el) || loads_later(el, &fallbacks))
                    && !in_inert_subtree(element) =>
            {
                let Some(href) = el.attribute("href") else { continue };
                let Some(sheet_url) = loader.resolve(base, href) else {
                    problems.push(StylesheetProblem {
                        url: href.to_string(),
                        message: "cannot resolve the address".into(),
                    });
                    continue;
                };
                let mut chain = Vec::new();
                let mut state = SheetState {
                    rules: &mut rules,
                    problems: &mut problems,
                    budget: &mut budget,
                    bytes_left: &mut bytes_left,
                    rules_left: &mut rules_left,
                    mentions_orientation: &mut mentions_orientation,
                    names: &names,
                };
                load_sheet_with(&sheet_url, loader, options, encoding, &mut state, &mut chain, 0);
            }
            _ => {}
        }
    }
    CollectedRules { rules, problems, mentions_orientation }
}

fn in_inert_subtree(element: ElementRef<'_>) -> bool {
    element
        .ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| matches!(a.value().name(), "template" | "noscript" | "svg"))
}

fn is_stylesheet_link(el: &scraper::node::Element) -> bool {
    let rel = el.attribute("rel").unwrap_or("").to_ascii_lowercase();
    let words: Vec<&str> = rel.split_ascii_whitespace().collect();
    words.contains(&"stylesheet") && !words.contains(&"alternate") && el.attribute("disabled").is_none()
}

/// A `<style>` is CSS when its `type` is absent, empty or exactly `text/css` (any case): browsers
/// ignore one typed `text/css ` with a space, or `text/less`, and so must the engine.
fn is_css_type(el: &scraper::node::Element) -> bool {
    el.attribute("type").is_none_or(|t| t.is_empty() || t.eq_ignore_ascii_case("text/css"))
}

/// Addresses of the stylesheets a `<noscript>` links: the fallback of a stylesheet a script loads
/// (loadCSS), whether the parser made elements of the `<noscript>`'s content or kept it as text.
fn noscript_stylesheets(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for noscript in document_elements(html).filter(|e| e.value().name() == "noscript") {
        for link in noscript.descendent_elements().filter(|l| is_stylesheet_link(l.value())) {
            found.extend(link.value().attribute("href").map(str::to_string));
        }
        let text: String = noscript.text().collect();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("href=") {
            rest = &rest[at + 5..];
            let quoted = rest.starts_with(['"', '\'']);
            let value = rest.trim_start_matches(['"', '\'']);
            let end = value.find(|c: char| c == '"' || c == '\'' || (!quoted && (c.is_whitespace() || c == '>')));
            found.push(value[..end.unwrap_or(value.len())].to_string());
        }
        if found.len() > MAX_NOSCRIPT_STYLESHEETS {
            break;
        }
    }
    found
}

/// `<noscript>` stylesheet addresses read for one page (a page could hide thousands).
const MAX_NOSCRIPT_STYLESHEETS: usize = 256;

/// A stylesheet a script switches on once it has loaded (the loadCSS pattern): `media="only x"`
/// or `media="print"` with `onload="this.media='all'"` or with a `<noscript>` twin linking the same
/// address, or `rel="preload" as="style"` with `onload="this.rel='stylesheet'"`. A browser applies
/// it a moment after load, so it is the page's.
fn loads_later(el: &scraper::node::Element, noscript_twins: &[String]) -> bool {
    let rel = el.attribute("rel").unwrap_or("").to_ascii_lowercase();
    let words: Vec<&str> = rel.split_ascii_whitespace().collect();
    let twin = el.attribute("href").is_some_and(|href| noscript_twins.iter().any(|t| t == href));
    if words.contains(&"stylesheet") && el.attribute("media").is_some() && twin && el.attribute("disabled").is_none() {
        return true;
    }
    let Some(onload) = el.attribute("onload").map(str::to_ascii_lowercase) else { return false };
    let media_switched = words.contains(&"stylesheet") && onload.contains("media");
    let preloaded = words.contains(&"preload")
        && el.attribute("as").is_some_and(|a| a.eq_ignore_ascii_case("style"))
        && onload.contains("stylesheet");
    (media_switched || preloaded) && el.attribute("disabled").is_none()
}

pub(super) fn document_base(html: &Html, url: &Url, loader: &dyn StylesheetLoader) -> Url {
    html.root_element()
        .descendent_elements()
        .find(|e| e.value().name() == "base" && e.value().attribute("href").is_some())
        .and_then(|b| b.value().attribute("href"))
        .and_then(|href| loader.resolve(url, href))
        .unwrap_or_else(|| url.clone())
}

/// What loading stylesheets accumulates for one page.
struct SheetState<'a> {
    rules: &'a mut RuleSet,
    problems: &'a mut Vec<StylesheetProblem>,
    budget: &'a mut usize,
    bytes_left: &'a mut usize,
    rules_left: &'a mut usize,
    mentions_orientation: &'a mut bool,
    names: &'a style::DocumentNames<'a>,
}

/// Style rules one page may have, from all its sheets: the largest of the 278 real pages has
/// 6,036; 8 MiB of `.x{color:#333}` is 600,000 rules and 500 MB of memory.
pub const MAX_RULES: usize = 50_000;

/// A sheet's source, its rules parsed up to what is left of the page's rule limit; the limit
/// is noted against the sheet that reached it.
fn parse_within_limit(
    css: &str,
    source: style::Source,
    name: &str,
    options: PageOptions,
    state: &mut SheetState<'_>,
) -> Vec<SheetItem> {
    let (items, cut, skipped) = style::parse_stylesheet_for(
        css,
        options.viewport,
        source,
        state.rules.quirks,
        *state.rules_left,
        Some(state.names),
    );
    *state.rules_left = state.rules_left.saturating_sub(skipped);
    if cut {
        state.problems.push(StylesheetProblem { url: name.to_string(), message: rule_limit_message() });
    }
    items
}

fn rule_limit_message() -> String {
    format!("the page has more than {MAX_RULES} CSS rules; the rest are not applied")
}

fn load_sheet_with(
    url: &Url,
    loader: &dyn StylesheetLoader,
    options: PageOptions,
    encoding: &'static encoding_rs::Encoding,
    state: &mut SheetState<'_>,
    chain: &mut Vec<Url>,
    depth: usize,
) {
    if chain.contains(url) {
        state.problems.push(StylesheetProblem { url: url.to_string(), message: "@import cycle".into() });
        return;
    }
    if *state.budget == 0 {
        state.problems.push(StylesheetProblem { url: url.to_string(), message: "stylesheet limit reached".into() });
        return;
    }
    if *state.rules_left == 0 {
        state.problems.push(StylesheetProblem { url: url.to_string(), message: rule_limit_message() });
        return;
    }
    if *state.bytes_left == 0 {
        let message = format!("the page's CSS limit ({} MiB) was reached", options.max_stylesheet_bytes >> 20);
        state.problems.push(StylesheetProblem { url: url.to_string(), message });
        return;
    }
    *state.budget -= 1;
    match loader.load(url) {
        Ok(bytes) => {
            *state.bytes_left = state.bytes_left.saturating_sub(bytes.len());
            let css = decode_css(&bytes, encoding);
            *state.mentions_orientation |= css.contains("orientation");
            let source = style::Source::Stylesheet { url: url.as_str().into() };
            let items = parse_within_limit(&css, source, url.as_str(), options, state);
            chain.push(url.clone());
            add_items_with(items, url, loader, options, encoding, state, chain, depth);
            chain.pop();
        }
        Err(e) => state.problems.push(StylesheetProblem { url: url.to_string(), message: e.to_string() }),
    }
}

#[allow(clippy::too_many_arguments)]
fn add_items_with(
    items: Vec<SheetItem>,
    base: &Url,
    loader: &dyn StylesheetLoader,
    options: PageOptions,
    encoding: &'static encoding_rs::Encoding,
    state: &mut SheetState<'_>,
    chain: &mut Vec<Url>,
    depth: usize,
) {
    for item in items {
        match item {
            // The parser took no more rules than were left.
            SheetItem::Rule(rule) => {
                *state.rules_left = state.rules_left.saturating_sub(1);
                state.rules.push(Origin::Author, rule);
            }
            SheetItem::Import(href) => {
                if depth >= options.max_import_depth {
                    state.problems.push(StylesheetProblem { url: href, message: "@import nested too deeply".into() });
                    continue;
                }
                match loader.resolve(base, &href) {
                    Some(url) => load_sheet_with(&url, loader, options, encoding, state, chain, depth + 1),
                    None => state
                        .problems
                        .push(StylesheetProblem { url: href, message: "cannot resolve the address".into() }),
                }
            }
        }
    }
}
