//! The page model: a parsed document plus the computed style of every element, and the
//! DOM helpers the checks share (visibility, selector paths, snippets, backgrounds).

pub mod aria;
pub mod decode;
pub mod parse;
pub mod rendered;
pub(crate) mod scripts;
pub mod style;

use crate::budget::{Budget, TooComplex};
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use style::{
    parse_stylesheet, BackgroundImage, Cascade, ComputedStyle, Origin, Rgba, RuleSet, SheetItem, StyleRule, Unresolved,
    Viewport,
};
use url::Url;

pub use decode::{binary_kind, decode_css, decode_html, CharsetSource, Decoded};

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

/// How a page is built.
#[derive(Debug, Clone, Copy)]
pub struct PageOptions {
    pub viewport: Viewport,
    /// Upper bound on stylesheets loaded through `<link>` and `@import` together.
    pub max_stylesheets: usize,
    /// How deep `@import` chains are followed.
    pub max_import_depth: usize,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions { viewport: Viewport::DESKTOP, max_stylesheets: 64, max_import_depth: 4 }
    }
}

/// A stylesheet that could not be used; the page is still checked with what did load.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StylesheetProblem {
    pub url: String,
    pub message: String,
}

/// A page ready to be checked.
pub struct Page {
    pub url: Url,
    /// The URL relative references resolve against (`<base href>` or the page URL).
    pub base_url: Url,
    pub html: Html,
    pub viewport: Viewport,
    pub encoding: &'static str,
    pub charset_source: Option<CharsetSource>,
    pub stylesheet_problems: Vec<StylesheetProblem>,
    /// Number of style rules in the cascade (user agent + author).
    pub rule_count: usize,
    styles: HashMap<NodeId, ComputedStyle>,
    id_counts: HashMap<String, u32>,
    /// The first element with each id, as `getElementById` finds it.
    first_by_id: HashMap<String, NodeId>,
    /// `<label for>` elements by the id they name, built on first use.
    labels_by_for: OnceLock<HashMap<String, Vec<NodeId>>>,
    /// What the inline scripts do, read once for the checks that need it.
    pub(crate) script_facts: OnceLock<scripts::ScriptFacts>,
    /// Selector paths already built for findings.
    selector_paths: std::cell::RefCell<HashMap<NodeId, String>>,
    /// Semantic roles of all elements, computed on first use (many checks filter by role).
    roles: OnceLock<HashMap<NodeId, Option<String>>>,
    /// Visible elements with their own text, computed on first use (font and contrast checks share it).
    pub(crate) visible_text: OnceLock<Vec<(NodeId, String)>>,
    /// Headings in document order, and for each element the heading before it (built on first use).
    headings: OnceLock<(Vec<String>, HashMap<NodeId, usize>)>,
    /// Each element's position among its siblings (built on first use, for selector paths).
    sibling_positions: OnceLock<HashMap<NodeId, (u32, bool)>>,
    /// Rotation of each element with the viewport turned 90° (only when the CSS mentions orientation).
    other_orientation_rotation: Option<HashMap<NodeId, f32>>,
    /// What a browser reported after running the page's scripts (rendered mode only).
    rendering: Option<rendered::Rendering>,
}

fn user_agent_rules(quirks: bool) -> &'static Vec<StyleRule> {
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

impl Page {
    /// Decodes and builds a page from the bytes of an HTML document.
    pub fn from_bytes(
        url: Url,
        bytes: &[u8],
        header_charset: Option<&str>,
        loader: &dyn StylesheetLoader,
        options: PageOptions,
    ) -> Page {
        Page::from_bytes_observed(url, bytes, header_charset, loader, options, |_| {})
    }

    /// Like [`Page::from_bytes`], and hands the page's links to `on_links` as soon as the document is
    /// parsed, before the cascade runs, so that a crawler can queue them while the page is styled and checked.
    pub fn from_bytes_observed(
        url: Url,
        bytes: &[u8],
        header_charset: Option<&str>,
        loader: &dyn StylesheetLoader,
        options: PageOptions,
        on_links: impl FnOnce(Vec<Link>),
    ) -> Page {
        Page::within_budget(url, bytes, header_charset, loader, options, &Budget::unlimited(), on_links)
            .expect("an unlimited budget never runs out")
    }

