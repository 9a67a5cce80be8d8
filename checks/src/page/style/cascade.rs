//! The cascade: rules indexed by id/class/tag, matched with `selectors`, ordered by origin,
//! importance, specificity and source order, then computed top-down with inheritance.

use super::compute::compute_one;
use super::origin::DeclarationOrigin;
use super::props::{CustomDeclaration, Declaration};
use super::sheet::{parse_style_attribute_in, StyleRule};
use super::values::{BackgroundImage, Rgba, SizeUnitKind, Unresolved};
use super::Viewport;
use crate::budget::{Budget, TooComplex};
use crate::page::Attribute;
use crate::page::NodeMap;
use precomputed_hash::PrecomputedHash;
use scraper::{ElementRef, Html};
use selectors::bloom::BloomFilter;
use selectors::matching::{
    matches_selector, MatchingContext, MatchingForInvalidation, MatchingMode, NeedsSelectorFlags, QuirksMode,
    SelectorCaches,
};
use selectors::parser::{AncestorHashes, Component};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Arc as Rc;

/// Where a rule came from; author rules beat the browser's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    UserAgent,
    Author,
}

#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    rule: u32,
    selector: u16,
    /// The selector's ancestor hashes (`selectors::parser::AncestorHashes`), which the ancestor
    /// Bloom filter tests before the selector is matched.
    ancestor_hashes: [u32; 3],
}

/// All rules that apply to a page, with an index by the rightmost compound selector's
/// id, class or tag so that each element is only matched against rules that could apply.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<(Origin, StyleRule)>,
    by_id: HashMap<String, Vec<IndexEntry>>,
    by_class: HashMap<String, Vec<IndexEntry>>,
    by_tag: HashMap<String, Vec<IndexEntry>>,
    universal: Vec<IndexEntry>,
    /// A quirks-mode document: class and id selectors match regardless of case, and its style
    /// sheets and attributes are read with the quirks-mode value rules.
    pub quirks: bool,
}

