use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::Attribute;
use std::borrow::Cow;

pub struct NoAutoplayAudio;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("no-autoplay-audio"),
    family: Family::Popups,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("不自动播放声音", "No sound plays automatically"),
    failure_title: Text::new("自动播放声音且无法停止", "Sound plays automatically without a way to stop it"),
    criteria: Criteria { wcag: &["1.4.2"], miit: &["附件1 2.3 多媒体可控制"], act: &["80f0bf"] },
    docs: Text::new(
        "## 检查什么\n`<audio>`、`<video>` 是否带 `autoplay` 且未静音（`muted`）、也没有播放控件（`controls`）。音频时长要解码媒体才能知道，所以超过 3 秒与否记为“需人工判断”，除非页面本身给出了控件。渲染模式（`--render`）下看浏览器中媒体是否真的在有声播放（包括脚本启动的）。\n\n\
## 为什么对老年读者重要\n突然响起的声音会盖过读屏软件的朗读，让使用助听器或读屏的老年人无法继续；找不到关闭按钮时更令人紧张。\n\n\
## 示例\n不合格：`<video src=\"promo.mp4\" autoplay>`；合格：`<video src=\"promo.mp4\" controls>` 或 `autoplay muted`。\n\n\
## 如何修复\n不要自动播放有声媒体；必须自动播放时设为静音，并提供看得见的播放、暂停和音量控件。",
        "## What it checks\nWhether `<audio>` or `<video>` has `autoplay` without `muted` and without `controls`. Knowing whether the sound lasts over 3 seconds needs the media decoded, so such elements are reported as needing review unless the page provides controls. In rendered mode (`--render`) the browser tells whether media is actually playing with sound, including media started by scripts.\n\n\
## Why it matters for older readers\nSound that starts by itself drowns out the screen reader and startles hearing-aid users; without a visible way to stop it, it causes distress.\n\n\
## Example\nFails: `<video src=\"promo.mp4\" autoplay>`. Passes: `<video src=\"promo.mp4\" controls>` or `autoplay muted`.\n\n\
## How to fix\nDo not autoplay media with sound; if it must play, start muted and show play, pause and volume controls.",
    ),
};

/// Play length from a media fragment `#t=start,end` (seconds or npt `h:m:s`).
fn fragment_duration(src: &str) -> Option<f64> {
    let fragment = src.split_once('#')?.1;
    let t = fragment.split('&').find_map(|p| p.strip_prefix("t="))?;
    let t = t.strip_prefix("npt:").unwrap_or(t);
    let (start, end) = t.split_once(',')?;
    let seconds = |v: &str| -> Option<f64> {
        if v.is_empty() {
            return Some(0.0);
        }
        v.split(':').try_fold(0.0, |acc, part| part.parse::<f64>().ok().map(|x| acc * 60.0 + x))
    };
    Some(seconds(end)? - seconds(start)?)
}

/// Words of a control that pauses, stops or mutes media.
const CONTROL_WORDS: &[&str] = &["pause", "stop", "mute", "play", "暂停", "停止", "静音", "播放", "关闭声音"];

/// Whether the page offers its own controls for the media: a button beside it (in its container, up
/// to three levels up) named to pause, stop or mute it, as players without `controls` build them.
fn page_controls_for(page: &crate::page::Page, media: scraper::ElementRef<'_>) -> bool {
    media.ancestors().filter_map(scraper::ElementRef::wrap).take(3).any(|container| {
        container.descendent_elements().any(|control| {
            let is_control = matches!(control.value().name(), "button" | "input")
                || page.role(control).is_some_and(|r| r == "button");
            if !is_control || !page.is_rendered(control) {
                return false;
            }
            let name = crate::page::aria::accessible_name(page, control).name.to_lowercase();
            CONTROL_WORDS.iter().any(|word| name.contains(word))
        })
    })
}

impl Check for NoAutoplayAudio {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        let audible = page.rendering().map(|r| &r.audible);
        let silent = page.rendering().map(|r| &r.silent);
        for media in page.elements().filter(|e| matches!(e.value().name(), "audio" | "video")) {
            let v = media.value();
            // The browser played it and heard nothing (no audio track, muted): nothing to stop.
            if silent.is_some_and(|s| s.contains(&media.id())) {
                continue;
            }
            // A browser saw it playing with sound after load (scripts may start media without `autoplay`).
            if audible.is_some_and(|a| a.contains(&media.id())) {
                if v.attribute("controls").is_some() || page_controls_for(page, media) {
                    tally.pass();
                } else {
                    tally.add(Finding::failed(page, media, Message::new(
                        "页面打开后这段媒体自动有声播放，且没有暂停或静音控件。请去掉自动播放，或设为静音并加上 controls。",
                        "This media started playing with sound when the page opened, with no pause or mute control. Stop autoplay, or start muted and add controls.",
                    )).with("seen_playing", true));
                }
                continue;
            }
            if v.attribute("autoplay").is_none() || v.attribute("muted").is_some() || v.attribute("paused").is_some() {
                continue;
            }
            if v.attribute("controls").is_some() {
                tally.pass();
                continue;
            }
            // A media fragment (`#t=start,end`) tells how long it plays without decoding it.
            let source = v.attribute("src").map(str::to_string).or_else(|| {
                media
                    .descendent_elements()
                    .find(|c| c.value().name() == "source")
                    .and_then(|c| c.value().attribute("src"))
                    .map(str::to_string)
            });
            if let Some(seconds) = source.as_deref().and_then(fragment_duration) {
                if seconds > 3.0 {
                    tally.add(
                        Finding::failed(page, media, Message::new(
                            format!("媒体会自动播放 {seconds:.0} 秒的声音，且没有暂停或静音控件。请去掉 autoplay，或加上 muted / controls。"),
                            format!("The media autoplays {seconds:.0} seconds of sound with no pause or mute control. Remove autoplay, or add muted / controls."),
                        ))
                        .with("seconds", seconds),
                    );
                } else {
                    tally.pass();
                }
                continue;
            }
            tally.add(Finding::cant_tell(page, media, "media-duration-unknown", Message::new(
                "媒体会自动播放且没有播放控件；若声音超过 3 秒，读者无法停止它。请确认，或加上 muted / controls。",
                "The media plays automatically without controls; if its sound lasts over 3 seconds, readers cannot stop it. Confirm, or add muted / controls.",
            )));
        }
        tally.finish()
    }
}
