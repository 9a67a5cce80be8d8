//! The check catalogue of one run: the built-in checks plus the profile's custom checks, as a value
//! that is passed where it is needed (no process-wide registry). [`CheckInfo`] is its serialisable
//! form, stored with results so that reports can be rendered by a process that never loaded the profile.

use crate::check::{Check, CheckMeta, Family, Impact, Lang, Scope, Text};
use crate::profile::{Profile, ProfileError};
use crate::rules::custom::CustomCheck;
use serde::{Deserialize, Serialize};

/// The checks a profile runs.
pub struct Catalogue {
    custom: Vec<CustomCheck>,
    disabled: Vec<String>,
}

impl Catalogue {
    /// The built-in catalogue with nothing disabled and no custom checks.
    pub fn built_in() -> Catalogue {
        Catalogue { custom: Vec::new(), disabled: Vec::new() }
    }

    /// Compiles the profile's custom checks and checks that every id the profile names exists.
    pub fn for_profile(profile: &Profile) -> Result<Catalogue, ProfileError> {
        let mut taken: Vec<String> = crate::rules::registry().iter().map(|c| c.meta().id.to_string()).collect();
        let mut custom = Vec::new();
        for definition in &profile.custom_checks {
            let file = if definition.source.is_empty() { profile.source.clone() } else { definition.source.clone() };
            let check = crate::rules::custom::build(definition, &taken).map_err(|problem| ProfileError::Invalid {
                file,
                message: format!("custom check {:?}: {problem}", definition.id),
            })?;
            taken.push(definition.id.clone());
            custom.push(check);
        }
        for id in profile.settings.disabled_checks.iter().chain(&profile.settings.elder_vetoes) {
            if !taken.contains(id) {
                return Err(ProfileError::Invalid {
                    file: profile.source.clone(),
                    message: format!("unknown check id {id:?}"),
                });
            }
        }
        Ok(Catalogue { custom, disabled: profile.settings.disabled_checks.clone() })
    }

    /// Every check, enabled or not, in catalogue order (built-in, then custom).
    pub fn all(&self) -> impl Iterator<Item = &dyn Check> + '_ {
        crate::rules::registry().iter().copied().chain(self.custom.iter().map(|c| c as &dyn Check))
    }

    /// The checks that run.
    pub fn enabled(&self) -> impl Iterator<Item = &dyn Check> + '_ {
        self.all().filter(|c| !self.disabled.iter().any(|d| *d == c.meta().id))
    }

    pub fn find(&self, id: &str) -> Option<&dyn Check> {
        self.all().find(|c| c.meta().id == id)
    }

    /// The catalogue as data: every check, with whether it runs.
    pub fn info(&self) -> Vec<CheckInfo> {
        self.all()
            .map(|c| {
                let mut info = CheckInfo::from_meta(c.meta());
                info.enabled = !self.disabled.iter().any(|d| *d == c.meta().id);
                info.custom = self.custom.iter().any(|custom| custom.meta().id == c.meta().id);
                info.needs_browser = c.needs_browser();
                info
            })
            .collect()
    }
}

/// A check's metadata as stored with results and read by renderers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInfo {
    pub id: String,
    pub family: Family,
    pub impact: Impact,
    pub scope: Scope,
    pub title: Text,
    pub failure_title: Text,
    pub docs: Text,
    #[serde(default)]
    pub wcag: Vec<String>,
    #[serde(default)]
    pub miit: Vec<String>,
    #[serde(default)]
    pub act: Vec<String>,
    /// Defined in the profile rather than built in.
    #[serde(default)]
    pub custom: bool,
    /// Run by the profile (disabled checks are listed but never run).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Runs on rendered pages only (`--render`); inapplicable on pages checked statically.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_browser: bool,
}

fn yes() -> bool {
    true
}

impl CheckInfo {
    pub fn from_meta(meta: &CheckMeta) -> CheckInfo {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        CheckInfo {
            id: meta.id.to_string(),
            family: meta.family,
            impact: meta.impact,
            scope: meta.scope,
            title: meta.title.clone(),
            failure_title: meta.failure_title.clone(),
            docs: meta.docs.clone(),
            wcag: strings(meta.criteria.wcag),
            miit: strings(meta.criteria.miit),
            act: strings(meta.criteria.act),
            custom: false,
            enabled: true,
            needs_browser: false,
        }
    }

    /// The passing or failing title in a language.
    pub fn title_in(&self, lang: Lang, failing: bool) -> &str {
        if failing {
            self.failure_title.get(lang)
        } else {
            self.title.get(lang)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_check_ids_in_a_profile_are_named() {
        let profile = Profile::from_toml("disabled_checks = [\"no-such\"]", "bad.toml").expect("parses");
        let err = Catalogue::for_profile(&profile).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("no-such") && err.contains("bad.toml"), "{err}");
    }

    #[test]
    fn custom_checks_are_values_of_their_catalogue() {
        let profile = Profile::from_toml(
            "[[custom_checks]]\nid = \"hotline\"\nfamily = \"labels\"\nimpact = \"minor\"\ntitle = \"有热线\"\nfailure_title = \"缺热线\"\nmessage = \"m\"\nhelp = \"h\"\napplies_to = \"body\"\nrequire_descendant = \"a[href*='12345']\"\n",
            "p.toml",
        )
        .expect("profile");
        let catalogue = Catalogue::for_profile(&profile).expect("catalogue");
        assert!(catalogue.find("hotline").is_some());
        assert!(Catalogue::built_in().find("hotline").is_none(), "nothing leaks into other catalogues");
        let info = catalogue.info();
        let hotline = info.iter().find(|c| c.id == "hotline").expect("info");
        assert!(hotline.custom && hotline.enabled);
        assert_eq!(hotline.title_in(Lang::ZhCn, true), "缺热线");
        // A redefinition in another profile is another check, not the first definition.
        let other = Profile::from_toml(
            "[[custom_checks]]\nid = \"hotline\"\nfamily = \"labels\"\nimpact = \"minor\"\ntitle = \"T2\"\nfailure_title = \"F2\"\nmessage = \"m\"\nhelp = \"h\"\napplies_to = \"body\"\nforbid = true\n",
            "q.toml",
        )
        .expect("profile");
        let other = Catalogue::for_profile(&other).expect("catalogue");
        assert_eq!(other.find("hotline").map(|c| c.meta().title.zh.to_string()), Some("T2".into()));
    }
}
