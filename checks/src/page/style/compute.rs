//! Computed values: from the declarations that won the cascade for one element, and its parent's
//! computed style, to the element's own. `font-size` first (em everywhere else depends on it), then
//! keywords, colours, lengths and the raw values the checks read as text.

use super::cascade::{
    ComputedStyle, CustomProperties, Extent, FontSizeOrigin, LineHeight, Matched, StyleOrigins, INITIAL_FONT_PX,
};
use super::origin::DeclarationOrigin;
use super::props::{parse_substituted, Declaration, Prop};
use super::values::{BackgroundImage, ColorValue, Length, Rgba, SizeUnitKind, Specified, Unresolved};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Arc as Rc;

/// The declarations that won the cascade for one element, with `var()` substituted.
struct Winners<'a> {
    winners: [Option<&'a Declaration>; Prop::COUNT],
    /// Values of winners that used `var()`, substituted (owned).
    substituted: Vec<(Prop, Specified)>,
}

impl<'a> Winners<'a> {
    /// Winners per property: normal declarations in cascade order, then !important ones (author
    /// !important beats every normal declaration; among them the same order holds). `revert` falls
    /// back to the browser's own winner. Returns the element's custom properties too.
    fn of(matched: &[Matched<'a>], parent: &ComputedStyle) -> (Winners<'a>, Rc<CustomProperties>) {
        let mut order: Vec<&Matched<'_>> = matched.iter().collect();
        order.sort_by_key(|m| m.key);
        let mut winners: [Option<&Declaration>; Prop::COUNT] = [None; Prop::COUNT];
        let mut own: Option<HashMap<Box<str>, Box<str>>> = None;
        // The browser's own winners, for `revert`.
        let mut user_agent: [Option<&Declaration>; Prop::COUNT] = [None; Prop::COUNT];
        for important in [false, true] {
            for m in &order {
                for d in m.declarations.iter().filter(|d| d.important == important) {
                    winners[d.prop as usize] = Some(d);
                    if m.key.0 == 0 {
                        user_agent[d.prop as usize] = Some(d);
                    }
                }
                for c in m.custom.iter().filter(|c| c.important == important) {
                    own.get_or_insert_with(HashMap::new).insert(c.name.clone(), c.value.clone());
                }
            }
        }
        for (winner, fallback) in winners.iter_mut().zip(user_agent) {
            if winner.is_some_and(|d| matches!(d.value, Specified::Revert)) {
                *winner = fallback;
            }
        }
        let custom = match own {
            Some(own) => Rc::new(CustomProperties { own, parent: Some(parent.custom.clone()) }),
            None => parent.custom.clone(),
        };
        let mut substituted: Vec<(Prop, Specified)> = Vec::new();
        for prop in Prop::ALL {
            if let Some(Specified::Pending(text)) = winners[*prop as usize].map(|d| &d.value) {
                let value = match substitute_vars(text, &custom, 0) {
                    Ok(t) => parse_substituted(&t, *prop),
                    Err(e) => Specified::Unresolved(e),
                };
                substituted.push((*prop, value));
            }
        }
        (Winners { winners, substituted }, custom)
    }

    /// The winning value of `prop`, if any was declared.
    fn get(&self, prop: Prop) -> Option<&Specified> {
        match self.winners[prop as usize].map(|d| &d.value) {
            Some(Specified::Pending(_)) => self.substituted.iter().find(|(p, _)| *p == prop).map(|(_, v)| v),
            other => other,
        }
    }

    /// Whether `prop` takes its parent's value: inherited and not declared, `inherit`, or `unset` on
    /// an inherited property.
    fn use_parent(&self, prop: Prop) -> bool {
        match self.get(prop) {
            None => prop.inherited(),
            Some(Specified::Inherit) => true,
            Some(Specified::Unset) => prop.inherited(),
            _ => false,
        }
    }

    fn is_initial(&self, prop: Prop) -> bool {
        matches!(self.get(prop), Some(Specified::Initial) | None | Some(Specified::Unset) | Some(Specified::None))
            && !self.use_parent(prop)
    }

    /// Where the winning declaration of `prop` is, or the parent's when it is inherited.
    fn origin(&self, prop: Prop, inherited: &Option<Arc<DeclarationOrigin>>) -> Option<Arc<DeclarationOrigin>> {
        if self.use_parent(prop) {
            inherited.clone()
        } else {
            self.winners[prop as usize].and_then(|d| d.origin.clone())
        }
    }
}

/// What lengths other than font sizes resolve against.
struct LengthBase<'a> {
    font: &'a Result<f32, Unresolved>,
    rem_px: f32,
    viewport: (f32, f32),
}

