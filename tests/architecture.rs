//! The shape of the code, as docs/ARCHITECTURE.md draws it: data flows one way, so a module imports
//! only from its own stage or earlier ones, no two modules import each other, and the checks crate
//! has no network code. The test reads the source tree; a back-import added anywhere fails it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stages of the application crate, in the order data flows (docs/ARCHITECTURE.md). A module
/// may import from its own stage and earlier ones.
const STAGES: &[&[&str]] = &[
    &["i18n", "explain", "interrupt", "options", "policy"],
    &["progress", "net"],
    &["shard", "settings", "sources"],
    &["browser"],
    &["results", "analyze"],
    &["score", "key", "baseline", "config"],
    &["issues", "verdict", "ranking"],
    &["rundir"],
    &["assemble", "history"],
    &["report"],
    &["run"],
    &["merge"],
    &["commands"],
];

/// A source file's text without comments and its test module: imports in docs or tests are not
/// part of the design.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules each top-level module of `src/` names with `crate::…`.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("inside src");
            let top = relative.components().next().expect("a file").as_os_str().to_string_lossy().replace(".rs", "");
            // The binary's own modules and the crate root are the top, not a stage.
            if matches!(top.as_str(), "main" | "cli" | "lib") {
                continue;
            }
            let code = code_of(&std::fs::read_to_string(&path).expect("read"));
            let imports = graph.entry(top.clone()).or_default();
            let mut rest = code.as_str();
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && name != top {
                    imports.insert(name);
                }
            }
        }
    }
    graph
}

fn stage_of(module: &str) -> Option<usize> {
    STAGES.iter().position(|stage| stage.contains(&module))
}

/// Every way `graph` breaks the design: a module of no stage, an import from a later stage, a cycle.
fn violations(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut found = Vec::new();
    for (module, imports) in graph {
        let Some(stage) = stage_of(module) else {
            found.push(format!("module `{module}` has no stage: add it to STAGES and docs/ARCHITECTURE.md"));
            continue;
        };
        for imported in imports {
            match stage_of(imported) {
                Some(other) if other > stage => found.push(format!(
                    "`{module}` (stage {stage}) imports `{imported}` (stage {other}): data flows the other way"
                )),
                None if graph.contains_key(imported) => {}
                _ => {}
            }
        }
    }
    // Cycles (within a stage, where the order alone does not forbid them): depth-first, iteratively.
    for start in graph.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    let cycle = [path.clone(), vec![start.clone()]].concat().join(" → ");
                    found.push(format!("import cycle: {cycle}"));
                } else if seen.insert(next.clone()) && graph.contains_key(next) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn modules_import_only_from_their_own_stage_or_earlier_and_never_in_a_cycle() {
    let graph = import_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 20, "the source tree was read: {graph:?}");
    let found = violations(&graph);
    assert!(found.is_empty(), "the architecture is broken:\n{}", found.join("\n"));
}

#[test]
fn the_checker_finds_a_back_import_and_a_cycle() {
    let mut graph = import_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // The kind of change this test exists to stop: the source importing a report type.
    graph.entry("sources".into()).or_default().insert("report".into());
    graph.entry("score".into()).or_default().insert("key".into());
    graph.entry("key".into()).or_default().insert("score".into());
    let found = violations(&graph);
    assert!(found.iter().any(|v| v.contains("`sources` (stage 2) imports `report`")), "{found:?}");
    assert!(found.iter().any(|v| v.contains("import cycle") && v.contains("key") && v.contains("score")), "{found:?}");
}

#[test]
fn the_checks_crate_has_no_network_or_async_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("checks/Cargo.toml");
    for crate_name in ["tokio", "reqwest", "hyper", "tokio-tungstenite", "rusqlite"] {
        assert!(
            !manifest.lines().any(|l| l.trim_start().starts_with(&format!("{crate_name} "))
                || l.trim_start().starts_with(&format!("{crate_name}="))),
            "the checks crate depends on {crate_name}"
        );
    }
    let mut folders = vec![root.join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = code_of(&std::fs::read_to_string(&path).expect("read"));
                for forbidden in ["std::net", "tokio::", "reqwest::", "TcpStream", "std::process::Command"] {
                    assert!(!code.contains(forbidden), "{} uses {forbidden}", path.display());
                }
            }
        }
    }
}

#[test]
fn the_architecture_doc_names_every_stage() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ARCHITECTURE.md")).expect("doc");
    for module in STAGES.iter().flat_map(|s| s.iter()) {
        assert!(doc.contains(&format!("`{module}`")), "docs/ARCHITECTURE.md does not name the module `{module}`");
    }
}
