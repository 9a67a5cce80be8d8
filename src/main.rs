//! The `eldercheck` command line: arguments (and eldercheck.toml) in, exit code out. What each command
//! does lives in the library (`run` for `check`, `commands` for the rest).

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use eldercheck::commands;
use eldercheck::i18n;
use eldercheck::options::Problem;
use eldercheck::options::{
    self, CrawlSettings, Format, Output, Verbosity, DEFAULT_CONCURRENCY, DEFAULT_DB, DEFAULT_DELAY_MS, DEFAULT_FORMATS,
    DEFAULT_LANG, DEFAULT_MAX_BODY_MIB, DEFAULT_MAX_DEPTH, DEFAULT_OUT, DEFAULT_PAGE_BUDGET_S, DEFAULT_PROFILE,
    DEFAULT_RETRIES, DEFAULT_SITE_TIMEOUT_S, DEFAULT_TIMEOUT_S, DEFAULT_VIEWPORT,
};
use eldercheck::run::{CheckRequest, RunError, Verdict};
use eldercheck_checks::check::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Render reports again from a results folder (`<out>/results` of a run), in any language or format.
    Report {
        /// The results folder.
        results: PathBuf,
        #[command(flatten)]
        reports: ReportArgs,
    },
    /// List the check catalogue: id, family, impact, title (with a profile's custom checks).
    Checks {
        #[arg(long, default_value = DEFAULT_LANG)]
        lang: String,
        /// A profile whose custom checks are listed too.
        #[arg(long, default_value = DEFAULT_PROFILE)]
        profile: String,
    },
    /// Show a check's documentation: what, why it matters, example, how to fix.
    Explain {
        check_id: String,
        #[arg(long, default_value = DEFAULT_LANG)]
        lang: String,
        /// A profile whose custom checks can be explained.
        #[arg(long, default_value = DEFAULT_PROFILE)]
        profile: String,
    },
    /// Runs stored in the history database: date, score, grade, pages, findings, vetoes per site.
    History {
        /// Only sites whose URL or name contains this.
        site: Option<String>,
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// table or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Merge the results of a sharded batch (`check --sites LIST --shard K/N`) into one report and one stored run.
    Merge {
        /// Each shard's output folder (its --out) or its results folder.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        #[command(flatten)]
        reports: ReportArgs,
        /// History store for the merged run.
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// Do not store the merged run.
        #[arg(long)]
        no_db: bool,
        /// Keep only the newest N runs in the history store.
        #[arg(long)]
        keep_runs: Option<usize>,
        /// No summary on the console.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Baselines of accepted findings.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
}

/// Where and how reports are written (`report` and `merge`).
#[derive(clap::Args)]
struct ReportArgs {
    /// Where the reports are written; `-` prints JSON to stdout.
    #[arg(long, default_value = DEFAULT_OUT)]
    out: String,
    /// Output formats, comma-separated: html, json, csv, junit, sarif.
    #[arg(long, default_value = DEFAULT_FORMATS)]
    format: String,
    /// Report language: zh-CN or en.
    #[arg(long, default_value = DEFAULT_LANG)]
    lang: String,
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
    /// Where report.html, report.json, findings.csv and the results folder are written; `-` prints JSON to stdout.
    #[arg(long, default_value = DEFAULT_OUT)]
    out: String,
    /// Output formats, comma-separated: html, json, csv, junit, sarif.
    #[arg(long, default_value = DEFAULT_FORMATS)]
    format: String,
    /// Pages checked per site [crawls: 100; a local folder checks every page unless this is given].
    #[arg(long)]
    max_pages: Option<usize>,
    /// Link depth from the start URL (sitemap URLs count as depth 1).
    #[arg(long, default_value_t = DEFAULT_MAX_DEPTH)]
    max_depth: u32,
    /// Requests in flight in total (at most 2 per host).
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Minimum gap in milliseconds between two requests to one host (robots.txt Crawl-delay wins if larger).
    #[arg(long, default_value_t = DEFAULT_DELAY_MS)]
    delay_ms: u64,
    /// Timeout of one request, in seconds.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_S)]
    timeout_s: u64,
    /// Retries for timeouts, 5xx and 429 (with exponential backoff, Retry-After honoured).
    #[arg(long, default_value_t = DEFAULT_RETRIES)]
    retries: u32,
    /// Check only shard K (from 0) of N of the --sites list; `eldercheck merge` joins the shards' results.
    #[arg(long)]
    shard: Option<String>,
    /// Largest page or stylesheet read, in MiB.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_MIB)]
    max_body_mib: usize,
    /// CPU seconds a page may take to be parsed and checked; a page that needs more is reported as too complex.
    #[arg(long, default_value_t = DEFAULT_PAGE_BUDGET_S)]
    page_budget_s: u64,
    /// Seconds a site's crawl may take (default 30 minutes); pages not reached by then are counted as skipped.
    #[arg(long, default_value_t = DEFAULT_SITE_TIMEOUT_S)]
    site_timeout_s: u64,
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
    #[arg(long, default_value = DEFAULT_PROFILE)]
    profile: String,
    /// Mark pages whose URL contains this as elder pages (repeatable).
    #[arg(long)]
    elder_path: Vec<String>,
    /// Report language: zh-CN or en.
    #[arg(long, default_value = DEFAULT_LANG)]
    lang: String,
    /// The pass mark of this run: a site below it (or with a veto) is not passed and the run exits 1
    /// [default: the profile's pass mark, 60].
    #[arg(long)]
    fail_under: Option<f64>,
    /// Simulated screen for media queries: desktop (1280×800), mobile (390×844) or WIDTHxHEIGHT.
    #[arg(long, default_value = DEFAULT_VIEWPORT)]
    viewport: String,
    /// Run history store (SQLite): trends and changes since the previous run.
    #[arg(long, default_value = DEFAULT_DB)]
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
    /// Resolve HOST:PORT to ADDRESS instead of asking DNS (like curl's --resolve), repeatable:
    /// `www.example.gov.cn:443:10.0.0.5` checks a staging server under the real host name.
    #[arg(long, value_name = "HOST:PORT:ADDRESS")]
    resolve: Vec<String>,
    /// Run pages in headless Chromium before checking them: never; auto (home pages and pages built by
    /// scripts; the default when Chromium is found); always (every page). Also $ELDERCHECK_RENDER.
    #[arg(long, value_name = "never|auto|always")]
    render: Option<String>,
    /// The Chromium to render with [default: $CHROMIUM, then chromium, chromium-browser or google-chrome on PATH].
    #[arg(long, value_name = "PATH")]
    chromium: Option<PathBuf>,
    /// Seconds one page may take in the browser, from loading to the screenshot.
    #[arg(long, default_value_t = options::DEFAULT_RENDER_TIMEOUT_S)]
    render_timeout_s: u64,
    /// Browser tabs rendering at once [default: the number of CPU cores].
    #[arg(long)]
    render_tabs: Option<usize>,
    /// Longest a rendered page is watched after its load event, in milliseconds: it is read as soon as
    /// nothing is pending (requests, timers, moving boxes, DOM changes); late pop-ups are seen, and
    /// boxes that move in this time are floating windows or tickers.
    #[arg(long, default_value_t = options::DEFAULT_RENDER_SETTLE_MS)]
    render_settle_ms: u64,
    /// Open report.html in the default browser when the run is done.
    #[arg(long)]
    open: bool,
    /// No progress output.
    #[arg(short, long)]
    quiet: bool,
    /// Log every page.
    #[arg(short, long)]
    verbose: bool,
}

/// `--lang X` or `--lang=X` on the command line, read before the rest so that even argument errors
/// are told in the user's language.
fn lang_argument() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--lang=")
            .map(str::to_string)
            .or_else(|| (a == "--lang").then(|| args.get(i + 1).cloned()).flatten())
    })
}

