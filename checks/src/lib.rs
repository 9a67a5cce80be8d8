//! # eldercheck-checks
//!
//! The judging half of eldercheck: a page model (HTML parsed with scraper, styles computed by a
//! CSS cascade built on cssparser) and the checks that run on it. No network code lives here;
//! the application hands pages in and gets serialisable results out.

pub mod budget;
pub mod catalogue;
pub mod check;
pub mod docs;
pub mod elder;
pub mod options;
pub mod page;
pub mod profile;
pub mod rules;
pub mod text;

pub use catalogue::{Catalogue, CheckInfo};
pub use check::{Check, CheckContext, CheckMeta, CheckResult, Family, Finding, Impact, Outcome};
pub use options::Thresholds;
pub use page::{Page, PageOptions, StylesheetLoader};
pub use profile::Profile;
