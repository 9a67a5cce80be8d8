//! What `eldercheck check` is asked to do, and every default in one place: the command line's help,
//! eldercheck.toml and the library all read these constants.

use eldercheck_checks::page::style::Viewport;
use std::path::PathBuf;

pub use eldercheck_checks::profile::{DEFAULT_PASS_MARK, DEFAULT_PROFILE};

pub const DEFAULT_OUT: &str = "eldercheck-report";
pub const DEFAULT_FORMATS: &str = "html,json,csv";
pub const DEFAULT_MAX_PAGES: usize = 100;
pub const DEFAULT_MAX_DEPTH: u32 = 3;
pub const DEFAULT_CONCURRENCY: usize = 8;
pub const DEFAULT_DELAY_MS: u64 = 250;
pub const DEFAULT_TIMEOUT_S: u64 = 20;
pub const DEFAULT_RETRIES: u32 = 2;
pub const DEFAULT_MAX_BODY_MIB: usize = 5;
/// CPU seconds one page may take to be parsed, styled and checked.
pub const DEFAULT_PAGE_BUDGET_S: u64 = 5;
/// Wall-clock seconds one site's crawl may take (30 minutes): a slow or stalling server, or a large
/// Crawl-delay, cannot hold a nightly batch.
pub const DEFAULT_SITE_TIMEOUT_S: u64 = 30 * 60;
pub const DEFAULT_LANG: &str = "zh-CN";
pub const DEFAULT_VIEWPORT: &str = "desktop";
pub const DEFAULT_DB: &str = "eldercheck.db";
/// Largest `--sites` list, profile, config or baseline file read.
pub const MAX_INPUT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A problem with what was asked for: a usage error (exit 2), or a target that is skipped. Shown in
/// the console's language (`console.usage` in reports/i18n).
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    MissingPath(String),
    NotHtml(String),
    NotUrl(String),
    Io {
        path: String,
        reason: String,
    },
    NothingToCheck,
    Range {
        name: &'static str,
        value: String,
        low: u64,
        high: u64,
    },
    OutStdout,
    BadRegex {
        flag: &'static str,
        pattern: String,
        reason: String,
    },
    SiteList(String),
    EmptySiteList(String),
    DidYouMean {
        target: String,
        suggestion: String,
    },
    UnknownFormat(String),
    BadViewport(String),
    BadLang(String),
    BadResolve(String),
    /// A line of `--sites` that is not a web address: listed as a site that could not be checked.
    BadSiteLine {
        file: String,
        line: usize,
        text: String,
    },
    /// `--shard` without a `--sites` list (or with other targets).
    ShardWithoutList,
    /// `--shard` that is not `K/N` with 0 ≤ K < N.
    BadShard(String),
    /// Shard results that do not belong to one batch, or nothing to merge.
    Merge(String),
    /// A site listed twice: checked once, under its first entry.
    DuplicateSite {
        target: String,
        first: String,
    },
    /// `--render` (or `ELDERCHECK_RENDER`) that is not never, auto or always.
    BadRender(String),
    /// `--render always` (or `--chromium PATH`) without a usable Chromium.
    NoChromium(String),
    /// eldercheck.toml (or `--config FILE`) that cannot be read or parsed.
    Config {
        file: String,
        message: String,
    },
    /// A key of eldercheck.toml that is no option.
    ConfigUnknownKey {
        file: String,
        key: String,
    },
    /// A value of eldercheck.toml of the wrong kind (`expected`: `whole_number`, `number`, `boolean`,
    /// `string`, `strings`), or refused by the option's parser (`reason`).
    ConfigBadValue {
        file: String,
        key: String,
        expected: Option<&'static str>,
        reason: String,
    },
    /// Errors whose text comes from elsewhere (a profile or baseline file, say).
    Other(String),
}

