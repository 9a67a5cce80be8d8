//! Criteria profiles: thresholds and weights live in data, as in axe, not in the checks.

use crate::check::Impact;
use serde::Serialize;

/// A criteria profile. `miit-web` (default) follows the MIIT elderly-friendly criteria;
/// `wcag-aa` judges the WCAG 2.1 AA basics only, without elder-page rules.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub name: String,
    /// `small-text`: minimum text size on ordinary pages.
    pub min_text_px: f32,
    /// `small-text`: minimum text size on elder pages (MIIT Annex 1/2: 18).
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
    /// URL fragments that mark elder pages.
    pub elder_paths: Vec<String>,
    /// Whether elder-page detection and elder rules apply at all.
    pub elder_rules: bool,
    /// `form-field-name`: whether a placeholder alone names a field (WCAG/ACT: yes; MIIT profile: no,
    /// because it vanishes while typing).
    pub placeholder_is_label: bool,
    /// Extra ad-network hosts for `ad-content`, on top of the bundled list.
    pub extra_ad_hosts: Vec<String>,
    /// Extra induced-button wording for `induced-button`, on top of the bundled lexicon.
    pub extra_induced_words: Vec<String>,
    /// Check ids switched off in this profile.
    pub disabled_checks: Vec<String>,
    /// Score at or above which a site passes.
    pub pass_mark: f64,
}

impl Profile {
    pub const BUILT_IN: [&'static str; 2] = ["miit-web", "wcag-aa"];

    pub fn miit_web() -> Profile {
        Profile {
            name: "miit-web".into(),
            min_text_px: 12.0,
            elder_min_text_px: 18.0,
            min_ratio: 4.5,
            min_ratio_large: 3.0,
            enhanced_ratio: 7.0,
            enhanced_ratio_large: 4.5,
            min_maximum_scale: 2.0,
            min_line_height: 1.3,
            elder_paths: ["/care/", "/elder", "/older", "/laonian", "/zlb", "/ghb", "mode=care", "mode=elder"]
                .map(String::from)
                .to_vec(),
            elder_rules: true,
            placeholder_is_label: false,
            extra_ad_hosts: Vec::new(),
            extra_induced_words: Vec::new(),
            disabled_checks: Vec::new(),
            pass_mark: 60.0,
        }
    }

    pub fn wcag_aa() -> Profile {
        Profile {
            name: "wcag-aa".into(),
            elder_rules: false,
            placeholder_is_label: true,
            elder_paths: Vec::new(),
            disabled_checks: ["small-text", "elder-mode-entry", "ad-content", "induced-button"]
                .map(String::from)
                .to_vec(),
            ..Profile::miit_web()
        }
    }

    /// A built-in profile by name.
    pub fn built_in(name: &str) -> Option<Profile> {
        match name {
            "miit-web" => Some(Profile::miit_web()),
            "wcag-aa" => Some(Profile::wcag_aa()),
            _ => None,
        }
    }

    pub fn is_enabled(&self, check_id: &str) -> bool {
        !self.disabled_checks.iter().any(|d| d == check_id)
    }

    /// The weight of a check's impact in the page score.
    pub fn weight(&self, impact: Impact) -> f64 {
        impact.weight()
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::miit_web()
    }
}
