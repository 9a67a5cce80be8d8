//! What a run checks: its targets (URLs, files, folders and a `--sites` list) turned into sites, with
//! a problem for every target that cannot be used, and a guess for a host name typed without
//! `https://`.

use super::RunError;
use crate::options::{levenshtein, read_input_file, Problem};
use crate::rundir::SiteEntry;
use crate::settings::CheckSettings;
use crate::sources::local::{discover, LocalError, LocalSite};
use crate::sources::site_list::{bare_host_url, read_site_list, SiteTarget};
use std::collections::HashMap;
use std::path::Path;
use url::Url;

/// Where a site's pages come from.
pub enum SiteSource {
    Local(LocalSite),
    /// A start URL to crawl (credentials, if any, still in it: the crawler takes them out).
    Crawl(String),
}

/// The sites of a run, in the order given, and what could not be used.
pub struct Targets {
    pub sites: Vec<(SiteEntry, SiteSource)>,
    /// Targets that could not be used at all (missing files …), said before the run starts.
    pub problems: Vec<Problem>,
    /// Targets taken as web addresses because they were not files but looked like host names.
    pub guessed_urls: Vec<(String, String)>,
    /// The digest of the `--sites` list, for shards.
    pub list_digest: Option<String>,
    /// What the console should say about how the list was read: a message key and its values.
    pub notes: Vec<(&'static str, Vec<(&'static str, String)>)>,
}

pub fn compile_filters(patterns: &[String], flag: &'static str) -> Result<Vec<regex::Regex>, RunError> {
    patterns
        .iter()
        .map(|p| {
            regex::RegexBuilder::new(p).size_limit(1 << 20).build().map_err(|e| {
                let shown: String = p.chars().take(80).collect();
                let cut = if shown.len() < p.len() { "…" } else { "" };
                let reason = e.to_string().lines().last().unwrap_or_default().to_string();
                RunError::Usage(Problem::BadRegex { flag, pattern: format!("{shown:?}{cut}"), reason })
            })
        })
        .collect()
}

