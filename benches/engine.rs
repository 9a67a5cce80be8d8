//! Parse + cascade + every check, on a generated large portal page and (when present) on the
//! largest real saved pages. Run: `cargo bench --bench engine`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use eldercheck_checks::check::CheckContext;
use eldercheck_checks::page::{NoStylesheets, Page, PageOptions};
use eldercheck_checks::{rules, Profile};
use std::path::PathBuf;
use url::Url;

/// A portal-like page: a stylesheet of `rules` rules and `items` news items in nested tables and lists.
fn generated_page(rules: usize, items: usize) -> String {
    let mut html = String::from("<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>门户</title><style>");
    for i in 0..rules {
        html.push_str(&format!(
            ".c{i} {{ color: #{:06x}; font-size: {}px }} #n{i} a:hover {{ color: red }} .list .c{i} > span {{ background: rgba(0,0,0,.{}) }}\n",
            (i * 7919) % 0xffffff,
            10 + i % 8,
            i % 9 + 1
        ));
    }
    html.push_str(
        "@media (max-width: 600px) { .list li { font-size: 11px } }</style></head><body><div class=list><ul>",
    );
    for i in 0..items {
        html.push_str(&format!(
            "<li class='c{} item' id='n{i}'><a href='/news/{i}.html'>关于开展第{i}期适老化改造工作的通知</a> <span>2026-11-{:02}</span></li>",
            i % rules.max(1),
            i % 28 + 1
        ));
    }
    html.push_str("</ul></div></body></html>");
    html
}

fn check_all(page: &Page, profile: &Profile) -> usize {
    let cx = CheckContext {
        page,
        options: &profile.thresholds,
        elder_page: false,
        budget: eldercheck_checks::budget::Budget::unlimited(),
    };
    rules::registry().iter().map(|c| c.run(&cx).findings.len()).sum()
}

fn bench(c: &mut Criterion) {
    let profile = Profile::miit_web();
    let url = Url::parse("https://www.example.gov.cn/").expect("static url");
    let html = generated_page(400, 5_000);
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(html.len() as u64));
    group.bench_function("generated portal page (400 rules, 5k items): parse + cascade + checks", |b| {
        b.iter(|| {
            let page = Page::from_html(url.clone(), &html, &NoStylesheets, PageOptions::default(), encoding_rs::UTF_8);
            check_all(&page, &profile)
        })
    });
    let real = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real-pages");
    for name in ["postlight-www.reddit.com--image", "readability-yahoo-2", "cwced-www.nmg.gov.cn-d232c5df"] {
        let Ok(bytes) = std::fs::read(real.join(name).join("index.html")) else { continue };
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("real page {name}: decode + parse + cascade + checks"), |b| {
            b.iter(|| {
                let page = Page::from_bytes(url.clone(), &bytes, None, &NoStylesheets, PageOptions::default());
                check_all(&page, &profile)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
