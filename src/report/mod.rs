//! The report model: one serialisable structure, the source of truth for every output format.
//! Field names follow `report.json` in the product specification.

pub mod csv;
pub mod html;
pub mod junit;
pub mod sarif;

use eldercheck_checks::check::{CheckMeta, CheckResult, Family, FindingOutcome, Impact, Lang, Outcome};
use eldercheck_checks::elder::ElderReason;
use eldercheck_checks::page::StylesheetProblem;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: Tool,
    pub profile: String,
    pub generated_at: String,
    pub lang: Lang,
    pub sites: Vec<SiteReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub url: String,
    pub name: String,
    /// The group column of a `--sites` CSV.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// 0–100 with one decimal; null when no page could be scored.
    pub score: Option<f64>,
    pub grade: Grade,
    pub passed: bool,
    pub vetoes: Vec<Veto>,
    pub pages: Vec<PageReport>,
    pub site_checks: Vec<CheckReport>,
    /// Score per family (font, contrast, popups, labels), 0–100, computed like the site score.
    pub family_scores: BTreeMap<String, Option<f64>>,
    /// Earlier runs of this site from the history store, oldest first.
    pub trend: Vec<crate::store::TrendPoint>,
    /// Against the previous stored run; absent on the first run or without a store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    F,
}

#[derive(Debug, Clone, Serialize)]
pub struct Veto {
    pub check: String,
    pub page: String,
    pub selector: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub pages_checked: usize,
    pub pages_failed_to_load: usize,
    /// Pages found but left out by `--max-pages`.
    pub pages_skipped_by_limit: usize,
    pub findings: usize,
    pub by_check: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    pub url: String,
    pub requested_url: String,
    pub status: Option<u16>,
    pub title: Option<String>,
    pub depth: u32,
    pub elder_page: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elder_reason: Option<ElderReason>,
    pub score: Option<f64>,
    pub error: Option<PageError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stylesheet_problems: Vec<StylesheetProblem>,
    /// The link followed to reach the page (crawls only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<crate::engine::Referrer>,
    pub checks: Vec<CheckReport>,
    /// Site-level results judged on this page (the home page); moved to the site when scoring.
    #[serde(skip)]
    pub site_checks: Vec<CheckReport>,
}

/// Why a page has no result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageError {
    /// `read`, `dns`, `connect`, `timeout`, `http_status`, `too_large`, `redirect_loop`, `decode`, …
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub id: String,
    pub family: Family,
    pub impact: Impact,
    pub outcome: Outcome,
    pub score: Option<f64>,
    pub passed_targets: u32,
    pub failed_targets: u32,
    pub cant_tell_targets: u32,
    pub findings: Vec<FindingReport>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub data: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingReport {
    pub outcome: FindingOutcome,
    pub selector: String,
    pub snippet: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    pub data: Map<String, Value>,
    /// Accepted in the baseline: shown, but not counted against the site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
}

/// Why a finding is accepted (from `--baseline`).
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// What changed since the site's previous stored run.
#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    pub new: Vec<String>,
    pub fixed: Vec<String>,
}

impl SiteReport {
    /// A site before its pages are added and scored.
    pub fn new(url: String, name: String, group: Option<String>) -> SiteReport {
        SiteReport {
            url,
            name,
            group,
            score: None,
            grade: Grade::F,
            passed: false,
            vetoes: Vec::new(),
            pages: Vec::new(),
            site_checks: Vec::new(),
            family_scores: BTreeMap::new(),
            trend: Vec::new(),
            changes: None,
            summary: Summary {
                pages_checked: 0,
                pages_failed_to_load: 0,
                pages_skipped_by_limit: 0,
                findings: 0,
                by_check: BTreeMap::new(),
            },
        }
    }
}

impl PageReport {
    /// A page before it is checked: no title, checks or score yet.
    pub fn new(url: String, requested_url: String, status: Option<u16>, depth: u32) -> PageReport {
        PageReport {
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
            site_checks: Vec::new(),
        }
    }

    /// A page with no result, only the reason.
    pub fn error_entry(
        url: String,
        requested_url: String,
        depth: u32,
        status: Option<u16>,
        error: PageError,
    ) -> PageReport {
        PageReport { error: Some(error), ..PageReport::new(url, requested_url, status, depth) }
    }
}

impl CheckReport {
    pub fn new(meta: &CheckMeta, result: CheckResult, lang: Lang) -> CheckReport {
        let score = result.score();
        CheckReport {
            id: meta.id.to_string(),
            family: meta.family,
            impact: meta.impact,
            outcome: result.outcome,
            score,
            passed_targets: result.passed_targets,
            failed_targets: result.failed_targets,
            cant_tell_targets: result.cant_tell_targets,
            findings: result
                .findings
                .into_iter()
                .map(|f| FindingReport {
                    outcome: f.outcome,
                    selector: f.selector,
                    snippet: f.snippet,
                    message: f.message.get(lang).to_string(),
                    reason: f.reason,
                    data: f.data,
                    accepted: None,
                })
                .collect(),
            data: result.data,
        }
    }
}

impl Report {
    /// Whether every site passed (exit code 0).
    pub fn all_passed(&self, fail_under: f64) -> bool {
        self.sites.iter().all(|s| s.vetoes.is_empty() && s.score.is_none_or(|score| score >= fail_under))
    }
}