    /// Like [`Page::from_bytes_observed`], giving up with [`TooComplex`] when building the page
    /// (parsing, styles, cascade) uses more CPU time than `budget` allows.
    pub fn within_budget(
        url: Url,
        bytes: &[u8],
        header_charset: Option<&str>,
        loader: &dyn StylesheetLoader,
        options: PageOptions,
        budget: &Budget,
        on_links: impl FnOnce(Vec<Link>),
    ) -> Result<Page, TooComplex> {
        let decoded = decode_html(bytes, header_charset);
        let mut page = Page::build(url, &decoded.text, loader, options, decoded.encoding, budget, on_links)?;
        page.encoding = decoded.encoding.name();
        page.charset_source = Some(decoded.source);
        Ok(page)
    }

    /// Builds a page from text. `encoding` is the one linked stylesheets fall back to.
    pub fn from_html(
        url: Url,
        text: &str,
        loader: &dyn StylesheetLoader,
        options: PageOptions,
        encoding: &'static encoding_rs::Encoding,
    ) -> Page {
        Page::build(url, text, loader, options, encoding, &Budget::unlimited(), |_| {})
            .expect("an unlimited budget never runs out")
    }

    fn build(
        url: Url,
        text: &str,
        loader: &dyn StylesheetLoader,
        options: PageOptions,
        encoding: &'static encoding_rs::Encoding,
        budget: &Budget,
        on_links: impl FnOnce(Vec<Link>),
    ) -> Result<Page, TooComplex> {
        let html = parse::parse_document(text, budget)?;
        let base = document_base(&html, &url, loader);
        on_links(links_of(&html, &base));
        let collected = collect_rules(&html, &base, loader, options, encoding);
        budget.check("reading the stylesheets")?;
        let problems = collected.problems;
        let rules = collected.rules;
        // Orientation locks show only when the page is styled in both orientations.
        let other_orientation_rotation = collected.mentions_orientation.then(|| {
            let swapped = PageOptions {
                viewport: Viewport { width: options.viewport.height, height: options.viewport.width },
                ..options
            };
            let other = collect_rules(&html, &base, loader, swapped, encoding);
            Cascade::new(&other.rules, swapped.viewport).compute_within(&html, budget).map(|styles| {
                styles.into_iter().filter_map(|(node, style)| style.rotation_degrees().map(|r| (node, r))).collect()
            })
        });
        let other_orientation_rotation = other_orientation_rotation.transpose()?;
        budget.check("computing styles")?;
        let rule_count = rules.len();
        let styles = Cascade::new(&rules, options.viewport).compute_within(&html, budget)?;
        let mut id_counts: HashMap<String, u32> = HashMap::new();
        let mut first_by_id: HashMap<String, NodeId> = HashMap::new();
        for element in document_elements(&html) {
            if let Some(id) = element.value().id() {
                *id_counts.entry(id.to_string()).or_default() += 1;
                first_by_id.entry(id.to_string()).or_insert(element.id());
            }
        }
        Ok(Page {
            url,
            base_url: base,
            html,
            viewport: options.viewport,
            encoding: encoding.name(),
            charset_source: None,
            stylesheet_problems: problems,
            rule_count,
            styles,
            id_counts,
            first_by_id,
            labels_by_for: OnceLock::new(),
            roles: OnceLock::new(),
            selector_paths: std::cell::RefCell::new(HashMap::new()),
            script_facts: OnceLock::new(),
            visible_text: OnceLock::new(),
            headings: OnceLock::new(),
            sibling_positions: OnceLock::new(),
            other_orientation_rotation,
            rendering: None,
        })
    }

