//! Criteria profiles: thresholds, weights, vetoes and elder-page rules live in data, not in the checks.
//! A custom profile is a TOML file whose keys override a built-in base; every key is declared once,
//! as a field of [`Thresholds`] or of [`ProfileSettings`].

use crate::check::Impact;
use crate::options::Thresholds;
use crate::rules::custom::CustomCheckDefinition;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "miit-web";
/// The MIIT pass mark.
pub const DEFAULT_PASS_MARK: f64 = 60.0;
/// Largest profile file read.
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

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

impl Weights {
    /// The weight of an impact in the page score.
    pub fn of(&self, impact: Impact) -> f64 {
        match impact {
            Impact::Critical => self.critical,
            Impact::Serious => self.serious,
            Impact::Moderate => self.moderate,
            Impact::Minor => self.minor,
            Impact::Advisory => self.advisory,
        }
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

/// What a profile decides beyond the check thresholds: scoring, vetoes and elder pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSettings {
    /// URL path fragments that mark elder pages.
    pub elder_paths: Vec<String>,
    /// Whether elder-page detection and elder rules apply at all.
    pub elder_rules: bool,
    /// Impact weights in the page score.
    pub weights: Weights,
    /// Checks whose failures on elder pages are vetoes (否决项).
    pub elder_vetoes: Vec<String>,
    /// Check ids switched off in this profile.
    pub disabled_checks: Vec<String>,
    /// Score at or above which a site passes.
    pub pass_mark: f64,
}

/// A criteria profile. `miit-web` (default) follows the MIIT elderly-friendly criteria;
/// `wcag-aa` judges the WCAG 2.1 AA basics only, without elder-page rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    /// Where the profile came from (a built-in name or a file), for error messages.
    pub source: String,
    pub thresholds: Thresholds,
    pub settings: ProfileSettings,
    /// Declarative checks from `[[custom_checks]]` (of the profile file or of eldercheck.toml).
    pub custom_checks: Vec<CustomCheckDefinition>,
}

