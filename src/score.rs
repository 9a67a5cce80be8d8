//! Scoring as the product specification and the MIIT evaluation describe it, as pure functions:
//! a check's page score is passing ÷ decided targets; a page's score is 100 × the impact-weighted
//! mean of its check scores (cant_tell and inapplicable carry no weight); a site's score is the mean
//! of its page scores with site-level checks weighted in; vetoes fail the site. A site is folded in
//! one page at a time ([`SiteTally`]), so scoring never holds a site's pages.

use crate::policy::Policy;
use crate::results::{CheckOutcome, PageResult};
use eldercheck_checks::check::{Family, FindingOutcome, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Weighted mean of (score, weight) pairs, as 0–100; `None` when no weight is present.
fn weighted(scores: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (score, weight) in scores {
        sum += score * weight;
        weights += weight;
    }
    (weights > 0.0).then(|| round1(100.0 * sum / weights))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    F,
}

/// Whether a site was checked well enough to be graded and ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteStatus {
    /// At least half of the pages requested could be checked.
    #[default]
    Checked,
    /// Some pages were checked, but fewer than half of those requested: the score describes only them.
    Incomplete,
    /// No page could be checked (unreachable host, a bad line in `--sites`).
    NotChecked,
}

impl SiteStatus {
    /// From the pages checked and the pages requested (pages robots.txt forbade were never requested).
    pub fn of(pages_checked: usize, pages_requested: usize) -> SiteStatus {
        if pages_checked == 0 {
            SiteStatus::NotChecked
        } else if pages_checked * 2 < pages_requested {
            SiteStatus::Incomplete
        } else {
            SiteStatus::Checked
        }
    }
}

/// A grade as shown: its letter, or a dash for a site that was not graded.
pub fn grade_letter(grade: Option<Grade>) -> String {
    grade.map_or_else(|| "–".to_string(), |g| format!("{g:?}"))
}

pub fn grade(score: Option<f64>, vetoed: bool) -> Grade {
    match score {
        _ if vetoed => Grade::F,
        Some(s) if s >= 90.0 => Grade::A,
        Some(s) if s >= 75.0 => Grade::B,
        Some(s) if s >= 60.0 => Grade::C,
        _ => Grade::F,
    }
}

/// A failure that fails the site whatever its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Veto {
    pub check: String,
    pub page: String,
    pub selector: String,
    /// The issue the failure belongs to.
    #[serde(default)]
    pub issue: String,
    /// Accepted in the baseline: still a veto officially, but not held against the exit status.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub pages_checked: usize,
    pub pages_failed_to_load: usize,
    /// Pages robots.txt did not allow: listed as errors, but never requested.
    #[serde(default)]
    pub pages_denied_by_robots: usize,
    /// Pages found but left out by `--max-pages`.
    pub pages_skipped_by_limit: usize,
    /// Pages that were to be judged in the browser but were judged as served (the browser failed
    /// on them, or showed something else): the rendered part of the site is incomplete.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pages_render_fallback: usize,
    /// Pages judged on what a browser showed.
    #[serde(default)]
    pub pages_rendered: usize,
    /// The signal that stopped the run while this site was checked (`SIGINT (Ctrl+C)`, `SIGTERM`):
    /// the site may be missing pages, and is incomplete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The first page's failure, which is why a site that could not be checked was not (said with
    /// the site in reports and sites.csv).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<crate::results::PageError>,
    /// Failed findings that count (accepted ones excluded).
    pub findings: usize,
    /// Failed findings accepted by the baseline.
    #[serde(default)]
    pub accepted: usize,
    pub by_check: BTreeMap<String, usize>,
    /// Check outcomes on pages (site-level checks excluded), for test-report formats.
    #[serde(default)]
    pub outcomes: OutcomeCounts,
    /// Per family: targets decided (passed or failed) and targets that need a person (cant_tell), so
    /// that a family score says how much of the family it rests on.
    #[serde(default)]
    pub targets_by_family: BTreeMap<String, FamilyTargets>,
    /// Per page-level check: pages it failed on and applied to, failed findings that count, targets
    /// that need a person (the reports' table of checks).
    #[serde(default)]
    pub checks: BTreeMap<String, CheckCounts>,
}

/// One check over a site's pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckCounts {
    pub pages_failed: u32,
    pub pages_applicable: u32,
    pub findings: u32,
    pub cant_tell: u32,
}

