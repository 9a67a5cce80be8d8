use super::shared::popups::{drawn_position, find_popups, MIN_CLOSE_PX};
use super::shared::scaling::element;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::rendered::PopupTry;
use std::borrow::Cow;

pub struct PopupClose;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("popup-close"),
    family: Family::Popups,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("弹窗点一次就能关掉，且不再弹出", "Every pop-up closes with one click and stays closed"),
    failure_title: Text::new("弹窗关不掉、关了又弹或关闭是假的", "A pop-up cannot be closed, comes back, or has a fake close"),
    criteria: Criteria {
        wcag: &["2.2.4", "3.2.1"],
        miit: &["附件2 2.4 弹窗关闭按钮位置与大小", "附件1 2.4 避免干扰", "《互联网广告管理办法》第十条 一键关闭"],
        act: &[],
    },
    docs: Text::new(
        "## 检查什么\n在浏览器里像读者一样关闭页面上的每个弹窗、遮罩和飘窗（`popup-overlay` 找到的那些）：找到关闭控件（×、关闭、关闭广告、`aria-label`，或角上的小图片按钮），\
记下它在弹窗上的位置和大小，点一次，然后让页面的时间走过几秒（虚拟时间，不用真等），再向下滚动一屏。弹窗必须消失、不再出现；点击不能打开新窗口、跳转页面或下载。\
不合格的原因会写明：没有关闭控件、关闭按钮小于 44×44 px、不在左上/右上/底部居中、要点两次、倒计时结束前关不掉、关了又弹出、点“关闭”反而打开广告（假关闭），或关闭按钮被别的东西挡住。\
没有可用关闭按钮时还试 Esc 键（对话框应能用 Esc 关闭，供参考）。附点击后的截图。需要浏览器，**只在渲染模式（`--render`）下检查**。\n\n\
## 为什么对老年读者重要\n老年人点不中小小的 ×，或者点了“关闭”却跳到广告页，就会以为网站坏了，甚至被诱导下载、付费。《互联网广告管理办法》（2023）要求弹出广告显著标明关闭标志、一键关闭，不得倒计时、不得关闭后再弹出、不得以虚假的关闭标志诱骗点击。\n\n\
## 示例\n不合格：`<div class=\"pop\"><span style=\"width:12px;height:12px\" onclick=\"…\">×</span></div>`；点 × 后 2 秒又出现；“关闭”按钮上写着 `onclick=\"window.open(广告)\"`。\
合格：右上角 44×44 px 以上的“关闭”按钮，点一次弹窗消失，不再出现。\n\n\
## 如何修复\n最好不用弹窗；确需弹窗时，关闭按钮放在右上角（或左上角、底部居中），不小于 44×44 px，写“关闭”或带 `aria-label=\"关闭\"`；点一次即关闭，不要倒计时、不要定时或滚动后重新弹出，关闭按钮只关闭、不跳转；对话框支持 Esc 关闭。",
        "## What it checks\nIn the browser, each pop-up, overlay and floating window that `popup-overlay` finds is closed as a reader would: its close control is found (×, 关闭, 关闭广告, `aria-label`, or a small image button in a corner), \
its position on the pop-up and its size are noted, it is clicked once, the page's clock is run a few seconds ahead (virtual time: no real waiting), and the page is scrolled by a screen. The pop-up must be gone and stay gone; the click must not open a window, navigate or download. \
A failure names the reason: no close control, a close button under 44×44 px, not at the top left, top right or bottom centre, needs two clicks, cannot be closed until a countdown ends, comes back, a fake close that opens the ad, or a close button covered by something else. \
Without a working close button, Escape is tried too (a dialog should close with Escape; advisory). The screen after the click is attached. Needs a browser: **rendered mode only** (`--render`).\n\n\
## Why it matters for older readers\nOlder readers miss a tiny ×, or press \"close\" and land on the ad, and conclude the site is broken — or get led into a download or a payment. China's 2023 internet advertising rules require pop-up ads to show a clear close mark and close with one click: no countdown, no coming back, no fake close marks.\n\n\
## Example\nFails: `<div class=\"pop\"><span style=\"width:12px;height:12px\" onclick=\"…\">×</span></div>`; a pop-up that reappears 2 s after ×; a \"close\" button with `onclick=\"window.open(ad)\"`. \
Passes: a \"Close\" button of at least 44×44 px at the top right; one click and the pop-up is gone for good.\n\n\
## How to fix\nAvoid pop-ups. Where one is needed, put the close button at the top right (or top left, or bottom centre), at least 44×44 px, labelled \"关闭\" or with `aria-label=\"关闭\"`; close on one click, with no countdown, no reopening on a timer or on scroll, and a close button that only closes; let dialogs close with Escape.",
    ),
};

