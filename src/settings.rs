//! The settings of `eldercheck check`, written once: [`CheckSettings`] is at the same time the
//! command line's options (clap), the keys of eldercheck.toml (serde) and the `ELDERCHECK_*`
//! environment. One rule of precedence, applied in one place ([`merge`]): the command line, then
//! the environment, then the file, then the defaults, which are the `DEFAULT_*` constants of
//! `options` that the help text, the README and a test share.
//!
//! A new option is one field here (its help, default, file key and environment variable follow from
//! it) and the code that uses it.

use crate::options::{
    Formats, Output, Problem, RenderMode, Resolve, ViewportSetting, DEFAULT_CONCURRENCY, DEFAULT_DB, DEFAULT_DELAY_MS,
    DEFAULT_FORMATS, DEFAULT_LANG, DEFAULT_MAX_BODY_MIB, DEFAULT_MAX_DEPTH, DEFAULT_OUT, DEFAULT_PAGE_BUDGET_S,
    DEFAULT_PROFILE, DEFAULT_RENDER_MEMORY_MIB, DEFAULT_RENDER_SETTLE_MS, DEFAULT_RENDER_TIMEOUT_S, DEFAULT_RETRIES,
    DEFAULT_SITE_TIMEOUT_S, DEFAULT_TIMEOUT_S, DEFAULT_VIEWPORT,
};
use crate::shard::Shard;
use clap::{Args, FromArgMatches};
use eldercheck_checks::check::Lang;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The prefix of every option's environment variable: `--max-pages` is `ELDERCHECK_MAX_PAGES`.
pub const ENV_PREFIX: &str = "ELDERCHECK_";

/// Options that are not read from eldercheck.toml, and why: `config` names the file itself.
pub const NOT_IN_FILE: &[&str] = &["config"];

/// Options that cannot be given in the environment: lists (a value may contain any separator) and
/// the file's own name.
const NOT_IN_ENV: &[&str] = &["targets", "include", "exclude", "elder_path", "resolve", "config"];

