//! HTML parsing with two bounds that hostile or broken documents need.
//!
//! - **Depth.** Like Chromium (`kMaximumHTMLParserDOMTreeDepth`), a node that would be attached
//!   deeper than [`MAX_DOM_DEPTH`] is attached to its parent's parent instead, so the tree the checks
//!   walk is never deeper than that, whatever the markup (100,000 unclosed `<font>` or `<span>`
//!   tags). Every ancestor walk is then bounded, and the tree is what a browser would lay out.
//! - **CPU time.** The document is fed to html5ever in small chunks and the page's [`Budget`] is
//!   checked between them: deep nesting makes the parser's own scope searches quadratic (the depth
//!   bound above shapes the tree, not the parser's stack of open elements), and such a page ends as
//!   `too_complex` instead of taking an hour.

use crate::budget::{Budget, TooComplex};
use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use scraper::{Html, HtmlTreeSink};
use std::borrow::Cow;
use std::cell::Ref;

/// Deepest element depth kept (Chromium's limit).
pub const MAX_DOM_DEPTH: usize = 512;

/// Most elements a page may have: ten times the largest of the 278 real pages (10,369). Every element
/// costs memory through the whole check (its style, role, name), and a 5 MB page of 300,000 tiny
/// elements took 780 MB; such a page ends as `too_complex`.
pub const MAX_ELEMENTS: usize = 100_000;

/// Bytes fed to the parser between two budget checks: small enough that one chunk of the worst
/// nesting costs a fraction of a second, large enough that checking costs nothing.
const CHUNK_BYTES: usize = 8 * 1024;

/// Parses a whole document within `budget`.
pub fn parse_document(text: &str, budget: &Budget) -> Result<Html, TooComplex> {
    let elements = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let mut parser = html5ever::driver::parse_document(DepthBoundSink::new(elements.clone()), Default::default());
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(chunk));
        budget.check("parsing the HTML")?;
        if elements.get() > MAX_ELEMENTS {
            let seconds = budget.spent().as_secs_f64();
            return Err(TooComplex { stage: "parsing the HTML", seconds, elements: Some(elements.get()) });
        }
        rest = tail;
    }
    Ok(parser.finish())
}

/// scraper's tree sink, with attachments deeper than [`MAX_DOM_DEPTH`] moved up one level.
struct DepthBoundSink {
    inner: HtmlTreeSink,
    /// Elements created so far.
    elements: std::rc::Rc<std::cell::Cell<usize>>,
}

impl DepthBoundSink {
    fn new(elements: std::rc::Rc<std::cell::Cell<usize>>) -> Self {
        DepthBoundSink { inner: HtmlTreeSink::new(Html::new_document()), elements }
    }

    /// `parent`, or its parent when children of `parent` would be too deep.
    fn attachment_point(&self, parent: &NodeId) -> NodeId {
        let html = self.inner.0.borrow();
        let Some(node) = html.tree.get(*parent) else { return *parent };
        // The document node is depth 0, so a parent with MAX_DOM_DEPTH ancestors holds elements at
        // depth MAX_DOM_DEPTH + 1.
        if node.ancestors().take(MAX_DOM_DEPTH).count() < MAX_DOM_DEPTH {
            return *parent;
        }
        node.parent().map_or(*parent, |p| p.id())
    }
}

impl TreeSink for DepthBoundSink {
    type Output = Html;
    type Handle = NodeId;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    /// Parse errors are not used: real pages have thousands, and keeping them costs memory.
    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.elements.set(self.elements.get() + 1);
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        let parent = self.attachment_point(parent);
        self.inner.append(&parent, child)
    }

    fn append_based_on_parent_node(&self, element: &NodeId, prev_element: &NodeId, child: NodeOrText<NodeId>) {
        let has_parent = self.inner.0.borrow().tree.get(*element).is_some_and(|e| e.parent().is_some());
        if has_parent {
            self.inner.append_before_sibling(element, child)
        } else {
            self.append(prev_element, child)
        }
    }

    fn append_doctype_to_document(&self, name: StrTendril, public_id: StrTendril, system_id: StrTendril) {
        self.inner.append_doctype_to_document(name, public_id, system_id)
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }

    fn pop(&self, node: &NodeId) {
        self.inner.pop(node)
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.inner.append_before_sibling(sibling, new_node)
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }

    fn associate_with_form(&self, target: &NodeId, form: &NodeId, nodes: (&NodeId, Option<&NodeId>)) {
        self.inner.associate_with_form(target, form, nodes)
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner.is_mathml_annotation_xml_integration_point(handle)
    }

    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number)
    }

    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }

    fn attach_declarative_shadow(&self, location: &NodeId, template: &NodeId, attrs: &[Attribute]) -> bool {
        self.inner.attach_declarative_shadow(location, template, attrs)
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner.maybe_clone_an_option_into_selectedcontent(option)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn depth_of_deepest(html: &Html) -> usize {
        html.tree.nodes().map(|n| n.ancestors().count()).max().unwrap_or(0)
    }

    #[test]
    fn deep_nesting_is_flattened_at_the_browser_limit() {
        let text = format!("<body>{}x", "<span>".repeat(5_000));
        let html = parse_document(&text, &Budget::unlimited()).expect("parsed");
        assert!(depth_of_deepest(&html) <= MAX_DOM_DEPTH + 1, "{}", depth_of_deepest(&html));
        assert_eq!(html.root_element().descendent_elements().filter(|e| e.value().name() == "span").count(), 5_000);
        assert!(html.root_element().text().any(|t| t == "x"), "the text is kept");
    }

    #[test]
    fn a_page_of_more_elements_than_any_real_page_is_too_complex_not_a_memory_hog() {
        let text = format!("<body>{}", "<i>x</i>".repeat(MAX_ELEMENTS + 10));
        let stopped = parse_document(&text, &Budget::unlimited()).expect_err("too many elements");
        assert!(stopped.elements.is_some_and(|n| n > MAX_ELEMENTS), "{stopped:?}");
        let fine = format!("<body>{}", "<i>x</i>".repeat(20_000));
        assert!(parse_document(&fine, &Budget::unlimited()).is_ok(), "twice the largest real page");
    }

    #[test]
    fn ordinary_documents_parse_as_scraper_parses_them() {
        let text = "<!doctype html><title>t</title><p>一<b>二</p>三<table><td>四</table><template><i>x</i></template>";
        let ours = parse_document(text, &Budget::unlimited()).expect("parsed");
        assert_eq!(ours.root_element().html(), Html::parse_document(text).root_element().html());
    }

    #[test]
    fn quadratic_nesting_runs_out_of_budget() {
        let text = "<div>".repeat(200_000);
        let error = parse_document(&text, &Budget::new(Duration::from_millis(200))).expect_err("too complex");
        assert_eq!(error.stage, "parsing the HTML");
    }
}
