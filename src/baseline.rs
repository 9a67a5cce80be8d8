//! Baselines: accepted issues (by issue id, or the finding keys of older reports) with a reason and
//! an optional expiry date. An accepted finding stays in every report, marked as accepted. The official
//! score is not raised by it; the run's exit status is judged with it forgiven (`passed_with_accepted`).
//! Page findings and site-level findings are accepted alike.

use crate::key::FindingKey;
use crate::results::{Accepted, CheckOutcome};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default)]
    pub accepted: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// An issue id (`image-alt-3f2a9c1e0b7d`, report.json `sites[].issues[].id`); finding keys of
    /// older reports (`check page-URL selector`) are still honoured.
    pub key: String,
    /// What the issue is, for the people who read the baseline (not used to match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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

/// The entries of a baseline that are in force today, by key.
#[derive(Debug, Default)]
pub struct Acceptances {
    by_key: HashMap<String, Accepted>,
    /// Entries whose expiry date has passed.
    pub expired: usize,
}

impl Acceptances {
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Marks the accepted findings of a check at `location` (page URL, or site URL for site checks):
    /// by issue id, or by the finding key of older reports.
    pub fn apply(&self, check: &mut CheckOutcome, location: &str) -> usize {
        if self.by_key.is_empty() {
            return 0;
        }
        let id = check.id.clone();
        check.accept(|finding| {
            self.by_key.get(&finding.issue).cloned().or_else(|| {
                let legacy = FindingKey::new(&id, location, &finding.selector).to_string();
                self.by_key.get(&legacy).cloned()
            })
        })
    }
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let invalid = |message: String| BaselineError::Invalid { file: file.clone(), message };
        let bytes = crate::options::read_input_file(path).map_err(&invalid)?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("not UTF-8 text".into()))?;
        let baseline: Baseline = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        baseline.validate().map_err(invalid)?;
        Ok(baseline)
    }

    /// Checks the expiry dates.
    pub fn validate(&self) -> Result<(), String> {
        for entry in &self.accepted {
            if let Some(date) = &entry.expires {
                if !is_iso_date(date) {
                    return Err(format!("expires = {date:?} is not a YYYY-MM-DD date"));
                }
            }
        }
        Ok(())
    }

    /// Joins two baselines; the first one's entry wins for a key in both.
    pub fn merge(a: Option<Baseline>, b: Option<Baseline>) -> Option<Baseline> {
        match (a, b) {
            (None, None) => None,
            (Some(x), None) | (None, Some(x)) => Some(x),
            (Some(mut x), Some(y)) => {
                let extra: Vec<BaselineEntry> =
                    y.accepted.into_iter().filter(|e| !x.accepted.iter().any(|a| a.key == e.key)).collect();
                x.accepted.extend(extra);
                Some(x)
            }
        }
    }

    /// The entries in force on `today` (`YYYY-MM-DD`).
    pub fn in_force(&self, today: &str) -> Acceptances {
        let mut acceptances = Acceptances::default();
        for entry in &self.accepted {
            if entry.expires.as_deref().is_none_or(|d| d > today) {
                acceptances.by_key.insert(
                    entry.key.clone(),
                    Accepted { reason: entry.reason.clone(), expires: entry.expires.clone() },
                );
            } else {
                acceptances.expired += 1;
            }
        }
        acceptances
    }

    /// Accepts every failed issue of a report.json. The report is streamed: pages are skipped as
    /// they are read, so a batch's report of several gigabytes needs memory for its issues only.
    pub fn from_report_file(path: &Path, reason: &str) -> Result<Baseline, String> {
        #[derive(Deserialize)]
        struct Report {
            sites: Vec<Site>,
        }
        #[derive(Deserialize)]
        struct Site {
            #[serde(default)]
            name: String,
            #[serde(default)]
            issues: Vec<Issue>,
        }
        #[derive(Deserialize)]
        struct Issue {
            id: String,
            outcome: String,
            #[serde(default)]
            title: String,
            #[serde(default)]
            pages_total: u64,
        }
        let metadata = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if !metadata.is_file() {
            return Err(format!("{}: not a regular file", path.display()));
        }
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let report: Report = serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|e| format!("{} is not a report.json: {e}", path.display()))?;
        let mut seen = std::collections::HashSet::new();
        let mut accepted: Vec<BaselineEntry> = Vec::new();
        for site in &report.sites {
            for issue in site.issues.iter().filter(|i| i.outcome == "failed") {
                if !seen.insert(issue.id.as_str()) {
                    continue;
                }
                accepted.push(BaselineEntry {
                    key: issue.id.clone(),
                    note: Some(format!("{} — {} — {} page(s)", issue.title, site.name, issue.pages_total)),
                    reason: reason.to_string(),
                    expires: None,
                });
            }
        }
        Ok(Baseline { accepted })
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

/// Today's date as `YYYY-MM-DD` (UTC), for expiry.
pub fn today() -> String {
    let date = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_entries_do_not_apply() {
        let baseline = Baseline {
            accepted: vec![
                BaselineEntry {
                    key: "a x #1".into(),
                    note: None,
                    reason: "r".into(),
                    expires: Some("2026-01-01".into()),
                },
                BaselineEntry {
                    key: "a x #2".into(),
                    note: None,
                    reason: "r".into(),
                    expires: Some("2027-01-01".into()),
                },
                BaselineEntry { key: "a x #3".into(), note: None, reason: "r".into(), expires: None },
            ],
        };
        let today = baseline.in_force("2026-06-01");
        assert_eq!(today.expired, 1);
        assert_eq!(today.by_key.len(), 2);
    }
}
