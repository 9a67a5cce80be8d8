//! `--sites FILE`: the list of a batch, as regulators keep it. One address a line, or a table (CSV
//! or tab-separated, as Excel saves "CSV" and "Unicode text") with or without a header row naming
//! its columns in Chinese or English (`网址,名称,分组`, `url,name,group`). Read in whatever encoding
//! it was saved in (UTF-8, UTF-16, GBK), with a bare host (`www.x.gov.cn`) taken as `https://`.

use eldercheck_checks::page::decode_text;

/// One site of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteTarget {
    pub url: String,
    pub name: Option<String>,
    pub group: Option<String>,
    /// The line of the list it came from (from 1), to name in messages.
    pub line: usize,
}

/// A list as read, with what a person should know about how it was read.
#[derive(Debug, Default)]
pub struct SiteList {
    pub sites: Vec<SiteTarget>,
    /// The encoding when it was not UTF-8 (`GBK`, `UTF-16LE`): said, so that odd names can be explained.
    pub encoding: Option<&'static str>,
    /// Lines whose address had no `http://` or `https://` and was taken as `https://`.
    pub bare_hosts: usize,
    /// The header row, when the list had one.
    pub header: Option<Vec<String>>,
}

/// Header words of each column, lower-cased: what Chinese and English lists call them.
const URL_HEADERS: &[&str] = &[
    "url",
    "网址",
    "网站地址",
    "网站网址",
    "地址",
    "域名",
    "网站域名",
    "链接",
    "首页",
    "首页地址",
    "website",
    "site",
    "address",
    "homepage",
    "link",
];
const NAME_HEADERS: &[&str] =
    &["name", "名称", "网站名称", "站点名称", "单位", "单位名称", "网站", "主办单位", "title"];
const GROUP_HEADERS: &[&str] = &["group", "分组", "组", "类别", "分类", "类型", "地区", "区域", "级别", "层级", "所属"];

/// Longest list read (a regulator's list of every registered site in a province fits easily).
const MAX_LINES: usize = 500_000;

/// An address typed without its scheme (`www.x.gov.cn`, `x.gov.cn/index.html`), as the command line
/// accepts one: labels of letters, digits and hyphens with a top-level domain of letters.
pub fn bare_host_url(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let host = trimmed.split(['/', '?', '#']).next().unwrap_or_default();
    let host_name = host.split(':').next().unwrap_or_default();
    let labels: Vec<&str> = host_name.split('.').collect();
    let looks_like_host = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    let page_file = std::path::Path::new(trimmed)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    // `index.html` alone is a file name, `example.com/index.html` a page of a site.
    (looks_like_host && (!page_file || trimmed.contains('/'))).then(|| format!("https://{trimmed}"))
}

fn has_scheme(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Whether a cell holds an address: with its scheme, or a bare host.
fn is_address(cell: &str) -> bool {
    has_scheme(cell) || bare_host_url(cell).is_some()
}

/// Which column is which, from a header row.
struct Columns {
    url: usize,
    name: Option<usize>,
    group: Option<usize>,
}

fn header_columns(row: &[String]) -> Option<Columns> {
    let find = |words: &[&str]| {
        row.iter().position(|cell| {
            let cell = cell.trim().trim_start_matches('\u{feff}').to_lowercase();
            words.contains(&cell.as_str())
        })
    };
    // A row holding an address is a site, whatever its other cells say.
    if row.iter().any(|cell| is_address(cell)) {
        return None;
    }
    Some(Columns { url: find(URL_HEADERS)?, name: find(NAME_HEADERS), group: find(GROUP_HEADERS) })
}

/// Tab-separated when the first line with content has a tab and no comma outside quotes.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or_default();
    if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    }
}

/// Reads a site list from its bytes. Blank lines and lines starting with `#` are ignored.
pub fn read_site_list(bytes: &[u8]) -> SiteList {
    let (text, encoding) = decode_text(bytes);
    let mut list = parse_site_list(&text);
    // GBK is read with its superset GB18030; people know it as GBK (what Excel saves in China).
    list.encoding = match encoding.name() {
        "UTF-8" => None,
        "gb18030" | "GBK" => Some("GBK"),
        other => Some(other),
    };
    list
}

