//! Bytes → text. Chinese sites still serve GBK/GB2312 pages, often mislabelled, so the charset is
//! worked out in the WHATWG order (transport header, BOM, `<meta>` prescan) with detection as the
//! last resort, and a declaration that the bytes contradict is not trusted blindly.

use encoding_rs::{Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use serde::Serialize;

/// Where the charset used to decode a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    /// `Content-Type: …; charset=` of the HTTP response.
    Header,
    /// A byte-order mark at the start of the body.
    Bom,
    /// `<meta charset>` or `<meta http-equiv=Content-Type>` in the first 1024 bytes.
    Meta,
    /// Statistical detection (chardetng) because nothing was declared.
    Detected,
    /// A declaration was present but the bytes are valid UTF-8 with non-ASCII text, so UTF-8 won.
    Utf8Override,
}

/// A decoded document.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
    /// Malformed sequences were replaced with U+FFFD.
    pub had_errors: bool,
}

/// How many bytes the `<meta>` prescan looks at, as in the HTML standard.
const PRESCAN_BYTES: usize = 1024;

/// Decodes an HTML document. `header_charset` is the `charset` parameter of the HTTP
/// `Content-Type`, when the page came over HTTP.
pub fn decode_html(bytes: &[u8], header_charset: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return finish(&bytes[bom_len..], encoding, CharsetSource::Bom);
    }
    let declared = header_charset
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .map(|e| (e, CharsetSource::Header))
        .or_else(|| prescan_meta_charset(bytes).map(|e| (e, CharsetSource::Meta)));
    if let Some((encoding, source)) = declared {
        let encoding = normalise_declared(encoding);
        // Pages that declare gb2312 but were re-saved as UTF-8 are common; valid UTF-8 with
        // multi-byte sequences is essentially never legitimate GBK or Big5 text.
        if encoding != UTF_8 && has_non_ascii(bytes) && std::str::from_utf8(bytes).is_ok() {
            return finish(bytes, UTF_8, CharsetSource::Utf8Override);
        }
        return finish(bytes, encoding, source);
    }
    // chardetng answers UTF-8 for any valid UTF-8 (it only has another answer for escape-coded
    // ISO-2022-JP, whose text starts with ESC); checking validity is about fifty times cheaper
    // than feeding the page to its dozen candidate models.
    if !bytes.contains(&0x1b) && std::str::from_utf8(bytes).is_ok() {
        return finish(bytes, UTF_8, CharsetSource::Detected);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = widen(detector.guess(None, chardetng::Utf8Detection::Allow));
    finish(bytes, rescue_multibyte(bytes, guess), CharsetSource::Detected)
}

/// Decodes a text file a person saved (a site list from Excel or Notepad): a byte-order mark
/// (UTF-8, UTF-16), UTF-16 without one (every other byte of ASCII text is zero), valid UTF-8, else
/// the detector pages use (GBK for what Chinese Windows saves). With the encoding it was read in.
pub fn decode_text(bytes: &[u8]) -> (String, &'static Encoding) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), encoding);
    }
    let head = &bytes[..bytes.len().min(1024)];
    let pairs = head.chunks_exact(2).take(64);
    let zero_high = pairs.clone().filter(|p| p[1] == 0 && p[0] != 0).count();
    let zero_low = pairs.clone().filter(|p| p[0] == 0 && p[1] != 0).count();
    let counted = pairs.count();
    if counted >= 4 && (zero_high * 4 >= counted * 3 || zero_low * 4 >= counted * 3) {
        let encoding = if zero_high > zero_low { UTF_16LE } else { UTF_16BE };
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return (text.into_owned(), encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), UTF_8);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = widen(detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow));
    let encoding = rescue_multibyte(bytes, guess);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding)
}