impl LengthBase<'_> {
    fn px(&self, l: &Length, percent_base: Option<f32>) -> Result<f32, Unresolved> {
        let em = match self.font {
            Ok(f) => *f,
            Err(e) if l.em != 0.0 => return Err(e.clone()),
            Err(_) => INITIAL_FONT_PX,
        };
        l.resolve(em, self.rem_px, percent_base, self.viewport)
            .ok_or_else(|| Unresolved::Calc("percentage of a box size".into()))
    }
}

/// The computed style of an element whose cascade winners come from `matched`.
pub(super) fn compute_one(
    matched: &[Matched<'_>],
    parent: &ComputedStyle,
    initial: &ComputedStyle,
    rem: Result<f32, Unresolved>,
    root_scales: bool,
    viewport: (f32, f32),
) -> ComputedStyle {
    let (w, custom) = Winners::of(matched, parent);
    let mut style = ComputedStyle { custom, ..initial.clone() };
    font_size(&w, parent, &rem, root_scales, viewport, &mut style);
    monospace(&w, parent, &mut style);
    keywords(&w, parent, initial, &mut style);
    colours(&w, parent, initial, &mut style);
    let font = style.font_size.clone();
    let base = LengthBase { font: &font, rem_px: rem.clone().unwrap_or(INITIAL_FONT_PX), viewport };
    text_lengths(&w, parent, &base, &mut style);
    box_extents(&w, parent, &base, &mut style);
    raw_values(&w, parent, &mut style);
    style.origins = StyleOrigins {
        font_size: w.origin(Prop::FontSize, &parent.origins.font_size),
        color: w.origin(Prop::Color, &parent.origins.color),
        background_color: w.origin(Prop::BackgroundColor, &parent.origins.background_color),
        line_height: w.origin(Prop::LineHeight, &parent.origins.line_height),
    };
    style
}

/// `font-size`, and whether it still follows the reader's default text size.
fn font_size(
    w: &Winners<'_>,
    parent: &ComputedStyle,
    rem: &Result<f32, Unresolved>,
    root_scales: bool,
    vp: (f32, f32),
    style: &mut ComputedStyle,
) {
    let parent_font = &parent.font_size;
    let parent_scales = parent.font_size_origin.scales_with_user_setting;
    if w.use_parent(Prop::FontSize) {
        style.font_size = parent_font.clone();
        style.font_size_origin = FontSizeOrigin { declared: None, ..parent.font_size_origin };
        return;
    }
    if w.is_initial(Prop::FontSize) {
        return;
    }
    let Some(spec) = w.get(Prop::FontSize) else { return };
    let (size, declared, scales) = match spec {
        Specified::Keyword(k) => match k.as_ref() {
            "larger" => (parent_font.clone().map(|p| p * 1.2), SizeUnitKind::Relative, parent_scales),
            "smaller" => (parent_font.clone().map(|p| p / 1.2), SizeUnitKind::Relative, parent_scales),
            other => (Ok(absolute_size_keyword(other)), SizeUnitKind::Relative, true),
        },
        Specified::Length(l) => {
            let resolved = match (parent_font, rem) {
                (Ok(p), Ok(r)) => Ok(l.resolve(*p, *r, Some(*p), vp).unwrap_or(*p)),
                (Err(e), _) if l.em != 0.0 || l.percent != 0.0 => Err(e.clone()),
                (_, Err(e)) if l.rem != 0.0 => Err(e.clone()),
                (p, r) => Ok(l
                    .resolve(*p.as_ref().unwrap_or(&INITIAL_FONT_PX), *r.as_ref().unwrap_or(&INITIAL_FONT_PX), None, vp)
                    .unwrap_or(INITIAL_FONT_PX)),
            };
            let kind = l.unit_kind();
            let scales = match kind {
                SizeUnitKind::Relative => {
                    let via_parent = (l.em == 0.0 && l.percent == 0.0) || parent_scales;
                    let via_root = l.rem == 0.0 || root_scales;
                    via_parent && via_root && l.px == 0.0
                }
                _ => false,
            };
            (resolved.map(|v| v.max(0.0)), kind, scales)
        }
        Specified::Unresolved(e) => (Err(e.clone()), SizeUnitKind::Relative, parent_scales),
        _ => (parent_font.clone(), SizeUnitKind::Relative, parent_scales),
    };
    style.font_size = size;
    style.font_size_origin = FontSizeOrigin { declared: Some(declared), scales_with_user_setting: scales };
}

/// Browsers give the generic monospace family a default size of 13px instead of 16px: a size that
/// comes from the browser (inherited, or an absolute-size keyword) is scaled by 13/16 where the
/// family switches to exactly `monospace`, and back where it switches away. An author's explicit
/// length is kept. (`font-family: monospace, monospace` is the well-known way out.)
fn monospace(w: &Winners<'_>, parent: &ComputedStyle, style: &mut ComputedStyle) {
    style.monospace = if w.use_parent(Prop::FontFamily) {
        parent.monospace
    } else {
        match w.get(Prop::FontFamily) {
            Some(Specified::Keyword(family)) => family.trim() == "monospace",
            _ => false,
        }
    };
    let keyword_size =
        matches!(w.get(Prop::FontSize), Some(Specified::Keyword(k)) if !matches!(k.as_ref(), "larger" | "smaller"));
    let inherited_size = w.use_parent(Prop::FontSize) || w.is_initial(Prop::FontSize);
    if style.monospace != parent.monospace && inherited_size {
        let factor = if style.monospace { 13.0 / 16.0 } else { 16.0 / 13.0 };
        style.font_size = style.font_size.clone().map(|px| px * factor);
    } else if style.monospace && keyword_size {
        style.font_size = style.font_size.clone().map(|px| px * 13.0 / 16.0);
    }
}

/// Keyword properties (`display`, `visibility`, `position`, overflow), `font-weight`, `opacity`
/// and `z-index`.
fn keywords(w: &Winners<'_>, parent: &ComputedStyle, initial: &ComputedStyle, style: &mut ComputedStyle) {
    let keyword = |prop: Prop, parent_value: &Arc<str>, initial_value: &Arc<str>| {
        if w.use_parent(prop) {
            parent_value.clone()
        } else {
            match w.get(prop) {
                Some(Specified::Keyword(k)) => k.clone(),
                _ => initial_value.clone(),
            }
        }
    };
    style.display = keyword(Prop::Display, &parent.display, &initial.display);
    style.visibility = keyword(Prop::Visibility, &parent.visibility, &initial.visibility);
    style.position = keyword(Prop::Position, &parent.position, &initial.position);
    style.overflow_x = keyword(Prop::OverflowX, &parent.overflow_x, &initial.overflow_x);
    style.overflow_y = keyword(Prop::OverflowY, &parent.overflow_y, &initial.overflow_y);
    style.font_weight = if w.use_parent(Prop::FontWeight) {
        parent.font_weight
    } else {
        match w.get(Prop::FontWeight) {
            Some(Specified::Number(n)) => *n,
            Some(Specified::Keyword(k)) if &**k == "bolder" => bolder(parent.font_weight),
            Some(Specified::Keyword(k)) if &**k == "lighter" => lighter(parent.font_weight),
            _ => initial.font_weight,
        }
    };
    style.opacity = if w.use_parent(Prop::Opacity) {
        parent.opacity
    } else {
        match w.get(Prop::Opacity) {
            Some(Specified::Number(n)) => n.clamp(0.0, 1.0),
            _ => 1.0,
        }
    };
    style.z_index = if w.use_parent(Prop::ZIndex) {
        parent.z_index
    } else {
        match w.get(Prop::ZIndex) {
            Some(Specified::Number(n)) => Some(*n as i32),
            _ => None,
        }
    };
}

/// `color`, `background-color` and `background-image`.
fn colours(w: &Winners<'_>, parent: &ComputedStyle, initial: &ComputedStyle, style: &mut ComputedStyle) {
    style.color = if w.use_parent(Prop::Color) {
        parent.color.clone()
    } else {
        match w.get(Prop::Color) {
            Some(Specified::Color(ColorValue::Rgba(c))) => Ok(*c),
            // For `color`, currentColor means the inherited colour.
            Some(Specified::Color(ColorValue::CurrentColor)) => parent.color.clone(),
            Some(Specified::Unresolved(e)) => Err(e.clone()),
            _ => initial.color.clone(),
        }
    };
    style.background_color = if w.use_parent(Prop::BackgroundColor) {
        parent.background_color.clone()
    } else {
        match w.get(Prop::BackgroundColor) {
            Some(Specified::Color(ColorValue::Rgba(c))) => Ok(*c),
            Some(Specified::Color(ColorValue::CurrentColor)) => style.color.clone(),
            Some(Specified::Unresolved(e)) => Err(e.clone()),
            _ => Ok(Rgba::TRANSPARENT),
        }
    };
    style.background_image = if w.use_parent(Prop::BackgroundImage) {
        parent.background_image.clone()
    } else {
        match w.get(Prop::BackgroundImage) {
            Some(Specified::Image(i)) => i.clone(),
            _ => BackgroundImage::None,
        }
    };
}

/// `line-height`, letter and word spacing, `text-indent`.
fn text_lengths(w: &Winners<'_>, parent: &ComputedStyle, base: &LengthBase<'_>, style: &mut ComputedStyle) {
    style.line_height = if w.use_parent(Prop::LineHeight) {
        parent.line_height.clone()
    } else {
        match w.get(Prop::LineHeight) {
            Some(Specified::Number(n)) => Ok(LineHeight::Factor(*n)),
            Some(Specified::Length(l)) => base.px(l, base.font.as_ref().ok().copied()).map(LineHeight::Px),
            Some(Specified::Unresolved(e)) => Err(e.clone()),
            _ => Ok(LineHeight::Normal),
        }
    };
    let spacing = |prop: Prop, parent_value: &Result<f32, Unresolved>| -> Result<f32, Unresolved> {
        if w.use_parent(prop) {
            return parent_value.clone();
        }
        match w.get(prop) {
            Some(Specified::Length(l)) => base.px(l, None),
            Some(Specified::Unresolved(e)) => Err(e.clone()),
            _ => Ok(0.0),
        }
    };
    style.letter_spacing = spacing(Prop::LetterSpacing, &parent.letter_spacing);
    style.word_spacing = spacing(Prop::WordSpacing, &parent.word_spacing);
    style.text_indent = spacing(Prop::TextIndent, &parent.text_indent);
}

/// Box sizes and offsets: px when known, a percentage of a containing block the engine does not
/// lay out, or unknown.
fn box_extents(w: &Winners<'_>, parent: &ComputedStyle, base: &LengthBase<'_>, style: &mut ComputedStyle) {
    let extent = |prop: Prop, parent_value: Extent| -> Extent {
        if w.use_parent(prop) {
            return parent_value;
        }
        match w.get(prop) {
            Some(Specified::Length(l)) if l.percent != 0.0 => {
                let without = Length { percent: 0.0, ..*l };
                if without == Length::default() {
                    Extent::Percent(l.percent)
                } else {
                    Extent::Unknown
                }
            }
            Some(Specified::Length(l)) => base.px(l, None).map_or(Extent::Unknown, Extent::Px),
            Some(Specified::Unresolved(_)) => Extent::Unknown,
            _ => Extent::Auto,
        }
    };
    style.width = extent(Prop::Width, parent.width);
    style.height = extent(Prop::Height, parent.height);
    style.min_width = extent(Prop::MinWidth, parent.min_width);
    style.min_height = extent(Prop::MinHeight, parent.min_height);
    style.max_width = extent(Prop::MaxWidth, parent.max_width);
    style.max_height = extent(Prop::MaxHeight, parent.max_height);
    style.top = extent(Prop::Top, parent.top);
    style.left = extent(Prop::Left, parent.left);
    style.right = extent(Prop::Right, parent.right);
    style.bottom = extent(Prop::Bottom, parent.bottom);
}

/// Values the checks read as text: transforms, shadows, clips, rotation.
fn raw_values(w: &Winners<'_>, parent: &ComputedStyle, style: &mut ComputedStyle) {
    let raw = |prop: Prop, parent_value: &Option<Box<str>>| -> Option<Box<str>> {
        if w.use_parent(prop) {
            return parent_value.clone();
        }
        match w.get(prop) {
            Some(Specified::Raw(t)) => Some(t.clone()),
            Some(Specified::Unresolved(Unresolved::Var(v))) => Some(format!("var({v})").into()),
            _ => None,
        }
    };
    style.transform = raw(Prop::Transform, &parent.transform);
    style.text_shadow = raw(Prop::TextShadow, &parent.text_shadow);
    style.clip = raw(Prop::Clip, &parent.clip);
    style.clip_path = raw(Prop::ClipPath, &parent.clip_path);
    style.rotate = raw(Prop::Rotate, &parent.rotate);
}

fn absolute_size_keyword(keyword: &str) -> f32 {
    match keyword {
        "xx-small" => 9.0,
        "x-small" => 10.0,
        "small" => 13.0,
        "large" => 18.0,
        "x-large" => 24.0,
        "xx-large" => 32.0,
        "xxx-large" => 48.0,
        _ => INITIAL_FONT_PX,
    }
}

fn bolder(parent: f32) -> f32 {
    if parent < 350.0 {
        400.0
    } else if parent < 550.0 {
        700.0
    } else {
        900.0_f32.max(parent)
    }
}

fn lighter(parent: f32) -> f32 {
    if parent < 550.0 {
        100.0_f32.min(parent)
    } else if parent < 750.0 {
        400.0
    } else {
        700.0
    }
}

/// How deeply `var()` values may refer to other custom properties (browsers treat longer chains as
/// cycles in practice; real sites use two or three levels).
const MAX_VAR_NESTING: u8 = 16;
/// Longest value `var()` substitution may produce. Custom properties that each use another twice
/// double at every level; a value this long is not one a page means.
const MAX_SUBSTITUTED_BYTES: usize = 16 * 1024;

/// Replaces every `var(--name, fallback)` in `text` with the custom property's value. Recursion is
/// only for values that themselves use `var()`, at most [`MAX_VAR_NESTING`] deep.
fn substitute_vars(text: &str, custom: &CustomProperties, nesting: u8) -> Result<String, Unresolved> {
    if nesting > MAX_VAR_NESTING {
        return Err(Unresolved::Var("cycle".into()));
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = find_ascii_case_insensitive(rest, "var(") {
        out.push_str(&rest[..start]);
        // The parenthesis that closes `var(`.
        let mut open = 0i32;
        let mut end = None;
        for (i, c) in rest[start + 3..].char_indices() {
            match c {
                '(' => open += 1,
                ')' => {
                    open -= 1;
                    if open == 0 {
                        end = Some(start + 3 + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| Unresolved::Invalid(text.chars().take(200).collect()))?;
        let inner = &rest[start + 4..end];
        let (name, fallback) = match split_first_comma(inner) {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        let name = name.strip_prefix("--").unwrap_or(name);
        let replacement = match (custom.get(name), fallback) {
            (Some(v), _) if !v.trim().is_empty() => substitute_vars(v, custom, nesting + 1)?,
            (_, Some(f)) => substitute_vars(f, custom, nesting + 1)?,
            _ => return Err(Unresolved::Var(format!("--{}", name.chars().take(100).collect::<String>()))),
        };
        out.push_str(&replacement);
        if out.len() > MAX_SUBSTITUTED_BYTES {
            return Err(Unresolved::Var("value too long".into()));
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case.
fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn split_first_comma(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}