    /// Takes a browser's computed values and layout boxes for the elements it tagged with
    /// [`rendered::ELEMENT_ID_ATTR`]: from now on the checks judge what the browser showed. Elements
    /// the browser did not report keep the engine's values.
    pub fn apply_browser_facts(&mut self, facts: rendered::BrowserFacts) {
        let by_id: HashMap<u32, &rendered::BrowserElement> = facts.elements.iter().map(|e| (e.id, e)).collect();
        let mut rendering = rendered::Rendering {
            viewport: rendered::Bounds { x: 0.0, y: 0.0, width: facts.viewport_width, height: facts.viewport_height },
            document_height: facts.document_height,
            dialogs: facts.dialogs.clone(),
            ..rendered::Rendering::default()
        };
        let nodes: Vec<(NodeId, Option<NodeId>, Option<u32>)> = document_elements(&self.html)
            .map(|e| {
                let tagged = e.value().attr(rendered::ELEMENT_ID_ATTR).and_then(|v| v.parse::<u32>().ok());
                (e.id(), e.parent().and_then(ElementRef::wrap).map(|p| p.id()), tagged)
            })
            .collect();
        // Document order visits parents first, so a parent's opacity is final before its children's.
        for (node, parent, tagged) in nodes {
            let parent_opacity = parent.and_then(|p| self.styles.get(&p)).map_or(1.0, |style| style.cumulative_opacity);
            let Some(style) = self.styles.get_mut(&node) else { continue };
            if let Some(element) = tagged.and_then(|id| by_id.get(&id)) {
                rendered::apply(style, element);
                if let Some(bounds) = element.bounds {
                    rendering.boxes.insert(node, bounds);
                    // Wholly above or left of the page: no reader can scroll to it (`top: -999em`).
                    if bounds.x + bounds.width <= 0.0 || bounds.y + bounds.height <= 0.0 {
                        style.clipped_away = true;
                    }
                }
                if let Some(backdrop) = element.backdrop.as_deref().and_then(rendered::color) {
                    rendering.backdrops.insert(node, backdrop);
                }
                if element.focus_escapes {
                    rendering.focus_escapes.insert(node);
                }
                rendering.lines.insert(node, element.lines);
                if element.moved {
                    rendering.moved.insert(node);
                }
                if element.audible {
                    rendering.audible.insert(node);
                }
            }
            style.cumulative_opacity = parent_opacity * style.opacity;
        }
        self.rendering = Some(rendering);
    }

    /// What the browser reported, when the page was rendered.
    pub fn rendering(&self) -> Option<&rendered::Rendering> {
        self.rendering.as_ref()
    }

    /// The element's layout box as the browser drew it (rendered pages only).
    pub fn layout_box(&self, element: ElementRef<'_>) -> Option<rendered::Bounds> {
        self.rendering.as_ref()?.boxes.get(&element.id()).copied()
    }

    /// Convenience for tests and fixtures: UTF-8 text, no external stylesheets, desktop viewport.
    pub fn parse(url: &str, text: &str) -> Page {
        let url = Url::parse(url).unwrap_or_else(|_| Url::parse("file:///page.html").expect("static URL"));
        Page::from_html(url, text, &NoStylesheets, PageOptions::default(), encoding_rs::UTF_8)
    }

