//! The properties the checks need, and how their declarations are parsed (including the
//! `font`, `background`, `overflow` and `inset` shorthands).

use super::values::{
    color_from_parser, css_wide_keyword, parse_color, parse_length, with_parser, BackgroundImage, Specified, Unresolved,
};
use cssparser::{Parser, Token};

macro_rules! props {
    ($($variant:ident = $name:literal, inherited = $inh:literal;)*) => {
        /// A longhand property the engine resolves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Prop { $($variant),* }

        impl Prop {
            pub const ALL: &'static [Prop] = &[$(Prop::$variant),*];
            pub const COUNT: usize = Prop::ALL.len();

            pub fn name(self) -> &'static str {
                match self { $(Prop::$variant => $name),* }
            }

            pub fn from_name(name: &str) -> Option<Prop> {
                match name { $($name => Some(Prop::$variant),)* _ => None }
            }

            /// Inherited properties take the parent's computed value when not declared.
            pub fn inherited(self) -> bool {
                match self { $(Prop::$variant => $inh),* }
            }
        }
    };
}

props! {
    Display = "display", inherited = false;
    Visibility = "visibility", inherited = true;
    FontSize = "font-size", inherited = true;
    FontWeight = "font-weight", inherited = true;
    Color = "color", inherited = true;
    BackgroundColor = "background-color", inherited = false;
    BackgroundImage = "background-image", inherited = false;
    Opacity = "opacity", inherited = false;
    LineHeight = "line-height", inherited = true;
    LetterSpacing = "letter-spacing", inherited = true;
    WordSpacing = "word-spacing", inherited = true;
    Position = "position", inherited = false;
    ZIndex = "z-index", inherited = false;
    Width = "width", inherited = false;
    Height = "height", inherited = false;
    MinWidth = "min-width", inherited = false;
    MinHeight = "min-height", inherited = false;
    MaxWidth = "max-width", inherited = false;
    MaxHeight = "max-height", inherited = false;
    Top = "top", inherited = false;
    Left = "left", inherited = false;
    Right = "right", inherited = false;
    Bottom = "bottom", inherited = false;
    OverflowX = "overflow-x", inherited = false;
    OverflowY = "overflow-y", inherited = false;
    Transform = "transform", inherited = false;
    TextShadow = "text-shadow", inherited = true;
    Clip = "clip", inherited = false;
    ClipPath = "clip-path", inherited = false;
    TextIndent = "text-indent", inherited = true;
    Rotate = "rotate", inherited = false;
    FontFamily = "font-family", inherited = true;
}

/// One longhand declaration after shorthand expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub prop: Prop,
    pub value: Specified,
    pub important: bool,
    /// Where the declaration was written (shorthand longhands share their shorthand's origin).
    pub origin: Option<std::sync::Arc<super::origin::DeclarationOrigin>>,
}

/// A custom property (`--name: value`), kept as text for `var()` substitution.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomDeclaration {
    pub name: Box<str>,
    pub value: Box<str>,
    pub important: bool,
}

/// Splits `value !important` into the value text and the flag.
pub fn split_important(raw: &str) -> (&str, bool) {
    let trimmed = raw.trim_end();
    if let Some(bang) = trimmed.rfind('!') {
        let tail = trimmed[bang + 1..].trim();
        if tail.eq_ignore_ascii_case("important") {
            return (trimmed[..bang].trim(), true);
        }
    }
    (trimmed.trim(), false)
}

