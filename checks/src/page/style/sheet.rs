//! Stylesheet parsing with cssparser: style rules with their selectors and declarations,
//! `@media` (evaluated for the viewport), `@supports` and `@layer` blocks, `@import` references.

use super::media::{matches_media, Viewport};
use super::names::DocumentNames;
use super::origin::{clip, DeclarationOrigin, Source};
use super::props::{parse_declaration, split_important, CustomDeclaration, Declaration};
use super::values::{Specified, Unresolved};
use cssparser::{
    AtRuleParser, CowRcStr, DeclarationParser, ParseError, Parser, ParserState, QualifiedRuleParser,
    RuleBodyItemParser, RuleBodyParser, StyleSheetParser,
};
use scraper::selector::Simple;
use selectors::parser::Selector;
use std::cell::Cell;
use std::ops::ControlFlow;
use std::rc::Rc;
use std::sync::Arc;

/// A parsed selector with its specificity.
#[derive(Debug, Clone)]
pub struct ParsedSelector {
    pub selector: Selector<Simple>,
    pub specificity: u32,
}

/// A style rule: selectors and the declarations they apply.
#[derive(Debug, Clone)]
pub struct StyleRule {
    pub selectors: Vec<ParsedSelector>,
    pub declarations: Vec<Declaration>,
    pub custom: Vec<CustomDeclaration>,
}

/// What a stylesheet contains, in source order.
#[derive(Debug, Clone)]
pub enum SheetItem {
    Rule(StyleRule),
    /// `@import url(…) media;` whose media matched.
    Import(String),
}

/// Parses a stylesheet. `@media` blocks that do not match `viewport` are dropped here. Declarations
/// record `source` and their line and column.
pub fn parse_stylesheet(css: &str, viewport: Viewport, source: Source) -> Vec<SheetItem> {
    parse_stylesheet_in(css, viewport, source, false)
}

/// [`parse_stylesheet`] for a document in quirks mode or not: quirks mode accepts unitless lengths
/// (`font-size: 12`) and colours without `#` (`color: ff0000`), as browsers do for such pages.
pub fn parse_stylesheet_in(css: &str, viewport: Viewport, source: Source, quirks: bool) -> Vec<SheetItem> {
    parse_stylesheet_limited(css, viewport, source, quirks, usize::MAX).0
}

/// [`parse_stylesheet_in`] that takes at most `max_rules` style rules, at any nesting depth;
/// `true` when it left some out.
pub fn parse_stylesheet_limited(
    css: &str,
    viewport: Viewport,
    source: Source,
    quirks: bool,
    max_rules: usize,
) -> (Vec<SheetItem>, bool) {
    let (items, cut, _) = parse_stylesheet_for(css, viewport, source, quirks, max_rules, None);
    (items, cut)
}

/// [`parse_stylesheet_limited`] for one document: style rules that no element of `names` can match
/// are left out without parsing their selectors or declarations (they still count against
/// `max_rules`). Also says how many rules were left out so.
pub fn parse_stylesheet_for(
    css: &str,
    viewport: Viewport,
    source: Source,
    quirks: bool,
    max_rules: usize,
    names: Option<&DocumentNames<'_>>,
) -> (Vec<SheetItem>, bool, usize) {
    let mut parser = Parser::new(css);
    let mut items = Vec::new();
    let limit = Rc::new(RuleLimit { left: Cell::new(max_rules), cut: Cell::new(false), skipped: Cell::new(0) });
    let mut top = TopLevel { viewport, nested: false, source, depth: 0, quirks, limit: limit.clone(), names };
    for item in StyleSheetParser::new(&mut parser, &mut top).flatten() {
        items.extend(item);
        if limit.cut.get() {
            break;
        }
    }
    (items, limit.cut.get(), limit.skipped.get())
}

/// Rules still to be taken from one sheet, counted at every nesting level (one `@media` block
/// can hold a million rules), and whether some were left out.
struct RuleLimit {
    left: Cell<usize>,
    cut: Cell<bool>,
    /// Rules taken without being parsed, because no element of the document can match them.
    skipped: Cell<usize>,
}

