//! Run history: changes between runs, concurrent runs on one store, a run killed while storing,
//! migrations from an empty file, baselines with expiry, pruning and `eldercheck history`.

use std::path::Path;
use std::process::{Command, Output};

fn eldercheck(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eldercheck"));
    command.env("ELDERCHECK_RENDER", "never");
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run eldercheck")
}

/// `check SITE --db DB --format json --out - -q`: a run that prints its report.
fn check_args(site: &Path, db: &Path) -> Vec<String> {
    let path = |p: &Path| p.to_string_lossy().into_owned();
    [
        "check".into(),
        path(site),
        "--db".into(),
        path(db),
        "--format".into(),
        "json".into(),
        "--out".into(),
        "-".into(),
        "-q".into(),
    ]
    .to_vec()
}

fn check(site: &Path, db: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    let mut args = check_args(site, db);
    args.extend(extra.iter().map(|e| e.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = eldercheck(&args, &[]);
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    (output, json)
}

/// `check SITE --no-db -q ARGS…`: a run without the history store.
fn check_without_history(site: &Path, args: &[&str]) -> Output {
    let site = site.to_string_lossy();
    let mut all = vec!["check", site.as_ref(), "--no-db", "-q"];
    all.extend_from_slice(args);
    eldercheck(&all, &[])
}

fn write_page(site: &Path, body: &str) {
    std::fs::write(site.join("index.html"), format!("<html lang=zh-CN><head><title>某市政府</title></head><body><a href='/care/'>关怀版</a>{body}</body></html>"))
        .expect("write page");
}

/// `eldercheck baseline write REPORT --out BASELINE --reason REASON`; returns the baseline's text.
fn write_baseline(report: &Path, baseline: &Path, reason: &str) -> String {
    let written = eldercheck(
        &["baseline", "write", report.to_str().expect("p"), "--out", baseline.to_str().expect("p"), "--reason", reason],
        &[],
    );
    assert_eq!(written.status.code(), Some(0), "{}", String::from_utf8_lossy(&written.stderr));
    std::fs::read_to_string(baseline).expect("baseline")
}

fn runs_in(db: &Path) -> usize {
    let output = eldercheck(&["history", "--db", db.to_str().expect("p"), "--format", "json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&output.stdout).expect("history json").len()
}

#[test]
fn two_runs_report_exactly_the_fixed_and_the_new_defect() {
    let site = tempfile::tempdir().expect("tempdir");
    let store = tempfile::tempdir().expect("tempdir");
    let db = store.path().join("history.db");
    write_page(site.path(), "<img id=logo src=logo.png><p>正文</p>");
    let (_, first) = check(site.path(), &db, &[]);
    assert!(first["sites"][0].get("changes").is_none(), "no changes on the first run");
    assert_eq!(first["sites"][0]["trend"].as_array().map(Vec::len), Some(0));

    write_page(site.path(), "<img id=logo src=logo.png alt='某市人民政府'><button id=go></button><p>正文</p>");
    let (_, second) = check(site.path(), &db, &[]);
    let issue_of = |report: &serde_json::Value, check: &str| -> String {
        let issues = report["sites"][0]["issues"].as_array().expect("issues");
        issues.iter().find(|i| i["check"] == check).and_then(|i| i["id"].as_str()).expect("issue").to_string()
    };
    let changes = &second["sites"][0]["changes"];
    assert_eq!(changes["new"], serde_json::json!([issue_of(&second, "button-name")]), "changes are by issue id");
    assert_eq!(changes["fixed"], serde_json::json!([issue_of(&first, "image-alt")]));
    assert_eq!(changes["labels"][issue_of(&first, "image-alt")]["check"], "image-alt", "a fixed issue keeps its name");
    let trend = second["sites"][0]["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 1);
    assert_eq!(trend[0]["score"], first["sites"][0]["score"]);
}

#[test]
fn two_runs_at_once_share_one_store() {
    let site = tempfile::tempdir().expect("tempdir");
    let store = tempfile::tempdir().expect("tempdir");
    let db = store.path().join("shared.db");
    write_page(site.path(), "<p>正文</p>");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_eldercheck"))
            .env("ELDERCHECK_RENDER", "never")
            .args(check_args(site.path(), &db))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let mut children: Vec<_> = (0..4).map(|_| spawn()).collect();
    for child in &mut children {
        let status = child.wait().expect("wait");
        assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    }
    assert_eq!(runs_in(&db), 4);
}

#[test]
fn a_run_killed_while_storing_leaves_the_store_usable() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the hook that kills a run while it stores exists in debug builds only");
        return;
    }
    let site = tempfile::tempdir().expect("tempdir");
    let store = tempfile::tempdir().expect("tempdir");
    let db = store.path().join("killed.db");
    write_page(site.path(), "<p>正文</p>");
    let (first, _) = check(site.path(), &db, &[]);
    assert!(matches!(first.status.code(), Some(0 | 1)));
    let args = check_args(site.path(), &db);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let killed = eldercheck(&args, &[("ELDERCHECK_TEST_ABORT_WHILE_STORING", "1")]);
    assert!(killed.status.code().is_none() || killed.status.code() != Some(0), "the run was aborted");
    assert_eq!(runs_in(&db), 1, "the killed run left nothing half-written");
    let (next, json) = check(site.path(), &db, &[]);
    assert!(matches!(next.status.code(), Some(0 | 1)));
    assert_eq!(json["sites"][0]["trend"].as_array().map(Vec::len), Some(1));
    assert_eq!(runs_in(&db), 2);
}

#[test]
fn an_empty_file_is_migrated_and_old_runs_are_pruned() {
    let site = tempfile::tempdir().expect("tempdir");
    let store = tempfile::tempdir().expect("tempdir");
    let db = store.path().join("empty.db");
    std::fs::write(&db, b"").expect("empty file");
    write_page(site.path(), "<p>正文</p>");
    for _ in 0..3 {
        let (output, _) = check(site.path(), &db, &["--keep-runs", "2"]);
        assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    }
    assert_eq!(runs_in(&db), 2, "--keep-runs 2 keeps the newest two");
    let table = eldercheck(&["history", "--db", db.to_str().expect("p")], &[("LANG", "en_US.UTF-8")]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("run") && text.lines().count() == 3, "{text}");
}

#[test]
fn baselines_accept_findings_until_they_expire() {
    let site = tempfile::tempdir().expect("tempdir");
    let work = tempfile::tempdir().expect("tempdir");
    write_page(site.path(), "<img id=banner src=banner.jpg><p>正文</p>");
    let out = work.path().join("run1");
    let first = check_without_history(
        site.path(),
        &["--out", out.to_str().expect("p"), "--format", "json", "--fail-under", "100"],
    );
    assert_eq!(first.status.code(), Some(1), "the missing alt keeps the score under 100");
    let baseline = work.path().join("baseline.toml");
    let toml = write_baseline(&out.join("report.json"), &baseline, "banner redesign due in 2027");
    assert!(toml.contains("image-alt") && toml.contains("banner redesign"));

    // The same run, judged against the baseline file as it stands.
    let with_baseline = || {
        check_without_history(
            site.path(),
            &["--format", "json", "--out", "-", "--fail-under", "100", "--baseline", baseline.to_str().expect("p")],
        )
    };
    let accepted = with_baseline();
    assert_eq!(accepted.status.code(), Some(0), "accepted findings do not fail the run");
    let json: serde_json::Value = serde_json::from_slice(&accepted.stdout).expect("json");
    let image = json["sites"][0]["pages"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "image-alt")
        .cloned()
        .expect("image-alt");
    assert_eq!(image["outcome"], "failed", "accepting is not fixing: the official result stands");
    assert_eq!(image["findings"][0]["accepted"]["reason"], "banner redesign due in 2027");
    let record = &json["sites"][0];
    assert!(record["score"].as_f64() < Some(100.0), "the official score is not raised by a baseline");
    assert_eq!(record["score_with_accepted"], 100.0);
    assert_eq!(record["passed_with_accepted"], true);
    let issue = record["issues"].as_array().and_then(|i| i.iter().find(|i| i["check"] == "image-alt")).expect("issue");
    assert_eq!(issue["accepted"]["reason"], "banner redesign due in 2027", "the issue is shown as accepted");

    // Every other format shows the acceptance too, rather than dropping or re-failing the finding.
    let formats = work.path().join("formats");
    let all = check_without_history(
        site.path(),
        &[
            "--out",
            formats.to_str().expect("p"),
            "--format",
            "html,csv,sarif,junit",
            "--fail-under",
            "100",
            "--baseline",
            baseline.to_str().expect("p"),
        ],
    );
    assert_eq!(all.status.code(), Some(0));
    let read = |name: &str| std::fs::read_to_string(formats.join(name)).expect(name);
    assert!(read("findings.csv").contains(",image-alt,读屏标签,严重,已接受,"), "{}", read("findings.csv"));
    let sarif: serde_json::Value = serde_json::from_str(&read("report.sarif")).expect("sarif");
    let suppressed = &sarif["runs"][0]["results"][0];
    assert_eq!(suppressed["ruleId"], "image-alt");
    assert_eq!(suppressed["suppressions"][0]["justification"], "banner redesign due in 2027");
    assert!(read("report.junit.xml").contains("<skipped message=\"accepted: banner redesign due in 2027\"/>"));
    let html = read("report.html");
    assert!(html.contains("已接受") && html.contains("banner redesign due in 2027"));

    let expired = toml.replace("reason =", "expires = \"2000-01-01\"\nreason =");
    std::fs::write(&baseline, expired).expect("write");
    let again = with_baseline();
    assert_eq!(again.status.code(), Some(1), "an expired acceptance counts again");
}

/// A three-page site whose home page has no elder-mode entry: `elder-mode-entry` (site level) fails.
fn write_site_without_entry(site: &Path) {
    std::fs::write(
        site.join("index.html"),
        "<html lang=zh-CN><title>首页</title><body><a href='a.html'>通知</a></body></html>",
    )
    .expect("write");
    std::fs::write(site.join("a.html"), "<html lang=zh-CN><title>通知</title><body><p>正文</p></body></html>")
        .expect("write");
    std::fs::write(site.join("b.html"), "<html lang=zh-CN><title>公告</title><body><p>正文</p></body></html>")
        .expect("write");
}

fn site_check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["sites"][0]["site_checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no site check {id}: {}", report["sites"][0]["site_checks"]))
}

#[test]
fn a_failing_site_level_check_is_no_change_on_an_unchanged_second_run() {
    let site = tempfile::tempdir().expect("tempdir");
    let store = tempfile::tempdir().expect("tempdir");
    let db = store.path().join("history.db");
    write_site_without_entry(site.path());
    let (_, first) = check(site.path(), &db, &[]);
    assert_eq!(site_check(&first, "elder-mode-entry")["outcome"], "failed");
    let (_, second) = check(site.path(), &db, &[]);
    assert_eq!(site_check(&second, "elder-mode-entry")["outcome"], "failed");
    let changes = &second["sites"][0]["changes"];
    assert_eq!(changes["new"], serde_json::json!([]), "nothing is new: {changes}");
    assert_eq!(changes["fixed"], serde_json::json!([]), "nothing is fixed: {changes}");
}

#[test]
fn a_baseline_accepts_a_site_level_finding() {
    let site = tempfile::tempdir().expect("tempdir");
    let work = tempfile::tempdir().expect("tempdir");
    write_site_without_entry(site.path());
    let out = work.path().join("run1");
    let first = check_without_history(site.path(), &["--out", out.to_str().expect("p"), "--format", "json"]);
    assert!(matches!(first.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&first.stderr));
    let baseline = work.path().join("baseline.toml");
    let toml = write_baseline(&out.join("report.json"), &baseline, "elder mode launches in March");
    assert!(toml.contains("elder-mode-entry"));
    let accepted = check_without_history(
        site.path(),
        &["--format", "json", "--out", "-", "--baseline", baseline.to_str().expect("p")],
    );
    let report: serde_json::Value = serde_json::from_slice(&accepted.stdout).expect("json");
    let entry = site_check(&report, "elder-mode-entry");
    assert_eq!(entry["findings"][0]["accepted"]["reason"], "elder mode launches in March", "{entry}");
    assert_eq!(report["sites"][0]["summary"]["findings"], 0);
    assert_eq!(report["sites"][0]["summary"]["accepted"], 1);
}

#[test]
fn an_accepted_issue_is_present_in_history_and_changes_not_fixed() {
    let site = tempfile::tempdir().expect("tempdir");
    let work = tempfile::tempdir().expect("tempdir");
    let db = work.path().join("history.db");
    write_page(site.path(), "<img id=banner src=banner.jpg><p>正文</p>");
    let (_, first) = check(site.path(), &db, &[]);
    let failed_issues = |report: &serde_json::Value| {
        report["sites"][0]["issues"].as_array().map_or(0, |i| i.iter().filter(|i| i["outcome"] == "failed").count())
    };
    let present = failed_issues(&first);
    assert!(present > 0);
    let report = work.path().join("first.json");
    std::fs::write(&report, serde_json::to_vec(&first).expect("json")).expect("write");
    let baseline = work.path().join("baseline.toml");
    write_baseline(&report, &baseline, "redesign in 2027");

    // The same page, its issues accepted: nothing was fixed, nothing is new, all are accepted.
    let (output, second) = check(site.path(), &db, &["--baseline", baseline.to_str().expect("p")]);
    let changes = &second["sites"][0]["changes"];
    assert_eq!(changes["fixed"], serde_json::json!([]), "accepted is not fixed: {changes}");
    assert_eq!(changes["new"], serde_json::json!([]));
    assert_eq!(changes["accepted"], present);
    // And the run after it, without the baseline: the issues were there all along.
    let (_, third) = check(site.path(), &db, &[]);
    assert_eq!(third["sites"][0]["changes"]["new"], serde_json::json!([]), "nothing is new without the baseline");

    let history = eldercheck(&["history", "--db", db.to_str().expect("p"), "--format", "json"], &[]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&history.stdout).expect("history json");
    let with_baseline = rows.iter().find(|r| r["accepted"].as_i64() > Some(0)).expect("the accepted run");
    assert!(with_baseline["findings"].as_i64() >= Some(present as i64), "its findings are counted: {with_baseline}");
    assert!(output.status.success() || output.status.code() == Some(1));
}

#[test]
fn the_console_says_what_the_exit_code_says_with_a_baseline() {
    let site = tempfile::tempdir().expect("tempdir");
    let work = tempfile::tempdir().expect("tempdir");
    write_page(site.path(), "<img id=banner src=banner.jpg><p>正文</p>");
    let out = work.path().join("run1");
    let run = |extra: &[&str]| {
        let mut args =
            vec!["--out", out.to_str().expect("p"), "--format", "json", "--fail-under", "100", "--lang", "zh-CN"];
        args.extend_from_slice(extra);
        let site = site.path().to_string_lossy().into_owned();
        let mut all = vec!["check", site.as_str(), "--no-db"];
        all.extend_from_slice(&args);
        eldercheck(&all, &[("LANG", "zh_CN.UTF-8")])
    };
    assert_eq!(run(&[]).status.code(), Some(1));
    let baseline = work.path().join("baseline.toml");
    write_baseline(&out.join("report.json"), &baseline, "redesign in 2027");
    let accepted = run(&["--baseline", baseline.to_str().expect("p")]);
    assert_eq!(accepted.status.code(), Some(0));
    let console = String::from_utf8_lossy(&accepted.stderr);
    assert!(console.contains("未达标") && console.contains("已按基线接受，不计这些为达标"), "{console}");
}

#[test]
fn history_speaks_the_consoles_language_in_beijing_time() {
    let site = tempfile::tempdir().expect("tempdir");
    let work = tempfile::tempdir().expect("tempdir");
    let db = work.path().join("history.db");
    write_page(site.path(), "<p>正文</p>");
    check(site.path(), &db, &[]);
    let table = eldercheck(&["history", "--db", db.to_str().expect("p")], &[("LANG", "zh_CN.UTF-8")]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("运行") && text.contains("时间（北京时间）") && text.contains("已接受"), "{text}");
    let json = eldercheck(&["history", "--db", db.to_str().expect("p"), "--format", "json"], &[]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).expect("json");
    let utc = rows[0]["generated_at"].as_str().expect("time");
    let stamp = time::OffsetDateTime::parse(utc, &time::format_description::well_known::Rfc3339).expect("rfc3339");
    let beijing = stamp.to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("offset"));
    let shown = format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        beijing.year(),
        u8::from(beijing.month()),
        beijing.day(),
        beijing.hour(),
        beijing.minute()
    );
    assert!(text.contains(&shown), "{shown} in {text}");
    assert!(!text.contains(&utc[..19]), "no UTC stamps: {text}");
}