impl RuleSet {
    pub fn push(&mut self, origin: Origin, rule: StyleRule) {
        let rule_index = self.rules.len() as u32;
        for (i, parsed) in rule.selectors.iter().enumerate() {
            let quirks_mode = if self.quirks { QuirksMode::Quirks } else { QuirksMode::NoQuirks };
            let ancestor_hashes = AncestorHashes::new(&parsed.selector, quirks_mode).packed_hashes;
            let entry = IndexEntry { rule: rule_index, selector: i as u16, ancestor_hashes };
            let mut key: Option<(u8, String)> = None;
            for component in parsed.selector.iter() {
                let fold = |name: String| if self.quirks { name.to_ascii_lowercase() } else { name };
                let candidate = match component {
                    Component::ID(id) => Some((0, fold(id.0.to_string()))),
                    Component::Class(class) => Some((1, fold(class.0.to_string()))),
                    Component::LocalName(name) => Some((2, name.lower_name.0.to_string())),
                    _ => None,
                };
                if let Some(c) = candidate {
                    if key.as_ref().is_none_or(|k| c.0 < k.0) {
                        key = Some(c);
                    }
                }
            }
            match key {
                Some((0, id)) => self.by_id.entry(id).or_default().push(entry),
                Some((1, class)) => self.by_class.entry(class).or_default().push(entry),
                Some((_, tag)) => self.by_tag.entry(tag).or_default().push(entry),
                None => self.universal.push(entry),
            }
        }
        self.rules.push((origin, rule));
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// How `font-size` on an element came about, for `fixed-font-size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontSizeOrigin {
    /// The unit kind of a `font-size` declared on this element itself.
    pub declared: Option<SizeUnitKind>,
    /// Whether the size still follows the reader's default text size (no absolute size up the chain).
    pub scales_with_user_setting: bool,
}

/// A box dimension: `auto`/keywords, px, or a percentage of a containing block the engine does not lay out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Extent {
    Auto,
    Px(f32),
    Percent(f32),
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LineHeight {
    Normal,
    /// A unitless factor, inherited as a factor.
    Factor(f32),
    Px(f32),
}

/// Where the values the checks judge came from: the winning declaration, or the inherited one.
/// `None` means the initial value (nobody declared it).
#[derive(Debug, Clone, Default)]
pub struct StyleOrigins {
    pub font_size: Option<Arc<DeclarationOrigin>>,
    pub color: Option<Arc<DeclarationOrigin>>,
    pub background_color: Option<Arc<DeclarationOrigin>>,
    pub line_height: Option<Arc<DeclarationOrigin>>,
}

/// The resolved values of one element.
#[derive(Debug, Clone)]
pub struct ComputedStyle {
    pub display: Arc<str>,
    pub visibility: Arc<str>,
    pub font_size: Result<f32, Unresolved>,
    pub font_size_origin: FontSizeOrigin,
    pub font_weight: f32,
    pub color: Result<Rgba, Unresolved>,
    pub background_color: Result<Rgba, Unresolved>,
    pub background_image: BackgroundImage,
    pub opacity: f32,
    pub line_height: Result<LineHeight, Unresolved>,
    pub letter_spacing: Result<f32, Unresolved>,
    pub word_spacing: Result<f32, Unresolved>,
    pub text_indent: Result<f32, Unresolved>,
    pub position: Arc<str>,
    pub z_index: Option<i32>,
    pub width: Extent,
    pub height: Extent,
    pub min_width: Extent,
    pub min_height: Extent,
    pub max_width: Extent,
    pub max_height: Extent,
    pub top: Extent,
    pub left: Extent,
    pub right: Extent,
    pub bottom: Extent,
    pub overflow_x: Arc<str>,
    pub overflow_y: Arc<str>,
    pub transform: Option<Box<str>>,
    pub text_shadow: Option<Box<str>>,
    pub clip: Option<Box<str>>,
    pub clip_path: Option<Box<str>>,
    /// The `rotate` property.
    pub rotate: Option<Box<str>>,
    /// False when this element or an ancestor has `display: none`.
    pub rendered: bool,
    /// The product of this element's and its ancestors' `opacity`.
    pub cumulative_opacity: f32,
    /// `aria-hidden="true"` on this element or an ancestor.
    pub aria_hidden: bool,
    /// This element or an ancestor is clipped to nothing or parked off screen (screen-reader-only text).
    pub clipped_away: bool,
    /// The font family is exactly the generic `monospace` (browsers give it a 13px default size).
    pub monospace: bool,
    /// Where font size, colours and line height came from.
    pub origins: StyleOrigins,
    /// Custom properties in scope (inherited), for `var()`.
    pub(super) custom: Rc<CustomProperties>,
}

/// Custom properties in scope: the element's own declarations over its parent's, as a chain shared
/// by every descendant. Copying the inherited map per element made `*{--z:1}` under 2,000 root
/// variables cost 2.6 GB on a 108 KB page; a chain costs what the page declares. Only elements
/// that declare custom properties add a link, and the tree is at most
/// [`crate::page::parse::MAX_DOM_DEPTH`] deep, so a lookup walks a bounded chain.
#[derive(Debug, Default)]
pub struct CustomProperties {
    pub(super) own: HashMap<Box<str>, Box<str>>,
    pub(super) parent: Option<Rc<CustomProperties>>,
}

impl CustomProperties {
    pub fn get(&self, name: &str) -> Option<&str> {
        let mut link = Some(self);
        while let Some(properties) = link {
            if let Some(value) = properties.own.get(name) {
                return Some(value);
            }
            link = properties.parent.as_deref();
        }
        None
    }
}

impl Drop for CustomProperties {
    /// Unlinks the chain iteratively: the default drop recurses once per link.
    fn drop(&mut self) {
        let mut next = self.parent.take();
        while let Some(link) = next {
            next = match Rc::try_unwrap(link) {
                Ok(mut properties) => properties.parent.take(),
                Err(_) => None,
            };
        }
    }
}

pub(super) const INITIAL_FONT_PX: f32 = 16.0;

impl ComputedStyle {
    /// The initial values, as for the parent of the root element.
    pub fn initial() -> ComputedStyle {
        ComputedStyle {
            display: "inline".into(),
            visibility: "visible".into(),
            font_size: Ok(INITIAL_FONT_PX),
            font_size_origin: FontSizeOrigin { declared: None, scales_with_user_setting: true },
            font_weight: 400.0,
            color: Ok(Rgba::BLACK),
            background_color: Ok(Rgba::TRANSPARENT),
            background_image: BackgroundImage::None,
            opacity: 1.0,
            line_height: Ok(LineHeight::Normal),
            letter_spacing: Ok(0.0),
            word_spacing: Ok(0.0),
            text_indent: Ok(0.0),
            position: "static".into(),
            z_index: None,
            width: Extent::Auto,
            height: Extent::Auto,
            min_width: Extent::Auto,
            min_height: Extent::Auto,
            max_width: Extent::Auto,
            max_height: Extent::Auto,
            top: Extent::Auto,
            left: Extent::Auto,
            right: Extent::Auto,
            bottom: Extent::Auto,
            overflow_x: "visible".into(),
            overflow_y: "visible".into(),
            transform: None,
            text_shadow: None,
            clip: None,
            clip_path: None,
            rotate: None,
            rendered: true,
            cumulative_opacity: 1.0,
            aria_hidden: false,
            clipped_away: false,
            monospace: false,
            origins: StyleOrigins::default(),
            custom: Rc::new(CustomProperties::default()),
        }
    }

