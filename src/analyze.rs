//! The analysis stage: one bounded pool of CPU threads turns each sourced page into a
//! language-neutral [`PageResult`]: decode → parse (links go back to the source now) → cascade →
//! the catalogue's checks. `scraper::Html` is not `Send`, so a page lives and dies on one thread.

use crate::results::{CheckOutcome, PageError, PageRendering, PageResult};
use crate::sources::{SiteSourced, SourceEvent, SourcedPage};
use eldercheck_checks::budget::{Budget, TooComplex};
use eldercheck_checks::check::{CheckContext, Scope};
use eldercheck_checks::elder::{self, ElderRules};
use eldercheck_checks::page::{Page, PageOptions};
use eldercheck_checks::{Catalogue, Thresholds};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use url::Url;

/// Stack of an analysis thread. Deep documents are walked iteratively; this is a margin for the
/// parser and selector matching, which recurse inside dependencies.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// What every page of a run is judged with.
pub struct Analysis {
    pub catalogue: Catalogue,
    pub thresholds: Thresholds,
    pub elder: ElderRules,
    pub page_options: PageOptions,
    /// CPU time one page may take, from decoding to the last check.
    pub page_budget: std::time::Duration,
}

/// A page's result, with the site-level outcomes when the page is its site's home page.
pub struct Analyzed {
    pub site: usize,
    pub page: PageResult,
    /// Site-level checks judged on the home page; they belong to the site, not to the page.
    pub site_checks: Option<Vec<CheckOutcome>>,
}

/// What flows from the analysis stage to assembly.
pub enum AnalysisEvent {
    Page(Box<Analyzed>),
    SiteSourced(SiteSourced),
}

/// Analyses one page. Never panics on page content: a page that cannot be used is an error entry.
pub fn analyze(sourced: SourcedPage, analysis: &Analysis) -> Analyzed {
    let SourcedPage { site, page: parts, loader, links } = sourced;
    let mut result = PageResult::new(parts.url.clone(), parts.requested_url, parts.status, parts.depth);
    result.referrer = parts.referrer;
    let body = match parts.content {
        Ok(body) => body,
        Err(failure) => {
            result.error = Some(PageError { kind: failure.kind, message: failure.message });
            return Analyzed { site, page: result, site_checks: None };
        }
    };
    let Ok(url) = Url::parse(&parts.url) else {
        result.error = Some(PageError { kind: "invalid_url".into(), message: format!("{:?} is not a URL", parts.url) });
        return Analyzed { site, page: result, site_checks: None };
    };
    // A page with no content is not a page that passes most checks (it scored 44.0).
    if body.bytes.iter().all(|b| b.is_ascii_whitespace()) {
        result.error = Some(PageError { kind: "empty".into(), message: "the page has no content".into() });
        return Analyzed { site, page: result, site_checks: None };
    }
    if let Some(kind) = eldercheck_checks::page::binary_kind(&body.bytes) {
        result.error =
            Some(PageError { kind: "not_html".into(), message: format!("the content is {kind}, not a web page") });
        return Analyzed { site, page: result, site_checks: None };
    }
    let mut body = body;
    let rendered = body.rendered.take();
    result.render_fallback = body.render_fallback.take();
    let budget = Budget::new(analysis.page_budget);
    let built = Page::within_budget(
        url,
        &body.bytes,
        body.charset.as_deref(),
        loader.as_ref(),
        analysis.page_options,
        &budget,
        |found| {
            if let Some(sender) = links {
                // The source may have stopped waiting; the page is checked all the same.
                let _ = sender.send(found);
            }
        },
    );
    drop(body);
    let mut page = match built {
        Ok(page) => page,
        Err(too_complex) => {
            result.error = Some(too_complex_error(&too_complex, analysis.page_budget));
            return Analyzed { site, page: result, site_checks: None };
        }
    };
    if let Some(rendered) = rendered {
        let rendered = *rendered;
        page.apply_browser_facts(rendered.facts);
        result.rendered = Some(PageRendering { reason: rendered.reason, screenshot: rendered.screenshot });
    }
    result.charset = Some(page.encoding.to_string());
    result.title = page
        .elements()
        .find(|e| e.value().name() == "title")
        .map(eldercheck_checks::page::collapsed_text)
        .filter(|t| !t.is_empty());
    let elder_reason = elder::detect(&page, &analysis.elder, parts.site_root.as_deref()).or_else(|| {
        result
            .referrer
            .as_ref()
            .filter(|r| analysis.elder.enabled && elder::is_entry_text(&r.text))
            .map(|r| elder::ElderReason::EntryLink(r.text.clone()))
    });
    result.elder_page = elder_reason.is_some();
    result.elder_reason = elder_reason;
    result.stylesheet_problems = page.stylesheet_problems.clone();
    let cx = CheckContext { page: &page, options: &analysis.thresholds, elder_page: result.elder_page, budget };
    let mut site_checks = parts.is_home.then(Vec::new);
    let rendered = page.rendering().is_some();
    for check in analysis.catalogue.enabled() {
        let meta = check.meta();
        let judge = || {
            if check.needs_browser() && !rendered {
                CheckOutcome::needs_browser(&meta.id)
            } else {
                CheckOutcome::from_result(&meta.id, check.run(&cx))
            }
        };
        match (meta.scope, site_checks.as_mut()) {
            (Scope::Page, _) => result.checks.push(judge()),
            (Scope::Site, Some(site)) => site.push(judge()),
            (Scope::Site, None) => {}
        }
        if let Err(too_complex) = budget.check("running the checks") {
            // Half-checked pages would score on a part of the checks: the page is an error instead.
            result.checks.clear();
            result.error = Some(too_complex_error(&too_complex, analysis.page_budget));
            return Analyzed { site, page: result, site_checks: None };
        }
    }
    Analyzed { site, page: result, site_checks }
}