/// Every option of `eldercheck check`.
#[derive(Debug, Clone, PartialEq, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckSettings {
    /// http(s) URLs to crawl, local .html files, or folders (a folder is one site of every .html/.htm under it).
    #[serde(deserialize_with = "text::one_or_many")]
    pub targets: Vec<String>,
    /// Batch: a file with one site address a line, or a table (CSV or tab-separated, UTF-8, GBK or UTF-16) with
    /// a header such as url,name,group or 网址,名称,分组.
    #[arg(long)]
    pub sites: Option<PathBuf>,
    /// Where report.html, report.json, findings.csv and the results folder are written; `-` prints JSON to stdout.
    #[arg(long, default_value = DEFAULT_OUT)]
    #[serde(with = "text")]
    pub out: Output,
    /// Output formats, comma-separated: html, json, csv, junit, sarif.
    #[arg(long, default_value = DEFAULT_FORMATS)]
    #[serde(with = "text::list")]
    pub format: Formats,
    /// Pages checked per site [crawls: 100; a local folder checks every page unless this is given].
    #[arg(long)]
    pub max_pages: Option<usize>,
    /// Link depth from the start URL (sitemap URLs count as depth 1).
    #[arg(long, default_value_t = DEFAULT_MAX_DEPTH)]
    pub max_depth: u32,
    /// Requests in flight in total (at most 2 per host).
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Minimum gap in milliseconds between two requests to one host (robots.txt Crawl-delay wins if larger).
    #[arg(long, default_value_t = DEFAULT_DELAY_MS)]
    pub delay_ms: u64,
    /// Timeout of one request, in seconds.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_S)]
    pub timeout_s: u64,
    /// Retries for timeouts, 5xx and 429 (with exponential backoff, Retry-After honoured).
    #[arg(long, default_value_t = DEFAULT_RETRIES)]
    pub retries: u32,
    /// Check only shard K (from 0) of N of the --sites list; `eldercheck merge` joins the shards' results.
    #[arg(long, value_name = "K/N")]
    #[serde(with = "text::optional")]
    pub shard: Option<Shard>,
    /// Largest page or stylesheet read, in MiB.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_MIB)]
    pub max_body_mib: usize,
    /// CPU seconds a page may take to be parsed and checked; a page that needs more is reported as too complex.
    #[arg(long, default_value_t = DEFAULT_PAGE_BUDGET_S)]
    pub page_budget_s: u64,
    /// Seconds a site's crawl may take (default 30 minutes); pages not reached by then are counted as skipped.
    #[arg(long, default_value_t = DEFAULT_SITE_TIMEOUT_S)]
    pub site_timeout_s: u64,
    /// Ignore robots.txt (for owners checking their own site).
    #[arg(long)]
    pub no_robots: bool,
    /// Only URLs (or local paths) that match (repeatable).
    #[arg(long)]
    #[serde(deserialize_with = "text::one_or_many")]
    pub include: Vec<String>,
    /// Skip URLs (or local paths) that match (repeatable).
    #[arg(long)]
    #[serde(deserialize_with = "text::one_or_many")]
    pub exclude: Vec<String>,
    /// Criteria profile: miit-web, wcag-aa, or a custom profile's .toml file.
    #[arg(long, default_value = DEFAULT_PROFILE)]
    pub profile: String,
    /// Mark pages whose URL contains this as elder pages (repeatable).
    #[arg(long)]
    #[serde(deserialize_with = "text::one_or_many")]
    pub elder_path: Vec<String>,
    /// Report language: zh-CN or en.
    #[arg(long, default_value = DEFAULT_LANG, value_parser = crate::options::parse_lang)]
    #[serde(with = "text::lang")]
    pub lang: Lang,
    /// The pass mark of this run: a site below it (or with a veto) is not passed and the run exits 1
    /// [default: the profile's pass mark, 60].
    #[arg(long)]
    pub fail_under: Option<f64>,
    /// Simulated screen for media queries: desktop (1280×800), mobile (390×844) or WIDTHxHEIGHT.
    #[arg(long, default_value = DEFAULT_VIEWPORT)]
    #[serde(with = "text")]
    pub viewport: ViewportSetting,
    /// Run history store (SQLite): trends and changes since the previous run.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Do not read or write the history store.
    #[arg(long)]
    pub no_db: bool,
    /// Keep only the newest N runs in the history store.
    #[arg(long)]
    pub keep_runs: Option<usize>,
    /// Options from this file instead of ./eldercheck.toml (command-line options win).
    #[arg(long)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Accepted findings (TOML: [[accepted]] key, reason, expires); they do not fail the run.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Resolve HOST:PORT to ADDRESS instead of asking DNS (like curl's --resolve), repeatable:
    /// `www.example.gov.cn:443:10.0.0.5` checks a staging server under the real host name.
    #[arg(long, value_name = "HOST:PORT:ADDRESS")]
    #[serde(with = "text::many")]
    pub resolve: Vec<Resolve>,
    /// Run pages in headless Chromium before checking them: never; auto (home pages and pages built by
    /// scripts; the default when Chromium is found); always (every page).
    #[arg(long, value_name = "never|auto|always")]
    #[serde(with = "text::optional")]
    pub render: Option<RenderMode>,
    /// The Chromium to render with [default: $CHROMIUM, then chromium, chromium-browser or google-chrome on PATH].
    #[arg(long, value_name = "PATH")]
    pub chromium: Option<PathBuf>,
    /// Seconds one page may take in the browser, from loading to the screenshot.
    #[arg(long, default_value_t = DEFAULT_RENDER_TIMEOUT_S)]
    pub render_timeout_s: u64,
    /// Browser tabs rendering at once [default: the number of CPU cores].
    #[arg(long)]
    pub render_tabs: Option<usize>,
    /// Longest a rendered page is watched after its load event, in milliseconds: it is read as soon as
    /// nothing is pending (requests, timers, moving boxes, DOM changes); late pop-ups are seen, and
    /// boxes that move in this time are floating windows or tickers.
    #[arg(long, default_value_t = DEFAULT_RENDER_SETTLE_MS)]
    pub render_settle_ms: u64,
    /// Memory the browser and its processes may hold, in MiB; a page that makes it grow beyond is
    /// judged as served (a page of huge canvases grew it past 9 GB).
    #[arg(long, default_value_t = DEFAULT_RENDER_MEMORY_MIB)]
    pub render_memory_mib: u64,
    /// Open report.html in the default browser when the run is done.
    #[arg(long)]
    pub open: bool,
    /// No progress output.
    #[arg(short, long)]
    pub quiet: bool,
    /// Log every page.
    #[arg(short, long)]
    pub verbose: bool,
}

