//! The CSS engine: parsing (cssparser), media queries, the cascade and computed values.

mod cascade;
mod media;
pub mod origin;
mod props;
mod sheet;
mod values;

pub use cascade::{Cascade, ComputedStyle, Extent, FontSizeOrigin, LineHeight, Origin, RuleSet, StyleOrigins};
pub use media::{matches_media, Viewport};
pub use origin::{DeclarationOrigin, Source};
pub use props::Prop;
pub use sheet::{parse_selector_list, parse_style_attribute, parse_stylesheet, SheetItem, StyleRule};
pub use values::{
    contrast_ratio, nearest_passing_colour, parse_color, BackgroundImage, ColorValue, Length, Rgba, SizeUnitKind,
    Specified, Unresolved,
};

/// The browser defaults that matter to the checks (display, headings, links, form controls).
pub const USER_AGENT_CSS: &str = include_str!("ua.css");
