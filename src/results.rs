//! Language-neutral results: what the analysis stage makes of a page. Messages keep both languages;
//! reports pick one when they are rendered. These are also the records of the results folder.

use crate::sources::Referrer;
use eldercheck_checks::check::{target_score, CheckResult, FindingOutcome, Message, Outcome};
use eldercheck_checks::elder::ElderReason;
use eldercheck_checks::page::rendered::Bounds;
use eldercheck_checks::page::style::DeclarationOrigin;
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
    /// Present when the page was judged as Chromium rendered it (`--render`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<PageRendering>,
    /// Present when the page was to be rendered but is judged as served, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub render_fallback: Option<crate::sources::RenderFallback>,
    pub checks: Vec<CheckOutcome>,
}

/// How a rendered page was rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRendering {
    pub reason: crate::sources::RenderReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<crate::sources::Screenshot>,
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
            rendered: None,
            render_fallback: None,
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
    /// Failed targets whose findings a baseline accepts: still failed (the official score is not
    /// raised), but not held against the run's exit status.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub accepted_targets: u32,
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
    /// The issue (root cause) this finding belongs to: a site-relative fingerprint.
    #[serde(default)]
    pub issue: String,
    /// Failed targets the finding stands for (more than one for grouped findings).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub targets: u32,
    /// The author's declaration that decided it (style checks); like the signature, it becomes the
    /// issue id and is kept once, in the issue.
    #[serde(skip)]
    pub origin: Option<DeclarationOrigin>,
    /// The nearest heading before the element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The element's visible text, shortened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// What identifies the element across pages; turned into `issue` when the page is assembled.
    #[serde(skip)]
    pub signature: String,
    /// Accepted in the baseline: shown, but not counted against the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
    /// Where the browser drew the element, in CSS px of the page (rendered pages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<Bounds>,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
            accepted_targets: 0,
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
                    issue: String::new(),
                    targets: f.targets,
                    origin: f.origin.map(|o| (*o).clone()),
                    heading: f.heading,
                    excerpt: f.excerpt,
                    signature: f.signature,
                    accepted: None,
                    bounds: f.bounds,
                })
                .collect(),
            data: result.data,
        }
    }

    /// A check that needs a browser, on a page checked statically: inapplicable, and said why.
    pub fn needs_browser(id: &str) -> CheckOutcome {
        let mut data = Map::new();
        data.insert("inapplicable_reason".into(), Value::String("needs_browser".into()));
        CheckOutcome {
            id: id.to_string(),
            outcome: Outcome::Inapplicable,
            passed_targets: 0,
            failed_targets: 0,
            cant_tell_targets: 0,
            accepted_targets: 0,
            findings: Vec::new(),
            data,
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
            accepted_targets: 0,
            findings: vec![FindingResult {
                outcome: FindingOutcome::CantTell,
                selector: String::new(),
                snippet: String::new(),
                message,
                reason: Some(reason.to_string()),
                data: Map::new(),
                issue: String::new(),
                targets: 1,
                origin: None,
                heading: None,
                excerpt: None,
                signature: String::new(),
                accepted: None,
                bounds: None,
            }],
            data: Map::new(),
        }
    }

    /// passing targets ÷ decided targets; `None` when nothing was decided. Accepted findings count
    /// as failed here: a baseline never raises the official score.
    pub fn score(&self) -> Option<f64> {
        target_score(self.outcome, self.passed_targets, self.failed_targets)
    }

    /// The outcome as it would be with `extra` more of the failed targets passing (an issue fixed).
    pub fn with_passed(&self, extra: u32) -> CheckOutcome {
        let extra = extra.min(self.failed_targets);
        let failed = self.failed_targets - extra;
        // As a tally decides: with nothing failed, anything undecided makes the check need review.
        let outcome = match (self.outcome, failed) {
            (Outcome::Failed, 0) if self.cant_tell_targets > 0 => Outcome::CantTell,
            (Outcome::Failed, 0) => Outcome::Passed,
            (outcome, _) => outcome,
        };
        CheckOutcome {
            id: self.id.clone(),
            outcome,
            passed_targets: self.passed_targets + extra,
            failed_targets: failed,
            cant_tell_targets: self.cant_tell_targets,
            accepted_targets: self.accepted_targets.min(failed),
            findings: Vec::new(),
            data: Map::new(),
        }
    }

    /// The score with `extra` more targets passing.
    pub fn score_with_passed(&self, extra: u32) -> Option<f64> {
        self.with_passed(extra).score()
    }

    /// The score a baseline's acceptances would give: what the run's exit status is judged on.
    pub fn score_with_acceptances(&self) -> Option<f64> {
        self.score_with_passed(self.accepted_targets)
    }

    /// Failed findings that are not accepted.
    pub fn counted_failures(&self) -> impl Iterator<Item = &FindingResult> {
        self.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed && f.accepted.is_none())
    }

    /// Marks failed findings as accepted when `accept` says so. The outcome and the official score do
    /// not change; the accepted targets are counted apart. Returns how many findings were accepted.
    pub fn accept(&mut self, accept: impl Fn(&FindingResult) -> Option<Accepted>) -> usize {
        let mut accepted_findings = 0;
        for finding in self.findings.iter_mut().filter(|f| f.outcome == FindingOutcome::Failed) {
            if finding.accepted.is_some() {
                continue;
            }
            if let Some(accepted) = accept(finding) {
                finding.accepted = Some(accepted);
                self.accepted_targets += finding.targets;
                accepted_findings += 1;
            }
        }
        self.accepted_targets = self.accepted_targets.min(self.failed_targets);
        accepted_findings
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
            issue: "image-alt-0123456789ab".into(),
            targets: 1,
            origin: None,
            heading: Some("通知公告".into()),
            excerpt: None,
            signature: "img".into(),
            accepted: None,
            bounds: None,
        };
        CheckOutcome {
            id: "image-alt".into(),
            outcome: Outcome::Failed,
            passed_targets: 1,
            failed_targets: n as u32,
            cant_tell_targets: 0,
            accepted_targets: 0,
            findings: vec![finding; n],
            data: Map::new(),
        }
    }

    #[test]
    fn accepted_findings_do_not_raise_the_official_score() {
        let mut check = failing(2);
        assert_eq!(check.score(), Some(1.0 / 3.0));
        let accepted = check.accept(|_| Some(Accepted { reason: "r".into(), expires: None }));
        assert_eq!(accepted, 2);
        assert_eq!(check.outcome, Outcome::Failed, "still failed: accepting is not fixing");
        assert_eq!(check.score(), Some(1.0 / 3.0), "the official score stands");
        assert_eq!(check.score_with_acceptances(), Some(1.0), "the run's exit status forgives them");
        assert_eq!(check.counted_failures().count(), 0);
        assert_eq!(check.accept(|_| Some(Accepted { reason: "r".into(), expires: None })), 0, "once");
    }

    #[test]
    fn results_round_trip_through_json() {
        let mut page = PageResult::new("https://a.cn/".into(), "https://a.cn".into(), Some(200), 0);
        page.checks.push(failing(1));
        page.elder_reason = Some(ElderReason::Markup("care".into()));
        let text = serde_json::to_string(&page).expect("json");
        let mut back: PageResult = serde_json::from_str(&text).expect("parse");
        // The element signature is working data: it becomes the issue id and is not stored.
        back.checks[0].findings[0].signature = "img".into();
        assert_eq!(back, page);
    }
}