impl Profile {
    pub const BUILT_IN: [&'static str; 2] = ["miit-web", "wcag-aa"];

    pub fn miit_web() -> Profile {
        Profile {
            name: "miit-web".into(),
            source: "miit-web".into(),
            thresholds: Thresholds::default(),
            settings: ProfileSettings {
                elder_paths: ["/care/", "/elder", "/older", "/laonian", "/zlb", "/ghb", "mode=care", "mode=elder"]
                    .map(String::from)
                    .to_vec(),
                elder_rules: true,
                weights: Weights::default(),
                elder_vetoes: ["ad-content", "induced-button", "popup-overlay"].map(String::from).to_vec(),
                disabled_checks: Vec::new(),
                pass_mark: DEFAULT_PASS_MARK,
            },
            custom_checks: Vec::new(),
        }
    }

    pub fn wcag_aa() -> Profile {
        let miit = Profile::miit_web();
        Profile {
            name: "wcag-aa".into(),
            source: "wcag-aa".into(),
            thresholds: Thresholds { placeholder_is_label: true, ..miit.thresholds },
            settings: ProfileSettings {
                elder_rules: false,
                elder_paths: Vec::new(),
                disabled_checks: ["small-text", "elder-mode-entry", "ad-content", "induced-button"]
                    .map(String::from)
                    .to_vec(),
                ..miit.settings
            },
            custom_checks: Vec::new(),
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

    /// Adds declarative checks (from a profile or from eldercheck.toml); `file` names their source in errors.
    /// They are compiled, and their ids checked, when the catalogue is built.
    pub fn add_custom_checks(&mut self, definitions: Vec<CustomCheckDefinition>, file: &str) {
        self.custom_checks.extend(definitions.into_iter().map(|mut d| {
            d.source = file.to_string();
            d
        }));
    }

    /// How this profile recognises elder pages, with `--elder-path` patterns added.
    pub fn elder_rules(&self, extra_paths: Vec<String>) -> crate::elder::ElderRules {
        crate::elder::ElderRules {
            enabled: self.settings.elder_rules,
            profile_paths: self.settings.elder_paths.clone(),
            extra_paths,
        }
    }

    pub fn is_enabled(&self, check_id: &str) -> bool {
        !self.settings.disabled_checks.iter().any(|d| d == check_id)
    }

    /// Checks whose failures are vetoes on elder pages (the profile's list, then custom `veto` checks
    /// with `elder_only`).
    pub fn elder_vetoes(&self) -> Vec<String> {
        let custom = self.custom_checks.iter().filter(|c| c.veto && c.elder_only).map(|c| c.id.clone());
        self.settings.elder_vetoes.iter().cloned().chain(custom).collect()
    }

    /// Checks whose failures are vetoes on every page (custom checks with `veto = true`).
    pub fn page_vetoes(&self) -> Vec<String> {
        self.custom_checks.iter().filter(|c| c.veto && !c.elder_only).map(|c| c.id.clone()).collect()
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
        let read_error = |source| ProfileError::Read { file: name_or_path.to_string(), source };
        let metadata = std::fs::metadata(path).map_err(read_error)?;
        if !metadata.is_file() || metadata.len() > MAX_PROFILE_BYTES {
            return Err(ProfileError::Invalid {
                file: name_or_path.to_string(),
                message: format!("not a regular file of at most {MAX_PROFILE_BYTES} bytes"),
            });
        }
        // Capped as read too: a file may grow between the size check and the read.
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(std::fs::File::open(path).map_err(read_error)?, MAX_PROFILE_BYTES),
            &mut text,
        )
        .map_err(read_error)?;
        Profile::from_toml(&text, name_or_path)
    }

    /// Parses a custom profile: every key is optional and overrides the `base` profile (default `miit-web`).
    pub fn from_toml(text: &str, file: &str) -> Result<Profile, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid { file: file.to_string(), message };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let string_key = |table: &mut toml::Table, key: &str| -> Result<Option<String>, ProfileError> {
            match table.remove(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(invalid(format!("{key} must be a string"))),
            }
        };
        let base_name = string_key(&mut table, "base")?.unwrap_or_else(|| DEFAULT_PROFILE.to_string());
        let name = string_key(&mut table, "name")?;
        let custom_tables: Vec<toml::Table> = match table.remove("custom_checks") {
            None => Vec::new(),
            Some(value) => {
                value.try_into().map_err(|e: toml::de::Error| invalid(format!("[[custom_checks]]: {}", e.message())))?
            }
        };
        let base = Profile::built_in(&base_name).ok_or_else(|| {
            invalid(format!("base = {base_name:?} is not a built-in profile ({})", Profile::BUILT_IN.join(", ")))
        })?;
        // Each key overrides the base's value; a table (weights) is merged key by key.
        let mut thresholds = to_table(&base.thresholds).map_err(&invalid)?;
        let mut settings = to_table(&base.settings).map_err(&invalid)?;
        for (key, value) in table {
            let target = if thresholds.contains_key(&key) { &mut thresholds } else { &mut settings };
            match (target.get_mut(&key), value) {
                (Some(toml::Value::Table(existing)), toml::Value::Table(overrides)) => existing.extend(overrides),
                (_, value) => {
                    target.insert(key, value);
                }
            }
        }
        let thresholds: Thresholds =
            toml::Value::Table(thresholds).try_into().map_err(|e: toml::de::Error| invalid(e.message().to_string()))?;
        let settings: ProfileSettings =
            toml::Value::Table(settings).try_into().map_err(|e: toml::de::Error| invalid(e.message().to_string()))?;
        if !(0.0..=100.0).contains(&settings.pass_mark) {
            return Err(invalid(format!("pass_mark {} must be between 0 and 100", settings.pass_mark)));
        }
        let mut profile = Profile {
            name: name.unwrap_or_else(|| {
                Path::new(file).file_stem().map_or_else(|| "custom".to_string(), |s| s.to_string_lossy().into_owned())
            }),
            source: file.to_string(),
            thresholds,
            settings,
            custom_checks: Vec::new(),
        };
        let definitions = crate::rules::custom::definitions_from_tables(custom_tables).map_err(invalid)?;
        profile.add_custom_checks(definitions, file);
        // Check ids and custom definitions are validated when the catalogue is built from the profile.
        Ok(profile)
    }
}

fn to_table<T: Serialize>(value: &T) -> Result<toml::Table, String> {
    toml::Table::try_from(value).map_err(|e| e.to_string())
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
        assert_eq!(p.thresholds.min_text_px, 14.0);
        assert_eq!(p.settings.weights.of(Impact::Minor), 2.0);
        assert_eq!(p.settings.weights.of(Impact::Critical), 10.0);
        assert!(p.elder_vetoes().contains(&"ad-content".to_string()));
        let wcag = Profile::from_toml("base = \"wcag-aa\"\n[weights]\nminor = 2\n", "w.toml").expect("valid");
        assert!(wcag.thresholds.placeholder_is_label, "the base's thresholds are kept");
        assert!(!wcag.is_enabled("small-text"));
    }

    #[test]
    fn bad_profiles_name_the_problem() {
        let err = |t: &str| Profile::from_toml(t, "bad.toml").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err("min_text = 3").contains("unknown field"), "{}", err("min_text = 3"));
        assert!(err("base = \"nope\"").contains("built-in"));
        assert!(err("pass_mark = 300").contains("pass_mark"));
        assert!(err("[weights]\nhuge = 1").contains("unknown field"));
        assert!(err("min_text_px = \"big\"").contains("min_text_px") || err("min_text_px = \"big\"").contains("f32"));
    }
}
