//! `eldercheck.toml`: every option of `check` but `config` itself (which names the file) can be set
//! there, under its name without the leading `--` (`max-pages` and `max_pages` alike), plus a
//! `[baseline]` table of accepted findings and `[[custom_checks]]`. The file is read from the working
//! directory, or from `--config FILE`. How the options combine with the command line and the
//! environment is `settings::merge`.

use crate::baseline::Baseline;
use crate::options::Problem;
use eldercheck_checks::rules::custom::CustomCheckDefinition;
use std::path::{Path, PathBuf};

/// The default configuration file, looked for in the working directory.
pub const DEFAULT_FILE: &str = "eldercheck.toml";

/// A parsed configuration file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub file: Option<PathBuf>,
    /// Option values by option name (`max-pages` and `max_pages` both accepted, stored as `max_pages`).
    pub options: toml::Table,
    pub baseline: Option<Baseline>,
    pub custom_checks: Vec<CustomCheckDefinition>,
}

impl Config {
    /// Reads `explicit`, or `eldercheck.toml` in the working directory when it exists; no file is an
    /// empty configuration.
    pub fn load(explicit: Option<&Path>) -> Result<Config, Problem> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_FILE).exists() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Config::default()),
        };
        let file = path.display().to_string();
        let invalid = |message: String| Problem::Config { file: file.clone(), message };
        let bytes = crate::options::read_input_file(&path).map_err(&invalid)?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("not UTF-8 text".into()))?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        let mut config = Config { file: Some(path.clone()), ..Config::default() };
        for (key, value) in table {
            let name = key.replace('-', "_");
            match name.as_str() {
                "custom_checks" => {
                    config.custom_checks = value
                        .try_into()
                        .map_err(|e: toml::de::Error| invalid(format!("[[custom_checks]]: {}", e.message())))?;
                }
                "baseline" if value.is_table() => {
                    let parsed: Baseline = value
                        .try_into()
                        .map_err(|e: toml::de::Error| invalid(format!("[baseline]: {}", e.message())))?;
                    config.baseline = Some(parsed);
                }
                _ => {
                    config.options.insert(name, value);
                }
            }
        }
        Ok(config)
    }

    /// The file's name for messages.
    pub fn name(&self) -> String {
        self.file.as_ref().map_or_else(|| DEFAULT_FILE.to_string(), |f| f.display().to_string())
    }
}
