//! Specified CSS values the engine understands, and their parsers.
//!
//! Lengths are kept as a linear combination of the units they were written in, so that
//! `calc(1em + 2px)` resolves exactly and `fixed-font-size` can still tell absolute units from
//! relative ones. Anything the engine cannot resolve without a browser becomes [`Unresolved`],
//! never a guess.

use cssparser::{Parser, Token};
use serde::Serialize;
use std::fmt;

/// Why a value could not be resolved statically. Checks turn this into a `cant_tell` reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Unresolved {
    /// `var(--x)` with no value for `--x` and no fallback.
    Var(String),
    /// `calc()`/`min()`/`max()`/`clamp()` that needs layout or mixes incompatible units.
    Calc(String),
    /// A colour syntax the engine does not evaluate (`color-mix()`, `lab()`, a `currentColor` cycle…).
    Color(String),
    /// A value that does not parse.
    Invalid(String),
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unresolved::Var(v) => write!(f, "custom property without a value: {v}"),
            Unresolved::Calc(v) => write!(f, "value needs layout to compute: {v}"),
            Unresolved::Color(v) => write!(f, "colour the engine cannot evaluate: {v}"),
            Unresolved::Invalid(v) => write!(f, "value the engine cannot read: {v}"),
        }
    }
}

/// An sRGB colour with alpha; channels 0–255, alpha 0–1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rgba {
    pub r: f32,
    pub g: f32,
    pub b: f32,
    pub a: f32,
}

impl Rgba {
    pub const BLACK: Rgba = Rgba::rgb(0, 0, 0);
    pub const WHITE: Rgba = Rgba::rgb(255, 255, 255);
    pub const TRANSPARENT: Rgba = Rgba { r: 0.0, g: 0.0, b: 0.0, a: 0.0 };

    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba { r: r as f32, g: g as f32, b: b as f32, a: 1.0 }
    }

    /// Paints `self` over `below` (source-over compositing).
    pub fn over(self, below: Rgba) -> Rgba {
        let a = self.a + below.a * (1.0 - self.a);
        if a <= 0.0 {
            return Rgba::TRANSPARENT;
        }
        let mix = |top: f32, bottom: f32| (top * self.a + bottom * below.a * (1.0 - self.a)) / a;
        Rgba { r: mix(self.r, below.r), g: mix(self.g, below.g), b: mix(self.b, below.b), a }
    }

    pub fn with_alpha_scaled(self, factor: f32) -> Rgba {
        Rgba { a: self.a * factor, ..self }
    }

    pub fn is_opaque(self) -> bool {
        self.a >= 0.999
    }

    /// WCAG 2.x relative luminance.
    pub fn luminance(self) -> f64 {
        fn linear(c: f32) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        // Most channels are whole numbers (as written in CSS, or rounded by the contrast
        // suggestion's search, which asks for hundreds of ratios): those are looked up.
        fn channel(c: f32) -> f64 {
            static TABLE: std::sync::OnceLock<[f64; 256]> = std::sync::OnceLock::new();
            if c.fract() == 0.0 && (0.0..=255.0).contains(&c) {
                let table = TABLE.get_or_init(|| std::array::from_fn(|i| linear(i as f32)));
                return table[c as usize];
            }
            linear(c)
        }
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// `#rrggbb`, or `rgba(…)` when translucent.
    pub fn to_css(self) -> String {
        let (r, g, b) = (self.r.round() as u8, self.g.round() as u8, self.b.round() as u8);
        if self.is_opaque() {
            format!("#{r:02x}{g:02x}{b:02x}")
        } else {
            format!("rgba({r}, {g}, {b}, {:.2})", self.a)
        }
    }
}

/// WCAG contrast ratio of two opaque colours.
pub fn contrast_ratio(a: Rgba, b: Rgba) -> f64 {
    ratio_of_luminances(a.luminance(), b.luminance())
}

