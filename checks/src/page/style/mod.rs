//! The CSS engine: parsing (cssparser), media queries, the cascade and computed values.

mod cascade;
mod compute;
mod media;
mod names;
pub mod origin;
mod props;
mod sheet;
mod values;

pub use cascade::{
    legacy_color, Cascade, ComputedStyle, Extent, FontSizeOrigin, LineHeight, Origin, RuleSet, StyleOrigins,
};
pub use media::{matches_media, Viewport};
pub use names::DocumentNames;
pub use origin::{DeclarationOrigin, Source};
pub use props::Prop;
pub use sheet::{
    parse_selector_list, parse_style_attribute, parse_style_attribute_in, parse_stylesheet, parse_stylesheet_for,
    parse_stylesheet_in, parse_stylesheet_limited, SheetItem, StyleRule,
};
pub use values::{
    contrast_ratio, nearest_passing_colour, parse_color, BackgroundImage, ColorValue, Length, Rgba, SizeUnitKind,
    Specified, Unresolved,
};

/// The browser defaults that matter to the checks (display, headings, links, form controls).
pub const USER_AGENT_CSS: &str = include_str!("ua.css");
/// Browser rules that apply only in quirks mode (no doctype or an old one): most older Chinese
/// government portals are quirks-mode pages.
pub const QUIRKS_CSS: &str = "/* Tables do not inherit text styles in quirks mode (Chromium quirks.css). */\n\
table { font-size: medium; font-weight: normal; font-style: normal; line-height: normal; color: initial }";