impl RuleLimit {
    /// Takes one rule, or notes that the sheet is cut.
    fn take(&self) -> bool {
        match self.left.get() {
            0 => {
                self.cut.set(true);
                false
            }
            n => {
                self.left.set(n - 1);
                true
            }
        }
    }
}

/// Parses the declarations of a `style` attribute.
pub fn parse_style_attribute(text: &str) -> (Vec<Declaration>, Vec<CustomDeclaration>) {
    parse_style_attribute_in(text, false)
}

/// [`parse_style_attribute`] in quirks mode or not.
pub fn parse_style_attribute_in(text: &str, quirks: bool) -> (Vec<Declaration>, Vec<CustomDeclaration>) {
    let mut parser = Parser::new(text);
    let mut body = DeclarationsOnly::new(Source::StyleAttribute, None, quirks);
    for result in RuleBodyParser::new(&mut parser, &mut body) {
        let _ = result;
    }
    (body.declarations, body.custom)
}

struct TopLevel<'n> {
    viewport: Viewport,
    /// Inside `@media`/`@supports`: `@import` is no longer allowed.
    nested: bool,
    source: Source,
    /// Conditional blocks around this one.
    depth: u8,
    quirks: bool,
    limit: Rc<RuleLimit>,
    /// The document the sheet is parsed for, when there is one.
    names: Option<&'n DocumentNames<'n>>,
}

/// Conditional group rules (`@media`, `@supports` …) nested deeper than this are dropped: each level
/// is a parser on the stack, and real stylesheets nest two or three.
const MAX_BLOCK_NESTING: u8 = 32;

enum AtPrelude {
    Media(bool),
    Supports,
    Import(Option<String>),
    Skip,
}

impl<'i> AtRuleParser<'i> for TopLevel<'_> {
    type Prelude = AtPrelude;
    type AtRule = Vec<SheetItem>;
    type Error = ();

    fn parse_prelude(&mut self, name: CowRcStr<'i>, input: &mut Parser<'i>) -> Result<AtPrelude, ParseError<()>> {
        let start = input.position();
        while input.next().is_ok() {}
        let prelude = input.slice_from(start).trim().to_string();
        Ok(match name.to_ascii_lowercase().as_str() {
            "media" => AtPrelude::Media(matches_media(&prelude, self.viewport)),
            "supports" | "layer" | "container" | "document" | "-moz-document" | "scope" => AtPrelude::Supports,
            "import" if !self.nested => AtPrelude::Import(parse_import(&prelude, self.viewport)),
            _ => AtPrelude::Skip,
        })
    }

    fn rule_without_block(&mut self, prelude: AtPrelude, _start: &ParserState) -> Result<Vec<SheetItem>, ()> {
        match prelude {
            AtPrelude::Import(Some(href)) => Ok(vec![SheetItem::Import(href)]),
            _ => Ok(Vec::new()),
        }
    }

    fn parse_block(
        &mut self,
        prelude: AtPrelude,
        _start: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Vec<SheetItem>, ParseError<()>> {
        let applies = match prelude {
            AtPrelude::Media(matches) => matches,
            AtPrelude::Supports => true,
            AtPrelude::Import(_) | AtPrelude::Skip => false,
        };
        if !applies || self.depth >= MAX_BLOCK_NESTING {
            while input.next().is_ok() {}
            return Ok(Vec::new());
        }
        let mut nested = TopLevel {
            viewport: self.viewport,
            nested: true,
            source: self.source.clone(),
            depth: self.depth + 1,
            quirks: self.quirks,
            limit: self.limit.clone(),
            names: self.names,
        };
        let mut items = Vec::new();
        for item in StyleSheetParser::new(input, &mut nested).flatten() {
            items.extend(item);
            if self.limit.cut.get() {
                break;
            }
        }
        Ok(items)
    }
}

