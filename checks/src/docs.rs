//! Documentation generated from check metadata: `docs/CHECKS.md` and `eldercheck explain`.

use crate::check::{CheckMeta, Lang};
use crate::rules::registry;

/// `docs/CHECKS.md`: the catalogue, then each check's documentation in both languages.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Check catalogue / 检查项目录\n\n<!-- Generated from the check metadata by `cargo test -p eldercheck-checks` \
(UPDATE_DOCS=1 rewrites it). Do not edit by hand. -->\n\n\
| id | family | impact | title | 标题 | WCAG | MIIT | ACT |\n|---|---|---|---|---|---|---|---|\n",
    );
    for check in registry() {
        let m = check.meta();
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} | {} | {} | {} | {} |\n",
            m.id,
            m.id,
            m.family.id(),
            m.impact.id(),
            m.title.en,
            m.title.zh,
            join_or_dash(m.criteria.wcag),
            join_or_dash(m.criteria.miit),
            join_or_dash(m.criteria.act),
        ));
    }
    for check in registry() {
        let m = check.meta();
        out.push_str(&format!("\n## {}\n\n", m.id));
        out.push_str(&format!(
            "{} / {} — family `{}`, impact `{}`\n\n",
            m.failure_title.en,
            m.failure_title.zh,
            m.family.id(),
            m.impact.id()
        ));
        out.push_str(&demote(&m.docs.en));
        out.push_str("\n\n");
        out.push_str(&demote(&m.docs.zh));
        out.push('\n');
    }
    out
}

/// `eldercheck explain ID`.
pub fn explain(meta: &CheckMeta, lang: Lang) -> String {
    format!(
        "{} ({})\n{} · {} · WCAG {} · MIIT {} · ACT {}\n\n{}\n",
        meta.id,
        meta.failure_title.get(lang),
        meta.family.title().get(lang),
        meta.impact.title().get(lang),
        join_or_dash(meta.criteria.wcag),
        join_or_dash(meta.criteria.miit),
        join_or_dash(meta.criteria.act),
        meta.docs.get(lang)
    )
}

fn join_or_dash(items: &[&str]) -> String {
    if items.is_empty() {
        "–".into()
    } else {
        items.join(", ")
    }
}

/// Check docs use `##` headings; inside CHECKS.md they sit one level lower.
fn demote(markdown: &str) -> String {
    markdown
        .lines()
        .map(|l| if l.starts_with("## ") { format!("#{l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn checks_md_is_current() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/CHECKS.md");
        let generated = catalogue_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).expect("write docs/CHECKS.md");
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == generated,
            "docs/CHECKS.md is stale: run `UPDATE_DOCS=1 cargo test -p eldercheck-checks checks_md_is_current`"
        );
    }
}