/// The clap command of the settings alone, with every option's environment variable attached
/// (`ELDERCHECK_` and the option's name in capitals).
pub fn command(name: &'static str) -> clap::Command {
    with_environment(CheckSettings::augment_args(clap::Command::new(name).no_binary_name(false)))
}

/// Attaches `ELDERCHECK_<NAME>` to every option that takes one value or is a flag.
pub fn with_environment(command: clap::Command) -> clap::Command {
    command.mut_args(|arg| {
        let id = arg.get_id().as_str().to_string();
        if arg.is_positional() || NOT_IN_ENV.contains(&id.as_str()) || !is_setting(&id) {
            return arg;
        }
        arg.env(format!("{ENV_PREFIX}{}", id.to_ascii_uppercase()))
    })
}

/// Whether `id` names a field of [`CheckSettings`] (`help` and `version` are clap's own).
fn is_setting(id: &str) -> bool {
    CheckSettings::augment_args(clap::Command::new("x")).get_arguments().any(|a| a.get_id() == id)
}

impl Default for CheckSettings {
    /// Every default, as the command line's help states them (the environment is not read).
    fn default() -> Self {
        let command = CheckSettings::augment_args(clap::Command::new("eldercheck").no_binary_name(true));
        let matches = command.try_get_matches_from(Vec::<String>::new());
        // The defaults are constants: a default that does not parse fails every test.
        matches.and_then(|m| CheckSettings::from_arg_matches(&m)).expect("the defaults of `eldercheck check` parse")
    }
}

impl CheckSettings {
    /// Settings with every default, checking `targets`.
    pub fn for_targets(targets: Vec<String>) -> CheckSettings {
        CheckSettings { targets, ..CheckSettings::default() }
    }

    /// The option names (file keys), in the order of the help.
    pub fn names() -> Vec<String> {
        CheckSettings::augment_args(clap::Command::new("x"))
            .get_arguments()
            .map(|a| a.get_id().as_str().to_string())
            .collect()
    }

    pub fn verbosity(&self) -> crate::options::Verbosity {
        use crate::options::Verbosity;
        if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }

    /// The history store, unless `--no-db`.
    pub fn store(&self) -> Option<PathBuf> {
        (!self.no_db).then(|| self.db.clone())
    }
}

/// Where an option's value came from, for [`merge`].
pub fn given_on_command_line_or_environment(matches: &clap::ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable)
    )
}

