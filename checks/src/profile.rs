//! Criteria profiles: thresholds and weights live in data, as in axe, not in the checks.

use crate::check::Impact;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Weight of each impact in the page score (Lighthouse/axe defaults: 10, 7, 3, 1, 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub critical: f64,
    pub serious: f64,
    pub moderate: f64,
    pub minor: f64,
    pub advisory: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { critical: 10.0, serious: 7.0, moderate: 3.0, minor: 1.0, advisory: 0.0 }
    }
}

/// Why a custom profile cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: {source}")]
    Read { file: String, source: std::io::Error },
}

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
    /// Impact weights in the page score.
    pub weights: Weights,
    /// Checks whose failures on elder pages are vetoes (否决项).
    pub elder_vetoes: Vec<String>,
    /// Check ids switched off in this profile.
    pub disabled_checks: Vec<String>,
    /// Checks whose failures are vetoes on any page (custom checks with `veto = true`).
    pub page_vetoes: Vec<String>,
    /// Declarative checks from `[[custom_checks]]`.
    #[serde(skip)]
    pub custom_checks: Vec<&'static dyn crate::check::Check>,
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
            weights: Weights::default(),
            elder_vetoes: ["ad-content", "induced-button", "popup-overlay"].map(String::from).to_vec(),
            disabled_checks: Vec::new(),
            page_vetoes: Vec::new(),
            custom_checks: Vec::new(),
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

    /// Adds declarative checks (from a profile or from eldercheck.toml); `file` names the source in errors.
    pub fn add_custom_checks(
        &mut self,
        definitions: &[crate::rules::custom::CustomCheckDefinition],
        file: &str,
    ) -> Result<(), ProfileError> {
        let mut taken: Vec<&str> = self.checks().map(|c| c.meta().id).collect();
        for definition in definitions {
            let check = crate::rules::custom::build(definition, &taken).map_err(|problem| ProfileError::Invalid {
                file: file.to_string(),
                message: format!("custom check {:?}: {problem}", definition.id),
            })?;
            let check: &'static dyn crate::check::Check = Box::leak(Box::new(check));
            taken.push(check.meta().id);
            if definition.veto {
                let list = if definition.elder_only { &mut self.elder_vetoes } else { &mut self.page_vetoes };
                list.push(definition.id.clone());
            }
            crate::rules::register_custom(check);
            self.custom_checks.push(check);
        }
        Ok(())
    }

    /// Every check this profile runs: the built-in catalogue, then its custom checks.
    pub fn checks(&self) -> impl Iterator<Item = &'static dyn crate::check::Check> + '_ {
        crate::rules::registry().iter().copied().chain(self.custom_checks.iter().copied())
    }

    pub fn is_enabled(&self, check_id: &str) -> bool {
        !self.disabled_checks.iter().any(|d| d == check_id)
    }

    /// The weight of a check's impact in the page score.
    pub fn weight(&self, impact: Impact) -> f64 {
        match impact {
            Impact::Critical => self.weights.critical,
            Impact::Serious => self.weights.serious,
            Impact::Moderate => self.weights.moderate,
            Impact::Minor => self.weights.minor,
            Impact::Advisory => self.weights.advisory,
        }
    }

    /// A built-in profile by name, or a custom profile from a TOML file.
    pub fn load(name_or_path: &str) -> Result<Profile, ProfileError> {
        if let Some(profile) = Profile::built_in(name_or_path) {
            return Ok(profile);
        }
        let path = Path::new(name_or_path);
        if !name_or_path.ends_with(".toml") && !path.exists() {
            return Err(ProfileError::Invalid {
                file: name_or_path.to_string(),
                message: format!(
                    "unknown profile: built-in profiles are {}, or give a .toml file",
                    Profile::BUILT_IN.join(", ")
                ),
            });
        }
        let text = std::fs::read_to_string(path)
            .map_err(|source| ProfileError::Read { file: name_or_path.to_string(), source })?;
        Profile::from_toml(&text, name_or_path)
    }

    /// Parses a custom profile: every key is optional and overrides the `base` profile (default `miit-web`).
    pub fn from_toml(text: &str, file: &str) -> Result<Profile, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid { file: file.to_string(), message };
        let custom: ProfileFile = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let base_name = custom.base.as_deref().unwrap_or("miit-web");
        let mut profile = Profile::built_in(base_name).ok_or_else(|| {
            invalid(format!("base = {base_name:?} is not a built-in profile ({})", Profile::BUILT_IN.join(", ")))
        })?;
        profile.name = custom.name.unwrap_or_else(|| {
            Path::new(file).file_stem().map_or_else(|| "custom".to_string(), |s| s.to_string_lossy().into_owned())
        });
        macro_rules! take {
            ($($field:ident),*) => { $(if let Some(v) = custom.$field { profile.$field = v; })* };
        }
        take!(
            min_text_px,
            elder_min_text_px,
            min_ratio,
            min_ratio_large,
            enhanced_ratio,
            enhanced_ratio_large,
            min_maximum_scale,
            min_line_height,
            elder_paths,
            elder_rules,
            placeholder_is_label,
            extra_ad_hosts,
            extra_induced_words,
            weights,
            elder_vetoes,
            disabled_checks,
            pass_mark
        );
        let definitions =
            crate::rules::custom::definitions_from_tables(custom.custom_checks.unwrap_or_default()).map_err(invalid)?;
        profile.add_custom_checks(&definitions, file)?;
        let known: Vec<&str> = profile.checks().map(|c| c.meta().id).collect();
        for id in profile.disabled_checks.iter().chain(&profile.elder_vetoes) {
            if !known.contains(&id.as_str()) {
                return Err(invalid(format!("unknown check id {id:?}")));
            }
        }
        if !(0.0..=100.0).contains(&profile.pass_mark) {
            return Err(invalid(format!("pass_mark {} must be between 0 and 100", profile.pass_mark)));
        }
        Ok(profile)
    }
}

