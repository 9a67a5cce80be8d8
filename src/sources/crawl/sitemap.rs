//! Sitemaps: `<urlset>` and `<sitemapindex>`, plain or gzip-compressed.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::io::Read;

/// What a sitemap document lists.
#[derive(Debug, Default, PartialEq)]
pub struct Sitemap {
    pub pages: Vec<String>,
    /// Child sitemaps of a sitemap index.
    pub sitemaps: Vec<String>,
}

/// Decompresses gzip (by magic bytes, whatever the name says), bounded to `max_bytes`.
pub fn maybe_gunzip(bytes: &[u8], max_bytes: usize) -> Result<Vec<u8>, String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip: {e}"))?;
        if out.len() > max_bytes {
            return Err(format!("sitemap larger than {max_bytes} bytes once decompressed"));
        }
        Ok(out)
    } else {
        Ok(bytes.to_vec())
    }
}

/// Parses a sitemap or sitemap index. Malformed XML yields what was read before the error.
pub fn parse(xml: &[u8]) -> Sitemap {
    let mut reader = Reader::from_reader(xml);
    let mut sitemap = Sitemap::default();
    let mut in_index = false;
    let mut loc: Option<String> = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"sitemapindex" => in_index = true,
                b"loc" => loc = Some(String::new()),
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"loc" => {
                if let Some(text) = loc.take().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
                    if in_index {
                        sitemap.sitemaps.push(text);
                    } else {
                        sitemap.pages.push(text);
                    }
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(current) = loc.as_mut() {
                    current.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(current) = loc.as_mut() {
                    current.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            // Entity references arrive as their own events.
            Ok(Event::GeneralRef(r)) => {
                if let Some(current) = loc.as_mut() {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    let resolved = match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        n => n
                            .strip_prefix("#x")
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                            .and_then(char::from_u32),
                    };
                    if let Some(c) = resolved {
                        current.push(c);
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    sitemap
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn urlset_and_index() {
        let s = parse(b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc> https://a.cn/1?x=1&amp;y=2 </loc></url><url><loc><![CDATA[https://a.cn/2]]></loc></url></urlset>");
        assert_eq!(s.pages, vec!["https://a.cn/1?x=1&y=2".to_string(), "https://a.cn/2".to_string()]);
        let s = parse(b"<sitemapindex><sitemap><loc>https://a.cn/s1.xml.gz</loc></sitemap></sitemapindex>");
        assert_eq!(s.sitemaps, vec!["https://a.cn/s1.xml.gz".to_string()]);
        assert_eq!(parse(b"<urlset><url><loc>https://a.cn/ok</loc></url><broken").pages.len(), 1);
    }

    #[test]
    fn gzip_is_detected_and_bounded() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<urlset><url><loc>https://a.cn/z</loc></url></urlset>").expect("gzip");
        let bytes = gz.finish().expect("gzip");
        let plain = maybe_gunzip(&bytes, 1 << 20).expect("gunzip");
        assert_eq!(parse(&plain).pages, vec!["https://a.cn/z".to_string()]);
        assert!(maybe_gunzip(&bytes, 10).is_err());
    }
}
