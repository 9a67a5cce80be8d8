//! Runs the checks on one page. Everything here is synchronous and CPU-bound: a page is parsed,
//! styled and checked inside one call, and only the serialisable result leaves it.

use crate::report::{CheckReport, PageError, PageReport};
use eldercheck_checks::check::{CheckContext, Lang, Scope};
use eldercheck_checks::page::{Page, PageOptions, StylesheetLoader};
use eldercheck_checks::{elder, Profile};
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
    /// The link the crawler followed to reach this page.
    pub referrer: Option<Referrer>,
    /// The site's home page: site-level checks are judged on it.
    pub is_home: bool,
}

/// How a page was reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Referrer {
    pub url: String,
    pub text: String,
}

/// A checked page and the links found on it (for the crawler).
pub struct CheckedPage {
    pub report: PageReport,
    pub links: Vec<eldercheck_checks::page::Link>,
}

/// Checks one page. Never panics on page content; a page that cannot be used becomes an error entry.
pub fn check_page(input: PageInput, loader: &dyn StylesheetLoader, settings: &EngineSettings) -> PageReport {
    check_page_and_links(input, loader, settings).report
}

/// Checks one page and returns the links found on it.
pub fn check_page_and_links(input: PageInput, loader: &dyn StylesheetLoader, settings: &EngineSettings) -> CheckedPage {
    let mut report = PageReport::new(input.url.to_string(), input.requested_url, input.status, input.depth);
    report.referrer = input.referrer.clone();
    let bytes = match input.body {
        Ok(bytes) => bytes,
        Err(error) => {
            report.error = Some(error);
            return CheckedPage { report, links: Vec::new() };
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
        input
            .referrer
            .as_ref()
            .filter(|r| settings.profile.elder_rules && elder::is_entry_text(&r.text))
            .map(|r| elder::ElderReason::EntryLink(r.text.clone()))
    });
    report.elder_page = elder_reason.is_some();
    report.elder_reason = elder_reason;
    report.stylesheet_problems = page.stylesheet_problems.clone();
    let cx = CheckContext { page: &page, profile: &settings.profile, elder_page: report.elder_page };
    for check in settings.profile.checks() {
        let meta = check.meta();
        if !settings.profile.is_enabled(meta.id) {
            continue;
        }
        match meta.scope {
            Scope::Page => report.checks.push(CheckReport::new(meta, check.run(&cx), settings.lang)),
            Scope::Site if input.is_home => {
                report.site_checks.push(CheckReport::new(meta, check.run(&cx), settings.lang))
            }
            Scope::Site => {}
        }
    }
    let links = page.links();
    CheckedPage { report, links }
}