/// An argument error from clap, in the console's language.
fn argument_error(error: &clap::Error, lang: Lang) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let table = i18n::strings(lang);
    let context = |kind: ContextKind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(list)) => list.join(", "),
        _ => String::new(),
    };
    let arg = context(ContextKind::InvalidArg);
    let key = match error.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => "invalid_value",
        ErrorKind::UnknownArgument => "unknown_argument",
        ErrorKind::InvalidSubcommand => "unknown_subcommand",
        ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::MissingRequiredArgument => "missing_value",
        ErrorKind::ArgumentConflict => "argument_conflict",
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => "too_many_values",
        _ => "other",
    };
    let subject = if key == "unknown_subcommand" { context(ContextKind::InvalidSubcommand) } else { arg };
    let first_line = error.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_string();
    let mut lines = vec![i18n::say(
        table,
        &["console", "cli", key],
        &[("arg", subject), ("value", context(ContextKind::InvalidValue)), ("message", first_line)],
    )];
    let suggestion = [context(ContextKind::SuggestedArg), context(ContextKind::SuggestedSubcommand)].join(" ");
    if !suggestion.trim().is_empty() {
        lines.push(i18n::say(
            table,
            &["console", "cli", "did_you_mean"],
            &[("suggestion", suggestion.trim().to_string())],
        ));
    }
    lines.push(i18n::say(table, &["console", "cli", "see_help"], &[]));
    lines.join("\n")
}

