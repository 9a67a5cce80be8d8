//! Local targets: a single HTML file, or a folder checked as one site (every `.html`/`.htm`
//! under it), with root-relative references resolved against the folder as a web server would.

use super::{Body, LoadFailure, PageParts, SiteFeed};
use eldercheck_checks::page::{LoadError, StylesheetLoader};
use futures_util::StreamExt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// Why a local target cannot be used at all.
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
    /// Folders that could not be listed: each becomes an error entry, the rest of the site is checked.
    pub unreadable: Vec<(PathBuf, String)>,
}

impl LocalSite {
    /// The site's name in reports: the folder's name.
    pub fn name(&self) -> String {
        self.root.file_name().map_or_else(|| self.root.display().to_string(), |n| n.to_string_lossy().into_owned())
    }
}

/// Folders above a single page that may be its site's root.
const MAX_ROOT_LEVELS_UP: usize = 4;

/// The root of the site a single saved page belongs to: its own folder, unless the page's
/// root-relative stylesheets (`/css/main.css`) are found in a folder above it (at most four levels
/// up), as when one page of a downloaded site is checked. The site's address in the report is that
/// root, so the report says which root was used.
fn site_root_of_single_file(page: &Path) -> PathBuf {
    let folder = page.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    let Ok(bytes) = read_capped(page, 1024 * 1024) else { return folder };
    let text = String::from_utf8_lossy(&bytes);
    static HREF: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(href) = HREF.get_or_init(|| {
        regex::Regex::new(r#"(?i)(?:href\s*=\s*["']?|@import\s+(?:url\()?["']?)(/[^/"'\s>)?#][^"'\s>)?#]*\.css)"#).ok()
    }) else {
        return folder;
    };
    let wanted: Vec<String> =
        href.captures_iter(&text).filter_map(|c| c.get(1)).map(|m| m.as_str().to_string()).take(20).collect();
    if wanted.is_empty() {
        return folder;
    }
    folder
        .ancestors()
        .take(MAX_ROOT_LEVELS_UP + 1)
        .find(|candidate| wanted.iter().any(|w| candidate.join(w.trim_start_matches('/')).is_file()))
        .map_or(folder.clone(), Path::to_path_buf)
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
    if !target.exists() {
        return Err(LocalError::Missing { path: target.to_path_buf() });
    }
    // `..` and symbolic links resolved: a site's addresses are the same however the path was typed.
    let absolute =
        std::fs::canonicalize(target).map_err(|source| LocalError::Io { path: target.to_path_buf(), source })?;
    let mut unreadable = Vec::new();
    let (root, mut pages) = if absolute.is_dir() {
        let mut pages = walk(&absolute, &mut unreadable);
        pages.sort();
        (absolute.clone(), pages)
    } else {
        if !is_html_file(&absolute) {
            return Err(LocalError::NotHtml { path: target.to_path_buf() });
        }
        (site_root_of_single_file(&absolute), vec![absolute.clone()])
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
    Ok(LocalSite { root, root_url, pages, home, skipped_by_limit, unreadable })
}

/// Every HTML file under `root`, walked with an explicit stack (a deep tree cannot overflow ours).
/// Symbolic links to folders are not followed, so a link loop cannot trap the walk; a symbolic link
/// to a file is a page only when the file it leads to is inside the folder (`passwd.html →
/// /etc/passwd` is not).
fn walk(root: &Path, unreadable: &mut Vec<(PathBuf, String)>) -> Vec<PathBuf> {
    let mut pages = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(dir) = folders.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                unreadable.push((dir, e.to_string()));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    unreadable.push((dir.clone(), e.to_string()));
                    continue;
                }
            };
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => folders.push(path),
                Ok(t) if t.is_symlink() && is_html_file(&path) => match std::fs::canonicalize(&path) {
                    Ok(target) if target.starts_with(root) && target.is_file() => pages.push(path),
                    Ok(_) => unreadable.push((path, "a symbolic link to a file outside the site folder".into())),
                    Err(e) => unreadable.push((path, format!("a symbolic link to a missing file ({e})"))),
                },
                Ok(_) if is_html_file(&path) => pages.push(path),
                Ok(_) => {}
                Err(e) => unreadable.push((path, e.to_string())),
            }
        }
    }
    pages
}