/// What went wrong with a pop-up, in both languages, or `None` when it closed as it should.
fn problem(tried: &PopupTry) -> Option<(String, String, &'static str)> {
    let opened = tried.opened.as_deref().unwrap_or_default().chars().take(80).collect::<String>();
    let said = match tried.outcome.as_str() {
        "no_close" => (
            "没有可识别的关闭按钮，读者无法关掉它".into(),
            "it has no recognisable close control; readers cannot close it".into(),
            "no_close",
        ),
        "not_clickable" => (
            "关闭按钮被别的内容挡住或在屏幕外，点不到".into(),
            "its close button is covered by something else or off the screen, and cannot be clicked".into(),
            "close_covered",
        ),
        "stayed" => (
            "点两次关闭按钮，弹窗都还在".into(),
            "it was still there after its close button was clicked twice".into(),
            "does_not_close",
        ),
        "two_clicks" => (
            "要点两次关闭按钮才关掉（应一次关闭）".into(),
            "it took two clicks to close (one should do)".into(),
            "two_clicks",
        ),
        "countdown" => (
            format!("倒计时（{}）结束前点关闭没有用", tried.countdown.as_deref().unwrap_or("倒计时")),
            format!(
                "clicking close does nothing until its countdown ({}) ends",
                tried.countdown.as_deref().unwrap_or("countdown")
            ),
            "countdown",
        ),
        "came_back" => {
            ("关闭后几秒又弹了出来".into(), "it came back a few seconds after it was closed".into(), "comes_back")
        }
        "came_back_on_scroll" => {
            ("关闭后一滚动页面又弹了出来".into(), "it came back when the page was scrolled".into(), "comes_back")
        }
        "opened_window" => (
            format!("点“关闭”反而打开了新窗口（{opened}），是假关闭"),
            format!("clicking its close control opened a new window ({opened}): a fake close"),
            "fake_close",
        ),
        "navigated" => (
            format!("点“关闭”反而跳转到了别的页面（{opened}），是假关闭"),
            format!("clicking its close control navigated to another page ({opened}): a fake close"),
            "fake_close",
        ),
        _ => return None,
    };
    Some(said)
}

/// The close button's size and place, judged once the pop-up closed.
fn close_problems(tried: &PopupTry) -> Vec<(String, String, &'static str)> {
    let mut found = Vec::new();
    let Some(close) = &tried.close else { return found };
    let (w, h) = (close.bounds.width, close.bounds.height);
    if w < MIN_CLOSE_PX || h < MIN_CLOSE_PX {
        found.push((
            format!("关闭按钮只有 {w:.0}×{h:.0} px，小于 44×44 px，老年人不容易点中"),
            format!("the close button is only {w:.0}×{h:.0} px, under 44×44 px, hard for older readers to hit"),
            "close_too_small",
        ));
    }
    if drawn_position(close.bounds, tried.bounds) == "unknown" {
        found.push((
            "关闭按钮不在弹窗的左上角、右上角或底部居中，读者不容易找到".into(),
            "the close button is not at the pop-up's top left, top right or bottom centre, where readers look".into(),
            "close_misplaced",
        ));
    }
    found
}

