//! How close static mode is to the parser's limit: times decoding + building the html5ever tree of
//! every page of the real-pages corpus alone (the floor no static checker can go under), then the
//! whole `eldercheck check` run over the same pages (cascade, every check, issues, report.json),
//! both on all cores, and prints their CPU times and the ratio. Issue 25's goal is a ratio ≤ 3.0.
//!
//! `cargo bench --bench static_floor` (5 pairs of runs, medians); `-- runs=N` changes the count.
//! The corpus is read from `$ELDERCHECK_REAL_PAGES` (default ../shared/real-pages); without it the
//! benchmark says so and exits. `AXE_SECONDS` (default 459, axe-core 4.14.1 in Chromium over the same
//! 278 pages on this machine, docs/PERFORMANCE.md) turns the wall time into a factor against axe-core.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let runs = std::env::args()
        .find_map(|arg| arg.strip_prefix("runs=").and_then(|n| n.parse::<usize>().ok()))
        .unwrap_or(5)
        .max(1);
    let corpus =
        PathBuf::from(std::env::var("ELDERCHECK_REAL_PAGES").unwrap_or_else(|_| "../shared/real-pages".into()));
    if !corpus.join("manifest.json").is_file() {
        println!("static_floor: skipped, no real-pages corpus at {} (set ELDERCHECK_REAL_PAGES)", corpus.display());
        return;
    }
    let pages = read_pages(&corpus);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    println!(
        "corpus: {} pages, {:.1} MiB, {} threads",
        pages.len(),
        bytes as f64 / 1048576.0,
        rayon::current_num_threads()
    );

    // The floor and the run alternate, and each run is set against the floor measured just before it:
    // this shared machine's speed drifts by a quarter within minutes.
    let mut floor: Vec<(f64, f64)> = Vec::new();
    let mut full: Vec<Run> = Vec::new();
    let mut ratios: Vec<f64> = Vec::new();
    for _ in 0..runs {
        let before = parse_floor(&pages);
        let Some(run) = eldercheck_run(&corpus) else {
            println!("eldercheck did not run");
            return;
        };
        ratios.push(run.cpu / before.0);
        floor.push(before);
        full.push(run);
    }
    floor.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (floor_cpu, floor_wall) = floor[floor.len() / 2];
    println!("decode + parse alone: {floor_cpu:.2} CPU-s, {floor_wall:.2} s wall (median of {runs})");
    full.sort_by(|a, b| a.cpu.total_cmp(&b.cpu));
    ratios.sort_by(f64::total_cmp);
    let median = &full[full.len() / 2];
    let peak = full.iter().map(|r| r.peak_mib).fold(0.0, f64::max);
    let axe: f64 = std::env::var("AXE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(459.0);
    println!(
        "eldercheck check --render never: {:.2} CPU-s, {:.2} s wall, peak RSS {:.0} MiB (median of {runs}; CPU range {:.2}–{:.2})",
        median.cpu,
        median.wall,
        peak,
        full[0].cpu,
        full[full.len() - 1].cpu
    );
    println!(
        "ratio to the floor: {:.2}× CPU, median of the {runs} pairs (range {:.2}–{:.2}; goal ≤ 3.0)",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
    println!("against axe-core's {axe:.0} s: {:.0}× faster (wall)", axe / median.wall);
}

fn read_pages(corpus: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus)
        .map(|entries| entries.flatten().map(|e| e.path().join("index.html")).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Decodes every page as a browser decides its charset when nothing else is known (byte-order
/// mark, then a `charset=` in the first 1,024 bytes, else UTF-8) and builds its html5ever tree,
/// in parallel. Returns (process CPU seconds, wall seconds).
fn parse_floor(pages: &[Vec<u8>]) -> (f64, f64) {
    let cpu = cpu_time::ProcessTime::now();
    let wall = Instant::now();
    let elements: usize = pages
        .par_iter()
        .map(|bytes| {
            let text = decode(bytes);
            let html = scraper::Html::parse_document(&text);
            html.tree.nodes().count()
        })
        .sum();
    std::hint::black_box(elements);
    (cpu.elapsed().as_secs_f64(), wall.elapsed().as_secs_f64())
}

fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let encoding = head
        .find("charset=")
        .map(|at| {
            head[at + 8..]
                .trim_start_matches(['"', '\''])
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
                .unwrap_or("")
                .to_string()
        })
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

struct Run {
    cpu: f64,
    wall: f64,
    peak_mib: f64,
}

fn eldercheck_run(corpus: &Path) -> Option<Run> {
    let out = tempfile::tempdir().ok()?;
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%e %U %S %M", env!("CARGO_BIN_EXE_eldercheck"), "check"])
        .arg(corpus)
        .args(["--render", "never", "--no-db", "-q", "--format", "json", "--out"])
        .arg(out.path())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let figures: Vec<f64> = stderr.lines().last()?.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let [wall, user, system, kb] = figures[..] else { return None };
    Some(Run { cpu: user + system, wall, peak_mib: kb / 1024.0 })
}
