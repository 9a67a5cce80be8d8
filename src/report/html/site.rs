//! A site's page of the HTML report: the verdict in one sentence, what to fix first, every issue
//! under its check, what needs a person, family scores, the table of checks, changes since the last
//! run and the page table. Everything here puts results into words; the numbers and verdicts are
//! the results folder's.

use super::issue::{issue_line, issue_view, passes_once_fixed};
use super::pictures::thumbnail_view;
use super::words::{clip, docs_section, error_view, family_title, fill, score_text, segments, text};
use super::{MAX_CHANGES_SHOWN, MAX_PAGES_IN_DRILLDOWN, PRIORITIES};
use crate::issues::Issue;
use crate::report::{safe_link, ReportContext};
use crate::results::PageResult;
use crate::rundir::SiteRecord;
use crate::score::{grade_letter, CheckCounts, SiteStatus};
use crate::verdict::SiteVerdict;
use eldercheck_checks::check::{Family, FindingOutcome, Impact, Lang, Outcome};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// The page table of a site, gathered as its pages stream by; bounded.
#[derive(Default)]
pub(super) struct PageTable {
    pages: Vec<Value>,
    /// The pages listed in the page table, by URL, with their row number.
    anchors: HashMap<String, usize>,
    pages_total: usize,
    /// How this site's report file refers to the screenshots folder (rendered pages only).
    pub(super) screens_base: Option<String>,
    pub(super) lang: Lang,
}

impl PageTable {
    pub(super) fn new(screens_base: Option<String>, lang: Lang) -> PageTable {
        PageTable { screens_base, lang, ..PageTable::default() }
    }

    pub(super) fn add(&mut self, page: &PageResult, t: &Value) {
        self.pages_total += 1;
        if self.pages.len() < MAX_PAGES_IN_DRILLDOWN {
            let n = self.pages.len() + 1;
            let mut view = page_view(page, t);
            view["anchor"] = json!(format!("p{n}"));
            view["thumbnail"] =
                self.screens_base.as_deref().and_then(|base| thumbnail_view(page, base, self.lang)).into();
            self.anchors.insert(page.url.clone(), n);
            self.pages.push(view);
        }
    }
}

fn page_view(page: &PageResult, t: &Value) -> Value {
    let failed = page.checks.iter().filter(|c| c.outcome == Outcome::Failed).count();
    let title = page.title.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| page.url.clone());
    let render_note = page.render_fallback.as_ref().map(|f| {
        let why = t["render_fallback_kinds"][f.kind.as_str()].as_str().unwrap_or(f.kind.as_str()).to_string();
        fill(t, "render_fallback_note", &[("why", why)])
    });
    json!({ "link": safe_link(&page.url), "title": clip(&title, 60), "score": score_text(page.score),
            "elder": page.elder_page, "error": page.error.as_ref().map(|e| error_view(&e.kind, &e.message, t)), "failed": failed,
            "render_note": render_note })
}

/// An outcome's words and colour.
fn status(outcome: Outcome, t: &Value) -> (String, &'static str) {
    match outcome {
        Outcome::Failed => (text(t, "status_failed"), "fail"),
        Outcome::CantTell => (text(t, "status_cant_tell"), "review"),
        Outcome::Passed => (text(t, "status_passed"), "pass"),
        Outcome::Inapplicable => (text(t, "status_inapplicable"), "note"),
    }
}

