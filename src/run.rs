//! The orchestrator, and the only one: it turns a [`CheckRequest`] into a run. Sources feed pages to
//! the analysis pool, assembly spills finished pages and sites to the results folder, the history
//! store and the renderers read that folder. Data flows one way; memory is bounded by the work in
//! flight (pages being fetched or analysed, sites being assembled), never by the pages done.

use crate::analyze::{spawn_workers, Analysis, AnalysisEvent};
use crate::assemble::{Assembler, FinishedSite};
use crate::baseline::Baseline;
use crate::history::{RunWriter, Store};
use crate::options::{CrawlSettings, Format, Output, Verbosity};
use crate::policy::Policy;
use crate::progress::ProgressReporter;
use crate::report::{render, render_recording, Destination, Recorder, RenderError};
use crate::rundir::{Manifest, RunDir, RunDirError, SiteEntry, Tool, SCHEMA_VERSION};
use crate::score::Grade;
use crate::sources::crawl::{fetch::FetchConfig, CrawlOptions, Crawler};
use crate::sources::local::{discover, feed_site, LocalSite};
use crate::sources::site_list::{parse_site_list, SiteTarget};
use crate::sources::{SiteFeed, SourceEvent};
use eldercheck_checks::check::Lang;
use eldercheck_checks::page::style::Viewport;
use eldercheck_checks::page::PageOptions;
use eldercheck_checks::rules::custom::CustomCheckDefinition;
use eldercheck_checks::{Catalogue, Profile};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A `check` run as the command line (and eldercheck.toml) asked for it, before anything is read.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// URLs to crawl and local files or folders.
    pub targets: Vec<String>,
    /// `--sites FILE`.
    pub sites_file: Option<PathBuf>,
    pub output: Output,
    pub formats: Vec<Format>,
    pub crawl: CrawlSettings,
    /// Host names resolved to fixed addresses, like curl's `--resolve`.
    pub resolve: Vec<(String, SocketAddr)>,
    /// Built-in profile name or TOML file.
    pub profile: String,
    /// `[[custom_checks]]` of eldercheck.toml and the file they came from.
    pub config_custom_checks: Vec<CustomCheckDefinition>,
    pub config_file: Option<PathBuf>,
    pub elder_paths: Vec<String>,
    pub lang: Lang,
    /// `--fail-under`: the pass mark of this run (default: the profile's).
    pub fail_under: Option<f64>,
    pub viewport: Viewport,
    /// History store, unless `--no-db`.
    pub db: Option<PathBuf>,
    pub keep_runs: Option<usize>,
    /// `--baseline FILE`.
    pub baseline_file: Option<PathBuf>,
    /// `[baseline]` of eldercheck.toml.
    pub config_baseline: Option<Baseline>,
    pub verbosity: Verbosity,
}

