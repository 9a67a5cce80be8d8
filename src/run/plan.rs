//! A run's plan: everything that comes from validating a [`CheckRequest`], before anything is
//! fetched. A bad option, profile, baseline or site list stops the run here (exit 2); the pipeline
//! consumes the plan and only runs.

use super::targets::{compile_filters, targets, SiteSource};
use super::{CheckRequest, RunError};
use crate::baseline::{Acceptances, Baseline};
use crate::browser::{chromium, RenderSettings};
use crate::options::{Output, Problem, RenderMode, DEFAULT_MAX_PAGES};
use crate::policy::Policy;
use crate::rundir::SiteEntry;
use crate::settings::CheckSettings;
use crate::shard::{ListedSite, Shard, ShardInfo};
use crate::sources::crawl::fetch::FetchConfig;
use crate::sources::crawl::CrawlOptions;
use eldercheck_checks::check::Lang;
use eldercheck_checks::{Catalogue, Profile};
use std::time::Duration;

/// What a run will do, validated.
pub struct Plan {
    /// The settings the run was asked for (formats, output, language, store …).
    pub settings: CheckSettings,
    pub console_lang: Lang,
    pub profile: Profile,
    pub catalogue: Catalogue,
    pub policy: Policy,
    pub acceptances: Acceptances,
    pub crawl: CrawlOptions,
    pub sites: Vec<(SiteEntry, SiteSource)>,
    /// Targets that could not be used at all (missing files …): the caller says them before the run.
    pub problems: Vec<Problem>,
    /// Targets taken as web addresses because they were not files but looked like host names.
    pub guessed_urls: Vec<(String, String)>,
    /// How the site list was read (its encoding, header, bare hosts): message keys and values.
    pub notes: Vec<(&'static str, Vec<(&'static str, String)>)>,
    /// `--shard K/N`: this shard's part of the list, and what a merge needs to prove it belongs.
    pub shard: Option<ShardInfo>,
    /// How pages are rendered; `None` for static checks only.
    pub browser: Option<RenderSettings>,
    /// No Chromium was found and the run checks statically (the caller says so once).
    pub browser_missing: bool,
}

/// Validates `request` and works out what the run will do.
pub fn plan(request: CheckRequest) -> Result<Plan, RunError> {
    let CheckRequest { settings, config, console_lang } = request;
    validate(&settings)?;
    let usage = |e: &dyn std::fmt::Display| RunError::Usage(Problem::Other(e.to_string()));
    // A bad profile stops the run before anything is fetched.
    let mut profile = Profile::load(&settings.profile).map_err(|e| usage(&e))?;
    let config_file = config.file.as_ref().map(|f| f.display().to_string()).unwrap_or_default();
    profile.add_custom_checks(config.custom_checks.clone(), &config_file);
    let catalogue = Catalogue::for_profile(&profile).map_err(|e| usage(&e))?;
    let policy = Policy::new(&profile, &catalogue.info(), settings.fail_under);
    let file_baseline = settings.baseline.as_deref().map(Baseline::load).transpose().map_err(|e| usage(&e))?;
    let baseline = Baseline::merge(config.baseline.clone(), file_baseline);
    let acceptances = baseline.map(|b| b.in_force(&crate::baseline::today())).unwrap_or_default();
    let include = compile_filters(&settings.include, "--include")?;
    let exclude = compile_filters(&settings.exclude, "--exclude")?;
    let mut found = targets(&settings, &include, &exclude)?;
    let shard = match (settings.shard, found.list_digest.take()) {
        (Some(shard), Some(list_digest)) => Some(split_for_shard(&mut found.sites, shard, list_digest)),
        _ => None,
    };
    if found.sites.is_empty() && shard.is_none() {
        // The first problem is the one to show (a missing path, a typo); otherwise there was nothing at all.
        return Err(RunError::Usage(found.problems.into_iter().next().unwrap_or(Problem::NothingToCheck)));
    }
    let crawl = crawl_options(&settings, include, exclude);
    let (browser, browser_missing) = browser_settings(&settings)?;
    let shard = shard.map(|mut info| {
        info.options_digest = options_digest(&settings, &config, &profile, &policy, &catalogue);
        info
    });
    Ok(Plan {
        settings,
        console_lang,
        profile,
        catalogue,
        policy,
        acceptances,
        crawl,
        sites: found.sites,
        problems: found.problems,
        guessed_urls: found.guessed_urls,
        notes: found.notes,
        shard,
        browser,
        browser_missing,
    })
}

fn validate(s: &CheckSettings) -> Result<(), RunError> {
    let range = |name: &'static str, value: u64, low: u64, high: u64| {
        if (low..=high).contains(&value) {
            Ok(())
        } else {
            Err(RunError::Usage(Problem::Range { name, value: value.to_string(), low, high }))
        }
    };
    range("--concurrency", s.concurrency as u64, 1, 1024)?;
    range("--max-body-mib", s.max_body_mib as u64, 1, 1024)?;
    range("--page-budget-s", s.page_budget_s, 1, 3_600)?;
    range("--site-timeout-s", s.site_timeout_s, 1, 7 * 24 * 3_600)?;
    range("--delay-ms", s.delay_ms, 0, 600_000)?;
    range("--timeout-s", s.timeout_s, 1, 3_600)?;
    range("--retries", u64::from(s.retries), 0, 20)?;
    range("--max-depth", u64::from(s.max_depth), 0, 10_000)?;
    range("--render-timeout-s", s.render_timeout_s, 1, 3_600)?;
    range("--render-settle-ms", s.render_settle_ms, 0, 60_000)?;
    range("--render-memory-mib", s.render_memory_mib, 256, 1_048_576)?;
    if let Some(tabs) = s.render_tabs {
        range("--render-tabs", tabs as u64, 1, 64)?;
    }
    if let Some(max) = s.max_pages {
        range("--max-pages", max as u64, 1, 10_000_000)?;
    }
    if let Some(keep) = s.keep_runs {
        range("--keep-runs", keep as u64, 1, 1_000_000)?;
    }
    if let Some(mark) = s.fail_under {
        if !(0.0..=100.0).contains(&mark) {
            return Err(RunError::Usage(Problem::Range {
                name: "--fail-under",
                value: mark.to_string(),
                low: 0,
                high: 100,
            }));
        }
    }
    if s.out == Output::Stdout && !s.format.only_json() {
        return Err(RunError::Usage(Problem::OutStdout));
    }
    if s.shard.is_some() && (s.sites.is_none() || !s.targets.is_empty()) {
        return Err(RunError::Usage(Problem::ShardWithoutList));
    }
    Ok(())
}

