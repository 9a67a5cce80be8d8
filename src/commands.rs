//! The commands, and what the console shows of them: `check` (its plan said, its run, its summary),
//! `merge`, `report`, `history`, `baseline write`, `checks`, `explain`.

use crate::config::Config;
use crate::i18n;
use crate::options::{Formats, Output, Problem};
use crate::report::{write_reports, Destination, WriteError};
use crate::run::{CheckRequest, Plan, Publishing, RunError, RunOutcome, Verdict};
use crate::score::SiteStatus;
use crate::settings::CheckSettings;
use eldercheck_checks::check::Lang;
use eldercheck_checks::{docs, Catalogue, Profile};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Problem(#[from] Problem),
    #[error(transparent)]
    Profile(#[from] eldercheck_checks::profile::ProfileError),
    #[error(transparent)]
    Results(#[from] crate::rundir::RunDirError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Store(#[from] crate::history::StoreError),
    #[error("cannot write to the console: {0}")]
    Console(#[from] std::io::Error),
}

/// The request of `eldercheck check`: the command line's settings (and the environment's, which
/// `given` tells apart from defaults) over eldercheck.toml's (or `--config FILE`'s).
pub fn check_request(cli: CheckSettings, given: &clap::ArgMatches, console: Lang) -> Result<CheckRequest, Problem> {
    let config = Config::load(cli.config.as_deref())?;
    let settings = crate::settings::merge(&cli, given, config.options.clone(), &config.name())?;
    Ok(CheckRequest { settings, config, console_lang: console })
}

/// `eldercheck check`: the plan's notices, the run, the store's notices, the summary, `--open`.
pub fn check(request: CheckRequest) -> Result<Verdict, RunError> {
    let console = request.console_lang;
    let plan = crate::run::plan(request)?;
    announce(&plan);
    let (quiet, open) = (plan.settings.quiet, plan.settings.open);
    let out = plan.settings.out.dir().map(Path::to_path_buf);
    let outcome = crate::run::execute(plan)?;
    say_store_notices(&outcome, console);
    if !quiet {
        summarise(&outcome, out.as_deref(), console);
    }
    if let (true, Some(dir)) = (open, &out) {
        open_in_browser(&dir.join("report.html"));
    }
    Ok(outcome.verdict())
}

/// `eldercheck merge`: the shards' results as one report and one stored run.
pub fn merge(shards: Vec<PathBuf>, publishing: Publishing, quiet: bool, console: Lang) -> Result<Verdict, RunError> {
    if let Some(keep) = publishing.keep_runs.filter(|k| !(1..=1_000_000).contains(k)) {
        let value = keep.to_string();
        return Err(RunError::Usage(Problem::Range { name: "--keep-runs", value, low: 1, high: 1_000_000 }));
    }
    if publishing.out == Output::Stdout && !publishing.formats.only_json() {
        return Err(RunError::Usage(Problem::OutStdout));
    }
    let out = publishing.out.dir().map(Path::to_path_buf);
    let request = crate::merge::MergeRequest { shards, publishing, console_lang: console };
    let outcome = crate::merge::merge(&request)?;
    say_store_notices(&outcome, console);
    if !quiet {
        summarise(&outcome, out.as_deref(), console);
    }
    Ok(outcome.verdict())
}

/// What a plan says before the run: targets skipped or guessed (even with `-q`: they change what is
/// checked), and that pages are checked statically for want of a browser.
pub fn announce(plan: &Plan) {
    let lang = plan.console_lang;
    let console = i18n::strings(lang);
    let prefix = i18n::say(console, &["console", "error_prefix"], &[]);
    for problem in &plan.problems {
        let reason = problem.message(lang);
        let target = match problem {
            Problem::MissingPath(p) | Problem::NotHtml(p) | Problem::NotUrl(p) => p.clone(),
            Problem::Io { path, .. } => path.clone(),
            Problem::DidYouMean { target, .. } => target.clone(),
            _ => String::new(),
        };
        let line = if target.is_empty() {
            reason
        } else {
            i18n::say(console, &["console", "skipped_target"], &[("target", target), ("reason", reason)])
        };
        eprintln!("{prefix}{line}");
    }
    for (key, values) in &plan.notes {
        eprintln!("{}", i18n::say(console, &["console", key], values));
    }
    for (target, url) in &plan.guessed_urls {
        let values = [("target", target.clone()), ("url", url.clone())];
        eprintln!("{prefix}{}", i18n::say(console, &["console", "guessed_url"], &values));
    }
    if plan.browser_missing && !plan.settings.quiet {
        eprintln!("{}", i18n::say(console, &["console", "no_chromium_notice"], &[]));
    }
}

/// What the history store had to say.
fn say_store_notices(outcome: &RunOutcome, lang: Lang) {
    let console = i18n::strings(lang);
    for notice in &outcome.store_notices {
        eprintln!(
            "{}{}",
            i18n::say(console, &["console", "error_prefix"], &[]),
            i18n::say(console, &["console", notice.key], &[("error", notice.error.clone())])
        );
    }
}

/// The console summary: one line a site (a count for large batches), and where the report is.
pub fn summarise(outcome: &RunOutcome, out: Option<&Path>, lang: Lang) {
    const LISTED: usize = 20;
    let t = i18n::strings(lang);
    let say = |key: &str, values: &[(&str, String)]| i18n::say(t, &["console", key], values);
    let prefix = say("error_prefix", &[]);
    if outcome.expired_acceptances > 0 {
        eprintln!("{prefix}{}", say("expired", &[("n", outcome.expired_acceptances.to_string())]));
    }
    if let Some(signal) = crate::interrupt::requested() {
        eprintln!("{prefix}{}", say("run_interrupted", &[("signal", crate::interrupt::name(signal).to_string())]));
    }
    let result_word = |site: &crate::run::SiteLine| match (site.status, site.passed) {
        (SiteStatus::NotChecked, _) => i18n::say(t, &["not_checked"], &[]),
        (SiteStatus::Incomplete, _) => i18n::say(
            t,
            &["incomplete"],
            &[("checked", site.pages_checked.to_string()), ("requested", site.pages_requested.to_string())],
        ),
        (SiteStatus::Checked, true) => i18n::say(t, &["passed"], &[]),
        (SiteStatus::Checked, false) => i18n::say(t, &["failed"], &[]),
    };
    for site in outcome.sites.iter().take(LISTED) {
        let mut line = say(
            "site_line",
            &[
                ("name", site.name.clone()),
                ("score", site.score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"))),
                ("grade", crate::score::grade_letter(site.grade)),
                ("result", result_word(site)),
                ("mark", format!("{}", outcome.pass_mark)),
                ("pages", site.pages_checked.to_string()),
                ("issues", site.issues.to_string()),
                ("findings", site.findings.to_string()),
            ],
        );
        if site.accepted > 0 {
            // The exit code is judged without them: the line says so, so that 未达标 and exit 0 agree.
            let result = i18n::say(t, &[if site.passed_with_accepted { "passed" } else { "failed" }], &[]);
            line.push_str(&say("accepted_part", &[("n", site.accepted.to_string()), ("result", result)]));
        }
        if site.vetoes > 0 {
            line.push_str(&say("vetoes_part", &[("n", site.vetoes.to_string())]));
        }
        if let Some(error) = site.first_error.as_ref().filter(|_| site.status != SiteStatus::Checked) {
            let explained = crate::explain::explain(&error.kind, &error.message, t);
            line.push_str(&say("reason_part", &[("what", explained.what), ("todo", explained.todo)]));
        }
        eprintln!("{line}");
    }
    if outcome.sites.len() > LISTED {
        let passed = outcome.sites.iter().filter(|s| s.passed).count();
        let unchecked = outcome.sites.iter().filter(|s| s.status != SiteStatus::Checked).count();
        eprintln!(
            "{}",
            say(
                "more_sites",
                &[
                    ("n", outcome.sites.len().to_string()),
                    ("passed", passed.to_string()),
                    ("failed", (outcome.sites.len() - passed - unchecked).to_string()),
                    ("unchecked", unchecked.to_string()),
                ]
            )
        );
    }
    if let Some(dir) = out {
        let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        eprintln!("{}", say("report_written", &[("path", shown.join("report.html").display().to_string())]));
    }
}

/// Opens a file in the desktop's default browser (`--open`); a missing opener is not an error.
pub fn open_in_browser(path: &Path) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let _ = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// `eldercheck report RESULTS`: the reports of a results folder, written again.
pub fn write_again(
    results: &Path,
    out: &Output,
    formats: &Formats,
    lang: Lang,
    console: Lang,
) -> Result<(), CommandError> {
    let dir = crate::rundir::RunDir::open(results)?;
    if let Some(out) = out.dir() {
        write_reports(&dir, lang, &formats.0, Destination::Dir(out))?;
        let out = out.to_path_buf();
        let shown = std::path::absolute(&out).unwrap_or(out).join("report.html");
        eprintln!(
            "{}",
            i18n::say(i18n::strings(console), &["console", "report_written"], &[("path", shown.display().to_string())])
        );
    }
    Ok(())
}

/// `eldercheck history`: stored runs as a table (in the console's language, Beijing time) or JSON
/// (as stored: UTC times).
pub fn history(site: Option<&str>, db: &Path, format: &str, console: Lang) -> Result<(), CommandError> {
    if !db.exists() {
        return Err(CommandError::Usage(format!(
            "no history store at {} (runs are stored there unless --no-db is given)",
            db.display()
        )));
    }
    let store = crate::history::Store::open(db)?;
    let rows = store.history(site)?;
    let mut out = std::io::stdout().lock();
    match format {
        "json" => {
            let text = serde_json::to_string_pretty(&rows).map_err(std::io::Error::from)?;
            writeln!(out, "{text}")?;
        }
        "table" => {
            let t = i18n::strings(console);
            if rows.is_empty() {
                eprintln!("{}", i18n::say(t, &["console", "history_none"], &[("path", db.display().to_string())]));
                return Ok(());
            }
            let headings: Vec<String> =
                (0..9).map(|i| t["console"]["history_columns"][i].as_str().unwrap_or_default().to_string()).collect();
            let mut table = vec![headings];
            for r in rows {
                table.push(vec![
                    r.run.to_string(),
                    i18n::beijing_time(&r.generated_at, &t["console"], "history_time"),
                    r.score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}")),
                    r.grade,
                    r.pages.to_string(),
                    r.findings.to_string(),
                    r.accepted.to_string(),
                    r.vetoes.to_string(),
                    format!("{} {}", r.name, r.site),
                ]);
            }
            for line in aligned(&table) {
                writeln!(out, "{line}")?;
            }
        }
        other => return Err(CommandError::Usage(format!("--format {other}: use table or json"))),
    }
    Ok(())
}

/// Rows as lines of columns padded to the widest cell, by the columns a terminal gives each
/// character (a Chinese character takes two); the last column is not padded.
fn aligned(rows: &[Vec<String>]) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| cell.width()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let cell = i18n::terminal_safe(cell);
                line.push_str(&cell);
                if c + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[c].saturating_sub(cell.width()) + 2));
                }
            }
            line
        })
        .collect()
}

