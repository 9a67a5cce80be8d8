//! The orchestrator, and the only one: it turns a [`CheckRequest`] into a run. Sources feed pages to
//! the analysis pool, assembly spills finished pages and sites to the results folder, the history
//! store and the renderers read that folder. Data flows one way; memory is bounded by the work in
//! flight (pages being fetched or analysed, sites being assembled), never by the pages done.

use crate::analyze::{spawn_workers, Analysis, AnalysisEvent};
use crate::assemble::{Assembler, FinishedSite};
use crate::baseline::Baseline;
use crate::history::{RunWriter, Store};
use crate::options::RenderMode;
use crate::options::{CrawlSettings, Format, Output, Problem, Verbosity};
use crate::policy::Policy;
use crate::progress::ProgressReporter;
use crate::report::{render, render_recording, Destination, Recorder, RenderError};
use crate::rundir::{Manifest, RunDir, RunDirError, SiteEntry, Tool, SCHEMA_VERSION};
use crate::score::{Grade, SiteStatus};
use crate::sources::crawl::{fetch::FetchConfig, CrawlOptions, Crawler};
use crate::sources::local::{discover, feed_site, LocalError, LocalSite};
use crate::sources::render::{chromium, RenderSettings, Renderer};
use crate::sources::site_list::{parse_site_list, SiteTarget};
use crate::sources::{SiteFeed, SourceEvent};
use eldercheck_checks::check::Lang;
use eldercheck_checks::page::style::Viewport;
use eldercheck_checks::page::PageOptions;
use eldercheck_checks::rules::custom::CustomCheckDefinition;
use eldercheck_checks::{Catalogue, Profile};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

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
    /// Language of the reports.
    pub lang: Lang,
    /// Language of the console (progress, summaries, errors).
    pub console_lang: Lang,
    /// `--shard K/N`: check only this shard of the `--sites` list.
    pub shard: Option<crate::shard::Shard>,
    /// `--fail-under`: the pass mark of this run (default: the profile's).
    pub fail_under: Option<f64>,
    pub viewport: Viewport,
    /// `--page-budget-s`: CPU time one page may take.
    pub page_budget: Duration,
    /// `--render`, `--chromium`, `--render-timeout-s`.
    pub render: crate::options::RenderRequest,
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
            console_lang: Lang::ZhCn,
            fail_under: None,
            viewport: Viewport::DESKTOP,
            page_budget: Duration::from_secs(crate::options::DEFAULT_PAGE_BUDGET_S),
            render: crate::options::RenderRequest::default(),
            shard: None,
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
    Usage(Problem),
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
    pub status: SiteStatus,
    /// None unless the site was checked well enough to be graded.
    pub grade: Option<Grade>,
    pub passed: bool,
    /// Passed once the baseline's accepted findings are forgiven: what the exit code is judged on.
    pub passed_with_accepted: bool,
    pub pages_checked: usize,
    /// Pages requested (checked or failed to load; pages robots.txt forbade are not requested).
    pub pages_requested: usize,
    pub pages_failed: usize,
    pub findings: usize,
    /// Failed issues (root causes).
    pub issues: usize,
    pub accepted: usize,
    pub vetoes: usize,
    /// Vetoes not accepted by the baseline.
    pub unaccepted_vetoes: usize,
}

/// How the run ended.
#[derive(Debug)]
pub struct RunOutcome {
    pub sites: Vec<SiteLine>,
    /// The results folder (removed again for `--out -`).
    pub results: PathBuf,
    pub pass_mark: f64,
    /// Targets that could not be used at all (missing files …).
    pub problems: Vec<Problem>,
    /// Targets taken as web addresses because they were not files but looked like host names.
    pub guessed_urls: Vec<(String, String)>,
    /// Baseline entries whose expiry date has passed.
    pub expired_acceptances: usize,
}