impl CheckCounts {
    /// Where the check stands over the site: failed somewhere, needs review somewhere, passed, or
    /// never applied.
    pub fn standing(&self) -> Outcome {
        if self.pages_failed > 0 {
            Outcome::Failed
        } else if self.cant_tell > 0 {
            Outcome::CantTell
        } else if self.pages_applicable > 0 {
            Outcome::Passed
        } else {
            Outcome::Inapplicable
        }
    }
}

impl Summary {
    /// Pages requested: checked or failed to load (pages robots.txt forbade were never requested).
    pub fn pages_requested(&self) -> usize {
        (self.pages_checked + self.pages_failed_to_load).saturating_sub(self.pages_denied_by_robots)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    pub passed: usize,
    pub failed: usize,
    pub cant_tell: usize,
    pub inapplicable: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FamilyTargets {
    pub decided: u64,
    pub unverified: u64,
}

/// A site's scores once all its pages are in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteScore {
    /// 0–100 with one decimal; null when no page could be scored. A baseline never raises it.
    pub score: Option<f64>,
    /// Whether the site was checked well enough to be graded and ranked.
    #[serde(default)]
    pub status: SiteStatus,
    /// A, B, C or F; none unless the site's status is `checked`.
    pub grade: Option<Grade>,
    /// Checked, scored, no veto, and at or above the run's pass mark.
    pub passed: bool,
    /// With the baseline's accepted findings forgiven (present when something is accepted): what the
    /// run's exit status is judged on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_with_accepted: Option<f64>,
    #[serde(default)]
    pub passed_with_accepted: bool,
    pub vetoes: Vec<Veto>,
    /// Score per family (font, contrast, popups, labels), 0–100.
    pub family_scores: BTreeMap<String, Option<f64>>,
    pub summary: Summary,
}

/// A page's weighted sums, so that it can be re-scored with one check changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageSums {
    sum: f64,
    weight: f64,
}

impl PageSums {
    pub fn of(page: &PageResult, policy: &Policy, score: impl Fn(&CheckOutcome) -> Option<f64>) -> PageSums {
        let mut sums = PageSums::default();
        for check in &page.checks {
            if let Some(s) = score(check) {
                let w = policy.weight(&check.id, page.elder_page);
                sums.sum += s * w;
                sums.weight += w;
            }
        }
        sums
    }

    /// 0–100 with one decimal.
    pub fn score(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| round1(100.0 * self.sum / self.weight))
    }

    /// The score (unrounded, 0–100) with one check's score changed from `old` to `new`.
    pub fn score_with(&self, weight: f64, old: Option<f64>, new: Option<f64>) -> Option<f64> {
        let (mut sum, mut total) = (self.sum, self.weight);
        if let Some(o) = old {
            sum -= o * weight;
            total -= weight;
        }
        if let Some(n) = new {
            sum += n * weight;
            total += weight;
        }
        (total > 1e-9).then(|| 100.0 * sum / total)
    }

    pub fn weight(&self) -> f64 {
        self.weight
    }
}

/// A page's score, or `None` for a page that failed to load or had nothing decided.
pub fn page_score(page: &PageResult, policy: &Policy) -> Option<f64> {
    if page.error.is_some() {
        return None;
    }
    PageSums::of(page, policy, CheckOutcome::score).score()
}

/// Sums of (score, weight) over pages.
#[derive(Debug, Clone, Copy, Default)]
struct MeanParts {
    /// Sums in millionths: integer addition does not depend on the order pages finish in, so the
    /// same site gives the same score to the last decimal on every run.
    score_sum: i128,
    weight_sum: i128,
    count: usize,
}

const MICRO: f64 = 1_000_000.0;

impl MeanParts {
    fn add(&mut self, score: f64, weight: f64) {
        self.score_sum += (score * MICRO).round() as i128;
        self.weight_sum += (weight * MICRO).round() as i128;
        self.count += 1;
    }

    fn mean(&self) -> Option<(f64, f64)> {
        let n = self.count as f64;
        (self.count > 0).then(|| (self.score_sum as f64 / MICRO / n, self.weight_sum as f64 / MICRO / n))
    }
}

/// The pages' mean (weighing as much as the average page's check weight) and each site-level check
/// with its own weight: the site score formula.
fn combine(pages: Option<(f64, f64)>, site: &[(f64, f64)]) -> Option<f64> {
    let page_part = pages.map(|(mean, weight)| (mean / 100.0, weight.max(f64::MIN_POSITIVE)));
    if page_part.is_none() && site.is_empty() {
        return None;
    }
    weighted(page_part.into_iter().chain(site.iter().copied()))
}