/// A panic is one line on the terminal, with page text made safe: the page it happened on becomes an
/// `internal` error entry (the analysis threads catch it) and the run goes on. `RUST_BACKTRACE=1`
/// keeps Rust's own report for developers.
fn install_panic_hook(console: Lang) {
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        return;
    }
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let message: String = message.chars().take(300).collect();
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let table = i18n::strings(console);
        eprintln!(
            "{}{}",
            i18n::say(table, &["console", "error_prefix"], &[]),
            i18n::say(table, &["console", "internal_error"], &[("place", place), ("message", message)])
        );
    }));
}

fn main() -> ExitCode {
    let console = i18n::console_lang(lang_argument().as_deref());
    install_panic_hook(console);
    let prefix = i18n::say(i18n::strings(console), &["console", "error_prefix"], &[]);
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            eprintln!("{prefix}{}", argument_error(&e, console));
            return ExitCode::from(2);
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("{prefix}{}", argument_error(&e, console));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Check(args) => {
            let given = |id: &str| {
                matches.subcommand_matches("check").and_then(|m| m.value_source(id))
                    == Some(clap::parser::ValueSource::CommandLine)
            };
            apply_config(*args, &given).and_then(|(args, config)| check(args, config, console))
        }
        Command::Report { results, reports: ReportArgs { out, format, lang } } => {
            render_again(&results, &out, &format, &lang, console).map(|()| ExitCode::SUCCESS)
        }
        Command::Checks { lang, profile } => {
            parse_lang(&lang).and_then(|lang| Ok(commands::list_checks(lang, &profile)?)).map(|()| ExitCode::SUCCESS)
        }
        Command::Explain { check_id, lang, profile } => parse_lang(&lang)
            .and_then(|lang| Ok(commands::explain(&check_id, lang, &profile)?))
            .map(|()| ExitCode::SUCCESS),
        Command::History { site, db, format } => {
            commands::history(site.as_deref(), &db, &format).map(|()| ExitCode::SUCCESS).map_err(Into::into)
        }
        Command::Merge { shards, reports, db, no_db, keep_runs, quiet } => {
            merge(shards, &reports, (!no_db).then_some(db), keep_runs, quiet, console)
        }
        Command::Baseline { action: BaselineAction::Write { report, out, reason } } => {
            commands::write_baseline(&report, &out, &reason, console).map(|()| ExitCode::SUCCESS).map_err(Into::into)
        }
    };
    result.unwrap_or_else(|error| {
        let text = match error.downcast_ref::<Problem>() {
            Some(problem) => problem.message(console),
            None => format!("{error:#}"),
        };
        eprintln!("{prefix}{text}");
        ExitCode::from(2)
    })
}

fn parse_lang(text: &str) -> Result<Lang> {
    Lang::parse(text).ok_or_else(|| Problem::BadLang(text.chars().take(20).collect()).into())
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
    set!(resolve, strings);
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
    set!(page_budget_s, integer, number);
    set!(site_timeout_s, integer, number);
    if !given("fail_under") {
        if let Some(v) = config.float("fail_under")? {
            args.fail_under = Some(v);
        }
    }
    Ok((args, Some(config)))
}

/// Parses `--resolve HOST:PORT:ADDRESS`.
fn parse_resolve(text: &str) -> Result<(String, std::net::SocketAddr), Problem> {
    let usage = || Problem::BadResolve(text.chars().take(80).collect());
    let (host, rest) = text.split_once(':').ok_or_else(usage)?;
    let (port, address) = rest.split_once(':').ok_or_else(usage)?;
    let port: u16 = port.parse().map_err(|_| usage())?;
    let address: std::net::IpAddr = address.trim_matches(['[', ']']).parse().map_err(|_| usage())?;
    Ok((host.to_ascii_lowercase(), std::net::SocketAddr::new(address, port)))
}