    pub fn is_display_none(&self) -> bool {
        &*self.display == "none"
    }

    pub fn is_visibility_hidden(&self) -> bool {
        matches!(&*self.visibility, "hidden" | "collapse")
    }

    pub fn is_positioned_out_of_flow(&self) -> bool {
        matches!(&*self.position, "absolute" | "fixed")
    }

    /// The rotation (degrees, clockwise) from `transform` and `rotate`, when the engine can read it.
    pub fn rotation_degrees(&self) -> Option<f32> {
        let mut total = 0.0;
        if let Some(t) = self.transform.as_deref() {
            total += super::values::transform_rotation(t)?;
        }
        if let Some(r) = self.rotate.as_deref() {
            total += super::values::rotate_property(r)?;
        }
        Some(total)
    }

    /// `clip: rect(0 0 0 0)`/`clip-path: inset(50%)`, a far off-screen position, or a 1×1 px box
    /// with hidden overflow: the "visually hidden" patterns for screen-reader-only content.
    pub fn hides_its_box(&self) -> bool {
        // `clip` applies only to absolutely or fixed positioned boxes, and only a rectangle of four
        // lengths at most a pixel wide or high hides them (`rect( )` or `rect(auto …)` hides nothing).
        let clipped = self.is_positioned_out_of_flow() && self.clip.as_deref().is_some_and(clip_rect_is_empty)
            || self.clip_path.as_deref().is_some_and(|c| c.replace(' ', "").contains("inset(50%)"));
        let off_screen = self.is_positioned_out_of_flow()
            && [self.left, self.top].iter().any(|e| matches!(e, Extent::Px(px) if *px <= -999.0));
        let tiny = matches!(self.width, Extent::Px(w) if w <= 1.0)
            && matches!(self.height, Extent::Px(h) if h <= 1.0)
            && matches!(&*self.overflow_x, "hidden" | "clip");
        clipped || off_screen || tiny
    }