/// Reads a regular file of at most `cap` bytes: devices, FIFOs and oversized files are refused
/// before anything is read (judged on the opened file, so a path swapped meanwhile cannot slip a
/// device in), and the read itself stops at the cap.
pub fn read_capped(path: &Path, cap: usize) -> Result<Vec<u8>, LoadFailure> {
    let failed = |e: std::io::Error| LoadFailure::new("read", format!("{}: {e}", path.display()));
    // Opening a FIFO for reading would wait for a writer: refuse anything but a regular file first.
    let metadata = std::fs::metadata(path).map_err(failed)?;
    if !metadata.is_file() {
        return Err(LoadFailure::new("read", format!("{}: not a regular file", path.display())));
    }
    let file = std::fs::File::open(path).map_err(failed)?;
    let metadata = file.metadata().map_err(failed)?;
    if !metadata.is_file() {
        return Err(LoadFailure::new("read", format!("{}: not a regular file", path.display())));
    }
    if metadata.len() > cap as u64 {
        return Err(LoadFailure::new("too_large", format!("{}: larger than the {cap}-byte cap", path.display())));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(cap as u64 + 1).read_to_end(&mut bytes).map_err(failed)?;
    if bytes.len() > cap {
        return Err(LoadFailure::new("too_large", format!("{}: larger than the {cap}-byte cap", path.display())));
    }
    Ok(bytes)
}

/// A local site's folder: the one place that decides which files of the machine a local site may
/// read, for the static engine and the browser alike. A file is read only when its canonical path
/// (`..` resolved, `%2f` decoded, symbolic links followed) is a regular file inside the folder's
/// canonical path. (A file swapped for a link between that check and the read is not guarded
/// against: whoever can write into the folder while it is checked can also edit its pages.)
#[derive(Debug, Clone)]
pub struct SiteFolder {
    /// Canonical.
    root: PathBuf,
}

impl SiteFolder {
    /// The folder at `root` (made canonical).
    pub fn new(root: &Path) -> std::io::Result<SiteFolder> {
        Ok(SiteFolder { root: std::fs::canonicalize(root)? })
    }

    /// The folder a `file:` URL names.
    pub fn of_url(root: &Url) -> Option<SiteFolder> {
        SiteFolder::new(&root.to_file_path().ok()?).ok()
    }

    /// The canonical file a `file:` URL names inside the folder: the URL's own path when that is
    /// inside, else (a root-relative reference, which a browser makes `file:///css/a.css`) the same
    /// path below the folder, as a web server would serve it. `file://host/…` (what a
    /// protocol-relative address becomes in a saved page) is a remote resource, never a file.
    pub fn file_for(&self, url: &Url) -> Result<PathBuf, String> {
        if url.scheme() != "file" || url.host_str().is_some_and(|h| !h.is_empty()) {
            return Err(format!("{url}: not a local file of the site"));
        }
        let path = url.to_file_path().map_err(|()| format!("{url}: not a local path"))?;
        let inside = |candidate: &Path| {
            std::fs::canonicalize(candidate).ok().filter(|c| c.starts_with(&self.root) && c.is_file())
        };
        if let Some(found) = inside(&path) {
            return Ok(found);
        }
        let below = path.strip_prefix("/").ok().map(|relative| self.root.join(relative));
        below.as_deref().and_then(inside).ok_or_else(|| format!("{url}: outside the site folder"))
    }

    /// Reads the file a `file:` URL names inside the folder, at most `cap` bytes.
    pub fn read(&self, url: &Url, cap: usize) -> Result<Vec<u8>, LoadFailure> {
        let path = self.file_for(url).map_err(|message| LoadFailure::new("outside_folder", message))?;
        read_capped(&path, cap)
    }
}

/// Pages of one local site read and handed on at once.
const PAGES_AT_ONCE: usize = 4;

/// Hands every page of a local site to the analysis stage, then reports the site complete.
pub async fn feed_site(site: LocalSite, feed: SiteFeed, max_body_bytes: usize) {
    let loader: Arc<dyn StylesheetLoader> = Arc::new(FolderLoader::new(site.root_url.clone(), max_body_bytes));
    for (folder, message) in &site.unreadable {
        let url = Url::from_file_path(folder).map_or_else(|()| folder.display().to_string(), |u| u.to_string());
        let failure = LoadFailure::new("read", format!("{}: {message}", folder.display()));
        feed.page(PageParts::failed(url.clone(), url, 0, failure), loader.clone(), false).await;
    }
    // A few pages at once: a rendered page waits on the browser, and the browser has several tabs.
    let site = &site;
    let (feed_ref, loader_ref) = (&feed, &loader);
    futures_util::stream::iter(site.pages.iter())
        .for_each_concurrent(PAGES_AT_ONCE, |path| async move {
            let (feed, loader) = (feed_ref, loader_ref);
            // An interrupted run reads no page more.
            if crate::interrupt::requested().is_some() {
                return;
            }
            let url = Url::from_file_path(path).map_or_else(|()| site.root_url.to_string(), |u| u.to_string());
            let relative = path.strip_prefix(&site.root).unwrap_or(path);
            let depth = relative.components().count().saturating_sub(1) as u32;
            let is_home = site.home.as_deref() == Some(path.as_path());
            let owned = path.clone();
            let content = tokio::task::spawn_blocking(move || read_capped(&owned, max_body_bytes))
                .await
                .unwrap_or_else(|e| Err(LoadFailure::new("read", format!("{}: {e}", path.display()))))
                .map(|bytes| Body::fetched(bytes, None));
            let parts = PageParts {
                url: url.clone(),
                requested_url: url,
                status: None,
                depth,
                referrer: None,
                is_home,
                site_root: Some(site.root_url.to_string()),
                content,
            };
            feed.page(parts, loader.clone(), false).await;
        })
        .await;
    feed.finish(Some(site.root_url.to_string()), site.skipped_by_limit).await;
}

/// Loads stylesheets from a local site folder. Root-relative references (`/css/a.css`) resolve
/// against the site folder; nothing outside the folder is read ([`SiteFolder`]), and remote
/// stylesheets are not fetched when checking local files.
pub struct FolderLoader {
    root_url: Url,
    /// `None` when the folder is gone: nothing is read.
    folder: Option<SiteFolder>,
    /// Largest stylesheet read, like the crawler's body cap.
    max_bytes: usize,
}

impl FolderLoader {
    pub fn new(root_url: Url, max_bytes: usize) -> Self {
        FolderLoader { folder: SiteFolder::of_url(&root_url), root_url, max_bytes }
    }
}

impl StylesheetLoader for FolderLoader {
    fn resolve(&self, base: &Url, href: &str) -> Option<Url> {
        let href = href.trim();
        if base.scheme() == "file" && href.starts_with('/') && !href.starts_with("//") {
            // As a web server would: `..` cannot climb above the site's root (`/../../x.css` is `/x.css`).
            let on_site = Url::parse("http://site.invalid/").ok()?.join(href).ok()?;
            return self.root_url.join(on_site.path().trim_start_matches('/')).ok();
        }
        base.join(href).ok()
    }

    fn load(&self, url: &Url) -> Result<Arc<[u8]>, LoadError> {
        if url.scheme() != "file" {
            return Err(LoadError::NotAllowed(format!("{url}: remote stylesheets are not fetched for local files")));
        }
        let Some(folder) = &self.folder else {
            return Err(LoadError::NotFound(format!("{url}: the site folder is gone")));
        };
        // Canonical paths, not the URL's text: `..%2f` and symbolic links cannot leave the folder.
        let path = folder.file_for(url).map_err(|message| {
            let exists = url.to_file_path().is_ok_and(|p| p.exists());
            if exists {
                LoadError::NotAllowed(message)
            } else {
                LoadError::NotFound(message)
            }
        })?;
        read_capped(&path, self.max_bytes).map(Arc::from).map_err(|failure| match failure.kind.as_str() {
            "read" => LoadError::NotFound(failure.message),
            _ => LoadError::Other(failure.message),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_references_resolve_against_the_site_folder() {
        let loader = FolderLoader::new(Url::parse("file:///srv/site/").expect("url"), 1024);
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

    #[test]
    fn stylesheets_outside_the_folder_are_not_read_however_the_path_is_spelt() {
        let loader = FolderLoader::new(Url::parse("file:///srv/site/").expect("url"), 1024);
        let page = Url::parse("file:///srv/site/a.html").expect("url");
        assert_eq!(
            loader.resolve(&page, "/../../etc/passwd").map(|u| u.to_string()),
            Some("file:///srv/site/etc/passwd".into()),
            "a root-relative reference stays in the site, as on a web server"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("css")).expect("mkdir");
        std::fs::write(site.join("css/ok.css"), "p{color:#333}").expect("write");
        std::fs::write(dir.path().join("secret.css"), "secret{}").expect("write");
        std::os::unix::fs::symlink(dir.path().join("secret.css"), site.join("link.css")).expect("symlink");
        std::os::unix::fs::symlink(dir.path(), site.join("up")).expect("symlink");
        let root = Url::from_directory_path(&site).expect("url");
        let loader = FolderLoader::new(root.clone(), 1024);
        let page = root.join("a.html").expect("url");
        let ok = loader.resolve(&page, "css/ok.css").expect("resolves");
        assert_eq!(loader.load(&ok).map(|b| b.to_vec()).ok(), Some(b"p{color:#333}".to_vec()));
        let secret = format!("file://{}", dir.path().join("secret.css").display());
        for href in [
            "../secret.css",
            "..%2fsecret.css",
            "/..%2fsecret.css",
            "css/..%2f..%2fsecret.css",
            "link.css",
            "up/secret.css",
            secret.as_str(),
        ] {
            let url = loader.resolve(&page, href).expect("resolves");
            assert!(loader.load(&url).is_err(), "{href} → {url} must not be read");
        }
    }

    #[test]
    fn devices_and_oversized_files_are_not_read() {
        assert!(read_capped(Path::new("/dev/zero"), 1024).is_err());
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("big.html");
        std::fs::write(&big, vec![b'a'; 2048]).expect("write");
        assert_eq!(read_capped(&big, 1024).map_err(|f| f.kind), Err("too_large".to_string()));
        assert_eq!(read_capped(&big, 4096).map(|b| b.len()), Ok(2048));
    }
}
