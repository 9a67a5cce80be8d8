//! Registry invariants and fixture-pair tests: every check has at least one failing and one
//! passing fixture under `checks/fixtures/<id>/`, and each fixture gives its expected outcome.
//! A file named `failed-elder-*.html` or `passed-elder-*.html` is checked as an elder page.

use super::registry;
use crate::check::{CheckContext, Outcome, DOC_HEADINGS_EN, DOC_HEADINGS_ZH};
use crate::options::Thresholds;
use crate::page::Page;
use std::collections::HashSet;
use std::path::PathBuf;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn ids_are_unique_kebab_case() {
    let mut seen = HashSet::new();
    for check in registry() {
        let id = &check.meta().id;
        assert!(seen.insert(id.to_string()), "duplicate id {id}");
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{id} is not kebab-case");
    }
}

#[test]
fn docs_have_the_fixed_headings_in_order() {
    for check in registry() {
        let m = check.meta();
        for (docs, headings) in [(&m.docs.zh, DOC_HEADINGS_ZH), (&m.docs.en, DOC_HEADINGS_EN)] {
            let mut from = 0;
            for heading in headings {
                let at = docs[from..]
                    .find(heading)
                    .unwrap_or_else(|| panic!("{}: missing or out-of-order heading {heading}", m.id));
                from += at + heading.len();
            }
        }
    }
}

#[test]
fn every_check_has_failing_and_passing_fixtures_that_give_their_outcome() {
    // The miit-web profile's thresholds are the defaults.
    let thresholds = Thresholds::default();
    let mut problems = Vec::new();
    for check in registry() {
        let id = &check.meta().id;
        let dir = fixtures_dir().join(id.as_ref());
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{id}: no fixtures folder {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            .collect();
        entries.sort();
        let names: Vec<String> =
            entries.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
        assert!(names.iter().any(|n| n.starts_with("failed-")), "{id}: no failed-*.html fixture");
        assert!(names.iter().any(|n| n.starts_with("passed-")), "{id}: no passed-*.html fixture");
        for (path, name) in entries.iter().zip(&names) {
            let html = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut page = Page::parse("https://www.example.gov.cn/fixture.html", &html);
            // `NAME.facts.json` beside a fixture: what a browser reported (layout boxes, …).
            let facts = path.with_extension("facts.json");
            if let Ok(text) = std::fs::read_to_string(&facts) {
                let facts = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", facts.display()));
                page.apply_browser_facts(facts);
            } else {
                assert!(!check.needs_browser(), "{id}/{name}: a check that needs a browser needs {}", facts.display());
            }
            let elder_page = name.contains("-elder-");
            let result = check.run(&CheckContext {
                page: &page,
                options: &thresholds,
                elder_page,
                budget: crate::budget::Budget::unlimited(),
            });
            let expected = if name.starts_with("failed-") {
                Outcome::Failed
            } else if name.starts_with("passed-") {
                Outcome::Passed
            } else if name.starts_with("cant-tell-") {
                Outcome::CantTell
            } else {
                Outcome::Inapplicable
            };
            if result.outcome != expected {
                problems.push(format!(
                    "{id}/{name}: expected {expected:?}, got {:?} {:#?}",
                    result.outcome, result.findings
                ));
            }
            for finding in &result.findings {
                let selector = scraper::Selector::parse(&finding.selector)
                    .unwrap_or_else(|e| panic!("{id}/{name}: selector {} does not parse: {e:?}", finding.selector));
                assert_eq!(
                    page.html.select(&selector).count(),
                    1,
                    "{id}/{name}: selector {} is not unique",
                    finding.selector
                );
                assert!(finding.snippet.chars().count() <= 300);
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