/// The run's verdict, which the exit code reports. A baseline's accepted findings are forgiven here
/// (that is what a baseline is for) but never in a site's official score or `passed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every site was checked and passed (exit 0).
    Passed,
    /// A site scored below the pass mark or was vetoed, accepted findings forgiven (exit 1).
    Failed,
    /// No site failed, but some site could not be checked, or only partly (exit 3).
    Incomplete,
}

impl RunOutcome {
    pub fn verdict(&self) -> Verdict {
        // A checked site fails below the pass mark; any site fails on a veto (a veto on the pages that
        // could be checked is certain). A low score on a partly checked site is not a verdict.
        let failed =
            |s: &SiteLine| (s.status == SiteStatus::Checked && !s.passed_with_accepted) || s.unaccepted_vetoes > 0;
        if self.sites.iter().any(failed) {
            Verdict::Failed
        } else if self.sites.iter().any(|s| s.status != SiteStatus::Checked) {
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
    problems: Vec<Problem>,
    guessed_urls: Vec<(String, String)>,
    shard: Option<crate::shard::ShardInfo>,
}

fn compile_filters(patterns: &[String], flag: &'static str) -> Result<Vec<regex::Regex>, RunError> {
    patterns
        .iter()
        .map(|p| {
            regex::RegexBuilder::new(p).size_limit(1 << 20).build().map_err(|e| {
                let shown: String = p.chars().take(80).collect();
                let cut = if shown.len() < p.len() { "…" } else { "" };
                let reason = e.to_string().lines().last().unwrap_or_default().to_string();
                RunError::Usage(Problem::BadRegex { flag, pattern: format!("{shown:?}{cut}"), reason })
            })
        })
        .collect()
}

/// What a target that is not an existing path is: a web address typed without `https://`, a web
/// address with a typo in its scheme, or a missing file.
enum Guess {
    Url(String),
    Typo(String),
    Missing,
}

fn guess_target(target: &str) -> Guess {
    let trimmed = target.trim();
    let lower = trimmed.to_ascii_lowercase();
    // `htp://`, `http:/`, `https//`, `http;//` …: a scheme with a typo.
    if let Some((scheme, rest)) = lower.split_once("//").or_else(|| lower.split_once(":/")) {
        let scheme = scheme.trim_end_matches([':', ';', '/']);
        let close = |word: &str| scheme != word && levenshtein(scheme, word) <= 2;
        if close("http") || close("https") || ["http", "https"].contains(&scheme) {
            let wanted =
                if scheme.starts_with("https") || (close("https") && !close("http")) { "https" } else { "http" };
            let rest = trimmed[trimmed.len() - rest.len()..].trim_start_matches('/');
            return Guess::Typo(format!("{wanted}://{rest}"));
        }
    }
    // A host name: labels of letters, digits and hyphens, a dot, a top-level domain of letters.
    let host = trimmed.split(['/', '?', '#']).next().unwrap_or_default();
    let host_name = host.split(':').next().unwrap_or_default();
    let labels: Vec<&str> = host_name.split('.').collect();
    let looks_like_host = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        && !Path::new(trimmed)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if looks_like_host {
        Guess::Url(format!("https://{trimmed}"))
    } else {
        Guess::Missing
    }
}

/// Edit distance, for "did you mean".
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn validate(request: &CheckRequest) -> Result<(), RunError> {
    let c = &request.crawl;
    let range = |name: &'static str, value: u64, low: u64, high: u64| {
        if (low..=high).contains(&value) {
            Ok(())
        } else {
            Err(RunError::Usage(Problem::Range { name, value: value.to_string(), low, high }))
        }
    };
    range("--concurrency", c.concurrency as u64, 1, 1024)?;
    range("--max-body-mib", c.max_body_mib as u64, 1, 1024)?;
    range("--page-budget-s", request.page_budget.as_secs(), 1, 3_600)?;
    range("--site-timeout-s", c.site_timeout.as_secs(), 1, 7 * 24 * 3_600)?;
    range("--delay-ms", c.delay.as_millis().min(u128::from(u64::MAX)) as u64, 0, 600_000)?;
    if c.timeout.is_zero() || c.timeout > Duration::from_secs(3_600) {
        let value = c.timeout.as_secs().to_string();
        return Err(RunError::Usage(Problem::Range { name: "--timeout-s", value, low: 1, high: 3_600 }));
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
            return Err(RunError::Usage(Problem::Range {
                name: "--fail-under",
                value: mark.to_string(),
                low: 0,
                high: 100,
            }));
        }
    }
    if request.output == Output::Stdout && request.formats != [Format::Json] {
        return Err(RunError::Usage(Problem::OutStdout));
    }
    if request.shard.is_some() && (request.sites_file.is_none() || !request.targets.is_empty()) {
        return Err(RunError::Usage(Problem::ShardWithoutList));
    }
    Ok(())
}

