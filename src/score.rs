//! Scoring as the product specification and the MIIT evaluation describe it:
//! a check's page score is passing ÷ decided targets; a page's score is 100 × the impact-weighted
//! mean of its check scores (cant_tell and inapplicable carry no weight); a site's score is the
//! mean of its page scores with site-level checks weighted in; vetoes fail the site.

use crate::report::{Grade, PageReport, SiteReport, Summary, Veto};
use eldercheck_checks::check::{FindingOutcome, Impact};
use eldercheck_checks::Profile;

fn round1(v: f64) -> f64 {
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

/// The weight of an impact on a page (elder pages weigh enhanced contrast as moderate).
pub fn effective_impact(check_id: &str, impact: Impact, elder_page: bool) -> Impact {
    match (check_id, elder_page) {
        ("color-contrast-enhanced", true) => Impact::Moderate,
        ("line-spacing", true) => Impact::Serious,
        _ => impact,
    }
}

/// Fills in a page's score.
pub fn score_page(page: &mut PageReport, profile: &Profile) {
    if page.error.is_some() {
        page.score = None;
        return;
    }
    page.score = weighted(page.checks.iter().filter_map(|c| {
        let weight = profile.weight(effective_impact(&c.id, c.impact, page.elder_page));
        c.score.map(|s| (s, weight))
    }));
}

/// Each family's score: the page score formula restricted to the family's checks, averaged over pages.
fn family_scores(site: &SiteReport, profile: &Profile) -> std::collections::BTreeMap<String, Option<f64>> {
    eldercheck_checks::check::Family::ALL
        .iter()
        .map(|family| {
            let per_page: Vec<f64> = site
                .pages
                .iter()
                .filter(|p| p.error.is_none())
                .filter_map(|p| {
                    weighted(p.checks.iter().chain(&site.site_checks).filter(|c| c.family == *family).filter_map(|c| {
                        c.score.map(|s| (s, profile.weight(effective_impact(&c.id, c.impact, p.elder_page))))
                    }))
                })
                .collect();
            let score = (!per_page.is_empty()).then(|| round1(per_page.iter().sum::<f64>() / per_page.len() as f64));
            (family.id().to_string(), score)
        })
        .collect()
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

/// Scores every page, then the site: score, vetoes, grade, pass/fail and the summary.
pub fn score_site(site: &mut SiteReport, profile: &Profile, skipped_by_limit: usize) {
    for page in &mut site.pages {
        score_page(page, profile);
        if site.site_checks.is_empty() && !page.site_checks.is_empty() {
            site.site_checks = std::mem::take(&mut page.site_checks);
        }
    }
    let mut vetoes = Vec::new();
    {
        // Elder-page vetoes apply on elder pages; custom `veto = true` checks on every page.
        let vetoing_check = |page: &PageReport, id: &String| {
            profile.page_vetoes.contains(id)
                || (profile.elder_rules && page.elder_page && profile.elder_vetoes.contains(id))
        };
        for page in site.pages.iter() {
            for check in page.checks.iter().filter(|c| vetoing_check(page, &c.id)) {
                // A pop-up is a veto only when it carries ads or inducing content.
                let vetoing = |f: &&crate::report::FindingReport| {
                    f.outcome == FindingOutcome::Failed
                        && (check.id != "popup-overlay"
                            || f.data.get("carries_ad_or_induced") == Some(&serde_json::Value::Bool(true)))
                };
                for finding in check.findings.iter().filter(vetoing) {
                    vetoes.push(Veto {
                        check: check.id.clone(),
                        page: page.url.clone(),
                        selector: finding.selector.clone(),
                    });
                }
            }
        }
    }
    // Site-level checks count as one more check on every page: the pages' mean weighs as much
    // as the average page's total check weight, and each site check adds its own impact weight.
    let scored: Vec<&PageReport> = site.pages.iter().filter(|p| p.score.is_some()).collect();
    let mut parts: Vec<(f64, f64)> = Vec::new();
    if !scored.is_empty() {
        let mean = scored.iter().filter_map(|p| p.score).sum::<f64>() / scored.len() as f64;
        let page_weight = scored
            .iter()
            .map(|p| {
                p.checks
                    .iter()
                    .filter(|c| c.score.is_some())
                    .map(|c| profile.weight(effective_impact(&c.id, c.impact, p.elder_page)))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / scored.len() as f64;
        parts.push((mean / 100.0, page_weight.max(f64::MIN_POSITIVE)));
    }
    parts.extend(site.site_checks.iter().filter_map(|c| c.score.map(|s| (s, profile.weight(c.impact)))));
    site.score = weighted(parts.into_iter());
    site.family_scores = family_scores(site, profile);
    site.grade = grade(site.score, !vetoes.is_empty());
    site.passed = vetoes.is_empty() && site.score.is_some_and(|s| s >= profile.pass_mark);
    site.vetoes = vetoes;

    let mut summary = Summary {
        pages_checked: site.pages.iter().filter(|p| p.error.is_none()).count(),
        pages_failed_to_load: site.pages.iter().filter(|p| p.error.is_some()).count(),
        pages_skipped_by_limit: skipped_by_limit,
        findings: 0,
        by_check: Default::default(),
    };
    for check in site.pages.iter().flat_map(|p| &p.checks).chain(&site.site_checks) {
        let failed = check.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed).count();
        if failed > 0 {
            *summary.by_check.entry(check.id.clone()).or_default() += failed;
            summary.findings += failed;
        }
    }
    site.summary = summary;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CheckReport;
    use eldercheck_checks::check::{Family, Outcome};

    fn check(id: &str, impact: Impact, score: Option<f64>) -> CheckReport {
        CheckReport {
            id: id.into(),
            family: Family::Labels,
            impact,
            outcome: if score == Some(1.0) {
                Outcome::Passed
            } else if score.is_some() {
                Outcome::Failed
            } else {
                Outcome::CantTell
            },
            score,
            passed_targets: 0,
            failed_targets: 0,
            cant_tell_targets: 0,
            findings: Vec::new(),
            data: Default::default(),
        }
    }

    fn page(checks: Vec<CheckReport>) -> PageReport {
        PageReport { checks, ..PageReport::new("https://a.cn/".into(), "https://a.cn/".into(), Some(200), 0) }
    }

    #[test]
    fn weighted_page_score_ignores_cant_tell_and_advisory() {
        // critical passed (10 × 1) + serious half (7 × 0.5) + cant_tell (no weight) + advisory failed (0)
        let mut p = page(vec![
            check("a", Impact::Critical, Some(1.0)),
            check("b", Impact::Serious, Some(0.5)),
            check("c", Impact::Serious, None),
            check("d", Impact::Advisory, Some(0.0)),
        ]);
        score_page(&mut p, &Profile::miit_web());
        assert_eq!(p.score, Some(79.4)); // 100 × 13.5 / 17
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
        let mut ok = page(vec![check("a", Impact::Critical, Some(1.0))]);
        ok.url = "https://a.cn/ok".into();
        let mut broken = page(Vec::new());
        broken.error = Some(crate::report::PageError { kind: "read".into(), message: "gone".into() });
        let mut site = SiteReport::new("https://a.cn/".into(), "a".into(), None);
        site.pages = vec![ok, broken];
        score_site(&mut site, &Profile::miit_web(), 0);
        assert_eq!(site.score, Some(100.0));
        assert!(site.passed);
        assert_eq!(site.summary.pages_failed_to_load, 1);
        assert_eq!(site.pages[1].score, None);
    }
}