impl Problem {
    /// The message key and its values.
    pub fn parts(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Problem::MissingPath(p) => ("missing_path", vec![("path", p.clone())]),
            Problem::NotHtml(p) => ("not_html", vec![("path", p.clone())]),
            Problem::NotUrl(p) => ("not_url", vec![("path", p.clone())]),
            Problem::Io { path, reason } => ("io", vec![("path", path.clone()), ("reason", reason.clone())]),
            Problem::NothingToCheck => ("nothing_to_check", Vec::new()),
            Problem::Range { name, value, low, high } => (
                "range",
                vec![
                    ("name", name.to_string()),
                    ("value", value.clone()),
                    ("low", low.to_string()),
                    ("high", high.to_string()),
                ],
            ),
            Problem::OutStdout => ("out_stdout", Vec::new()),
            Problem::BadRegex { flag, pattern, reason } => (
                "bad_regex",
                vec![("flag", flag.to_string()), ("pattern", pattern.clone()), ("reason", reason.clone())],
            ),
            Problem::SiteList(reason) => ("site_list", vec![("reason", reason.clone())]),
            Problem::EmptySiteList(path) => ("empty_site_list", vec![("path", path.clone())]),
            Problem::DidYouMean { target, suggestion } => {
                ("did_you_mean", vec![("target", target.clone()), ("suggestion", suggestion.clone())])
            }
            Problem::UnknownFormat(f) => ("unknown_format", vec![("format", f.clone())]),
            Problem::BadViewport(v) => ("bad_viewport", vec![("value", v.clone())]),
            Problem::BadLang(v) => ("bad_lang", vec![("value", v.clone())]),
            Problem::BadResolve(v) => ("bad_resolve", vec![("value", v.clone())]),
            Problem::BadSiteLine { file, line, text } => (
                "bad_site_line",
                vec![("file", file.clone()), ("line", line.to_string()), ("text", text.chars().take(200).collect())],
            ),
            Problem::ShardWithoutList => ("shard_without_list", Vec::new()),
            Problem::BadShard(v) => ("bad_shard", vec![("value", v.chars().take(40).collect())]),
            Problem::Merge(reason) => ("merge", vec![("reason", reason.clone())]),
            Problem::DuplicateSite { target, first } => {
                ("duplicate_site", vec![("target", target.clone()), ("first", first.clone())])
            }
            Problem::BadRender(v) => ("bad_render", vec![("value", v.chars().take(40).collect())]),
            Problem::NoChromium(what) => ("no_chromium", vec![("what", what.clone())]),
            Problem::Config { file, message } => {
                ("config", vec![("file", file.clone()), ("message", message.chars().take(300).collect())])
            }
            Problem::ConfigUnknownKey { file, key } => {
                ("config_unknown_key", vec![("file", file.clone()), ("key", key.chars().take(60).collect())])
            }
            Problem::ConfigBadValue { file, key, expected: Some(expected), .. } => (
                "config_bad_value",
                vec![("file", file.clone()), ("key", key.clone()), ("expected", expected.to_string())],
            ),
            Problem::ConfigBadValue { file, key, expected: None, reason } => (
                "config_refused_value",
                vec![("file", file.clone()), ("key", key.clone()), ("reason", reason.chars().take(300).collect())],
            ),
            Problem::Other(message) => ("other", vec![("message", message.clone())]),
        }
    }

    /// The problem in a language.
    pub fn message(&self, lang: eldercheck_checks::check::Lang) -> String {
        let (key, mut values) = self.parts();
        let table = crate::i18n::strings(lang);
        // What a value should have been, in the console's words.
        for (name, value) in &mut values {
            if *name == "expected" {
                *value = crate::i18n::say(table, &["console", "usage", "expected", value.as_str()], &[]);
            }
        }
        crate::i18n::say(table, &["console", "usage", key], &values)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(eldercheck_checks::check::Lang::En))
    }
}

impl std::error::Error for Problem {}

/// `--render`: which pages run in headless Chromium before they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RenderMode {
    /// Static analysis only.
    Never,
    /// Home pages and pages whose static DOM looks built by scripts.
    #[default]
    Auto,
    /// Every page.
    Always,
}

/// Seconds one page may take in the browser, from navigation to screenshot.
pub const DEFAULT_RENDER_TIMEOUT_S: u64 = 30;

/// Longest a rendered page is watched after load (late pop-ups, movement), in milliseconds.
pub const DEFAULT_RENDER_SETTLE_MS: u64 = 1000;

/// Memory the browser may hold, in MiB (it peaks at about 1.5 GiB on ordinary pages with 2 tabs).
pub const DEFAULT_RENDER_MEMORY_MIB: u64 = 3072;

impl std::str::FromStr for RenderMode {
    type Err = Problem;

    /// `never` (or `off`), `auto` or `always`.
    fn from_str(text: &str) -> Result<RenderMode, Problem> {
        match text.trim().to_ascii_lowercase().as_str() {
            "never" | "off" => Ok(RenderMode::Never),
            "auto" => Ok(RenderMode::Auto),
            "always" => Ok(RenderMode::Always),
            _ => Err(Problem::BadRender(text.to_string())),
        }
    }
}

impl std::fmt::Display for RenderMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RenderMode::Never => "never",
            RenderMode::Auto => "auto",
            RenderMode::Always => "always",
        })
    }
}

/// An output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    Csv,
    Junit,
    Sarif,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::Html, Format::Json, Format::Csv, Format::Junit, Format::Sarif];

    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
        }
    }
}

/// `--format html,json,csv`: the formats in the order given, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formats(pub Vec<Format>);

impl Formats {
    /// Whether the formats are exactly JSON, as `--out -` needs.
    pub fn only_json(&self) -> bool {
        self.0 == [Format::Json]
    }
}