/// `@import url("a.css") screen;` → the URL when its media list matches.
fn parse_import(prelude: &str, viewport: Viewport) -> Option<String> {
    let mut parser = Parser::new(prelude);
    let href = match parser.next().ok()?.clone() {
        cssparser::Token::QuotedString(s) | cssparser::Token::UnquotedUrl(s) => s.to_string(),
        cssparser::Token::Function(ref f) if f.eq_ignore_ascii_case("url") => parser
            .parse_nested_block(|p| p.expect_string().map(|s| s.to_string()).map_err(ParseError::<()>::from))
            .ok()?,
        _ => return None,
    };
    let mut rest = prelude.get(parser.position().byte_index()..).unwrap_or("").trim();
    // `layer(…)` and `supports(…)` conditions are accepted as applying; the media list decides.
    for prefix in ["layer", "supports"] {
        if let Some(after) = rest.strip_prefix(prefix) {
            rest = match after.strip_prefix('(') {
                Some(inner) => inner.find(')').map_or("", |i| &inner[i + 1..]),
                None => after,
            }
            .trim();
        }
    }
    matches_media(rest, viewport).then_some(href)
}

impl<'i> QualifiedRuleParser<'i> for TopLevel<'_> {
    /// The parsed selectors and the selector list as written; `None` for a rule that no element of
    /// the document can match.
    type Prelude = Option<(Vec<ParsedSelector>, Arc<str>)>;
    type QualifiedRule = Vec<SheetItem>;
    type Error = ();

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<Self::Prelude, ParseError<()>> {
        let start = input.position();
        while input.next().is_ok() {}
        let text = input.slice_from(start);
        if self.names.is_some_and(|names| !split_selectors(text).into_iter().any(|s| names.may_match(s))) {
            return Ok(None);
        }
        Ok(Some((parse_selector_list(text), clip(text).into())))
    }

    fn parse_block(
        &mut self,
        prelude: Self::Prelude,
        _start: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Vec<SheetItem>, ParseError<()>> {
        let Some((selectors, selector_text)) = prelude else {
            // Counted as the rule it would have been, so that a sheet is cut where it always was.
            if input.next().is_ok() && self.limit.take() {
                self.limit.skipped.set(self.limit.skipped.get() + 1);
            }
            while input.next().is_ok() {}
            return Ok(Vec::new());
        };
        if selectors.is_empty() {
            while input.next().is_ok() {}
            return Ok(Vec::new());
        }
        let mut body = DeclarationsOnly::new(self.source.clone(), Some(selector_text), self.quirks);
        for result in RuleBodyParser::new(input, &mut body) {
            let _ = result;
        }
        if selectors.is_empty() || (body.declarations.is_empty() && body.custom.is_empty()) || !self.limit.take() {
            return Ok(Vec::new());
        }
        Ok(vec![SheetItem::Rule(StyleRule { selectors, declarations: body.declarations, custom: body.custom })])
    }
}

/// Pseudo-classes for states a page is not in when it loads: rules using them never apply.
const STATE_PSEUDO: &[&str] = &[
    ":hover",
    ":focus",
    ":active",
    ":visited",
    ":target",
    ":focus-within",
    ":focus-visible",
    ":-moz-",
    ":-webkit-",
    ":-ms-",
    "::",
    ":before",
    ":after",
    ":first-line",
    ":first-letter",
    ":placeholder",
    ":selection",
    ":invalid",
    ":valid",
    ":user-",
    ":indeterminate",
    ":default",
    ":autofill",
    ":fullscreen",
    ":modal",
    ":popover-open",
    ":open",
    ":playing",
    ":paused",
    ":current",
    ":past",
    ":future",
    ":host",
    ":defined",
    ":dir(",
    ":lang(",
    ":in-range",
    ":out-of-range",
    ":required",
    ":optional",
    ":read-only",
    ":read-write",
    ":placeholder-shown",
    ":blank",
    ":picture-in-picture",
    ":state(",
];

/// Splits a selector list on top-level commas and parses each selector on its own, so that one
/// selector the engine cannot match (`a:hover`) does not discard its siblings (`a`). A selector that
/// does not parse at all makes the whole list invalid, as in browsers (`.a, .b&gt; i { … }` applies
/// to nothing).
pub fn parse_selector_list(text: &str) -> Vec<ParsedSelector> {
    let mut out = Vec::new();
    for part in split_selectors(text) {
        let lower = part.to_ascii_lowercase();
        if STATE_PSEUDO.iter().any(|p| lower.contains(p)) {
            continue;
        }
        // Link and form states the page is in on load, expressed as attributes the matcher knows.
        let rewritten = lower.contains(':').then(|| {
            part.replace(":link", "[href]")
                .replace(":any-link", "[href]")
                .replace(":checked", "[checked]")
                .replace(":disabled", "[disabled]")
                .replace(":enabled", ":not([disabled])")
        });
        let source = rewritten.as_deref().unwrap_or(part);
        let mut parser = Parser::new(source);
        match Selector::parse(&scraper::selector::Parser, &mut parser) {
            Ok(selector) if parser.is_exhausted() => {
                let specificity = selector.specificity();
                out.push(ParsedSelector { selector, specificity });
            }
            _ => return Vec::new(),
        }
    }
    out
}

