//! Where a finding is, in words a person can follow: a CSS selector that matches the element alone,
//! its outer HTML cut short, the heading before it, the visible text around it, and a signature
//! that groups the same element across pages.

use super::{Attribute, Page};
use ego_tree::NodeId;
use scraper::{ElementRef, Node};
use std::collections::HashMap;

/// How much of an element's outer HTML a finding shows.
pub const SNIPPET_CHARS: usize = 300;

/// Where an element is, in every form a finding reports it.
#[derive(Debug, Clone)]
pub struct Location {
    pub selector: String,
    pub snippet: String,
    pub signature: String,
    pub heading: Option<String>,
    pub excerpt: Option<String>,
}

impl Page {
    /// The element's [`Location`], built once per element: the same element is often reported by
    /// several checks (small grey text fails size, contrast, enhanced contrast and line spacing), and
    /// a location costs a walk up and a walk into it.
    pub fn location(&self, element: ElementRef<'_>) -> Location {
        if let Some(known) = self.locations.borrow().get(&element.id()) {
            return known.clone();
        }
        let location = Location {
            selector: self.selector_path(element),
            snippet: self.snippet(element, SNIPPET_CHARS),
            signature: self.signature(element),
            heading: self.heading_before(element),
            excerpt: self.excerpt(element),
        };
        self.locations.borrow_mut().insert(element.id(), location.clone());
        location
    }

    /// A CSS selector that matches this element alone (cached: several checks report the same elements).
    pub fn selector_path(&self, element: ElementRef<'_>) -> String {
        if let Some(path) = self.selector_paths.borrow().get(&element.id()) {
            return path.clone();
        }
        let path = self.compute_selector_path(element);
        self.selector_paths.borrow_mut().insert(element.id(), path.clone());
        path
    }

    /// For every element: its position among its parent's element children (from 1), and whether a
    /// sibling has the same tag. One pass over the document, so that selector paths for 60,000
    /// findings among 60,000 siblings cost linear time, not a sibling scan each.
    fn sibling_positions(&self) -> &super::NodeMap<(u32, bool)> {
        self.sibling_positions.get_or_init(|| {
            let mut positions = super::NodeMap::default();
            let mut tag_counts: HashMap<&str, u32> = HashMap::new();
            for parent in self.elements() {
                tag_counts.clear();
                for child in parent.child_elements() {
                    *tag_counts.entry(child.value().name()).or_default() += 1;
                }
                for (index, child) in parent.child_elements().enumerate() {
                    let shared = tag_counts.get(child.value().name()).is_some_and(|n| *n > 1);
                    positions.insert(child.id(), (u32::try_from(index + 1).unwrap_or(u32::MAX), shared));
                }
            }
            positions
        })
    }

    /// The path is the parent's path and one step (unless the element has an id of its own or is the
    /// root), so the walk up stops at the first ancestor whose path is known: findings on siblings
    /// share their ancestors' paths.
    fn compute_selector_path(&self, element: ElementRef<'_>) -> String {
        let mut steps: Vec<(NodeId, String)> = Vec::new();
        let mut path = String::new();
        let mut current = element;
        loop {
            if current.id() != element.id() {
                if let Some(known) = self.selector_paths.borrow().get(&current.id()) {
                    path.clone_from(known);
                    break;
                }
            }
            let el = current.value();
            if let Some(id) = el.id().filter(|id| !id.is_empty() && self.id_counts.get(*id) == Some(&1)) {
                steps.push((current.id(), format!("#{}", css_identifier(id))));
                break;
            }
            // Custom tag names may hold characters a selector must escape (`sohu_cms_include:aut`).
            let tag = css_identifier(el.name());
            let Some(parent) = current.parent().and_then(ElementRef::wrap) else {
                steps.push((current.id(), tag));
                break;
            };
            let (position, same_tag_elsewhere) =
                self.sibling_positions().get(&current.id()).copied().unwrap_or((1, false));
            let step = if same_tag_elsewhere { format!("{tag}:nth-child({position})") } else { tag };
            steps.push((current.id(), step));
            current = parent;
        }
        let mut known = self.selector_paths.borrow_mut();
        for (node, step) in steps.into_iter().rev() {
            if !path.is_empty() {
                path.push_str(" > ");
            }
            path.push_str(&step);
            if node != element.id() {
                known.insert(node, path.clone());
            }
        }
        path
    }

