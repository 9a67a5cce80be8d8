//! report.html: one self-contained file (inline CSS and SVG, no outside requests) rendered with
//! handlebars from the report model. Everything that came from a page goes through `{{ }}`, which
//! HTML-escapes it; the only raw insertions are the stylesheet and charts built here from numbers.

use super::{CheckReport, Report, SiteReport};
use eldercheck_checks::check::{FindingOutcome, Lang, Outcome};
use eldercheck_checks::rules;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("../../reports/templates/report.hbs");
const CSS: &str = include_str!("../../reports/report.css");
const ZH: &str = include_str!("../../reports/i18n/zh-CN.json");
const EN: &str = include_str!("../../reports/i18n/en.json");

/// Issue groups shown per check in the HTML (all of them are in report.json and findings.csv).
const MAX_GROUPS_PER_CHECK: usize = 30;
/// Findings listed per check in each page's drill-down.
const MAX_FINDINGS_PER_PAGE_CHECK: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("report template: {0}")]
    Template(String),
}

fn strings(lang: Lang) -> Result<Value, HtmlError> {
    serde_json::from_str(if lang == Lang::En { EN } else { ZH }).map_err(|e| HtmlError::Template(e.to_string()))
}

fn text(t: &Value, key: &str) -> String {
    t[key].as_str().unwrap_or(key).to_string()
}

/// Only web and file addresses become links: a page can never smuggle `javascript:` into the report.
fn safe_link(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("file://"))
        .then(|| url.to_string())
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"))
}

fn check_title(id: &str, lang: Lang, failing: bool) -> String {
    rules::find(id).map_or_else(
        || id.to_string(),
        |c| {
            let m = c.meta();
            (if failing { m.failure_title } else { m.title }).get(lang).to_string()
        },
    )
}

/// The "How to fix" section of a check's docs, as plain text.
fn how_to_fix(id: &str, lang: Lang) -> String {
    let Some(check) = rules::find(id) else { return String::new() };
    let docs = check.meta().docs.get(lang);
    let heading = if lang == Lang::En { "## How to fix" } else { "## 如何修复" };
    docs.split(heading).nth(1).unwrap_or_default().trim().replace('`', "")
}

fn family_chart(families: &BTreeMap<String, Option<f64>>, lang: Lang) -> String {
    let mut svg = String::from(
        "<svg role=\"img\" aria-label=\"family scores\" viewBox=\"0 0 640 170\" width=\"640\" height=\"170\" xmlns=\"http://www.w3.org/2000/svg\">",
    );
    for (i, family) in eldercheck_checks::check::Family::ALL.iter().enumerate() {
        let score = families.get(family.id()).copied().flatten();
        let y = 10 + i * 40;
        let width = score.map_or(0.0, |s| s * 4.0);
        let colour = match score {
            Some(s) if s >= 90.0 => "#1b5e20",
            Some(s) if s >= 60.0 => "#0b4f9c",
            Some(_) => "#9b1c1c",
            None => "#767676",
        };
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"170\" y=\"{}\" width=\"400\" height=\"24\" fill=\"#eeeeee\"/><rect x=\"170\" y=\"{}\" width=\"{width:.1}\" height=\"24\" fill=\"{colour}\"/><text x=\"580\" y=\"{}\">{}</text>",
            y + 18,
            family.title().get(lang),
            y,
            y,
            y + 18,
            score_text(score)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Score over the stored runs and this one, as an inline SVG line.
fn trend_chart(site: &SiteReport) -> Option<String> {
    let mut points: Vec<f64> = site.trend.iter().filter_map(|p| p.score).collect();
    points.push(site.score?);
    if points.len() < 2 {
        return None;
    }
    let step = 560.0 / (points.len() - 1) as f64;
    let coords: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{:.1},{:.1}", 40.0 + i as f64 * step, 130.0 - s * 1.2))
        .collect();
    let dots: String = points
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#0b4f9c\"/>",
                40.0 + i as f64 * step,
                130.0 - s * 1.2
            )
        })
        .collect();
    Some(format!(
        "<svg role=\"img\" aria-label=\"score trend\" viewBox=\"0 0 640 150\" width=\"640\" height=\"150\" xmlns=\"http://www.w3.org/2000/svg\">\
<line x1=\"40\" y1=\"58\" x2=\"600\" y2=\"58\" stroke=\"#9b1c1c\" stroke-dasharray=\"4 4\"/><text x=\"0\" y=\"62\">60</text>\
<text x=\"0\" y=\"14\">100</text><text x=\"0\" y=\"134\">0</text>\
<polyline fill=\"none\" stroke=\"#0b4f9c\" stroke-width=\"3\" points=\"{}\"/>{dots}</svg>",
        coords.join(" ")
    ))
}