impl std::str::FromStr for Formats {
    type Err = Problem;

    fn from_str(text: &str) -> Result<Formats, Problem> {
        let mut formats = Vec::new();
        for name in text.split(',').map(|f| f.trim().to_ascii_lowercase()).filter(|f| !f.is_empty()) {
            let format = Format::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| Problem::UnknownFormat(name.chars().take(40).collect()))?;
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        Ok(Formats(formats))
    }
}

impl std::fmt::Display for Formats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.iter().map(|format| format.name()).collect::<Vec<_>>().join(","))
    }
}

/// Where reports go.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// `--out DIR`: report files, and the results folder `DIR/results`.
    Dir(PathBuf),
    /// `--out -`: report.json on standard output.
    Stdout,
}

impl Output {
    /// The folder, unless the reports go to standard output.
    pub fn dir(&self) -> Option<&std::path::Path> {
        match self {
            Output::Dir(dir) => Some(dir),
            Output::Stdout => None,
        }
    }
}

impl std::str::FromStr for Output {
    type Err = Problem;

    /// `-` for standard output, any other text a folder.
    fn from_str(text: &str) -> Result<Output, Problem> {
        Ok(if text == "-" { Output::Stdout } else { Output::Dir(PathBuf::from(text)) })
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::Dir(dir) => write!(f, "{}", dir.display()),
            Output::Stdout => f.write_str("-"),
        }
    }
}

/// Progress output on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// `--viewport`: desktop (1280×800), mobile (390×844) or WIDTHxHEIGHT.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewportSetting(pub Viewport);

impl std::str::FromStr for ViewportSetting {
    type Err = Problem;

    fn from_str(text: &str) -> Result<ViewportSetting, Problem> {
        match text.trim() {
            "desktop" => Ok(ViewportSetting(Viewport::DESKTOP)),
            "mobile" => Ok(ViewportSetting(Viewport::MOBILE)),
            other => {
                let usage = || Problem::BadViewport(other.chars().take(40).collect());
                let (w, h) = other.split_once(['x', '×']).ok_or_else(usage)?;
                let width: f32 = w.trim().parse().map_err(|_| usage())?;
                let height: f32 = h.trim().parse().map_err(|_| usage())?;
                if !(1.0..=100_000.0).contains(&width) || !(1.0..=100_000.0).contains(&height) {
                    return Err(usage());
                }
                Ok(ViewportSetting(Viewport { width, height }))
            }
        }
    }
}

impl std::fmt::Display for ViewportSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            v if v == Viewport::DESKTOP => f.write_str("desktop"),
            v if v == Viewport::MOBILE => f.write_str("mobile"),
            v => write!(f, "{}x{}", v.width, v.height),
        }
    }
}

/// `--resolve HOST:PORT:ADDRESS`: connect to ADDRESS for HOST:PORT instead of asking DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// Lower-cased.
    pub host: String,
    pub address: std::net::SocketAddr,
}

impl std::str::FromStr for Resolve {
    type Err = Problem;

    fn from_str(text: &str) -> Result<Resolve, Problem> {
        let usage = || Problem::BadResolve(text.chars().take(80).collect());
        let (host, rest) = text.split_once(':').ok_or_else(usage)?;
        let (port, address) = rest.split_once(':').ok_or_else(usage)?;
        let port: u16 = port.parse().map_err(|_| usage())?;
        let address: std::net::IpAddr = address.trim_matches(['[', ']']).parse().map_err(|_| usage())?;
        Ok(Resolve { host: host.to_ascii_lowercase(), address: std::net::SocketAddr::new(address, port) })
    }
}

impl std::fmt::Display for Resolve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.address.ip() {
            std::net::IpAddr::V6(ip) => write!(f, "{}:{}:[{ip}]", self.host, self.address.port()),
            std::net::IpAddr::V4(ip) => write!(f, "{}:{}:{ip}", self.host, self.address.port()),
        }
    }
}

/// `--lang`: zh-CN (also zh, zh-Hans) or en.
pub fn parse_lang(text: &str) -> Result<eldercheck_checks::check::Lang, Problem> {
    eldercheck_checks::check::Lang::parse(text).ok_or_else(|| Problem::BadLang(text.chars().take(20).collect()))
}

/// Reads a small input file (site list, profile, config, baseline): regular files only, capped.
pub fn read_input_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!("{}: not a regular file", path.display()));
    }
    if metadata.len() > MAX_INPUT_FILE_BYTES {
        return Err(format!("{}: larger than {} MiB", path.display(), MAX_INPUT_FILE_BYTES / 1024 / 1024));
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_INPUT_FILE_BYTES {
        return Err(format!("{}: larger than {} MiB", path.display(), MAX_INPUT_FILE_BYTES / 1024 / 1024));
    }
    Ok(bytes)
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
