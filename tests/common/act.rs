//! The W3C ACT test cases: where they are, and which of our checks each rule maps to.

use std::path::PathBuf;

/// `$ELDERCHECK_ACT_DIR`, default `../shared/act-cases` (absent in a fresh clone: tests then skip).
pub fn act_dir() -> PathBuf {
    std::env::var_os("ELDERCHECK_ACT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/act-cases"))
}

/// ACT rule → our check (from each check's metadata).
pub fn check_for_rule(rule: &str) -> Option<String> {
    eldercheck_checks::rules::registry()
        .iter()
        .map(|c| c.meta())
        .find(|m| m.criteria.act.contains(&rule))
        .map(|m| m.id.to_string())
}
