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

/// Smallest crop of a page picture, in image px (the picture is 800 px wide for a 1,280 px page).
const MIN_CROP_WIDTH: f32 = 440.0;
const MIN_CROP_HEIGHT: f32 = 250.0;
/// Marker circles closer than this (image px) are one marker: nav links side by side share a number.
const MARKER_SPACING: i64 = 24;

/// A crop of the page screenshot around the element, with the element outlined (image px).
pub(super) fn crop_view(shot: &Screenshot, bounds: &Bounds, base: &str) -> Option<Value> {
    let (iw, ih) = (shot.width as f32, shot.height as f32);
    let s = shot.scale;
    let (x, y, w, h) = (bounds.x * s, bounds.y * s, bounds.width.max(1.0) * s, bounds.height.max(1.0) * s);
    if !(x.is_finite() && y.is_finite()) || x >= iw || y >= ih || x + w <= 0.0 || y + h <= 0.0 || iw < 1.0 || ih < 1.0 {
        return None;
    }
    const MARGIN: f32 = 48.0;
    // Enough of the page around the element to find it again (a third of the picture at least).
    let cw = (w + 2.0 * MARGIN).clamp(MIN_CROP_WIDTH.min(iw), iw);
    let ch = (h + 2.0 * MARGIN).clamp(MIN_CROP_HEIGHT.min(ih), 480.0_f32.min(ih));
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
        "width": format!("{:.0}", (cw * 1.5).clamp(600.0, 800.0)), "img_w": shot.width, "img_h": shot.height,
        "x": format!("{x:.1}"), "y": format!("{y:.1}"), "w": format!("{w:.1}"), "h": format!("{h:.1}"),
    }))
}

/// The first screen of a screenshot stored in finding data, for before/after pairs.
pub(super) fn top_view(picture: &Value, base: &str) -> Option<Value> {
    let shot: Screenshot = serde_json::from_value(picture.clone()).ok()?;
    let (w, h) = (shot.width as f32, shot.height as f32);
    if w < 1.0 || h < 1.0 {
        return None;
    }
    let shown = h.min(w * 0.75);
    Some(
        json!({ "src": shot_src(&shot, base)?, "view_box": format!("0 0 {w:.0} {shown:.0}"), "img_w": shot.width, "img_h": shot.height }),
    )
}

/// The page's screenshot with its tab stops numbered in order (`keyboard-focus`): the part of the
/// page the first stops are on, at most a tall screen of it.
pub(super) fn tab_order_view(shot: &Screenshot, order: &Value, base: &str) -> Option<Value> {
    let (iw, ih) = (shot.width as f32, shot.height as f32);
    let s = shot.scale;
    let markers: Vec<Value> = order
        .as_array()?
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let b: [f32; 4] = serde_json::from_value(b.clone()).ok()?;
            // At the box's top left corner (kept inside the picture): the number leaves the link's
            // text readable.
            let (cx, cy) = ((b[0] * s).max(12.0), (b[1] * s).max(12.0));
            (cx.is_finite() && cy.is_finite() && cx >= 0.0 && cy >= 0.0 && cx <= iw && cy <= ih).then(|| {
                json!({ "n": i + 1, "cx": format!("{cx:.0}"), "cy": format!("{cy:.0}"),
                        "x": format!("{:.0}", b[0] * s), "y": format!("{:.0}", b[1] * s),
                        "w": format!("{:.0}", (b[2] * s).max(1.0)), "h": format!("{:.0}", (b[3] * s).max(1.0)), "bottom": cy })
            })
        })
        .collect();
    let lowest = markers.iter().filter_map(|m| m["bottom"].as_f64()).fold(0.0_f64, f64::max) as f32;
    if markers.is_empty() || iw < 1.0 || ih < 1.0 {
        return None;
    }
    let shown = (lowest + 60.0).clamp(iw * 0.4, iw * 1.2).min(ih);
    Some(json!({
        "src": shot_src(shot, base)?, "view_box": format!("0 0 {iw:.0} {shown:.0}"),
        "img_w": shot.width, "img_h": shot.height, "markers": markers,
    }))
}

