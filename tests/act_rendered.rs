//! Every W3C ACT case of a mapped rule, run in rendered mode: the case files are served on loopback
//! (so that `/test-assets/…` resolves), each as a one-page site, every page rendered in Chromium.
//! Runs when both the cases (`$ELDERCHECK_ACT_DIR`, default `../shared/act-cases`) and Chromium are
//! present, and says why when it skips. Cases whose media files the corpus does not hold cannot be
//! decided by any browser and are listed as such. `UPDATE_DOCS=1` rewrites docs/CONFORMANCE-RENDERED.md.

mod common;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use common::act::{act_dir, check_for_rule};
use common::browser::chromium_or_skip;
use eldercheck::options::{Format, Output, RenderMode};
use eldercheck::run::CheckRequest;
use eldercheck::rundir::RunDir;
use eldercheck_checks::check::Outcome;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A file of the case folder, never outside it.
fn serve_file(root: &Path, path: &str) -> axum::response::Response {
    let relative = path.split('?').next().unwrap_or_default().trim_start_matches('/');
    if relative.split('/').any(|part| part == ".." || part.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let file = root.join(relative);
    let Ok(bytes) = std::fs::read(&file) else { return StatusCode::NOT_FOUND.into_response() };
    let kind = match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    };
    ([(header::CONTENT_TYPE, kind)], bytes).into_response()
}

