//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. Rules come from the check
//! catalogue; each failed finding is a result located at its page with the selector and snippet.

use super::Report;
use eldercheck_checks::check::{FindingOutcome, Impact, Lang};
use eldercheck_checks::rules;
use serde_json::{json, Value};

fn level(impact: Impact) -> &'static str {
    match impact {
        Impact::Critical | Impact::Serious => "error",
        Impact::Moderate => "warning",
        Impact::Minor | Impact::Advisory => "note",
    }
}

pub fn to_value(report: &Report) -> Value {
    let lang = report.lang;
    let rule_list: Vec<Value> = rules::all()
        .into_iter()
        .map(|c| {
            let m = c.meta();
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": { "text": m.failure_title.get(lang) },
                "fullDescription": { "text": m.title.get(lang) },
                "help": { "text": m.docs.get(lang), "markdown": m.docs.get(lang) },
                "defaultConfiguration": { "level": level(m.impact) },
                "properties": { "family": m.family.id(), "impact": m.impact.id(), "wcag": m.criteria.wcag, "act": m.criteria.act },
            })
        })
        .collect();
    let mut results = Vec::new();
    for site in &report.sites {
        for page in &site.pages {
            for check in page.checks.iter().chain(&site.site_checks) {
                for f in check.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed) {
                    results.push(json!({
                        "ruleId": check.id,
                        "level": level(check.impact),
                        "message": { "text": f.message },
                        "locations": [{
                            "physicalLocation": { "artifactLocation": { "uri": page.url }, "region": { "snippet": { "text": f.snippet } } },
                            "logicalLocations": [{ "fullyQualifiedName": f.selector, "kind": "element" }]
                        }],
                        "partialFingerprints": { "findingKey": format!("{} {} {}", check.id, page.url, f.selector) }
                    }));
                }
            }
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "eldercheck", "version": report.tool.version, "informationUri": "https://github.com/eldercheck/eldercheck",
                                  "language": if lang == Lang::En { "en" } else { "zh-CN" }, "rules": rule_list } },
            "results": results
        }]
    })
}