/// Keeps this shard's sites, and notes every site of the list so that a merge can account for the
/// sites of a shard that never reported.
fn split_for_shard(sites: &mut Vec<(SiteEntry, SiteSource)>, shard: Shard, list_digest: String) -> ShardInfo {
    let list: Vec<ListedSite> = sites
        .iter()
        .map(|(entry, source)| {
            let url = match source {
                SiteSource::Crawl(url) => url.as_str(),
                SiteSource::Local(_) => entry.url.as_str(),
            };
            ListedSite {
                url: entry.url.clone(),
                name: entry.name.clone(),
                group: entry.group.clone(),
                shard: Shard::of(url, shard.count),
            }
        })
        .collect();
    let positions: Vec<usize> = (0..list.len()).filter(|i| list[*i].shard == shard.index).collect();
    let mut index = 0;
    sites.retain(|_| {
        index += 1;
        list[index - 1].shard == shard.index
    });
    ShardInfo { shard, list_digest, options_digest: String::new(), list, positions }
}

fn crawl_options(s: &CheckSettings, include: Vec<regex::Regex>, exclude: Vec<regex::Regex>) -> CrawlOptions {
    CrawlOptions {
        max_pages: s.max_pages.unwrap_or(DEFAULT_MAX_PAGES),
        max_depth: s.max_depth,
        respect_robots: !s.no_robots,
        include,
        exclude,
        fetch: FetchConfig {
            timeout: Duration::from_secs(s.timeout_s),
            max_body_bytes: s.max_body_mib * 1024 * 1024,
            retries: s.retries,
            delay: Duration::from_millis(s.delay_ms),
            concurrency: s.concurrency,
            ..FetchConfig::default()
        },
        site_timeout: Duration::from_secs(s.site_timeout_s),
    }
}

/// How this run renders pages: `None` for static checks only (with `true` when that is because no
/// Chromium was found). Without Chromium, `--render always` (or a `--chromium` that is not there) is
/// a usage error.
fn browser_settings(s: &CheckSettings) -> Result<(Option<RenderSettings>, bool), RunError> {
    let wanted = s.render;
    if wanted == Some(RenderMode::Never) {
        return Ok((None, false));
    }
    let found = chromium::find(s.chromium.as_deref()).filter(|path| path.is_file());
    let Some(path) = found else {
        if let Some(given) = &s.chromium {
            return Err(RunError::Usage(Problem::NoChromium(format!("--chromium {}", given.display()))));
        }
        if wanted == Some(RenderMode::Always) {
            return Err(RunError::Usage(Problem::NoChromium("--render always".into())));
        }
        return Ok((None, true));
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let viewport = s.viewport.0;
    Ok((
        Some(RenderSettings {
            mode: wanted.unwrap_or(RenderMode::Auto),
            chromium: path,
            tabs: s.render_tabs.unwrap_or(cores),
            page_timeout: Duration::from_secs(s.render_timeout_s),
            settle: Duration::from_millis(s.render_settle_ms),
            viewport: (viewport.width.round() as u32, viewport.height.round() as u32),
            screenshots: None,
            memory_budget: s.render_memory_mib.saturating_mul(1024 * 1024),
            max_body_bytes: s.max_body_mib * 1024 * 1024,
        }),
        false,
    ))
}

/// Settings that never change what a run finds: where and how the reports are written, what is
/// said on the console, which Chromium runs and with how many tabs, and which sites (the list has
/// its own digest).
const NOT_IN_DIGEST: &[&str] = &[
    "targets",
    "sites",
    "out",
    "format",
    "shard",
    "lang",
    "db",
    "no_db",
    "keep_runs",
    "open",
    "quiet",
    "verbose",
    "chromium",
    "render_tabs",
];

/// Every setting that changes what a run finds, as one digest: shards of one batch must agree on it.
fn options_digest(
    settings: &CheckSettings,
    config: &crate::config::Config,
    profile: &Profile,
    policy: &Policy,
    catalogue: &Catalogue,
) -> String {
    let mut values = match serde_json::to_value(settings) {
        Ok(serde_json::Value::Object(values)) => values,
        _ => serde_json::Map::new(),
    };
    values.retain(|key, _| !NOT_IN_DIGEST.contains(&key.as_str()));
    let ids: Vec<String> = catalogue.info().iter().map(|c| c.id.clone()).collect();
    let baseline_file =
        settings.baseline.as_ref().and_then(|f| std::fs::read(f).ok()).map(|b| crate::shard::sha256_hex(&b));
    let text = serde_json::json!({
        "settings": values,
        "profile": profile.name,
        "policy": policy,
        "checks": ids,
        "baseline_file": baseline_file,
        "config_baseline": format!("{:?}", config.baseline),
        "custom_checks": config.custom_checks.len(),
    })
    .to_string();
    crate::shard::sha256_hex(text.as_bytes())
}