fn ratio_of_luminances(la: f64, lb: f64) -> f64 {
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

fn to_hsl(c: Rgba) -> (f64, f64, f64) {
    let (r, g, b) = (f64::from(c.r) / 255.0, f64::from(c.g) / 255.0, f64::from(c.b) / 255.0);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let l = (max + min) / 2.0;
    if (max - min).abs() < 1e-9 {
        return (0.0, 0.0, l);
    }
    let d = max - min;
    let s = if l > 0.5 { d / (2.0 - max - min) } else { d / (max + min) };
    let h = if max == r {
        (g - b) / d + if g < b { 6.0 } else { 0.0 }
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h / 6.0, s, l)
}

fn from_hsl(h: f64, s: f64, l: f64) -> Rgba {
    let channel = |t: f64| -> f32 {
        let q = if l < 0.5 { l * (1.0 + s) } else { l + s - l * s };
        let p = 2.0 * l - q;
        let t = t.rem_euclid(1.0);
        let v = if t < 1.0 / 6.0 {
            p + (q - p) * 6.0 * t
        } else if t < 0.5 {
            q
        } else if t < 2.0 / 3.0 {
            p + (q - p) * (2.0 / 3.0 - t) * 6.0
        } else {
            p
        };
        (v * 255.0).round() as f32
    };
    if s == 0.0 {
        let v = (l * 255.0).round() as f32;
        return Rgba { r: v, g: v, b: v, a: 1.0 };
    }
    Rgba { r: channel(h + 1.0 / 3.0), g: channel(h), b: channel(h - 1.0 / 3.0), a: 1.0 }
}

/// The colour of the same hue and saturation as `foreground`, closest to it in lightness, that has
/// at least `required` contrast with `background` (darker on light backgrounds, lighter on dark ones).
/// `None` when not even black or white reaches it.
pub fn nearest_passing_colour(foreground: Rgba, background: Rgba, required: f64) -> Option<Rgba> {
    let (h, s, l) = to_hsl(foreground);
    // The background's luminance is the same for each of the few dozen candidates.
    let background_luminance = background.luminance();
    let contrast_ratio = |c: Rgba| ratio_of_luminances(c.luminance(), background_luminance);
    let passes = |lightness: f64| contrast_ratio(from_hsl(h, s, lightness)) >= required;
    // Searching towards black on light backgrounds, towards white on dark ones.
    let (mut near, mut far) = if background.luminance() > 0.18 { (l, 0.0) } else { (l, 1.0) };
    if !passes(far) {
        return None;
    }
    for _ in 0..30 {
        let mid = (near + far) / 2.0;
        if passes(mid) {
            far = mid;
        } else {
            near = mid;
        }
    }
    let found = from_hsl(h, s, far);
    // Rounding to whole channels can lose a hair of contrast: step on until it holds.
    (0..=20)
        .map(|step| {
            let lightness = if far < l {
                (far - f64::from(step) * 0.002).max(0.0)
            } else {
                (far + f64::from(step) * 0.002).min(1.0)
            };
            from_hsl(h, s, lightness)
        })
        .find(|c| contrast_ratio(*c) >= required)
        .or(Some(found).filter(|c| contrast_ratio(*c) >= required))
}

/// A length as a sum of unit terms: `px` (absolute units converted), `em`, `rem`, `%`, viewport units.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Length {
    pub px: f32,
    pub em: f32,
    pub rem: f32,
    pub percent: f32,
    pub vw: f32,
    pub vh: f32,
    pub vmin: f32,
    pub vmax: f32,
}

impl Length {
    pub fn px(px: f32) -> Length {
        Length { px, ..Length::default() }
    }

    fn scaled(self, k: f32) -> Length {
        Length {
            px: self.px * k,
            em: self.em * k,
            rem: self.rem * k,
            percent: self.percent * k,
            vw: self.vw * k,
            vh: self.vh * k,
            vmin: self.vmin * k,
            vmax: self.vmax * k,
        }
    }

    fn plus(self, o: Length) -> Length {
        Length {
            px: self.px + o.px,
            em: self.em + o.em,
            rem: self.rem + o.rem,
            percent: self.percent + o.percent,
            vw: self.vw + o.vw,
            vh: self.vh + o.vh,
            vmin: self.vmin + o.vmin,
            vmax: self.vmax + o.vmax,
        }
    }

    pub fn has_relative_part(&self) -> bool {
        self.em != 0.0 || self.rem != 0.0 || self.percent != 0.0
    }