fn is_url(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// What a target that is not an existing path is: a web address typed without `https://`, a web
/// address with a typo in its scheme, or a missing file.
enum Guess {
    Url(String),
    Typo(String),
    Missing,
}

fn guess_target(target: &str) -> Guess {
    let trimmed = target.trim();
    let lower = trimmed.to_ascii_lowercase();
    // `htp://`, `http:/`, `https//`, `http;//` …: a scheme with a typo.
    if let Some((scheme, rest)) = lower.split_once("//").or_else(|| lower.split_once(":/")) {
        let scheme = scheme.trim_end_matches([':', ';', '/']);
        let close = |word: &str| scheme != word && levenshtein(scheme, word) <= 2;
        if close("http") || close("https") || ["http", "https"].contains(&scheme) {
            let wanted =
                if scheme.starts_with("https") || (close("https") && !close("http")) { "https" } else { "http" };
            let rest = trimmed[trimmed.len() - rest.len()..].trim_start_matches('/');
            return Guess::Typo(format!("{wanted}://{rest}"));
        }
    }
    // A host name (a page file such as `index.html` is a missing file, not a host).
    let page_file =
        Path::new(trimmed).extension().is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    match bare_host_url(trimmed).filter(|_| !page_file) {
        Some(url) => Guess::Url(url),
        None => Guess::Missing,
    }
}

/// The sites of `settings`' targets and `--sites` list.
pub fn targets(
    settings: &CheckSettings,
    include: &[regex::Regex],
    exclude: &[regex::Regex],
) -> Result<Targets, RunError> {
    let mut found = Targets {
        sites: Vec::new(),
        problems: Vec::new(),
        guessed_urls: Vec::new(),
        list_digest: None,
        notes: Vec::new(),
    };
    let mut crawl_targets: Vec<SiteTarget> = Vec::new();
    for target in &settings.targets {
        if is_url(target) {
            crawl_targets.push(SiteTarget { url: target.clone(), name: None, group: None, line: 0 });
            continue;
        }
        match discover(Path::new(target), settings.max_pages, include, exclude) {
            Ok(site) => {
                let entry = SiteEntry { url: site.root_url.to_string(), name: site.name(), group: None };
                found.sites.push((entry, SiteSource::Local(site)));
            }
            Err(LocalError::Missing { .. }) => match guess_target(target) {
                Guess::Url(url) => {
                    found.guessed_urls.push((target.clone(), url.clone()));
                    crawl_targets.push(SiteTarget { url, name: None, group: None, line: 0 });
                }
                Guess::Typo(suggestion) => {
                    found.problems.push(Problem::DidYouMean { target: target.clone(), suggestion });
                }
                Guess::Missing => found.problems.push(Problem::MissingPath(target.clone())),
            },
            Err(LocalError::NotHtml { path }) => found.problems.push(Problem::NotHtml(path.display().to_string())),
            Err(LocalError::NotUrl { path }) => found.problems.push(Problem::NotUrl(path.display().to_string())),
            Err(LocalError::Io { path, source }) => {
                found.problems.push(Problem::Io { path: path.display().to_string(), reason: source.to_string() })
            }
        }
    }
    if let Some(list) = &settings.sites {
        let bytes = read_input_file(list).map_err(|e| RunError::Usage(Problem::SiteList(e)))?;
        let read = read_site_list(&bytes);
        let file = list.display().to_string();
        if let Some(encoding) = read.encoding {
            found.notes.push(("site_list_encoding", vec![("file", file.clone()), ("encoding", encoding.to_string())]));
        }
        if let Some(header) = &read.header {
            found.notes.push(("site_list_header", vec![("file", file.clone()), ("header", header.join(" | "))]));
        }
        if read.bare_hosts > 0 {
            found
                .notes
                .push(("site_list_bare_hosts", vec![("file", file.clone()), ("n", read.bare_hosts.to_string())]));
        }
        let listed = read.sites;
        if listed.is_empty() {
            return Err(RunError::Usage(Problem::EmptySiteList(file)));
        }
        found.list_digest = Some(crate::shard::sha256_hex(&bytes));
        for target in &listed {
            let usable = Url::parse(target.url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !usable {
                found.problems.push(Problem::BadSiteLine {
                    file: list.display().to_string(),
                    line: target.line,
                    text: target.url.clone(),
                });
            }
        }
        crawl_targets.extend(listed);
    }
    add_crawled_sites(&mut found, crawl_targets);
    Ok(found)
}

/// Adds the sites to crawl. A site listed twice (`www.` or not, http or https, another page of it) is
/// crawled once: twice would double its requests and store it twice in the history.
fn add_crawled_sites(found: &mut Targets, crawl_targets: Vec<SiteTarget>) {
    let mut listed_sites: HashMap<String, String> = HashMap::new();
    for target in crawl_targets {
        let key = Url::parse(target.url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| format!("{}:{}", crate::net::scope::site_key(&u), u.port().unwrap_or(0)));
        if let Some(key) = key {
            if let Some(first) = listed_sites.get(&key) {
                found.problems.push(Problem::DuplicateSite { target: target.url.clone(), first: first.clone() });
                continue;
            }
            listed_sites.insert(key, target.url.clone());
        }
        // A password in a start URL is used for the crawl, never written down.
        let shown = crate::net::scope::redact(&target.url).into_owned();
        let entry =
            SiteEntry { url: shown.clone(), name: target.name.clone().unwrap_or(shown), group: target.group.clone() };
        found.sites.push((entry, SiteSource::Crawl(target.url)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_bare_host_names() {
        assert!(matches!(guess_target("htp://www.example.gov.cn"), Guess::Typo(s) if s == "http://www.example.gov.cn"));
        assert!(
            matches!(guess_target("https//www.example.gov.cn/"), Guess::Typo(s) if s == "https://www.example.gov.cn/")
        );
        assert!(matches!(guess_target("www.example.gov.cn"), Guess::Url(s) if s == "https://www.example.gov.cn"));
        assert!(matches!(guess_target("missing.html"), Guess::Missing));
        assert!(matches!(guess_target("no/such/folder"), Guess::Missing));
    }
}