/// Folds a site's pages in one at a time.
#[derive(Debug, Default)]
pub struct SiteTally {
    pages: MeanParts,
    /// The pages as a baseline's acceptances would score them.
    pages_with_accepted: MeanParts,
    families: BTreeMap<Family, MeanParts>,
    vetoes: Vec<Veto>,
    summary: Summary,
}

impl SiteTally {
    /// Adds a page whose `score` is already set.
    pub fn add(&mut self, page: &PageResult, policy: &Policy) {
        if let Some(error) = &page.error {
            self.summary.pages_failed_to_load += 1;
            if self.summary.first_error.is_none() {
                self.summary.first_error = Some(error.clone());
            }
            if error.kind == "robots_denied" {
                self.summary.pages_denied_by_robots += 1;
            }
            return;
        }
        self.summary.pages_checked += 1;
        self.summary.pages_render_fallback += usize::from(page.render_fallback.is_some());
        self.summary.pages_rendered += usize::from(page.rendered.is_some());
        if let Some(score) = page.score {
            let sums = PageSums::of(page, policy, CheckOutcome::score);
            self.pages.add(score, sums.weight());
            let forgiven = PageSums::of(page, policy, CheckOutcome::score_with_acceptances);
            self.pages_with_accepted.add(forgiven.score().unwrap_or(score), forgiven.weight());
        }
        for family in Family::ALL {
            let checks = page.checks.iter().filter(|c| policy.family(&c.id) == Some(family));
            let (mut sum, mut weight) = (0.0, 0.0);
            let targets = self.summary.targets_by_family.entry(family.id().to_string()).or_default();
            for check in checks {
                targets.decided += u64::from(check.passed_targets + check.failed_targets);
                targets.unverified += u64::from(check.cant_tell_targets);
                if let Some(s) = check.score() {
                    let w = policy.weight(&check.id, page.elder_page);
                    sum += s * w;
                    weight += w;
                }
            }
            if weight > 0.0 {
                self.families.entry(family).or_default().add(100.0 * sum / weight, weight);
            }
        }
        for check in &page.checks {
            count_outcome(&mut self.summary.outcomes, check.outcome);
            let counts = self.summary.checks.entry(check.id.clone()).or_default();
            counts.pages_failed += u32::from(check.outcome == Outcome::Failed);
            counts.pages_applicable += u32::from(check.outcome != Outcome::Inapplicable);
            counts.findings += check.counted_failures().count() as u32;
            counts.cant_tell += check.cant_tell_targets;
            self.count_findings(check);
            if policy.is_veto(&check.id, page.elder_page) {
                for finding in check.findings.iter().filter(|f| is_veto(policy, page, check, f)) {
                    self.vetoes.push(Veto {
                        check: check.id.clone(),
                        page: page.url.clone(),
                        selector: finding.selector.clone(),
                        issue: finding.issue.clone(),
                        accepted: finding.accepted.is_some(),
                    });
                }
            }
        }
    }

