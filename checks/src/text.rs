//! Text the reader sees: elements that carry their own text, for the font and contrast checks.

use crate::page::Attribute;
use crate::page::Page;
use scraper::{ElementRef, Node};

/// Elements whose text is not rendered as page text.
const NON_TEXT_CONTAINERS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "option", "optgroup", "datalist", "select", "textarea",
];

/// One element with its own (direct) text.
pub struct TextElement<'a> {
    pub element: ElementRef<'a>,
    /// The element's direct text, whitespace collapsed (held once per page, for every check).
    pub text: &'a str,
}

/// Visible elements that have text of their own with a letter or digit in it, in document order:
/// what the font-size and spacing checks read.
pub fn visible_text_elements(page: &Page) -> Vec<TextElement<'_>> {
    visible_text(page, false)
}

/// Visible elements with text of their own, punctuation and symbols included (a ` | ` between
/// links): all a reader must tell from its background, for the contrast checks.
pub fn visible_text_and_marks(page: &Page) -> Vec<TextElement<'_>> {
    visible_text(page, true)
}

fn visible_text(page: &Page, with_marks: bool) -> Vec<TextElement<'_>> {
    page.visible_text
        .get_or_init(|| {
            find_visible_text(page).into_iter().map(|(element, text, letters)| (element.id(), text, letters)).collect()
        })
        .iter()
        .filter(|(_, _, letters)| with_marks || *letters)
        .filter_map(|(node, text, _)| page.element(*node).map(|element| TextElement { element, text: text.as_str() }))
        .collect()
}

/// A character that shows as a glyph of text: not whitespace, not an icon font's private-use code.
fn is_text_glyph(c: char) -> bool {
    !c.is_whitespace() && !matches!(u32::from(c), 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// Each visible text element, with whether its text has a letter or digit.
fn find_visible_text(page: &Page) -> Vec<(ElementRef<'_>, String, bool)> {
    let mut out = Vec::new();
    for element in page.elements() {
        // A text box shows its text, and a drop-down its selected option, in the control's own colours.
        let shown_by_control = match element.value().name() {
            "textarea" => Some(crate::page::collapsed_text(element)),
            "select" if element.value().attribute("multiple").is_none() => element
                .descendent_elements()
                .filter(|o| o.value().name() == "option")
                .find(|o| o.value().attribute("selected").is_some())
                .or_else(|| element.descendent_elements().find(|o| o.value().name() == "option"))
                .map(crate::page::collapsed_text),
            _ => None,
        };
        if let Some(text) = shown_by_control {
            if text.chars().any(char::is_alphanumeric) && page.is_visible(element) && !inside_non_text(element) {
                out.push((element, text, true));
            }
            continue;
        }
        if NON_TEXT_CONTAINERS.contains(&element.value().name()) {
            continue;
        }
        let own_text = || {
            element.children().filter_map(|c| match c.value() {
                Node::Text(t) => Some(&**t),
                _ => None,
            })
        };
        // Most elements hold no text of their own: the text is joined only for those that do.
        if !own_text().any(|t| t.chars().any(is_text_glyph)) {
            continue;
        }
        // Text at font-size 0 has no box (the inline-block whitespace trick): nothing to read.
        let sized_to_nothing = page.style_of(element).font_size.as_ref().is_ok_and(|px| *px <= 0.0);
        if !page.is_visible(element) || inside_non_text(element) || sized_to_nothing {
            continue;
        }
        let own: String = own_text().flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ");
        let letters = own.chars().any(char::is_alphanumeric);
        out.push((element, own, letters));
    }
    out
}

fn inside_non_text(element: ElementRef<'_>) -> bool {
    element.ancestors().filter_map(ElementRef::wrap).any(|a| NON_TEXT_CONTAINERS.contains(&a.value().name()))
}

/// Number of characters, for shares of text.
pub fn char_count(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Text that belongs to a disabled control or its label is exempt from contrast minimums
/// (WCAG 1.4.3 "inactive user interface component").
pub struct InactiveWidgets {
    /// Elements inside a disabled widget or its label, themselves included.
    inactive: crate::page::NodeSet,
}

impl InactiveWidgets {
    pub fn new(page: &Page) -> Self {
        // Only elements with aria-labelledby matter; checking them first keeps this linear.
        let labelled_by_disabled: std::collections::HashSet<&str> = page
            .elements()
            .filter(|e| e.value().attribute("aria-labelledby").is_some())
            .filter(|e| is_disabled_control(*e))
            .filter_map(|e| e.value().attribute("aria-labelledby"))
            .flat_map(str::split_whitespace)
            .collect();
        // Document order reaches a parent before its children, so one pass inherits the answer.
        let mut inactive = crate::page::NodeSet::default();
        for el in page.elements() {
            let parent_inactive = el.parent().is_some_and(|p| inactive.contains(&p.id()));
            if parent_inactive
                || is_disabled_itself(el)
                || el.value().id().is_some_and(|id| labelled_by_disabled.contains(id))
                || (el.value().name() == "label" && label_control(page, el).is_some_and(is_disabled_control))
            {
                inactive.insert(el.id());
            }
        }
        InactiveWidgets { inactive }
    }

    /// Whether an element's text is part of a disabled widget or of its label.
    pub fn contains(&self, element: ElementRef<'_>) -> bool {
        self.inactive.contains(&element.id())
    }
}

/// A disabled control: `disabled` (itself or via a disabled fieldset) or `aria-disabled=true`.
fn is_disabled_control(element: ElementRef<'_>) -> bool {
    std::iter::once(element).chain(element.ancestors().filter_map(ElementRef::wrap)).any(is_disabled_itself)
}

fn is_disabled_itself(el: ElementRef<'_>) -> bool {
    let v = el.value();
    v.attribute("aria-disabled").is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
        || (v.attribute("disabled").is_some()
            && matches!(v.name(), "button" | "input" | "select" | "textarea" | "optgroup" | "option" | "fieldset"))
}

/// The control a `<label>` labels: `for=id`, else its first labelable descendant.
pub fn label_control<'a>(page: &'a Page, label: ElementRef<'a>) -> Option<ElementRef<'a>> {
    const LABELABLE: &[&str] = &["input", "select", "textarea", "button", "meter", "output", "progress"];
    match label.value().attribute("for") {
        // As in browsers: the element getElementById finds, if it is labelable.
        Some(id) => page.element_by_id(id).filter(|e| LABELABLE.contains(&e.value().name())),
        None => label.descendent_elements().skip(1).find(|e| {
            LABELABLE.contains(&e.value().name())
                && e.value().attribute("type").is_none_or(|t| !t.eq_ignore_ascii_case("hidden"))
        }),
    }
}
