//! report.html: self-contained files (inline CSS and SVG, no outside requests) rendered with
//! handlebars. One site: report.html is the site's report. A batch: report.html is the index (ranking,
//! per-site summary) and each site has its own page under `sites/`, so no file grows with the batch.
//! A site's page is built from bounded summaries gathered while its pages stream by.
//! Everything that came from a page goes through `{{ }}`, which HTML-escapes it; the only raw
//! insertions are the stylesheet and charts built here from numbers.

use super::{safe_link, AtomicFile, RenderError, ReportContext, Sink};
use crate::key::FindingKey;
use crate::results::PageResult;
use crate::rundir::SiteRecord;
use eldercheck_checks::check::{Family, FindingOutcome, Lang, Outcome};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

const TEMPLATE: &str = include_str!("../../reports/templates/report.hbs");
const CSS: &str = include_str!("../../reports/report.css");
const ZH: &str = include_str!("../../reports/i18n/zh-CN.json");
const EN: &str = include_str!("../../reports/i18n/en.json");

/// Issue groups shown per check in the HTML (all of them are in report.json and findings.csv).
const MAX_GROUPS_PER_CHECK: usize = 30;
/// Groups tracked per check while a site streams by; beyond this, groups are only counted.
const MAX_TRACKED_GROUPS_PER_CHECK: usize = 2_000;
/// Page addresses listed under one group.
const MAX_PAGES_PER_GROUP: usize = 20;
/// Findings listed per check in each page's drill-down.
const MAX_FINDINGS_PER_PAGE_CHECK: usize = 10;
/// Pages in a site's drill-down; the rest are in report.json and findings.csv.
const MAX_PAGES_IN_DRILLDOWN: usize = 300;
/// New/fixed findings listed.
const MAX_CHANGES_SHOWN: usize = 30;

fn strings(lang: Lang) -> Result<Value, RenderError> {
    serde_json::from_str(if lang == Lang::En { EN } else { ZH }).map_err(|e| RenderError::Template(e.to_string()))
}

fn text(t: &Value, key: &str) -> String {
    t[key].as_str().unwrap_or(key).to_string()
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"))
}

/// Per check: pages failed, pages where it applied, failed findings, targets needing review.
#[derive(Default)]
struct CheckRow {
    pages_failed: u32,
    pages_applicable: u32,
    findings: u32,
    cant_tell: u32,
}

/// The same selector and snippet on several pages, listed once.
struct Group {
    message: String,
    selector: String,
    snippet: String,
    review: bool,
    pages: Vec<String>,
    page_count: usize,
    last_page: String,
}

#[derive(Default)]
struct Groups {
    index: HashMap<(String, String), usize>,
    groups: Vec<Group>,
    /// Distinct groups seen, tracked or not.
    untracked: usize,
}

/// What a site's page needs, gathered as its pages stream by; bounded whatever the site's size.
#[derive(Default)]
struct SiteAggregate {
    order: Vec<String>,
    rows: HashMap<String, CheckRow>,
    groups: HashMap<String, Groups>,
    pages: Vec<Value>,
    pages_total: usize,
}

