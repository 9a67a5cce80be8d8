//! The page model: a parsed document plus the computed style of every element, and the DOM helpers
//! the checks share (visibility, roles, backgrounds, links). Rooms: `stylesheets` (what the page's
//! CSS is made of, through the application's loader), `locate` (where a finding is: selector paths,
//! snippets, headings, excerpts), `style` (the cascade), `aria`, `decode`, `parse`, `rendered`.

pub mod aria;
mod attribute;
pub mod decode;
mod locate;
pub mod parse;
pub mod rendered;
pub mod scaling;
pub(crate) mod scripts;
pub mod style;
mod stylesheets;

use crate::budget::{Budget, TooComplex};
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use style::{BackgroundImage, Cascade, ComputedStyle, Rgba, Unresolved, Viewport};
use url::Url;

pub use attribute::Attribute;
pub use decode::{binary_kind, decode_css, decode_html, decode_text, CharsetSource, Decoded};
pub use locate::{collapsed_text, css_identifier, snippet, Location, SNIPPET_CHARS};
use stylesheets::{collect_rules, document_base};
pub use stylesheets::{LoadError, NoStylesheets, StylesheetLoader};

/// A map keyed by the tree's node ids. Node ids are small integers, so the multiply-and-rotate
/// hash of rustc is enough and several times cheaper than SipHash; the checks look up styles,
/// roles and positions millions of times a corpus.
pub type NodeMap<V> = HashMap<NodeId, V, rustc_hash::FxBuildHasher>;
/// A set of the tree's node ids (see [`NodeMap`]).
pub type NodeSet = std::collections::HashSet<NodeId, rustc_hash::FxBuildHasher>;

/// How a page is built.
#[derive(Debug, Clone, Copy)]
pub struct PageOptions {
    pub viewport: Viewport,
    /// Upper bound on stylesheets loaded through `<link>` and `@import` together.
    pub max_stylesheets: usize,
    /// How deep `@import` chains are followed.
    pub max_import_depth: usize,
    /// Upper bound on the bytes of linked and imported CSS one page loads: the next sheet is not
    /// loaded once it is spent.
    pub max_stylesheet_bytes: usize,
}