/// Parses a decoded site list.
pub fn parse_site_list(text: &str) -> SiteList {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Comment and blank lines become a lone separator (an empty record), so that the reader's line
    // numbers stay the file's.
    let separator = delimiter(text);
    let kept: String = text
        .lines()
        .map(|l| {
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                char::from(separator).to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(separator)
        .from_reader(kept.as_bytes());
    let mut list = SiteList::default();
    let mut columns: Option<Columns> = None;
    let mut first = true;
    for record in reader.records().take(MAX_LINES) {
        // A line the CSV reader cannot read (an unclosed quote …) is skipped, not the whole list.
        let Ok(record) = record else { continue };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if first {
            first = false;
            if let Some(found) = header_columns(&cells) {
                list.header = Some(cells);
                columns = Some(found);
                continue;
            }
        }
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).filter(|c| !c.is_empty()).cloned();
        // Without a header: the address is the first cell that is one, the name the first other cell.
        let (url_column, name_column, group_column) = match &columns {
            Some(c) => (Some(c.url), c.name, c.group),
            None => {
                let url = cells.iter().position(|c| is_address(c)).or(Some(0));
                let name = cells.iter().enumerate().position(|(i, c)| Some(i) != url && !c.is_empty());
                let group = name.and_then(|n| {
                    cells
                        .iter()
                        .enumerate()
                        .skip(n + 1)
                        .position(|(i, c)| Some(i) != url && !c.is_empty())
                        .map(|p| p + n + 1)
                });
                (url, name, group)
            }
        };
        let written = cell(url_column).unwrap_or_default();
        let url = if has_scheme(&written) {
            written
        } else if let Some(url) = bare_host_url(&written) {
            list.bare_hosts += 1;
            url
        } else {
            written
        };
        list.sites.push(SiteTarget { url, name: cell(name_column), group: cell(group_column), line });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_list() {
        let list = parse_site_list("# 省级政府网站\nhttps://www.a.gov.cn\n\nhttps://www.b.gov.cn/\n");
        assert_eq!(list.sites.len(), 2);
        assert_eq!(list.sites[1].url, "https://www.b.gov.cn/");
        assert_eq!(list.sites[1].line, 4);
    }

    #[test]
    fn csv_with_name_and_group() {
        let list = parse_site_list(
            "url,name,group\nhttps://www.a.gov.cn,\"某省人民政府, 门户\",省级\nhttps://www.b.gov.cn,某市政府\n",
        );
        assert_eq!(list.sites[0].name.as_deref(), Some("某省人民政府, 门户"));
        assert_eq!(list.sites[0].group.as_deref(), Some("省级"));
        assert_eq!(list.sites[1].group, None);
    }

    #[test]
    fn chinese_headers_in_any_order_and_bare_hosts() {
        let list =
            parse_site_list("名称,网址,分组\n某市人民政府,www.a.gov.cn,市级\n某县政府,b.gov.cn/index.html,县级\n");
        assert_eq!(list.sites.len(), 2, "the header is not a site");
        assert_eq!(list.sites[0].url, "https://www.a.gov.cn");
        assert_eq!(list.sites[0].name.as_deref(), Some("某市人民政府"));
        assert_eq!(list.sites[1].url, "https://b.gov.cn/index.html");
        assert_eq!(list.sites[1].group.as_deref(), Some("县级"));
        assert_eq!(list.bare_hosts, 2);
    }

    #[test]
    fn no_header_names_are_not_glued_onto_addresses() {
        let list = parse_site_list("https://www.a.gov.cn,某市人民政府\n某县政府,www.b.gov.cn\n");
        assert_eq!(list.sites[0].url, "https://www.a.gov.cn");
        assert_eq!(list.sites[0].name.as_deref(), Some("某市人民政府"));
        assert_eq!(list.sites[1].url, "https://www.b.gov.cn");
        assert_eq!(list.sites[1].name.as_deref(), Some("某县政府"));
    }

    #[test]
    fn excel_unicode_text_and_gbk_csv() {
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend("网址\t名称\r\nwww.a.gov.cn\t某市人民政府\r\n".encode_utf16().flat_map(u16::to_le_bytes));
        let list = read_site_list(&utf16);
        assert_eq!(list.encoding, Some("UTF-16LE"));
        assert_eq!(list.sites[0].url, "https://www.a.gov.cn");
        assert_eq!(list.sites[0].name.as_deref(), Some("某市人民政府"));
        let (gbk, _, _) = encoding_rs::GBK.encode("网址,名称\r\nhttps://www.a.gov.cn,某市人民政府\r\n");
        let list = read_site_list(&gbk);
        assert_eq!(list.encoding, Some("GBK"));
        assert_eq!(list.sites[0].name.as_deref(), Some("某市人民政府"));
    }

    #[test]
    fn a_broken_line_is_skipped_not_the_list() {
        let list = parse_site_list("https://www.a.gov.cn\n\"https://www.b.gov.cn\n");
        assert!(!list.sites.is_empty());
        assert_eq!(list.sites[0].url, "https://www.a.gov.cn");
    }
}