    pub fn has_viewport_part(&self) -> bool {
        self.vw != 0.0 || self.vh != 0.0 || self.vmin != 0.0 || self.vmax != 0.0
    }

    /// Resolves to px. `percent_base` is what 100% means for the property (None: needs layout).
    pub fn resolve(&self, em: f32, rem: f32, percent_base: Option<f32>, viewport: (f32, f32)) -> Option<f32> {
        let (w, h) = viewport;
        let percent = if self.percent == 0.0 { 0.0 } else { percent_base? * self.percent / 100.0 };
        Some(
            self.px
                + self.em * em
                + self.rem * rem
                + percent
                + self.vw * w / 100.0
                + self.vh * h / 100.0
                + self.vmin * w.min(h) / 100.0
                + self.vmax * w.max(h) / 100.0,
        )
    }
}

/// How `font-size` was written, for `fixed-font-size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeUnitKind {
    /// px, pt, cm, mm, in, pc, Q: the reader's text-size setting cannot enlarge it.
    Absolute,
    /// em, rem, %, keywords such as `larger`, `medium`: follows the reader's setting.
    Relative,
    /// vw/vh alone: follows the window, not the reader's setting.
    ViewportOnly,
}

impl Length {
    pub fn unit_kind(&self) -> SizeUnitKind {
        if self.has_relative_part() {
            SizeUnitKind::Relative
        } else if self.has_viewport_part() && self.px == 0.0 {
            SizeUnitKind::ViewportOnly
        } else {
            SizeUnitKind::Absolute
        }
    }
}

fn angle_degrees(token: &Token<'_>) -> Option<f32> {
    match token {
        Token::Dimension { value, unit, .. } => match unit.to_ascii_lowercase().as_str() {
            "deg" => Some(*value),
            "rad" => Some(value.to_degrees()),
            "grad" => Some(value * 0.9),
            "turn" => Some(value * 360.0),
            _ => None,
        },
        Token::Number { value, .. } if *value == 0.0 => Some(0.0),
        _ => None,
    }
}

fn numbers(p: &mut Parser<'_>) -> Vec<Token<'static>> {
    let mut out = Vec::new();
    while let Ok(t) = p.next() {
        match t {
            Token::Comma => {}
            other => out.push(other.clone().into_owned_token()),
        }
    }
    out
}

trait IntoOwnedToken {
    fn into_owned_token(self) -> Token<'static>;
}

impl IntoOwnedToken for Token<'_> {
    fn into_owned_token(self) -> Token<'static> {
        match self {
            Token::Number { has_sign, value, int_value } => Token::Number { has_sign, value, int_value },
            Token::Dimension { has_sign, value, int_value, unit } => {
                Token::Dimension { has_sign, value, int_value, unit: unit.to_string().into() }
            }
            Token::Percentage { has_sign, unit_value, int_value } => {
                Token::Percentage { has_sign, unit_value, int_value }
            }
            _ => Token::Delim('?'),
        }
    }
}

fn number(t: &Token<'_>) -> Option<f32> {
    match t {
        Token::Number { value, .. } => Some(*value),
        _ => None,
    }
}

/// Total rotation about the z axis of a `transform` value, in degrees (`None`: cannot tell).
pub fn transform_rotation(value: &str) -> Option<f32> {
    let mut parser = Parser::new(value);
    let mut total = 0.0f32;
    while let Ok(token) = parser.next() {
        let Token::Function(name) = token.clone() else { return None };
        let name = name.to_ascii_lowercase();
        let args = parser.parse_nested_block(|p| Ok::<_, cssparser::ParseError<()>>(numbers(p))).ok()?;
        total += match name.as_str() {
            "rotate" | "rotatez" => angle_degrees(args.first()?)?,
            "rotate3d" if args.len() == 4 => {
                let (x, y, z) = (number(&args[0])?, number(&args[1])?, number(&args[2])?);
                if x == 0.0 && y == 0.0 && z != 0.0 {
                    angle_degrees(&args[3])? * z.signum()
                } else {
                    return None;
                }
            }
            "matrix" if args.len() == 6 => number(&args[1])?.atan2(number(&args[0])?).to_degrees(),
            "matrix3d" if args.len() == 16 => number(&args[1])?.atan2(number(&args[0])?).to_degrees(),
            "translate" | "translatex" | "translatey" | "translatez" | "translate3d" | "scale" | "scalex"
            | "scaley" | "scalez" | "scale3d" | "skew" | "skewx" | "skewy" | "perspective" => 0.0,
            _ => return None,
        };
    }
    Some(total)
}

