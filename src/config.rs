//! `eldercheck.toml`: every option of `check` can be set there (CLI wins), plus a `[baseline]`
//! table of accepted findings and `[[custom_checks]]`. The file is read from the working directory,
//! or from `--config FILE`.

use crate::baseline::Baseline;
use eldercheck_checks::rules::custom::CustomCheckDefinition;
use std::path::{Path, PathBuf};

/// The default configuration file, looked for in the working directory.
pub const DEFAULT_FILE: &str = "eldercheck.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// A parsed configuration file.
#[derive(Debug)]
pub struct Config {
    pub file: PathBuf,
    /// Option values by option name (`max-pages` and `max_pages` both accepted, stored as `max_pages`).
    pub options: toml::Table,
    pub baseline: Option<Baseline>,
    pub custom_checks: Vec<CustomCheckDefinition>,
}

/// Options of `check` that the file may set.
pub const OPTIONS: &[&str] = &[
    "targets",
    "sites",
    "out",
    "format",
    "max_pages",
    "max_depth",
    "concurrency",
    "delay_ms",
    "timeout_s",
    "retries",
    "max_body_mib",
    "page_budget_s",
    "site_timeout_s",
    "no_robots",
    "include",
    "exclude",
    "profile",
    "elder_path",
    "resolve",
    "lang",
    "fail_under",
    "viewport",
    "db",
    "no_db",
    "keep_runs",
    "baseline",
    "quiet",
    "verbose",
];

impl Config {
    /// Reads `explicit`, or `eldercheck.toml` in the working directory when it exists.
    pub fn load(explicit: Option<&Path>) -> Result<Option<Config>, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_FILE).exists() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(None),
        };
        let file = path.display().to_string();
        let invalid = |message: String| ConfigError::Invalid { file: file.clone(), message };
        let bytes = crate::options::read_input_file(&path).map_err(&invalid)?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("not UTF-8 text".into()))?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        let mut options = toml::Table::new();
        let mut baseline = None;
        let mut custom_checks = Vec::new();
        for (key, value) in table {
            let name = key.replace('-', "_");
            match name.as_str() {
                "custom_checks" => {
                    custom_checks = value
                        .try_into()
                        .map_err(|e: toml::de::Error| invalid(format!("[[custom_checks]]: {}", e.message())))?;
                }
                "baseline" if value.is_table() => {
                    let parsed: Baseline = value
                        .try_into()
                        .map_err(|e: toml::de::Error| invalid(format!("[baseline]: {}", e.message())))?;
                    baseline = Some(parsed);
                }
                _ if OPTIONS.contains(&name.as_str()) => {
                    options.insert(name, value);
                }
                _ => {
                    return Err(invalid(format!(
                        "unknown key {key:?} (the options of `eldercheck check`, [baseline] or [[custom_checks]])"
                    )))
                }
            }
        }
        Ok(Some(Config { file: path, options, baseline, custom_checks }))
    }

    fn invalid(&self, key: &str, expected: &str) -> ConfigError {
        ConfigError::Invalid { file: self.file.display().to_string(), message: format!("{key} must be {expected}") }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.options.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            // `format = ["html", "json"]` reads as the comma list the option takes.
            Some(toml::Value::Array(items)) if key == "format" => Ok(Some(
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string).ok_or_else(|| self.invalid(key, "a list of strings")))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
            )),
            Some(_) => Err(self.invalid(key, "a string")),
        }
    }

    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
        match self.options.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string).ok_or_else(|| self.invalid(key, "a list of strings")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.invalid(key, "a string or a list of strings")),
        }
    }

    pub fn integer(&self, key: &str) -> Result<Option<u64>, ConfigError> {
        match self.options.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(n)) if *n >= 0 => Ok(Some(*n as u64)),
            Some(_) => Err(self.invalid(key, "a whole number")),
        }
    }

    pub fn float(&self, key: &str) -> Result<Option<f64>, ConfigError> {
        match self.options.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(n)) => Ok(Some(*n as f64)),
            Some(toml::Value::Float(f)) => Ok(Some(*f)),
            Some(_) => Err(self.invalid(key, "a number")),
        }
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.options.get(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(_) => Err(self.invalid(key, "true or false")),
        }
    }
}