    /// Line height in px, when known (`normal` is taken as 1.2, the common browser value).
    pub fn line_height_px(&self) -> Option<f32> {
        let font = self.font_size.as_ref().ok()?;
        match self.line_height.as_ref().ok()? {
            LineHeight::Normal => Some(font * 1.2),
            LineHeight::Factor(f) => Some(font * f),
            LineHeight::Px(px) => Some(*px),
        }
    }
}

/// Whether `clip: rect(top, right, bottom, left)` leaves at most one pixel in either direction.
fn clip_rect_is_empty(clip: &str) -> bool {
    let Some(inner) = clip.trim().strip_prefix("rect(").and_then(|r| r.trim_end().strip_suffix(')')) else {
        return false;
    };
    let values: Vec<Option<f32>> = inner
        .split([',', ' '])
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().trim_end_matches("px").parse::<f32>().ok())
        .collect();
    match values.as_slice() {
        [Some(top), Some(right), Some(bottom), Some(left)] => (right - left) <= 1.0 || (bottom - top) <= 1.0,
        _ => false,
    }
}

/// Computes styles for every element of a document.
pub struct Cascade<'a> {
    rules: &'a RuleSet,
    viewport: Viewport,
    initial: ComputedStyle,
}

/// One matched declaration block, with its cascade sort key.
pub(super) struct Matched<'r> {
    pub(super) key: (u8, u32, u32),
    pub(super) declarations: &'r [Declaration],
    pub(super) custom: &'r [CustomDeclaration],
}

impl<'a> Cascade<'a> {
    pub fn new(rules: &'a RuleSet, viewport: Viewport) -> Self {
        Cascade { rules, viewport, initial: ComputedStyle::initial() }
    }

    /// Computes every element's style in document order (element → style), giving up when the
    /// page's budget runs out (checked every few hundred elements).
    pub fn compute_within(&self, html: &Html, budget: &Budget) -> Result<NodeMap<ComputedStyle>, TooComplex> {
        // Sized once: growing moves every computed style (hundreds of bytes each) several times.
        let mut styles: NodeMap<ComputedStyle> = NodeMap::with_capacity_and_hasher(
            html.tree.values().filter(|n| n.is_element()).count(),
            Default::default(),
        );
        let mut caches = SelectorCaches::default();
        let initial = &self.initial;
        let not_rendered = ComputedStyle { rendered: false, ..self.initial.clone() };
        let mut root_font: Option<Result<f32, Unresolved>> = None;
        let mut root_scales = true;
        let body_link = html
            .root_element()
            .child_elements()
            .find(|e| e.value().name() == "body")
            .and_then(|b| b.value().attribute("link"))
            .map(str::to_string);
        // The names, ids and classes of the open elements' ancestors, as Servo's style system keeps
        // them: a selector whose ancestor part names something no ancestor has (`.nav li a` outside
        // any `.nav`) is rejected without walking up the tree.
        let mut ancestors = Box::new(BloomFilter::new());
        let mut ancestor_hashes: Vec<u32> = Vec::new();
        let mut hashes_per_open: Vec<usize> = Vec::new();
        let mut index = 0usize;
        for edge in html.tree.root().traverse() {
            let node = match edge {
                ego_tree::iter::Edge::Open(node) => node,
                ego_tree::iter::Edge::Close(node) => {
                    if node.value().is_element() {
                        let count = hashes_per_open.pop().unwrap_or(0);
                        for hash in ancestor_hashes.drain(ancestor_hashes.len().saturating_sub(count)..) {
                            ancestors.remove_hash(hash);
                        }
                    }
                    continue;
                }
            };
            index += 1;
            if index % 256 == 255 {
                budget.check("computing styles")?;
            }
            let Some(element) = ElementRef::wrap(node) else { continue };
            // The contents of a <template> are never rendered.
            let in_template = node.parent().is_some_and(|p| matches!(p.value(), scraper::Node::Fragment));
            let parent = match node.parent().and_then(|p| styles.get(&p.id())) {
                Some(style) => style,
                None if in_template => &not_rendered,
                None => initial,
            };
            let style_attr =
                element.value().attribute("style").map(|text| parse_style_attribute_in(text, self.rules.quirks));
            let hints = presentational_hints(element, body_link.as_deref());
            let mut matched = self.matched_rules(element, style_attr.as_ref(), &mut caches, &ancestors);
            if !hints.is_empty() {
                // Presentational attributes are author-level with zero specificity, before every author rule.
                matched.push(Matched { key: (1, 0, 0), declarations: &hints, custom: &[] });
            }
            let rem = root_font.clone().unwrap_or(Ok(INITIAL_FONT_PX));
            let viewport = (self.viewport.width, self.viewport.height);
            let mut computed = compute_one(&matched, parent, &self.initial, rem, root_scales, viewport);
            computed.rendered = parent.rendered && !computed.is_display_none();
            computed.cumulative_opacity = parent.cumulative_opacity * computed.opacity;
            computed.clipped_away = parent.clipped_away || computed.hides_its_box();
            computed.aria_hidden = parent.aria_hidden
                || element.value().attribute("aria-hidden").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
            if root_font.is_none() {
                root_font = Some(computed.font_size.clone());
                root_scales = computed.font_size_origin.scales_with_user_setting;
            }
            styles.insert(node.id(), computed);
            let before = ancestor_hashes.len();
            element_hashes(element, &mut ancestor_hashes);
            for hash in &ancestor_hashes[before..] {
                ancestors.insert_hash(*hash);
            }
            hashes_per_open.push(ancestor_hashes.len() - before);
        }
        Ok(styles)
    }