impl SiteAggregate {
    fn add(&mut self, cx: &ReportContext, page: &PageResult) {
        self.pages_total += 1;
        if self.pages.len() < MAX_PAGES_IN_DRILLDOWN {
            self.pages.push(page_view(cx, page));
        }
        if page.error.is_some() {
            return;
        }
        for check in &page.checks {
            if !self.rows.contains_key(&check.id) {
                self.order.push(check.id.clone());
            }
            let row = self.rows.entry(check.id.clone()).or_default();
            row.pages_failed += u32::from(check.outcome == Outcome::Failed);
            row.pages_applicable += u32::from(check.outcome != Outcome::Inapplicable);
            row.findings += check.counted_failures().count() as u32;
            row.cant_tell += check.cant_tell_targets;
            if check.findings.is_empty() {
                continue;
            }
            let groups = self.groups.entry(check.id.clone()).or_default();
            for f in check.findings.iter().filter(|f| f.accepted.is_none()) {
                let key = (f.selector.clone(), f.snippet.clone());
                match groups.index.get(&key) {
                    Some(&i) => {
                        let group = &mut groups.groups[i];
                        if group.last_page != page.url {
                            group.page_count += 1;
                            group.last_page = page.url.clone();
                            if group.pages.len() < MAX_PAGES_PER_GROUP {
                                group.pages.push(page.url.clone());
                            }
                        }
                    }
                    None if groups.groups.len() < MAX_TRACKED_GROUPS_PER_CHECK => {
                        groups.index.insert(key, groups.groups.len());
                        groups.groups.push(Group {
                            message: cx.message(&f.message).to_string(),
                            selector: f.selector.clone(),
                            snippet: f.snippet.clone(),
                            review: f.outcome != FindingOutcome::Failed,
                            pages: vec![page.url.clone()],
                            page_count: 1,
                            last_page: page.url.clone(),
                        });
                    }
                    None => groups.untracked += 1,
                }
            }
        }
    }
}

fn page_view(cx: &ReportContext, page: &PageResult) -> Value {
    let failed: Vec<Value> = page
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .map(|c| {
            let findings: Vec<Value> = c
                .counted_failures()
                .take(MAX_FINDINGS_PER_PAGE_CHECK)
                .map(|f| json!({ "message": cx.message(&f.message), "selector": f.selector }))
                .collect();
            json!({ "title": cx.title(&c.id, true), "findings": findings })
        })
        .collect();
    json!({ "url": page.url, "link": safe_link(&page.url), "title": page.title, "score": score_text(page.score),
            "elder": page.elder_page, "error": page.error.as_ref().map(|e| format!("{} ({})", e.message, e.kind)), "failed": failed })
}

fn status(failed: bool, cant_tell: bool, applicable: bool, t: &Value) -> (String, &'static str) {
    match (failed, cant_tell, applicable) {
        (true, _, _) => (text(t, "status_failed"), "fail"),
        (false, true, _) => (text(t, "status_cant_tell"), "review"),
        (false, false, true) => (text(t, "status_passed"), "pass"),
        _ => (text(t, "status_inapplicable"), "note"),
    }
}

fn family_chart(families: &BTreeMap<String, Option<f64>>, lang: Lang) -> String {
    let mut svg = String::from(
        "<svg role=\"img\" aria-label=\"family scores\" viewBox=\"0 0 640 170\" width=\"640\" height=\"170\" xmlns=\"http://www.w3.org/2000/svg\">",
    );
    for (i, family) in Family::ALL.iter().enumerate() {
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
        "<svg role=\"img\" aria-label=\"score trend\" viewBox=\"0 0 640 150\" width=\"640\" height=\"150\" xmlns=\"http://www.w3.org/2000/svg\">\
<line x1=\"40\" y1=\"{mark_y:.1}\" x2=\"600\" y2=\"{mark_y:.1}\" stroke=\"#9b1c1c\" stroke-dasharray=\"4 4\"/><text x=\"0\" y=\"{label_y:.1}\">{mark}</text>\
<text x=\"0\" y=\"14\">100</text><text x=\"0\" y=\"134\">0</text>\
<polyline fill=\"none\" stroke=\"#0b4f9c\" stroke-width=\"3\" points=\"{}\"/>{dots}</svg>",
        coords.join(" "),
        mark_y = y(pass_mark),
        label_y = y(pass_mark) + 4.0,
        mark = score_text(Some(pass_mark)),
    ))
}

/// Finding keys split back into check, page and selector for display.
fn change_rows(cx: &ReportContext, keys: &[String]) -> Vec<Value> {
    keys.iter()
        .take(MAX_CHANGES_SHOWN)
        .map(|k| {
            let key = FindingKey::parse(k);
            json!({ "check": cx.title(&key.check, true), "page": key.location, "selector": key.selector })
        })
        .collect()
}

