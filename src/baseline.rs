//! Baselines: accepted findings (by finding key) with a reason and an optional expiry date. An
//! accepted finding stays in the report, marked as accepted, and counts as passed: it neither lowers
//! the score nor fails the run.

use crate::report::{Accepted, Report};
use eldercheck_checks::check::{FindingOutcome, Outcome};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default)]
    pub accepted: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// `check id + " " + page URL + " " + selector`.
    pub key: String,
    pub reason: String,
    /// `YYYY-MM-DD`; from that day on the finding counts again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| BaselineError::Invalid { file: file.clone(), message: e.to_string() })?;
        let baseline: Baseline = toml::from_str(&text)
            .map_err(|e| BaselineError::Invalid { file: file.clone(), message: e.message().to_string() })?;
        for entry in &baseline.accepted {
            if let Some(date) = &entry.expires {
                if !is_iso_date(date) {
                    return Err(BaselineError::Invalid {
                        file,
                        message: format!("expires = {date:?} is not a YYYY-MM-DD date"),
                    });
                }
            }
        }
        Ok(baseline)
    }

    /// Every failed finding of a report, accepted with the same reason.
    pub fn from_report_json(report: &serde_json::Value, reason: &str) -> Baseline {
        let mut accepted = Vec::new();
        for site in report["sites"].as_array().into_iter().flatten() {
            for page in site["pages"].as_array().into_iter().flatten() {
                for check in page["checks"].as_array().into_iter().flatten() {
                    for finding in
                        check["findings"].as_array().into_iter().flatten().filter(|f| f["outcome"] == "failed")
                    {
                        let key = format!(
                            "{} {} {}",
                            check["id"].as_str().unwrap_or_default(),
                            page["url"].as_str().unwrap_or_default(),
                            finding["selector"].as_str().unwrap_or_default()
                        );
                        if !accepted.iter().any(|e: &BaselineEntry| e.key == key) {
                            accepted.push(BaselineEntry { key, reason: reason.to_string(), expires: None });
                        }
                    }
                }
            }
        }
        Baseline { accepted }
    }

    /// Marks accepted findings and recounts their checks. Returns (accepted, expired entries).
    pub fn apply(&self, report: &mut Report, today: &str) -> (usize, usize) {
        let live: Vec<&BaselineEntry> =
            self.accepted.iter().filter(|e| e.expires.as_deref().is_none_or(|d| d > today)).collect();
        let expired = self.accepted.len() - live.len();
        let mut count = 0;
        for site in &mut report.sites {
            for page in &mut site.pages {
                let url = page.url.clone();
                for check in &mut page.checks {
                    let mut moved = 0;
                    for finding in check.findings.iter_mut().filter(|f| f.outcome == FindingOutcome::Failed) {
                        let key = crate::store::finding_key(&check.id, &url, &finding.selector);
                        if let Some(entry) = live.iter().find(|e| e.key == key) {
                            finding.accepted =
                                Some(Accepted { reason: entry.reason.clone(), expires: entry.expires.clone() });
                            moved += 1;
                        }
                    }
                    if moved > 0 {
                        count += moved;
                        let moved = moved as u32;
                        check.failed_targets = check.failed_targets.saturating_sub(moved);
                        check.passed_targets += moved;
                        if check.failed_targets == 0 {
                            check.outcome =
                                if check.cant_tell_targets > 0 { Outcome::CantTell } else { Outcome::Passed };
                        }
                        let decided = check.passed_targets + check.failed_targets;
                        check.score = match check.outcome {
                            Outcome::Passed => Some(1.0),
                            Outcome::Failed if decided > 0 => {
                                Some(f64::from(check.passed_targets) / f64::from(decided))
                            }
                            _ => None,
                        };
                    }
                }
            }
        }
        (count, expired)
    }
}

fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
}