    fn matched_rules<'r>(
        &'r self,
        element: ElementRef<'_>,
        style_attr: Option<&'r (Vec<Declaration>, Vec<CustomDeclaration>)>,
        caches: &mut SelectorCaches,
        ancestors: &BloomFilter,
    ) -> Vec<Matched<'r>> {
        let el = element.value();
        let mut candidates: Vec<IndexEntry> = Vec::new();
        let quirks = self.rules.quirks;
        fn folded(key: &str, quirks: bool) -> std::borrow::Cow<'_, str> {
            if quirks {
                std::borrow::Cow::Owned(key.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(key)
            }
        }
        if let Some(entries) = el.id().and_then(|id| self.rules.by_id.get(folded(id, quirks).as_ref())) {
            candidates.extend_from_slice(entries);
        }
        for class in el.classes() {
            if let Some(entries) = self.rules.by_class.get(folded(class, quirks).as_ref()) {
                candidates.extend_from_slice(entries);
            }
        }
        if let Some(entries) = self.rules.by_tag.get(el.name()) {
            candidates.extend_from_slice(entries);
        }
        candidates.extend_from_slice(&self.rules.universal);
        // Each selector sits in exactly one bucket, so there are no duplicates to remove. A rule
        // with several matching selectors is listed once per selector: it carries the same
        // declarations each time, so the cascade result is the same.
        let mut context = MatchingContext::new(
            MatchingMode::Normal,
            Some(ancestors),
            caches,
            if self.rules.quirks { QuirksMode::Quirks } else { QuirksMode::NoQuirks },
            NeedsSelectorFlags::No,
            MatchingForInvalidation::No,
        );
        let mut matched: Vec<Matched<'r>> = Vec::with_capacity(candidates.len().min(32));
        for entry in candidates {
            let (origin, rule) = &self.rules.rules[entry.rule as usize];
            let parsed = &rule.selectors[entry.selector as usize];
            let hashes = AncestorHashes { packed_hashes: entry.ancestor_hashes };
            if !matches_selector(&parsed.selector, 0, Some(&hashes), &element, &mut context) {
                continue;
            }
            let level = match origin {
                Origin::UserAgent => 0,
                Origin::Author => 1,
            };
            matched.push(Matched {
                key: (level, parsed.specificity, entry.rule),
                declarations: &rule.declarations,
                custom: &rule.custom,
            });
        }
        if let Some((declarations, custom)) = style_attr {
            matched.push(Matched { key: (1, u32::MAX, u32::MAX), declarations, custom });
        }
        matched
    }
}