/// Parses one declaration (`name`, value text without `!important`) into longhands.
/// Unknown properties give an empty list.
pub fn parse_declaration(name: &str, value: &str, important: bool, out: &mut Vec<Declaration>) {
    let lower = name.to_ascii_lowercase();
    let name = lower.strip_prefix("-webkit-").filter(|n| *n == "transform").unwrap_or(&lower);
    let mut push = |prop: Prop, value: Specified| out.push(Declaration { prop, value, important, origin: None });
    let has_var = value.to_ascii_lowercase().contains("var(");
    let longhands_of = |n: &str| -> &'static [Prop] {
        match n {
            "font" => &[Prop::FontSize, Prop::FontWeight, Prop::LineHeight, Prop::FontFamily],
            "background" => &[Prop::BackgroundColor, Prop::BackgroundImage],
            "overflow" => &[Prop::OverflowX, Prop::OverflowY],
            "inset" => &[Prop::Top, Prop::Right, Prop::Bottom, Prop::Left],
            _ => &[],
        }
    };
    if let Some(wide) = css_wide_keyword(value) {
        if let Some(prop) = Prop::from_name(name) {
            push(prop, wide);
        } else {
            for &prop in longhands_of(name) {
                push(prop, wide.clone());
            }
        }
        return;
    }
    if has_var {
        // Substitution happens per element; shorthands are expanded after it.
        if let Some(prop) = Prop::from_name(name) {
            push(prop, Specified::Pending(value.into()));
        } else {
            for &prop in longhands_of(name) {
                push(prop, Specified::Pending(format!("{name}\u{0}{value}").into()));
            }
        }
        return;
    }
    match name {
        "font" => expand_font(value, &mut push),
        "background" => expand_background(value, &mut push),
        "overflow" => {
            let mut parts = value.split_whitespace();
            let x = parts.next().unwrap_or("visible");
            let y = parts.next().unwrap_or(x);
            push(Prop::OverflowX, Specified::Keyword(x.to_ascii_lowercase().into()));
            push(Prop::OverflowY, Specified::Keyword(y.to_ascii_lowercase().into()));
        }
        "inset" => {
            let parts: Vec<&str> = value.split_whitespace().collect();
            let pick = |i: usize| match (parts.len(), i) {
                (1, _) => parts[0],
                (2, 0 | 2) | (3, 0) => parts[0],
                (2, _) | (3, 1 | 3) => parts[1],
                (3, _) => parts[2],
                (_, i) => parts.get(i).copied().unwrap_or("auto"),
            };
            if !parts.is_empty() {
                for (i, prop) in [Prop::Top, Prop::Right, Prop::Bottom, Prop::Left].into_iter().enumerate() {
                    push(prop, parse_longhand(prop, pick(i)));
                }
            }
        }
        _ => {
            if let Some(prop) = Prop::from_name(name) {
                push(prop, parse_longhand(prop, value));
            }
        }
    }
}

/// Expands a shorthand or parses a longhand whose `var()`s were substituted.
pub fn parse_substituted(pending: &str, prop: Prop) -> Specified {
    if let Some((shorthand, value)) = pending.split_once('\u{0}') {
        let mut out = Vec::new();
        parse_declaration(shorthand, value, false, &mut out);
        out.into_iter().find(|d| d.prop == prop).map_or(Specified::Initial, |d| d.value)
    } else {
        css_wide_keyword(pending).unwrap_or_else(|| parse_longhand(prop, pending))
    }
}

pub fn parse_longhand(prop: Prop, value: &str) -> Specified {
    let value = value.trim();
    let keyword = || Specified::Keyword(value.to_ascii_lowercase().into());
    match prop {
        Prop::Display | Prop::Visibility | Prop::Position | Prop::OverflowX | Prop::OverflowY | Prop::FontFamily => {
            keyword()
        }
        Prop::Color | Prop::BackgroundColor => match parse_color(value) {
            Ok(c) => Specified::Color(c),
            Err(e) => Specified::Unresolved(e),
        },
        Prop::BackgroundImage => Specified::Image(classify_image(value)),
        Prop::Opacity => parse_number_or_percent(value).map_or_else(|| invalid(value), Specified::Number),
        Prop::ZIndex => {
            if value.eq_ignore_ascii_case("auto") {
                keyword()
            } else {
                value.parse::<i32>().map_or_else(|_| invalid(value), |n| Specified::Number(n as f32))
            }
        }
        Prop::FontWeight => parse_font_weight(value).unwrap_or_else(|| invalid(value)),
        Prop::FontSize => parse_font_size(value),
        Prop::LineHeight => parse_line_height(value),
        Prop::LetterSpacing | Prop::WordSpacing | Prop::TextIndent => length_or_keywords(value, &["normal"]),
        Prop::Width
        | Prop::Height
        | Prop::MinWidth
        | Prop::MinHeight
        | Prop::Top
        | Prop::Left
        | Prop::Right
        | Prop::Bottom => length_or_keywords(
            value,
            &["auto", "fit-content", "max-content", "min-content", "-webkit-fill-available", "stretch"],
        ),
        Prop::MaxWidth | Prop::MaxHeight => {
            length_or_keywords(value, &["none", "fit-content", "max-content", "min-content"])
        }
        Prop::Transform | Prop::TextShadow | Prop::Clip | Prop::ClipPath | Prop::Rotate => {
            if value.eq_ignore_ascii_case("none") || value.eq_ignore_ascii_case("auto") {
                Specified::None
            } else {
                Specified::Raw(value.into())
            }
        }
    }
}

