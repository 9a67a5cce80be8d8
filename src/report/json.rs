//! report.json, written as the pages stream by: the run, then each site (its record, then its pages,
//! one compact line each). The field names are the product specification's; `schema_version` and the
//! JSON Schema in docs/report.schema.json describe the rest.

use super::{AtomicFile, ReportContext, Sink, WriteError};
use crate::issues::Issue;
use crate::results::{Accepted, CheckOutcome, PageError, PageRendering, PageResult};
use crate::rundir::{Changes, SiteRecord, TrendPoint};
use crate::score::{Grade, SiteStatus, Summary, Veto};
use crate::sources::Referrer;
use eldercheck_checks::check::{Family, FindingOutcome, Impact, Outcome};
use eldercheck_checks::elder::ElderReason;
use eldercheck_checks::page::rendered::Bounds;
use eldercheck_checks::page::style::DeclarationOrigin;
use eldercheck_checks::page::StylesheetProblem;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub struct JsonSink {
    out: JsonOut,
    first_site: bool,
    first_page: bool,
}

enum JsonOut {
    File(AtomicFile),
    /// `--out -`.
    Stream(Box<dyn Write>),
}

/// The version of report.json's format (docs/REPORT-FORMAT.md): 3 added `sites[].status` and made
/// `grade` null for sites that were not fully checked. Results folders keep their own version.
pub const REPORT_SCHEMA_VERSION: u32 = 3;

#[derive(Serialize)]
struct Header<'a> {
    schema_version: u32,
    tool: &'a crate::rundir::Tool,
    profile: &'a str,
    generated_at: &'a str,
    lang: &'a str,
    pass_mark: f64,
    /// How pages were looked at: viewport, render mode, whether a browser was there.
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'a crate::rundir::Method>,
    catalogue: Vec<CatalogueEntry<'a>>,
    /// A batch's totals and groups (more than one site).
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<Batch<'a>>,
}

#[derive(Serialize)]
struct Batch<'a> {
    sites: usize,
    passed: usize,
    failed: usize,
    not_checked: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    groups: &'a [crate::ranking::GroupSummary],
}

#[derive(Serialize)]
struct CatalogueEntry<'a> {
    id: &'a str,
    family: Family,
    impact: Impact,
    title: &'a str,
    failure_title: &'a str,
    custom: bool,
    enabled: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    needs_browser: bool,
}

#[derive(Serialize)]
struct SiteHeader<'a> {
    url: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    /// The site's place in the batch's ranking (passed sites first, then by score); none when
    /// it was not fully checked.
    rank: Option<usize>,
    score: Option<f64>,
    status: SiteStatus,
    grade: Option<Grade>,
    passed: bool,
    vetoes: &'a [Veto],
    #[serde(skip_serializing_if = "Option::is_none")]
    score_with_accepted: Option<f64>,
    passed_with_accepted: bool,
    site_checks: Vec<JsonCheck<'a>>,
    family_scores: &'a BTreeMap<String, Option<f64>>,
    summary: &'a Summary,
    issues: Vec<JsonIssue<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    issues_not_listed: &'a BTreeMap<String, (usize, usize)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'a crate::verdict::SiteVerdict>,
}

#[derive(Serialize)]
struct JsonIssue<'a> {
    id: &'a str,
    check: &'a str,
    title: String,
    outcome: FindingOutcome,
    pages: &'a [String],
    pages_total: usize,
    occurrences: usize,
    targets: usize,
    origin: Option<&'a DeclarationOrigin>,
    gain: f64,
    veto: bool,
    site_level: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<&'a Accepted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    example: JsonExample<'a>,
}

#[derive(Serialize)]
struct JsonExample<'a> {
    page: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_title: Option<&'a str>,
    selector: &'a str,
    snippet: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    heading: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<&'a str>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    data: &'a Map<String, Value>,
    /// Where the example is on its page's screenshot (rendered pages), as docs/REPORT-FORMAT.md says.
    #[serde(skip_serializing_if = "Option::is_none")]
    bounds: Option<&'a eldercheck_checks::page::rendered::Bounds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    screenshot: Option<&'a crate::sources::Screenshot>,
}

