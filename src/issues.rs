//! Issues: a site's findings grouped by root cause (src/key.rs), with the pages they appear on and the
//! score the site would gain if each were fixed. One CSS rule that makes text small on 20 pages is one
//! issue; so is a header logo without `alt` on every page. Folded in one page at a time, bounded.

use crate::key::{issue_id, root_cause, site_root_cause, SiteAddresses};
use crate::policy::Policy;
use crate::results::{Accepted, CheckOutcome, FindingResult, PageResult};
use crate::score::{is_veto, round1, PageSums, SiteTally};
use eldercheck_checks::check::{FindingOutcome, Message};
use eldercheck_checks::page::style::DeclarationOrigin;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Issues kept per site; beyond this, further root causes are counted per check, not listed.
pub const MAX_ISSUES_PER_SITE: usize = 20_000;
/// Page addresses listed per issue (`pages_total` counts them all).
pub const MAX_PAGES_LISTED: usize = 1_000;

/// One root cause and where it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// Site-relative fingerprint: `check-` and 12 hex digits. History, baselines and SARIF use it.
    pub id: String,
    pub check: String,
    /// `failed`, or `cant_tell` for an issue a person must judge.
    pub outcome: FindingOutcome,
    /// The pages it appears on (at most 1,000 listed).
    pub pages: Vec<String>,
    pub pages_total: usize,
    /// Findings (elements) it accounts for.
    pub occurrences: usize,
    /// Failed targets it accounts for (a fixed font size counts every text it affects).
    pub targets: usize,
    /// The author's declaration behind it (style issues); null for element issues.
    pub origin: Option<DeclarationOrigin>,
    /// Estimated site-score points gained by fixing it.
    pub gain: f64,
    /// A failure that fails the site whatever its score (否决项).
    #[serde(default)]
    pub veto: bool,
    /// Judged on the home page for the whole site.
    #[serde(default)]
    pub site_level: bool,
    /// Set when the baseline accepts every finding of the issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
    /// Why a person must judge (`cant_tell` issues).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The first finding, to show where and what.
    pub example: IssueExample,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueExample {
    pub page: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_title: Option<String>,
    pub selector: String,
    pub snippet: String,
    pub message: Message,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub data: Map<String, Value>,
    /// Where the element is on the page's screenshot (rendered pages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<eldercheck_checks::page::rendered::Bounds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<crate::sources::Screenshot>,
}

/// The page a finding was found on.
struct Place<'a> {
    depth: u32,
    url: &'a str,
    title: Option<&'a str>,
    screenshot: Option<&'a crate::sources::Screenshot>,
}

impl Issue {
    /// Where the issue is, in a line: the declaration (file, line, selector) for style issues, else
    /// the element's text or selector.
    pub fn label(&self) -> String {
        use eldercheck_checks::page::style::Source;
        if let Some(origin) = &self.origin {
            let place = match &origin.source {
                Source::Stylesheet { url } => {
                    let file = url.rsplit('/').next().filter(|f| !f.is_empty()).unwrap_or(url);
                    match origin.line {
                        Some(line) => format!("{file}:{line}"),
                        None => file.to_string(),
                    }
                }
                Source::StyleElement { index } => format!("<style>#{index}:{}", origin.line.unwrap_or(0)),
                Source::StyleAttribute => "style=\"…\"".to_string(),
                Source::Attribute { name } => format!("{name}=\"…\""),
                Source::UserAgent => String::new(),
            };
            let selector = origin.selector.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
            return format!("{place}{selector} {{ {} }}", origin.declaration);
        }
        self.example.excerpt.clone().unwrap_or_else(|| self.example.selector.clone())
    }
}

struct Building {
    issue: Issue,
    /// Σ over pages of the page-score points gained by fixing the issue there, in millionths (integer
    /// sums do not depend on the order pages finish in).
    page_points: i128,
    all_accepted: bool,
    last_page: String,
    /// The listed pages as (depth, URL): the first ones in that order, whatever order they came in.
    listed: Vec<(u32, String)>,
    /// (failed first, depth, URL) of the example's page: the example is the first finding there.
    example_rank: (bool, bool, bool, u32, String),
}