/// The settings of a run: what `matches` (the command line and the environment) gave, over the
/// file's `options` (keys with `_`, as [`CheckSettings::names`]), over the defaults. `file` names
/// the file in error messages.
pub fn merge(
    cli: &CheckSettings,
    matches: &clap::ArgMatches,
    options: toml::Table,
    file: &str,
) -> Result<CheckSettings, Problem> {
    let names = CheckSettings::names();
    let mut merged = serde_json::Map::new();
    for (key, value) in options {
        if !names.contains(&key) || NOT_IN_FILE.contains(&key.as_str()) {
            return Err(Problem::ConfigUnknownKey { file: file.to_string(), key });
        }
        let value = serde_json::to_value(&value)
            .map_err(|e| Problem::Config { file: file.to_string(), message: format!("{key}: {e}") })?;
        // Each key alone first, so that a bad value is named with its key.
        let single: serde_json::Map<String, serde_json::Value> = [(key.clone(), value.clone())].into_iter().collect();
        if let Err(error) = serde_json::from_value::<CheckSettings>(serde_json::Value::Object(single)) {
            return Err(refused(file, &key, &value, &error));
        }
        merged.insert(key, value);
    }
    if let serde_json::Value::Object(given) = serde_json::to_value(cli).map_err(|e| Problem::Other(e.to_string()))? {
        for (key, value) in given {
            if given_on_command_line_or_environment(matches, &key) {
                merged.insert(key, value);
            }
        }
    }
    let mut settings: CheckSettings = serde_json::from_value(serde_json::Value::Object(merged))
        .map_err(|e| Problem::Config { file: file.to_string(), message: e.to_string() })?;
    settings.config = cli.config.clone();
    Ok(settings)
}

/// Why the file's `value` of `key` was refused: the option's own parser's problem when the text does
/// not parse (the same words as on the command line), else what kind of value it should have been
/// (from serde's `invalid type: string "many", expected usize`).
fn refused(file: &str, key: &str, value: &serde_json::Value, error: &serde_json::Error) -> Problem {
    let texts: Vec<&str> = match value {
        serde_json::Value::String(text) => vec![text.as_str()],
        serde_json::Value::Array(items) => items.iter().filter_map(serde_json::Value::as_str).collect(),
        _ => Vec::new(),
    };
    let command = CheckSettings::augment_args(clap::Command::new("eldercheck"));
    let arg = command.get_arguments().find(|a| a.get_id() == key);
    if let Some(long) = arg.and_then(|a| a.get_long()) {
        for text in texts {
            let alone = command.clone().no_binary_name(true);
            if let Err(clap_error) = alone.try_get_matches_from([format!("--{long}"), text.to_string()]) {
                if let Some(problem) = std::error::Error::source(&clap_error).and_then(|s| s.downcast_ref::<Problem>())
                {
                    return problem.clone();
                }
            }
        }
    }
    let message = error.to_string();
    let message = message.split(" at line").next().unwrap_or(&message).trim().to_string();
    let expected = message.split("expected ").nth(1).and_then(|wanted| {
        Some(match wanted {
            w if ["usize", "u64", "u32", "u16"].iter().any(|t| w.starts_with(t)) => "whole_number",
            w if w.starts_with("f64") => "number",
            w if w.starts_with("a boolean") => "boolean",
            w if w.starts_with("a string or a list of strings") => "strings",
            w if w.starts_with("a string") || w.starts_with("path string") => "string",
            _ => return None,
        })
    });
    Problem::ConfigBadValue { file: file.to_string(), key: key.to_string(), expected, reason: message }
}

/// One command line parse of `check`'s settings alone (for tests and tools).
pub fn parse_args(args: &[&str]) -> Result<(CheckSettings, clap::ArgMatches), clap::Error> {
    let matches = command("check").try_get_matches_from(std::iter::once("check").chain(args.iter().copied()))?;
    let settings = CheckSettings::from_arg_matches(&matches)?;
    Ok((settings, matches))
}

/// The command line's `check` (used to show the options' help in docs).
pub fn check_command() -> clap::Command {
    crate::settings::command("check")
}

/// Helpers that keep typed values as text in eldercheck.toml: the same words as on the command
/// line, parsed by the same `FromStr`.
mod text {
    use serde::de::{Deserialize, Deserializer, Error};
    use serde::Serializer;
    use std::fmt::Display;
    use std::str::FromStr;

