//! `--format junit`: one test suite per site, one test case per page and check; failed checks
//! are failures and pages that did not load are errors, so CI systems show them as test results.

use super::Report;
use eldercheck_checks::check::{FindingOutcome, Outcome};

fn escape(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn write(out: &mut dyn std::io::Write, report: &Report) -> std::io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<testsuites name=\"eldercheck\">")?;
    for site in &report.sites {
        let cases: usize = site.pages.iter().map(|p| p.checks.len().max(usize::from(p.error.is_some()))).sum();
        let failures: usize =
            site.pages.iter().flat_map(|p| &p.checks).filter(|c| c.outcome == Outcome::Failed).count();
        let errors = site.summary.pages_failed_to_load;
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{cases}\" failures=\"{failures}\" errors=\"{errors}\">",
            escape(&site.name)
        )?;
        for page in &site.pages {
            if let Some(error) = &page.error {
                writeln!(out, "    <testcase classname=\"{}\" name=\"load\">", escape(&page.url))?;
                writeln!(
                    out,
                    "      <error type=\"{}\" message=\"{}\"/>",
                    escape(&error.kind),
                    escape(&error.message)
                )?;
                writeln!(out, "    </testcase>")?;
                continue;
            }
            for check in &page.checks {
                write!(out, "    <testcase classname=\"{}\" name=\"{}\"", escape(&page.url), escape(&check.id))?;
                match check.outcome {
                    Outcome::Failed => {
                        let lines: Vec<String> = check
                            .findings
                            .iter()
                            .filter(|f| f.outcome == FindingOutcome::Failed)
                            .map(|f| format!("{} — {}", f.selector, f.message))
                            .collect();
                        writeln!(out, ">")?;
                        writeln!(
                            out,
                            "      <failure type=\"{}\" message=\"{} findings\">{}</failure>",
                            escape(&check.id),
                            lines.len(),
                            escape(&lines.join("\n"))
                        )?;
                        writeln!(out, "    </testcase>")?;
                    }
                    Outcome::Inapplicable | Outcome::CantTell => {
                        writeln!(out, ">")?;
                        writeln!(out, "      <skipped message=\"{:?}\"/>", check.outcome)?;
                        writeln!(out, "    </testcase>")?;
                    }
                    Outcome::Passed => writeln!(out, "/>")?,
                }
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
