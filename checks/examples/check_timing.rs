//! Time spent per check over a folder of pages (default: the real-pages corpus), to find slow checks.
//! Run: `cargo run --release -p eldercheck-checks --example check_timing [DIR]`.

use eldercheck_checks::check::CheckContext;
use eldercheck_checks::page::{NoStylesheets, Page, PageOptions};
use eldercheck_checks::{rules, Profile};
use std::time::{Duration, Instant};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/real-pages".into());
    let profile = Profile::miit_web();
    let mut totals: Vec<(&str, Duration)> =
        rules::registry().iter().map(|c| (c.meta().id.as_ref(), Duration::ZERO)).collect();
    let mut build = Duration::ZERO;
    let mut pages = 0;
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("cannot read {dir}");
        return;
    };
    for entry in entries.flatten() {
        let Ok(bytes) = std::fs::read(entry.path().join("index.html")) else { continue };
        let Ok(url) = url::Url::parse("https://example.gov.cn/") else { continue };
        let started = Instant::now();
        let page = Page::from_bytes(url, &bytes, None, &NoStylesheets, PageOptions::default());
        build += started.elapsed();
        let cx = CheckContext {
            page: &page,
            options: &profile.thresholds,
            elder_page: false,
            budget: eldercheck_checks::budget::Budget::unlimited(),
        };
        for (check, total) in rules::registry().iter().zip(totals.iter_mut()) {
            let started = Instant::now();
            let _ = check.run(&cx);
            total.1 += started.elapsed();
        }
        pages += 1;
    }
    println!("{pages} pages; decode + parse + cascade: {:.2} s", build.as_secs_f64());
    totals.sort_by(|a, b| b.1.cmp(&a.1));
    for (id, total) in totals {
        println!("{id:<28} {:>8.3} s", total.as_secs_f64());
    }
}
