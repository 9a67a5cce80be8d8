//! Decoding of the real saved pages in `../shared/real-pages` (or `$ELDERCHECK_REAL_PAGES`):
//! every page whose bytes are GBK, UTF-16 or Shift_JIS must decode to its known title, and the
//! pages labelled gb2312 that are really UTF-8 must read as UTF-8. Skipped when the corpus is absent.

use eldercheck_checks::page::decode_html;
use serde_json::Value;
use std::path::PathBuf;

fn corpus() -> Option<(PathBuf, Vec<Value>)> {
    let dir = std::env::var_os("ELDERCHECK_REAL_PAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/real-pages"));
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    Some((dir, serde_json::from_str(&text).ok()?))
}

#[test]
fn real_pages_decode_to_their_titles() {
    let Some((dir, manifest)) = corpus() else {
        println!("SKIPPED: real-pages corpus not found (set ELDERCHECK_REAL_PAGES)");
        return;
    };
    let mut checked = 0;
    let mut problems = Vec::new();
    for page in &manifest {
        let tags: Vec<&str> =
            page["tags"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let encoding = page["encoding"].as_str().unwrap_or_default();
        let interesting = tags.contains(&"gbk-bytes")
            || tags.contains(&"charset-mismatch")
            || encoding.starts_with("utf-16")
            || encoding.starts_with("shift_jis");
        let Some(title) = page["title"].as_str().filter(|t| !t.trim().is_empty()) else { continue };
        if !interesting {
            continue;
        }
        let file = page["file"].as_str().unwrap_or_default();
        let bytes = std::fs::read(dir.join(file)).unwrap_or_default();
        let decoded = decode_html(&bytes, None);
        // Titles in the manifest are whitespace-normalised; compare on a distinctive prefix.
        let probe: String = title.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(8).collect();
        let text: String = decoded.text.split_whitespace().collect::<Vec<_>>().join(" ");
        checked += 1;
        if !text.contains(&probe) {
            problems.push(format!(
                "{file}: read as {} ({:?}), title {probe:?} not found",
                decoded.encoding.name(),
                decoded.source
            ));
        }
    }
    println!("{checked} real pages with legacy or mislabelled encodings decoded");
    assert!(checked >= 40, "expected the GBK pages of the corpus, found {checked}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