/// The `rotate` property: `90deg`, `z 90deg`, `0 0 1 90deg`, or `none`.
pub fn rotate_property(value: &str) -> Option<f32> {
    let mut parser = Parser::new(value);
    let tokens = numbers(&mut parser);
    let idents = value.split_whitespace().filter(|w| w.chars().all(|c| c.is_ascii_alphabetic())).collect::<Vec<_>>();
    if idents.iter().any(|i| i.eq_ignore_ascii_case("x") || i.eq_ignore_ascii_case("y")) {
        return None;
    }
    let angle = tokens.iter().rev().find_map(angle_degrees)?;
    if tokens.len() == 4 {
        let z = number(&tokens[2])?;
        if number(&tokens[0])? != 0.0 || number(&tokens[1])? != 0.0 {
            return None;
        }
        return Some(angle * z.signum());
    }
    Some(angle)
}

/// A colour as specified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColorValue {
    Rgba(Rgba),
    CurrentColor,
}

/// A background image layer.
#[derive(Debug, Clone, PartialEq)]
pub enum BackgroundImage {
    None,
    /// An image file: its pixels are unknown without a browser.
    Url,
    /// A gradient, with its colour stops (empty when a stop could not be read).
    Gradient(std::sync::Arc<[Rgba]>),
}

/// A specified value after parsing, before inheritance and resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Specified {
    Inherit,
    Initial,
    Unset,
    /// `revert`: the value the browser's own stylesheet gives (author styles rolled back).
    Revert,
    Length(Length),
    Number(f32),
    Keyword(std::sync::Arc<str>),
    Color(ColorValue),
    Image(BackgroundImage),
    /// Kept as text (transform, text-shadow, clip…).
    Raw(Box<str>),
    /// Contains `var()`: resolved per element once custom properties are known.
    Pending(Box<str>),
    Unresolved(Unresolved),
    /// `font-size` plus optional `line-height` from the `font` shorthand are expanded before this.
    None,
}