/// Gives every finding of a site its issue id, and gathers the issues.
pub struct IssueTally {
    addresses: SiteAddresses,
    issues: HashMap<String, Building>,
    /// Root causes beyond [`MAX_ISSUES_PER_SITE`], per check: (findings, pages).
    overflow: HashMap<String, (usize, usize)>,
}

impl IssueTally {
    pub fn new(site_url: &str) -> IssueTally {
        IssueTally { addresses: SiteAddresses::new(site_url), issues: HashMap::new(), overflow: HashMap::new() }
    }

    /// Sets each finding's issue id (before the page is stored, scored or spilled).
    pub fn assign(&self, page: &mut PageResult) {
        for check in &mut page.checks {
            for finding in &mut check.findings {
                finding.issue = issue_id(&check.id, &root_cause(finding, &self.addresses));
            }
        }
    }

    /// Sets the issue ids of the site-level findings.
    pub fn assign_site(&self, checks: &mut [CheckOutcome]) {
        for check in checks {
            for finding in &mut check.findings {
                finding.issue = issue_id(&check.id, &site_root_cause(finding));
            }
        }
    }

    /// Folds in a page whose findings have their issue ids and whose score is set.
    pub fn add_page(&mut self, page: &PageResult, policy: &Policy) {
        if page.error.is_some() {
            return;
        }
        let sums = PageSums::of(page, policy, CheckOutcome::score);
        let page_score = sums.score_with(0.0, None, None);
        for check in &page.checks {
            if check.findings.is_empty() {
                continue;
            }
            // Targets per issue on this page, to re-score the page as if the issue were fixed.
            let mut targets: HashMap<&str, u32> = HashMap::new();
            for finding in check.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed) {
                *targets.entry(&finding.issue).or_default() += finding.targets;
            }
            let weight = policy.weight(&check.id, page.elder_page);
            for finding in &check.findings {
                // The page's gain counts once per issue, with its first finding.
                let fixed_points = targets.remove(finding.issue.as_str()).map(|t| {
                    let fixed = sums.score_with(weight, check.score(), check.score_with_passed(t));
                    (fixed.unwrap_or(0.0) - page_score.unwrap_or(0.0)).max(0.0)
                });
                let veto = is_veto(policy, page, check, finding);
                let screenshot = page.rendered.as_ref().and_then(|r| r.screenshot.as_ref());
                let place = Place { depth: page.depth, url: &page.url, title: page.title.as_deref(), screenshot };
                self.add(check, finding, place, fixed_points, veto);
            }
        }
    }

    fn add(
        &mut self,
        check: &CheckOutcome,
        finding: &FindingResult,
        place: Place<'_>,
        page_points: Option<f64>,
        veto: bool,
    ) {
        if !self.issues.contains_key(&finding.issue) && self.issues.len() >= MAX_ISSUES_PER_SITE {
            let entry = self.overflow.entry(check.id.clone()).or_default();
            entry.0 += 1;
            entry.1 += 1;
            return;
        }
        let Place { depth, url: page_url, title: page_title, screenshot } = place;
        // The example is the first failure by depth and URL, one that can be shown on a screenshot
        // first, and of those one with a picture of the page changed (enlarged, narrowed, switched).
        let pictured = finding.bounds.is_some() && screenshot.is_some();
        let changed =
            ["changed_picture", "narrow_picture", "switch_pictures"].iter().any(|k| finding.data.contains_key(*k));
        let rank = (finding.outcome != FindingOutcome::Failed, !pictured, !changed, depth, page_url.to_string());
        let example = || IssueExample {
            page: page_url.to_string(),
            page_title: page_title.map(str::to_string),
            selector: finding.selector.clone(),
            snippet: finding.snippet.clone(),
            message: finding.message.clone(),
            heading: finding.heading.clone(),
            excerpt: finding.excerpt.clone(),
            data: finding.data.clone(),
            bounds: finding.bounds.filter(|_| pictured),
            screenshot: screenshot.filter(|_| pictured).cloned(),
        };
        let building = self.issues.entry(finding.issue.clone()).or_insert_with(|| Building {
            issue: Issue {
                id: finding.issue.clone(),
                check: check.id.clone(),
                outcome: finding.outcome,
                pages: Vec::new(),
                pages_total: 0,
                occurrences: 0,
                targets: 0,
                origin: finding.origin.clone(),
                gain: 0.0,
                veto: false,
                site_level: false,
                accepted: None,
                reason: finding.reason.clone(),
                example: example(),
            },
            page_points: 0,
            all_accepted: true,
            last_page: String::new(),
            listed: Vec::new(),
            example_rank: rank.clone(),
        });
        if rank < building.example_rank {
            building.issue.example = example();
            building.example_rank = rank;
        }
        let issue = &mut building.issue;
        if finding.outcome == FindingOutcome::Failed && issue.outcome == FindingOutcome::CantTell {
            // A failure anywhere makes the issue a failure (its example follows).
            issue.outcome = FindingOutcome::Failed;
            issue.reason = None;
        }
        issue.occurrences += 1;
        if finding.outcome == FindingOutcome::Failed {
            issue.targets += finding.targets as usize;
            match &finding.accepted {
                Some(accepted) if issue.accepted.is_none() => issue.accepted = Some(accepted.clone()),
                Some(_) => {}
                None => building.all_accepted = false,
            }
        }
        issue.veto |= veto;
        if building.last_page != page_url {
            building.last_page = page_url.to_string();
            issue.pages_total += 1;
            let entry = (depth, page_url.to_string());
            if building.listed.len() < MAX_PAGES_LISTED {
                building.listed.push(entry);
            } else if let Some(last) = building.listed.iter_mut().max().filter(|last| entry < **last) {
                *last = entry;
            }
        }
        building.page_points += (page_points.unwrap_or(0.0) * 1_000_000.0).round() as i128;
    }

    /// The site's issues, most important first: vetoes, then the largest gain, then the most pages;
    /// failures before what needs review. Site-level issues are scored against the site formula.
    pub fn finish(
        mut self,
        site_checks: &[CheckOutcome],
        site_url: &str,
        tally: &SiteTally,
        policy: &Policy,
    ) -> (Vec<Issue>, HashMap<String, (usize, usize)>) {
        let base = tally.site_score(site_checks, policy).unwrap_or(0.0);
        for (index, check) in site_checks.iter().enumerate() {
            for finding in &check.findings {
                let gain = (finding.outcome == FindingOutcome::Failed).then(|| {
                    let mut fixed = site_checks.to_vec();
                    fixed[index] = check.with_passed(finding.targets);
                    tally.site_score(&fixed, policy).unwrap_or(base) - base
                });
                self.add(check, finding, Place { depth: 0, url: site_url, title: None, screenshot: None }, None, false);
                if let Some(building) = self.issues.get_mut(&finding.issue) {
                    building.issue.site_level = true;
                    building.issue.gain = round1(gain.unwrap_or(0.0).max(0.0));
                }
            }
        }
        let point_value = tally.page_point_value(site_checks, policy);
        let mut issues: Vec<Issue> = self
            .issues
            .into_values()
            .map(|mut b| {
                if !b.issue.site_level {
                    b.issue.gain = round1(b.page_points as f64 / 1_000_000.0 * point_value);
                }
                b.listed.sort();
                b.issue.pages = b.listed.into_iter().map(|(_, url)| url).collect();
                if !b.all_accepted {
                    b.issue.accepted = None;
                }
                b.issue
            })
            .collect();
        issues.sort_by(|a, b| {
            (a.outcome != FindingOutcome::Failed)
                .cmp(&(b.outcome != FindingOutcome::Failed))
                .then(b.veto.cmp(&a.veto))
                .then(b.gain.total_cmp(&a.gain))
                .then(b.pages_total.cmp(&a.pages_total))
                .then(b.targets.cmp(&a.targets))
                .then(a.id.cmp(&b.id))
        });
        (issues, self.overflow)
    }
}