fn site_view(cx: &ReportContext, site: &SiteRecord, aggregate: SiteAggregate, t: &Value) -> Value {
    let lang = cx.lang;
    let passed = site.score.passed;
    let result_class = if passed { "pass" } else { "fail" };
    let checks: Vec<Value> = aggregate
        .order
        .iter()
        .filter_map(|id| aggregate.rows.get(id).map(|row| (id, row)))
        .map(|(id, row)| {
            let (_, class) = status(row.pages_failed > 0, row.cant_tell > 0, row.pages_applicable > 0, t);
            let info = cx.check(id);
            json!({ "id": id, "title": cx.title(id, row.pages_failed > 0),
                    "family": info.map(|c| c.family.title().get(lang).to_string()).unwrap_or_default(),
                    "impact": info.map(|c| c.impact.title().get(lang).to_string()).unwrap_or_default(),
                    "pages_failed": row.pages_failed, "pages_applicable": row.pages_applicable, "findings": row.findings,
                    "cant_tell": row.cant_tell, "status_class": class })
        })
        .collect();

    let mut issue_checks = Vec::new();
    let mut groups_by_check = aggregate.groups;
    for id in &aggregate.order {
        let Some(mut groups) = groups_by_check.remove(id) else { continue };
        if groups.groups.is_empty() {
            continue;
        }
        // Failures first, then the most widespread (template problems).
        groups.groups.sort_by(|a, b| a.review.cmp(&b.review).then(b.page_count.cmp(&a.page_count)));
        let total = groups.groups.len() + groups.untracked;
        let shown: Vec<Value> = groups
            .groups
            .into_iter()
            .take(MAX_GROUPS_PER_CHECK)
            .map(|g| {
                let on_pages = text(t, "on_pages").replace("{n}", &g.page_count.to_string());
                let pages: Vec<Value> = g.pages.iter().map(|u| json!({ "url": u, "link": safe_link(u) })).collect();
                json!({ "message": g.message, "selector": g.selector, "snippet": g.snippet,
                        "class": if g.review { "review" } else { "" }, "on_pages": on_pages, "pages": pages })
            })
            .collect();
        let more = (total > MAX_GROUPS_PER_CHECK)
            .then(|| text(t, "more_groups").replace("{n}", &(total - MAX_GROUPS_PER_CHECK).to_string()));
        let how_to_fix = cx.check(id).map(|c| c.how_to_fix(lang)).unwrap_or_default();
        issue_checks.push(json!({ "title": cx.title(id, true), "how_to_fix": how_to_fix, "groups": shown, "groups_total": total, "more": more }));
    }

    let families: Vec<Value> = Family::ALL
        .iter()
        .map(|f| json!({ "title": f.title().get(lang), "score": score_text(site.score.family_scores.get(f.id()).copied().flatten()) }))
        .collect();
    let site_checks: Vec<Value> = site
        .site_checks
        .iter()
        .map(|c| {
            let (status_text, class) = status(c.outcome == Outcome::Failed, c.outcome == Outcome::CantTell, c.outcome != Outcome::Inapplicable, t);
            json!({ "title": cx.title(&c.id, c.outcome == Outcome::Failed), "status": status_text, "status_class": class,
                    "messages": c.findings.iter().map(|f| cx.message(&f.message).to_string()).collect::<Vec<_>>() })
        })
        .collect();
    let vetoes: Vec<Value> = site
        .score
        .vetoes
        .iter()
        .map(|v| json!({ "check_title": cx.title(&v.check, true), "page": v.page, "selector": v.selector }))
        .collect();
    let more_pages = (aggregate.pages_total > aggregate.pages.len()).then(|| {
        text(t, "more_pages")
            .replace("{shown}", &aggregate.pages.len().to_string())
            .replace("{n}", &aggregate.pages_total.to_string())
    });
    let pass_mark = cx.manifest.policy.pass_mark;
    json!({
        "anchor": "site", "name": site.name, "url": site.url, "score": score_text(site.score.score),
        "grade": format!("{:?}", site.score.grade), "result": text(t, if passed { "passed" } else { "failed" }), "result_class": result_class,
        "pass_mark": score_text(Some(pass_mark)), "pages_checked": site.score.summary.pages_checked,
        "pages_failed_to_load": site.score.summary.pages_failed_to_load,
        "vetoes": vetoes, "chart": family_chart(&site.score.family_scores, lang), "families": families, "site_checks": site_checks,
        "checks": checks, "issue_checks": issue_checks, "pages": aggregate.pages, "more_pages": more_pages,
        "trend_chart": trend_chart(site, pass_mark), "runs": site.trend.len() + 1,
        "changes": site.changes.as_ref().map(|c| json!({
            "new": change_rows(cx, &c.new), "fixed": change_rows(cx, &c.fixed),
            "new_count": c.new_total.unwrap_or(c.new.len()), "fixed_count": c.fixed_total.unwrap_or(c.fixed.len()) })),
    })
}

