//! report.html: self-contained files (inline CSS, SVG and one small script of our own, no outside
//! requests) written with handlebars. One site: report.html is the site's report. A batch: report.html
//! is the index (ranking, groups) and each site has its own page under `sites/`, so no file grows with
//! the batch. A site's page leads with a one-sentence verdict and what to fix first, lists every issue
//! (root cause) with where it is and how to fix it, then what needs a person, then the details.
//!
//! Everything that came from a page goes through `{{ }}`, which HTML-escapes it; the only raw
//! insertions are the stylesheet, the script and charts built here from numbers. A Content Security
//! Policy allows no script but ours (by its hash), and the report works with scripts off.
//!
//! Rooms: `site` (a site's page), `issue` (issue cards and lines), `pictures` (screenshots, crops,
//! markers), `batch` (the index), `words` (the language's words). Writers only format: the counts,
//! verdicts and ranking are the results folder's.

mod batch;
mod issue;
mod pictures;
mod site;
mod words;

use super::{AtomicFile, ReportContext, Sink, WriteError};
use crate::results::PageResult;
use crate::rundir::SiteRecord;
use base64::Engine as _;
use batch::{site_file_name, RankingRow};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use site::{site_view, PageTable};
use std::path::{Path, PathBuf};
use words::{local_time, profile_text, strings, text};

const TEMPLATE: &str = include_str!("../../../reports/templates/report.hbs");
const ISSUE_TEMPLATE: &str = include_str!("../../../reports/templates/issue.hbs");
const CSS: &str = include_str!("../../../reports/report.css");
const SCRIPT: &str = include_str!("../../../reports/report.js");

/// Pages in a site's drill-down; the rest are in report.json and findings.csv.
const MAX_PAGES_IN_DRILLDOWN: usize = 300;
/// Page addresses listed under an issue in the HTML (report.json lists up to 1,000).
const MAX_PAGES_PER_ISSUE: usize = 50;
/// Issues in "fix these first".
const PRIORITIES: usize = 5;
/// New/fixed issues listed.
const MAX_CHANGES_SHOWN: usize = 50;

/// The hash that lets our script, and only it, run under the report's Content Security Policy.
fn script_hash() -> String {
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes())))
}

pub struct HtmlSink {
    out: PathBuf,
    /// The results folder's screenshots, referred to from the report files.
    screens: Option<PathBuf>,
    /// How the report files of this run refer to the screenshots folder.
    screens_base: Option<String>,
    strings: Option<Value>,
    handlebars: handlebars::Handlebars<'static>,
    current: Option<PageTable>,
    ranking: Vec<RankingRow>,
}

impl HtmlSink {
    pub fn new(out: &Path, screens: Option<PathBuf>) -> HtmlSink {
        HtmlSink {
            out: out.to_path_buf(),
            screens,
            screens_base: None,
            strings: None,
            handlebars: handlebars::Handlebars::new(),
            current: None,
            ranking: Vec::new(),
        }
    }

    fn t(&self) -> Result<&Value, WriteError> {
        self.strings.as_ref().ok_or_else(|| WriteError::Template("strings not loaded".into()))
    }

    /// Renders one file from the parts its page needs.
    fn write(&self, cx: &ReportContext, path: &Path, parts: Map<String, Value>) -> Result<(), WriteError> {
        let m = &cx.manifest;
        let t = self.t()?;
        let mut model = Map::new();
        model.insert("lang".into(), json!(cx.lang_tag()));
        model.insert("t".into(), t.clone());
        model.insert("css".into(), json!(CSS));
        model.insert("script".into(), json!(SCRIPT));
        model.insert("script_hash".into(), json!(script_hash()));
        model.insert("generated".into(), json!(local_time(&m.generated_at, t)));
        model.insert("profile".into(), json!(profile_text(&m.profile, t)));
        model.insert("version".into(), json!(m.tool.version));
        model.insert("how_made".into(), json!(how_made(m, t)));
        model.extend(parts);
        let html =
            self.handlebars.render("report", &Value::Object(model)).map_err(|e| WriteError::Template(e.to_string()))?;
        let mut file = AtomicFile::create(path)?;
        file.write_all(html.as_bytes())?;
        file.commit()
    }
}