/// What an element adds to the ancestor Bloom filter for its descendants: the hashes of its local
/// name, namespace, id and classes, computed as `selectors` computes a selector's (the atoms' own
/// hashes; ids are interned first, as the selector's were). A missing hash could reject a
/// selector that matches, so everything a selector's ancestor part can name is added.
fn element_hashes(element: ElementRef<'_>, out: &mut Vec<u32>) {
    let el = element.value();
    out.push(el.name.local.precomputed_hash());
    out.push(el.name.ns.precomputed_hash());
    if let Some(id) = el.id() {
        out.push(html5ever::LocalName::from(id).precomputed_hash());
    }
    for class in el.classes() {
        out.push(html5ever::LocalName::from(class).precomputed_hash());
    }
}

/// The HTML attributes that browsers map to CSS (`bgcolor`, `<font color size>`, `<body text link>`,
/// `background`, `width`/`height`): old Chinese portals still style pages with them.
fn presentational_hints(element: ElementRef<'_>, body_link: Option<&str>) -> Vec<Declaration> {
    use super::origin::Source;
    use super::props::parse_declaration;
    let el = element.value();
    let name = el.name();
    let mut out: Vec<Declaration> = Vec::new();
    let mut add = |prop: &str, value: &str| {
        let before = out.len();
        parse_declaration(prop, value, false, &mut out);
        // The attribute that browsers map to this property, as written on the element.
        let attribute = match (name, prop) {
            (_, "background-color") => "bgcolor",
            (_, "background-image") => "background",
            ("body", "color") => "text",
            ("a", "color") => "link",
            (_, "font-size") => "size",
            (_, "color") => "color",
            (_, other) => other,
        };
        let written = if (name, attribute) == ("a", "link") {
            format!("<body link=\"{}\">", body_link.unwrap_or_default())
        } else {
            format!("<{name} {attribute}=\"{}\">", el.attribute(attribute).unwrap_or(value))
        };
        let origin = Arc::new(DeclarationOrigin {
            source: Source::Attribute { name: attribute.into() },
            line: None,
            column: None,
            selector: None,
            declaration: super::origin::clip(&written).into(),
        });
        for declaration in &mut out[before..] {
            declaration.origin = Some(origin.clone());
        }
    };
    if let Some(bg) = el.attribute("bgcolor").and_then(legacy_color) {
        if matches!(name, "body" | "table" | "tr" | "td" | "th" | "thead" | "tbody" | "tfoot" | "marquee") {
            add("background-color", &bg);
        }
    }
    if let Some(image) = el.attribute("background").filter(|v| !v.trim().is_empty()) {
        if matches!(name, "body" | "table" | "tr" | "td" | "th" | "thead" | "tbody" | "tfoot") {
            add("background-image", &format!("url(\"{}\")", image.replace('"', "")));
        }
    }
    match name {
        "body" => {
            if let Some(text) = el.attribute("text").and_then(legacy_color) {
                add("color", &text);
            }
        }
        "a" if el.attribute("href").is_some() => {
            if let Some(link) = body_link.and_then(legacy_color) {
                add("color", &link);
            }
        }
        "font" => {
            if let Some(color) = el.attribute("color").and_then(legacy_color) {
                add("color", &color);
            }
            if let Some(size) = el.attribute("size") {
                if let Some(n) = legacy_font_size(size) {
                    let keyword = ["x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large"]
                        [(n.clamp(1, 7) - 1) as usize];
                    add("font-size", keyword);
                }
            }
        }
        _ => {}
    }
    if matches!(
        name,
        "img" | "table" | "td" | "th" | "iframe" | "embed" | "object" | "video" | "canvas" | "input" | "marquee"
    ) {
        for dimension in ["width", "height"] {
            if let Some(value) = el.attribute(dimension) {
                let v = value.trim();
                let css = if v.ends_with('%') { v.to_string() } else { format!("{}px", v.trim_end_matches("px")) };
                if v.trim_end_matches(['%', 'p', 'x']).parse::<f32>().is_ok() {
                    add(dimension, &css);
                }
            }
        }
    }
    out
}

