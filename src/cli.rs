//! The command line's shape: subcommands and their arguments (`check`'s are the library's
//! [`CheckSettings`]), and argument errors told in the console's language.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use eldercheck::checks::check::Lang;
use eldercheck::i18n;
use eldercheck::options::{Formats, Output, DEFAULT_DB, DEFAULT_FORMATS, DEFAULT_LANG, DEFAULT_OUT, DEFAULT_PROFILE};
use eldercheck::settings::{self, CheckSettings};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "eldercheck",
    version,
    about = "Checks websites against the MIIT elderly-friendly (适老化) criteria and WCAG 2.1 AA"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check websites (crawled politely) or local HTML files and folders.
    Check(Box<CheckSettings>),
    /// Write reports again from a results folder (`<out>/results` of a run), in any language or format.
    Report {
        /// The results folder.
        results: PathBuf,
        #[command(flatten)]
        reports: ReportArgs,
    },
    /// List the check catalogue: id, family, impact, title (with a profile's custom checks).
    Checks {
        #[arg(long, default_value = DEFAULT_LANG, value_parser = eldercheck::options::parse_lang)]
        lang: Lang,
        /// A profile whose custom checks are listed too.
        #[arg(long, default_value = DEFAULT_PROFILE)]
        profile: String,
    },
    /// Show a check's documentation: what, why it matters, example, how to fix.
    Explain {
        check_id: String,
        #[arg(long, default_value = DEFAULT_LANG, value_parser = eldercheck::options::parse_lang)]
        lang: Lang,
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
        #[command(flatten)]
        store: StoreArgs,
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
pub struct ReportArgs {
    /// Where the reports are written; `-` prints JSON to stdout.
    #[arg(long, default_value = DEFAULT_OUT)]
    pub out: Output,
    /// Output formats, comma-separated: html, json, csv, junit, sarif.
    #[arg(long, default_value = DEFAULT_FORMATS)]
    pub format: Formats,
    /// Report language: zh-CN or en.
    #[arg(long, default_value = DEFAULT_LANG, value_parser = eldercheck::options::parse_lang)]
    pub lang: Lang,
}

/// The history store of `merge` (`check` has the same options among its settings).
#[derive(clap::Args)]
pub struct StoreArgs {
    /// History store for the merged run.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Do not store the merged run.
    #[arg(long)]
    pub no_db: bool,
    /// Keep only the newest N runs in the history store.
    #[arg(long)]
    pub keep_runs: Option<usize>,
}

#[derive(Subcommand)]
pub enum BaselineAction {
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

/// The whole command, with `check`'s environment variables attached.
pub fn command() -> clap::Command {
    Cli::command().mut_subcommand("check", settings::with_environment)
}

/// Parses the command line; an argument error is told in `console`'s words (`Err` is the exit code).
pub fn parse(console: Lang) -> Result<(Cli, clap::ArgMatches), u8> {
    let prefix = i18n::say(i18n::strings(console), &["console", "error_prefix"], &[]);
    let parsed = command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    parsed.map_err(|e| {
        if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) {
            e.exit()
        }
        eprintln!("{prefix}{}", argument_error(&e, console));
        2
    })
}

/// `--lang X` or `--lang=X` on the command line, read before the rest so that even argument errors
/// are told in the user's language.
pub fn lang_argument() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--lang=")
            .map(str::to_string)
            .or_else(|| (a == "--lang").then(|| args.get(i + 1).cloned()).flatten())
    })
}

/// An argument error from clap, in the console's language. A value an option's parser refused is
/// told with that parser's own words (`--viewport huge：请用 desktop、mobile 或 宽x高`).
fn argument_error(error: &clap::Error, lang: Lang) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if let Some(problem) =
        std::error::Error::source(error).and_then(|s| s.downcast_ref::<eldercheck::options::Problem>())
    {
        return format!(
            "{}\n{}",
            problem.message(lang),
            i18n::say(i18n::strings(lang), &["console", "cli", "see_help"], &[])
        );
    }
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