fn split_selectors(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0usize;
    for_each_top_level_char(text, |i, c| {
        if c == ',' {
            parts.push(text[start..i].trim());
            start = i + 1;
        }
        ControlFlow::Continue(())
    });
    parts.push(text[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Calls `each` with every character of a selector text that is outside quoted strings and `()`/`[]`
/// groups (the brackets and quotes themselves left out), with its byte offset, until `each` breaks.
/// Says whether every group and string so far was closed, and none closed more than opened.
pub(super) fn for_each_top_level_char(text: &str, mut each: impl FnMut(usize, char) -> ControlFlow<()>) -> bool {
    let (mut depth, mut lowest) = (0i32, 0i32);
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => {
                depth -= 1;
                lowest = lowest.min(depth);
            }
            (None, c) if depth == 0 && each(i, c).is_break() => return lowest >= 0,
            _ => {}
        }
    }
    depth == 0 && lowest >= 0 && quote.is_none()
}

struct DeclarationsOnly {
    declarations: Vec<Declaration>,
    custom: Vec<CustomDeclaration>,
    source: Source,
    selector: Option<Arc<str>>,
    quirks: bool,
}

impl DeclarationsOnly {
    fn new(source: Source, selector: Option<Arc<str>>, quirks: bool) -> DeclarationsOnly {
        DeclarationsOnly { declarations: Vec::new(), custom: Vec::new(), source, selector, quirks }
    }
}

/// Whether a parsed declaration is one a browser would drop as invalid.
fn is_invalid(declaration: &Declaration) -> bool {
    matches!(declaration.value, Specified::Unresolved(Unresolved::Invalid(_)))
}

/// The quirks-mode reading of a value browsers accept only in quirks mode: a bare number as pixels
/// for lengths, hex digits without `#` for colours.
fn quirks_value(name: &str, value: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    let v = value.trim();
    let length_property = matches!(
        name.as_str(),
        "font-size"
            | "width"
            | "height"
            | "min-width"
            | "min-height"
            | "max-width"
            | "max-height"
            | "top"
            | "left"
            | "right"
            | "bottom"
            | "letter-spacing"
            | "word-spacing"
            | "text-indent"
            | "line-height"
    );
    let colour_property = matches!(name.as_str(), "color" | "background-color");
    if length_property && name != "line-height" && v.parse::<f32>().is_ok() {
        return Some(format!("{v}px"));
    }
    if colour_property && (v.len() == 3 || v.len() == 6) && v.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some(format!("#{v}"));
    }
    None
}

impl<'i> DeclarationParser<'i> for DeclarationsOnly {
    type Declaration = ();
    type Error = ();

    fn parse_value(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
        declaration_start: &ParserState,
    ) -> Result<(), ParseError<()>> {
        let start = input.position();
        while input.next().is_ok() {}
        let raw = input.slice_from(start);
        let (value, important) = split_important(raw);
        if let Some(custom) = name.strip_prefix("--") {
            self.custom.push(CustomDeclaration { name: custom.into(), value: value.into(), important });
        } else {
            let before = self.declarations.len();
            parse_declaration(&name, value, important, &mut self.declarations);
            if self.declarations[before..].iter().any(is_invalid) {
                // Browsers drop an invalid declaration whole, and the cascade goes on without it
                // (`font-size: px` leaves the size the other rules give), unless quirks mode reads it.
                self.declarations.truncate(before);
                if let Some(fixed) = quirks_value(&name, value).filter(|_| self.quirks) {
                    parse_declaration(&name, &fixed, important, &mut self.declarations);
                    if self.declarations[before..].iter().any(is_invalid) {
                        self.declarations.truncate(before);
                    }
                }
            }
            if self.declarations.len() > before {
                let location = declaration_start.source_location();
                let (line, column) = match self.source {
                    // A style attribute is one line of the page, whose position the parser does not keep.
                    Source::StyleAttribute => (None, None),
                    _ => (Some(location.line + 1), Some(location.column)),
                };
                let origin = Arc::new(DeclarationOrigin {
                    source: self.source.clone(),
                    line,
                    column,
                    selector: self.selector.clone(),
                    declaration: clip(&format!("{name}: {}", raw.trim())).into(),
                });
                for declaration in &mut self.declarations[before..] {
                    declaration.origin = Some(origin.clone());
                }
            }
        }
        Ok(())
    }
}