/// `eldercheck baseline write REPORT`: accepts every failed issue of a report.json.
pub fn write_baseline(report: &Path, out: &Path, reason: &str, console: Lang) -> Result<(), CommandError> {
    let baseline = crate::baseline::Baseline::from_report_file(report, reason).map_err(CommandError::Usage)?;
    let toml = toml::to_string_pretty(&baseline)
        .map_err(|e| CommandError::Usage(format!("cannot write the baseline: {e}")))?;
    std::fs::write(out, toml).map_err(|e| CommandError::Usage(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "{}",
        i18n::say(
            i18n::strings(console),
            &["console", "baseline_written"],
            &[("n", baseline.accepted.len().to_string()), ("path", out.display().to_string())]
        )
    );
    Ok(())
}

fn catalogue(profile: &str) -> Result<Catalogue, CommandError> {
    Ok(Catalogue::for_profile(&Profile::load(profile)?)?)
}

/// `eldercheck checks`: the catalogue, a check a line.
pub fn list_checks(lang: Lang, profile: &str) -> Result<(), CommandError> {
    let catalogue = catalogue(profile)?;
    let mut out = std::io::stdout().lock();
    let headings = &i18n::strings(lang)["console"]["checks_columns"];
    let mut rows: Vec<Vec<String>> =
        vec![(0..4).map(|i| headings[i].as_str().unwrap_or_default().to_string()).collect()];
    for check in catalogue.all() {
        let m = check.meta();
        let mode = if check.needs_browser() {
            if lang == Lang::En {
                " (rendered mode only)"
            } else {
                "（仅渲染模式）"
            }
        } else {
            ""
        };
        rows.push(vec![
            m.id.to_string(),
            m.family.title().get(lang).to_string(),
            m.impact.title().get(lang).to_string(),
            format!("{}{mode}", m.title.get(lang)),
        ]);
    }
    for line in aligned(&rows) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `eldercheck explain ID`: a check's documentation, as terminal text.
pub fn explain(id: &str, lang: Lang, profile: &str) -> Result<(), CommandError> {
    let catalogue = catalogue(profile)?;
    let Some(check) = catalogue.find(id) else {
        let t = i18n::strings(lang);
        let ids: Vec<String> = catalogue.all().map(|c| c.meta().id.to_string()).collect();
        let mut message = i18n::say(t, &["console", "usage", "unknown_check"], &[("id", id.to_string())]);
        let closest = ids
            .iter()
            .map(|candidate| (crate::options::levenshtein(id, candidate), candidate))
            .filter(|(distance, candidate)| *distance <= 3 || candidate.contains(id) || id.contains(candidate.as_str()))
            .min_by_key(|(distance, _)| *distance);
        match closest {
            Some((_, suggestion)) => {
                message.push(' ');
                message.push_str(&i18n::say(
                    t,
                    &["console", "usage", "closest_check"],
                    &[("suggestion", suggestion.clone())],
                ));
            }
            None => {
                message.push(' ');
                message.push_str(&i18n::say(t, &["console", "usage", "all_checks"], &[("ids", ids.join(", "))]));
            }
        }
        return Err(CommandError::Usage(message));
    };
    print!("{}", terminal_text(&docs::explain(check.meta(), lang)));
    Ok(())
}

/// Markdown as terminal text: headings underlined, code spans in corner brackets, no markup left.
pub fn terminal_text(markdown: &str) -> String {
    let mut out = String::new();
    for line in markdown.lines() {
        let (heading, body) = match line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            Some(h) => (true, h),
            None => (false, line),
        };
        let text: String = body
            .split('`')
            .enumerate()
            .map(|(i, part)| if i % 2 == 1 { format!("「{part}」") } else { part.replace("**", "") })
            .collect();
        if heading {
            out.push('\n');
            out.push_str(&text);
            out.push('\n');
            out.push_str(&"─".repeat(text.chars().count().clamp(4, 40) * 2));
            out.push('\n');
        } else {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}
