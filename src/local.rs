//! Local targets: a single HTML file, or a folder checked as one site (every `.html`/`.htm`
//! under it), with root-relative references resolved against the folder as a web server would.

use eldercheck_checks::page::{LoadError, StylesheetLoader};
use std::path::{Path, PathBuf};
use url::Url;

/// Why a local target cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("{path}: no such file or folder")]
    Missing { path: PathBuf },
    #[error("{path}: not an .html/.htm file")]
    NotHtml { path: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: the path cannot be turned into a file URL")]
    NotUrl { path: PathBuf },
    #[error("{0}")]
    Crawl(String),
}

/// A local site: its root folder and its pages in a stable order.
#[derive(Debug, Clone)]
pub struct LocalSite {
    pub root: PathBuf,
    pub root_url: Url,
    pub pages: Vec<PathBuf>,
    /// The home page: `index.html`/`index.htm`/`default.htm(l)` at the root, else the first page.
    pub home: Option<PathBuf>,
    /// Pages left out by `--max-pages`, reported so that nothing disappears silently.
    pub skipped_by_limit: usize,
}

pub fn is_html_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Finds the pages of a local target. A file is a site of one page whose root is its folder.
pub fn discover(
    target: &Path,
    max_pages: Option<usize>,
    include: &[regex::Regex],
    exclude: &[regex::Regex],
) -> Result<LocalSite, LocalError> {
    let absolute =
        std::path::absolute(target).map_err(|source| LocalError::Io { path: target.to_path_buf(), source })?;
    if !absolute.exists() {
        return Err(LocalError::Missing { path: target.to_path_buf() });
    }
    let (root, mut pages) = if absolute.is_dir() {
        let mut pages = Vec::new();
        walk(&absolute, &mut pages)?;
        pages.sort();
        (absolute.clone(), pages)
    } else {
        if !is_html_file(&absolute) {
            return Err(LocalError::NotHtml { path: target.to_path_buf() });
        }
        let parent = absolute.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
        (parent, vec![absolute.clone()])
    };
    pages.retain(|p| {
        let text = p.to_string_lossy();
        (include.is_empty() || include.iter().any(|r| r.is_match(&text))) && !exclude.iter().any(|r| r.is_match(&text))
    });
    let mut skipped_by_limit = 0;
    if let Some(max) = max_pages {
        if pages.len() > max {
            skipped_by_limit = pages.len() - max;
            pages.truncate(max);
        }
    }
    let root_url = Url::from_directory_path(&root).map_err(|()| LocalError::NotUrl { path: root.clone() })?;
    let home = ["index.html", "index.htm", "default.html", "default.htm"]
        .iter()
        .map(|name| root.join(name))
        .find(|candidate| pages.contains(candidate))
        .or_else(|| pages.first().cloned());
    Ok(LocalSite { root, root_url, pages, home, skipped_by_limit })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LocalError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LocalError::Io { path: dir.to_path_buf(), source })?;
    for entry in entries {
        let entry = entry.map_err(|source| LocalError::Io { path: dir.to_path_buf(), source })?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|source| LocalError::Io { path: path.clone(), source })?;
        if file_type.is_dir() {
            walk(&path, out)?;
        } else if is_html_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Loads stylesheets from a local site folder. Root-relative references (`/css/a.css`) resolve
/// against the site folder; remote stylesheets are not fetched when checking local files.
pub struct FolderLoader {
    root_url: Url,
    /// Largest stylesheet read, like the crawler's body cap.
    max_bytes: u64,
}

impl FolderLoader {
    pub fn new(root_url: Url) -> Self {
        FolderLoader { root_url, max_bytes: 5 * 1024 * 1024 }
    }
}

impl StylesheetLoader for FolderLoader {
    fn resolve(&self, base: &Url, href: &str) -> Option<Url> {
        let href = href.trim();
        if base.scheme() == "file" && href.starts_with('/') && !href.starts_with("//") {
            return self.root_url.join(href.trim_start_matches('/')).ok();
        }
        base.join(href).ok()
    }

    fn load(&self, url: &Url) -> Result<Vec<u8>, LoadError> {
        if url.scheme() != "file" {
            return Err(LoadError::NotAllowed(format!("{url}: remote stylesheets are not fetched for local files")));
        }
        let path = url.to_file_path().map_err(|()| LoadError::Other(format!("{url}: not a local path")))?;
        let metadata = std::fs::metadata(&path).map_err(|e| LoadError::NotFound(format!("{}: {e}", path.display())))?;
        if metadata.len() > self.max_bytes {
            return Err(LoadError::Other(format!("{}: larger than {} bytes", path.display(), self.max_bytes)));
        }
        std::fs::read(&path).map_err(|e| LoadError::NotFound(format!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_references_resolve_against_the_site_folder() {
        let loader = FolderLoader::new(Url::parse("file:///srv/site/").expect("url"));
        let page = Url::parse("file:///srv/site/news/2026/a.html").expect("url");
        assert_eq!(
            loader.resolve(&page, "/css/a.css").map(|u| u.to_string()),
            Some("file:///srv/site/css/a.css".into())
        );
        assert_eq!(
            loader.resolve(&page, "../b.css").map(|u| u.to_string()),
            Some("file:///srv/site/news/b.css".into())
        );
        assert!(loader.load(&Url::parse("https://cdn.example.com/a.css").expect("url")).is_err());
    }
}