/// A finding key split back into its page and selector for display.
fn change_rows(keys: &[String]) -> Vec<Value> {
    keys.iter()
        .take(MAX_GROUPS_PER_CHECK)
        .map(|k| {
            let mut parts = k.splitn(3, ' ');
            let check = parts.next().unwrap_or_default();
            json!({ "check": check, "page": parts.next().unwrap_or_default(), "selector": parts.next().unwrap_or_default() })
        })
        .collect()
}

fn status(outcome_failed: bool, cant_tell: bool, applicable: bool, t: &Value) -> (String, &'static str) {
    match (outcome_failed, cant_tell, applicable) {
        (true, _, _) => (text(t, "status_failed"), "fail"),
        (false, true, _) => (text(t, "status_cant_tell"), "review"),
        (false, false, true) => (text(t, "status_passed"), "pass"),
        _ => (text(t, "status_inapplicable"), "note"),
    }
}

fn site_view(site: &SiteReport, index: usize, lang: Lang, t: &Value, pass_mark: f64) -> Value {
    let result_class = if site.passed { "pass" } else { "fail" };
    // Checks table: per check, pages failed / applicable, findings, needs-review.
    let mut order: Vec<String> = Vec::new();
    let mut per_check: BTreeMap<String, (u32, u32, u32, u32, Option<&CheckReport>)> = BTreeMap::new();
    for page in site.pages.iter().filter(|p| p.error.is_none()) {
        for check in &page.checks {
            if !per_check.contains_key(&check.id) {
                order.push(check.id.clone());
            }
            let entry = per_check.entry(check.id.clone()).or_insert((0, 0, 0, 0, Some(check)));
            if check.outcome == Outcome::Failed {
                entry.0 += 1;
            }
            if check.outcome != Outcome::Inapplicable {
                entry.1 += 1;
            }
            entry.2 += check.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed).count() as u32;
            entry.3 += check.cant_tell_targets;
        }
    }
    let checks: Vec<Value> = order
        .iter()
        .filter_map(|id| per_check.get(id).map(|v| (id, v)))
        .map(|(id, (failed, applicable, findings, cant_tell, sample))| {
            let (_, class) = status(*failed > 0, *cant_tell > 0, *applicable > 0, t);
            let (family, impact) = sample.map_or((String::new(), String::new()), |c| {
                (
                    eldercheck_checks::check::Family::ALL
                        .iter()
                        .find(|f| *f == &c.family)
                        .map(|f| f.title().get(lang).to_string())
                        .unwrap_or_default(),
                    c.impact.title().get(lang).to_string(),
                )
            });
            json!({ "id": id, "title": check_title(id, lang, *failed > 0), "family": family, "impact": impact,
                    "pages_failed": failed, "pages_applicable": applicable, "findings": findings, "cant_tell": cant_tell,
                    "status_class": class })
        })
        .collect();

    // Issues grouped by check, the same selector and snippet on several pages listed once.
    let mut issue_checks = Vec::new();
    for id in &order {
        let mut groups: Vec<(String, String, String, &'static str, Vec<String>)> = Vec::new();
        let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
        for page in site.pages.iter() {
            for check in page.checks.iter().filter(|c| &c.id == id) {
                for f in &check.findings {
                    let key = (f.selector.clone(), f.snippet.clone());
                    let class = if f.outcome == FindingOutcome::Failed { "" } else { "review" };
                    match index.get(&key) {
                        Some(&i) => {
                            if !groups[i].4.contains(&page.url) {
                                groups[i].4.push(page.url.clone());
                            }
                        }
                        None => {
                            index.insert(key, groups.len());
                            groups.push((
                                f.message.clone(),
                                f.selector.clone(),
                                f.snippet.clone(),
                                class,
                                vec![page.url.clone()],
                            ));
                        }
                    }
                }
            }
        }
        if groups.is_empty() {
            continue;
        }
        // Failures first, then the most widespread (template problems).
        groups.sort_by(|a, b| a.3.cmp(b.3).then(b.4.len().cmp(&a.4.len())));
        let total = groups.len();
        let shown: Vec<Value> = groups
            .into_iter()
            .take(MAX_GROUPS_PER_CHECK)
            .map(|(message, selector, snippet, class, pages)| {
                let on_pages = text(t, "on_pages").replace("{n}", &pages.len().to_string());
                let pages: Vec<Value> = pages.iter().map(|u| json!({ "url": u, "link": safe_link(u) })).collect();
                json!({ "message": message, "selector": selector, "snippet": snippet, "class": class, "on_pages": on_pages, "pages": pages })
            })
            .collect();
        let more = (total > MAX_GROUPS_PER_CHECK)
            .then(|| text(t, "more_groups").replace("{n}", &(total - MAX_GROUPS_PER_CHECK).to_string()));
        issue_checks.push(json!({ "title": check_title(id, lang, true), "how_to_fix": how_to_fix(id, lang), "groups": shown, "groups_total": total, "more": more }));
    }

    let pages: Vec<Value> = site
        .pages
        .iter()
        .map(|page| {
            let failed: Vec<Value> = page
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Failed)
                .map(|c| {
                    let findings: Vec<Value> = c
                        .findings
                        .iter()
                        .filter(|f| f.outcome == FindingOutcome::Failed)
                        .take(MAX_FINDINGS_PER_PAGE_CHECK)
                        .map(|f| json!({ "message": f.message, "selector": f.selector }))
                        .collect();
                    json!({ "title": check_title(&c.id, lang, true), "findings": findings })
                })
                .collect();
            json!({ "url": page.url, "link": safe_link(&page.url), "title": page.title, "score": score_text(page.score),
                    "elder": page.elder_page, "error": page.error.as_ref().map(|e| format!("{} ({})", e.message, e.kind)), "failed": failed })
        })
        .collect();

    let families: Vec<Value> = eldercheck_checks::check::Family::ALL
        .iter()
        .map(|f| json!({ "title": f.title().get(lang), "score": score_text(site.family_scores.get(f.id()).copied().flatten()) }))
        .collect();
    let site_checks: Vec<Value> = site
        .site_checks
        .iter()
        .map(|c| {
            let (status_text, class) = status(c.outcome == Outcome::Failed, c.outcome == Outcome::CantTell, c.outcome != Outcome::Inapplicable, t);
            json!({ "title": check_title(&c.id, lang, c.outcome == Outcome::Failed), "status": status_text, "status_class": class,
                    "messages": c.findings.iter().map(|f| f.message.clone()).collect::<Vec<_>>() })
        })
        .collect();
    let vetoes: Vec<Value> = site
        .vetoes
        .iter()
        .map(|v| json!({ "check_title": check_title(&v.check, lang, true), "page": v.page, "selector": v.selector }))
        .collect();
    json!({
        "anchor": format!("site-{}", index + 1), "name": site.name, "url": site.url, "score": score_text(site.score),
        "grade": format!("{:?}", site.grade), "result": text(t, if site.passed { "passed" } else { "failed" }), "result_class": result_class,
        "pass_mark": pass_mark, "pages_checked": site.summary.pages_checked, "pages_failed_to_load": site.summary.pages_failed_to_load,
        "vetoes": vetoes, "chart": family_chart(&site.family_scores, lang), "families": families, "site_checks": site_checks,
        "checks": checks, "issue_checks": issue_checks, "pages": pages,
        "trend_chart": trend_chart(site), "runs": site.trend.len() + 1,
        "changes": site.changes.as_ref().map(|c| json!({ "new": change_rows(&c.new), "fixed": change_rows(&c.fixed), "new_count": c.new.len(), "fixed_count": c.fixed.len() })),
    })
}

