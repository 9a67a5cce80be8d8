//! The tag names, classes and ids a document uses, so that style rules no element can match are
//! not parsed at all. Site stylesheets are written for every page of a site (and frameworks for
//! every site): on the real-pages corpus most rules name a class or id the page does not have, and
//! parsing their selectors and declarations was a tenth of a static run. A rule is skipped only
//! when the rightmost compound of each of its selectors names, outside any brackets or
//! parentheses, a tag, class or id that no element has; anything the scan is unsure of (escapes,
//! namespaces, nesting, unbalanced brackets) is parsed as before.

use rustc_hash::FxHashSet;
use scraper::Html;
use std::borrow::Cow;
use std::ops::ControlFlow;

/// What a document's elements are called.
#[derive(Debug, Default)]
pub struct DocumentNames<'a> {
    tags: FxHashSet<Cow<'a, str>>,
    classes: FxHashSet<Cow<'a, str>>,
    ids: FxHashSet<Cow<'a, str>>,
    /// Quirks mode matches classes and ids regardless of ASCII case: the sets hold them lower-cased.
    quirks: bool,
}

impl<'a> DocumentNames<'a> {
    pub fn of(html: &'a Html, quirks: bool) -> Self {
        let fold = |name: &'a str| -> Cow<'a, str> {
            if quirks && name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name.to_ascii_lowercase())
            } else {
                Cow::Borrowed(name)
            }
        };
        let mut names = DocumentNames { quirks, ..DocumentNames::default() };
        for element in html.tree.values().filter_map(scraper::Node::as_element) {
            let tag = element.name();
            names.tags.insert(if tag.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(tag.to_ascii_lowercase())
            } else {
                Cow::Borrowed(tag)
            });
            if let Some(id) = element.id() {
                names.ids.insert(fold(id));
            }
            for class in element.classes() {
                names.classes.insert(fold(class));
            }
        }
        names
    }

    /// Whether a selector (one of a list) might match an element of the document: `false` only
    /// when its subject names something the document does not have.
    pub fn may_match(&self, selector: &str) -> bool {
        let Some(compound) = rightmost_compound(selector) else { return true };
        required_names(compound).is_none_or(|required| {
            required.into_iter().all(|(kind, name)| {
                let set = match kind {
                    Kind::Tag => return self.tags.contains(name.to_ascii_lowercase().as_str()),
                    Kind::Class => &self.classes,
                    Kind::Id => &self.ids,
                };
                if self.quirks {
                    set.contains(name.to_ascii_lowercase().as_str())
                } else {
                    set.contains(name)
                }
            })
        })
    }
}

/// The part of a selector after its last combinator, outside brackets and strings; `None` when the
/// selector holds escapes, namespaces or nesting, or its brackets do not balance.
fn rightmost_compound(selector: &str) -> Option<&str> {
    if selector.contains(['\\', '|', '&']) {
        return None;
    }
    let mut start = 0usize;
    let closed = super::sheet::for_each_top_level_char(selector, |i, c| {
        if c.is_whitespace() || matches!(c, '>' | '+' | '~') {
            start = i + c.len_utf8();
        }
        ControlFlow::Continue(())
    });
    let compound = selector.get(start..)?;
    (closed && !compound.is_empty()).then_some(compound)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tag,
    Class,
    Id,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()
}

/// The tag, classes and ids a compound selector requires at its top level (what sits inside
/// `:not(…)`, `:is(…)` or `[…]` is not required). `None` when the compound has a form the scan does
/// not read.
fn required_names(compound: &str) -> Option<Vec<(Kind, &str)>> {
    let mut required = Vec::new();
    let mut rest = compound;
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let end = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
        required.push((Kind::Tag, &rest[..end]));
        rest = &rest[end..];
    }
    while let Some(c) = rest.chars().next() {
        match c {
            '.' | '#' => {
                let name_part = &rest[1..];
                let end = name_part.find(|c: char| !is_name_char(c)).unwrap_or(name_part.len());
                if end == 0 {
                    return None;
                }
                required.push((if c == '.' { Kind::Class } else { Kind::Id }, &name_part[..end]));
                rest = &name_part[end..];
            }
            ':' => {
                let name_part = rest.trim_start_matches(':');
                let end = name_part.find(|c: char| !is_name_char(c)).unwrap_or(name_part.len());
                rest = &name_part[end..];
                if rest.starts_with('(') {
                    rest = skip_group(rest)?;
                }
            }
            '[' => rest = skip_group(rest)?,
            '*' => rest = &rest[1..],
            _ => return None,
        }
    }
    Some(required)
}

/// What follows the bracketed groups that `text` starts with; `None` when they do not close. The
/// scan stops where they end, so a compound of many groups is read once, not once per group.
fn skip_group(text: &str) -> Option<&str> {
    let mut end: Option<usize> = None;
    let closed = super::sheet::for_each_top_level_char(text, |i, _| {
        end = Some(i);
        ControlFlow::Break(())
    });
    closed.then(|| end.map_or("", |i| &text[i..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(html: &str, quirks: bool) -> (Html, bool) {
        (Html::parse_document(html), quirks)
    }

    #[test]
    fn rules_for_absent_classes_ids_and_tags_cannot_match() {
        let (html, quirks) = names(
            "<div class='nav Main'><ul id=menu><li><a href=/>首页</a></li></ul></div><svg><foreignObject/></svg>",
            false,
        );
        let doc = DocumentNames::of(&html, quirks);
        for selector in [
            ".nav a",
            "div.nav > ul#menu li",
            "#menu",
            "a[href]",
            "A",
            "ul li:not(.x) a",
            ".Main",
            "*",
            "li:nth-child(2n+1)",
            "foreignobject",
            ".nav a:is(.b, .c)",
            "a[title='x y .z']",
        ] {
            assert!(doc.may_match(selector), "{selector} may match");
        }
        for selector in [
            "div .footer",
            "#banner",
            "table td",
            ".nav .absent",
            ".main",
            "div.nav.gone",
            "ul li p",
            ".nav > .x:not(.nav)",
        ] {
            assert!(!doc.may_match(selector), "{selector} cannot match");
        }
    }

    #[test]
    fn unsure_forms_are_left_to_the_parser() {
        let (html, quirks) = names("<p class=a>x</p>", false);
        let doc = DocumentNames::of(&html, quirks);
        for selector in [".b\\:c", "svg|rect", "& .x", ".x)", "p[", ".", "p::before", ".x + ", "p:is("] {
            assert!(doc.may_match(selector), "{selector} is parsed, not skipped");
        }
    }

    #[test]
    fn a_compound_of_many_groups_is_read_once() {
        let (html, quirks) = names("<p class=a>x</p>", false);
        let doc = DocumentNames::of(&html, quirks);
        // Re-reading the rest of the compound after each group would take 100,000 × 1 MB here.
        let selector = format!("p.b{}", ":not(.abcdefg)".repeat(100_000));
        assert!(!doc.may_match(&selector));
        assert!(doc.may_match(&format!("p.a{}", "[title]".repeat(100_000))));
    }

    #[test]
    fn quirks_mode_compares_classes_and_ids_without_case() {
        let (html, _) = names("<p class=Title id=Top>x</p>", true);
        let doc = DocumentNames::of(&html, true);
        assert!(doc.may_match(".title") && doc.may_match("#TOP") && doc.may_match("P.TITLE"));
        let strict = DocumentNames::of(&html, false);
        assert!(!strict.may_match(".title") && strict.may_match(".Title"));
    }
}