/// A site's row in the batch ranking.
struct RankingRow {
    name: String,
    group: Option<String>,
    score: Option<f64>,
    grade: String,
    passed: bool,
    vetoes: usize,
    pages: usize,
    errors: usize,
    file: String,
}

/// The file name of a site's page in a batch: its position, and its host (a local folder's name).
fn site_file_name(index: usize, url: &str) -> String {
    let parsed = url::Url::parse(url).ok();
    let folder = |u: &url::Url| u.path_segments()?.rfind(|s| !s.is_empty()).map(str::to_string);
    let label = parsed
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_string).or_else(|| folder(u)))
        .unwrap_or_else(|| "site".into());
    let label: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c.to_ascii_lowercase() } else { '_' })
        .take(80)
        .collect();
    format!("{:04}-{label}.html", index + 1)
}

pub struct HtmlSink {
    out: PathBuf,
    strings: Option<Value>,
    handlebars: handlebars::Handlebars<'static>,
    current: Option<SiteAggregate>,
    ranking: Vec<RankingRow>,
}

impl HtmlSink {
    pub fn new(out: &Path) -> HtmlSink {
        HtmlSink {
            out: out.to_path_buf(),
            strings: None,
            handlebars: handlebars::Handlebars::new(),
            current: None,
            ranking: Vec::new(),
        }
    }

    fn t(&self) -> Result<&Value, RenderError> {
        self.strings.as_ref().ok_or_else(|| RenderError::Template("strings not loaded".into()))
    }

    /// Renders one file from a model whose page-level parts are filled in by the caller.
    fn write(&self, cx: &ReportContext, path: &Path, parts: Map<String, Value>) -> Result<(), RenderError> {
        let m = &cx.manifest;
        let mut model = Map::new();
        model.insert("lang".into(), json!(cx.lang_tag()));
        model.insert("t".into(), self.t()?.clone());
        model.insert("css".into(), json!(CSS));
        model.insert("generated_at".into(), json!(m.generated_at));
        model.insert("profile".into(), json!(m.profile));
        model.insert("version".into(), json!(m.tool.version));
        model.extend(parts);
        let html = self
            .handlebars
            .render("report", &Value::Object(model))
            .map_err(|e| RenderError::Template(e.to_string()))?;
        let mut file = AtomicFile::create(path)?;
        file.write_all(html.as_bytes())?;
        file.commit()
    }
}

impl Sink for HtmlSink {
    fn begin(&mut self, cx: &ReportContext) -> Result<(), RenderError> {
        self.strings = Some(strings(cx.lang)?);
        self.handlebars.set_strict_mode(false);
        self.handlebars
            .register_template_string("report", TEMPLATE)
            .map_err(|e| RenderError::Template(e.to_string()))?;
        if cx.is_batch() {
            let dir = self.out.join("sites");
            std::fs::create_dir_all(&dir).map_err(super::write_error(&dir))?;
        }
        Ok(())
    }