    /// Outer HTML of an element, cut to at most `max_chars` characters.
    pub fn snippet(&self, element: ElementRef<'_>, max_chars: usize) -> String {
        snippet(element, max_chars)
    }

    /// What identifies an element across pages and page edits, without positions: tag, id, classes,
    /// the addresses it points to (resolved, so that `../logo.png` and `/logo.png` agree), the
    /// attributes that name it, the start of its text, and the nearest ancestor with an id or class.
    /// A header logo without `alt` has the same signature on every page of a site.
    pub fn signature(&self, element: ElementRef<'_>) -> String {
        let el = element.value();
        let mut sig = String::from(el.name());
        if let Some(id) = el.id().filter(|id| !id.is_empty()) {
            sig.push('#');
            sig.push_str(id);
        }
        let mut classes: Vec<&str> = el.classes().collect();
        classes.sort_unstable();
        classes.dedup();
        for class in classes.iter().take(6) {
            sig.push('.');
            sig.push_str(class);
        }
        for attr in ["src", "href", "action", "data"] {
            let Some(value) = el.attribute(attr).map(str::trim).filter(|v| !v.is_empty()) else { continue };
            let address = match self.base_url.join(value) {
                Ok(mut url) => {
                    url.set_fragment(None);
                    // Cache-busting queries differ from page to page; a link's query is part of where it goes.
                    if attr == "src" || attr == "data" {
                        url.set_query(None);
                    }
                    url.to_string()
                }
                Err(_) => value.to_string(),
            };
            sig.push_str(&format!("[{attr}={}]", text_clip(&address, 200)));
        }
        for attr in ["name", "type", "role", "for", "aria-label", "alt", "title", "placeholder"] {
            if let Some(value) = el.attribute(attr).map(str::trim).filter(|v| !v.is_empty()) {
                sig.push_str(&format!("[{attr}={}]", text_clip(value, 60)));
            }
        }
        // The document's own elements are one per page: their text is the page's, not theirs.
        let text = if matches!(el.name(), "html" | "head" | "body") { String::new() } else { text_prefix(element, 40) };
        if !text.is_empty() {
            sig.push_str(&format!("\"{text}\""));
        }
        let context = element.ancestors().filter_map(ElementRef::wrap).find_map(|a| {
            let v = a.value();
            v.id()
                .filter(|id| !id.is_empty())
                .map(|id| format!("#{id}"))
                .or_else(|| v.classes().next().map(|c| format!(".{c}")))
        });
        if let Some(context) = context {
            sig.push('@');
            sig.push_str(&context);
        }
        sig
    }

    /// The text of the nearest heading (`h1`–`h6`) that starts before the element, shortened.
    pub fn heading_before(&self, element: ElementRef<'_>) -> Option<String> {
        let (texts, before) = self.headings.get_or_init(|| {
            let mut texts: Vec<String> = Vec::new();
            let mut before = super::NodeMap::default();
            for e in self.elements() {
                if let Some(last) = texts.len().checked_sub(1) {
                    before.insert(e.id(), last);
                }
                if matches!(e.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
                    let text = text_prefix(e, 60);
                    if !text.is_empty() {
                        texts.push(text);
                    }
                }
            }
            (texts, before)
        });
        before.get(&element.id()).and_then(|i| texts.get(*i)).cloned()
    }