/// Score over the stored runs and this one, as an inline SVG line that scales to its box.
fn trend_chart(site: &SiteRecord, pass_mark: f64) -> Option<String> {
    let mut points: Vec<f64> = site.trend.iter().filter_map(|p| p.score).collect();
    points.push(site.score.score?);
    if points.len() < 2 {
        return None;
    }
    let step = 560.0 / (points.len() - 1) as f64;
    let y = |s: f64| 130.0 - s * 1.2;
    let coords: Vec<String> =
        points.iter().enumerate().map(|(i, s)| format!("{:.1},{:.1}", 40.0 + i as f64 * step, y(*s))).collect();
    let dots: String = points
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#0b4f9c\"/>", 40.0 + i as f64 * step, y(*s))
        })
        .collect();
    Some(format!(
        "<svg role=\"img\" aria-label=\"score trend\" viewBox=\"0 0 640 150\" xmlns=\"http://www.w3.org/2000/svg\">\
<line x1=\"40\" y1=\"{mark_y:.1}\" x2=\"600\" y2=\"{mark_y:.1}\" stroke=\"#9b1c1c\" stroke-dasharray=\"4 4\"/><text x=\"0\" y=\"{label_y:.1}\">{mark}</text>\
<text x=\"0\" y=\"14\">100</text><text x=\"0\" y=\"134\">0</text>\
<polyline fill=\"none\" stroke=\"#0b4f9c\" stroke-width=\"3\" points=\"{}\"/>{dots}</svg>",
        coords.join(" "),
        mark_y = y(pass_mark),
        label_y = y(pass_mark) + 4.0,
        mark = score_text(Some(pass_mark)),
    ))
}

/// The one-sentence verdict in words, and its colour.
fn verdict_words(cx: &ReportContext, site: &SiteRecord, t: &Value) -> (String, &'static str) {
    let s = &site.score;
    let title = |check: &str| cx.title(check, true);
    let mark = score_text(Some(cx.manifest.policy.pass_mark));
    let Some(verdict) = &site.verdict else { return (String::new(), "") };
    match verdict {
        SiteVerdict::NotChecked => (text(t, "verdict_not_checked"), "fail"),
        SiteVerdict::Incomplete { checked, requested } => {
            let values = [
                ("checked", checked.to_string()),
                ("requested", requested.to_string()),
                ("score", score_text(s.score)),
            ];
            (fill(t, "verdict_incomplete", &values), "warn")
        }
        SiteVerdict::Vetoed { vetoes, check } => {
            let first = check.as_deref().map(title).unwrap_or_default();
            (fill(t, "verdict_veto", &[("n", vetoes.to_string()), ("title", first)]), "fail")
        }
        SiteVerdict::BelowPassMark { check: Some(check) } => {
            (fill(t, "verdict_low", &[("score", score_text(s.score)), ("mark", mark), ("title", title(check))]), "fail")
        }
        SiteVerdict::BelowPassMark { check: None } => {
            (fill(t, "verdict_low_clean", &[("score", score_text(s.score)), ("mark", mark)]), "fail")
        }
        SiteVerdict::PassedWithCritical { issues, checks } => {
            let titles: Vec<String> = checks.iter().map(|c| title(c)).collect();
            (fill(t, "verdict_pass_critical", &[("n", issues.to_string()), ("title", titles.join("、"))]), "warn")
        }
        SiteVerdict::PassedWithIssues { issues, check } => {
            (fill(t, "verdict_pass_issues", &[("n", issues.to_string()), ("title", title(check))]), "pass")
        }
        SiteVerdict::Passed => (text(t, "verdict_pass_clean"), "pass"),
    }
}

/// The site's result (达标 / 未达标 / 检测不完整 / 无法检测) and its colour.
fn result_words(site: &SiteRecord, t: &Value) -> (String, &'static str) {
    let s = &site.score;
    match (s.status, s.passed) {
        (SiteStatus::NotChecked, _) => (text(t, "not_checked"), "fail"),
        (SiteStatus::Incomplete, _) => {
            let values = [
                ("checked", s.summary.pages_checked.to_string()),
                ("requested", s.summary.pages_requested().to_string()),
            ];
            (fill(t, "incomplete", &values), "warn")
        }
        (SiteStatus::Checked, true) => (text(t, "passed"), "pass"),
        (SiteStatus::Checked, false) => (text(t, "failed"), "fail"),
    }
}

