//! A bounded-time fuzzer over the whole page path: decode → parse → cascade → every check → scoring
//! and every report format. It needs no nightly toolchain, so CI runs it on every change.
//!
//! Inputs are mutations of a corpus seeded from the check fixtures (`checks/fixtures`), the demo site
//! and, when present, the W3C ACT cases: byte flips, splices between seeds, repeated ranges, and
//! hostile fragments (deep nesting, unclosed tags, CSS and `var()` bombs, control bytes, odd
//! encodings). Each input is written to `target/fuzz/current.html` before it runs, so that an input
//! that kills the process (a stack overflow cannot be caught) is on disk; one that panics is saved to
//! `target/fuzz/failures/` and fails the test.
//!
//! `ELDERCHECK_FUZZ_SECONDS` (default 20) bounds the time and `ELDERCHECK_FUZZ_SEED` picks the
//! sequence; docs/SECURITY.md explains how to run it for hours.

use eldercheck::analyze::{analyze, Analysis};
use eldercheck::sources::{Body, PageParts, SourcedPage};
use eldercheck_checks::page::{NoStylesheets, PageOptions, StylesheetLoader};
use eldercheck_checks::{Catalogue, Profile};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// xorshift64*: deterministic for a seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "<div>",
    "<span>",
    "<font color=#123456>",
    "<table><tr><td>",
    "<a href=/x>",
    "<button>",
    "<label for=a>",
    "<svg><title>t</title>",
    "<math><mi>",
    "<template>",
    "<select><option>",
    "</p>",
    "<!--",
    "<![CDATA[",
    "<style>",
    "</style>",
    "<script>",
    "</script>",
    "<img src=a.png alt>",
    "<input aria-labelledby='a b a'>",
    "<p style='font-size:calc(1px*(2+(3/0)))'>",
    "<p style='font-size:calc(1px + (",
    "<p style='background:linear-gradient(red, rgb(",
    "<p style='color:var(--a, var(--b, var(--c)))'>",
    "<div style='--a:var(--a)'>",
    "<div aria-hidden=true tabindex=0>",
    "<meta name=viewport content='width=device-width, user-scalable=no, maximum-scale=1.0'>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<meta charset=gb2312>",
    "@media ((((min-width:1px)))) {",
    "@media 手机 and (max-width:１００px) {",
    "@supports (x:y) {",
    "@import url(a.css) screen;",
    ":is(:not(:is(p)))",
    "{{}}}}{{",
    "\u{0}\u{1b}[31m\u{feff}\u{202e}",
    "\u{fffe}\u{ffff}",
    "𠀀𠀁",
    "&#0;&#x110000;&#xd800;",
    "<html lang='zh_CN' dir=rtl>",
    "<iframe title>",
    "<marquee>",
    "<audio autoplay>",
    "<div style='position:fixed;z-index:99999;width:100%;height:100%'>广告<a>下载APP</a>",
];

fn seeds() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [root.join("checks/fixtures"), root.join("examples/demo-site")] {
        collect_html(&dir, &mut files);
    }
    let act = std::env::var_os("ELDERCHECK_ACT_DIR").map_or_else(|| root.join("../shared/act-cases"), PathBuf::from);
    let mut act_files = Vec::new();
    collect_html(&act, &mut act_files);
    // A sample of the ACT cases keeps the corpus varied without reading all of them every run.
    files.extend(act_files.into_iter().step_by(7));
    let mut seeds: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    seeds.push(b"<!doctype html><html lang=zh-CN><title>t</title><p>x".to_vec());
    seeds
}

/// Every `.html`/`.htm` under `dir`, without recursion.
fn collect_html(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push(path),
                Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "html" || e == "htm") => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut input = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(input.len() + 1);
        match rng.below(7) {
            0 => {
                if let Some(byte) = input.get_mut(at) {
                    *byte ^= 1 << rng.below(8);
                }
            }
            1 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(2_000)).min(other.len());
                input.splice(at..at, other[from..to].iter().copied());
            }
            2 => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                input.splice(at..at, fragment.iter().copied());
            }
            3 => {
                // Deep nesting: a fragment repeated up to 20,000 times.
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                let repeated = fragment.repeat(1 + rng.below(20_000));
                input.splice(at..at, repeated);
            }
            4 => {
                let end = (at + rng.below(500)).min(input.len());
                input.drain(at..end);
            }
            5 => {
                let end = (at + rng.below(200)).min(input.len());
                let range = input[at..end].repeat(1 + rng.below(50));
                input.splice(at..at, range);
            }
            _ => {
                let byte = (rng.next() & 0xff) as u8;
                input.insert(at, byte);
            }
        }
    }
    input.truncate(2 * 1024 * 1024);
    input
}