    fn site(&mut self, _cx: &ReportContext, _index: usize, _site: &SiteRecord) -> Result<(), RenderError> {
        self.current = Some(SiteAggregate::default());
        Ok(())
    }

    fn page(&mut self, cx: &ReportContext, _site: &SiteRecord, page: &PageResult) -> Result<(), RenderError> {
        if let Some(aggregate) = self.current.as_mut() {
            aggregate.add(cx, page);
        }
        Ok(())
    }

    fn end_site(&mut self, cx: &ReportContext, index: usize, site: &SiteRecord) -> Result<(), RenderError> {
        let aggregate = self.current.take().unwrap_or_default();
        let view = site_view(cx, site, aggregate, self.t()?);
        let mut parts = Map::new();
        parts.insert("title_sites".into(), json!(site.name));
        parts.insert("sites".into(), json!([view]));
        if cx.is_batch() {
            let file = site_file_name(index, &site.url);
            parts.insert("back_link".into(), json!("../report.html"));
            self.write(cx, &self.out.join("sites").join(&file), parts)?;
            self.ranking.push(RankingRow {
                name: site.name.clone(),
                group: site.group.clone(),
                score: site.score.score,
                grade: format!("{:?}", site.score.grade),
                passed: site.score.passed,
                vetoes: site.score.vetoes.len(),
                pages: site.score.summary.pages_checked,
                errors: site.score.summary.pages_failed_to_load,
                file: format!("sites/{file}"),
            });
        } else {
            parts.insert("appendix".into(), json!(true));
            self.write(cx, &self.out.join("report.html"), parts)?;
        }
        Ok(())
    }

    fn end(&mut self, cx: &ReportContext) -> Result<(), RenderError> {
        if !cx.is_batch() {
            return Ok(());
        }
        let t = self.t()?.clone();
        let mut ranking: Vec<&RankingRow> = self.ranking.iter().collect();
        ranking.sort_by(|a, b| b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)));
        let rows: Vec<Value> = ranking
            .iter()
            .enumerate()
            .map(|(rank, s)| {
                json!({ "rank": rank + 1, "link": s.file, "name": s.name, "group": s.group, "score": score_text(s.score),
                        "grade": s.grade, "result": text(&t, if s.passed { "passed" } else { "failed" }),
                        "result_class": if s.passed { "pass" } else { "fail" }, "vetoes": s.vetoes, "pages": s.pages, "errors": s.errors })
            })
            .collect();
        let passed = self.ranking.iter().filter(|s| s.passed).count();
        let title_sites = self.ranking.iter().map(|s| s.name.as_str()).take(3).collect::<Vec<_>>().join(", ");
        let mut parts = Map::new();
        parts.insert("title_sites".into(), json!(title_sites));
        parts.insert("batch".into(), json!(true));
        parts.insert("ranking".into(), json!(rows));
        parts.insert(
            "batch_summary".into(),
            json!(text(&t, "batch_summary")
                .replace("{sites}", &self.ranking.len().to_string())
                .replace("{passed}", &passed.to_string())),
        );
        parts.insert("sites".into(), json!([]));
        parts.insert("appendix".into(), json!(true));
        self.write(cx, &self.out.join("report.html"), parts)
    }
}

#[cfg(test)]
mod tests {
    use super::site_file_name;

    #[test]
    fn site_files_are_named_by_position_and_host() {
        assert_eq!(site_file_name(0, "https://www.Example.gov.cn/a"), "0001-www.example.gov.cn.html");
        assert_eq!(site_file_name(41, "file:///srv/%E5%B8%82%E6%94%BF%E5%BA%9C/portal/"), "0042-portal.html");
        assert_eq!(site_file_name(2, "not a url"), "0003-site.html");
    }
}