impl Check for PopupClose {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn needs_browser(&self) -> bool {
        true
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        let Some(interactions) = page.rendering().and_then(|r| r.interactions.as_ref()) else {
            tally.data("inapplicable_reason", "not_measured");
            return tally.finish();
        };
        let popups = find_popups(page);
        if popups.is_empty() {
            tally.data("inapplicable_reason", "no_popup");
            return tally.finish();
        }
        for popup in &popups {
            let node = popup.element.id();
            let tried = interactions
                .popups
                .iter()
                .find(|t| element(page, t.id).is_some_and(|e| e.id() == node || e.ancestors().any(|a| a.id() == node)));
            let Some(tried) = tried else {
                let why = interactions.problem.clone().unwrap_or_else(|| "not tried".into());
                tally.add(
                    Finding::cant_tell(
                        page,
                        popup.element,
                        "not_tried",
                        Message::new(
                            "没能在浏览器里试着关闭这个弹窗（页面时间用完或弹窗已不在），需要人工确认能否一键关闭。",
                            "This pop-up could not be tried in the browser (the page's time ran out, or it was gone); check by hand that one click closes it.",
                        ),
                    )
                    .with("problem", why),
                );
                continue;
            };
            let mut problems: Vec<(String, String, &'static str)> = problem(tried).into_iter().collect();
            if matches!(
                tried.outcome.as_str(),
                "closed" | "two_clicks" | "came_back" | "came_back_on_scroll" | "countdown" | "stayed"
            ) {
                problems.extend(close_problems(tried));
            }
            if problems.is_empty() {
                tally.pass();
                continue;
            }
            let zh: Vec<&str> = problems.iter().map(|p| p.0.as_str()).collect();
            let en: Vec<&str> = problems.iter().map(|p| p.1.as_str()).collect();
            let escape = match tried.escape_closes {
                Some(true) => ("（按 Esc 键可以关闭）", " (Escape closes it)"),
                Some(false) => ("；按 Esc 键也关不掉", "; Escape does not close it either"),
                None => ("", ""),
            };
            let mut finding = Finding::failed(
                page,
                popup.element,
                Message::new(
                    format!("这个弹窗{}{}。", zh.join("；"), escape.0),
                    format!("This pop-up: {}{}.", en.join("; "), escape.1),
                ),
            )
            .with("problem", problems[0].2)
            .with("problems", problems.iter().map(|p| p.2).collect::<Vec<_>>())
            .with("outcome", tried.outcome.clone());
            if let Some(close) = &tried.close {
                finding = finding
                    .with(
                        "close_px",
                        vec![f64::from(close.bounds.width.round()), f64::from(close.bounds.height.round())],
                    )
                    .with("close_position", drawn_position(close.bounds, tried.bounds));
            }
            if let Some(escape) = tried.escape_closes {
                finding = finding.with("escape_closes", escape);
            }
            if let Some(after) = tried.after.as_ref().and_then(|p| serde_json::to_value(p).ok()) {
                finding = finding.with("after_picture", after);
            }
            tally.add(finding);
        }
        tally.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::rendered::{Bounds, CloseControl};

    fn tried(outcome: &str, close: Option<(f32, f32, f32, f32)>) -> PopupTry {
        PopupTry {
            id: 1,
            bounds: Bounds { x: 100.0, y: 100.0, width: 400.0, height: 300.0 },
            close: close.map(|(x, y, width, height)| CloseControl {
                id: 2,
                bounds: Bounds { x, y, width, height },
                text: "×".into(),
            }),
            outcome: outcome.into(),
            ..PopupTry::default()
        }
    }

    #[test]
    fn a_big_close_button_at_the_top_right_that_closes_passes() {
        let good = tried("closed", Some((446.0, 104.0, 48.0, 48.0)));
        assert!(problem(&good).is_none());
        assert!(close_problems(&good).is_empty());
    }

    #[test]
    fn small_or_misplaced_close_buttons_fail_even_when_they_close() {
        let small = tried("closed", Some((480.0, 104.0, 12.0, 12.0)));
        assert_eq!(close_problems(&small)[0].2, "close_too_small");
        let middle = tried("closed", Some((280.0, 230.0, 48.0, 48.0)));
        assert_eq!(close_problems(&middle)[0].2, "close_misplaced");
    }

    #[test]
    fn every_bad_outcome_names_its_reason() {
        for (outcome, reason) in [
            ("no_close", "no_close"),
            ("stayed", "does_not_close"),
            ("two_clicks", "two_clicks"),
            ("countdown", "countdown"),
            ("came_back", "comes_back"),
            ("came_back_on_scroll", "comes_back"),
            ("opened_window", "fake_close"),
            ("navigated", "fake_close"),
            ("not_clickable", "close_covered"),
        ] {
            assert_eq!(problem(&tried(outcome, None)).map(|p| p.2), Some(reason), "{outcome}");
        }
    }
}