impl<'i> AtRuleParser<'i> for DeclarationsOnly {
    type Prelude = ();
    type AtRule = ();
    type Error = ();
}

impl<'i> QualifiedRuleParser<'i> for DeclarationsOnly {
    type Prelude = ();
    type QualifiedRule = ();
    type Error = ();
}

impl<'i> RuleBodyItemParser<'i, (), ()> for DeclarationsOnly {
    fn parse_declarations(&self) -> bool {
        true
    }
    fn parse_qualified(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::style::props::Prop;

    fn rules(css: &str) -> Vec<StyleRule> {
        parse_stylesheet(css, Viewport::DESKTOP, Source::StyleElement { index: 1 })
            .into_iter()
            .filter_map(|i| match i {
                SheetItem::Rule(r) => Some(r),
                SheetItem::Import(_) => None,
            })
            .collect()
    }

    #[test]
    fn selectors_split_and_state_rules_dropped() {
        let r = rules("a:hover, p.note, a:link { color: red } li::before { font-size: 8px }");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].selectors.len(), 2, "a:hover dropped, p.note and a:link kept");
    }

    #[test]
    fn media_and_imports() {
        let css = "@import url(\"base.css\"); @import 'print.css' print; @media (max-width: 600px) { p { font-size: 10px } } @media screen { p { font-size: 20px } }";
        let items = parse_stylesheet(css, Viewport::DESKTOP, Source::StyleElement { index: 1 });
        let imports: Vec<_> =
            items.iter().filter_map(|i| if let SheetItem::Import(h) = i { Some(h.clone()) } else { None }).collect();
        assert_eq!(imports, vec!["base.css".to_string()]);
        let r = rules(css);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].declarations[0].prop, Prop::FontSize);
    }

    #[test]
    fn broken_css_recovers() {
        let r = rules("p { color: red; font-size: } }}} div { color: blue } @font-face { src: x } span{");
        assert!(r.iter().any(|r| r.declarations.iter().any(|d| d.prop == Prop::Color)));
    }

    #[test]
    fn declarations_know_their_sheet_line_column_and_selector() {
        let css = "body { color: #000 }\n\n.footer, .copyright {\n  color: #999;\n  font: 12px/1.5 sans-serif;\n}";
        let source = Source::Stylesheet { url: "https://a.cn/css/site.css".into() };
        let items = parse_stylesheet(css, Viewport::DESKTOP, source.clone());
        let SheetItem::Rule(rule) = &items[1] else { panic!("a rule") };
        let color = rule.declarations.iter().find(|d| d.prop == Prop::Color).expect("color");
        let origin = color.origin.as_ref().expect("origin");
        assert_eq!(origin.source, source);
        assert_eq!((origin.line, origin.column), (Some(4), Some(3)));
        assert_eq!(origin.selector.as_deref(), Some(".footer, .copyright"));
        assert_eq!(&*origin.declaration, "color: #999");
        let size = rule.declarations.iter().find(|d| d.prop == Prop::FontSize).expect("font-size");
        assert_eq!(size.origin.as_ref().map(|o| &*o.declaration), Some("font: 12px/1.5 sans-serif"));
        assert_eq!(size.origin.as_ref().and_then(|o| o.line), Some(5));
    }

    #[test]
    fn style_attribute_with_custom_props() {
        let (d, c) = parse_style_attribute("color: red !important; --brand: #333; font-size: 12px");
        assert!(d[0].important);
        assert_eq!(&*c[0].name, "brand");
        assert_eq!(d.len(), 2);
    }
}
