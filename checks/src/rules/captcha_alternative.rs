use super::shared::lexicon::name_words;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::aria::is_hidden_from_at;
use crate::page::collapsed_text;
use crate::page::Attribute;
use std::borrow::Cow;

pub struct CaptchaAlternative;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("captcha-alternative"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("图片验证码有非视觉替代方式", "Image CAPTCHAs have a non-visual alternative"),
    failure_title: Text::new("图片验证码没有非视觉替代方式", "Image CAPTCHAs lack a non-visual alternative"),
    criteria: Criteria { wcag: &["1.1.1"], miit: &["附件1 1.4.3 至少提供一种视觉以外的验证码"], act: &[] },
    docs: Text::new(
        "## 检查什么\n页面上的图片验证码（`src`、`alt`、`id`、`class` 或 `name` 含 captcha、yzm、checkcode、verifycode、验证码 等，按整词识别：`a8yzmq.png` 这样的随机文件名和 base64 图片数据不算）旁边，提供了视觉以外的验证方式，如语音验证码、短信验证码或音频验证码。\n\n\
## 为什么对老年读者重要\n扭曲的图片验证码对视力下降的老年人极难辨认，读屏软件也无法读出。适老化规范要求“至少提供一种视觉感官以外的验证码，如系统推送的语音验证码”。\n\n\
## 示例\n不合格：只有 `<img src=\"/yzm.jsp\" alt=\"验证码\">`；合格：同一表单中还有“获取语音验证码”或“短信验证码”按钮。\n\n\
## 如何修复\n增加语音验证码或短信验证码，并提供验证码放大（不低于 2 倍）功能。",
        "## What it checks\nAn image CAPTCHA on the page (`src`, `alt`, `id`, `class` or `name` containing captcha, yzm, checkcode, verifycode, 验证码 … as whole words: a random file name such as `a8yzmq.png` or base64 image data does not count) comes with a non-visual alternative: a voice, SMS or audio code.\n\n\
## Why it matters for older readers\nDistorted image codes are very hard for older eyes and cannot be read by screen readers. The MIIT criteria require at least one CAPTCHA that does not rely on sight, such as a voice code.\n\n\
## Example\nFails: only `<img src=\"/yzm.jsp\" alt=\"验证码\">`. Passes: the same form also offers \"Get a voice code\" or an SMS code.\n\n\
## How to fix\nAdd a voice or SMS verification code, and let users enlarge the image code at least 2×.",
    ),
};

/// Words of a CAPTCHA image's address or name, matched as whole words (`yzm.jsp`, `getYzm`,
/// `check_code` = check + code), never inside another word: `a8yzmq.png` or a base64 image is not one.
const CAPTCHA_WORDS: &[&str] =
    &["yzm", "checkcode", "verifycode", "validatecode", "validcode", "vcode", "authcode", "seccode", "kaptcha"];
/// Chinese names, matched anywhere in a text (alt, title).
const CAPTCHA_NAMES: &[&str] = &["验证码", "校验码"];

/// Whether an attribute value names a CAPTCHA: one of its words, two adjacent words together, or a
/// word ending in `captcha` (recaptcha, imgcaptcha). `data:` addresses hold no words, only data.
fn names_captcha(value: &str) -> bool {
    if CAPTCHA_NAMES.iter().any(|n| value.contains(n)) {
        return true;
    }
    if value.trim_start().get(..5).is_some_and(|scheme| scheme.eq_ignore_ascii_case("data:")) {
        return false;
    }
    let words = name_words(value);
    let known = |w: &str| CAPTCHA_WORDS.contains(&w) || w.ends_with("captcha");
    words.iter().any(|w| known(w)) || words.windows(2).any(|pair| known(&pair.concat()))
}
const ALTERNATIVE_MARKERS: &[&str] = &[
    "语音验证",
    "语音校验",
    "语音播报",
    "听验证码",
    "短信验证",
    "短信校验",
    "audio captcha",
    "voice",
    "audio code",
    "sms code",
];

#[cfg(test)]
mod tests {
    use super::names_captcha;

    #[test]
    fn captcha_words_are_whole_words() {
        for yes in
            ["/yzm.jsp", "getYzm.do?t=1", "check_code.aspx", "ValidateCode.ashx", "imgCaptcha", "验证码", "recaptcha"]
        {
            assert!(names_captcha(yes), "{yes}");
        }
        for no in [
            "data:image/png;base64,iVBORw0KGgoAyzmAAAANSUhEUg",
            "/upload/2024/a8yzmq7.png",
            "/static/xyzm3.jpg",
            "banner",
            "codebase",
        ] {
            assert!(!names_captcha(no), "{no}");
        }
    }
}

impl Check for CaptchaAlternative {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let captchas: Vec<_> = page
            .elements()
            .filter(|e| e.value().name() == "img" && !is_hidden_from_at(page, *e))
            .filter(|e| {
                let v = e.value();
                let values = [
                    v.attribute("src"),
                    v.attribute("alt"),
                    v.attribute("id"),
                    v.attribute("class"),
                    v.attribute("name"),
                    v.attribute("title"),
                ];
                values.iter().flatten().any(|value| names_captcha(value))
            })
            .collect();
        let mut tally = Tally::default();
        if captchas.is_empty() {
            return tally.finish();
        }
        let page_text = collapsed_text(page.root()).to_lowercase();
        let attribute_text: String = page
            .elements()
            .filter(|e| matches!(e.value().name(), "a" | "button" | "input" | "audio"))
            .flat_map(|e| {
                [
                    e.value().attribute("value"),
                    e.value().attribute("aria-label"),
                    e.value().attribute("title"),
                    e.value().attribute("id"),
                    e.value().attribute("class"),
                ]
            })
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let has_audio = page.elements().any(|e| e.value().name() == "audio");
        let alternative =
            has_audio || ALTERNATIVE_MARKERS.iter().any(|m| page_text.contains(m) || attribute_text.contains(m));
        for captcha in captchas {
            if alternative {
                tally.pass();
            } else {
                tally.add(Finding::failed(
                    page,
                    captcha,
                    Message::new(
                        "图片验证码旁没有语音或短信等非视觉验证方式：视力不好的老年人和读屏用户无法完成验证。请增加语音验证码或短信验证码。",
                        "This image CAPTCHA has no voice or SMS alternative: older users with poor sight and screen-reader users cannot pass it. Add a voice or SMS code.",
                    ),
                ));
            }
        }
        tally.finish()
    }
}
