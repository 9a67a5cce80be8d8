//! The `eldercheck` command line.

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use eldercheck::crawl::fetch::FetchConfig;
use eldercheck::crawl::sites::parse_site_list;
use eldercheck::crawl::{CrawlOptions, SiteTarget};
use eldercheck::engine::EngineSettings;
use eldercheck::progress::Progress;
use eldercheck::report::csv;
use eldercheck::run::{run_local, LocalRun};
use eldercheck_checks::check::Lang;
use eldercheck_checks::page::style::Viewport;
use eldercheck_checks::page::PageOptions;
use eldercheck_checks::{docs, Profile};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "eldercheck",
    version,
    about = "Checks websites against the MIIT elderly-friendly (适老化) criteria and WCAG 2.1 AA"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check websites (crawled politely) or local HTML files and folders.
    Check(Box<CheckArgs>),
    /// List the check catalogue: id, family, impact, title (with a profile's custom checks).
    Checks {
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        /// A profile whose custom checks are listed too.
        #[arg(long, default_value = "miit-web")]
        profile: String,
    },
    /// Show a check's documentation: what, why it matters, example, how to fix.
    Explain {
        check_id: String,
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        /// A profile whose custom checks can be explained.
        #[arg(long, default_value = "miit-web")]
        profile: String,
    },
    /// Runs stored in the history database: date, score, grade, pages, findings, vetoes per site.
    History {
        /// Only sites whose URL or name contains this.
        site: Option<String>,
        #[arg(long, default_value = "eldercheck.db")]
        db: PathBuf,
        /// table or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Baselines of accepted findings.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
}

