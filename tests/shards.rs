//! Sharded batches: 30 loopback sites checked as 3 shard processes plus `merge` give the report one
//! process gives; a missing shard's sites are listed as not checked (exit 3); shards of different
//! batches are refused (exit 2).

mod common;

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use common::serve;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SITES: usize = 30;

/// Each site's pages differ by its number, so sites score differently: small text, images without
/// alt, an ad on the elder page (a veto), or nothing wrong.
fn site_page(headers: &HeaderMap, path: &str) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let n: usize = host.trim_start_matches("site").split('.').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let body = match path {
        "/robots.txt" | "/sitemap.xml" => return (axum::http::StatusCode::NOT_FOUND, "").into_response(),
        "/" => format!(
            "<a href='/care/'>关怀版</a><a href='/news.html'>新闻</a><p{}>第{n}个网站的首页正文</p>{}",
            if n % 3 == 0 { " style='font-size:10px'" } else { "" },
            if n % 4 == 0 { "<img src='/logo.png'>" } else { "" }
        ),
        "/care/" => format!(
            "<p style='font-size:20px'>关怀版正文</p>{}",
            if n % 7 == 0 {
                "<div class='ad'><a href='https://ads.example.com/'>广告</a><img src='ad.png' alt='广告'></div>"
            } else {
                ""
            }
        ),
        _ => format!("<p style='color:#{}'>新闻正文</p>", if n % 5 == 0 { "aaaaaa" } else { "222222" }),
    };
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<!DOCTYPE html><html lang=zh-CN><head><title>网站{n}</title></head><body>{body}</body></html>"),
    )
        .into_response()
}

fn eldercheck(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run eldercheck")
}

/// A working folder with the site list and an eldercheck.toml resolving every site to the server.
fn batch(addr: SocketAddr) -> tempfile::TempDir {
    let work = tempfile::tempdir().expect("tempdir");
    let list: String = (0..SITES).map(|n| format!("http://site{n}.test:{}/,网站{n}\n", addr.port())).collect();
    std::fs::write(work.path().join("sites.csv"), format!("url,name\n{list}")).expect("write list");
    let resolve: Vec<String> = (0..SITES).map(|n| format!("\"site{n}.test:{}:127.0.0.1\"", addr.port())).collect();
    std::fs::write(
        work.path().join("eldercheck.toml"),
        format!("resolve = [{}]\ndelay-ms = 0\nno-robots = true\nmax-pages = 5\nno-db = true\n", resolve.join(", ")),
    )
    .expect("write config");
    work
}

fn report(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("report.json")).expect("report.json")).expect("json")
}

/// What must agree between one process and merged shards: per site, everything but history and time.
fn comparable(report: &Value) -> Vec<Value> {
    report["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .map(|site| {
            let mut site = site.clone();
            for volatile in ["trend", "changes"] {
                site.as_object_mut().map(|o| o.remove(volatile));
            }
            site
        })
        .collect()
}