/// Every failed issue, as one line under its check; checks in the order of their best issue.
fn issue_groups(cx: &ReportContext, site: &SiteRecord, failed: &[&Issue], table: &PageTable, t: &Value) -> Vec<Value> {
    let lang = cx.lang;
    let pass_mark = cx.manifest.policy.pass_mark;
    let mut by_check: Vec<(String, Vec<&Issue>)> = Vec::new();
    for issue in failed {
        match by_check.iter_mut().find(|(id, _)| *id == issue.check) {
            Some((_, list)) => list.push(issue),
            None => by_check.push((issue.check.clone(), vec![issue])),
        }
    }
    // In the order the list's sort control names first (vetoes, then points to gain), also
    // without scripts; a stable sort keeps the issues' own order among equals.
    let gain_of = |list: &[&Issue]| list.iter().map(|i| i.gain).sum::<f64>();
    let veto_of = |list: &[&Issue]| list.iter().any(|i| i.veto);
    by_check.sort_by(|(_, a), (_, b)| veto_of(b).cmp(&veto_of(a)).then(gain_of(b).total_cmp(&gain_of(a))));
    let (fix_h, example_h): (&[&str], &[&str]) = (&["## 如何修复", "## How to fix"], &["## 示例", "## Example"]);
    by_check
        .iter()
        .enumerate()
        .map(|(index, (check, list))| {
            let info = cx.check(check);
            let docs = info.map(|c| c.docs.get(lang).to_string()).unwrap_or_default();
            let gain = gain_of(list);
            let pages: usize = list.iter().map(|i| i.pages_total).max().unwrap_or(0);
            let veto = veto_of(list);
            let gain_text = if passes_once_fixed(site, pass_mark, list) {
                Some(fill(t, "gain_passes", &[("n", format!("{gain:.1}"))]))
            } else {
                (gain >= 0.1).then(|| fill(t, "gain", &[("n", format!("{gain:.1}"))]))
            };
            json!({
                "title": cx.title(check, true), "count": list.len(),
                "family": info.map(|c| family_title(c.family, lang)).unwrap_or_default(), "family_id": info.map(|c| c.family.id()).unwrap_or_default(),
                "impact": info.map(|c| c.impact.title().get(lang).to_string()).unwrap_or_default(), "impact_id": info.map(|c| c.impact.id()).unwrap_or_default(),
                "gain": gain_text, "gain_value": gain,
                "pages_value": pages, "veto": veto, "veto_value": u8::from(veto), "class": if veto { "veto" } else { "" },
                "open": index < 3,
                "fix": segments(&docs_section(&docs, fix_h)), "example": segments(&docs_section(&docs, example_h)),
                "lines": list.iter().map(|i| issue_line(i, t, &table.anchors)).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Issues a person must judge, grouped by why.
fn review_groups(cx: &ReportContext, site: &SiteRecord, table: &PageTable, t: &Value) -> Vec<Value> {
    let mut review: BTreeMap<String, Vec<&Issue>> = BTreeMap::new();
    for issue in site.issues.iter().filter(|i| i.outcome == FindingOutcome::CantTell) {
        let reason = issue
            .reason
            .clone()
            .filter(|r| t["review_reasons"][r.as_str()].is_array())
            .unwrap_or_else(|| "other".into());
        review.entry(reason).or_default().push(issue);
    }
    review
        .iter()
        .map(|(reason, issues)| {
            let words = &t["review_reasons"][reason.as_str()];
            let occurrences: usize = issues.iter().map(|i| i.occurrences).sum();
            let lines: Vec<Value> = issues
                .iter()
                .map(|i| {
                    let mut line = issue_line(i, t, &table.anchors);
                    line["t"] = json!(cx.title(&i.check, false));
                    line
                })
                .collect();
            json!({ "title": words[0], "steps": words[1], "count": fill(t, "review_count", &[("n", occurrences.to_string())]), "lines": lines })
        })
        .collect()
}

/// Family scores, each with how much of it rests on unverified elements.
fn family_rows(cx: &ReportContext, site: &SiteRecord, t: &Value) -> Vec<Value> {
    let s = &site.score;
    Family::ALL
        .iter()
        .map(|f| {
            let score = s.family_scores.get(f.id()).copied().flatten();
            let class = match score {
                Some(v) if v >= 90.0 => "pass",
                Some(v) if v >= cx.manifest.policy.pass_mark => "",
                Some(_) => "fail",
                None => "none",
            };
            let targets = s.summary.targets_by_family.get(f.id()).copied().unwrap_or_default();
            let unverified = if targets.unverified > 0 {
                fill(t, "family_unverified", &[("n", targets.unverified.to_string())])
            } else {
                text(t, "family_all_verified")
            };
            json!({ "title": family_title(*f, cx.lang), "score": score.map_or_else(|| text(t, "no_score"), |v| format!("{v:.1}")),
                    "percent": score.map_or(0.0, |v| (v * 10.0).round() / 10.0), "class": class, "unverified": unverified })
        })
        .collect()
}

/// The table of checks, in catalogue order, grouped: failed, needs review, passed, not applicable.
fn check_groups(cx: &ReportContext, site: &SiteRecord, t: &Value) -> Vec<Value> {
    let lang = cx.lang;
    let row_view = |id: &str, row: &CheckCounts| {
        let (_, class) = status(row.standing(), t);
        let info = cx.check(id);
        json!({ "id": id, "title": cx.title(id, row.pages_failed > 0),
                "family": info.map(|c| family_title(c.family, lang)).unwrap_or_default(),
                "impact": info.map(|c| c.impact.title().get(lang).to_string()).unwrap_or_default(),
                "pages_failed": row.pages_failed, "pages_applicable": row.pages_applicable, "findings": row.findings,
                "cant_tell": row.cant_tell, "status_class": class,
                "note": (row.pages_applicable == 0 && info.is_some_and(|c| c.needs_browser)).then(|| text(t, "needs_browser_note")) })
    };
    let mut groups: [(&str, &str, bool, Vec<Value>); 4] = [
        ("checks_failed", "fail", true, Vec::new()),
        ("checks_review", "review", false, Vec::new()),
        ("checks_passed", "pass", false, Vec::new()),
        ("checks_na", "note", false, Vec::new()),
    ];
    for check in &cx.manifest.catalogue {
        let Some(row) = site.score.summary.checks.get(&check.id) else { continue };
        let slot = match row.standing() {
            Outcome::Failed => 0,
            Outcome::CantTell => 1,
            Outcome::Passed => 2,
            Outcome::Inapplicable => 3,
        };
        groups[slot].3.push(row_view(&check.id, row));
    }
    groups
        .into_iter()
        .filter(|g| !g.3.is_empty())
        .map(|(key, class, open, rows)| json!({ "title": text(t, key), "class": class, "open": open, "rows": rows }))
        .collect()
}

/// Issues new and fixed since the previous run.
fn changes_view(cx: &ReportContext, site: &SiteRecord, t: &Value) -> Option<Value> {
    let c = site.changes.as_ref()?;
    let rows = |keys: &[String]| -> Vec<Value> {
        keys.iter()
            .take(MAX_CHANGES_SHOWN)
            .map(|k| {
                let label = c.labels.get(k);
                json!({ "title": label.map_or_else(|| k.clone(), |l| cx.title(&l.check, true)), "label": label.map(|l| l.label.clone()).unwrap_or_default() })
            })
            .collect()
    };
    let more = |total: usize, shown: usize| {
        (total > shown).then(|| fill(t, "changes_more", &[("n", total.to_string()), ("shown", shown.to_string())]))
    };
    let (new_count, fixed_count) = (c.new_total.unwrap_or(c.new.len()), c.fixed_total.unwrap_or(c.fixed.len()));
    let accepted = (c.accepted > 0).then(|| fill(t, "changes_accepted", &[("n", c.accepted.to_string())]));
    Some(
        json!({ "new": rows(&c.new), "fixed": rows(&c.fixed), "new_count": new_count, "fixed_count": fixed_count, "accepted": accepted,
                 "new_more": more(new_count, c.new.len().min(MAX_CHANGES_SHOWN)), "fixed_more": more(fixed_count, c.fixed.len().min(MAX_CHANGES_SHOWN)) }),
    )
}

/// The filters of the issue list: the families and impacts that have failed issues.
fn filter_options(cx: &ReportContext, failed: &[&Issue]) -> (Vec<Value>, Vec<Value>) {
    let families = Family::ALL
        .iter()
        .filter(|f| failed.iter().any(|i| cx.family(&i.check) == Some(**f)))
        .map(|f| json!({ "id": f.id(), "title": family_title(*f, cx.lang) }))
        .collect();
    let impacts = [Impact::Critical, Impact::Serious, Impact::Moderate, Impact::Minor, Impact::Advisory]
        .iter()
        .filter(|impact| failed.iter().any(|i| cx.check(&i.check).is_some_and(|c| c.impact == **impact)))
        .map(|i| json!({ "id": i.id(), "title": i.title().get(cx.lang) }))
        .collect();
    (families, impacts)
}

pub(super) fn site_view(cx: &ReportContext, site: &SiteRecord, table: PageTable, t: &Value) -> Value {
    let s = &site.score;
    let (result_text, result_class) = result_words(site, t);
    let (verdict_text, verdict_class) = verdict_words(cx, site, t);
    let accepted_note = (s.summary.accepted > 0).then(|| {
        let result = if s.passed_with_accepted { text(t, "passed") } else { text(t, "failed") };
        let values = [
            ("n", s.summary.accepted.to_string()),
            ("score", score_text(s.score_with_accepted.or(s.score))),
            ("result", result),
        ];
        fill(t, "accepted_note", &values)
    });
    let failed: Vec<&Issue> = site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed).collect();
    let pass_mark = cx.manifest.policy.pass_mark;
    let priorities: Vec<Value> = failed
        .iter()
        .filter(|i| i.accepted.is_none())
        .take(PRIORITIES)
        .map(|i| issue_view(cx, i, t, table.screens_base.as_deref(), passes_once_fixed(site, pass_mark, &[i])))
        .collect();
    let (family_options, impact_options) = filter_options(cx, &failed);
    let site_checks: Vec<Value> = site
        .site_checks
        .iter()
        .map(|c| {
            let (status_text, class) = status(c.outcome, t);
            json!({ "title": cx.title(&c.id, c.outcome == Outcome::Failed), "status": status_text, "status_class": class,
                    "messages": c.findings.iter().map(|f| cx.message(&f.message).to_string()).collect::<Vec<_>>() })
        })
        .collect();
    let vetoes: Vec<Value> = s
        .vetoes
        .iter()
        .map(|v| json!({ "title": cx.title(&v.check, true), "page": v.page, "anchor": format!("issue-{}", v.issue), "accepted": v.accepted }))
        .take(100)
        .collect();
    let more_pages = (table.pages_total > table.pages.len()).then(|| {
        fill(t, "more_drilldown", &[("shown", table.pages.len().to_string()), ("n", table.pages_total.to_string())])
    });
    let fallbacks = s.summary.pages_render_fallback;
    let render_fallback = (fallbacks > 0).then(|| fill(t, "render_fallback_site", &[("n", fallbacks.to_string())]));
    // Why a site was not (fully) checked: its first failure, in words, with what to do.
    let unreachable = (s.status != SiteStatus::Checked)
        .then(|| s.summary.first_error.as_ref().map(|e| error_view(&e.kind, &e.message, t)))
        .flatten();
    let rendered_note = (s.summary.pages_rendered > 0).then(|| {
        let values =
            [("checked", s.summary.pages_checked.to_string()), ("rendered", s.summary.pages_rendered.to_string())];
        fill(t, "rendered_note", &values)
    });
    let interrupted_note =
        s.summary.interrupted.as_ref().map(|signal| fill(t, "interrupted_note", &[("signal", signal.clone())]));
    json!({
        "render_fallback": render_fallback, "unreachable": unreachable, "rendered_note": rendered_note,
        "interrupted_note": interrupted_note,
        "name": site.name, "url": site.url, "link": safe_link(&site.url), "score": score_text(s.score),
        "grade": grade_letter(s.grade), "result": result_text, "result_class": result_class,
        "verdict": verdict_text, "verdict_class": verdict_class, "accepted_note": accepted_note,
        "pass_mark": score_text(Some(pass_mark)), "pages_checked": s.summary.pages_checked,
        "pages_failed_to_load": s.summary.pages_failed_to_load,
        "vetoes": vetoes, "priorities": priorities, "families": family_rows(cx, site, t),
        "issue_groups": issue_groups(cx, site, &failed, &table, t), "issue_count": failed.len(),
        "family_options": family_options, "impact_options": impact_options,
        "review_groups": review_groups(cx, site, &table, t),
        "site_checks": site_checks, "check_groups": check_groups(cx, site, t), "pages": table.pages, "more_pages": more_pages,
        "trend_chart": trend_chart(site, pass_mark), "changes": changes_view(cx, site, t),
    })
}