/// chardetng gives up on multi-byte encodings when a page has a few corrupt sequences and then
/// guesses a single-byte Latin encoding, turning a Chinese page into mojibake. When UTF-8 or
/// GB18030 reads the page with only a handful of errors among many multi-byte characters, that
/// reading wins.
fn rescue_multibyte(bytes: &[u8], guess: &'static Encoding) -> &'static Encoding {
    let single_byte = guess.is_single_byte();
    if !single_byte || !has_non_ascii(bytes) {
        return guess;
    }
    for candidate in [UTF_8, GB18030] {
        let (text, _) = candidate.decode_without_bom_handling(bytes);
        let errors = text.chars().filter(|&c| c == '\u{FFFD}').count();
        let multibyte = text.chars().filter(|&c| (c as u32) >= 0x3000 && c != '\u{FFFD}').count();
        if multibyte >= 20 && errors * 50 <= multibyte {
            return candidate;
        }
    }
    guess
}

/// What a body that is not a document is, when its first bytes say so: the signatures of the
/// WHATWG MIME Sniffing standard for images, archives, PDF, audio and video, then its "binary data
/// byte" test (control bytes no text contains) over the first 1,024 bytes. Servers send PNGs and
/// archives as `text/html`, and folders hold `.html` files that are not; such bodies are `not_html`,
/// never scored as pages. UTF-16 documents (with a byte-order mark) are text.
pub fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 14] = [
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"RIFF", "RIFF media (WebP, WAV, AVI)"),
        (b"%PDF-", "PDF document"),
        (b"PK\x03\x04", "ZIP archive or Office document"),
        (b"\x1f\x8b\x08", "gzip archive"),
        (b"Rar!\x1a\x07", "RAR archive"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
        (b"\x00\x00\x01\x00", "icon"),
        (b"ID3", "MP3 audio"),
        (b"OggS\x00", "Ogg media"),
        (b"\x7fELF", "executable"),
    ];
    if bytes.starts_with(b"\xfe\xff") || bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xef\xbb\xbf") {
        return None;
    }
    if let Some((_, kind)) = SIGNATURES.iter().find(|(signature, _)| bytes.starts_with(signature)) {
        return Some(kind);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some("MP4 media");
    }
    let head = &bytes[..bytes.len().min(1024)];
    // UTF-16 without a byte-order mark: every other byte of ASCII markup is zero.
    let utf16_markup = head.len() >= 8
        && head.chunks_exact(2).take(32).all(|pair| (pair[0] == 0) != (pair[1] == 0) && (pair[0] | pair[1]) < 0x80);
    if utf16_markup {
        return None;
    }
    // Real pages carry stray control bytes (old Chinese portals use \x02 as a separator in
    // comments); random or compressed data has NUL bytes and about 10% control bytes.
    let binary_byte = |b: &&u8| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f);
    let control = head.iter().filter(binary_byte).count();
    // The share is only telling over enough bytes: a short page with a bell character is still a page.
    (head.contains(&0) || (head.len() >= 512 && control * 25 > head.len())).then_some("binary data")
}

/// Decodes a stylesheet: BOM, then `@charset`, then the referring document's encoding.
pub fn decode_css(bytes: &[u8], fallback: &'static Encoding) -> String {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_len..]).0.into_owned();
    }
    const PREFIX: &[u8] = b"@charset \"";
    let encoding = bytes
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.iter().position(|&b| b == b'"').map(|end| &rest[..end]))
        .and_then(Encoding::for_label)
        .map(normalise_declared)
        .unwrap_or(fallback);
    let encoding =
        if encoding != UTF_8 && has_non_ascii(bytes) && std::str::from_utf8(bytes).is_ok() { UTF_8 } else { encoding };
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn finish(bytes: &[u8], encoding: &'static Encoding, source: CharsetSource) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding, source, had_errors }
}

/// Declarations the HTML standard does not honour as written.
fn normalise_declared(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == UTF_16LE || encoding == UTF_16BE {
        // A UTF-16 label without a BOM is treated as UTF-8 by browsers.
        UTF_8
    } else if encoding == encoding_rs::X_USER_DEFINED {
        WINDOWS_1252
    } else {
        widen(encoding)
    }
}

/// GB2312 and GBK text is read with the GB18030 decoder, which is a superset of both.
fn widen(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == GBK {
        GB18030
    } else {
        encoding
    }
}

fn has_non_ascii(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| !b.is_ascii())
}

/// A simplified WHATWG prescan: finds `<meta charset=…>` or
/// `<meta http-equiv="content-type" content="…charset=…">` in the first 1024 bytes.
pub fn prescan_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(offset) = find(&lower[from..], b"<meta") {
        let tag_start = from + offset + 5;
        let tag_end = lower[tag_start..].iter().position(|&b| b == b'>').map_or(lower.len(), |p| tag_start + p);
        let tag = &lower[tag_start..tag_end];
        if let Some(label) = attribute_value(tag, b"charset") {
            if let Some(encoding) = Encoding::for_label(label) {
                return Some(encoding);
            }
        }
        if attribute_value(tag, b"http-equiv").is_some_and(|v| v == b"content-type") {
            if let Some(content) = attribute_value(tag, b"content") {
                if let Some(encoding) = charset_from_content_type(content) {
                    return Some(encoding);
                }
            }
        }
        from = tag_end;
    }
    None
}

