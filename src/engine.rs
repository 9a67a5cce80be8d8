//! Runs the checks on one page. Everything here is synchronous and CPU-bound: a page is parsed,
//! styled and checked inside one call, and only the serialisable result leaves it.

use crate::report::{CheckReport, PageError, PageReport};
use eldercheck_checks::check::{CheckContext, Lang, Scope};
use eldercheck_checks::page::{Page, PageOptions, StylesheetLoader};
use eldercheck_checks::{elder, rules, Profile};
use url::Url;

/// Settings shared by every page of a run.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub profile: Profile,
    pub page_options: PageOptions,
    pub elder_patterns: Vec<String>,
    pub lang: Lang,
}

/// A fetched or read document, or why there is none.
pub struct PageInput {
    pub url: Url,
    pub requested_url: String,
    pub status: Option<u16>,
    pub depth: u32,
    pub header_charset: Option<String>,
    pub body: Result<Vec<u8>, PageError>,
    /// Reached through the site's elder-mode entry link.
    pub via_elder_entry: bool,
}

/// Checks one page. Never panics on page content; a page that cannot be used becomes an error entry.
pub fn check_page(input: PageInput, loader: &dyn StylesheetLoader, settings: &EngineSettings) -> PageReport {
    let mut report = PageReport {
        url: input.url.to_string(),
        requested_url: input.requested_url,
        status: input.status,
        title: None,
        depth: input.depth,
        elder_page: false,
        elder_reason: None,
        score: None,
        error: None,
        charset: None,
        stylesheet_problems: Vec::new(),
        checks: Vec::new(),
    };
    let bytes = match input.body {
        Ok(bytes) => bytes,
        Err(error) => {
            report.error = Some(error);
            return report;
        }
    };
    let page = Page::from_bytes(input.url, &bytes, input.header_charset.as_deref(), loader, settings.page_options);
    drop(bytes);
    report.charset = Some(page.encoding.to_string());
    report.title = page
        .elements()
        .find(|e| e.value().name() == "title")
        .map(eldercheck_checks::page::collapsed_text)
        .filter(|t| !t.is_empty());
    let elder_reason = elder::detect(&page, &settings.profile, &settings.elder_patterns).or_else(|| {
        (input.via_elder_entry && settings.profile.elder_rules)
            .then(|| elder::ElderReason::UrlPattern("elder-mode entry link".into()))
    });
    report.elder_page = elder_reason.is_some();
    report.elder_reason = elder_reason;
    report.stylesheet_problems = page.stylesheet_problems.clone();
    let cx = CheckContext { page: &page, profile: &settings.profile, elder_page: report.elder_page };
    for check in rules::registry() {
        let meta = check.meta();
        if meta.scope != Scope::Page || !settings.profile.is_enabled(meta.id) {
            continue;
        }
        let result = check.run(&cx);
        report.checks.push(CheckReport::new(meta, result, settings.lang));
    }
    report
}
