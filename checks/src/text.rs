//! Text the reader sees: elements that carry their own text, for the font and contrast checks.

use crate::page::Page;
use scraper::{ElementRef, Node};

/// Elements whose text is not rendered as page text.
const NON_TEXT_CONTAINERS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "option", "optgroup", "datalist", "select", "textarea",
];

/// One element with its own (direct) text.
pub struct TextElement<'a> {
    pub element: ElementRef<'a>,
    /// The element's direct text, whitespace collapsed.
    pub text: String,
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
            find_visible_text(page).into_iter().map(|(t, letters)| (t.element.id(), t.text, letters)).collect()
        })
        .iter()
        .filter(|(_, _, letters)| with_marks || *letters)
        .filter_map(|(node, text, _)| page.element(*node).map(|element| TextElement { element, text: text.clone() }))
        .collect()
}

/// A character that shows as a glyph of text: not whitespace, not an icon font's private-use code.
fn is_text_glyph(c: char) -> bool {
    !c.is_whitespace() && !matches!(u32::from(c), 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// Each visible text element, with whether its text has a letter or digit.
fn find_visible_text(page: &Page) -> Vec<(TextElement<'_>, bool)> {
    let mut out = Vec::new();
    for element in page.elements() {
        // A text box shows its text, and a drop-down its selected option, in the control's own colours.
        let shown_by_control = match element.value().name() {
            "textarea" => Some(crate::page::collapsed_text(element)),
            "select" if element.value().attr("multiple").is_none() => element
                .descendent_elements()
                .filter(|o| o.value().name() == "option")
                .find(|o| o.value().attr("selected").is_some())
                .or_else(|| element.descendent_elements().find(|o| o.value().name() == "option"))
                .map(crate::page::collapsed_text),
            _ => None,
        };
        if let Some(text) = shown_by_control {
            if text.chars().any(char::is_alphanumeric) && page.is_visible(element) && !inside_non_text(element) {
                out.push((TextElement { element, text }, true));
            }
            continue;
        }
        if NON_TEXT_CONTAINERS.contains(&element.value().name()) {
            continue;
        }
        let own: String = element
            .children()
            .filter_map(|c| match c.value() {
                Node::Text(t) => Some(&**t),
                _ => None,
            })
            .flat_map(str::split_whitespace)
            .collect::<Vec<_>>()
            .join(" ");
        if !own.chars().any(is_text_glyph) {
            continue;
        }
        // Text at font-size 0 has no box (the inline-block whitespace trick): nothing to read.
        let sized_to_nothing = page.style_of(element).font_size.as_ref().is_ok_and(|px| *px <= 0.0);
        if !page.is_visible(element) || inside_non_text(element) || sized_to_nothing {
            continue;
        }
        let letters = own.chars().any(char::is_alphanumeric);
        out.push((TextElement { element, text: own }, letters));
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
    labelled_by_disabled: std::collections::HashSet<String>,
}

impl InactiveWidgets {
    pub fn new(page: &Page) -> Self {
        // Only elements with aria-labelledby matter; checking them first keeps this linear.
        let labelled_by_disabled = page
            .elements()
            .filter(|e| e.value().attr("aria-labelledby").is_some())
            .filter(|e| is_disabled_control(*e))
            .filter_map(|e| e.value().attr("aria-labelledby"))
            .flat_map(str::split_whitespace)
            .map(str::to_string)
            .collect();
        InactiveWidgets { labelled_by_disabled }
    }

    /// Whether an element's text is part of a disabled widget or of its label.
    pub fn contains(&self, page: &Page, element: ElementRef<'_>) -> bool {
        // One walk up the tree: each ancestor is tested for being disabled itself.
        std::iter::once(element).chain(element.ancestors().filter_map(ElementRef::wrap)).any(|el| {
            is_disabled_itself(el)
                || el.value().id().is_some_and(|id| self.labelled_by_disabled.contains(id))
                || (el.value().name() == "label" && label_control(page, el).is_some_and(is_disabled_control))
        })
    }
}

/// A disabled control: `disabled` (itself or via a disabled fieldset) or `aria-disabled=true`.
fn is_disabled_control(element: ElementRef<'_>) -> bool {
    std::iter::once(element).chain(element.ancestors().filter_map(ElementRef::wrap)).any(is_disabled_itself)
}

fn is_disabled_itself(el: ElementRef<'_>) -> bool {
    let v = el.value();
    v.attr("aria-disabled").is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
        || (v.attr("disabled").is_some()
            && matches!(v.name(), "button" | "input" | "select" | "textarea" | "optgroup" | "option" | "fieldset"))
}

/// The control a `<label>` labels: `for=id`, else its first labelable descendant.
pub fn label_control<'a>(page: &'a Page, label: ElementRef<'a>) -> Option<ElementRef<'a>> {
    const LABELABLE: &[&str] = &["input", "select", "textarea", "button", "meter", "output", "progress"];
    match label.value().attr("for") {
        // As in browsers: the element getElementById finds, if it is labelable.
        Some(id) => page.element_by_id(id).filter(|e| LABELABLE.contains(&e.value().name())),
        None => label.descendent_elements().skip(1).find(|e| {
            LABELABLE.contains(&e.value().name())
                && e.value().attr("type").is_none_or(|t| !t.eq_ignore_ascii_case("hidden"))
        }),
    }
}
