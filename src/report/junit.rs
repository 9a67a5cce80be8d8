//! `--format junit`: one test suite per site, one test case per page and check; failed checks are
//! failures and pages that did not load are errors, so CI systems show them as test results.
//! Site-level checks are test cases of the site, listed once.

use super::{AtomicFile, ReportContext, Sink, WriteError};
use crate::results::{CheckOutcome, PageResult};
use crate::rundir::SiteRecord;
use eldercheck_checks::check::Outcome;
use std::path::Path;

pub struct JunitSink {
    file: AtomicFile,
}

/// Text and attribute content: markup escaped, and every character XML 1.0 forbids dropped.
fn escape(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        })
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl JunitSink {
    pub fn create(path: &Path) -> Result<JunitSink, WriteError> {
        Ok(JunitSink { file: AtomicFile::create(path)? })
    }

    fn write(&mut self, text: &str) -> Result<(), WriteError> {
        self.file.write_all(text.as_bytes())
    }

    fn case(&mut self, cx: &ReportContext, classname: &str, check: &CheckOutcome) -> Result<(), WriteError> {
        let mut text = format!("    <testcase classname=\"{}\" name=\"{}\"", escape(classname), escape(&check.id));
        let all_accepted = check.outcome == Outcome::Failed && check.counted_failures().next().is_none();
        match check.outcome {
            Outcome::Failed if all_accepted => {
                // Every failure is in the baseline: a CI run should not go red on it, nor forget it.
                let reasons: Vec<&str> = check
                    .findings
                    .iter()
                    .filter_map(|f| f.accepted.as_ref().map(|a| a.reason.as_str()))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                text.push_str(&format!(
                    ">\n      <skipped message=\"accepted: {}\"/>\n    </testcase>\n",
                    escape(&reasons.join("; "))
                ));
            }
            Outcome::Failed => {
                let lines: Vec<String> =
                    check.counted_failures().map(|f| format!("{} — {}", f.selector, cx.message(&f.message))).collect();
                text.push_str(&format!(
                    ">\n      <failure type=\"{}\" message=\"{} findings\">{}</failure>\n    </testcase>\n",
                    escape(&check.id),
                    lines.len(),
                    escape(&lines.join("\n"))
                ));
            }
            Outcome::Inapplicable | Outcome::CantTell => {
                text.push_str(&format!(">\n      <skipped message=\"{:?}\"/>\n    </testcase>\n", check.outcome));
            }
            Outcome::Passed => text.push_str("/>\n"),
        }
        self.write(&text)
    }
}

impl Sink for JunitSink {
    fn begin(&mut self, _cx: &ReportContext) -> Result<(), WriteError> {
        self.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"eldercheck\">\n")
    }

    fn site(&mut self, _cx: &ReportContext, _index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        let summary = &site.score.summary;
        let o = summary.outcomes;
        let site_failed = site.site_checks.iter().filter(|c| c.outcome == Outcome::Failed).count();
        let cases =
            o.passed + o.failed + o.cant_tell + o.inapplicable + summary.pages_failed_to_load + site.site_checks.len();
        self.write(&format!(
            "  <testsuite name=\"{}\" tests=\"{cases}\" failures=\"{}\" errors=\"{}\">\n",
            escape(&site.name),
            o.failed + site_failed,
            summary.pages_failed_to_load
        ))
    }

    fn page(&mut self, cx: &ReportContext, _site: &SiteRecord, page: &PageResult) -> Result<(), WriteError> {
        if let Some(error) = &page.error {
            return self.write(&format!(
                "    <testcase classname=\"{}\" name=\"load\">\n      <error type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
                escape(&page.url),
                escape(&error.kind),
                escape(&error.message)
            ));
        }
        for check in &page.checks {
            self.case(cx, &page.url, check)?;
        }
        Ok(())
    }

    fn end_site(&mut self, cx: &ReportContext, _index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        for check in &site.site_checks {
            self.case(cx, &site.url, check)?;
        }
        self.write("  </testsuite>\n")
    }

    fn end(&mut self, _cx: &ReportContext) -> Result<(), WriteError> {
        self.write("</testsuites>\n")?;
        self.file.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn characters_xml_forbids_are_dropped() {
        assert_eq!(escape("a\u{0}b\u{FFFE}c\u{FFFF}d<e>"), "abcd&lt;e&gt;");
    }
}
