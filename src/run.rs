//! Orchestration of a run over local files and folders: discover, check pages in parallel on
//! every core, score, and assemble the report.

use crate::engine::{check_page, EngineSettings, PageInput};
use crate::local::{discover, FolderLoader, LocalError, LocalSite};
use crate::report::{Grade, PageError, PageReport, Report, SiteReport, Summary, Tool};
use crate::score::score_site;
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use url::Url;

/// What `eldercheck check` was asked to do, after parsing the command line.
#[derive(Debug, Clone)]
pub struct LocalRun {
    pub targets: Vec<PathBuf>,
    /// Pages per site; `None` checks every page of a local folder.
    pub max_pages: Option<usize>,
    pub include: Vec<regex::Regex>,
    pub exclude: Vec<regex::Regex>,
    pub settings: EngineSettings,
    pub progress: Progress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Quiet,
    Normal,
    Verbose,
}

/// A target that could not be used; the run goes on with the others.
#[derive(Debug)]
pub struct TargetProblem {
    pub target: String,
    pub error: LocalError,
}

/// Checks local targets. Targets that cannot be read are returned beside the report.
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
    let reporter = ProgressReporter::new(run.progress, jobs.len());
    let results: Vec<(usize, PageReport)> = jobs
        .par_iter()
        .map(|&(site, path)| {
            let report = check_local_page(path, &sites[site], &loaders[site], &run.settings);
            reporter.page_done(&report);
            (site, report)
        })
        .collect();
    reporter.finish();

    let mut site_reports: Vec<SiteReport> = sites
        .iter()
        .map(|s| SiteReport {
            url: s.root_url.to_string(),
            name: s.root.file_name().map_or_else(|| s.root.display().to_string(), |n| n.to_string_lossy().into_owned()),
            score: None,
            grade: Grade::F,
            passed: false,
            vetoes: Vec::new(),
            pages: Vec::new(),
            site_checks: Vec::new(),
            summary: Summary {
                pages_checked: 0,
                pages_failed_to_load: 0,
                pages_skipped_by_limit: 0,
                findings: 0,
                by_check: Default::default(),
            },
        })
        .collect();
    for (site, report) in results {
        site_reports[site].pages.push(report);
    }
    for (report, site) in site_reports.iter_mut().zip(&sites) {
        score_site(report, &run.settings.profile, site.skipped_by_limit);
    }
    let report = Report {
        tool: Tool { name: crate::TOOL_NAME, version: crate::VERSION },
        profile: run.settings.profile.name.clone(),
        generated_at: now_rfc3339(),
        lang: run.settings.lang,
        sites: site_reports,
    };
    (report, problems)
}

fn check_local_page(path: &PathBuf, site: &LocalSite, loader: &FolderLoader, settings: &EngineSettings) -> PageReport {
    let url = Url::from_file_path(path).unwrap_or_else(|()| site.root_url.clone());
    let relative = path.strip_prefix(&site.root).unwrap_or(path);
    let depth = relative.components().count().saturating_sub(1) as u32;
    let body =
        std::fs::read(path).map_err(|e| PageError { kind: "read".into(), message: format!("{}: {e}", path.display()) });
    let input = PageInput {
        url: url.clone(),
        requested_url: url.to_string(),
        status: None,
        depth,
        header_charset: None,
        body,
        via_elder_entry: false,
    };
    // A bug in a dependency must cost one page, not a nightly run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_page(input, loader, settings))).unwrap_or_else(
        |panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            PageReport {
                url: url.to_string(),
                requested_url: url.to_string(),
                status: None,
                title: None,
                depth,
                elder_page: false,
                elder_reason: None,
                score: None,
                error: Some(PageError {
                    kind: "internal".into(),
                    message: format!("the checker failed on this page: {message}"),
                }),
                charset: None,
                stylesheet_problems: Vec::new(),
                checks: Vec::new(),
            }
        },
    )
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Progress on stderr: an updating line on a terminal, a line every few seconds otherwise.
struct ProgressReporter {
    mode: Progress,
    total: usize,
    done: AtomicUsize,
    errors: AtomicUsize,
    started: Instant,
    last_line: std::sync::Mutex<Instant>,
    terminal: bool,
}

impl ProgressReporter {
    fn new(mode: Progress, total: usize) -> Self {
        ProgressReporter {
            mode,
            total,
            done: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
            started: Instant::now(),
            last_line: std::sync::Mutex::new(Instant::now()),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn page_done(&self, page: &PageReport) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(error) = &page.error {
            self.errors.fetch_add(1, Ordering::Relaxed);
            if self.mode != Progress::Quiet {
                eprintln!("error: {}: {} ({})", page.url, error.message, error.kind);
            }
        } else if self.mode == Progress::Verbose {
            eprintln!("checked {}", page.url);
        }
        if self.mode == Progress::Quiet {
            return;
        }
        let Ok(mut last) = self.last_line.lock() else { return };
        let interval = if self.terminal { Duration::from_millis(100) } else { Duration::from_secs(5) };
        if last.elapsed() >= interval || done == self.total {
            *last = Instant::now();
            let errors = self.errors.load(Ordering::Relaxed);
            if self.terminal {
                eprint!("\rchecked {done}/{} pages, {errors} errors", self.total);
            } else {
                eprintln!("checked {done}/{} pages, {errors} errors", self.total);
            }
        }
    }

    fn finish(&self) {
        if self.mode == Progress::Quiet {
            return;
        }
        if self.terminal && self.total > 0 {
            eprintln!();
        }
        eprintln!("{} pages in {:.2} s", self.done.load(Ordering::Relaxed), self.started.elapsed().as_secs_f64());
    }
}