/// Renders report.html.
pub fn render(report: &Report, pass_mark: f64) -> Result<String, HtmlError> {
    let lang = report.lang;
    let t = strings(lang)?;
    let sites: Vec<Value> =
        report.sites.iter().enumerate().map(|(i, s)| site_view(s, i, lang, &t, pass_mark)).collect();
    let mut ranked: Vec<(usize, &SiteReport)> = report.sites.iter().enumerate().collect();
    ranked.sort_by(|a, b| b.1.score.unwrap_or(-1.0).total_cmp(&a.1.score.unwrap_or(-1.0)));
    let ranking: Vec<Value> = ranked
        .iter()
        .enumerate()
        .map(|(rank, (i, s))| {
            json!({ "rank": rank + 1, "anchor": format!("site-{}", i + 1), "name": s.name, "group": s.group, "score": score_text(s.score),
                    "grade": format!("{:?}", s.grade), "result": text(&t, if s.passed { "passed" } else { "failed" }),
                    "result_class": if s.passed { "pass" } else { "fail" }, "vetoes": s.vetoes.len(), "pages": s.summary.pages_checked,
                    "errors": s.summary.pages_failed_to_load })
        })
        .collect();
    let title_sites = report.sites.iter().map(|s| s.name.as_str()).take(3).collect::<Vec<_>>().join(", ");
    let mut model = Map::new();
    model.insert("lang".into(), json!(if lang == Lang::En { "en" } else { "zh-CN" }));
    model.insert("t".into(), t);
    model.insert("css".into(), json!(CSS));
    model.insert("generated_at".into(), json!(report.generated_at));
    model.insert("profile".into(), json!(report.profile));
    model.insert("version".into(), json!(report.tool.version));
    model.insert("title_sites".into(), json!(title_sites));
    model.insert("batch".into(), json!(report.sites.len() > 1));
    model.insert("ranking".into(), json!(ranking));
    model.insert("sites".into(), json!(sites));
    let mut handlebars = handlebars::Handlebars::new();
    handlebars.set_strict_mode(false);
    handlebars.register_template_string("report", TEMPLATE).map_err(|e| HtmlError::Template(e.to_string()))?;
    handlebars.render("report", &Value::Object(model)).map_err(|e| HtmlError::Template(e.to_string()))
}