#[test]
fn act_cases_agree_in_rendered_mode() {
    let dir = act_dir();
    let Ok(manifest_text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        println!("SKIPPED: ACT test cases not found at {} (set ELDERCHECK_ACT_DIR)", dir.display());
        return;
    };
    let Some(browser) = chromium_or_skip() else { return };
    let manifest: Vec<Value> = serde_json::from_str(&manifest_text).expect("ACT manifest is JSON");
    // Every case of a mapped rule: those only a browser can decide, and those the static engine
    // decides, on which the browser's view must not make the verdict worse.
    let cases: Vec<(&Value, String)> = manifest
        .iter()
        .filter_map(|c| check_for_rule(c["rule_id"].as_str().unwrap_or_default()).map(|check| (c, check)))
        .collect();
    // A resource the corpus left out (its manifest says "not copied") may have been added to the
    // folder since; only one that is really absent makes a case undecidable.
    let missing_media = |case: &Value| {
        case["external_resources"].as_array().is_some_and(|list| {
            list.iter().any(|r| {
                let reference = r["ref"].as_str().unwrap_or_default();
                let file = reference.split(['#', '?']).next().unwrap_or_default().trim_start_matches('/');
                r["status"].as_str().is_some_and(|s| s.starts_with("not copied")) && !dir.join(file).is_file()
            })
        })
    };
    let (decidable, undecidable): (Vec<_>, Vec<_>) = cases.into_iter().partition(|(c, _)| !missing_media(c));

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let root = std::path::absolute(&dir).expect("absolute");
    let (addr, _) = runtime.block_on(common::serve(move |path, _| serve_file(&root, path)));
    let work = tempfile::tempdir().expect("tempdir");
    let list = work.path().join("sites.txt");
    // One host per case: a batch checks each host once.
    let hosts: Vec<String> = (0..decidable.len()).map(|i| format!("case-{i}.act.test")).collect();
    let urls: Vec<String> = decidable
        .iter()
        .zip(&hosts)
        .map(|((c, _), host)| format!("http://{host}:{}/{}", addr.port(), c["file"].as_str().unwrap_or_default()))
        .collect();
    std::fs::write(&list, urls.join("\n")).expect("write the list");
    let mut request = CheckRequest::new(Vec::new());
    request.settings.sites = Some(list);
    request.settings.out = Output::Dir(work.path().join("out"));
    request.settings.format = eldercheck::options::Formats(vec![Format::Json]);
    request.settings.profile = "wcag-aa".into();
    request.settings.no_db = true;
    request.settings.quiet = true;
    request.settings.max_pages = Some(1);
    request.settings.delay_ms = 0;
    request.settings.no_robots = true;
    request.settings.resolve =
        hosts.iter().map(|h| eldercheck::options::Resolve { host: h.clone(), address: addr }).collect();
    request.settings.render = Some(RenderMode::Always);
    request.settings.chromium = Some(browser);
    let _ = eldercheck::run::check(request);
    let results = RunDir::open(&work.path().join("out/results")).expect("results");

    let mut table: BTreeMap<String, (String, usize, Vec<String>)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (index, (case, check)) in decidable.iter().enumerate() {
        let file = case["file"].as_str().unwrap_or_default();
        let expected = case["expected"].as_str().unwrap_or_default();
        let page = results.pages(index).ok().and_then(|mut pages| pages.next()).and_then(Result::ok);
        let outcome = page.as_ref().and_then(|p| p.checks.iter().find(|c| &c.id == check)).map(|c| c.outcome);
        let error = page.as_ref().and_then(|p| p.error.clone());
        // Judged on the browser's document, or on the served one because the browser's was not the
        // page (a refresh navigated away) with the reason stated: both are verdicts a user gets.
        let judged = page.as_ref().is_some_and(|p| p.rendered.is_some() || p.render_fallback.is_some());
        // An SVG or XML document is not a web page to a crawler: it is reported as such and checked
        // by no rule, which is what the rules expect of it.
        let not_a_page = error.as_ref().is_some_and(|e| e.kind == "not_html");
        let agrees = match expected {
            "failed" => judged && outcome == Some(Outcome::Failed),
            "inapplicable" if not_a_page => true,
            _ => judged && outcome != Some(Outcome::Failed),
        };
        let rendered = page.as_ref().is_some_and(|p| p.rendered.is_some());
        let entry = table
            .entry(case["rule_id"].as_str().unwrap_or_default().to_string())
            .or_insert_with(|| (check.clone(), 0, Vec::new()));
        if agrees {
            entry.1 += 1;
        } else {
            let why = format!("{file}: expected {expected}, got {outcome:?} (rendered: {rendered}, error: {error:?})");
            entry.2.push(why.clone());
            disagreements.push(why);
        }
    }
    let mut markdown = String::from(
        "# ACT cases in rendered mode\n\n<!-- Generated by `cargo test --test act_rendered` \
(UPDATE_DOCS=1 rewrites it). -->\n\nEvery W3C ACT case of our mapped rules — those the static engine cannot decide \
(script, layout, pixels, media) and those it does — is served on loopback and checked with `--render always --profile \
wcag-aa`. A page whose browser document is not the page (a refresh that navigates away) is judged as served, with the \
reason; an SVG or XML document is reported as not a web page, which every rule takes as inapplicable.\n\n\
| ACT rule | eldercheck check | agree | disagree |\n|---|---|---|---|\n",
    );
    for (rule, (check, agreed, disagreed)) in &table {
        markdown.push_str(&format!("| {rule} | `{check}` | {agreed} | {} |\n", disagreed.len()));
    }
    let agreed: usize = table.values().map(|(_, agreed, _)| agreed).sum();
    markdown.push_str(&format!("\n**{agreed} of {} cases agree.**\n", decidable.len()));
    markdown.push_str(&format!(
        "\n{} case(s) cannot be decided here: files they need are absent from the test corpus (it may leave out \
media over 200 KB), so no browser can play them:\n\n",
        undecidable.len()
    ));
    for (case, _) in &undecidable {
        markdown.push_str(&format!("- {}\n", case["file"].as_str().unwrap_or_default()));
    }
    println!("{markdown}");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let doc = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/CONFORMANCE-RENDERED.md");
        std::fs::write(doc, &markdown).expect("write docs/CONFORMANCE-RENDERED.md");
    }
    assert!(!decidable.is_empty(), "the manifest lists needs-browser cases of mapped rules");
    assert!(disagreements.is_empty(), "ACT disagreements in rendered mode:\n{}", disagreements.join("\n"));
}
