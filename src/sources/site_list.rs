//! `--sites FILE`: one URL a line, or CSV with the header `url,name[,group]`.

/// One site of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteTarget {
    pub url: String,
    pub name: Option<String>,
    pub group: Option<String>,
    /// The line of the list it came from (from 1), to name in messages.
    pub line: usize,
}

/// Parses a site list. Blank lines and lines starting with `#` are ignored.
pub fn parse_site_list(text: &str) -> Vec<SiteTarget> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    let is_csv = lines.peek().is_some_and(|(_, first)| {
        let header = csv_fields(first);
        header.first().is_some_and(|h| h.eq_ignore_ascii_case("url"))
    });
    if !is_csv {
        return lines.map(|(line, l)| SiteTarget { url: l.to_string(), name: None, group: None, line }).collect();
    }
    let header: Vec<String> =
        lines.next().map(|(_, l)| csv_fields(l)).unwrap_or_default().iter().map(|h| h.to_ascii_lowercase()).collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (url_col, name_col, group_col) = (column("url").unwrap_or(0), column("name"), column("group"));
    lines
        .map(|(number, line)| {
            let fields = csv_fields(line);
            let get = |i: Option<usize>| {
                i.and_then(|i| fields.get(i)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
            };
            SiteTarget {
                url: get(Some(url_col)).unwrap_or_default(),
                name: get(name_col),
                group: get(group_col),
                line: number,
            }
        })
        .collect()
}

/// Splits one CSV line, honouring double quotes.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut current).trim().to_string()),
            (c, _) => current.push(c),
        }
    }
    fields.push(current.trim().to_string());
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_list() {
        let sites = parse_site_list("# 省级政府网站\nhttps://www.a.gov.cn\n\nhttps://www.b.gov.cn/\n");
        assert_eq!(sites.len(), 2);
        assert_eq!(sites[1].url, "https://www.b.gov.cn/");
    }

    #[test]
    fn csv_with_name_and_group() {
        let sites = parse_site_list(
            "url,name,group\nhttps://www.a.gov.cn,\"某省人民政府, 门户\",省级\nhttps://www.b.gov.cn,某市政府\n",
        );
        assert_eq!(sites[0].name.as_deref(), Some("某省人民政府, 门户"));
        assert_eq!(sites[0].group.as_deref(), Some("省级"));
        assert_eq!(sites[1].group, None);
    }
}