impl CheckRequest {
    /// A request with every default, for `targets`.
    pub fn new(targets: Vec<String>) -> CheckRequest {
        CheckRequest {
            targets,
            sites_file: None,
            output: Output::Dir(PathBuf::from(crate::options::DEFAULT_OUT)),
            formats: vec![Format::Html, Format::Json, Format::Csv],
            crawl: CrawlSettings::default(),
            resolve: Vec::new(),
            profile: crate::options::DEFAULT_PROFILE.to_string(),
            config_custom_checks: Vec::new(),
            config_file: None,
            elder_paths: Vec::new(),
            lang: Lang::ZhCn,
            fail_under: None,
            viewport: Viewport::DESKTOP,
            db: Some(PathBuf::from(crate::options::DEFAULT_DB)),
            keep_runs: None,
            baseline_file: None,
            config_baseline: None,
            verbosity: Verbosity::Normal,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A bad option or input file: nothing was checked (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Every target failed before a single page could be checked (exit 2).
    #[error("nothing could be checked")]
    NothingChecked,
    #[error(transparent)]
    Results(#[from] RunDirError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{0}")]
    Internal(String),
}

/// One site's result, for the console and the exit code.
#[derive(Debug, Clone)]
pub struct SiteLine {
    pub name: String,
    pub url: String,
    pub score: Option<f64>,
    pub grade: Grade,
    pub passed: bool,
    pub pages_checked: usize,
    pub pages_failed: usize,
    pub findings: usize,
    pub accepted: usize,
    pub vetoes: usize,
}

/// How the run ended.
#[derive(Debug)]
pub struct RunOutcome {
    pub sites: Vec<SiteLine>,
    /// The results folder (removed again for `--out -`).
    pub results: PathBuf,
    pub pass_mark: f64,
    /// Targets that could not be used at all (missing files …), already reported on stderr.
    pub problems: Vec<String>,
    /// Baseline entries whose expiry date has passed.
    pub expired_acceptances: usize,
}

/// The run's verdict, which the exit code reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every site was checked and passed (exit 0).
    Passed,
    /// A site scored below the pass mark or was vetoed (exit 1).
    Failed,
    /// No site failed, but some site could not be checked (exit 3).
    Incomplete,
}

impl RunOutcome {
    pub fn verdict(&self) -> Verdict {
        let checked = |s: &&SiteLine| s.score.is_some();
        if self.sites.iter().filter(checked).any(|s| !s.passed) {
            Verdict::Failed
        } else if self.sites.iter().any(|s| s.score.is_none()) {
            Verdict::Incomplete
        } else {
            Verdict::Passed
        }
    }
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

fn is_url(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A site of the run and where its pages come from.
enum SiteSource {
    Local(LocalSite),
    Crawl(String),
}

/// Everything a run needs that comes from validating the request.
struct Prepared {
    profile: Profile,
    catalogue: Catalogue,
    policy: Policy,
    acceptances: crate::baseline::Acceptances,
    crawl: CrawlOptions,
    sites: Vec<(SiteEntry, SiteSource)>,
    problems: Vec<String>,
}

fn compile_filters(patterns: &[String], flag: &str) -> Result<Vec<regex::Regex>, RunError> {
    patterns
        .iter()
        .map(|p| {
            regex::RegexBuilder::new(p).size_limit(1 << 20).build().map_err(|e| {
                let shown: String = p.chars().take(80).collect();
                let cut = if shown.len() < p.len() { "…" } else { "" };
                let reason = e.to_string().lines().last().unwrap_or_default().to_string();
                RunError::Usage(format!("{flag} {shown:?}{cut} is not a valid regular expression: {reason}"))
            })
        })
        .collect()
}

fn validate(request: &CheckRequest) -> Result<(), RunError> {
    let c = &request.crawl;
    let range = |name: &str, value: u64, low: u64, high: u64| {
        if (low..=high).contains(&value) {
            Ok(())
        } else {
            Err(RunError::Usage(format!("{name} {value}: must be between {low} and {high}")))
        }
    };
    range("--concurrency", c.concurrency as u64, 1, 1024)?;
    range("--max-body-mib", c.max_body_mib as u64, 1, 1024)?;
    range("--delay-ms", c.delay.as_millis().min(u128::from(u64::MAX)) as u64, 0, 600_000)?;
    if c.timeout.is_zero() || c.timeout > Duration::from_secs(3_600) {
        return Err(RunError::Usage(format!("--timeout-s {}: must be between 1 and 3600", c.timeout.as_secs())));
    }
    range("--retries", u64::from(c.retries), 0, 20)?;
    range("--max-depth", u64::from(c.max_depth), 0, 10_000)?;
    if let Some(max) = c.max_pages {
        range("--max-pages", max as u64, 1, 10_000_000)?;
    }
    if let Some(keep) = request.keep_runs {
        range("--keep-runs", keep as u64, 1, 1_000_000)?;
    }
    if let Some(mark) = request.fail_under {
        if !(0.0..=100.0).contains(&mark) {
            return Err(RunError::Usage(format!("--fail-under {mark}: must be between 0 and 100")));
        }
    }
    if request.output == Output::Stdout && request.formats != [Format::Json] {
        return Err(RunError::Usage("--out - prints JSON to stdout: use it with --format json".into()));
    }
    Ok(())
}

fn prepare(request: &CheckRequest) -> Result<Prepared, RunError> {
    validate(request)?;
    let usage = |e: &dyn std::fmt::Display| RunError::Usage(e.to_string());
    // A bad profile stops the run before anything is fetched.
    let mut profile = Profile::load(&request.profile).map_err(|e| usage(&e))?;
    let config_file = request.config_file.as_ref().map(|f| f.display().to_string()).unwrap_or_default();
    profile.add_custom_checks(request.config_custom_checks.clone(), &config_file);
    let catalogue = Catalogue::for_profile(&profile).map_err(|e| usage(&e))?;
    let policy = Policy::new(&profile, &catalogue.info(), request.fail_under);
    let baseline = Baseline::merge(
        request.config_baseline.clone(),
        request.baseline_file.as_deref().map(Baseline::load).transpose().map_err(|e| usage(&e))?,
    );
    let acceptances = baseline.map(|b| b.in_force(&today())).unwrap_or_default();
    let include = compile_filters(&request.crawl.include, "--include")?;
    let exclude = compile_filters(&request.crawl.exclude, "--exclude")?;

    let mut sites = Vec::new();
    let mut problems = Vec::new();
    for target in request.targets.iter().filter(|t| !is_url(t)) {
        match discover(Path::new(target), request.crawl.max_pages, &include, &exclude) {
            Ok(site) => {
                let entry = SiteEntry { url: site.root_url.to_string(), name: site.name(), group: None };
                sites.push((entry, SiteSource::Local(site)));
            }
            Err(error) => problems.push(format!("skipped {target}: {error}")),
        }
    }
    let mut crawl_targets: Vec<SiteTarget> = request
        .targets
        .iter()
        .filter(|t| is_url(t))
        .map(|t| SiteTarget { url: t.clone(), name: None, group: None })
        .collect();
    if let Some(list) = &request.sites_file {
        let bytes = crate::options::read_input_file(list)
            .map_err(|e| RunError::Usage(format!("cannot read the site list {e}")))?;
        let listed = parse_site_list(&String::from_utf8_lossy(&bytes));
        if listed.is_empty() {
            return Err(RunError::Usage(format!("the site list {} has no sites", list.display())));
        }
        crawl_targets.extend(listed);
    }
    for target in crawl_targets {
        let entry = SiteEntry {
            url: target.url.clone(),
            name: target.name.clone().unwrap_or_else(|| target.url.clone()),
            group: target.group.clone(),
        };
        sites.push((entry, SiteSource::Crawl(target.url)));
    }
    if sites.is_empty() {
        for problem in &problems {
            eprintln!("eldercheck: {problem}");
        }
        return Err(RunError::Usage("nothing to check: give URLs, .html files or folders, or --sites FILE".into()));
    }
    let c = &request.crawl;
    let crawl = CrawlOptions {
        max_pages: c.max_pages.unwrap_or(crate::options::DEFAULT_MAX_PAGES),
        max_depth: c.max_depth,
        respect_robots: c.respect_robots,
        include,
        exclude,
        fetch: FetchConfig {
            timeout: c.timeout,
            max_body_bytes: c.max_body_mib * 1024 * 1024,
            retries: c.retries,
            delay: c.delay,
            concurrency: c.concurrency,
            resolve: request.resolve.clone(),
            ..FetchConfig::default()
        },
    };
    Ok(Prepared { profile, catalogue, policy, acceptances, crawl, sites, problems })
}

/// A results folder that is removed when the run only prints to stdout.
struct ResultsFolder {
    dir: RunDir,
    temporary: bool,
}

impl Drop for ResultsFolder {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(self.dir.path());
        }
    }
}

fn results_folder(output: &Output) -> Result<ResultsFolder, RunError> {
    match output {
        Output::Dir(out) => Ok(ResultsFolder { dir: RunDir::create(&out.join("results"))?, temporary: false }),
        Output::Stdout => {
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            let path = std::env::temp_dir().join(format!("eldercheck-results-{}-{nanos}", std::process::id()));
            Ok(ResultsFolder { dir: RunDir::create(&path)?, temporary: true })
        }
    }
}

/// Runs `eldercheck check`.
pub fn check(request: CheckRequest) -> Result<RunOutcome, RunError> {
    let prepared = prepare(&request)?;
    for problem in &prepared.problems {
        eprintln!("eldercheck: {problem}");
    }
    let folder = results_folder(&request.output)?;
    let info = prepared.catalogue.info();
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: crate::TOOL_NAME.into(), version: crate::VERSION.into() },
        profile: prepared.profile.name.clone(),
        generated_at: now_rfc3339(),
        policy: prepared.policy.clone(),
        catalogue: info.clone(),
        sites: prepared.sites.iter().map(|(entry, _)| entry.clone()).collect(),
    };
    folder.dir.write_manifest(&manifest)?;
    let expired_acceptances = prepared.acceptances.expired;
    let pass_mark = prepared.policy.pass_mark;
    let analysis = Analysis {
        catalogue: prepared.catalogue,
        thresholds: prepared.profile.thresholds.clone(),
        elder: prepared.profile.elder_rules(request.elder_paths.clone()),
        page_options: PageOptions { viewport: request.viewport, ..PageOptions::default() },
    };
    let finished = pipeline(
        &request,
        prepared.sites,
        prepared.crawl,
        analysis,
        prepared.policy,
        prepared.acceptances,
        &folder.dir,
        &info,
    )?;
    let checked: usize = finished.iter().map(|s| s.pages_checked).sum();
    if checked == 0 {
        if request.output == Output::Stdout {
            render(&folder.dir, request.lang, &request.formats, Destination::Stdout)?;
        }
        return Err(RunError::NothingChecked);
    }
    let destination = match &request.output {
        Output::Dir(out) => Destination::Dir(out),
        Output::Stdout => Destination::Stdout,
    };
    // History is an addition: a store that cannot be used is reported, and the run still reports.
    let mut store = request.db.as_deref().and_then(|db| Store::open(db).map_err(|e| eprintln!("eldercheck: {e}")).ok());
    let mut run = store.as_mut().and_then(|s| s.begin_run(&manifest).map_err(|e| eprintln!("eldercheck: {e}")).ok());
    let recorder = run.as_mut().map(|r| r as &mut dyn Recorder);
    let store_error = render_recording(&folder.dir, request.lang, &request.formats, destination, recorder)?;
    let stored = match (store_error, run) {
        (Some(e), _) => {
            eprintln!("eldercheck: the run was not stored: {e}");
            false
        }
        (None, Some(run)) => run.commit().map_err(|e| eprintln!("eldercheck: {e}")).is_ok(),
        (None, None) => false,
    };
    if let (true, Some(store), Some(keep)) = (stored, store.as_mut(), request.keep_runs) {
        if let Err(e) = store.prune(keep) {
            eprintln!("eldercheck: {e}");
        }
    }
    let mut sites = Vec::new();
    for index in 0..manifest.sites.len() {
        if !folder.dir.has_site(index) {
            continue;
        }
        let record = folder.dir.read_site(index)?;
        let s = &record.score;
        sites.push(SiteLine {
            name: record.name,
            url: record.url,
            score: s.score,
            grade: s.grade,
            passed: s.passed,
            pages_checked: s.summary.pages_checked,
            pages_failed: s.summary.pages_failed_to_load,
            findings: s.summary.findings,
            accepted: s.summary.accepted,
            vetoes: s.vetoes.len(),
        });
    }
    Ok(RunOutcome {
        sites,
        results: folder.dir.path().to_path_buf(),
        pass_mark,
        problems: prepared.problems,
        expired_acceptances,
    })
}

/// The history store as the first reader of the reporting pass.
impl Recorder for RunWriter<'_> {
    fn site(&mut self, site: &crate::rundir::SiteRecord) -> Result<(), String> {
        RunWriter::site(self, site).map_err(|e| e.to_string())
    }