fn invalid(value: &str) -> Specified {
    Specified::Unresolved(Unresolved::Invalid(value.to_string()))
}

fn parse_number_or_percent(value: &str) -> Option<f32> {
    with_parser(value, |p| match p.next().ok()? {
        Token::Number { value, .. } => Some(*value),
        Token::Percentage { unit_value, .. } => Some(*unit_value),
        _ => None,
    })
}

fn parse_font_weight(value: &str) -> Option<Specified> {
    let lower = value.to_ascii_lowercase();
    match lower.as_str() {
        "normal" => Some(Specified::Number(400.0)),
        "bold" => Some(Specified::Number(700.0)),
        "bolder" | "lighter" => Some(Specified::Keyword(lower.into())),
        _ => lower.parse::<f32>().ok().filter(|n| (1.0..=1000.0).contains(n)).map(Specified::Number),
    }
}

const FONT_SIZE_KEYWORDS: &[&str] = &[
    "xx-small",
    "x-small",
    "small",
    "medium",
    "large",
    "x-large",
    "xx-large",
    "xxx-large",
    "larger",
    "smaller",
    "math",
];

fn parse_font_size(value: &str) -> Specified {
    let lower = value.to_ascii_lowercase();
    if FONT_SIZE_KEYWORDS.contains(&lower.as_str()) {
        return Specified::Keyword(lower.into());
    }
    length_value(value)
}

fn parse_line_height(value: &str) -> Specified {
    if value.eq_ignore_ascii_case("normal") {
        return Specified::Keyword("normal".into());
    }
    if let Some(n) = with_parser(value, |p| match p.next().ok()? {
        Token::Number { value, .. } => Some(*value),
        _ => None,
    }) {
        return Specified::Number(n);
    }
    length_value(value)
}

fn length_or_keywords(value: &str, keywords: &[&str]) -> Specified {
    let lower = value.to_ascii_lowercase();
    if keywords.contains(&lower.as_str()) {
        return Specified::Keyword(lower.into());
    }
    length_value(value)
}

fn length_value(value: &str) -> Specified {
    let mut parser = Parser::new(value);
    match parse_length(&mut parser, true) {
        Ok(l) if parser.is_exhausted() => Specified::Length(l),
        Ok(_) => invalid(value),
        Err(e) => Specified::Unresolved(e),
    }
}

fn classify_image(value: &str) -> BackgroundImage {
    let lower = value.to_ascii_lowercase();
    if lower.contains("url(") || lower.contains("image-set(") || lower.contains("image(") || lower.contains("element(")
    {
        BackgroundImage::Url
    } else if lower.contains("gradient(") {
        BackgroundImage::Gradient(gradient_stops(value).into())
    } else {
        BackgroundImage::None
    }
}