fn issue_view<'a>(cx: &ReportContext, issue: &'a Issue) -> JsonIssue<'a> {
    let e = &issue.example;
    JsonIssue {
        id: &issue.id,
        check: &issue.check,
        title: cx.title(&issue.check, issue.outcome == FindingOutcome::Failed),
        outcome: issue.outcome,
        pages: &issue.pages,
        pages_total: issue.pages_total,
        occurrences: issue.occurrences,
        targets: issue.targets,
        origin: issue.origin.as_ref(),
        gain: issue.gain,
        veto: issue.veto,
        site_level: issue.site_level,
        accepted: issue.accepted.as_ref(),
        reason: issue.reason.as_deref(),
        example: JsonExample {
            page: &e.page,
            page_title: e.page_title.as_deref(),
            selector: &e.selector,
            snippet: &e.snippet,
            message: e.message.get(cx.lang),
            heading: e.heading.as_deref(),
            excerpt: e.excerpt.as_deref(),
            data: &e.data,
            bounds: e.bounds.as_ref(),
            screenshot: e.screenshot.as_ref(),
        },
    }
}

/// What the history store adds to a site while its pages stream by: written after the pages.
#[derive(Serialize)]
struct SiteHistory<'a> {
    trend: &'a [TrendPoint],
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a Changes>,
}

#[derive(Serialize)]
struct JsonPage<'a> {
    url: &'a str,
    requested_url: &'a str,
    status: Option<u16>,
    title: Option<&'a str>,
    depth: u32,
    elder_page: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    elder_reason: Option<&'a ElderReason>,
    score: Option<f64>,
    error: Option<&'a PageError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charset: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    stylesheet_problems: &'a [StylesheetProblem],
    #[serde(skip_serializing_if = "Option::is_none")]
    referrer: Option<&'a Referrer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered: Option<&'a PageRendering>,
    /// The page was to be judged in the browser but is judged as served, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    render_fallback: Option<&'a crate::sources::RenderFallback>,
    checks: Vec<JsonCheck<'a>>,
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    family: Option<Family>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<Impact>,
    outcome: Outcome,
    score: Option<f64>,
    passed_targets: u32,
    failed_targets: u32,
    cant_tell_targets: u32,
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    data: &'a Map<String, Value>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    outcome: FindingOutcome,
    selector: &'a str,
    snippet: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    data: &'a Map<String, Value>,
    issue: &'a str,
    #[serde(skip_serializing_if = "is_one")]
    targets: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    heading: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<&'a Accepted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bounds: Option<&'a Bounds>,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn check_view<'a>(cx: &ReportContext, check: &'a CheckOutcome) -> JsonCheck<'a> {
    let info = cx.check(&check.id);
    JsonCheck {
        id: &check.id,
        family: info.map(|c| c.family),
        impact: info.map(|c| c.impact),
        outcome: check.outcome,
        score: check.score(),
        passed_targets: check.passed_targets,
        failed_targets: check.failed_targets,
        cant_tell_targets: check.cant_tell_targets,
        findings: check
            .findings
            .iter()
            .map(|f| JsonFinding {
                outcome: f.outcome,
                selector: &f.selector,
                snippet: &f.snippet,
                message: f.message.get(cx.lang),
                reason: f.reason.as_deref(),
                data: &f.data,
                issue: &f.issue,
                targets: f.targets,
                heading: f.heading.as_deref(),
                excerpt: f.excerpt.as_deref(),
                accepted: f.accepted.as_ref(),
                bounds: f.bounds.as_ref(),
            })
            .collect(),
        data: &check.data,
    }
}

impl JsonSink {
    /// report.json on a stream (standard output).
    pub fn to_stream(out: Box<dyn Write>) -> JsonSink {
        JsonSink { out: JsonOut::Stream(out), first_site: true, first_page: true }
    }

    pub fn to_file(path: &Path) -> Result<JsonSink, WriteError> {
        Ok(JsonSink { out: JsonOut::File(AtomicFile::create(path)?), first_site: true, first_page: true })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        match &mut self.out {
            JsonOut::File(file) => file.write_all(bytes),
            JsonOut::Stream(out) => {
                out.write_all(bytes).map_err(|source| WriteError::Write { path: "-".into(), source })
            }
        }
    }

    fn value<T: Serialize>(&mut self, value: &T) -> Result<(), WriteError> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| WriteError::Write { path: "report.json".into(), source: e.into() })?;
        self.write(&bytes)
    }
}