#[derive(Subcommand)]
enum BaselineAction {
    /// Write a baseline that accepts every failed finding of a report.json.
    Write {
        /// The report.json of the run to accept.
        report: PathBuf,
        /// Where to write the baseline.
        #[arg(long, default_value = "eldercheck-baseline.toml")]
        out: PathBuf,
        /// The reason recorded for every entry.
        #[arg(long, default_value = "accepted when the baseline was written")]
        reason: String,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// http(s) URLs to crawl, local .html files, or folders (a folder is one site of every .html/.htm under it).
    targets: Vec<String>,
    /// Batch: a file with one site URL a line, or CSV with the header url,name[,group].
    #[arg(long)]
    sites: Option<PathBuf>,
    /// Where report.json and findings.csv are written; `-` prints JSON to stdout.
    #[arg(long, default_value = "eldercheck-report")]
    out: String,
    /// Output formats, comma-separated: html, json, csv, junit, sarif.
    #[arg(long, default_value = "html,json,csv")]
    format: String,
    /// Pages checked per site [crawls: 100; a local folder checks every page unless this is given].
    #[arg(long)]
    max_pages: Option<usize>,
    /// Link depth from the start URL (sitemap URLs count as depth 1).
    #[arg(long, default_value_t = 3)]
    max_depth: u32,
    /// Requests in flight in total (at most 2 per host).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Minimum gap in milliseconds between two requests to one host (robots.txt Crawl-delay wins if larger).
    #[arg(long, default_value_t = 250)]
    delay_ms: u64,
    /// Timeout of one request, in seconds.
    #[arg(long, default_value_t = 20)]
    timeout_s: u64,
    /// Retries for timeouts, 5xx and 429 (with exponential backoff, Retry-After honoured).
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// Largest page or stylesheet read, in MiB.
    #[arg(long, default_value_t = 5)]
    max_body_mib: usize,
    /// Ignore robots.txt (for owners checking their own site).
    #[arg(long)]
    no_robots: bool,
    /// Only URLs (or local paths) that match (repeatable).
    #[arg(long)]
    include: Vec<String>,
    /// Skip URLs (or local paths) that match (repeatable).
    #[arg(long)]
    exclude: Vec<String>,
    /// Criteria profile: miit-web, wcag-aa, or a custom profile's .toml file.
    #[arg(long, default_value = "miit-web")]
    profile: String,
    /// Mark pages whose URL contains this as elder pages (repeatable).
    #[arg(long)]
    elder_path: Vec<String>,
    /// Report language: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
    /// Exit 1 if a site scores below this or has a veto [default: the profile's pass mark, 60].
    #[arg(long)]
    fail_under: Option<f64>,
    /// Simulated screen for media queries: desktop (1280×800), mobile (390×844) or WIDTHxHEIGHT.
    #[arg(long, default_value = "desktop")]
    viewport: String,
    /// Run history store (SQLite): trends and changes since the previous run.
    #[arg(long, default_value = "eldercheck.db")]
    db: PathBuf,
    /// Do not read or write the history store.
    #[arg(long)]
    no_db: bool,
    /// Keep only the newest N runs in the history store.
    #[arg(long)]
    keep_runs: Option<usize>,
    /// Options from this file instead of ./eldercheck.toml (command-line options win).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Accepted findings (TOML: [[accepted]] key, reason, expires); they do not fail the run.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// No progress output.
    #[arg(short, long)]
    quiet: bool,
    /// Log every page.
    #[arg(short, long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Check(args) => {
            let given = |id: &str| {
                matches.subcommand_matches("check").and_then(|m| m.value_source(id))
                    == Some(clap::parser::ValueSource::CommandLine)
            };
            apply_config(*args, &given).and_then(|(args, config)| check(args, config))
        }
        Command::Checks { lang, profile } => list_checks(&lang, &profile).map(|()| ExitCode::SUCCESS),
        Command::Explain { check_id, lang, profile } => explain(&check_id, &lang, &profile).map(|()| ExitCode::SUCCESS),
        Command::History { site, db, format } => history(site.as_deref(), &db, &format).map(|()| ExitCode::SUCCESS),
        Command::Baseline { action: BaselineAction::Write { report, out, reason } } => {
            write_baseline(&report, &out, &reason).map(|()| ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|error| {
        eprintln!("eldercheck: {error:#}");
        ExitCode::from(2)
    })
}

fn parse_lang(text: &str) -> Result<Lang> {
    Lang::parse(text).with_context(|| format!("unknown language {text:?}: use zh-CN or en"))
}

fn parse_viewport(text: &str) -> Result<Viewport> {
    match text {
        "desktop" => Ok(Viewport::DESKTOP),
        "mobile" => Ok(Viewport::MOBILE),
        other => {
            let (w, h) = other
                .split_once(['x', '×'])
                .with_context(|| format!("viewport {other:?}: use desktop, mobile or WIDTHxHEIGHT"))?;
            let width: f32 = w.trim().parse().with_context(|| format!("viewport width {w:?}"))?;
            let height: f32 = h.trim().parse().with_context(|| format!("viewport height {h:?}"))?;
            if width < 1.0 || height < 1.0 {
                bail!("viewport {other:?} must be at least 1×1");
            }
            Ok(Viewport { width, height })
        }
    }
}

/// Fills options not given on the command line from eldercheck.toml (or `--config FILE`).
fn apply_config(
    mut args: CheckArgs,
    given: &dyn Fn(&str) -> bool,
) -> Result<(CheckArgs, Option<eldercheck::config::Config>)> {
    let Some(config) = eldercheck::config::Config::load(args.config.as_deref())? else { return Ok((args, None)) };
    macro_rules! set {
        ($field:ident, $getter:ident) => {
            if !given(stringify!($field)) {
                if let Some(v) = config.$getter(stringify!($field))? {
                    args.$field = v.into();
                }
            }
        };
        ($field:ident, $getter:ident, option) => {
            if !given(stringify!($field)) {
                if let Some(v) = config.$getter(stringify!($field))? {
                    args.$field = Some(v.try_into().map_err(|_| {
                        anyhow::anyhow!("{}: {} is too large", config.file.display(), stringify!($field))
                    })?);
                }
            }
        };
        ($field:ident, $getter:ident, number) => {
            if !given(stringify!($field)) {
                if let Some(v) = config.$getter(stringify!($field))? {
                    args.$field = v.try_into().map_err(|_| {
                        anyhow::anyhow!("{}: {} is too large", config.file.display(), stringify!($field))
                    })?;
                }
            }
        };
    }
    if !given("targets") {
        if let Some(targets) = config.strings("targets")? {
            args.targets = targets;
        }
    }
    if !given("sites") {
        if let Some(s) = config.string("sites")? {
            args.sites = Some(PathBuf::from(s));
        }
    }
    if !given("baseline") {
        if let Some(s) = config.string("baseline")? {
            args.baseline = Some(PathBuf::from(s));
        }
    }
    if !given("db") {
        if let Some(s) = config.string("db")? {
            args.db = PathBuf::from(s);
        }
    }
    set!(out, string);
    set!(format, string);
    set!(profile, string);
    set!(lang, string);
    set!(viewport, string);
    set!(include, strings);
    set!(exclude, strings);
    set!(elder_path, strings);
    set!(no_robots, boolean);
    set!(no_db, boolean);
    set!(quiet, boolean);
    set!(verbose, boolean);
    set!(max_pages, integer, option);
    set!(keep_runs, integer, option);
    set!(max_depth, integer, number);
    set!(concurrency, integer, number);
    set!(delay_ms, integer, number);
    set!(timeout_s, integer, number);
    set!(retries, integer, number);
    set!(max_body_mib, integer, number);
    if !given("fail_under") {
        if let Some(v) = config.float("fail_under")? {
            args.fail_under = Some(v);
        }
    }
    Ok((args, Some(config)))
}

fn check(args: CheckArgs, config: Option<eldercheck::config::Config>) -> Result<ExitCode> {
    let is_url = |t: &str| {
        let lower = t.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    };
    let mut sites: Vec<SiteTarget> = args
        .targets
        .iter()
        .filter(|t| is_url(t))
        .map(|t| SiteTarget { url: t.clone(), name: None, group: None })
        .collect();
    if let Some(list) = &args.sites {
        let bytes = std::fs::read(list).with_context(|| format!("cannot read the site list {}", list.display()))?;
        let listed = parse_site_list(&String::from_utf8_lossy(&bytes));
        if listed.is_empty() {
            bail!("the site list {} has no sites", list.display());
        }
        sites.extend(listed);
    }
    let local: Vec<PathBuf> = args.targets.iter().filter(|t| !is_url(t)).map(PathBuf::from).collect();
    if local.is_empty() && sites.is_empty() {
        bail!("nothing to check: give URLs, .html files or folders, or --sites FILE");
    }
    let lang = parse_lang(&args.lang)?;
    // A bad profile stops the run before anything is fetched (exit 2).
    let mut profile = Profile::load(&args.profile)?;
    let (config_baseline, config_checks, config_file) = match config {
        Some(c) => (c.baseline, c.custom_checks, c.file.display().to_string()),
        None => (None, Vec::new(), String::new()),
    };
    profile.add_custom_checks(&config_checks, &config_file)?;
    let formats: Vec<String> =
        args.format.split(',').map(|f| f.trim().to_ascii_lowercase()).filter(|f| !f.is_empty()).collect();
    for format in &formats {
        match format.as_str() {
            "html" | "json" | "csv" | "junit" | "sarif" => {}
            other => bail!("--format {other}: unknown format (html, json, csv, junit, sarif)"),
        }
    }
    if args.out == "-" && formats != ["json"] {
        bail!("--out - prints JSON to stdout: use it with --format json");
    }
    let compile = |patterns: &[String], flag: &str| -> Result<Vec<regex::Regex>> {
        patterns
            .iter()
            .map(|p| regex::Regex::new(p).with_context(|| format!("{flag} {p:?} is not a valid regular expression")))
            .collect()
    };
    let include = compile(&args.include, "--include")?;
    let exclude = compile(&args.exclude, "--exclude")?;
    if args.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let crawl = CrawlOptions {
        max_pages: args.max_pages.unwrap_or(100),
        max_depth: args.max_depth,
        respect_robots: !args.no_robots,
        include: include.clone(),
        exclude: exclude.clone(),
        fetch: FetchConfig {
            timeout: Duration::from_secs(args.timeout_s.max(1)),
            max_body_bytes: args.max_body_mib.max(1) * 1024 * 1024,
            retries: args.retries,
            delay: Duration::from_millis(args.delay_ms),
            concurrency: args.concurrency,
            ..FetchConfig::default()
        },
    };
    let pass_mark = profile.pass_mark;
    let baseline = eldercheck::config::merge_baselines(
        config_baseline,
        args.baseline.as_deref().map(eldercheck::baseline::Baseline::load).transpose()?,
    );
    let run = LocalRun {
        baseline,
        targets: local,
        sites,
        crawl,
        max_pages: args.max_pages,
        include,
        exclude,
        settings: EngineSettings {
            profile,
            page_options: PageOptions { viewport: parse_viewport(&args.viewport)?, ..PageOptions::default() },
            elder_patterns: args.elder_path,
            lang,
        },
        progress: if args.quiet {
            Progress::Quiet
        } else if args.verbose {
            Progress::Verbose
        } else {
            Progress::Normal
        },
    };
    let (mut report, problems) = run_local(&run);
    for problem in &problems {
        eprintln!("eldercheck: skipped {}: {}", problem.target, problem.error);
    }
    let pages_checked: usize = report.sites.iter().map(|s| s.summary.pages_checked).sum();
    if report.sites.is_empty() || pages_checked == 0 {
        if args.out == "-" {
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        bail!("nothing could be checked");
    }
    // History is an addition: a store that cannot be used is reported, and the run still reports.
    let store = if args.no_db {
        None
    } else {
        eldercheck::run::attach_history(&mut report, &args.db).map_err(|e| eprintln!("eldercheck: {e}")).ok()
    };
    let report = report;
    let keep_runs = args.keep_runs;
    // The run is stored while the report files are written.
    std::thread::scope(|scope| -> Result<()> {
        let report = &report;
        let saving = store.map(|mut store| {
            scope.spawn(move || {
                let result = store.save(report).and_then(|_| keep_runs.map_or(Ok(0), |keep| store.prune(keep)));
                if let Err(e) = result {
                    eprintln!("eldercheck: {e}");
                }
            })
        });
        write_outputs(&args.out, &formats, report, pass_mark, args.quiet)?;
        if let Some(handle) = saving {
            let _ = handle.join();
        }
        Ok(())
    })?;
    let fail_under = args.fail_under.unwrap_or(pass_mark);
    Ok(if report.all_passed(fail_under) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Writes the report files (or JSON to stdout with `--out -`).
fn write_outputs(
    out_arg: &str,
    formats: &[String],
    report: &eldercheck::report::Report,
    pass_mark: f64,
    quiet: bool,
) -> Result<()> {
    if out_arg == "-" {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
        stdout.flush()?;
    } else {
        let dir = PathBuf::from(out_arg);
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        if formats.iter().any(|f| f == "json") {
            let path = dir.join("report.json");
            // Streamed, so that a large crawl's report is never held twice in memory.
            write_file(&path, |w| Ok(serde_json::to_writer_pretty(w, &report)?))?;
        }
        if formats.iter().any(|f| f == "csv") {
            let path = dir.join("findings.csv");
            write_file(&path, |w| Ok(csv::write(w, report)?))?;
        }
        if formats.iter().any(|f| f == "html") {
            let html = eldercheck::report::html::render(report, pass_mark)?;
            write_file(&dir.join("report.html"), |w| Ok(w.write_all(html.as_bytes())?))?;
        }
        if formats.iter().any(|f| f == "junit") {
            write_file(&dir.join("report.junit.xml"), |w| Ok(eldercheck::report::junit::write(w, report)?))?;
        }
        if formats.iter().any(|f| f == "sarif") {
            let sarif = eldercheck::report::sarif::to_value(report);
            write_file(&dir.join("report.sarif"), |w| Ok(serde_json::to_writer_pretty(w, &sarif)?))?;
        }
        if !quiet {
            for site in &report.sites {
                let score = site.score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"));
                eprintln!(
                    "{}: score {score}, grade {:?}, {}, {} pages, {} findings, {} vetoes",
                    site.name,
                    site.grade,
                    if site.passed { "passed" } else { "not passed" },
                    site.summary.pages_checked,
                    site.summary.findings,
                    site.vetoes.len()
                );
            }
            eprintln!("report written to {}", dir.display());
        }
    }
    Ok(())
}

/// Writes a file through a buffer, naming the file in any error.
fn write_file(path: &std::path::Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    write(&mut writer).with_context(|| format!("cannot write {}", path.display()))?;
    writer.flush().with_context(|| format!("cannot write {}", path.display()))
}

fn history(site: Option<&str>, db: &std::path::Path, format: &str) -> Result<()> {
    if !db.exists() {
        bail!("no history store at {} (runs are stored there unless --no-db is given)", db.display());
    }
    let store = eldercheck::store::Store::open(db)?;
    let rows = store.history(site)?;
    let mut out = std::io::stdout().lock();
    match format {
        "json" => writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?,
        "table" => {
            writeln!(
                out,
                "{:<5} {:<26} {:>6} {:<5} {:>6} {:>8} {:>6}  site",
                "run", "date", "score", "grade", "pages", "findings", "vetoes"
            )?;
            for r in rows {
                let score = r.score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"));
                writeln!(
                    out,
                    "{:<5} {:<26} {:>6} {:<5} {:>6} {:>8} {:>6}  {}",
                    r.run,
                    r.generated_at.chars().take(25).collect::<String>(),
                    score,
                    r.grade,
                    r.pages,
                    r.findings,
                    r.vetoes,
                    r.site
                )?;
            }
        }
        other => bail!("--format {other}: use table or json"),
    }
    Ok(())
}

fn write_baseline(report: &std::path::Path, out: &std::path::Path, reason: &str) -> Result<()> {
    let text = std::fs::read(report).with_context(|| format!("cannot read {}", report.display()))?;
    let json: serde_json::Value =
        serde_json::from_slice(&text).with_context(|| format!("{} is not a report.json", report.display()))?;
    let baseline = eldercheck::baseline::Baseline::from_report_json(&json, reason);
    let toml = toml::to_string_pretty(&baseline).context("cannot write the baseline")?;
    std::fs::write(out, toml).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("{} accepted findings written to {}", baseline.accepted.len(), out.display());
    Ok(())
}

fn list_checks(lang: &str, profile: &str) -> Result<()> {
    let lang = parse_lang(lang)?;
    let profile = Profile::load(profile)?;
    let mut out = std::io::stdout().lock();
    for check in profile.checks() {
        let m = check.meta();
        writeln!(out, "{:<26} {:<9} {:<9} {}", m.id, m.family.id(), m.impact.id(), m.title.get(lang))?;
    }
    Ok(())
}

fn explain(id: &str, lang: &str, profile: &str) -> Result<()> {
    let lang = parse_lang(lang)?;
    let profile = Profile::load(profile)?;
    let Some(check) = profile.checks().find(|c| c.meta().id == id) else {
        let ids: Vec<&str> = profile.checks().map(|c| c.meta().id).collect();
        bail!("no check with id {id:?}; the checks are: {}", ids.join(", "));
    };
    print!("{}", docs::explain(check.meta(), lang));
    Ok(())
}