/// Reads the `charset` parameter of a `Content-Type` value (also used for HTTP headers).
pub fn charset_from_content_type(content: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = content.iter().map(u8::to_ascii_lowercase).collect();
    let at = find(&lower, b"charset")? + 7;
    let rest = &lower[at..];
    let rest = rest.iter().position(|&b| b != b' ').map(|p| &rest[p..])?;
    let rest = rest.strip_prefix(b"=")?;
    let rest = rest.iter().position(|&b| b != b' ').map(|p| &rest[p..])?;
    let (quote, rest) = match rest.first() {
        Some(&q @ (b'"' | b'\'')) => (Some(q), &rest[1..]),
        _ => (None, rest),
    };
    let end = rest
        .iter()
        .position(|&b| match quote {
            Some(q) => b == q,
            None => b == b';' || b == b' ' || b == b'"' || b == b'\'',
        })
        .unwrap_or(rest.len());
    Encoding::for_label(&rest[..end])
}

/// Finds `name=value` inside the lower-cased text of a tag, with or without quotes.
fn attribute_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(offset) = find(&tag[from..], name) {
        let start = from + offset;
        let before_ok = start == 0 || matches!(tag[start - 1], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'"' | b'\'');
        let mut pos = start + name.len();
        while pos < tag.len() && tag[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if before_ok && tag.get(pos) == Some(&b'=') {
            pos += 1;
            while pos < tag.len() && tag[pos].is_ascii_whitespace() {
                pos += 1;
            }
            return Some(match tag.get(pos) {
                Some(&q @ (b'"' | b'\'')) => {
                    let rest = &tag[pos + 1..];
                    let end = rest.iter().position(|&b| b == q).unwrap_or(rest.len());
                    &rest[..end]
                }
                _ => {
                    let rest = &tag[pos..];
                    let end = rest
                        .iter()
                        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
                        .unwrap_or(rest.len());
                    &rest[..end]
                }
            });
        }
        from = start + name.len();
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        GBK.encode(text).0.into_owned()
    }

    #[test]
    fn header_charset_wins_over_meta() {
        let mut bytes = b"<meta charset=big5><p>".to_vec();
        bytes.extend(gbk("长者模式"));
        let decoded = decode_html(&bytes, Some("gbk"));
        assert_eq!(decoded.source, CharsetSource::Header);
        assert!(decoded.text.contains("长者模式"));
    }

    #[test]
    fn gb2312_meta_reads_gbk_only_characters() {
        // 镕 is in GBK but not in GB2312: pages labelled gb2312 routinely contain such characters.
        let mut bytes =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>"
                .to_vec();
        bytes.extend(gbk("朱镕基 适老化"));
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.source, CharsetSource::Meta);
        assert_eq!(decoded.encoding, GB18030);
        assert!(decoded.text.contains("朱镕基 适老化"));
        assert!(!decoded.had_errors);
    }

    #[test]
    fn declared_gb2312_but_utf8_bytes_reads_as_utf8() {
        let bytes = "<meta charset=gb2312><p>关怀版</p>".as_bytes();
        let decoded = decode_html(bytes, None);
        assert_eq!(decoded.source, CharsetSource::Utf8Override);
        assert!(decoded.text.contains("关怀版"));
    }

    #[test]
    fn undeclared_gbk_is_detected() {
        let mut bytes = b"<html><body><p>".to_vec();
        bytes.extend(gbk(
            "互联网网站适老化通用设计规范，字体缩放、颜色对比度与广告弹窗的检查。老年人浏览网页时需要更大的字号。",
        ));
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.source, CharsetSource::Detected);
        assert!(decoded.text.contains("适老化通用设计规范"), "{}", decoded.text);
    }

    #[test]
    fn undeclared_gbk_with_a_few_corrupt_bytes_is_still_gbk() {
        let mut bytes = b"<html><body><p>".to_vec();
        for _ in 0..10 {
            bytes.extend(gbk("论坛首页 精华帖子 网友评论 适老化改造 长者模式 关怀版 "));
        }
        bytes.extend([0x81, 0x20, 0xFF, 0x20]);
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.encoding, GB18030);
        assert!(decoded.text.contains("长者模式"));
    }

    #[test]
    fn undeclared_utf8_shortcut_agrees_with_the_detector() {
        let samples: [&[u8]; 5] = [
            b"<p>plain ascii only</p>",
            "<p>适老化改造 互联网网站</p>".as_bytes(),
            "<p>caf\u{e9} na\u{ef}ve \u{1F600}</p>".as_bytes(),
            b"",
            "<title>长辈版</title><p>大字</p>".as_bytes(),
        ];
        for bytes in samples {
            let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let detected = detector.guess(None, chardetng::Utf8Detection::Allow);
            let decoded = decode_html(bytes, None);
            assert_eq!(decoded.encoding, detected, "{:?}", String::from_utf8_lossy(bytes));
            assert_eq!(decoded.source, CharsetSource::Detected);
        }
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "<p>大字版</p>".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.source, CharsetSource::Bom);
        assert_eq!(decoded.text, "<p>大字版</p>");
    }

    #[test]
    fn big5_and_shift_jis_meta() {
        let mut bytes = b"<meta charset=\"big5\"><p>".to_vec();
        bytes.extend(encoding_rs::BIG5.encode("無障礙").0.iter());
        assert!(decode_html(&bytes, None).text.contains("無障礙"));
        // A site list as Excel saves it on Chinese Windows (GBK) and as "Unicode text" (UTF-16LE, BOM).
        let (gbk, _, _) = encoding_rs::GBK.encode("网址,名称\nwww.a.gov.cn,某市人民政府\n");
        let (text, encoding) = decode_text(&gbk);
        assert_eq!(encoding, GB18030);
        assert!(text.contains("某市人民政府"), "{text}");
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend("网址\t名称\r\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_text(&utf16), ("网址\t名称\r\n".to_string(), encoding_rs::UTF_16LE));
        let bare: Vec<u8> = "url\r\nwww.a.gov.cn\r\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode_text(&bare).0, "url\r\nwww.a.gov.cn\r\n");
        let mut bytes = b"<meta http-equiv=content-type content='text/html;charset=Shift_JIS'><p>".to_vec();
        bytes.extend(encoding_rs::SHIFT_JIS.encode("アクセシビリティ").0.iter());
        assert!(decode_html(&bytes, None).text.contains("アクセシビリティ"));
    }

    #[test]
    fn utf16_label_without_bom_means_utf8() {
        let decoded = decode_html("<meta charset=utf-16><p>é</p>".as_bytes(), None);
        assert_eq!(decoded.encoding, UTF_8);
    }

    #[test]
    fn meta_after_prescan_window_is_ignored() {
        let mut bytes = vec![b' '; 1100];
        bytes.extend(b"<meta charset=big5>");
        assert!(prescan_meta_charset(&bytes).is_none());
    }

    #[test]
    fn css_charset_rule() {
        let mut bytes = b"@charset \"gbk\"; .a::after { content: \"".to_vec();
        bytes.extend(gbk("关怀"));
        bytes.extend(b"\" }");
        assert!(decode_css(&bytes, UTF_8).contains("关怀"));
    }

    #[test]
    fn binary_bodies_are_recognised_and_text_is_not() {
        assert_eq!(binary_kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("PNG image"));
        assert_eq!(binary_kind(b"%PDF-1.7 ..."), Some("PDF document"));
        assert_eq!(binary_kind(&[0x13, 0x37, 0x00, 0xff, 0x42]), Some("binary data"));
        let separators = format!("<!-- ad{}{} --><p>正文</p>{}", "\u{2}N".repeat(17), " ".repeat(400), "x".repeat(600));
        assert_eq!(binary_kind(separators.as_bytes()), None, "a few control bytes in a comment");
        assert_eq!(binary_kind(b"<\0h\0t\0m\0l\0>\0<\0p\0>\0x\0"), None, "UTF-16 without a byte-order mark");
        assert_eq!(binary_kind("<!doctype html><title>政府网站</title>".as_bytes()), None);
        let gbk: &[u8] = &[b'<', b'p', b'>', 0xd5, 0xfe, 0xb8, 0xae];
        assert_eq!(binary_kind(gbk), None, "GBK text has high bytes, not control bytes");
        assert_eq!(binary_kind(b"\xff\xfe<\0p\0>\0"), None, "UTF-16 with a byte-order mark is text");
        assert_eq!(binary_kind(b"<p>\x0ctab\tand form feed\r\n"), None);
    }
}