impl Sink for JsonSink {
    fn begin(&mut self, cx: &ReportContext) -> Result<(), WriteError> {
        let m = &cx.manifest;
        let header = Header {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: &m.tool,
            profile: &m.profile,
            generated_at: &m.generated_at,
            lang: cx.lang_tag(),
            pass_mark: m.policy.pass_mark,
            method: m.method.as_ref(),
            catalogue: m
                .catalogue
                .iter()
                .map(|c| CatalogueEntry {
                    id: &c.id,
                    family: c.family,
                    impact: c.impact,
                    title: c.title.get(cx.lang),
                    failure_title: c.failure_title.get(cx.lang),
                    custom: c.custom,
                    enabled: c.enabled,
                    needs_browser: c.needs_browser,
                })
                .collect(),
            batch: cx.is_batch().then_some(Batch {
                sites: cx.summary.sites,
                passed: cx.summary.passed,
                failed: cx.summary.failed,
                not_checked: cx.summary.not_checked,
                groups: &cx.summary.groups,
            }),
        };
        let mut text = serde_json::to_string(&header)
            .map_err(|e| WriteError::Write { path: "report.json".into(), source: e.into() })?;
        // The header's closing brace gives way to the streamed sites.
        text.pop();
        self.write(text.as_bytes())?;
        self.write(b",\n\"sites\":[")
    }

    fn site(&mut self, cx: &ReportContext, index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        let header = SiteHeader {
            url: &site.url,
            name: &site.name,
            group: site.group.as_deref(),
            rank: cx.summary.rank_of(index),
            score: site.score.score,
            status: site.score.status,
            grade: site.score.grade,
            passed: site.score.passed,
            score_with_accepted: site.score.score_with_accepted,
            passed_with_accepted: site.score.passed_with_accepted,
            vetoes: &site.score.vetoes,
            site_checks: site.site_checks.iter().map(|c| check_view(cx, c)).collect(),
            family_scores: &site.score.family_scores,
            summary: &site.score.summary,
            issues: site.issues.iter().map(|i| issue_view(cx, i)).collect(),
            issues_not_listed: &site.issues_not_listed,
            verdict: site.verdict.as_ref(),
        };
        let mut text = serde_json::to_string(&header)
            .map_err(|e| WriteError::Write { path: "report.json".into(), source: e.into() })?;
        text.pop();
        if !self.first_site {
            self.write(b",")?;
        }
        self.first_site = false;
        self.first_page = true;
        self.write(b"\n")?;
        self.write(text.as_bytes())?;
        self.write(b",\"pages\":[")
    }

    fn page(&mut self, cx: &ReportContext, _site: &SiteRecord, page: &PageResult) -> Result<(), WriteError> {
        let view = JsonPage {
            url: &page.url,
            requested_url: &page.requested_url,
            status: page.status,
            title: page.title.as_deref(),
            depth: page.depth,
            elder_page: page.elder_page,
            elder_reason: page.elder_reason.as_ref(),
            score: page.score,
            error: page.error.as_ref(),
            charset: page.charset.as_deref(),
            stylesheet_problems: &page.stylesheet_problems,
            referrer: page.referrer.as_ref(),
            rendered: page.rendered.as_ref(),
            render_fallback: page.render_fallback.as_ref(),
            checks: page.checks.iter().map(|c| check_view(cx, c)).collect(),
        };
        self.write(if self.first_page { b"\n" } else { b",\n" })?;
        self.first_page = false;
        self.value(&view)
    }

    fn end_site(&mut self, _cx: &ReportContext, _index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        let history = SiteHistory { trend: &site.trend, changes: site.changes.as_ref() };
        let text = serde_json::to_string(&history)
            .map_err(|e| WriteError::Write { path: "report.json".into(), source: e.into() })?;
        self.write(b"\n],")?;
        // The history object's opening brace gives way to the site's.
        self.write(&text.as_bytes()[1..])
    }

    fn end(&mut self, _cx: &ReportContext) -> Result<(), WriteError> {
        self.write(b"\n]}\n")?;
        match &mut self.out {
            JsonOut::File(file) => file.commit(),
            JsonOut::Stream(out) => out.flush().map_err(|source| WriteError::Write { path: "-".into(), source }),
        }
    }
}
