//! eldercheck.toml: options from the file, command-line options winning, a [baseline] table,
//! [[custom_checks]], and unknown keys stopping the run; every option settable from the file and the
//! environment; the README's defaults the code's.

use std::path::Path;
use std::process::{Command, Output};

fn eldercheck_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run eldercheck")
}

fn setup(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("site")).expect("mkdir");
    std::fs::write(
        dir.path().join("site/index.html"),
        "<html lang=zh-CN><head><title>某市</title></head><body><img id=logo src=logo.png><div class=float-ad><a href='/zt/'>专题</a></div><p>正文</p></body></html>",
    )
    .expect("write");
    std::fs::write(dir.path().join("eldercheck.toml"), config).expect("write config");
    dir
}

#[test]
fn options_come_from_the_file_and_the_command_line_wins() {
    let dir = setup("targets = [\"site\"]\nformat = [\"json\", \"csv\"]\nout = \"nightly\"\nno-db = true\nquiet = true\nmax_depth = 2\n");
    let output = eldercheck_in(dir.path(), &["check"]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(dir.path().join("nightly/report.json").exists() && dir.path().join("nightly/findings.csv").exists());
    assert!(!dir.path().join("nightly/report.html").exists(), "format came from the file");
    assert!(!dir.path().join("eldercheck.db").exists(), "no-db came from the file");
    let output = eldercheck_in(dir.path(), &["check", "--format", "html", "--out", "cli"]);
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert!(
        dir.path().join("cli/report.html").exists() && !dir.path().join("cli/report.json").exists(),
        "CLI options win"
    );
}

#[test]
fn baseline_table_and_custom_checks_in_the_file() {
    let dir = setup("");
    let page =
        url::Url::from_file_path(std::path::absolute(dir.path().join("site/index.html")).expect("abs")).expect("url");
    let config = format!(
        "targets = [\"site\"]\nno_db = true\nquiet = true\n\n[baseline]\naccepted = [{{ key = \"image-alt {page} #logo\", reason = \"logo redesign in 2027\" }}]\n\n\
         [[custom_checks]]\nid = \"no-float-ad\"\nfamily = \"popups\"\nimpact = \"serious\"\ntitle = \"没有飘窗\"\nfailure_title = \"有飘窗\"\nmessage = \"页面有飘窗。\"\nhelp = \"删除飘窗。\"\napplies_to = \".float-ad\"\nforbid = true\n"
    );
    std::fs::write(dir.path().join("eldercheck.toml"), config).expect("write");
    let output = eldercheck_in(dir.path(), &["check", "--format", "json", "--out", "-"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let checks = json["sites"][0]["pages"][0]["checks"].as_array().expect("checks").clone();
    let by_id = |id: &str| checks.iter().find(|c| c["id"] == id).cloned().expect("check present");
    // A finding key of older reports (check, page, selector) is still honoured; accepting does not
    // change the outcome or the official score, only the run's exit status.
    assert_eq!(by_id("image-alt")["outcome"], "failed");
    assert_eq!(by_id("image-alt")["findings"][0]["accepted"]["reason"], "logo redesign in 2027");
    assert_eq!(json["sites"][0]["summary"]["accepted"], 1);
    assert_eq!(by_id("no-float-ad")["outcome"], "failed");
}

#[test]
fn unknown_keys_and_bad_values_stop_the_run() {
    for (config, problem) in [("max_pagez = 3\n", "max_pagez"), ("max_pages = \"many\"\n", "max_pages must be")] {
        let dir = setup(config);
        let output = eldercheck_in(dir.path(), &["check", "site", "--no-db", "--lang", "en"]);
        assert_eq!(output.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("eldercheck.toml") && stderr.contains(problem), "{stderr}");
    }
}

#[test]
fn unknown_keys_and_bad_values_are_told_in_chinese() {
    let dir = setup("max_pages = \"many\"\nviewport = \"huge\"\n");
    let output = eldercheck_in(dir.path(), &["check", "site", "--no-db"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("max_pages 应为整数"), "{stderr}");
}

/// A value for every option of `check`, different from its default: the test fails when an option is
/// added without one, so that every option is known to work from the file.
const SAMPLES: &[(&str, &str)] = &[
    ("targets", "[\"a\", \"b\"]"),
    ("sites", "\"list.csv\""),
    ("out", "\"elsewhere\""),
    ("format", "\"json,sarif\""),
    ("max_pages", "7"),
    ("max_depth", "9"),
    ("concurrency", "3"),
    ("delay_ms", "10"),
    ("timeout_s", "9"),
    ("retries", "5"),
    ("shard", "\"1/4\""),
    ("max_body_mib", "9"),
    ("page_budget_s", "9"),
    ("site_timeout_s", "99"),
    ("no_robots", "true"),
    ("include", "\"/news/\""),
    ("exclude", "[\"/old/\", \"/tmp/\"]"),
    ("profile", "\"wcag-aa\""),
    ("elder_path", "\"/care/\""),
    ("lang", "\"en\""),
    ("fail_under", "72.5"),
    ("viewport", "\"mobile\""),
    ("db", "\"other.db\""),
    ("no_db", "true"),
    ("keep_runs", "30"),
    ("baseline", "\"baseline.toml\""),
    ("resolve", "\"www.example.gov.cn:443:10.0.0.5\""),
    ("render", "\"always\""),
    ("chromium", "\"/opt/chromium\""),
    ("render_timeout_s", "9"),
    ("render_tabs", "3"),
    ("render_settle_ms", "200"),
    ("render_memory_mib", "1024"),
    ("open", "true"),
    ("quiet", "true"),
    ("verbose", "true"),
];

#[test]
fn every_option_of_check_can_be_set_in_the_file() {
    use eldercheck::settings::{self, CheckSettings, NOT_IN_FILE};
    let defaults = serde_json::to_value(CheckSettings::default()).expect("json");
    let (cli, matches) = settings::parse_args(&[]).expect("no arguments");
    for name in CheckSettings::names() {
        if NOT_IN_FILE.contains(&name.as_str()) {
            continue;
        }
        let sample = SAMPLES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let sample = sample.unwrap_or_else(|| panic!("no sample value for the option {name}: add one to SAMPLES"));
        // Both spellings of the key.
        for key in [name.clone(), name.replace('_', "-")] {
            let file: toml::Table = toml::from_str(&format!("{key} = {sample}")).expect("toml");
            let file = file.into_iter().map(|(k, v)| (k.replace('-', "_"), v)).collect();
            let merged = settings::merge(&cli, &matches, file, "eldercheck.toml")
                .unwrap_or_else(|e| panic!("{key} = {sample}: {e}"));
            let merged = serde_json::to_value(merged).expect("json");
            assert_ne!(merged[&name], defaults[&name], "{key} = {sample} was not taken from the file");
        }
    }
}

#[test]
fn every_option_of_check_but_lists_can_be_set_in_the_environment() {
    use eldercheck::settings::{self, CheckSettings};
    let command = settings::check_command();
    for arg in command.get_arguments().filter(|a| a.get_long().is_some() && a.get_id() != "help") {
        let id = arg.get_id().as_str();
        let listed = matches!(id, "include" | "exclude" | "elder_path" | "resolve" | "config");
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
        if listed {
            assert_eq!(env, None, "--{id}");
        } else {
            assert_eq!(env, Some(format!("ELDERCHECK_{}", id.to_ascii_uppercase())), "--{id}");
        }
    }
    assert!(CheckSettings::names().contains(&"render".to_string()));
}

#[test]
fn the_environment_is_below_the_command_line_and_above_the_file() {
    let dir = setup("targets = [\"site\"]\nformat = \"html\"\nno_db = true\nquiet = true\n");
    let run = |extra: &[&str]| {
        let mut args = vec!["check"];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_eldercheck"))
            .env("ELDERCHECK_RENDER", "never")
            .env("ELDERCHECK_FORMAT", "json")
            .env("ELDERCHECK_OUT", "from-env")
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("run")
    };
    let output = run(&[]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(dir.path().join("from-env/report.json").exists(), "the environment beats the file");
    assert!(!dir.path().join("from-env/report.html").exists());
    let output = run(&["--out", "from-cli", "--format", "csv"]);
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert!(dir.path().join("from-cli/findings.csv").exists(), "the command line beats the environment");
}

#[test]
fn the_readme_states_every_option_and_the_code_s_defaults() {
    use eldercheck::settings;
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let table: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `-")).collect();
    let command = settings::check_command();
    for arg in command.get_arguments().filter(|a| a.get_id() != "help" && !a.is_positional()) {
        let long = arg.get_long().expect("a long name");
        let mention = format!("`--{long}");
        let row = table.iter().find(|row| row.contains(&mention));
        let row = row.unwrap_or_else(|| panic!("README's options table does not mention --{long}"));
        // `--max-depth N` (3): the default in brackets after the option, as the code has it.
        let after = &row[row.find(&mention).expect("found") + mention.len()..];
        let after = &after[after.find('`').map_or(0, |i| i + 1)..];
        let stated = after
            .trim_start()
            .strip_prefix('(')
            .and_then(|rest| rest.split_once(')'))
            .map(|(inside, _)| inside.trim_matches('`').to_string());
        let code: Option<String> = match long {
            "max-pages" => Some(eldercheck::options::DEFAULT_MAX_PAGES.to_string()),
            "fail-under" => Some(eldercheck::options::DEFAULT_PASS_MARK.to_string()),
            _ => arg.get_default_values().first().map(|v| v.to_string_lossy().into_owned()),
        };
        match (stated, code) {
            (Some(stated), Some(code)) => assert_eq!(stated, code, "README's default of --{long}"),
            (Some(stated), None) if stated != "cores" => {
                panic!("README gives --{long} a default ({stated}) the code has not")
            }
            (None, Some(code)) if code != "false" => panic!("README does not state the default of --{long} ({code})"),
            _ => {}
        }
    }
}