fn too_complex_error(too_complex: &TooComplex, budget: std::time::Duration) -> PageError {
    let message = match too_complex.elements {
        Some(elements) => format!(
            "the page has more than {} elements ({elements} when parsing stopped); no real page comes near it",
            eldercheck_checks::page::parse::MAX_ELEMENTS
        ),
        None => format!(
            "the page is too complex to check within {} s of CPU time (--page-budget-s): {} took {:.1} s",
            budget.as_secs(),
            too_complex.stage,
            too_complex.seconds
        ),
    };
    PageError { kind: "too_complex".into(), message }
}

/// [`analyze`], with a panic in a dependency turned into an error entry for that page alone.
pub fn analyze_guarded(sourced: SourcedPage, analysis: &Analysis) -> Analyzed {
    let p = &sourced.page;
    let (site, url, requested, depth, status) =
        (sourced.site, p.url.clone(), p.requested_url.clone(), p.depth, p.status);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(sourced, analysis))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let mut page = PageResult::new(url, requested, status, depth);
        page.error =
            Some(PageError { kind: "internal".into(), message: format!("the checker failed on this page: {message}") });
        Analyzed { site, page, site_checks: None }
    })
}

/// Starts `threads` analysis threads reading `input` until it closes; results go to `output`,
/// which is bounded, so a slow assembly stage slows the sources down instead of filling memory.
pub fn spawn_workers(
    threads: usize,
    analysis: Arc<Analysis>,
    input: tokio::sync::mpsc::Receiver<SourceEvent>,
    output: SyncSender<AnalysisEvent>,
) -> std::io::Result<Vec<std::thread::JoinHandle<()>>> {
    let input = Arc::new(Mutex::new(input));
    (0..threads.max(1))
        .map(|n| {
            let (input, output, analysis) = (input.clone(), output.clone(), analysis.clone());
            std::thread::Builder::new().name(format!("analyze-{n}")).stack_size(WORKER_STACK_BYTES).spawn(
                move || loop {
                    let event = input.lock().unwrap_or_else(|e| e.into_inner()).blocking_recv();
                    let forwarded = match event {
                        None => break,
                        Some(SourceEvent::Page(page)) => {
                            AnalysisEvent::Page(Box::new(analyze_guarded(*page, &analysis)))
                        }
                        Some(SourceEvent::SiteSourced(done)) => AnalysisEvent::SiteSourced(done),
                    };
                    if output.send(forwarded).is_err() {
                        break;
                    }
                },
            )
        })
        .collect()
}