/// A profile as written in TOML: every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    base: Option<String>,
    name: Option<String>,
    min_text_px: Option<f32>,
    elder_min_text_px: Option<f32>,
    min_ratio: Option<f64>,
    min_ratio_large: Option<f64>,
    enhanced_ratio: Option<f64>,
    enhanced_ratio_large: Option<f64>,
    min_maximum_scale: Option<f64>,
    min_line_height: Option<f32>,
    elder_paths: Option<Vec<String>>,
    elder_rules: Option<bool>,
    placeholder_is_label: Option<bool>,
    extra_ad_hosts: Option<Vec<String>>,
    extra_induced_words: Option<Vec<String>>,
    weights: Option<Weights>,
    elder_vetoes: Option<Vec<String>>,
    disabled_checks: Option<Vec<String>>,
    pass_mark: Option<f64>,
    /// Kept as tables so that a bad entry's error can name its check.
    custom_checks: Option<Vec<toml::Table>>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::miit_web()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_profile_overrides_its_base() {
        let p = Profile::from_toml(
            "base = \"miit-web\"\nname = \"province\"\nmin_text_px = 14\nextra_ad_hosts = [\"ads.example.cn\"]\n[weights]\nminor = 2\n",
            "p.toml",
        )
        .expect("valid profile");
        assert_eq!(p.name, "province");
        assert_eq!(p.min_text_px, 14.0);
        assert_eq!(p.weight(Impact::Minor), 2.0);
        assert_eq!(p.weight(Impact::Critical), 10.0);
        assert!(p.elder_vetoes.contains(&"ad-content".to_string()));
    }

    #[test]
    fn bad_profiles_name_the_problem() {
        let err = |t: &str| Profile::from_toml(t, "bad.toml").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err("min_text = 3").contains("unknown field"), "{}", err("min_text = 3"));
        assert!(err("disabled_checks = [\"no-such\"]").contains("no-such"));
        assert!(err("base = \"nope\"").contains("built-in"));
        assert!(err("pass_mark = 300").contains("pass_mark"));
        assert!(err("[weights]\nhuge = 1").contains("unknown field"));
    }
}