/// Every option that changes what a run finds, as one digest: shards of one batch must agree on it.
fn options_digest(
    request: &CheckRequest,
    profile: &Profile,
    policy: &Policy,
    catalogue: &[eldercheck_checks::CheckInfo],
) -> String {
    let c = &request.crawl;
    let ids: Vec<&str> = catalogue.iter().map(|c| c.id.as_str()).collect();
    let text = format!(
        "{}\n{}\n{ids:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n{:?}\n{:?}",
        profile.name,
        serde_json::to_string(policy).unwrap_or_default(),
        request.viewport,
        request.elder_paths,
        request.page_budget,
        request.baseline_file.as_ref().and_then(|f| std::fs::read(f).ok()).map(|b| crate::shard::sha256_hex(&b)),
        request.config_baseline,
        request.config_custom_checks.len(),
        c.max_pages,
        c.max_depth,
        c.delay,
        c.timeout,
        c.retries,
        c.max_body_mib,
        c.respect_robots,
        c.include,
        c.exclude,
        c.site_timeout,
        request.resolve,
        request.fail_under,
    );
    crate::shard::sha256_hex(text.as_bytes())
}

fn prepare(request: &CheckRequest) -> Result<Prepared, RunError> {
    validate(request)?;
    let usage = |e: &dyn std::fmt::Display| RunError::Usage(Problem::Other(e.to_string()));
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
    let mut crawl_targets: Vec<SiteTarget> = Vec::new();
    let mut list_digest: Option<String> = None;
    let mut guessed_urls = Vec::new();
    for target in &request.targets {
        if is_url(target) {
            crawl_targets.push(SiteTarget { url: target.clone(), name: None, group: None, line: 0 });
            continue;
        }
        match discover(Path::new(target), request.crawl.max_pages, &include, &exclude) {
            Ok(site) => {
                let entry = SiteEntry { url: site.root_url.to_string(), name: site.name(), group: None };
                sites.push((entry, SiteSource::Local(site)));
            }
            Err(LocalError::Missing { .. }) => match guess_target(target) {
                Guess::Url(url) => {
                    guessed_urls.push((target.clone(), url.clone()));
                    crawl_targets.push(SiteTarget { url, name: None, group: None, line: 0 });
                }
                Guess::Typo(suggestion) => {
                    problems.push(Problem::DidYouMean { target: target.clone(), suggestion });
                }
                Guess::Missing => problems.push(Problem::MissingPath(target.clone())),
            },
            Err(LocalError::NotHtml { path }) => problems.push(Problem::NotHtml(path.display().to_string())),
            Err(LocalError::NotUrl { path }) => problems.push(Problem::NotUrl(path.display().to_string())),
            Err(LocalError::Io { path, source }) => {
                problems.push(Problem::Io { path: path.display().to_string(), reason: source.to_string() })
            }
        }
    }
    if let Some(list) = &request.sites_file {
        let bytes = crate::options::read_input_file(list).map_err(|e| RunError::Usage(Problem::SiteList(e)))?;
        let listed = parse_site_list(&String::from_utf8_lossy(&bytes));
        if listed.is_empty() {
            return Err(RunError::Usage(Problem::EmptySiteList(list.display().to_string())));
        }
        list_digest = Some(crate::shard::sha256_hex(&bytes));
        for target in &listed {
            let usable = Url::parse(target.url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !usable {
                problems.push(Problem::BadSiteLine {
                    file: list.display().to_string(),
                    line: target.line,
                    text: target.url.clone(),
                });
            }
        }
        crawl_targets.extend(listed);
    }
    // A site listed twice (`www.` or not, http or https, another page of it) is crawled once: twice
    // would double its requests and store it twice in the history.
    let mut listed_sites: HashMap<String, String> = HashMap::new();
    for target in crawl_targets {
        let key = Url::parse(target.url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| format!("{}:{}", crate::sources::crawl::url_scope::site_key(&u), u.port().unwrap_or(0)));
        if let Some(key) = key {
            if let Some(first) = listed_sites.get(&key) {
                problems.push(Problem::DuplicateSite { target: target.url.clone(), first: first.clone() });
                continue;
            }
            listed_sites.insert(key, target.url.clone());
        }
        // A password in a start URL is used for the crawl, never written down.
        let shown = crate::sources::crawl::url_scope::redact(&target.url).into_owned();
        let entry =
            SiteEntry { url: shown.clone(), name: target.name.clone().unwrap_or(shown), group: target.group.clone() };
        sites.push((entry, SiteSource::Crawl(target.url)));
    }
    // A shard keeps its own sites, and notes every site of the list so that a merge can account for
    // the sites of a shard that never reported.
    let shard = match (request.shard, list_digest) {
        (Some(shard), Some(list_digest)) => {
            let list: Vec<crate::shard::ListedSite> = sites
                .iter()
                .map(|(entry, source)| {
                    let url = match source {
                        SiteSource::Crawl(url) => url.as_str(),
                        SiteSource::Local(_) => entry.url.as_str(),
                    };
                    crate::shard::ListedSite {
                        url: entry.url.clone(),
                        name: entry.name.clone(),
                        group: entry.group.clone(),
                        shard: crate::shard::Shard::of(url, shard.count),
                    }
                })
                .collect();
            let positions: Vec<usize> = (0..list.len()).filter(|i| list[*i].shard == shard.index).collect();
            let mut index = 0;
            sites.retain(|_| {
                index += 1;
                list[index - 1].shard == shard.index
            });
            Some(crate::shard::ShardInfo { shard, list_digest, options_digest: String::new(), list, positions })
        }
        _ => None,
    };
    if sites.is_empty() && shard.is_none() {
        // The first problem is the one to show (a missing path, a typo); otherwise there was nothing at all.
        return Err(RunError::Usage(problems.into_iter().next().unwrap_or(Problem::NothingToCheck)));
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
        site_timeout: c.site_timeout,
    };
    Ok(Prepared { profile, catalogue, policy, acceptances, crawl, sites, problems, guessed_urls, shard })
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
    // Targets that were skipped or guessed are said even with -q: they change what was checked.
    {
        let console = crate::i18n::strings(request.console_lang);
        for problem in &prepared.problems {
            let reason = problem.message(request.console_lang);
            let target = match problem {
                Problem::MissingPath(p) | Problem::NotHtml(p) | Problem::NotUrl(p) => p.clone(),
                Problem::Io { path, .. } => path.clone(),
                Problem::DidYouMean { target, .. } => target.clone(),
                _ => String::new(),
            };
            let line = if target.is_empty() {
                reason
            } else {
                crate::i18n::say(console, &["console", "skipped_target"], &[("target", target), ("reason", reason)])
            };
            eprintln!("{}{line}", crate::i18n::say(console, &["console", "error_prefix"], &[]));
        }
        for (target, url) in &prepared.guessed_urls {
            eprintln!(
                "{}{}",
                crate::i18n::say(console, &["console", "error_prefix"], &[]),
                crate::i18n::say(
                    console,
                    &["console", "guessed_url"],
                    &[("target", target.clone()), ("url", url.clone())]
                )
            );
        }
    }
    let render_settings = render_settings(&request)?;
    let folder = results_folder(&request.output)?;
    let info = prepared.catalogue.info();
    let info_checks = info.clone();
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: crate::TOOL_NAME.into(), version: crate::VERSION.into() },
        profile: prepared.profile.name.clone(),
        generated_at: now_rfc3339(),
        policy: prepared.policy.clone(),
        catalogue: info.clone(),
        sites: prepared.sites.iter().map(|(entry, _)| entry.clone()).collect(),
        shard: prepared.shard.clone().map(|mut info| {
            info.options_digest = options_digest(&request, &prepared.profile, &prepared.policy, &info_checks);
            info
        }),
    };
    folder.dir.write_manifest(&manifest)?;
    let expired_acceptances = prepared.acceptances.expired;
    let pass_mark = prepared.policy.pass_mark;
    let analysis = Analysis {
        catalogue: prepared.catalogue,
        thresholds: prepared.profile.thresholds.clone(),
        elder: prepared.profile.elder_rules(request.elder_paths.clone()),
        page_options: PageOptions { viewport: request.viewport, ..PageOptions::default() },
        page_budget: request.page_budget,
    };
    let renderer = render_settings.map(|mut settings| {
        if request.output != Output::Stdout {
            settings.screenshots = Some(folder.dir.path().join("screens"));
        }
        Arc::new(Renderer::new(settings))
    });
    let finished = pipeline(
        &request,
        renderer,
        prepared.sites,
        prepared.crawl,
        analysis,
        prepared.policy,
        prepared.acceptances,
        &folder.dir,
        &info,
    )?;
    let checked: usize = finished.iter().map(|s| s.pages_checked).sum();
    // A shard whose sites all failed is still a shard result, for the merge to account for.
    if checked == 0 && manifest.shard.is_none() {
        if request.output == Output::Stdout {
            render(&folder.dir, request.lang, &request.formats, Destination::Stdout)?;
        }
        return Err(RunError::NothingChecked);
    }
    let destination = Destination::of(&request.output);
    let sites = publish(
        &folder.dir,
        &manifest,
        Publication {
            lang: request.lang,
            console_lang: request.console_lang,
            formats: &request.formats,
            destination,
            // A shard's history is stored by the merge, once for the whole batch.
            db: request.db.as_deref().filter(|_| manifest.shard.is_none()),
            keep_runs: request.keep_runs,
        },
    )?;
    Ok(RunOutcome {
        sites,
        results: folder.dir.path().to_path_buf(),
        pass_mark,
        problems: prepared.problems,
        guessed_urls: prepared.guessed_urls,
        expired_acceptances,
    })
}