/// A crop of a picture stored in finding data around a box given as `[x, y, width, height]` CSS px.
pub(super) fn crop_of_picture(picture: &Value, bounds: &Value, base: &str) -> Option<Value> {
    let shot: Screenshot = serde_json::from_value(picture.clone()).ok()?;
    let [x, y, width, height]: [f32; 4] = serde_json::from_value(bounds.clone()).ok()?;
    crop_view(&shot, &Bounds { x, y: y - shot.top, width, height }, base)
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
        // The marker is drawn at the box's corner: one whose circle would cover another's joins it.
        let near = |k: &ImageBox| {
            (k.0.max(12) - key.0.max(12)).abs() < MARKER_SPACING && (k.1.max(12) - key.1.max(12)).abs() < MARKER_SPACING
        };
        if let Some((_, labels)) = boxes.iter_mut().find(|(k, _)| *k == key || near(k)) {
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

#[cfg(test)]
mod tests {
    #[test]
    fn tab_stops_are_numbered_in_order_on_the_screenshot() {
        let shot = super::Screenshot { file: "screens/a.jpg".into(), width: 800, height: 1000, scale: 0.5, top: 0.0 };
        let order =
            serde_json::json!([[100.0, 40.0, 60.0, 20.0], [0.0, 0.0, 10.0, 10.0], [100.0, 99999.0, 10.0, 10.0]]);
        let view = super::tab_order_view(&shot, &order, "results/").expect("a view");
        let markers = view["markers"].as_array().expect("markers");
        // The stop below the picture is left out; the one at the corner stays inside it.
        assert_eq!(markers.len(), 2);
        assert_eq!(markers[0]["n"], 1);
        assert_eq!(markers[0]["cx"], "50");
        assert_eq!(markers[1]["cx"], "12");
    }

    use super::*;

    fn shot() -> Screenshot {
        Screenshot { file: "screens/abc.jpg".into(), width: 800, height: 1875, scale: 0.625, top: 0.0 }
    }

    #[test]
    fn crops_show_enough_of_the_page_to_find_the_element_again() {
        let small = Bounds { x: 8.0, y: 260.0, width: 16.0, height: 21.0 };
        let crop = crop_view(&shot(), &small, "screens/").expect("crop");
        let view: Vec<f32> =
            crop["view_box"].as_str().expect("box").split(' ').filter_map(|v| v.parse().ok()).collect();
        assert!(view[2] >= MIN_CROP_WIDTH && view[3] >= MIN_CROP_HEIGHT, "{view:?}");
        // Far down the page, beyond the first screen: still cropped where it is.
        let low = Bounds { x: 100.0, y: 2500.0, width: 200.0, height: 30.0 };
        let crop = crop_view(&shot(), &low, "screens/").expect("a crop below the first screen");
        assert_eq!(crop["y"], format!("{:.1}", 2500.0 * 0.625));
    }

    #[test]
    fn markers_of_neighbouring_boxes_are_one_marker() {
        let finding = |x: f32, y: f32, text: &str| {
            json!({ "outcome": "failed", "selector": "a", "snippet": "<a>", "message": { "zh": text, "en": text },
                    "data": {}, "targets": 1, "bounds": { "x": x, "y": y, "width": 30.0, "height": 16.0 } })
        };
        let url = "https://www.example.gov.cn/".to_string();
        let mut page = PageResult::new(url.clone(), url, Some(200), 0);
        page.rendered = Some(
            serde_json::from_value(json!({ "reason": "always", "screenshot": { "file": "screens/abc.jpg", "width": 800, "height": 1875, "scale": 0.625 } }))
                .expect("rendered"),
        );
        page.checks = vec![serde_json::from_value(json!({
            "id": "link-name", "outcome": "failed", "score": 0.0, "passed_targets": 0, "failed_targets": 3, "cant_tell_targets": 0,
            "findings": [finding(10.0, 10.0, "第一个"), finding(30.0, 12.0, "第二个"), finding(600.0, 900.0, "远处的")]
        }))
        .expect("a check outcome")];
        let view = thumbnail_view(&page, "screens/", Lang::ZhCn).expect("thumbnail");
        let markers = view["markers"].as_array().expect("markers");
        assert_eq!(markers.len(), 2, "{markers:?}");
        assert_eq!(markers[0]["label"], "第一个；第二个");
    }
}
