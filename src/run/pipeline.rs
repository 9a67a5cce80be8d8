//! The pipeline of a run: sources → (browser) → analysis pool → assembly, until every site is in the
//! results folder. It only runs what the plan says; memory is bounded by the work in flight.

use super::targets::SiteSource;
use super::RunError;
use crate::analyze::{spawn_workers, Analysis, AnalysisEvent};
use crate::assemble::{Assembler, FinishedSite};
use crate::baseline::Acceptances;
use crate::browser::{RenderSettings, Renderer as Browser};
use crate::net::lookups::Lookups;
use crate::policy::Policy;
use crate::progress::ProgressReporter;
use crate::rundir::{RunDir, SiteEntry};
use crate::sources::crawl::{CrawlOptions, Crawler};
use crate::sources::local::feed_site;
use crate::sources::{Renderer, SiteFeed, SourceEvent};
use std::sync::Arc;

/// What the pipeline is given.
pub struct Stages {
    pub sites: Vec<(SiteEntry, SiteSource)>,
    pub crawl: CrawlOptions,
    pub analysis: Analysis,
    pub policy: Policy,
    pub acceptances: Acceptances,
    pub browser: Option<RenderSettings>,
    pub catalogue: Vec<eldercheck_checks::CheckInfo>,
    /// `--resolve` entries, for the run's name lookups.
    pub resolve: Vec<crate::options::Resolve>,
}

/// Runs the stages into `dir`; returns every site as it was finished.
pub fn run(stages: Stages, dir: &RunDir, progress: Arc<ProgressReporter>) -> Result<Vec<FinishedSite>, RunError> {
    let Stages { sites, crawl, analysis, policy, acceptances, browser, catalogue, resolve } = stages;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    progress.add_sites(sites.len());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Internal(format!("cannot start the async runtime: {e}")))?;
    // The run's own name lookups, shared by the crawler and the browser.
    let lookups = Arc::new(Lookups::new(resolve));
    let browser = browser.map(|settings| Arc::new(Browser::new(settings, lookups.clone(), progress.clone())));
    if let Some(browser) = browser.as_ref().filter(|b| b.mode() == crate::options::RenderMode::Always) {
        if let Err(why) = runtime.block_on(browser.start()) {
            let what = format!("--render always: Chromium could not start ({why})");
            return Err(RunError::Usage(crate::options::Problem::NoChromium(what)));
        }
    }
    let renderer = browser.map(|b| b as Arc<dyn Renderer>);
    let (source_sender, source_receiver) = tokio::sync::mpsc::channel::<SourceEvent>(2 * workers);
    let (analysis_sender, analysis_receiver) = std::sync::mpsc::sync_channel::<AnalysisEvent>(2 * workers);
    let handles = spawn_workers(workers, Arc::new(analysis), source_receiver, analysis_sender)
        .map_err(|e| RunError::Internal(format!("cannot start the analysis threads: {e}")))?;
    let entries: Vec<SiteEntry> = sites.iter().map(|(entry, _)| entry.clone()).collect();
    let count = entries.len();
    let assembler = Assembler::new(dir.clone(), policy, acceptances, entries, &catalogue, progress.clone());
    let assembly = std::thread::Builder::new()
        .name("assemble".into())
        .spawn(move || {
            let mut finished: Vec<FinishedSite> = Vec::with_capacity(count);
            let result = assembler.run(analysis_receiver, |site| finished.push(site));
            result.map(|()| finished)
        })
        .map_err(|e| RunError::Internal(format!("cannot start the assembly thread: {e}")))?;
    let sourcing = runtime.block_on(feed_sites(sites, crawl, lookups, renderer, source_sender, progress.clone()));
    // Every sender is gone once the sources are: the analysis threads drain the queue and stop. The
    // runtime lives until they have, because they fetch stylesheets on it.
    for handle in handles {
        let _ = handle.join();
    }
    let finished = assembly
        .join()
        .map_err(|_| RunError::Internal("the assembly thread failed".into()))?
        .map_err(RunError::Results)?;
    drop(runtime);
    progress.finish();
    sourcing?;
    Ok(finished)
}

/// Every site's source, at most `--concurrency` sites at once, each handing its pages to `sender`.
async fn feed_sites(
    sites: Vec<(SiteEntry, SiteSource)>,
    crawl: CrawlOptions,
    lookups: Arc<Lookups>,
    renderer: Option<Arc<dyn Renderer>>,
    sender: tokio::sync::mpsc::Sender<SourceEvent>,
    progress: Arc<ProgressReporter>,
) -> Result<(), RunError> {
    let needs_crawler = sites.iter().any(|(_, s)| matches!(s, SiteSource::Crawl(_)));
    let max_body = crawl.fetch.max_body_bytes;
    // Sites in progress at once: enough to keep every allowed request busy, few enough that their
    // frontiers stay small.
    let active_sites = crawl.fetch.concurrency.max(2);
    let crawler = if needs_crawler {
        Some(Arc::new(
            Crawler::new(crawl, lookups, tokio::runtime::Handle::current())
                .map_err(|e| RunError::Internal(format!("cannot start the crawler: {e}")))?,
        ))
    } else {
        None
    };
    let limiter = Arc::new(tokio::sync::Semaphore::new(active_sites));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (_, source)) in sites.into_iter().enumerate() {
        let feed = SiteFeed::new(index, sender.clone()).rendered_by(renderer.clone());
        let (limiter, crawler, progress) = (limiter.clone(), crawler.clone(), progress.clone());
        tasks.spawn(async move {
            match (source, crawler) {
                (SiteSource::Local(site), _) => {
                    let Ok(_permit) = limiter.acquire_owned().await else { return };
                    if crate::interrupt::requested().is_some() {
                        feed.finish(None, 0).await;
                        return;
                    }
                    progress.add_queued(site.pages.len() + site.unreadable.len());
                    feed_site(site, feed, max_body).await;
                }
                // A dead site is told so without taking a crawl slot.
                (SiteSource::Crawl(url), Some(crawler)) => {
                    crawler.crawl_if_reachable(&url, feed, progress.clone(), limiter).await
                }
                (SiteSource::Crawl(_), None) => feed.finish(None, 0).await,
            }
        });
    }
    drop(sender);
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            // The assembler finishes a site whose source failed with the pages that arrived.
            progress.notice("site_failed", &[("error", e.to_string())]);
        }
    }
    Ok(())
}