fn shard_runs(work: &Path, shards: &[u32]) -> Vec<PathBuf> {
    shards
        .iter()
        .map(|k| {
            let out = work.join(format!("shard-{k}"));
            let output = eldercheck(
                &[
                    "check",
                    "--sites",
                    "sites.csv",
                    "--shard",
                    &format!("{k}/3"),
                    "--out",
                    out.to_str().expect("p"),
                    "-q",
                ],
                work,
            );
            assert!(
                matches!(output.status.code(), Some(0 | 1 | 3 | 4)),
                "shard {k}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            out
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_shards_merged_equal_one_process() {
    let (addr, _) = serve(|path, headers| site_page(headers, path)).await;
    let work = batch(addr);
    let dir = work.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let one = eldercheck(&["check", "--sites", "sites.csv", "--out", "one", "-q"], &dir);
        assert!(matches!(one.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&one.stderr));
        let shards = shard_runs(&dir, &[0, 1, 2]);
        let sizes: Vec<usize> = shards.iter().map(|s| report(s)["sites"].as_array().map_or(0, Vec::len)).collect();
        assert_eq!(sizes.iter().sum::<usize>(), SITES, "every site in exactly one shard: {sizes:?}");
        assert!(sizes.iter().all(|n| *n > 0), "every shard has sites: {sizes:?}");
        let mut args = vec!["merge"];
        let names: Vec<String> = shards.iter().map(|s| s.display().to_string()).collect();
        args.extend(names.iter().map(String::as_str));
        args.extend(["--out", "merged", "--no-db", "-q"]);
        let merged = eldercheck(&args, &dir);
        assert_eq!(merged.status.code(), one.status.code(), "{}", String::from_utf8_lossy(&merged.stderr));
        let (a, b) = (comparable(&report(&dir.join("one"))), comparable(&report(&dir.join("merged"))));
        assert_eq!(a.len(), SITES);
        for (one_site, merged_site) in a.iter().zip(&b) {
            assert_eq!(one_site, merged_site, "site {}", one_site["url"]);
        }
        let vetoed = a.iter().filter(|s| s["vetoes"].as_array().is_some_and(|v| !v.is_empty())).count();
        assert!(vetoed > 0, "the batch has vetoed sites, so vetoes are compared too");
        let ranking = |dir: &Path| std::fs::read_to_string(dir.join("report.html")).expect("index");
        let (one_index, merged_index) = (ranking(&dir.join("one")), ranking(&dir.join("merged")));
        let rows = |html: &str| html.matches("<tr").count();
        assert_eq!(rows(&one_index), rows(&merged_index), "the same ranking");
        assert!(dir.join("merged/sites.csv").is_file());
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_missing_shard_is_never_silent_and_strangers_are_refused() {
    // Sites with nothing wrong: the only thing that can make the merged run fail is the missing shard.
    let (addr, _) = serve(|path, _| match path {
        "/robots.txt" | "/sitemap.xml" => (axum::http::StatusCode::NOT_FOUND, "").into_response(),
        _ => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html lang=zh-CN><head><meta name=viewport content='width=device-width'><title>某市政府</title></head>\
             <body><a href='/care/'>关怀版</a><p style='font-size:18px;line-height:1.6'>政务公开</p></body></html>",
        )
            .into_response(),
    })
    .await;
    let work = batch(addr);
    let dir = work.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let shards = shard_runs(&dir, &[0, 2]);
        let names: Vec<String> = shards.iter().map(|s| s.display().to_string()).collect();
        let merged = eldercheck(&["merge", &names[0], &names[1], "--out", "merged", "--no-db", "-q"], &dir);
        assert_eq!(merged.status.code(), Some(3), "{}", String::from_utf8_lossy(&merged.stderr));
        let merged = report(&dir.join("merged"));
        let sites = merged["sites"].as_array().expect("sites");
        assert_eq!(sites.len(), SITES, "every listed site is in the report");
        let missing: Vec<&Value> = sites.iter().filter(|s| s["status"] == "not_checked").collect();
        assert!(!missing.is_empty());
        for site in &missing {
            let page = &site["pages"][0];
            assert_eq!(page["error"]["kind"], "shard_missing");
            assert!(page["error"]["message"].as_str().is_some_and(|m| m.contains("shard 1/3")), "{page}");
            assert!(site["grade"].is_null());
        }

        // Shards of another list, or with another profile, do not belong to this batch.
        std::fs::write(dir.join("other.csv"), "url\nhttp://other.test/\n").expect("write");
        let other = dir.join("other");
        let run = eldercheck(
            &["check", "--sites", "other.csv", "--shard", "1/3", "--out", other.to_str().expect("p"), "-q"],
            &dir,
        );
        assert!(matches!(run.status.code(), Some(0 | 1 | 3 | 4)), "{}", String::from_utf8_lossy(&run.stderr));
        let refused = eldercheck(&["merge", &names[0], other.to_str().expect("p"), "--out", "bad", "--no-db"], &dir);
        assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
        let wcag = dir.join("wcag");
        let run = eldercheck(
            &[
                "check",
                "--sites",
                "sites.csv",
                "--shard",
                "1/3",
                "--profile",
                "wcag-aa",
                "--out",
                wcag.to_str().expect("p"),
                "-q",
            ],
            &dir,
        );
        assert!(matches!(run.status.code(), Some(0 | 1 | 3 | 4)));
        let refused = eldercheck(&["merge", &names[0], wcag.to_str().expect("p"), "--out", "bad", "--no-db"], &dir);
        assert_eq!(refused.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("分片"), "a Chinese message by default");
        let twice = eldercheck(&["merge", &names[0], &names[0], "--out", "bad", "--no-db"], &dir);
        assert_eq!(twice.status.code(), Some(2), "a shard given twice");
    })
    .await
    .expect("join");
}

/// Shards are input: a damaged record, a shard claiming what is not its own, a score no run makes,
/// an impossible shard number or an `--out` over a shard's own results never crash the merge, lose a
/// report or publish nonsense (issue 28).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_shards_are_refused_or_their_sites_listed_as_not_checked() {
    let (addr, _log) = serve(|path, headers| site_page(headers, path)).await;
    let work = batch(addr);
    let dir = work.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let shards = shard_runs(&dir, &[0, 1, 2]);
        let names: Vec<String> = shards.iter().map(|s| s.display().to_string()).collect();
        let results = |n: usize| shards[n].join("results");
        let edit_manifest = |n: usize, edit: &dyn Fn(&mut Value)| {
            let path = results(n).join("run.json");
            let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
            edit(&mut manifest);
            std::fs::write(&path, serde_json::to_vec(&manifest).expect("json")).expect("write");
        };
        let merge =
            |out: &str| eldercheck(&["merge", &names[0], &names[1], &names[2], "--out", out, "--no-db", "-q"], &dir);

        // One truncated site record and one with a score no run makes: the merge goes on, those
        // sites are not checked and the message names the damaged file.
        let record = results(0).join("sites/000001.json");
        let text = std::fs::read(&record).expect("record");
        std::fs::write(&record, &text[..text.len() / 2]).expect("truncate");
        let other = results(1).join("sites/000001.json");
        let mut value: Value = serde_json::from_slice(&std::fs::read(&other).expect("record")).expect("json");
        value["score"] = serde_json::json!(1e308);
        std::fs::write(&other, serde_json::to_vec(&value).expect("json")).expect("write");
        let merged = merge("merged");
        assert!(matches!(merged.status.code(), Some(1 | 3 | 4)), "{}", String::from_utf8_lossy(&merged.stderr));
        let report = report(&dir.join("merged"));
        let damaged: Vec<&Value> = report["sites"]
            .as_array()
            .expect("sites")
            .iter()
            .filter(|s| s["pages"][0]["error"]["message"].as_str().is_some_and(|m| m.contains("damaged")))
            .collect();
        assert_eq!(damaged.len(), 2, "both damaged sites are named");
        assert!(damaged
            .iter()
            .any(|s| s["pages"][0]["error"]["message"].as_str().unwrap_or("").contains("000001.json")));
        assert!(report["sites"]
            .as_array()
            .expect("sites")
            .iter()
            .all(|s| s["score"].as_f64().is_none_or(|v| v <= 100.0)));

        // --out over a shard's own results is refused before anything is written.
        let own = merge(&names[0]);
        assert_eq!(own.status.code(), Some(2), "{}", String::from_utf8_lossy(&own.stderr));
        assert!(results(0).join("run.json").is_file(), "the shard's results are intact");

        // A shard calling itself 7 of 2, or claiming another shard's sites.
        edit_manifest(2, &|m| m["shard"]["shard"] = serde_json::json!({ "index": 7, "count": 2 }));
        let impossible = merge("bad1");
        assert_eq!(impossible.status.code(), Some(2), "{}", String::from_utf8_lossy(&impossible.stderr));
        edit_manifest(2, &|m| m["shard"]["shard"] = serde_json::json!({ "index": 2, "count": 3 }));
        let first_of_shard_0 = {
            let path = results(0).join("run.json");
            let manifest: Value = serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
            manifest["shard"]["positions"][0].clone()
        };
        edit_manifest(2, &|m| m["shard"]["positions"][0] = first_of_shard_0.clone());
        let claiming = merge("bad2");
        assert_eq!(claiming.status.code(), Some(2), "{}", String::from_utf8_lossy(&claiming.stderr));
    })
    .await
    .expect("join");
}