    pub fn serialize<T: Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(D::Error::custom)
    }

    /// A string or a list of strings.
    #[derive(serde::Deserialize)]
    #[serde(untagged, expecting = "a string or a list of strings")]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }

    pub fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
        Ok(match OneOrMany::deserialize(deserializer)? {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        })
    }

    /// A comma list, or a list of strings (`format = ["html", "json"]`).
    pub mod list {
        use super::*;

        pub fn serialize<T: Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(value)
        }

        pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
        where
            T: FromStr,
            T::Err: Display,
            D: Deserializer<'de>,
        {
            one_or_many(deserializer)?.join(",").parse().map_err(D::Error::custom)
        }
    }

    pub mod optional {
        use super::*;

        pub fn serialize<T: Display, S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.collect_str(value),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
        where
            T: FromStr,
            T::Err: Display,
            D: Deserializer<'de>,
        {
            Option::<String>::deserialize(deserializer)?.map(|t| t.parse().map_err(D::Error::custom)).transpose()
        }
    }

    pub mod many {
        use super::*;

        pub fn serialize<T: Display, S: Serializer>(values: &[T], serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(values.iter().map(|v| v.to_string()))
        }

        pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Vec<T>, D::Error>
        where
            T: FromStr,
            T::Err: Display,
            D: Deserializer<'de>,
        {
            one_or_many(deserializer)?.iter().map(|t| t.parse().map_err(D::Error::custom)).collect()
        }
    }

    /// The report language, as `--lang` takes it (`zh`, `zh-CN`, `en` …).
    pub mod lang {
        use super::*;
        use eldercheck_checks::check::Lang;

        pub fn serialize<S: Serializer>(value: &Lang, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(match value {
                Lang::ZhCn => "zh-CN",
                Lang::En => "en",
            })
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Lang, D::Error> {
            let text = String::deserialize(deserializer)?;
            crate::options::parse_lang(&text).map_err(D::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_constants() {
        let defaults = CheckSettings::default();
        assert_eq!(defaults.max_depth, DEFAULT_MAX_DEPTH);
        assert_eq!(defaults.out, Output::Dir(PathBuf::from(DEFAULT_OUT)));
        assert_eq!(defaults.format.to_string(), DEFAULT_FORMATS);
        assert_eq!(defaults.lang, Lang::ZhCn);
        assert_eq!(defaults.render, None);
        assert!(defaults.targets.is_empty() && !defaults.no_db);
    }

    #[test]
    fn the_command_line_wins_over_the_file_and_the_file_over_the_defaults() {
        let (cli, matches) = parse_args(&["--max-depth", "7", "site"]).expect("parse");
        let file: toml::Table =
            toml::from_str("max_depth = 2\nconcurrency = 3\nformat = [\"json\", \"csv\"]\n").expect("toml");
        let merged = merge(&cli, &matches, file, "eldercheck.toml").expect("merge");
        assert_eq!(merged.max_depth, 7, "command line");
        assert_eq!(merged.concurrency, 3, "file");
        assert_eq!(merged.format.to_string(), "json,csv", "a list in the file");
        assert_eq!(merged.retries, DEFAULT_RETRIES, "default");
        assert_eq!(merged.targets, vec!["site".to_string()]);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let (cli, matches) = parse_args(&[]).expect("parse");
        let bad = |text: &str| {
            let file: toml::Table = toml::from_str(text).expect("toml");
            merge(&cli, &matches, file, "eldercheck.toml").expect_err("refused")
        };
        assert_eq!(
            bad("max_pagez = 3"),
            Problem::ConfigUnknownKey { file: "eldercheck.toml".into(), key: "max_pagez".into() }
        );
        assert!(bad("max_pages = \"many\"").to_string().contains("max_pages must be a whole number"));
        assert!(bad("no_robots = 1").to_string().contains("no_robots must be true or false"));
        assert!(matches!(bad("config = \"other.toml\""), Problem::ConfigUnknownKey { .. }));
        assert_eq!(bad("render = \"sometimes\""), Problem::BadRender("sometimes".into()));
        assert_eq!(bad("viewport = \"huge\""), Problem::BadViewport("huge".into()));
        let zh = bad("retries = \"x\"").message(Lang::ZhCn);
        assert!(zh.contains("retries 应为整数"), "{zh}");
    }
}