impl Sink for HtmlSink {
    fn begin(&mut self, cx: &ReportContext) -> Result<(), WriteError> {
        self.strings = Some(strings(cx.lang)?);
        self.handlebars.set_strict_mode(false);
        self.handlebars
            .register_template_string("report", TEMPLATE)
            .map_err(|e| WriteError::Template(e.to_string()))?;
        self.handlebars.register_partial("issue", ISSUE_TEMPLATE).map_err(|e| WriteError::Template(e.to_string()))?;
        if cx.is_batch() {
            let dir = self.out.join("sites");
            std::fs::create_dir_all(&dir).map_err(super::write_error(&dir))?;
        }
        // Site pages of a batch sit one folder down, in sites/.
        let from = if cx.is_batch() { self.out.join("sites") } else { self.out.clone() };
        self.screens_base =
            self.screens.as_deref().filter(|p| p.is_dir()).and_then(|screens| pictures::screens_href(&from, screens));
        Ok(())
    }

    fn site(&mut self, cx: &ReportContext, _index: usize, _site: &SiteRecord) -> Result<(), WriteError> {
        self.current = Some(PageTable::new(self.screens_base.clone(), cx.lang));
        Ok(())
    }

    fn page(&mut self, _cx: &ReportContext, _site: &SiteRecord, page: &PageResult) -> Result<(), WriteError> {
        let Some(t) = self.strings.as_ref() else { return Ok(()) };
        if let Some(table) = self.current.as_mut() {
            table.add(page, t);
        }
        Ok(())
    }

    fn end_site(&mut self, cx: &ReportContext, index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        let table = self.current.take().unwrap_or_default();
        let t = self.t()?;
        let view = site_view(cx, site, table, t);
        let mut parts = Map::new();
        parts.insert("page_title".into(), json!(format!("{} – {}", text(t, "title"), site.name)));
        parts.insert("heading".into(), json!(text(t, "title")));
        parts.insert("site".into(), view);
        parts.insert("checklist".into(), json!(true));
        parts.insert("checklist_site".into(), json!(site.url));
        if cx.is_batch() {
            let file = site_file_name(index, &site.url);
            parts.insert("back_link".into(), json!("../report.html"));
            self.write(cx, &self.out.join("sites").join(&file), parts)?;
            self.ranking.push(RankingRow::of(index, site, format!("sites/{file}")));
        } else {
            self.write(cx, &self.out.join("report.html"), parts)?;
        }
        Ok(())
    }

    fn end(&mut self, cx: &ReportContext) -> Result<(), WriteError> {
        if !cx.is_batch() {
            return Ok(());
        }
        let parts = batch::index_parts(cx, &self.ranking, self.t()?);
        self.write(cx, &self.out.join("report.html"), parts)
    }
}

/// How the run looked at pages, in a sentence: the viewport, whether a browser rendered them and,
/// without one, which checks were left out, so that two reports of one site can be told apart.
fn how_made(m: &crate::rundir::Manifest, t: &Value) -> Option<String> {
    let method = m.method.as_ref()?;
    let mode = text(t, &format!("render_mode_{}", method.render));
    let needing = m.catalogue.iter().filter(|c| c.enabled && c.needs_browser).count();
    let key = if method.browser { "how_made_browser" } else { "how_made_no_browser" };
    // A named viewport in the reader's words; a size as written (`1024×768`).
    let viewport = match t[format!("viewport_{}", method.viewport)].as_str() {
        Some(named) => named.to_string(),
        None => method.viewport.replace('x', "×"),
    };
    let values = [("viewport", viewport), ("mode", mode), ("n", needing.to_string())];
    Some(words::fill(t, key, &values))
}

#[cfg(test)]
mod tests {
    use super::words::{docs_section, local_time, segments, strings};
    use super::*;
    use eldercheck_checks::check::Lang;

    #[test]
    fn the_script_hash() {
        assert!(script_hash().starts_with("sha256-") && script_hash().len() == 7 + 44);
    }

    #[test]
    fn beijing_time_without_fractions() {
        let zh = strings(Lang::ZhCn).expect("strings");
        assert_eq!(local_time("2026-11-29T07:47:48.714721167Z", &zh), "2026年11月29日 15:47（北京时间）");
        let en = strings(Lang::En).expect("strings");
        assert_eq!(local_time("2026-11-29T20:05:00Z", &en), "30 Nov 2026, 04:05 (Beijing time)");
    }

    #[test]
    fn docs_sections_and_code_segments() {
        let docs = "## 检查什么\nA\n\n## 如何修复\n把 `color: #999` 改深。\n\n## 示例\nx";
        assert_eq!(docs_section(docs, &["## 如何修复"]), "把 `color: #999` 改深。");
        let parts = segments("把 `color: #999` 改深。");
        assert_eq!(parts[1], json!({ "text": "color: #999", "code": true }));
    }
}