fn request(args: CheckArgs, config: Option<eldercheck::config::Config>) -> Result<CheckRequest> {
    let formats = Format::parse_list(&args.format)?;
    let (config_baseline, config_custom_checks, config_file) = match config {
        Some(c) => (c.baseline, c.custom_checks, Some(c.file)),
        None => (None, Vec::new(), None),
    };
    Ok(CheckRequest {
        targets: args.targets,
        sites_file: args.sites,
        output: if args.out == "-" { Output::Stdout } else { Output::Dir(PathBuf::from(&args.out)) },
        formats,
        crawl: CrawlSettings {
            max_pages: args.max_pages,
            max_depth: args.max_depth,
            concurrency: args.concurrency,
            delay: std::time::Duration::from_millis(args.delay_ms),
            timeout: std::time::Duration::from_secs(args.timeout_s.min(u64::MAX / 2)),
            retries: args.retries,
            max_body_mib: args.max_body_mib,
            site_timeout: std::time::Duration::from_secs(args.site_timeout_s.min(u64::MAX / 2)),
            respect_robots: !args.no_robots,
            include: args.include,
            exclude: args.exclude,
        },
        resolve: args.resolve.iter().map(|r| parse_resolve(r)).collect::<Result<_, _>>()?,
        profile: args.profile,
        config_custom_checks,
        config_file,
        elder_paths: args.elder_path,
        lang: parse_lang(&args.lang)?,
        // Set from the environment and --lang by main before the run.
        console_lang: parse_lang(&args.lang)?,
        fail_under: args.fail_under,
        viewport: options::parse_viewport(&args.viewport)?,
        page_budget: std::time::Duration::from_secs(args.page_budget_s.min(u64::MAX / 2)),
        render: options::RenderRequest {
            mode: args
                .render
                .or_else(|| std::env::var("ELDERCHECK_RENDER").ok().filter(|v| !v.trim().is_empty()))
                .map(|m| options::parse_render_mode(&m))
                .transpose()?,
            chromium: args.chromium,
            page_timeout: std::time::Duration::from_secs(args.render_timeout_s.clamp(1, 3600)),
            tabs: args.render_tabs.map(|n| n.clamp(1, 64)),
            settle: std::time::Duration::from_millis(args.render_settle_ms.min(60_000)),
        },
        shard: args
            .shard
            .as_deref()
            .map(|s| eldercheck::shard::Shard::parse(s).ok_or_else(|| Problem::BadShard(s.to_string())))
            .transpose()?,
        db: (!args.no_db).then_some(args.db),
        keep_runs: args.keep_runs,
        baseline_file: args.baseline,
        config_baseline,
        verbosity: if args.quiet {
            Verbosity::Quiet
        } else if args.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
    })
}

fn check(args: CheckArgs, config: Option<eldercheck::config::Config>, console: Lang) -> Result<ExitCode> {
    let request_open = args.open;
    let mut request = request(args, config)?;
    request.console_lang = console;
    let quiet = request.verbosity == Verbosity::Quiet;
    let out = match &request.output {
        Output::Dir(dir) => Some(dir.clone()),
        Output::Stdout => None,
    };
    let open = request_open;
    let outcome = match eldercheck::run::check(request) {
        Ok(outcome) => outcome,
        Err(RunError::Usage(problem)) => return Err(problem.into()),
        Err(RunError::NothingChecked) => return Err(Problem::NothingChecked.into()),
        Err(other) => return Err(other.into()),
    };
    if !quiet {
        commands::summarise(&outcome, out.as_deref(), console);
    }
    if open {
        if let Some(dir) = &out {
            commands::open_in_browser(&dir.join("report.html"));
        }
    }
    Ok(match outcome.verdict() {
        Verdict::Passed => ExitCode::SUCCESS,
        Verdict::Failed => ExitCode::from(1),
        Verdict::Incomplete => ExitCode::from(3),
    })
}

fn merge(
    shards: Vec<PathBuf>,
    reports: &ReportArgs,
    db: Option<PathBuf>,
    keep_runs: Option<usize>,
    quiet: bool,
    console: Lang,
) -> Result<ExitCode> {
    let ReportArgs { out, format, lang } = reports;
    let output = if out == "-" { Output::Stdout } else { Output::Dir(PathBuf::from(out)) };
    if let Some(keep) = keep_runs.filter(|k| !(1..=1_000_000).contains(k)) {
        return Err(Problem::Range { name: "--keep-runs", value: keep.to_string(), low: 1, high: 1_000_000 }.into());
    }
    let formats = Format::parse_list(format)?;
    if output == Output::Stdout && formats != [Format::Json] {
        return Err(Problem::OutStdout.into());
    }
    let request = eldercheck::merge::MergeRequest {
        shards,
        output: output.clone(),
        formats,
        lang: parse_lang(lang)?,
        console_lang: console,
        db,
        keep_runs,
        verbosity: if quiet { Verbosity::Quiet } else { Verbosity::Normal },
    };
    let outcome = match eldercheck::merge::merge(&request) {
        Ok(outcome) => outcome,
        Err(RunError::Usage(problem)) => return Err(problem.into()),
        Err(other) => return Err(other.into()),
    };
    if !quiet {
        let dir = match &output {
            Output::Dir(dir) => Some(dir.clone()),
            Output::Stdout => None,
        };
        commands::summarise(&outcome, dir.as_deref(), console);
    }
    Ok(match outcome.verdict() {
        Verdict::Passed => ExitCode::SUCCESS,
        Verdict::Failed => ExitCode::from(1),
        Verdict::Incomplete => ExitCode::from(3),
    })
}

fn render_again(results: &std::path::Path, out: &str, format: &str, lang: &str, console: Lang) -> Result<()> {
    let formats = Format::parse_list(format)?;
    Ok(commands::render_again(results, out, &formats, parse_lang(lang)?, console)?)
}
