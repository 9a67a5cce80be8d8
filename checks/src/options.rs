//! The thresholds and word lists the checks read (as axe keeps thresholds in data). One type, one
//! set of defaults: profiles, the command line and the library all start from [`Thresholds::default`].

use serde::{Deserialize, Serialize};

/// Minimum text size on ordinary pages (px).
pub const DEFAULT_MIN_TEXT_PX: f32 = 12.0;
/// Minimum text size on elder pages (MIIT Annex 1/2: 18px).
pub const DEFAULT_ELDER_MIN_TEXT_PX: f32 = 18.0;
/// WCAG 1.4.3 contrast for normal and large text.
pub const DEFAULT_MIN_RATIO: f64 = 4.5;
pub const DEFAULT_MIN_RATIO_LARGE: f64 = 3.0;
/// WCAG 1.4.6 (enhanced) contrast for normal and large text.
pub const DEFAULT_ENHANCED_RATIO: f64 = 7.0;
pub const DEFAULT_ENHANCED_RATIO_LARGE: f64 = 4.5;
/// The zoom a page must allow (`maximum-scale`).
pub const DEFAULT_MIN_MAXIMUM_SCALE: f64 = 2.0;
/// Minimum line height as a multiple of the font size.
pub const DEFAULT_MIN_LINE_HEIGHT: f32 = 1.3;

/// Everything a check may be configured with. Field names are the keys of a profile's TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// `small-text`: minimum text size on ordinary pages.
    pub min_text_px: f32,
    /// `small-text`: minimum text size on elder pages.
    pub elder_min_text_px: f32,
    /// `color-contrast`.
    pub min_ratio: f64,
    pub min_ratio_large: f64,
    /// `color-contrast-enhanced`.
    pub enhanced_ratio: f64,
    pub enhanced_ratio_large: f64,
    /// `meta-viewport`: the zoom a page must allow.
    pub min_maximum_scale: f64,
    /// `line-spacing`.
    pub min_line_height: f32,
    /// `form-field-name`: whether a placeholder alone names a field (WCAG/ACT: yes; MIIT profile: no,
    /// because it vanishes while typing).
    pub placeholder_is_label: bool,
    /// Extra ad-network hosts for `ad-content`, on top of the bundled list.
    pub extra_ad_hosts: Vec<String>,
    /// Extra induced-button wording for `induced-button`, on top of the bundled lexicon.
    pub extra_induced_words: Vec<String>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_text_px: DEFAULT_MIN_TEXT_PX,
            elder_min_text_px: DEFAULT_ELDER_MIN_TEXT_PX,
            min_ratio: DEFAULT_MIN_RATIO,
            min_ratio_large: DEFAULT_MIN_RATIO_LARGE,
            enhanced_ratio: DEFAULT_ENHANCED_RATIO,
            enhanced_ratio_large: DEFAULT_ENHANCED_RATIO_LARGE,
            min_maximum_scale: DEFAULT_MIN_MAXIMUM_SCALE,
            min_line_height: DEFAULT_MIN_LINE_HEIGHT,
            placeholder_is_label: false,
            extra_ad_hosts: Vec::new(),
            extra_induced_words: Vec::new(),
        }
    }
}
