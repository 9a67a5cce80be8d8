use super::shared::scaling;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::rendered::ElderSwitch;
use std::borrow::Cow;

pub struct ElderModeSwitch;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("elder-mode-switch"),
    family: Family::Font,
    impact: Impact::Serious,
    scope: Scope::Site,
    title: Text::new("长辈版开关真的把字变大", "The elder-mode switch really makes the text large"),
    failure_title: Text::new("长辈版开关没有真正把字变大", "The elder-mode switch does not really make the text large"),
    criteria: Criteria { wcag: &["1.4.4"], miit: &["附件2 1.1 适老版主要文字不小于 18 px", "附件1 网页放大与大字屏幕服务"], act: &[] },
    docs: Text::new(
        "## 检查什么\n在首页找到适老化入口（长辈版、关怀版、大字版、适老版、无障碍浏览等链接或按钮，包括很多政府网站加载的无障碍工具条），像读者一样点一下：\
站内链接就打开它，按钮就让它自己的脚本运行（工具条打开后再按一下其中的“放大”），等页面安静下来，再量页面主要文字的字号（按字数取中位数）。\
主要文字至少 18 px（附件2 1.1）、比切换前大、没有因此被截断，才算合格；按了没变化的入口不合格；本来就是大字的页面合格并注明。切换前后的截图在报告里并排显示。\
需要浏览器，**只在渲染模式（`--render`）下检查首页**；入口打开的页面上的广告由 `ad-content` 在该页单独检查。\n\n\
## 为什么对老年读者重要\n老年读者按下“长辈版”就是想看大字。入口只是个摆设、按了不变，或者只放大了一两个标题，读者会觉得适老化改造是走过场。\n\n\
## 示例\n不合格：“关怀版”按钮只切换了一个 class，但没有任何样式跟着变；“长辈版”链接打开的页面正文仍是 14 px。合格：按下后 `body.elder { font-size: 1.25rem }` 让正文变成 20 px。\n\n\
## 如何修复\n适老版的正文至少 18 px（建议 20 px 以上）、标题更大；用 rem 让整页一起放大；切换后检查高度固定的栏目是否把放大的字截掉。",
        "## What it checks\nThe home page's elder-mode entry (a 长辈版, 关怀版, 大字版, 适老版 or 无障碍浏览 link or button, including the accessibility toolbars many government sites load) is pressed as a reader would: \
a link within the site is followed, a button runs its own script (and a toolbar it opens gets its \"larger text\" control pressed). Once the page is quiet, the main text's size is measured (the median over characters). \
It passes when the main text is at least 18 px (MIIT 附件2 1.1), larger than before, and not cut off by the change; a switch that changes nothing fails; a page already in large text passes, saying so. \
Before and after screenshots are shown side by side. Needs a browser: **rendered mode only, on the home page**. Ads on the page the entry opens are judged by `ad-content` on that page.\n\n\
## Why it matters for older readers\nAn older reader presses 长辈版 to get large text. A switch that is only for show, or that enlarges a headline or two, tells them the elder-friendly work was a formality.\n\n\
## Example\nFails: a 关怀版 button that toggles a class no style uses; a 长辈版 link to a page whose text is still 14 px. Passes: the switch adds `body.elder { font-size: 1.25rem }` and the text becomes 20 px.\n\n\
## How to fix\nSet the elder mode's body text to 18 px or more (20 px recommended) with larger headings, in rem so the whole page grows, and check that fixed-height boxes do not cut the larger text.",
    ),
};

/// MIIT 附件2 1.1: the elder version's main text is at least this size.
pub const ELDER_MAIN_TEXT_PX: f32 = 18.0;
/// A change smaller than this (px) is no change.
const CHANGED_PX: f32 = 0.5;

/// What the switch did, as a verdict: `Ok(reason)` passes, `Err((zh, en, problem))` fails.
fn judge(switch: &ElderSwitch) -> Option<Result<&'static str, (String, String, &'static str)>> {
    let after = switch.after.as_ref()?;
    let (was, now) = (switch.before.px, after.px);
    let newly_clipped = after.clipped.saturating_sub(switch.before.clipped);
    if was >= ELDER_MAIN_TEXT_PX && now + CHANGED_PX >= was && newly_clipped == 0 {
        return Some(Ok(if now > was + CHANGED_PX { "grown" } else { "already_large" }));
    }
    if now <= was + CHANGED_PX && switch.scripts_failed {
        // Nothing changed, but the page's scripts did not all load: the switch may need one.
        return None;
    }
    if now <= was + CHANGED_PX {
        return Some(Err((
            format!("按下“{}”后，页面主要文字仍是 {now:.0} px（原来 {was:.0} px），字没有变大。", switch.text),
            format!(
                "After pressing \"{}\", the main text is still {now:.0} px (was {was:.0} px): nothing grew.",
                switch.text
            ),
            "unchanged",
        )));
    }
    if now < ELDER_MAIN_TEXT_PX {
        return Some(Err((
            format!("按下“{}”后，页面主要文字从 {was:.0} px 变成 {now:.0} px，仍小于适老版要求的 18 px。", switch.text),
            format!("After pressing \"{}\", the main text grows from {was:.0} px to {now:.0} px, still under the 18 px elder pages need.", switch.text),
            "too_small",
        )));
    }
    if newly_clipped > 0 {
        return Some(Err((
            format!("按下“{}”后字变大了（{now:.0} px），但有 {newly_clipped} 段文字被外框截掉，读者看不全。", switch.text),
            format!("After pressing \"{}\", the text grows ({now:.0} px) but {newly_clipped} pieces of text are cut off by their boxes.", switch.text),
            "clipped",
        )));
    }
    Some(Ok("grown"))
}