/// The colours of every gradient in a value; empty if any stop colour cannot be read.
fn gradient_stops(value: &str) -> Vec<super::values::Rgba> {
    /// Functions nested deeper than this make the value unreadable (each level is a parser on the stack).
    const MAX_NESTING: u8 = 32;
    fn walk(p: &mut Parser<'_>, stops: &mut Vec<super::values::Rgba>, ok: &mut bool, inside: bool, depth: u8) {
        if depth > MAX_NESTING {
            *ok = false;
            return;
        }
        loop {
            let state = p.state();
            if inside {
                match color_from_parser(p) {
                    Ok(super::values::ColorValue::Rgba(c)) => {
                        stops.push(c);
                        continue;
                    }
                    Ok(super::values::ColorValue::CurrentColor) => *ok = false,
                    Err(()) => p.reset(&state),
                }
            }
            let Ok(token) = p.next() else { return };
            match token.clone() {
                Token::Function(name) => {
                    let lower = name.to_ascii_lowercase();
                    let is_gradient = lower.contains("gradient");
                    if inside && !is_gradient && !matches!(lower.as_str(), "calc") {
                        // A colour function the engine does not read (color-mix, oklch…).
                        *ok = false;
                    }
                    let _ = p.parse_nested_block(|inner| {
                        walk(inner, stops, ok, is_gradient || inside, depth + 1);
                        Ok::<(), cssparser::ParseError<()>>(())
                    });
                }
                Token::ParenthesisBlock => {
                    let _ = p.parse_nested_block(|inner| {
                        walk(inner, stops, ok, inside, depth + 1);
                        Ok::<(), cssparser::ParseError<()>>(())
                    });
                }
                _ => {}
            }
        }
    }
    let mut parser = Parser::new(value);
    let mut stops = Vec::new();
    let mut ok = true;
    walk(&mut parser, &mut stops, &mut ok, false, 0);
    if ok {
        stops
    } else {
        Vec::new()
    }
}