fn analysis() -> Analysis {
    let profile = Profile::miit_web();
    Analysis {
        catalogue: Catalogue::for_profile(&profile).expect("catalogue"),
        thresholds: profile.thresholds.clone(),
        elder: profile.elder_rules(Vec::new()),
        page_options: PageOptions::default(),
        page_budget: Duration::from_secs(5),
    }
}

#[test]
fn fuzz_the_page_path_and_the_reports() {
    let seconds: u64 = std::env::var("ELDERCHECK_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let seed: u64 = std::env::var("ELDERCHECK_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_2026);
    let seeds = seeds();
    let work = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz");
    std::fs::create_dir_all(work.join("failures")).expect("fuzz folder");
    let analysis = analysis();
    let loader: Arc<dyn StylesheetLoader> = Arc::new(NoStylesheets);
    let url = url::Url::parse("https://fuzz.example.gov.cn/index.html").expect("url");
    let mut rng = Rng(seed | 1);
    let batch = tempfile::tempdir().expect("tempdir");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut inputs, mut batches) = (0usize, 0usize);
    // Page analysis for most of the time; every 40 inputs, the last ones go through the binary and
    // every report format (escaping, CSV formulas, XML characters, the HTML report's script).
    while Instant::now() < deadline {
        let input = mutate(&mut rng, &seeds);
        std::fs::write(work.join("current.html"), &input).expect("write the current input");
        let sourced = SourcedPage {
            site: 0,
            page: PageParts {
                url: url.to_string(),
                requested_url: url.to_string(),
                status: Some(200),
                depth: 0,
                referrer: None,
                is_home: true,
                site_root: None,
                content: Ok(Body::fetched(input.clone(), None)),
            },
            loader: loader.clone(),
            links: None,
        };
        let began = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(sourced, &analysis)));
        if std::env::var_os("ELDERCHECK_FUZZ_TIMES").is_some() {
            let kind = outcome.as_ref().ok().and_then(|a| a.page.error.as_ref().map(|e| e.kind.clone()));
            println!("input {inputs}: {} bytes, {:?}, {kind:?}", input.len(), began.elapsed());
            if began.elapsed() > Duration::from_secs(2) {
                std::fs::write(work.join(format!("slow-{inputs}.html")), &input).expect("keep the slow input");
            }
        }
        match outcome {
            Ok(analyzed) => assert!(
                analyzed.page.error.as_ref().is_none_or(|e| e.kind != "internal"),
                "internal error on input {inputs}"
            ),
            Err(_) => {
                let saved = work.join(format!("failures/{seed}-{inputs}.html"));
                std::fs::write(&saved, &input).expect("save the failing input");
                panic!("the checker panicked on input {inputs} (seed {seed}); saved to {}", saved.display());
            }
        }
        std::fs::write(batch.path().join(format!("p{}.html", inputs % 40)), &input).expect("write");
        inputs += 1;
        if inputs % 40 == 0 {
            batches += 1;
            let began = Instant::now();
            render_batch(batch.path(), &work);
            if std::env::var_os("ELDERCHECK_FUZZ_TIMES").is_some() {
                println!("batch {batches}: {:?}", began.elapsed());
            }
        }
    }
    println!("fuzz: {inputs} inputs, {batches} report batches in {seconds} s (seed {seed})");
    assert!(inputs > 0);
}

/// The binary over a folder of fuzzed pages, with every report format; it must end normally.
fn render_batch(folder: &Path, work: &Path) {
    let out = tempfile::tempdir().expect("tempdir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .args(["check", folder.to_str().expect("p"), "--out", out.path().to_str().expect("p")])
        .args(["--format", "html,json,csv,junit,sarif", "-q", "--no-db"])
        .output()
        .expect("run eldercheck");
    if !matches!(output.status.code(), Some(0 | 1)) {
        let kept = work.join("failures/batch");
        let _ = std::fs::remove_dir_all(&kept);
        let _ = copy_dir(folder, &kept);
        panic!(
            "a fuzzed batch ended with {:?}; pages kept in {}: {}",
            output.status,
            kept.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).expect("report.json")).expect("json");
    for page in report["sites"][0]["pages"].as_array().into_iter().flatten() {
        assert_ne!(page["error"]["kind"], "internal", "{}", page["error"]);
    }
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("report.html");
    assert!(!html.contains("<script>alert"), "page content is escaped in the report");
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}