/// HTML's "rules for parsing a legacy colour value" (bgcolor, `<font color>`, `<body text>`): named
/// colours, `#rgb`, and anything else read as hex digits with junk as 0 — `FFOOFF` is #ff00ff and
/// `fff` is #0f0f0f, as browsers render them. `None` for an empty value or `transparent`.
pub fn legacy_color(value: &str) -> Option<String> {
    let value = value.trim_matches([' ', '\t', '\n', '\r', '\x0c']);
    if value.is_empty() || value.eq_ignore_ascii_case("transparent") {
        return None;
    }
    if cssparser::color::parse_named_color(&value.to_ascii_lowercase()).is_ok() {
        return Some(value.to_ascii_lowercase());
    }
    let chars: Vec<char> = value.chars().collect();
    if chars.len() == 4 && chars[0] == '#' && chars[1..].iter().all(char::is_ascii_hexdigit) {
        return Some(value.to_string());
    }
    let mut digits: String =
        chars.iter().map(|c| if (*c as u32) > 0xffff { "00".to_string() } else { c.to_string() }).collect();
    digits = digits.chars().take(128).collect();
    if let Some(rest) = digits.strip_prefix('#') {
        digits = rest.to_string();
    }
    let mut digits: Vec<char> = digits.chars().map(|c| if c.is_ascii_hexdigit() { c } else { '0' }).collect();
    while digits.is_empty() || digits.len() % 3 != 0 {
        digits.push('0');
    }
    let length = digits.len() / 3;
    let mut parts: Vec<Vec<char>> = digits.chunks(length).map(<[char]>::to_vec).collect();
    if length > 8 {
        for part in &mut parts {
            part.drain(..length - 8);
        }
    }
    while parts[0].len() > 2 && parts.iter().all(|p| p[0] == '0') {
        for part in &mut parts {
            part.remove(0);
        }
    }
    let hex: Vec<String> = parts
        .iter()
        .map(|p| p.iter().take(2).collect::<String>())
        .map(|h| format!("{:02x}", u8::from_str_radix(&h, 16).unwrap_or(0)))
        .collect();
    Some(format!("#{}", hex.concat()))
}

/// HTML's "rules for parsing a legacy font size": `<font size="2px">` is size 2, `+1` is 4.
fn legacy_font_size(value: &str) -> Option<i32> {
    let value = value.trim_start();
    let (sign, rest) = match value.chars().next()? {
        '+' => (1, &value[1..]),
        '-' => (-1, &value[1..]),
        _ => (0, value),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).take(9).collect();
    let n: i32 = digits.parse().ok()?;
    Some(if sign == 0 { n } else { 3 + sign * n })
}

#[cfg(test)]
mod legacy_tests {
    use super::*;

    #[test]
    fn legacy_colours_parse_as_browsers_parse_them() {
        for (attribute, expected) in [
            ("FFOOFF", Some("#ff00ff")),
            ("fff", Some("#0f0f0f")),
            ("#fff", Some("#fff")),
            ("red", Some("red")),
            ("#44753d", Some("#44753d")),
            ("  1E548D ", Some("#1e548d")),
            ("chucknorris", Some("#c00000")),
            ("transparent", None),
            ("", None),
        ] {
            assert_eq!(legacy_color(attribute).as_deref(), expected, "{attribute:?}");
        }
    }

    #[test]
    fn legacy_font_sizes() {
        assert_eq!(legacy_font_size("2px"), Some(2));
        assert_eq!(legacy_font_size("+1"), Some(4));
        assert_eq!(legacy_font_size(" -2"), Some(1));
        assert_eq!(legacy_font_size("big"), None);
    }
}
