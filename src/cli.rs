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
        /// Language: zh-CN or en.
        #[arg(long, default_value = DEFAULT_LANG, value_parser = eldercheck::options::parse_lang)]
        lang: Lang,
        /// A profile whose custom checks are listed too.
        #[arg(long, default_value = DEFAULT_PROFILE)]
        profile: String,
    },
    /// Show a check's documentation: what, why it matters, example, how to fix.
    Explain {
        /// The check's id (color-contrast, …).
        check_id: String,
        /// Language: zh-CN or en.
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
        /// The history store.
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

/// The help texts of every command and option in Chinese (the English ones are the doc comments).
const HELP_ZH: &str = include_str!("../reports/i18n/cli-zh-CN.json");

/// The whole command in the console's language: `--help` of every subcommand in Chinese under a
/// Chinese locale, with its defaults and environment variables said in Chinese too.
pub fn command_in(lang: Lang) -> clap::Command {
    let command = command();
    if lang == Lang::En {
        return command;
    }
    let words: serde_json::Value = serde_json::from_str(HELP_ZH).unwrap_or_default();
    localise(command, &words, i18n::strings(lang))
}

/// One command's texts from `words` (`about`, `args`, `sub` for its subcommands), headings and
/// the default/environment notes from the language's `cli_help` table.
fn localise(mut command: clap::Command, words: &serde_json::Value, table: &serde_json::Value) -> clap::Command {
    use clap::{Arg, ArgAction};
    let say = |key: &str, values: &[(&str, String)]| i18n::say(table, &["cli_help", key], values);
    if let Some(about) = words["about"].as_str() {
        command = command.about(about.to_string());
    }
    let template = format!("{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}{{after-help}}", say("usage", &[]));
    command = command
        .help_template(template)
        .subcommand_help_heading(say("commands", &[]))
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(say("help", &[]))
                .help_heading(say("options", &[])),
        );
    if command.get_version().is_some() {
        command = command.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(say("version", &[]))
                .help_heading(say("options", &[])),
        );
    }
    let ids: Vec<String> =
        command.get_arguments().map(|a| a.get_id().to_string()).filter(|id| id != "help" && id != "version").collect();
    for id in ids {
        let help = words["args"][id.as_str()].as_str().map(str::to_string);
        command = command.mut_arg(id.as_str(), |arg| {
            let mut notes = Vec::new();
            let takes_value = arg.get_action().takes_values();
            let defaults: Vec<String> =
                arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
            if takes_value && !defaults.is_empty() && !arg.is_hide_default_value_set() {
                notes.push(say("default", &[("value", defaults.join(","))]));
            }
            if let Some(name) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
                notes.push(say("env", &[("name", name.to_string_lossy().into_owned())]));
            }
            let text = help.clone().unwrap_or_else(|| arg.get_help().map(|h| h.to_string()).unwrap_or_default());
            let text = if notes.is_empty() { text } else { format!("{text}［{}］", notes.join("；")) };
            let heading = if arg.is_positional() { say("arguments", &[]) } else { say("options", &[]) };
            let arg = arg.help(text).hide_env(true).help_heading(heading);
            if takes_value {
                arg.hide_default_value(true)
            } else {
                arg
            }
        });
    }
    let names: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        let sub_words = words["sub"][name.as_str()].clone();
        command = command.mut_subcommand(name.as_str(), |sub| localise(sub, &sub_words, table));
    }
    command
}

/// Parses the command line; an argument error is told in `console`'s words (`Err` is the exit code).
pub fn parse(console: Lang) -> Result<(Cli, clap::ArgMatches), u8> {
    let prefix = i18n::say(i18n::strings(console), &["console", "error_prefix"], &[]);
    let parsed = command_in(console).try_get_matches().and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and option has its Chinese help: an option added without one fails here.
    #[test]
    fn every_command_and_option_has_chinese_help() {
        let words: serde_json::Value = serde_json::from_str(HELP_ZH).expect("cli-zh-CN.json is JSON");
        let mut missing = Vec::new();
        let mut stack = vec![(command(), words, String::from("eldercheck"))];
        while let Some((command, words, path)) = stack.pop() {
            if words["about"].as_str().is_none() {
                missing.push(format!("{path}: about"));
            }
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if id != "help" && id != "version" && words["args"][id].as_str().is_none() && path != "eldercheck" {
                    missing.push(format!("{path}: {id}"));
                }
            }
            for sub in command.get_subcommands() {
                let name = sub.get_name().to_string();
                stack.push((sub.clone(), words["sub"][name.as_str()].clone(), format!("{path} {name}")));
            }
        }
        assert!(missing.is_empty(), "without Chinese help: {missing:?}");
    }

    #[test]
    fn help_is_chinese_under_a_chinese_locale() {
        for path in [vec![], vec!["check"], vec!["report"], vec!["history"], vec!["merge"], vec!["baseline", "write"]] {
            let mut command = command_in(Lang::ZhCn);
            let mut target = &mut command;
            for name in &path {
                target = target.find_subcommand_mut(name).expect("subcommand");
            }
            let help = target.render_long_help().to_string();
            for english in ["Usage:", "Options:", "Print help", "[default:", "[env:"] {
                assert!(!help.contains(english), "{path:?} says {english:?}:\n{help}");
            }
            assert!(help.contains("用法：") && help.contains("显示帮助"), "{path:?}:\n{help}");
        }
    }
}