    pub fn root(&self) -> ElementRef<'_> {
        self.html.root_element()
    }

    /// Every element of the document in document order (not the inert contents of `<template>`).
    pub fn elements(&self) -> impl Iterator<Item = ElementRef<'_>> {
        document_elements(&self.html)
    }

    /// The element's rotation in degrees with the viewport turned 90°: `None` when the page's
    /// CSS never mentions orientation (so nothing changes) or the rotation cannot be read.
    pub fn rotation_in_other_orientation(&self, element: ElementRef<'_>) -> Option<f32> {
        self.other_orientation_rotation.as_ref()?.get(&element.id()).copied()
    }

    /// Whether the page's CSS has orientation media queries.
    pub fn styles_depend_on_orientation(&self) -> bool {
        self.other_orientation_rotation.is_some()
    }

    /// The role assistive technology sees for an element (see [`aria::semantic_role`]), cached.
    pub fn role(&self, element: ElementRef<'_>) -> Option<&str> {
        self.roles
            .get_or_init(|| self.elements().map(|e| (e.id(), aria::semantic_role(e))).collect())
            .get(&element.id())
            .and_then(|r| r.as_deref())
    }

    /// The element for a node id of this page.
    pub fn element(&self, node: NodeId) -> Option<ElementRef<'_>> {
        self.html.tree.get(node).and_then(ElementRef::wrap)
    }

    /// The element with this id (the first, if several share it).
    pub fn element_by_id(&self, id: &str) -> Option<ElementRef<'_>> {
        self.first_by_id.get(id).and_then(|node| self.html.tree.get(*node)).and_then(ElementRef::wrap)
    }

    pub fn style(&self, element: ElementRef<'_>) -> Option<&ComputedStyle> {
        self.styles.get(&element.id())
    }

    /// The computed style of an element, for elements that belong to this page.
    pub fn style_of(&self, element: ElementRef<'_>) -> &ComputedStyle {
        static INITIAL: OnceLock<ComputedStyle> = OnceLock::new();
        self.styles.get(&element.id()).unwrap_or_else(|| INITIAL.get_or_init(ComputedStyle::initial))
    }

    /// Rendered (no `display: none` on it or an ancestor).
    pub fn is_rendered(&self, element: ElementRef<'_>) -> bool {
        self.style_of(element).rendered
    }

    /// Rendered, not `visibility: hidden`, not fully transparent, and not clipped away the way
    /// "visually hidden" text for screen readers is.
    pub fn is_visible(&self, element: ElementRef<'_>) -> bool {
        let style = self.style_of(element);
        style.rendered
            && !style.is_visibility_hidden()
            && style.cumulative_opacity > 0.0
            && !self.is_clipped_away(element)
    }

    /// `clip: rect(0 0 0 0)`/`clip-path: inset(50%)` on a 1px box, or a far off-screen position:
    /// content meant for screen readers only.
    pub fn is_clipped_away(&self, element: ElementRef<'_>) -> bool {
        self.style_of(element).clipped_away
    }

    /// `aria-hidden="true"` on the element or an ancestor.
    pub fn is_aria_hidden(&self, element: ElementRef<'_>) -> bool {
        self.style_of(element).aria_hidden
    }

    /// The `<label for=id>` elements of a control id, in document order.
    pub fn labels_for(&self, id: &str) -> Vec<ElementRef<'_>> {
        let map = self.labels_by_for.get_or_init(|| {
            let mut map: HashMap<String, Vec<NodeId>> = HashMap::new();
            for label in self.elements().filter(|e| e.value().name() == "label") {
                if let Some(target) = label.value().attr("for") {
                    map.entry(target.to_string()).or_default().push(label.id());
                }
            }
            map
        });
        map.get(id)
            .map(|nodes| nodes.iter().filter_map(|n| self.html.tree.get(*n)).filter_map(ElementRef::wrap).collect())
            .unwrap_or_default()
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
    fn sibling_positions(&self) -> &HashMap<NodeId, (u32, bool)> {
        self.sibling_positions.get_or_init(|| {
            let mut positions = HashMap::new();
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

    fn compute_selector_path(&self, element: ElementRef<'_>) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut current = element;
        loop {
            let el = current.value();
            if let Some(id) = el.id().filter(|id| !id.is_empty() && self.id_counts.get(*id) == Some(&1)) {
                parts.push(format!("#{}", css_identifier(id)));
                break;
            }
            // Custom tag names may hold characters a selector must escape (`sohu_cms_include:aut`).
            let tag = css_identifier(el.name());
            let Some(parent) = current.parent().and_then(ElementRef::wrap) else {
                parts.push(tag);
                break;
            };
            let (position, same_tag_elsewhere) =
                self.sibling_positions().get(&current.id()).copied().unwrap_or((1, false));
            if same_tag_elsewhere {
                parts.push(format!("{tag}:nth-child({position})"));
            } else {
                parts.push(tag);
            }
            current = parent;
        }
        parts.reverse();
        parts.join(" > ")
    }

    /// The colours that can be behind an element's text: its own and its ancestors' backgrounds
    /// composited (over white, the canvas) with opacity applied. One colour for solid backgrounds;
    /// one per stop combination under gradients.
    pub fn backgrounds_behind(&self, element: ElementRef<'_>) -> Result<Vec<Rgba>, BackgroundProblem> {
        enum Layer {
            Solid(Rgba),
            Stops(Vec<Rgba>),
        }
        // A rendered page's photographed backdrop already holds images, gradients and shadows.
        if let Some(backdrop) = self.rendering.as_ref().and_then(|r| r.backdrops.get(&element.id())) {
            return Ok(vec![*backdrop]);
        }
        let mut layers: Vec<Layer> = Vec::new();
        let mut current = Some(element);
        let mut positioned_without_background = false;
        let mut reached_opaque = false;
        while let Some(el) = current {
            let s = self.style_of(el);
            let opacity = s.cumulative_opacity;
            // Painted top-down: image above the element's own colour.
            match &s.background_image {
                BackgroundImage::None => {}
                BackgroundImage::Url => return Err(BackgroundProblem::Image),
                BackgroundImage::Gradient(stops) if stops.is_empty() => return Err(BackgroundProblem::Gradient),
                BackgroundImage::Gradient(stops) => {
                    let opaque = stops.iter().all(|c| c.is_opaque());
                    layers.push(Layer::Stops(stops.iter().map(|c| c.with_alpha_scaled(opacity)).collect()));
                    if opaque && opacity >= 0.999 {
                        reached_opaque = true;
                        break;
                    }
                }
            }
            let color = s.background_color.clone().map_err(BackgroundProblem::Unresolved)?;
            layers.push(Layer::Solid(color.with_alpha_scaled(opacity)));
            if color.is_opaque() && opacity >= 0.999 {
                reached_opaque = true;
                break;
            }
            if s.is_positioned_out_of_flow() && !color.is_opaque() {
                positioned_without_background = true;
            }
            current = el.parent().and_then(ElementRef::wrap);
        }
        if positioned_without_background && !reached_opaque {
            return Err(BackgroundProblem::Positioned);
        }
        let mut candidates = vec![Rgba::WHITE];
        for layer in layers.iter().rev() {
            candidates = match layer {
                Layer::Solid(c) => candidates.iter().map(|b| c.over(*b)).collect(),
                Layer::Stops(stops) => candidates.iter().flat_map(|b| stops.iter().map(move |s| s.over(*b))).collect(),
            };
            candidates.dedup();
            candidates.truncate(64);
        }
        Ok(candidates)
    }

    /// The declaration that paints the element's backdrop: the nearest background colour on the
    /// element or an ancestor.
    pub fn background_origin(&self, element: ElementRef<'_>) -> Option<std::sync::Arc<style::DeclarationOrigin>> {
        std::iter::once(element).chain(element.ancestors().filter_map(ElementRef::wrap)).find_map(|e| {
            let s = self.style_of(e);
            let painted = s.background_color.as_ref().is_ok_and(|c| c.a > 0.0);
            painted.then(|| s.origins.background_color.clone()).flatten()
        })
    }

    /// Links to other pages (`a`/`area` `href`, `frame`/`iframe` `src`) with the text a reader sees
    /// for them, in document order. Used by the crawler; judging nothing.
    pub fn links(&self) -> Vec<Link> {
        links_of(&self.html, &self.base_url)
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
        // One pass over the attributes: looking each name up interns it as an atom first.
        let attrs: Vec<(&str, &str)> = el.attrs().collect();
        let attr_value = |name: &str| attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        for attr in ["src", "href", "action", "data"] {
            let Some(value) = attr_value(attr).map(str::trim).filter(|v| !v.is_empty()) else { continue };
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
            if let Some(value) = attr_value(attr).map(str::trim).filter(|v| !v.is_empty()) {
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
            let mut before = HashMap::new();
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
        let attrs: Vec<(&str, &str)> = element.value().attrs().collect();
        let attr_value = |name: &str| attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
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

/// A link found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub url: Url,
    pub text: String,
}

fn links_of(html: &Html, base_url: &Url) -> Vec<Link> {
    let mut out = Vec::new();
    for element in document_elements(html) {
        let v = element.value();
        let target = match v.name() {
            "a" | "area" => v.attr("href"),
            "frame" | "iframe" => v.attr("src"),
            _ => None,
        };
        let Some(href) = target.map(str::trim).filter(|h| !h.is_empty() && !h.starts_with('#')) else { continue };
        let Ok(url) = base_url.join(href) else { continue };
        let mut text = collapsed_text(element);
        if text.is_empty() {
            text = element
                .descendent_elements()
                .find_map(|d| d.value().attr("alt").filter(|a| !a.trim().is_empty()))
                .or_else(|| v.attr("aria-label"))
                .or_else(|| v.attr("title"))
                .unwrap_or_default()
                .trim()
                .to_string();
        }
        out.push(Link { url, text });
    }
    out
}

/// Why the background behind text is not a single known colour.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackgroundProblem {
    /// A background image: its pixels need a browser.
    Image,
    /// A gradient whose stops the engine could not read.
    Gradient,
    Unresolved(Unresolved),
    /// Absolutely or fixed positioned with no background of its own: it sits over content the
    /// engine does not lay out.
    Positioned,
}

/// The rules of a page for one viewport, with what went wrong loading them.
struct CollectedRules {
    rules: RuleSet,
    problems: Vec<StylesheetProblem>,
    mentions_orientation: bool,
}

fn collect_rules(
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
        .and_then(|b| b.value().attr("text"))
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
    let mut mentions_orientation = false;
    let mut style_elements = 0u32;
    for element in document_elements(html) {
        let el = element.value();
        let applies =
            |el: &scraper::node::Element| el.attr("media").is_none_or(|m| style::matches_media(m, options.viewport));
        match el.name() {
            "style" if applies(el) && !in_inert_subtree(element) => {
                let css: String = element.text().collect();
                mentions_orientation |= css.contains("orientation");
                let mut chain = Vec::new();
                style_elements += 1;
                let source = style::Source::StyleElement { index: style_elements };
                let items = style::parse_stylesheet_in(&css, options.viewport, source, quirks);
                let mut state = SheetState {
                    rules: &mut rules,
                    problems: &mut problems,
                    budget: &mut budget,
                    mentions_orientation: &mut mentions_orientation,
                };
                add_items_with(items, base, loader, options, encoding, &mut state, &mut chain, 0);
            }
            "link" if is_stylesheet_link(el) && applies(el) && !in_inert_subtree(element) => {
                let Some(href) = el.attr("href") else { continue };
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
                    mentions_orientation: &mut mentions_orientation,
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
    let rel = el.attr("rel").unwrap_or("").to_ascii_lowercase();
    let words: Vec<&str> = rel.split_ascii_whitespace().collect();
    words.contains(&"stylesheet") && !words.contains(&"alternate") && el.attr("disabled").is_none()
}

fn document_base(html: &Html, url: &Url, loader: &dyn StylesheetLoader) -> Url {
    html.root_element()
        .descendent_elements()
        .find(|e| e.value().name() == "base" && e.value().attr("href").is_some())
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| loader.resolve(url, href))
        .unwrap_or_else(|| url.clone())
}

/// What loading stylesheets accumulates for one page.
struct SheetState<'a> {
    rules: &'a mut RuleSet,
    problems: &'a mut Vec<StylesheetProblem>,
    budget: &'a mut usize,
    mentions_orientation: &'a mut bool,
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
    *state.budget -= 1;
    match loader.load(url) {
        Ok(bytes) => {
            let css = decode_css(&bytes, encoding);
            *state.mentions_orientation |= css.contains("orientation");
            let source = style::Source::Stylesheet { url: url.as_str().into() };
            let items = style::parse_stylesheet_in(&css, options.viewport, source, state.rules.quirks);
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
            SheetItem::Rule(rule) => state.rules.push(Origin::Author, rule),
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

/// The elements of a document in document order, without the contents of `<template>` elements:
/// those are an inert fragment that is never shown, linked, styled or announced.
pub fn document_elements(html: &Html) -> impl Iterator<Item = ElementRef<'_>> {
    use ego_tree::iter::Edge;
    let mut skipping: Option<NodeId> = None;
    html.root_element().traverse().filter_map(move |edge| match edge {
        Edge::Open(node) if skipping.is_none() => {
            if matches!(node.value(), Node::Fragment) {
                skipping = Some(node.id());
                None
            } else {
                ElementRef::wrap(node)
            }
        }
        Edge::Close(node) if skipping == Some(node.id()) => {
            skipping = None;
            None
        }
        _ => None,
    })
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
                    for (name, value) in el.attrs().filter(|(name, _)| *name != rendered::ELEMENT_ID_ATTR) {
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

#[cfg(test)]
mod tests;