    /// What a reader sees of the element: the start of its text, else the text that names it
    /// (`alt`, `title`, `aria-label`, `placeholder`, `value`), else an image's file name.
    pub fn excerpt(&self, element: ElementRef<'_>) -> Option<String> {
        // The whole document says nothing about where on the page a problem is.
        if matches!(element.value().name(), "html" | "head" | "body") {
            return None;
        }
        let text = text_prefix(element, 60);
        if !text.is_empty() {
            return Some(text);
        }
        let attr_value = |name: &str| element.attribute(name);
        ["alt", "title", "aria-label", "placeholder", "value"]
            .iter()
            .find_map(|a| attr_value(a).map(str::trim).filter(|v| !v.is_empty()).map(|v| text_clip(v, 60)))
            .or_else(|| {
                attr_value("src").and_then(|src| {
                    let file = src.split(['?', '#']).next()?.rsplit('/').next()?.trim();
                    (!file.is_empty()).then(|| text_clip(file, 60))
                })
            })
    }
}

/// Nodes [`text_prefix`] visits at most: a finding on an element with a large subtree without text
/// (nested layout tables, generated markup) must not cost a walk of the whole subtree, once per finding.
const TEXT_PREFIX_NODES: usize = 2_000;

/// The first `max_chars` characters of an element's readable text (not scripts, styles or templates),
/// whitespace collapsed, without reading more of a large element than that.
fn text_prefix(element: ElementRef<'_>, max_chars: usize) -> String {
    use ego_tree::iter::Edge;
    let mut out = String::new();
    let mut count = 0;
    let mut skipping: Option<NodeId> = None;
    for edge in element.traverse().take(2 * TEXT_PREFIX_NODES) {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) if matches!(el.name(), "script" | "style" | "noscript" | "template" | "head") => {
                        skipping = Some(node.id());
                    }
                    Node::Text(text) => {
                        for word in text.split_whitespace() {
                            if count > 0 {
                                out.push(' ');
                                count += 1;
                            }
                            for c in word.chars() {
                                if count >= max_chars {
                                    out.push('…');
                                    return out;
                                }
                                out.push(c);
                                count += 1;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                }
            }
        }
    }
    out
}

fn text_clip(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    format!("{cut}…")
}

/// Serialises a CSS identifier (for `#id` selectors).
pub fn css_identifier(ident: &str) -> String {
    let mut out = String::new();
    if cssparser::serialize_identifier(ident, &mut out).is_err() {
        return ident.to_string();
    }
    out
}

/// Outer HTML cut to `max_chars` characters (an ellipsis marks the cut).
pub fn snippet(element: ElementRef<'_>, max_chars: usize) -> String {
    use ego_tree::iter::Edge;
    let mut out = String::new();
    let limit = max_chars.saturating_sub(1);
    for edge in element.traverse() {
        if out.chars().count() > limit {
            break;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    out.push('<');
                    out.push_str(el.name());
                    for (name, value) in el.attrs().filter(|(name, _)| *name != super::rendered::ELEMENT_ID_ATTR) {
                        let mut end = value.len().min(4 * limit + 16);
                        while !value.is_char_boundary(end) {
                            end -= 1;
                        }
                        out.push(' ');
                        out.push_str(name);
                        out.push_str("=\"");
                        out.push_str(&value[..end].replace('&', "&amp;").replace('"', "&quot;"));
                        out.push('"');
                    }
                    out.push('>');
                }
                Node::Text(text) => {
                    // Only the start of a long text can show in the snippet.
                    let mut end = text.len().min(4 * limit + 16);
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    let text = &text[..end];
                    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let leading = text.starts_with(char::is_whitespace) && !collapsed.is_empty();
                    if leading {
                        out.push(' ');
                    }
                    out.push_str(&collapsed.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    if !is_void(el.name()) {
                        out.push_str("</");
                        out.push_str(el.name());
                        out.push('>');
                    }
                }
            }
        }
    }
    if out.chars().count() > max_chars {
        let cut: String = out.chars().take(limit).collect();
        return format!("{cut}…");
    }
    out
}

fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Text of an element with whitespace collapsed.
pub fn collapsed_text(element: ElementRef<'_>) -> String {
    element.text().flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}