/// `background: [color] [image] …`: the colour is the one colour token of the final layer.
fn expand_background(value: &str, push: &mut impl FnMut(Prop, Specified)) {
    push(Prop::BackgroundImage, Specified::Image(classify_image(value)));
    let final_layer = value.rsplit(',').next().unwrap_or(value);
    // A comma inside rgb(…) is not a layer separator: fall back to the whole value then.
    let layer = if final_layer.contains(')') && !final_layer.contains('(') { value } else { final_layer };
    let mut parser = Parser::new(layer);
    let mut color = Specified::Color(super::values::ColorValue::Rgba(super::values::Rgba::TRANSPARENT));
    loop {
        let state = parser.state();
        if let Ok(c) = color_from_parser(&mut parser) {
            color = Specified::Color(c);
            continue;
        }
        parser.reset(&state);
        match parser.next() {
            Ok(Token::Function(name))
                if matches!(
                    name.to_ascii_lowercase().as_str(),
                    "color-mix" | "lab" | "lch" | "oklab" | "oklch" | "color" | "hwb"
                ) =>
            {
                color = Specified::Unresolved(Unresolved::Color(layer.trim().to_string()));
                let _ = parser.parse_nested_block(|p| {
                    while p.next().is_ok() {}
                    Ok::<(), cssparser::ParseError<()>>(())
                });
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    push(Prop::BackgroundColor, color);
}

/// `font: [style] [variant] [weight] [stretch] size[/line-height] family`.
fn expand_font(value: &str, push: &mut impl FnMut(Prop, Specified)) {
    let lower = value.trim().to_ascii_lowercase();
    // System fonts (`font: menu`, `caption`…) use platform values: leave size to inheritance.
    if !lower.contains(' ') && !lower.contains('/') {
        return;
    }
    let mut weight = Specified::Number(400.0);
    let mut size: Option<Specified> = None;
    let mut line_height = Specified::Keyword("normal".into());
    let words: Vec<&str> = split_font_words(value);
    let mut i = 0;
    while i < words.len() && size.is_none() {
        let word = words[i];
        let lw = word.to_ascii_lowercase();
        if let Some(w) = parse_font_weight(&lw) {
            if !matches!(lw.as_str(), "normal") || i + 1 < words.len() {
                if lw != "normal" {
                    weight = w;
                }
                i += 1;
                continue;
            }
        }
        let (size_text, lh_text) = match word.split_once('/') {
            Some((s, l)) => (s, Some(l)),
            None => (word, None),
        };
        let candidate = parse_font_size(size_text);
        if matches!(
            candidate,
            Specified::Length(_) | Specified::Keyword(_) | Specified::Unresolved(Unresolved::Calc(_))
        ) {
            size = Some(candidate);
            let lh = match lh_text {
                Some(l) if !l.is_empty() => Some(l.to_string()),
                Some(_) => words.get(i + 1).map(|s| s.to_string()),
                None => words.get(i + 1).and_then(|n| n.strip_prefix('/')).map(|l| {
                    if l.is_empty() {
                        words.get(i + 2).map_or(String::new(), |s| s.to_string())
                    } else {
                        l.to_string()
                    }
                }),
            };
            if let Some(lh) = lh.filter(|l| !l.is_empty()) {
                line_height = parse_line_height(&lh);
            }
        }
        i += 1;
    }
    if let Some(size) = size {
        push(Prop::FontSize, size);
        push(Prop::FontWeight, weight);
        push(Prop::LineHeight, line_height);
        // The family is what follows the size and line height.
        let mut rest = i;
        if let Some(word) = words.get(rest).filter(|w| w.starts_with('/')) {
            rest += if *word == "/" { 2 } else { 1 };
        }
        let family = words.get(rest..).unwrap_or_default().join(" ");
        if !family.is_empty() {
            push(Prop::FontFamily, Specified::Keyword(family.to_ascii_lowercase().into()));
        }
    }
}

/// Splits on whitespace outside parentheses (so `calc(1em + 2px)` stays one word).
fn split_font_words(value: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    for (i, ch) in value.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if ch.is_whitespace() && depth == 0 {
            if let Some(s) = start.take() {
                words.push(&value[s..i]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(&value[s..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::style::values::{ColorValue, Length};

    fn parse(name: &str, value: &str) -> Vec<Declaration> {
        let (v, imp) = split_important(value);
        let mut out = Vec::new();
        parse_declaration(name, v, imp, &mut out);
        out
    }

    #[test]
    fn important_flag() {
        assert_eq!(split_important("red ! IMPORTANT"), ("red", true));
        assert_eq!(split_important(" 12px "), ("12px", false));
    }

    #[test]
    fn font_shorthand() {
        let d = parse("font", "bold 12px/1.5 \"Microsoft YaHei\", sans-serif");
        assert_eq!(d[0].value, Specified::Length(Length::px(12.0)));
        assert_eq!(d[1].value, Specified::Number(700.0));
        assert_eq!(d[2].value, Specified::Number(1.5));
        let d = parse("font", "italic small-caps 14px 宋体");
        assert_eq!(d[0].value, Specified::Length(Length::px(14.0)));
        let d = parse("font", "12px / 18px Arial");
        assert_eq!(d[2].value, Specified::Length(Length::px(18.0)));
    }

    #[test]
    fn background_shorthand() {
        let d = parse("background", "#fff url(bg.png) no-repeat");
        assert_eq!(d[0].value, Specified::Image(BackgroundImage::Url));
        assert!(matches!(d[1].value, Specified::Color(ColorValue::Rgba(c)) if c.r == 255.0));
        let d = parse("background", "linear-gradient(red, blue)");
        assert!(matches!(&d[0].value, Specified::Image(BackgroundImage::Gradient(stops)) if stops.len() == 2));
        let d = parse("background", "rgba(0, 0, 0, 0.5)");
        assert!(matches!(d[1].value, Specified::Color(ColorValue::Rgba(c)) if (c.a - 0.5).abs() < 1e-6));
    }

    #[test]
    fn var_is_pending_and_wide_keywords() {
        assert!(matches!(parse("color", "var(--x)")[0].value, Specified::Pending(_)));
        assert_eq!(parse("font-size", "inherit")[0].value, Specified::Inherit);
        assert!(parse("unknown-prop", "1px").is_empty());
        let pending = parse("background", "var(--bg)");
        assert_eq!(
            parse_substituted("background\u{0}#000", pending[0].prop),
            Specified::Color(ColorValue::Rgba(crate::page::style::values::Rgba::BLACK))
        );
    }
}