/// The reason a switch could not be judged, for a Chinese reader.
fn zh_problem(problem: &str) -> &'static str {
    if problem.contains("scripts did not load") {
        "按下后页面没有变化，而页面有脚本没能加载，开关可能要靠它们"
    } else if problem.contains("left the site") {
        "入口打开了别的网站"
    } else if problem.contains("did not load") || problem.contains("could not be opened") {
        "入口打开的页面没有加载出来"
    } else if problem.contains("did not settle") {
        "切换后页面一直在变化"
    } else if problem.contains("could not be pressed") {
        "开关按不下去"
    } else {
        "切换后的页面无法测量"
    }
}

impl Check for ElderModeSwitch {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn needs_browser(&self) -> bool {
        true
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let Some(facts) = scaling::facts(cx) else { return scaling::not_measured(None) };
        let mut tally = Tally::default();
        let Some(switch) = facts.elder_switch.as_ref() else {
            if facts.problem.is_some() {
                return scaling::not_measured(Some(facts));
            }
            // No entry the browser could press: `elder-mode-entry` judges its absence.
            tally.data("inapplicable_reason", "no_elder_switch");
            return tally.finish();
        };
        let Some(control) = scaling::element(page, switch.control) else { return scaling::not_measured(Some(facts)) };
        tally.data("control_text", switch.text.clone());
        tally.data("action", switch.action.clone());
        tally.data("px_before", f64::from(switch.before.px.round()));
        if let Some(after) = &switch.after {
            tally.data("px_after", f64::from(after.px.round()));
            if after.location != switch.before.location {
                tally.data("switched_address", after.location.clone());
            }
        }
        if let Some(pressed) = &switch.then_pressed {
            tally.data("then_pressed", pressed.clone());
        }
        let pictures = switch.pictures.as_ref().and_then(|p| serde_json::to_value(p).ok());
        if let Some(pictures) = &pictures {
            tally.data("pictures", pictures.clone());
        }
        match judge(switch) {
            Some(Ok(reason)) => {
                tally.data("pass_reason", reason);
                tally.pass();
            }
            Some(Err((zh, en, problem))) => {
                let finding = Finding::failed(page, control, Message::new(zh, en)).with("problem", problem);
                tally.add(match pictures {
                    Some(pictures) => finding.with("switch_pictures", pictures),
                    None => finding,
                });
            }
            None => {
                let problem = switch.problem.clone().unwrap_or_else(|| {
                    if switch.scripts_failed {
                        "nothing changed, and some of the page's scripts did not load".into()
                    } else {
                        "the switched page was not measured".into()
                    }
                });
                tally.add(
                    Finding::cant_tell(
                        page,
                        control,
                        "switch_not_measured",
                        Message::new(
                            format!("按下“{}”后无法判断开关是否有效（{}），请人工确认长辈版的字号。", switch.text, zh_problem(&problem)),
                            format!("After pressing \"{}\" the switched page could not be measured ({problem}); check the elder mode's text size by hand.", switch.text),
                        ),
                    )
                    .with("problem", problem),
                );
            }
        }
        tally.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::rendered::MainText;

    fn switch(before: f32, after: Option<(f32, u32)>) -> ElderSwitch {
        ElderSwitch {
            text: "长辈版".into(),
            before: MainText { px: before, texts: 10, chars: 500, clipped: 0, location: "a".into() },
            after: after.map(|(px, clipped)| MainText { px, texts: 10, chars: 500, clipped, location: "a".into() }),
            ..ElderSwitch::default()
        }
    }

    #[test]
    fn the_switch_must_make_the_main_text_18px_and_larger() {
        assert_eq!(judge(&switch(14.0, Some((20.0, 0)))), Some(Ok("grown")));
        assert_eq!(judge(&switch(20.0, Some((20.0, 0)))), Some(Ok("already_large")));
        assert!(matches!(judge(&switch(14.0, Some((14.0, 0)))), Some(Err((_, _, "unchanged")))));
        assert!(matches!(judge(&switch(14.0, Some((16.0, 0)))), Some(Err((_, _, "too_small")))));
        assert!(matches!(judge(&switch(14.0, Some((20.0, 3)))), Some(Err((_, _, "clipped")))));
        assert_eq!(judge(&switch(14.0, None)), None);
        // A switch whose script did not load is not blamed for doing nothing.
        let unloaded = ElderSwitch { scripts_failed: true, ..switch(14.0, Some((14.0, 0))) };
        assert_eq!(judge(&unloaded), None);
    }
}