/// Parses a whole value text with cssparser.
pub(crate) fn with_parser<T>(text: &str, f: impl FnOnce(&mut Parser<'_>) -> Option<T>) -> Option<T> {
    let mut parser = Parser::new(text);
    let value = f(&mut parser)?;
    parser.expect_exhausted().ok()?;
    Some(value)
}

/// CSS-wide keywords, shared by every property.
pub(crate) fn css_wide_keyword(text: &str) -> Option<Specified> {
    match text.to_ascii_lowercase().as_str() {
        "inherit" => Some(Specified::Inherit),
        "initial" => Some(Specified::Initial),
        "unset" => Some(Specified::Unset),
        // Layers are not modelled: an author `revert-layer` rolls back to the browser's value, like `revert`.
        "revert" | "revert-layer" => Some(Specified::Revert),
        _ => None,
    }
}

fn unit_px(unit: &str) -> Option<Length> {
    let u = unit.to_ascii_lowercase();
    let l = |px: f32| Some(Length::px(px));
    match u.as_str() {
        "px" => l(1.0),
        "pt" => l(96.0 / 72.0),
        "pc" => l(16.0),
        "in" => l(96.0),
        "cm" => l(96.0 / 2.54),
        "mm" => l(96.0 / 25.4),
        "q" => l(96.0 / 101.6),
        "em" => Some(Length { em: 1.0, ..Length::default() }),
        // Without font metrics the CSS spec's fallback of 0.5em is used for ex and ch.
        "ex" | "ch" => Some(Length { em: 0.5, ..Length::default() }),
        "rem" => Some(Length { rem: 1.0, ..Length::default() }),
        "vw" | "svw" | "lvw" | "dvw" => Some(Length { vw: 1.0, ..Length::default() }),
        "vh" | "svh" | "lvh" | "dvh" => Some(Length { vh: 1.0, ..Length::default() }),
        "vmin" => Some(Length { vmin: 1.0, ..Length::default() }),
        "vmax" => Some(Length { vmax: 1.0, ..Length::default() }),
        _ => None,
    }
}

/// A calc() operand: a plain number or a length.
#[derive(Clone, Copy)]
enum CalcValue {
    Number(f32),
    Length(Length),
}

/// Parses one length-or-percentage token (or a calc expression). `Err` carries why it is unknown.
pub(crate) fn parse_length(parser: &mut Parser<'_>, allow_unitless_zero: bool) -> Result<Length, Unresolved> {
    let token = parser.next().map_err(|_| Unresolved::Invalid("empty".into()))?.clone();
    match token {
        Token::Dimension { value, ref unit, .. } => {
            unit_px(unit).map(|l| l.scaled(value)).ok_or_else(|| Unresolved::Invalid(format!("{value}{unit}")))
        }
        Token::Percentage { unit_value, .. } => Ok(Length { percent: unit_value * 100.0, ..Length::default() }),
        Token::Number { value, .. } if value == 0.0 && allow_unitless_zero => Ok(Length::default()),
        Token::Function(ref name) if name.eq_ignore_ascii_case("calc") || name.eq_ignore_ascii_case("-webkit-calc") => {
            let start = parser.position();
            let result =
                parser.parse_nested_block(|p| calc_sum(p, 0).ok_or_else(|| cssparser::ParseError::<()>::custom(())));
            let text = parser.slice_from(start).to_string();
            match result {
                Ok(CalcValue::Length(l)) => Ok(l),
                Ok(CalcValue::Number(0.0)) => Ok(Length::default()),
                // `calc()` with nothing in it (or a stylesheet cut off inside it) is a syntax error:
                // browsers drop the declaration.
                _ if !text.chars().any(|c| c.is_ascii_digit()) => Err(Unresolved::Invalid(format!("calc({text}"))),
                _ => Err(Unresolved::Calc(format!("calc({text}"))),
            }
        }
        Token::Function(ref name) => {
            let name = name.to_string();
            let start = parser.position();
            let _ = parser.parse_nested_block(|p| {
                while p.next().is_ok() {}
                Ok::<(), cssparser::ParseError<()>>(())
            });
            Err(Unresolved::Calc(format!("{name}({}", parser.slice_from(start))))
        }
        other => Err(Unresolved::Invalid(format!("{other:?}"))),
    }
}

/// Parentheses and nested `calc()` deeper than this are not evaluated (the value needs review): each
/// level is a parser on the stack.
const MAX_CALC_NESTING: u8 = 32;

fn calc_sum(p: &mut Parser<'_>, depth: u8) -> Option<CalcValue> {
    if depth > MAX_CALC_NESTING {
        return None;
    }
    let mut acc = calc_product(p, depth)?;
    loop {
        let state = p.state();
        match p.next() {
            Ok(Token::Delim('+')) => acc = calc_add(acc, calc_product(p, depth)?, 1.0)?,
            Ok(Token::Delim('-')) => acc = calc_add(acc, calc_product(p, depth)?, -1.0)?,
            Ok(_) => return None,
            Err(_) => {
                p.reset(&state);
                return Some(acc);
            }
        }
    }
}

fn calc_add(a: CalcValue, b: CalcValue, sign: f32) -> Option<CalcValue> {
    match (a, b) {
        (CalcValue::Number(x), CalcValue::Number(y)) => Some(CalcValue::Number(x + sign * y)),
        (CalcValue::Length(x), CalcValue::Length(y)) => Some(CalcValue::Length(x.plus(y.scaled(sign)))),
        _ => None,
    }
}

fn calc_product(p: &mut Parser<'_>, depth: u8) -> Option<CalcValue> {
    let mut acc = calc_factor(p, depth)?;
    loop {
        let state = p.state();
        match p.next() {
            Ok(Token::Delim('*')) => {
                acc = match (acc, calc_factor(p, depth)?) {
                    (CalcValue::Number(x), CalcValue::Number(y)) => CalcValue::Number(x * y),
                    (CalcValue::Length(l), CalcValue::Number(k)) | (CalcValue::Number(k), CalcValue::Length(l)) => {
                        CalcValue::Length(l.scaled(k))
                    }
                    _ => return None,
                }
            }
            Ok(Token::Delim('/')) => {
                acc = match (acc, calc_factor(p, depth)?) {
                    (CalcValue::Number(x), CalcValue::Number(y)) if y != 0.0 => CalcValue::Number(x / y),
                    (CalcValue::Length(l), CalcValue::Number(k)) if k != 0.0 => CalcValue::Length(l.scaled(1.0 / k)),
                    _ => return None,
                }
            }
            _ => {
                p.reset(&state);
                return Some(acc);
            }
        }
    }
}

fn calc_factor(p: &mut Parser<'_>, depth: u8) -> Option<CalcValue> {
    let token = p.next().ok()?.clone();
    match token {
        Token::Number { value, .. } => Some(CalcValue::Number(value)),
        Token::Dimension { value, ref unit, .. } => unit_px(unit).map(|l| CalcValue::Length(l.scaled(value))),
        Token::Percentage { unit_value, .. } => {
            Some(CalcValue::Length(Length { percent: unit_value * 100.0, ..Length::default() }))
        }
        Token::ParenthesisBlock => {
            p.parse_nested_block(|p| calc_sum(p, depth + 1).ok_or_else(|| cssparser::ParseError::<()>::custom(()))).ok()
        }
        Token::Function(ref name) if name.eq_ignore_ascii_case("calc") => {
            p.parse_nested_block(|p| calc_sum(p, depth + 1).ok_or_else(|| cssparser::ParseError::<()>::custom(()))).ok()
        }
        _ => None,
    }
}

/// Parses a colour. `Ok(None)` means "not a colour token" (used by shorthands).
pub fn parse_color(text: &str) -> Result<ColorValue, Unresolved> {
    with_parser(text, |p| color_from_parser(p).ok()).ok_or_else(|| classify_color_failure(text))
}

fn classify_color_failure(text: &str) -> Unresolved {
    let lower = text.trim().to_ascii_lowercase();
    let known_function = ["color-mix(", "lab(", "lch(", "oklab(", "oklch(", "color(", "hwb(", "light-dark(", "var("];
    if known_function.iter().any(|f| lower.starts_with(f)) {
        Unresolved::Color(text.trim().to_string())
    } else {
        Unresolved::Invalid(text.trim().to_string())
    }
}

pub(crate) fn color_from_parser(p: &mut Parser<'_>) -> Result<ColorValue, ()> {
    let token = p.next().map_err(|_| ())?.clone();
    match token {
        Token::Hash(ref h) | Token::IDHash(ref h) => {
            let (r, g, b, a) = cssparser::color::parse_hash_color(h.as_bytes())?;
            Ok(ColorValue::Rgba(Rgba { r: r.into(), g: g.into(), b: b.into(), a }))
        }
        Token::Ident(ref name) => {
            let lower = name.to_ascii_lowercase();
            match lower.as_str() {
                "transparent" => Ok(ColorValue::Rgba(Rgba::TRANSPARENT)),
                "currentcolor" => Ok(ColorValue::CurrentColor),
                // System colours, as browsers render them in the default (light) scheme.
                "canvas" | "window" | "buttonhighlight" | "field" => Ok(ColorValue::Rgba(Rgba::WHITE)),
                "canvastext" | "windowtext" | "buttontext" | "fieldtext" | "captiontext" => {
                    Ok(ColorValue::Rgba(Rgba::BLACK))
                }
                "buttonface" | "threedface" => Ok(ColorValue::Rgba(Rgba::rgb(0xef, 0xef, 0xef))),
                "graytext" => Ok(ColorValue::Rgba(Rgba::rgb(0x6d, 0x6d, 0x6d))),
                "linktext" => Ok(ColorValue::Rgba(Rgba::rgb(0, 0, 0xee))),
                _ => cssparser::color::parse_named_color(&lower).map(|(r, g, b)| ColorValue::Rgba(Rgba::rgb(r, g, b))),
            }
        }
        Token::Function(ref name) => {
            let lower = name.to_ascii_lowercase();
            let is_rgb = lower == "rgb" || lower == "rgba";
            let is_hsl = lower == "hsl" || lower == "hsla";
            if !is_rgb && !is_hsl {
                return Err(());
            }
            p.parse_nested_block(|p| {
                color_function_args(p, is_rgb).map_err(|_| cssparser::ParseError::<()>::custom(()))
            })
            .map_err(|_| ())
        }
        _ => Err(()),
    }
}

/// `rgb()`/`hsl()` arguments in legacy comma syntax or modern space syntax with `/ alpha`.
fn color_function_args(p: &mut Parser<'_>, is_rgb: bool) -> Result<ColorValue, ()> {
    let mut values: Vec<(f32, bool)> = Vec::with_capacity(4); // (value, was_percentage)
    let mut alpha_separator_seen = false;
    let mut alpha: Option<(f32, bool)> = None;
    while let Ok(token) = p.next() {
        let item = match *token {
            Token::Number { value, .. } => (value, false),
            Token::Percentage { unit_value, .. } => (unit_value, true),
            Token::Dimension { value, ref unit, .. } if !is_rgb && values.is_empty() => {
                let deg = match unit.to_ascii_lowercase().as_str() {
                    "deg" => value,
                    "rad" => value.to_degrees(),
                    "grad" => value * 0.9,
                    "turn" => value * 360.0,
                    _ => return Err(()),
                };
                (deg, false)
            }
            Token::Comma => continue,
            Token::Delim('/') => {
                alpha_separator_seen = true;
                continue;
            }
            Token::Ident(ref i) if i.eq_ignore_ascii_case("none") => (0.0, false),
            _ => return Err(()),
        };
        if alpha_separator_seen || values.len() == 3 {
            alpha = Some(item);
        } else {
            values.push(item);
        }
    }
    if values.len() != 3 {
        return Err(());
    }
    let a = match alpha {
        Some((v, true)) => v,
        Some((v, false)) => v,
        None => 1.0,
    }
    .clamp(0.0, 1.0);
    if is_rgb {
        let channel = |(v, pct): (f32, bool)| if pct { v * 255.0 } else { v }.clamp(0.0, 255.0);
        Ok(ColorValue::Rgba(Rgba { r: channel(values[0]), g: channel(values[1]), b: channel(values[2]), a }))
    } else {
        let h = values[0].0.rem_euclid(360.0) / 360.0;
        let frac = |(v, pct): (f32, bool)| if pct { v } else { v / 100.0 }.clamp(0.0, 1.0);
        let (r, g, b) = hsl_to_rgb(h, frac(values[1]), frac(values[2]));
        Ok(ColorValue::Rgba(Rgba { r: r * 255.0, g: g * 255.0, b: b * 255.0, a }))
    }
}

fn hsl_to_rgb(h: f32, s: f32, l: f32) -> (f32, f32, f32) {
    let q = if l < 0.5 { l * (1.0 + s) } else { l + s - l * s };
    let p = 2.0 * l - q;
    let hue = |mut t: f32| {
        if t < 0.0 {
            t += 1.0;
        }
        if t > 1.0 {
            t -= 1.0;
        }
        if t < 1.0 / 6.0 {
            p + (q - p) * 6.0 * t
        } else if t < 0.5 {
            q
        } else if t < 2.0 / 3.0 {
            p + (q - p) * (2.0 / 3.0 - t) * 6.0
        } else {
            p
        }
    };
    (hue(h + 1.0 / 3.0), hue(h), hue(h - 1.0 / 3.0))
}

#[cfg(test)]
mod colour_tests {
    use super::*;

    #[test]
    fn the_nearest_passing_colour_keeps_the_hue() {
        let grey = Rgba::rgb(0x99, 0x99, 0x99);
        let found = nearest_passing_colour(grey, Rgba::WHITE, 4.5).expect("a darker grey passes");
        assert!(contrast_ratio(found, Rgba::WHITE) >= 4.5);
        assert!(contrast_ratio(found, Rgba::WHITE) < 4.8, "the nearest, not black: {}", found.to_css());
        assert_eq!((found.r, found.g), (found.g, found.b), "still grey");
        let blue = Rgba::rgb(0x8f, 0xb0, 0xe0);
        let found = nearest_passing_colour(blue, Rgba::WHITE, 4.5).expect("a darker blue passes");
        assert!(found.b > found.r, "still blue: {}", found.to_css());
        let on_dark = nearest_passing_colour(Rgba::rgb(0x33, 0x44, 0x55), Rgba::rgb(0x1a, 0x1a, 0x1a), 4.5)
            .expect("a lighter colour passes on a dark background");
        assert!(on_dark.luminance() > Rgba::rgb(0x33, 0x44, 0x55).luminance());
        assert!(nearest_passing_colour(grey, Rgba::rgb(0x80, 0x80, 0x80), 21.0).is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(text: &str) -> Result<Length, Unresolved> {
        let mut p = Parser::new(text);
        parse_length(&mut p, true)
    }

    #[test]
    fn colours() {
        let c = |t| match parse_color(t) {
            Ok(ColorValue::Rgba(c)) => c.to_css(),
            other => format!("{other:?}"),
        };
        assert_eq!(c("#999"), "#999999");
        assert_eq!(c("RED"), "#ff0000");
        assert_eq!(c("rgb(255 0 0 / 50%)"), "rgba(255, 0, 0, 0.50)");
        assert_eq!(c("rgba(0,0,0,.5)"), "rgba(0, 0, 0, 0.50)");
        assert_eq!(c("hsl(120, 100%, 25%)"), "#008000");
        assert_eq!(c("#11223380"), "rgba(17, 34, 51, 0.50)");
        assert!(matches!(parse_color("oklch(70% 0.1 200)"), Err(Unresolved::Color(_))));
        assert!(matches!(parse_color("currentcolor"), Ok(ColorValue::CurrentColor)));
    }

    #[test]
    fn contrast_of_known_pairs() {
        assert!((contrast_ratio(Rgba::BLACK, Rgba::WHITE) - 21.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1 grey.
        let grey = Rgba::rgb(0x76, 0x76, 0x76);
        assert!((contrast_ratio(grey, Rgba::WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn alpha_compositing() {
        let half_black = Rgba { a: 0.5, ..Rgba::BLACK };
        let c = half_black.over(Rgba::WHITE);
        assert!((c.r - 127.5).abs() < 0.01 && c.is_opaque());
    }

    #[test]
    fn rotations() {
        assert_eq!(transform_rotation("rotate(90deg)"), Some(90.0));
        assert!((transform_rotation("rotate(1.5708rad)").unwrap_or(0.0) - 90.0).abs() < 0.01);
        assert!((transform_rotation("matrix(0, 1, -1, 0, 0, 0)").unwrap_or(0.0) - 90.0).abs() < 0.01);
        assert_eq!(transform_rotation("translate(10px, 5px) rotateZ(45deg)"), Some(45.0));
        assert_eq!(transform_rotation("rotateX(30deg)"), None);
        assert_eq!(rotate_property("z 90deg"), Some(90.0));
        assert_eq!(rotate_property("0 0 1 -90deg"), Some(-90.0));
    }

    #[test]
    fn lengths_and_calc() {
        assert_eq!(len("12pt").map(|l| l.px), Ok(16.0));
        assert_eq!(len("1.5em").map(|l| l.em), Ok(1.5));
        let mixed = len("calc(1em + 2px)").expect("calc");
        assert_eq!((mixed.em, mixed.px), (1.0, 2.0));
        assert_eq!(len("calc((100% - 20px) / 2)").map(|l| (l.percent, l.px)), Ok((50.0, -10.0)));
        assert!(matches!(len("calc(1px * 2px)"), Err(Unresolved::Calc(_))));
        assert!(matches!(len("clamp(12px, 2vw, 20px)"), Err(Unresolved::Calc(_))));
        assert_eq!(len("2vw").map(|l| l.unit_kind()), Ok(SizeUnitKind::ViewportOnly));
        assert_eq!(len("calc(1rem + 1vw)").map(|l| l.unit_kind()), Ok(SizeUnitKind::Relative));
    }
}
