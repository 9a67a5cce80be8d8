//! Orchestration of a run over local files and folders: discover, check pages in parallel on
//! every core, score, and assemble the report.

use crate::engine::{check_page, EngineSettings, PageInput};
use crate::local::{discover, FolderLoader, LocalError, LocalSite};
use crate::progress::{Progress, ProgressReporter};
use crate::report::{Changes, PageError, PageReport, Report, SiteReport, Tool};
use crate::score::score_site;
use rayon::prelude::*;
use std::path::PathBuf;
use url::Url;

/// What `eldercheck check` was asked to do, after parsing the command line.
#[derive(Debug, Clone)]
pub struct LocalRun {
    pub targets: Vec<PathBuf>,
    /// Websites to crawl (URL targets and `--sites`).
    pub sites: Vec<crate::crawl::SiteTarget>,
    pub crawl: crate::crawl::CrawlOptions,
    /// Pages per site; `None` checks every page of a local folder.
    pub max_pages: Option<usize>,
    pub include: Vec<regex::Regex>,
    pub exclude: Vec<regex::Regex>,
    pub settings: EngineSettings,
    pub progress: Progress,
    pub baseline: Option<crate::baseline::Baseline>,
}

/// A target that could not be used; the run goes on with the others.
#[derive(Debug)]
pub struct TargetProblem {
    pub target: String,
    pub error: LocalError,
}

/// Checks local targets and crawls websites. Local targets that cannot be read are returned
/// beside the report; websites that cannot be reached are sites with error entries.
pub fn run_local(run: &LocalRun) -> (Report, Vec<TargetProblem>) {
    let mut problems = Vec::new();
    let mut sites: Vec<LocalSite> = Vec::new();
    for target in &run.targets {
        match discover(target, run.max_pages, &run.include, &run.exclude) {
            Ok(site) => sites.push(site),
            Err(error) => problems.push(TargetProblem { target: target.display().to_string(), error }),
        }
    }
    let jobs: Vec<(usize, &PathBuf)> =
        sites.iter().enumerate().flat_map(|(i, s)| s.pages.iter().map(move |p| (i, p))).collect();
    let loaders: Vec<FolderLoader> = sites.iter().map(|s| FolderLoader::new(s.root_url.clone())).collect();
    let reporter = std::sync::Arc::new(ProgressReporter::new(run.progress));
    reporter.add_queued(jobs.len());
    let results: Vec<(usize, PageReport)> = jobs
        .par_iter()
        .map(|&(site, path)| {
            let report = check_local_page(path, &sites[site], &loaders[site], &run.settings);
            reporter.page_done(Some(&report));
            (site, report)
        })
        .collect();

    let mut site_reports: Vec<SiteReport> = sites
        .iter()
        .map(|s| {
            let name =
                s.root.file_name().map_or_else(|| s.root.display().to_string(), |n| n.to_string_lossy().into_owned());
            SiteReport::new(s.root_url.to_string(), name, None)
        })
        .collect();
    for (site, report) in results {
        site_reports[site].pages.push(report);
    }
    let mut skipped: Vec<usize> = sites.iter().map(|s| s.skipped_by_limit).collect();
    if !run.sites.is_empty() {
        match crawl(run, reporter.clone()) {
            Ok(crawled) => {
                for site in crawled {
                    skipped.push(site.skipped_by_limit);
                    site_reports.push(site.report);
                }
            }
            Err(message) => {
                problems.push(TargetProblem { target: "crawler".into(), error: LocalError::Crawl(message) })
            }
        }
    }
    reporter.finish();
    let mut report = Report {
        tool: Tool { name: crate::TOOL_NAME, version: crate::VERSION },
        profile: run.settings.profile.name.clone(),
        generated_at: now_rfc3339(),
        lang: run.settings.lang,
        sites: site_reports,
    };
    // Accepted findings are marked before scoring, so they count as passed.
    if let Some(baseline) = &run.baseline {
        let (_, expired) = baseline.apply(&mut report, &today());
        if expired > 0 && run.progress != Progress::Quiet {
            eprintln!("eldercheck: {expired} baseline entries have expired and count again");
        }
    }
    for (site, skipped) in report.sites.iter_mut().zip(skipped) {
        score_site(site, &run.settings.profile, skipped);
    }
    (report, problems)
}

fn crawl(run: &LocalRun, reporter: std::sync::Arc<ProgressReporter>) -> Result<Vec<crate::crawl::CrawledSite>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let settings = std::sync::Arc::new(run.settings.clone());
    runtime
        .block_on(crate::crawl::crawl_sites(run.sites.clone(), run.crawl.clone(), settings, reporter))
        .map_err(|e| e.to_string())
}

fn check_local_page(path: &PathBuf, site: &LocalSite, loader: &FolderLoader, settings: &EngineSettings) -> PageReport {
    let url = Url::from_file_path(path).unwrap_or_else(|()| site.root_url.clone());
    let relative = path.strip_prefix(&site.root).unwrap_or(path);
    let depth = relative.components().count().saturating_sub(1) as u32;
    let is_home = site.home.as_deref() == Some(path.as_path());
    let body =
        std::fs::read(path).map_err(|e| PageError { kind: "read".into(), message: format!("{}: {e}", path.display()) });
    let input = PageInput {
        url: url.clone(),
        requested_url: url.to_string(),
        status: None,
        depth,
        header_charset: None,
        body,
        referrer: None,
        is_home,
    };
    // A bug in a dependency must cost one page, not a nightly run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_page(input, loader, settings))).unwrap_or_else(
        |panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            PageReport::error_entry(
                url.to_string(),
                url.to_string(),
                depth,
                None,
                PageError { kind: "internal".into(), message: format!("the checker failed on this page: {message}") },
            )
        },
    )
}

/// Today's date as `YYYY-MM-DD` (UTC), for baseline expiry.
pub fn today() -> String {
    let date = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Opens the history store and adds each site's trend and changes since its previous run.
/// The caller then stores the run with [`crate::store::Store::save`].
pub fn attach_history(
    report: &mut Report,
    db: &std::path::Path,
) -> Result<crate::store::Store, crate::store::StoreError> {
    let store = crate::store::Store::open(db)?;
    for site in &mut report.sites {
        site.trend = store.trend(&site.url)?;
        if let Some(previous) = store.previous_keys(&site.url)? {
            let current = crate::store::site_finding_keys(site);
            let previous: std::collections::BTreeSet<String> = previous.into_iter().collect();
            let now: std::collections::BTreeSet<String> = current.into_iter().collect();
            site.changes = Some(Changes {
                new: now.difference(&previous).cloned().collect(),
                fixed: previous.difference(&now).cloned().collect(),
            });
        }
    }
    Ok(store)
}
