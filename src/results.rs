//! Language-neutral results: what the analysis stage makes of a page. Messages keep both languages;
//! reports pick one when they are rendered. These are also the records of the results folder.

use crate::sources::Referrer;
use eldercheck_checks::check::{target_score, CheckResult, FindingOutcome, Message, Outcome};
use eldercheck_checks::elder::ElderReason;
use eldercheck_checks::page::StylesheetProblem;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One page: its facts, its check outcomes, and (once assembled) its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageResult {
    pub url: String,
    pub requested_url: String,
    pub status: Option<u16>,
    pub title: Option<String>,
    pub depth: u32,
    pub elder_page: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elder_reason: Option<ElderReason>,
    /// 0–100 with one decimal; null for pages that failed to load or had nothing to score.
    pub score: Option<f64>,
    pub error: Option<PageError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stylesheet_problems: Vec<StylesheetProblem>,
    /// The link followed to reach the page (crawls only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<Referrer>,
    pub checks: Vec<CheckOutcome>,
}

impl PageResult {
    /// A page before it is checked: no title, checks or score yet.
    pub fn new(url: String, requested_url: String, status: Option<u16>, depth: u32) -> PageResult {
        PageResult {
            url,
            requested_url,
            status,
            title: None,
            depth,
            elder_page: false,
            elder_reason: None,
            score: None,
            error: None,
            charset: None,
            stylesheet_problems: Vec::new(),
            referrer: None,
            checks: Vec::new(),
        }
    }
}

/// Why a page has no result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageError {
    /// `read`, `dns`, `connect`, `timeout`, `http_status`, `too_large`, `redirect_loop`, `internal`, …
    pub kind: String,
    pub message: String,
}

/// A check's outcome on one page (or, for site-level checks, on the site).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub id: String,
    pub outcome: Outcome,
    pub passed_targets: u32,
    pub failed_targets: u32,
    pub cant_tell_targets: u32,
    pub findings: Vec<FindingResult>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub data: Map<String, Value>,
}

/// One element that failed, or that needs a person to judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingResult {
    pub outcome: FindingOutcome,
    pub selector: String,
    pub snippet: String,
    pub message: Message,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub data: Map<String, Value>,
    /// Accepted in the baseline: shown, but not counted against the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
}

/// Why a finding is accepted (from a baseline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl CheckOutcome {
    pub fn from_result(id: &str, result: CheckResult) -> CheckOutcome {
        CheckOutcome {
            id: id.to_string(),
            outcome: result.outcome,
            passed_targets: result.passed_targets,
            failed_targets: result.failed_targets,
            cant_tell_targets: result.cant_tell_targets,
            findings: result
                .findings
                .into_iter()
                .map(|f| FindingResult {
                    outcome: f.outcome,
                    selector: f.selector,
                    snippet: f.snippet,
                    message: f.message,
                    reason: f.reason.map(str::to_string),
                    data: f.data,
                    accepted: None,
                })
                .collect(),
            data: result.data,
        }
    }

    /// An outcome nobody could decide, with the reason (e.g. a site check whose home page did not load).
    pub fn cant_tell(id: &str, reason: &str, message: Message) -> CheckOutcome {
        CheckOutcome {
            id: id.to_string(),
            outcome: Outcome::CantTell,
            passed_targets: 0,
            failed_targets: 0,
            cant_tell_targets: 1,
            findings: vec![FindingResult {
                outcome: FindingOutcome::CantTell,
                selector: String::new(),
                snippet: String::new(),
                message,
                reason: Some(reason.to_string()),
                data: Map::new(),
                accepted: None,
            }],
            data: Map::new(),
        }
    }

    /// passing targets ÷ decided targets; `None` when nothing was decided.
    pub fn score(&self) -> Option<f64> {
        target_score(self.outcome, self.passed_targets, self.failed_targets)
    }

    /// Failed findings that count (not accepted).
    pub fn counted_failures(&self) -> impl Iterator<Item = &FindingResult> {
        self.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed && f.accepted.is_none())
    }

    /// Marks failed findings as accepted when `accept` says so, and recounts: an accepted target
    /// counts as passed. Returns how many were accepted.
    pub fn accept(&mut self, accept: impl Fn(&FindingResult) -> Option<Accepted>) -> usize {
        let mut moved = 0u32;
        for finding in self.findings.iter_mut().filter(|f| f.outcome == FindingOutcome::Failed) {
            if let Some(accepted) = accept(finding) {
                finding.accepted = Some(accepted);
                moved += 1;
            }
        }
        if moved > 0 {
            self.failed_targets = self.failed_targets.saturating_sub(moved);
            self.passed_targets += moved;
            if self.failed_targets == 0 {
                self.outcome = if self.cant_tell_targets > 0 { Outcome::CantTell } else { Outcome::Passed };
            }
        }
        moved as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(n: usize) -> CheckOutcome {
        let finding = FindingResult {
            outcome: FindingOutcome::Failed,
            selector: "#a".into(),
            snippet: String::new(),
            message: Message::new("m", "m"),
            reason: None,
            data: Map::new(),
            accepted: None,
        };
        CheckOutcome {
            id: "image-alt".into(),
            outcome: Outcome::Failed,
            passed_targets: 1,
            failed_targets: n as u32,
            cant_tell_targets: 0,
            findings: vec![finding; n],
            data: Map::new(),
        }
    }

    #[test]
    fn accepted_findings_count_as_passed() {
        let mut check = failing(2);
        assert_eq!(check.score(), Some(1.0 / 3.0));
        let accepted = check.accept(|_| Some(Accepted { reason: "r".into(), expires: None }));
        assert_eq!(accepted, 2);
        assert_eq!(check.outcome, Outcome::Passed);
        assert_eq!(check.score(), Some(1.0));
        assert_eq!(check.counted_failures().count(), 0);
    }

    #[test]
    fn results_round_trip_through_json() {
        let mut page = PageResult::new("https://a.cn/".into(), "https://a.cn".into(), Some(200), 0);
        page.checks.push(failing(1));
        page.elder_reason = Some(ElderReason::Markup("care".into()));
        let text = serde_json::to_string(&page).expect("json");
        let back: PageResult = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, page);
    }
}