/// How a results folder becomes reports and a stored run.
pub struct Publication<'a> {
    pub lang: Lang,
    pub console_lang: Lang,
    pub formats: &'a [Format],
    pub destination: Destination<'a>,
    /// The history store, if any.
    pub db: Option<&'a Path>,
    pub keep_runs: Option<usize>,
}

/// Renders the reports of a results folder and stores the run in the history, in one pass; returns
/// each site's line for the console and the exit code. History is an addition: a store that cannot
/// be used is reported, and the reports are written all the same.
pub fn publish(dir: &RunDir, manifest: &Manifest, p: Publication<'_>) -> Result<Vec<SiteLine>, RunError> {
    let console = crate::i18n::strings(p.console_lang);
    let say = |key: &str, error: String| {
        eprintln!(
            "{}{}",
            crate::i18n::say(console, &["console", "error_prefix"], &[]),
            crate::i18n::say(console, &["console", key], &[("error", error)])
        )
    };
    let mut store = p.db.and_then(|db| Store::open(db).map_err(|e| say("store_unusable", e.to_string())).ok());
    let mut run =
        store.as_mut().and_then(|s| s.begin_run(manifest).map_err(|e| say("store_unusable", e.to_string())).ok());
    let recorder = run.as_mut().map(|r| r as &mut dyn Recorder);
    let mut sites = Vec::new();
    let mut each_site = |record: &crate::rundir::SiteRecord| sites.push(SiteLine::of(record));
    let store_error = render_recording(dir, p.lang, p.formats, p.destination, recorder, &mut each_site)?;
    let stored = match (store_error, run) {
        (Some(e), _) => {
            say("not_stored", e);
            false
        }
        (None, Some(run)) => run.commit().map_err(|e| say("not_stored", e.to_string())).is_ok(),
        (None, None) => false,
    };
    if let (true, Some(store), Some(keep)) = (stored, store.as_mut(), p.keep_runs) {
        if let Err(e) = store.prune(keep) {
            say("store_unusable", e.to_string());
        }
    }
    Ok(sites)
}

