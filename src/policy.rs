//! The scoring policy of a run, as data: impact weights, vetoes, the pass mark, and each check's
//! family and impact from the catalogue. Stored with the results, so that a report (or a merge of
//! shards) is judged exactly as the run was.

use eldercheck_checks::check::{Family, Impact};
use eldercheck_checks::profile::Weights;
use eldercheck_checks::{CheckInfo, Profile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub weights: Weights,
    /// Whether elder-page rules (vetoes, stricter weights) apply.
    pub elder_rules: bool,
    /// Checks whose failures on elder pages are vetoes.
    pub elder_vetoes: Vec<String>,
    /// Checks whose failures are vetoes on every page.
    pub page_vetoes: Vec<String>,
    /// The score at or above which a site passes: `--fail-under`, else the profile's pass mark.
    /// The report, the console and the exit code all use this one number.
    pub pass_mark: f64,
    /// Family and impact of every check of the catalogue.
    pub checks: BTreeMap<String, (Family, Impact)>,
}

impl Policy {
    pub fn new(profile: &Profile, catalogue: &[CheckInfo], fail_under: Option<f64>) -> Policy {
        Policy {
            weights: profile.settings.weights,
            elder_rules: profile.settings.elder_rules,
            elder_vetoes: profile.elder_vetoes(),
            page_vetoes: profile.page_vetoes(),
            pass_mark: fail_under.unwrap_or(profile.settings.pass_mark),
            checks: catalogue.iter().map(|c| (c.id.clone(), (c.family, c.impact))).collect(),
        }
    }

    pub fn family(&self, check: &str) -> Option<Family> {
        self.checks.get(check).map(|(family, _)| *family)
    }

    /// A check's impact on a page: elder pages weigh enhanced contrast and line spacing more.
    pub fn impact(&self, check: &str, elder_page: bool) -> Impact {
        let declared = self.checks.get(check).map_or(Impact::Minor, |(_, impact)| *impact);
        match (check, elder_page) {
            ("color-contrast-enhanced", true) => Impact::Moderate,
            ("line-spacing", true) => Impact::Serious,
            _ => declared,
        }
    }

    /// The weight of a check's outcome in a page's score.
    pub fn weight(&self, check: &str, elder_page: bool) -> f64 {
        self.weights.of(self.impact(check, elder_page))
    }

    /// Whether a failure of this check on this page is a veto (否决项).
    pub fn is_veto(&self, check: &str, elder_page: bool) -> bool {
        self.page_vetoes.iter().any(|v| v == check)
            || (self.elder_rules && elder_page && self.elder_vetoes.iter().any(|v| v == check))
    }
}
