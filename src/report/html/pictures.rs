//! Screenshots in the HTML report: where the pictures are from a report file, a crop around an
//! issue's element with the element outlined, and a page thumbnail with numbered markers.

use super::words::clip;
use crate::results::PageResult;
use crate::sources::Screenshot;
use eldercheck_checks::check::{FindingOutcome, Lang};
use eldercheck_checks::page::rendered::Bounds;
use serde_json::{json, Value};
use std::path::Path;

/// How a report file in `from` refers to the `screens` folder: a relative path when the folder is
/// below the report's folder (the usual `--out` layout, which then moves as a whole), else a file URL.
pub(super) fn screens_href(from: &Path, screens: &Path) -> Option<String> {
    let from = from.canonicalize().ok()?;
    let screens = screens.canonicalize().ok()?;
    let encode = |part: &str| percent_encoding::utf8_percent_encode(part, PATH_SEGMENT).to_string();
    for (ups, base) in from.ancestors().enumerate().take(2) {
        if let Ok(below) = screens.strip_prefix(base) {
            let parts: Option<Vec<String>> = below.iter().map(|p| p.to_str().map(encode)).collect();
            return Some(format!("{}{}/", "../".repeat(ups), parts?.join("/")));
        }
    }
    url::Url::from_directory_path(&screens).ok().map(|u| u.to_string())
}

const PATH_SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'?').add(b'<').add(b'>').add(b'/');

/// The screenshot's address from a report file: `screens/x.jpg` is stored relative to the results folder.
fn shot_src(shot: &Screenshot, base: &str) -> Option<String> {
    let name = shot.file.strip_prefix("screens/")?;
    // The name is a digest the renderer chose; anything else in a results folder is not followed.
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.').then(|| format!("{base}{name}"))
}

/// A crop of the page screenshot around the element, with the element outlined (image px).
pub(super) fn crop_view(shot: &Screenshot, bounds: &Bounds, base: &str) -> Option<Value> {
    let (iw, ih) = (shot.width as f32, shot.height as f32);
    let s = shot.scale;
    let (x, y, w, h) = (bounds.x * s, bounds.y * s, bounds.width.max(1.0) * s, bounds.height.max(1.0) * s);
    if !(x.is_finite() && y.is_finite()) || x >= iw || y >= ih || x + w <= 0.0 || y + h <= 0.0 || iw < 1.0 || ih < 1.0 {
        return None;
    }
    const MARGIN: f32 = 48.0;
    let cw = (w + 2.0 * MARGIN).clamp(320.0_f32.min(iw), iw);
    let ch = (h + 2.0 * MARGIN).clamp(180.0_f32.min(ih), 420.0_f32.min(ih));
    let cx = (x + w / 2.0 - cw / 2.0).clamp(0.0, iw - cw);
    // A box taller than the crop shows its top.
    let cy = if h + 2.0 * MARGIN > ch {
        (y - MARGIN).clamp(0.0, ih - ch)
    } else {
        (y + h / 2.0 - ch / 2.0).clamp(0.0, ih - ch)
    };
    Some(json!({
        "src": shot_src(shot, base)?,
        "view_box": format!("{cx:.0} {cy:.0} {cw:.0} {ch:.0}"),
        // Small crops are shown enlarged so that a small button stays visible.
        "width": format!("{:.0}", (cw * 1.5).clamp(480.0, 800.0)), "img_w": shot.width, "img_h": shot.height,
        "x": format!("{x:.1}"), "y": format!("{y:.1}"), "w": format!("{w:.1}"), "h": format!("{h:.1}"),
    }))
}

/// A box on a screenshot in image px: x, y, width, height.
type ImageBox = (i64, i64, i64, i64);

/// Most markers drawn on one page thumbnail.
const MAX_MARKERS: usize = 20;
/// Most problems listed for one marker (one element can fail many checks).
const MAX_LABELS_PER_MARKER: usize = 5;

/// The page screenshot with a numbered marker on each failed element it shows.
pub(super) fn thumbnail_view(page: &PageResult, base: &str, lang: Lang) -> Option<Value> {
    let shot = page.rendered.as_ref()?.screenshot.as_ref()?;
    let s = shot.scale;
    // One numbered marker per box: several problems of one element (or one declaration) share it.
    let mut boxes: Vec<(ImageBox, Vec<String>)> = Vec::new();
    let failed = page.checks.iter().flat_map(|c| c.findings.iter()).filter(|f| f.outcome == FindingOutcome::Failed);
    for finding in failed {
        let Some(b) = finding.bounds else { continue };
        let (x, y) = (b.x * s, b.y * s);
        if x < 0.0 || y < 0.0 || x >= shot.width as f32 || y >= shot.height as f32 {
            continue;
        }
        let key = (x.round() as i64, y.round() as i64, (b.width * s).round() as i64, (b.height * s).round() as i64);
        let label = clip(finding.message.get(lang), 80);
        if let Some((_, labels)) = boxes.iter_mut().find(|(k, _)| *k == key) {
            if labels.len() < MAX_LABELS_PER_MARKER && !labels.contains(&label) {
                labels.push(label);
            }
        } else if boxes.len() < MAX_MARKERS {
            boxes.push((key, vec![label]));
        }
    }
    let markers: Vec<Value> = boxes
        .into_iter()
        .enumerate()
        .map(|(i, ((x, y, w, h), labels))| {
            json!({
                "n": i + 1, "x": x, "y": y, "w": w.max(2), "h": h.max(2), "cx": x.max(12), "cy": y.max(12),
                "label": labels.join("；"),
            })
        })
        .collect();
    Some(json!({
        "src": shot_src(shot, base)?, "img_w": shot.width, "img_h": shot.height,
        "view_box": format!("0 0 {} {}", shot.width, shot.height.min(shot.width * 2)),
        "markers": markers,
    }))
}