/// CSS one page may load: HTTP Archive's 99th percentile page has about 2.5 MB of CSS, and 64
/// unique 4.9 MB sheets on every page of a site took 313 MB a page.
pub const MAX_STYLESHEET_BYTES: usize = 8 * 1024 * 1024;

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            viewport: Viewport::DESKTOP,
            max_stylesheets: 64,
            max_import_depth: 4,
            max_stylesheet_bytes: MAX_STYLESHEET_BYTES,
        }
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
    styles: NodeMap<ComputedStyle>,
    id_counts: HashMap<String, u32>,
    /// The first element with each id, as `getElementById` finds it.
    first_by_id: HashMap<String, NodeId>,
    /// The elements in document order (template contents left out): the checks walk this list, a
    /// slice, instead of the tree's edges, about twenty times a page.
    element_order: Vec<NodeId>,
    /// `<label for>` elements by the id they name, built on first use.
    labels_by_for: OnceLock<HashMap<String, Vec<NodeId>>>,
    /// What the inline scripts do, read once for the checks that need it.
    pub(crate) script_facts: OnceLock<scripts::ScriptFacts>,
    /// Selector paths already built for findings.
    selector_paths: std::cell::RefCell<NodeMap<String>>,
    /// Accessible names already computed ([`aria::accessible_name`]).
    pub(crate) accessible_names: std::cell::RefCell<NodeMap<aria::AccessibleName>>,
    /// Locations already built for findings.
    locations: std::cell::RefCell<NodeMap<locate::Location>>,
    /// The backgrounds behind each element asked about: both contrast checks (and custom ones)
    /// ask for every visible text.
    backgrounds: std::cell::RefCell<NodeMap<Result<Vec<Rgba>, BackgroundProblem>>>,
    /// Semantic roles of all elements, computed on first use (many checks filter by role).
    roles: OnceLock<NodeMap<Option<String>>>,
    /// Visible elements with their own text, computed on first use (font and contrast checks share it).
    pub(crate) visible_text: OnceLock<Vec<(NodeId, String, bool)>>,
    /// Headings in document order, and for each element the heading before it (built on first use).
    headings: OnceLock<(Vec<String>, NodeMap<usize>)>,
    /// Each element's position among its siblings (built on first use, for selector paths).
    sibling_positions: OnceLock<NodeMap<(u32, bool)>>,
    /// Rotation of each element with the viewport turned 90° (only when the CSS mentions orientation).
    other_orientation_rotation: Option<NodeMap<f32>>,
    /// What a browser reported after running the page's scripts (rendered mode only).
    rendering: Option<rendered::Rendering>,
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
        let mut element_order: Vec<NodeId> = Vec::new();
        for element in document_elements(&html) {
            element_order.push(element.id());
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
            element_order,
            labels_by_for: OnceLock::new(),
            roles: OnceLock::new(),
            selector_paths: std::cell::RefCell::new(NodeMap::default()),
            backgrounds: std::cell::RefCell::new(NodeMap::default()),
            locations: std::cell::RefCell::new(NodeMap::default()),
            accessible_names: std::cell::RefCell::new(NodeMap::default()),
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
            failed_stylesheets: facts.failed_stylesheets.clone(),
            failed_images: facts.failed_images.clone(),
            scaling: facts.scaling,
            interactions: facts.interactions,
            ..rendered::Rendering::default()
        };
        // An image map's areas have no box of their own (the browser computes `display: none` for
        // them), yet they are links a reader reaches through the image: they keep the engine's view.
        let boxless = |e: &ElementRef<'_>| matches!(e.value().name(), "area" | "map");
        let nodes: Vec<(NodeId, Option<NodeId>, Option<u32>, bool)> = document_elements(&self.html)
            .map(|e| {
                let tagged = e.value().attribute(rendered::ELEMENT_ID_ATTR).and_then(|v| v.parse::<u32>().ok());
                (e.id(), e.parent().and_then(ElementRef::wrap).map(|p| p.id()), tagged, boxless(&e))
            })
            .collect();
        // Document order visits parents first, so a parent's opacity is final before its children's.
        for (node, parent, tagged, boxless) in nodes {
            let parent_opacity = parent.and_then(|p| self.styles.get(&p)).map_or(1.0, |style| style.cumulative_opacity);
            let Some(style) = self.styles.get_mut(&node) else { continue };
            if let Some(id) = tagged {
                rendering.nodes.insert(id, node);
            }
            if let Some(element) = tagged.and_then(|id| by_id.get(&id)) {
                let engine_rendered = style.rendered;
                rendered::apply(style, element);
                if boxless {
                    style.rendered = engine_rendered;
                }
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
                if element.silent {
                    rendering.silent.insert(node);
                }
            }
            style.cumulative_opacity = parent_opacity * style.opacity;
        }
        self.rendering = Some(rendering);
        // Styles changed: backgrounds worked out before are stale.
        self.backgrounds.get_mut().clear();
        self.accessible_names.get_mut().clear();
    }

    /// What the browser reported, when the page was rendered.
    pub fn rendering(&self) -> Option<&rendered::Rendering> {
        self.rendering.as_ref()
    }

    /// Whether a stylesheet of the page did not load, so that what shows may not be what its author
    /// meant (a closed menu open, a colour missing): the engine's failures when it read the page
    /// alone, the browser's when a browser rendered it.
    pub fn styles_incomplete(&self) -> bool {
        match &self.rendering {
            Some(rendering) => !rendering.failed_stylesheets.is_empty(),
            None => !self.stylesheet_problems.is_empty(),
        }
    }

    /// On a rendered page where an image failed to load: whether the element's text sits over a
    /// CSS background image (its own or an ancestor's, up to the first opaque background), which
    /// the browser then painted as the colour beneath it.
    pub fn over_unloaded_background_image(&self, element: ElementRef<'_>) -> bool {
        if self.rendering.as_ref().is_none_or(|r| r.failed_images.is_empty()) {
            return false;
        }
        for el in std::iter::once(element).chain(element.ancestors().filter_map(ElementRef::wrap)) {
            let style = self.style_of(el);
            if matches!(style.background_image, BackgroundImage::Url) {
                return true;
            }
            if style.background_color.as_ref().is_ok_and(|c| c.is_opaque()) {
                return false;
            }
        }
        false
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
        self.element_order.iter().filter_map(|node| self.html.tree.get(*node).and_then(ElementRef::wrap))
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
                if let Some(target) = label.value().attribute("for") {
                    map.entry(target.to_string()).or_default().push(label.id());
                }
            }
            map
        });
        map.get(id)
            .map(|nodes| nodes.iter().filter_map(|n| self.html.tree.get(*n)).filter_map(ElementRef::wrap).collect())
            .unwrap_or_default()
    }

    /// The colours that can be behind an element's text: its own and its ancestors' backgrounds
    /// composited (over white, the canvas) with opacity applied. One colour for solid backgrounds;
    /// one per stop combination under gradients.
    pub fn backgrounds_behind(&self, element: ElementRef<'_>) -> Result<Vec<Rgba>, BackgroundProblem> {
        // A rendered page's photographed backdrop already holds images, gradients and shadows.
        if let Some(backdrop) = self.rendering.as_ref().and_then(|r| r.backdrops.get(&element.id())) {
            return Ok(vec![*backdrop]);
        }
        if let Some(known) = self.backgrounds.borrow().get(&element.id()) {
            return known.clone();
        }
        let computed = self.composite_backgrounds(element);
        self.backgrounds.borrow_mut().insert(element.id(), computed.clone());
        computed
    }

    fn composite_backgrounds(&self, element: ElementRef<'_>) -> Result<Vec<Rgba>, BackgroundProblem> {
        enum Layer {
            Solid(Rgba),
            Stops(Vec<Rgba>),
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
            "a" | "area" => v.attribute("href"),
            "frame" | "iframe" => v.attribute("src"),
            _ => None,
        };
        let Some(href) = target.map(str::trim).filter(|h| !h.is_empty() && !h.starts_with('#')) else { continue };
        let Ok(url) = base_url.join(href) else { continue };
        let mut text = collapsed_text(element);
        if text.is_empty() {
            text = element
                .descendent_elements()
                .find_map(|d| d.value().attribute("alt").filter(|a| !a.trim().is_empty()))
                .or_else(|| v.attribute("aria-label"))
                .or_else(|| v.attribute("title"))
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

#[cfg(test)]
mod tests;