    fn count_findings(&mut self, check: &CheckOutcome) {
        let failed = check.counted_failures().count();
        if failed > 0 {
            *self.summary.by_check.entry(check.id.clone()).or_default() += failed;
            self.summary.findings += failed;
        }
        self.summary.accepted +=
            check.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed && f.accepted.is_some()).count();
    }

    fn site_parts(
        site_checks: &[CheckOutcome],
        policy: &Policy,
        family: Option<Family>,
        score: impl Fn(&CheckOutcome) -> Option<f64>,
    ) -> Vec<(f64, f64)> {
        site_checks
            .iter()
            .filter(|c| family.is_none() || policy.family(&c.id) == family)
            .filter_map(|c| score(c).map(|s| (s, policy.weight(&c.id, false))))
            .collect()
    }

    /// The site score for these site-level outcomes (pages as they are).
    pub fn site_score(&self, site_checks: &[CheckOutcome], policy: &Policy) -> Option<f64> {
        if self.summary.pages_checked == 0 {
            return None;
        }
        combine(self.pages.mean(), &SiteTally::site_parts(site_checks, policy, None, CheckOutcome::score))
    }

    /// How many site-score points one page-score point on one page is worth: the pages' mean moves by
    /// 1/N of it, and the mean weighs W against the site-level checks' weights.
    pub fn page_point_value(&self, site_checks: &[CheckOutcome], policy: &Policy) -> f64 {
        let Some((_, page_weight)) = self.pages.mean() else { return 0.0 };
        let site_weight: f64 =
            SiteTally::site_parts(site_checks, policy, None, CheckOutcome::score).iter().map(|(_, w)| w).sum();
        let page_weight = page_weight.max(f64::MIN_POSITIVE);
        page_weight / (page_weight + site_weight) / self.pages.count as f64
    }

    /// The run was interrupted while the site was being checked: it is incomplete, and a site with
    /// no page checked says why.
    pub fn interrupted(&mut self, signal: &str) {
        self.summary.interrupted = Some(signal.to_string());
        if self.summary.first_error.is_none() {
            let message = format!("the run was interrupted ({signal}) before this site was checked");
            self.summary.first_error = Some(crate::results::PageError { kind: "interrupted".into(), message });
        }
    }

    /// The site's scores. Family scores are built like the site score from the pages' family scores.
    pub fn finish(mut self, site_checks: &[CheckOutcome], skipped_by_limit: usize, policy: &Policy) -> SiteScore {
        for check in site_checks {
            self.count_findings(check);
            let family = policy.family(&check.id).map_or("", |f| f.id()).to_string();
            let targets = self.summary.targets_by_family.entry(family).or_default();
            targets.decided += u64::from(check.passed_targets + check.failed_targets);
            targets.unverified += u64::from(check.cant_tell_targets);
        }
        self.summary.targets_by_family.retain(|family, _| !family.is_empty());
        let score = self.site_score(site_checks, policy);
        let family_scores = Family::ALL
            .iter()
            .map(|family| {
                let pages = self.families.get(family).and_then(MeanParts::mean);
                let site = SiteTally::site_parts(site_checks, policy, Some(*family), CheckOutcome::score);
                // A family of site-level checks only (service) is scored once a page was checked.
                let site_only = pages.is_none() && !site.is_empty() && self.summary.pages_checked > 0;
                let value = if pages.is_none() && !site_only { None } else { combine(pages, &site) };
                (family.id().to_string(), value)
            })
            .collect();
        let vetoed = !self.vetoes.is_empty();
        let status = match SiteStatus::of(self.summary.pages_checked, self.summary.pages_requested()) {
            SiteStatus::Checked if self.summary.interrupted.is_some() => SiteStatus::Incomplete,
            status => status,
        };
        let checked = status == SiteStatus::Checked;
        let passed = checked && !vetoed && score.is_some_and(|s| s >= policy.pass_mark);
        let anything_accepted = self.summary.accepted > 0;
        let score_with_accepted = if anything_accepted && self.summary.pages_checked > 0 {
            combine(
                self.pages_with_accepted.mean(),
                &SiteTally::site_parts(site_checks, policy, None, CheckOutcome::score_with_acceptances),
            )
        } else {
            None
        };
        let vetoed_with_accepted = self.vetoes.iter().any(|v| !v.accepted);
        let passed_with_accepted = match score_with_accepted {
            Some(s) => checked && !vetoed_with_accepted && s >= policy.pass_mark,
            None => passed,
        };
        self.summary.pages_skipped_by_limit = skipped_by_limit;
        SiteScore {
            score,
            status,
            grade: checked.then(|| grade(score, vetoed)),
            passed,
            score_with_accepted,
            passed_with_accepted,
            vetoes: self.vetoes,
            family_scores,
            summary: self.summary,
        }
    }
}

/// Whether a finding vetoes its site: a failure of a veto check on a page where the check vetoes (on
/// elder pages for the elder vetoes); a pop-up only when it carries ads or inducing content.
pub fn is_veto(
    policy: &Policy,
    page: &PageResult,
    check: &CheckOutcome,
    finding: &crate::results::FindingResult,
) -> bool {
    finding.outcome == FindingOutcome::Failed
        && policy.is_veto(&check.id, page.elder_page)
        && (check.id != "popup-overlay"
            || finding.data.get("carries_ad_or_induced") == Some(&serde_json::Value::Bool(true)))
}

