//! # eldercheck
//!
//! Checks websites against China's elderly-friendly website criteria (MIIT 2021, 互联网网站适老化通用设计规范)
//! and the WCAG 2.1 AA basics they build on, scores pages and sites the way the MIIT evaluation does,
//! and writes reports. The judging lives in the `eldercheck-checks` crate; this crate gathers pages,
//! runs the checks, scores and reports.

//!
//! Stages, each importing only from earlier ones (docs/ARCHITECTURE.md; tests/architecture.rs keeps
//! it so): `options`/`settings`/`i18n`/`progress` → `net` → `sources` → `browser` (a hook of the
//! sources) → `results` → `analyze` → `policy`/`score`/`key`/`baseline`/`shard` → `issues`/`verdict`/`ranking` →
//! `rundir` → `assemble` → `history` → `report` → `run` (the only orchestrator) → `merge` →
//! `commands`; `main.rs` parses arguments.

pub mod analyze;
pub mod assemble;
pub mod baseline;
pub mod browser;
pub mod commands;
pub mod config;
pub mod explain;
pub mod history;
pub mod i18n;
pub mod interrupt;
pub mod issues;
pub mod key;
pub mod merge;
pub mod net;
pub mod options;
pub mod policy;
pub mod progress;
pub mod ranking;
pub mod report;
pub mod results;
pub mod run;
pub mod rundir;
pub mod score;
pub mod settings;
pub mod shard;
pub mod sources;
pub mod verdict;

pub use eldercheck_checks as checks;

/// The tool's name and version, as it appears in reports and the crawler's user agent.
pub const TOOL_NAME: &str = "eldercheck";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
