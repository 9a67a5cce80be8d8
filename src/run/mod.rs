//! A `check` run, and the only orchestrator: [`plan`] validates a [`CheckRequest`] into a
//! [`Plan`], [`execute`] runs it — sources feed pages to the analysis pool, assembly spills finished
//! pages and sites to the results folder, and [`publish`] writes the reports and stores the run from
//! that folder. Data flows one way; memory is bounded by the work in flight (pages being fetched or
//! analysed, sites being assembled), never by the pages done. What the console says is the caller's:
//! the plan and the outcome carry it.

mod pipeline;
pub mod plan;
pub mod publish;
pub mod targets;

use crate::analyze::Analysis;
use crate::config::Config;
use crate::options::{Output, Problem};
use crate::report::WriteError;
use crate::rundir::{Manifest, RunDir, RunDirError, Tool, SCHEMA_VERSION};
use crate::score::{Grade, SiteStatus};
use crate::settings::CheckSettings;
use eldercheck_checks::check::Lang;
use eldercheck_checks::page::PageOptions;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use plan::{plan, Plan};
pub use publish::{publish, Publishing, StoreNotice};

/// A `check` run as the command line, the environment and eldercheck.toml asked for it.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    pub settings: CheckSettings,
    /// `[baseline]` and `[[custom_checks]]` of eldercheck.toml, and the file they came from.
    pub config: Config,
    /// Language of the console (progress, summaries, errors).
    pub console_lang: Lang,
}

impl CheckRequest {
    /// A request with every default, for `targets`.
    pub fn new(targets: Vec<String>) -> CheckRequest {
        CheckRequest {
            settings: CheckSettings::for_targets(targets),
            config: Config::default(),
            console_lang: Lang::ZhCn,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A bad option or input file: nothing was checked (exit 2).
    #[error("{0}")]
    Usage(Problem),
    #[error(transparent)]
    Results(#[from] RunDirError),
    #[error(transparent)]
    Write(#[from] WriteError),
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
    /// The first page's failure: why a site was not (fully) checked.
    pub first_error: Option<crate::results::PageError>,
}

/// How the run ended.
#[derive(Debug)]
pub struct RunOutcome {
    pub sites: Vec<SiteLine>,
    /// The results folder (removed again for `--out -`).
    pub results: PathBuf,
    pub pass_mark: f64,
    /// Baseline entries whose expiry date has passed.
    pub expired_acceptances: usize,
    /// What the history store had to say (it could not be used, the run was not stored).
    pub store_notices: Vec<StoreNotice>,
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
    /// Some site failed and some other could not be checked, or only partly (exit 4): a nightly
    /// job alerts on both.
    FailedAndIncomplete,
}

impl Verdict {
    /// The exit code that reports it (docs/SCHEDULING.md).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::Incomplete => 3,
            Verdict::FailedAndIncomplete => 4,
        }
    }
}

impl RunOutcome {
    pub fn verdict(&self) -> Verdict {
        // A checked site fails below the pass mark; any site fails on a veto (a veto on the pages that
        // could be checked is certain). A low score on a partly checked site is not a verdict.
        let failed =
            |s: &SiteLine| (s.status == SiteStatus::Checked && !s.passed_with_accepted) || s.unaccepted_vetoes > 0;
        let incomplete = |s: &SiteLine| s.status != SiteStatus::Checked && !failed(s);
        match (self.sites.iter().any(failed), self.sites.iter().any(incomplete)) {
            (true, true) => Verdict::FailedAndIncomplete,
            (true, false) => Verdict::Failed,
            (false, true) => Verdict::Incomplete,
            (false, false) => Verdict::Passed,
        }
    }
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

/// Runs `eldercheck check` without a word on the console but the progress: [`plan`], then
/// [`execute`].
pub fn check(request: CheckRequest) -> Result<RunOutcome, RunError> {
    execute(plan(request)?)
}

/// Runs a plan: the pipeline into a results folder, then the reports and the stored run.
pub fn execute(plan: Plan) -> Result<RunOutcome, RunError> {
    let Plan { settings, console_lang, profile, catalogue, policy, acceptances, crawl, sites, shard, browser, .. } =
        plan;
    let folder = results_folder(&settings.out)?;
    let info = catalogue.info();
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: crate::TOOL_NAME.into(), version: crate::VERSION.into() },
        profile: profile.name.clone(),
        generated_at: crate::rundir::now_rfc3339(),
        policy: policy.clone(),
        catalogue: info.clone(),
        sites: sites.iter().map(|(entry, _)| entry.clone()).collect(),
        shard,
        method: Some(crate::rundir::Method {
            viewport: settings.viewport.to_string(),
            render: settings.render.unwrap_or(crate::options::RenderMode::Auto).to_string(),
            browser: browser.is_some(),
        }),
    };
    folder.dir.write_manifest(&manifest)?;
    let expired_acceptances = acceptances.expired;
    let pass_mark = policy.pass_mark;
    let analysis = Analysis {
        catalogue,
        thresholds: profile.thresholds.clone(),
        elder: profile.elder_rules(settings.elder_path.clone()),
        page_options: PageOptions { viewport: settings.viewport.0, ..PageOptions::default() },
        page_budget: Duration::from_secs(settings.page_budget_s),
    };
    let browser = browser.map(|mut browser| {
        if settings.out != Output::Stdout {
            browser.screenshots = Some(folder.dir.path().join("screens"));
        }
        browser
    });
    let progress = Arc::new(crate::progress::ProgressReporter::new(settings.verbosity(), console_lang));
    let stages = pipeline::Stages {
        sites,
        crawl,
        analysis,
        policy,
        acceptances,
        browser,
        catalogue: info,
        resolve: settings.resolve.clone(),
    };
    let finished = pipeline::run(stages, &folder.dir, progress)?;
    let ranks: Vec<crate::ranking::RankInput> = finished.iter().map(|s| s.rank.clone()).collect();
    folder.dir.write_summary(&crate::ranking::summarise(&ranks))?;
    // A run whose every site failed still writes its report (every site 无法检测, with why) and
    // stores the run: a nightly batch that found every site down has something to show (exit 3).
    let publishing = Publishing {
        out: settings.out.clone(),
        formats: settings.format.clone(),
        lang: settings.lang,
        // A shard's history is stored by the merge, once for the whole batch.
        db: settings.store().filter(|_| manifest.shard.is_none()),
        keep_runs: settings.keep_runs,
    };
    let (sites, store_notices) = publish(&folder.dir, &manifest, &publishing)?;
    Ok(RunOutcome { sites, results: folder.dir.path().to_path_buf(), pass_mark, expired_acceptances, store_notices })
}