fn count_outcome(counts: &mut OutcomeCounts, outcome: Outcome) {
    match outcome {
        Outcome::Passed => counts.passed += 1,
        Outcome::Failed => counts.failed += 1,
        Outcome::CantTell => counts.cant_tell += 1,
        Outcome::Inapplicable => counts.inapplicable += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eldercheck_checks::check::{Impact, Outcome};
    use eldercheck_checks::{Catalogue, Profile};

    fn policy() -> Policy {
        let mut policy = Policy::new(&Profile::miit_web(), &Catalogue::built_in().info(), None);
        for (id, impact) in
            [("a", Impact::Critical), ("b", Impact::Serious), ("c", Impact::Serious), ("d", Impact::Advisory)]
        {
            policy.checks.insert(id.into(), (Family::Labels, impact));
        }
        policy
    }

    fn check(id: &str, score: Option<f64>) -> CheckOutcome {
        let (outcome, passed, failed) = match score {
            None => (Outcome::CantTell, 0, 0),
            Some(s) if s >= 1.0 => (Outcome::Passed, 1, 0),
            Some(s) => (Outcome::Failed, (s * 10.0) as u32, 10 - (s * 10.0) as u32),
        };
        CheckOutcome {
            id: id.into(),
            outcome,
            passed_targets: passed,
            failed_targets: failed,
            cant_tell_targets: u32::from(score.is_none()),
            accepted_targets: 0,
            findings: Vec::new(),
            data: Default::default(),
        }
    }

    fn page(url: &str, checks: Vec<CheckOutcome>) -> PageResult {
        PageResult { checks, ..PageResult::new(url.into(), url.into(), Some(200), 0) }
    }

    #[test]
    fn weighted_page_score_ignores_cant_tell_and_advisory() {
        // critical passed (10 × 1) + serious half (7 × 0.5) + cant_tell (no weight) + advisory failed (0)
        let p = page(
            "https://a.cn/",
            vec![check("a", Some(1.0)), check("b", Some(0.5)), check("c", None), check("d", Some(0.0))],
        );
        assert_eq!(page_score(&p, &policy()), Some(79.4)); // 100 × 13.5 / 17
    }

    #[test]
    fn grades_and_pass_mark() {
        assert_eq!(grade(Some(90.0), false), Grade::A);
        assert_eq!(grade(Some(89.9), false), Grade::B);
        assert_eq!(grade(Some(60.0), false), Grade::C);
        assert_eq!(grade(Some(59.9), false), Grade::F);
        assert_eq!(grade(Some(99.0), true), Grade::F);
        assert_eq!(grade(None, false), Grade::F);
    }

    #[test]
    fn failed_pages_are_not_scored_as_zero() {
        let policy = policy();
        let mut ok = page("https://a.cn/ok", vec![check("a", Some(1.0))]);
        ok.score = page_score(&ok, &policy);
        let mut broken = page("https://a.cn/gone", Vec::new());
        broken.error = Some(crate::results::PageError { kind: "read".into(), message: "gone".into() });
        broken.score = page_score(&broken, &policy);
        let mut tally = SiteTally::default();
        tally.add(&ok, &policy);
        tally.add(&broken, &policy);
        let site = tally.finish(&[], 0, &policy);
        assert_eq!(site.score, Some(100.0));
        assert!(site.passed);
        assert_eq!(site.summary.pages_failed_to_load, 1);
        assert_eq!(broken.score, None);
    }

    #[test]
    fn passed_means_the_run_s_pass_mark() {
        let mut policy = policy();
        policy.pass_mark = 95.0;
        let mut p = page("https://a.cn/", vec![check("a", Some(1.0)), check("b", Some(0.5))]);
        p.score = page_score(&p, &policy);
        let mut tally = SiteTally::default();
        tally.add(&p, &policy);
        let site = tally.finish(&[], 0, &policy);
        assert!(site.score.is_some_and(|s| s < 95.0));
        assert!(!site.passed, "below --fail-under is not passed, whatever the profile's pass mark");
    }

    #[test]
    fn a_site_check_weighs_in_once() {
        let policy = policy();
        let mut p = page("https://a.cn/", vec![check("a", Some(1.0))]);
        p.score = page_score(&p, &policy);
        let mut tally = SiteTally::default();
        tally.add(&p, &policy);
        let site_check = check("elder-mode-entry", Some(0.0));
        let site = tally.finish(std::slice::from_ref(&site_check), 0, &policy);
        // pages: 100 with weight 10; the site check (serious, 7) scores 0.
        assert_eq!(site.score, Some(round1(100.0 * 10.0 / 17.0)));
    }
}
