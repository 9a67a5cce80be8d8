//! The cascade against Chromium. Each page in `tests/cascade/` marks elements with `data-probe`; the
//! values Chromium computes for them (font size, text colour, background colour; scripts on, 1280 px
//! wide) are recorded once in `tests/cascade/expected.json`. The test checks eldercheck's cascade
//! against the recording, and, where Chromium is installed (CI installs it), checks the recording
//! against Chromium itself so that it cannot go stale. `UPDATE_CASCADE=1` records again.
//!
//! The pages cover the causes of disagreement found on real pages: quirks-mode tables, the
//! monospace default size, invalid selectors and declarations, quirks-mode values, legacy colour
//! and size attributes, `revert` and `font-size: 0`.

mod common;

use common::browser::{chromium, chromium_dump};
use eldercheck::sources::local::FolderLoader;
use eldercheck_checks::page::{Page, PageOptions};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cascade")
}

fn cases() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cascade")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    pages
}

fn name(page: &Path) -> String {
    page.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A colour as `getComputedStyle` writes it.
fn css_colour(r: f32, g: f32, b: f32, a: f32) -> String {
    let (r, g, b) = (r.round() as u8, g.round() as u8, b.round() as u8);
    if a >= 1.0 {
        format!("rgb({r}, {g}, {b})")
    } else {
        let alpha = (a * 1000.0).round() / 1000.0;
        format!("rgba({r}, {g}, {b}, {alpha})")
    }
}

/// What eldercheck computes for every probe of a page.
fn ours(page: &Path) -> Map<String, Value> {
    let bytes = std::fs::read(page).expect("read");
    let url = url::Url::from_file_path(page).expect("url");
    let root = url::Url::from_directory_path(cases_dir()).expect("dir url");
    let loader = FolderLoader::new(root, 1024 * 1024);
    let parsed = Page::from_bytes(url, &bytes, None, &loader, PageOptions::default());
    let mut out = Map::new();
    for element in parsed.elements() {
        let Some(probe) = element.value().attr("data-probe") else { continue };
        let style = parsed.style_of(element);
        let colour = |c: &Result<eldercheck_checks::page::style::Rgba, _>| match c {
            Ok(c) => json!(css_colour(c.r, c.g, c.b, c.a)),
            Err(_) => json!(null),
        };
        out.insert(
            probe.to_string(),
            json!({
                "font_size": style.font_size.as_ref().ok().map(|px| (f64::from(*px) * 100.0).round() / 100.0),
                "color": colour(&style.color),
                "background_color": colour(&style.background_color),
            }),
        );
    }
    out
}

/// What Chromium computes for every probe of a page.
fn chromiums(browser: &Path, page: &Path) -> Map<String, Value> {
    const PROBE: &str = "<script>(function(){var out={};document.querySelectorAll('[data-probe]').forEach(function(e){var s=getComputedStyle(e);out[e.getAttribute('data-probe')]={font_size:Math.round(parseFloat(s.fontSize)*100)/100,color:s.color,background_color:s.backgroundColor};});var p=document.createElement('pre');p.id='eldercheck-probe';p.textContent=JSON.stringify(out);document.documentElement.appendChild(p);})();</script>";
    let work = tempfile::tempdir().expect("tempdir");
    let copy = work.path().join(name(page));
    let text = std::fs::read_to_string(page).expect("read");
    std::fs::write(&copy, format!("{text}{PROBE}")).expect("write");
    let (dom, log) = chromium_dump(browser, &copy);
    let document = scraper::Html::parse_document(&dom);
    let selector = scraper::Selector::parse("#eldercheck-probe").expect("selector");
    let probe = document.select(&selector).next().map(|e| e.text().collect::<String>());
    let probe = probe.unwrap_or_else(|| panic!("{}: Chromium gave no probe output: {log}", name(page)));
    match serde_json::from_str(&probe) {
        Ok(Value::Object(map)) => map,
        other => panic!("{}: probe output is not an object: {other:?}", name(page)),
    }
}

#[test]
fn the_cascade_agrees_with_chromium() {
    let expected_path = cases_dir().join("expected.json");
    let browser = chromium();
    if std::env::var_os("UPDATE_CASCADE").is_some() {
        let browser = browser.as_deref().expect("UPDATE_CASCADE needs Chromium");
        let recorded: Map<String, Value> =
            cases().iter().map(|page| (name(page), Value::Object(chromiums(browser, page)))).collect();
        let text = serde_json::to_string_pretty(&Value::Object(recorded)).expect("json");
        std::fs::write(&expected_path, format!("{text}\n")).expect("write expected.json");
    }
    let expected: Map<String, Value> = serde_json::from_slice(&std::fs::read(&expected_path).expect("expected.json"))
        .expect("expected.json is an object");
    let mut disagreements = Vec::new();
    for page in cases() {
        let file = name(&page);
        let Some(Value::Object(recorded)) = expected.get(&file) else {
            disagreements.push(format!("{file}: not recorded (run with UPDATE_CASCADE=1 where Chromium is installed)"));
            continue;
        };
        let computed = ours(&page);
        for (probe, want) in recorded {
            let got = computed.get(probe).cloned().unwrap_or(Value::Null);
            for property in ["font_size", "color", "background_color"] {
                let (w, g) = (&want[property], &got[property]);
                let agree = match (w.as_f64(), g.as_f64()) {
                    (Some(a), Some(b)) => (a - b).abs() <= 0.02,
                    _ => w == g,
                };
                if !agree {
                    disagreements.push(format!("{file} {probe} {property}: Chromium {w}, eldercheck {g}"));
                }
            }
        }
        if let Some(browser) = &browser {
            // The recording is Chromium's: a newer Chromium that computes otherwise shows here.
            let live = chromiums(browser, &page);
            for (probe, want) in recorded {
                if live.get(probe) != Some(want) {
                    disagreements.push(format!("{file} {probe}: recorded {want}, Chromium now {:?}", live.get(probe)));
                }
            }
        } else {
            println!("Chromium not installed: {file} checked against the recording only");
        }
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}
