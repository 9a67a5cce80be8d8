//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. Rules come from the run's catalogue;
//! each failed finding is a result located at its page (site-level findings once, at the site),
//! fingerprinted with its issue id, the key that history and baselines use.

use super::{AtomicFile, ReportContext, Sink, WriteError};
use crate::results::{CheckOutcome, PageResult};
use crate::rundir::SiteRecord;
use eldercheck_checks::check::{FindingOutcome, Impact};
use serde_json::json;
use std::path::Path;

pub struct SarifSink {
    file: AtomicFile,
    first: bool,
}

fn level(impact: Impact) -> &'static str {
    match impact {
        Impact::Critical | Impact::Serious => "error",
        Impact::Moderate => "warning",
        Impact::Minor | Impact::Advisory => "note",
    }
}

impl SarifSink {
    pub fn create(path: &Path) -> Result<SarifSink, WriteError> {
        Ok(SarifSink { file: AtomicFile::create(path)?, first: true })
    }

    fn write(&mut self, text: &str) -> Result<(), WriteError> {
        self.file.write_all(text.as_bytes())
    }

    fn results(&mut self, cx: &ReportContext, location: &str, check: &CheckOutcome) -> Result<(), WriteError> {
        let impact = cx.check(&check.id).map_or(Impact::Minor, |c| c.impact);
        // Accepted failures stay in the log as suppressed results, as SARIF viewers expect of a baseline.
        for f in check.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed) {
            let mut result = json!({
                "ruleId": check.id,
                "level": level(impact),
                "message": { "text": cx.message(&f.message) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": location }, "region": { "snippet": { "text": f.snippet } } },
                    "logicalLocations": [{ "fullyQualifiedName": f.selector, "kind": "element" }]
                }],
                "partialFingerprints": { "issue": f.issue }
            });
            if let Some(accepted) = &f.accepted {
                let mut justification = accepted.reason.clone();
                if let Some(expires) = &accepted.expires {
                    justification.push_str(&format!(" (expires {expires})"));
                }
                result["suppressions"] =
                    json!([{ "kind": "external", "status": "accepted", "justification": justification }]);
            }
            let separator = if self.first { "\n" } else { ",\n" };
            self.first = false;
            self.write(&format!("{separator}{result}"))?;
        }
        Ok(())
    }
}

impl Sink for SarifSink {
    fn begin(&mut self, cx: &ReportContext) -> Result<(), WriteError> {
        let lang = cx.lang;
        let rules: Vec<serde_json::Value> = cx
            .manifest
            .catalogue
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "name": c.id,
                    "shortDescription": { "text": c.failure_title.get(lang) },
                    "fullDescription": { "text": c.title.get(lang) },
                    "help": { "text": c.docs.get(lang), "markdown": c.docs.get(lang) },
                    "defaultConfiguration": { "level": level(c.impact) },
                    "properties": { "family": c.family.id(), "impact": c.impact.id(), "wcag": c.wcag, "act": c.act },
                })
            })
            .collect();
        let driver = json!({ "name": "eldercheck", "version": cx.manifest.tool.version, "informationUri": "https://github.com/eldercheck/eldercheck",
                             "language": cx.lang_tag(), "rules": rules });
        self.write(&format!(
            "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{driver}}},\"results\":["
        ))
    }

    fn site(&mut self, _cx: &ReportContext, _index: usize, _site: &SiteRecord) -> Result<(), WriteError> {
        Ok(())
    }

    fn page(&mut self, cx: &ReportContext, _site: &SiteRecord, page: &PageResult) -> Result<(), WriteError> {
        for check in &page.checks {
            self.results(cx, &page.url, check)?;
        }
        Ok(())
    }

    fn end_site(&mut self, cx: &ReportContext, _index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        for check in &site.site_checks {
            self.results(cx, &site.url, check)?;
        }
        Ok(())
    }

    fn end(&mut self, _cx: &ReportContext) -> Result<(), WriteError> {
        self.write("\n]}]}\n")?;
        self.file.commit()
    }
}