impl SiteLine {
    pub fn of(record: &crate::rundir::SiteRecord) -> SiteLine {
        let s = &record.score;
        SiteLine {
            name: record.name.clone(),
            url: record.url.clone(),
            score: s.score,
            status: s.status,
            grade: s.grade,
            pages_requested: s.summary.pages_requested(),
            passed: s.passed,
            passed_with_accepted: s.passed_with_accepted,
            pages_checked: s.summary.pages_checked,
            pages_failed: s.summary.pages_failed_to_load,
            findings: s.summary.findings,
            issues: record
                .issues
                .iter()
                .filter(|i| i.outcome == eldercheck_checks::check::FindingOutcome::Failed && i.accepted.is_none())
                .count(),
            accepted: s.summary.accepted,
            vetoes: s.vetoes.len(),
            unaccepted_vetoes: s.vetoes.iter().filter(|v| !v.accepted).count(),
        }
    }
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
/// How this run renders pages: `None` for static checks only. Without Chromium, `--render always`
/// (or a `--chromium` that is not there) is a usage error; the default says once that pages are
/// checked statically.
fn render_settings(request: &CheckRequest) -> Result<Option<RenderSettings>, RunError> {
    let wanted = request.render.mode;
    if wanted == Some(RenderMode::Never) {
        return Ok(None);
    }
    let console = crate::i18n::strings(request.console_lang);
    let found = chromium::find(request.render.chromium.as_deref()).filter(|path| path.is_file());
    let Some(path) = found else {
        if let Some(given) = &request.render.chromium {
            return Err(RunError::Usage(Problem::NoChromium(format!("--chromium {}", given.display()))));
        }
        if wanted == Some(RenderMode::Always) {
            return Err(RunError::Usage(Problem::NoChromium("--render always".into())));
        }
        if request.verbosity != Verbosity::Quiet {
            eprintln!("{}", crate::i18n::say(console, &["console", "no_chromium_notice"], &[]));
        }
        return Ok(None);
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Ok(Some(RenderSettings {
        mode: wanted.unwrap_or(RenderMode::Auto),
        chromium: path,
        tabs: request.render.tabs.unwrap_or(cores),
        page_timeout: request.render.page_timeout,
        settle: request.render.settle,
        viewport: (request.viewport.width.round() as u32, request.viewport.height.round() as u32),
        screenshots: None,
        resolve: request.resolve.clone(),
        max_body_bytes: request.crawl.max_body_mib * 1024 * 1024,
        console_lang: request.console_lang,
    }))
}

#[allow(clippy::too_many_arguments)]
fn pipeline(
    request: &CheckRequest,
    renderer: Option<Arc<Renderer>>,
    sites: Vec<(SiteEntry, SiteSource)>,
    crawl: CrawlOptions,
    analysis: Analysis,
    policy: Policy,
    acceptances: crate::baseline::Acceptances,
    dir: &RunDir,
    catalogue: &[eldercheck_checks::CheckInfo],
) -> Result<Vec<FinishedSite>, RunError> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let progress = Arc::new(ProgressReporter::new(request.verbosity, request.console_lang));
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
            let feed = SiteFeed::new(index, source_sender.clone()).rendered_by(renderer.clone());
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
