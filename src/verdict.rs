//! A site's verdict in one sentence, decided once from its scores and issues: the reports only put
//! it into words. The rules are the MIIT evaluation's: a site that could not be checked has no
//! verdict, a veto fails it whatever its score, below the pass mark fails it, and a passing site
//! still hears of its critical problems first.

use crate::issues::Issue;
use crate::policy::Policy;
use crate::score::{SiteScore, SiteStatus};
use eldercheck_checks::check::{FindingOutcome, Impact};
use serde::{Deserialize, Serialize};

/// What a report says about a site first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SiteVerdict {
    /// No page could be checked.
    NotChecked,
    /// Fewer than half of the pages requested were checked (no veto among them).
    Incomplete { checked: usize, requested: usize },
    /// Failed on vetoes; `check` is the first vetoed issue's check.
    Vetoed { vetoes: usize, check: Option<String> },
    /// Below the pass mark; `check` is the issue to fix first.
    BelowPassMark { check: Option<String> },
    /// Passed, with critical problems not accepted: their checks, each once.
    PassedWithCritical { issues: usize, checks: Vec<String> },
    /// Passed, with problems left; `check` is the one to fix first.
    PassedWithIssues { issues: usize, check: String },
    /// Passed without a failed issue.
    Passed,
}

/// The verdict of a site with these scores and issues (most important first).
pub fn verdict(score: &SiteScore, issues: &[Issue], policy: &Policy) -> SiteVerdict {
    let failed: Vec<&Issue> = issues.iter().filter(|i| i.outcome == FindingOutcome::Failed).collect();
    if score.status == SiteStatus::NotChecked {
        return SiteVerdict::NotChecked;
    }
    if score.status == SiteStatus::Incomplete && score.vetoes.is_empty() {
        let (checked, requested) = (score.summary.pages_checked, score.summary.pages_requested());
        return SiteVerdict::Incomplete { checked, requested };
    }
    if !score.vetoes.is_empty() {
        let check = failed.iter().find(|i| i.veto).map(|i| i.check.clone());
        return SiteVerdict::Vetoed { vetoes: score.vetoes.len(), check };
    }
    if !score.passed {
        return SiteVerdict::BelowPassMark { check: failed.first().map(|i| i.check.clone()) };
    }
    let critical: Vec<&&Issue> = failed
        .iter()
        .filter(|i| {
            i.accepted.is_none() && policy.checks.get(&i.check).is_some_and(|(_, impact)| *impact == Impact::Critical)
        })
        .collect();
    if !critical.is_empty() {
        let mut checks: Vec<String> = Vec::new();
        for issue in &critical {
            if !checks.contains(&issue.check) {
                checks.push(issue.check.clone());
            }
        }
        return SiteVerdict::PassedWithCritical { issues: critical.len(), checks };
    }
    match failed.first() {
        Some(top) => SiteVerdict::PassedWithIssues { issues: failed.len(), check: top.check.clone() },
        None => SiteVerdict::Passed,
    }
}