    fn page(&mut self, page: &crate::results::PageResult) -> Result<(), String> {
        RunWriter::page(self, page).map_err(|e| e.to_string())
    }

    fn end_site(&mut self, site: &mut crate::rundir::SiteRecord) -> Result<(), String> {
        RunWriter::end_site(self, site).map_err(|e| e.to_string())
    }
}

/// Sources → analysis pool → assembly, until every site is in the results folder.
#[allow(clippy::too_many_arguments)]
fn pipeline(
    request: &CheckRequest,
    sites: Vec<(SiteEntry, SiteSource)>,
    crawl: CrawlOptions,
    analysis: Analysis,
    policy: Policy,
    acceptances: crate::baseline::Acceptances,
    dir: &RunDir,
    catalogue: &[eldercheck_checks::CheckInfo],
) -> Result<Vec<FinishedSite>, RunError> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let progress = Arc::new(ProgressReporter::new(request.verbosity));
    progress.add_sites(sites.len());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Internal(format!("cannot start the async runtime: {e}")))?;
    let (source_sender, source_receiver) = tokio::sync::mpsc::channel::<SourceEvent>(2 * workers);
    let (analysis_sender, analysis_receiver) = std::sync::mpsc::sync_channel::<AnalysisEvent>(2 * workers);
    let handles = spawn_workers(workers, Arc::new(analysis), source_receiver, analysis_sender)
        .map_err(|e| RunError::Internal(format!("cannot start the analysis threads: {e}")))?;
    let entries: Vec<SiteEntry> = sites.iter().map(|(entry, _)| entry.clone()).collect();
    let count = entries.len();
    let assembler = Assembler::new(dir.clone(), policy, acceptances, entries, catalogue, progress.clone());
    let assembly = std::thread::Builder::new()
        .name("assemble".into())
        .spawn(move || {
            let mut finished: Vec<FinishedSite> = Vec::with_capacity(count);
            let result = assembler.run(analysis_receiver, |site| finished.push(site));
            result.map(|()| finished)
        })
        .map_err(|e| RunError::Internal(format!("cannot start the assembly thread: {e}")))?;

    let needs_crawler = sites.iter().any(|(_, s)| matches!(s, SiteSource::Crawl(_)));
    let max_body = request.crawl.max_body_mib * 1024 * 1024;
    // Sites in progress at once: enough to keep every allowed request busy, few enough that their
    // frontiers stay small.
    let active_sites = request.crawl.concurrency.max(2);
    let sourcing = runtime.block_on(async {
        let crawler = if needs_crawler {
            Some(Arc::new(
                Crawler::new(crawl, tokio::runtime::Handle::current())
                    .map_err(|e| RunError::Internal(format!("cannot start the crawler: {e}")))?,
            ))
        } else {
            None
        };
        let limiter = Arc::new(tokio::sync::Semaphore::new(active_sites));
        let mut tasks = tokio::task::JoinSet::new();
        for (index, (_, source)) in sites.into_iter().enumerate() {
            let feed = SiteFeed::new(index, source_sender.clone());
            let (limiter, crawler, progress) = (limiter.clone(), crawler.clone(), progress.clone());
            tasks.spawn(async move {
                let Ok(_permit) = limiter.acquire_owned().await else { return };
                match (source, crawler) {
                    (SiteSource::Local(site), _) => {
                        progress.add_queued(site.pages.len() + site.unreadable.len());
                        feed_site(site, feed, max_body).await;
                    }
                    (SiteSource::Crawl(url), Some(crawler)) => crawler.crawl_site(&url, feed, progress.clone()).await,
                    (SiteSource::Crawl(_), None) => feed.finish(None, 0).await,
                }
            });
        }
        drop(source_sender);
        while let Some(joined) = tasks.join_next().await {
            if let Err(e) = joined {
                // The assembler finishes a site whose source failed with the pages that arrived.
                eprintln!("eldercheck: a site's crawl failed unexpectedly: {e}");
            }
        }
        Ok::<(), RunError>(())
    });
    // Every sender is gone once the sources are: the analysis threads drain the queue and stop. The
    // runtime lives until they have, because they fetch stylesheets on it.
    for handle in handles {
        let _ = handle.join();
    }
    let finished = assembly
        .join()
        .map_err(|_| RunError::Internal("the assembly thread failed".into()))?
        .map_err(RunError::Results)?;
    drop(runtime);
    progress.finish();
    sourcing?;
    Ok(finished)
}
