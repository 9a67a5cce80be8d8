//! `eldercheck merge SHARD... --out DIR`: the shards of one batch (`check --sites LIST --shard K/N`)
//! become the report, ranking, report.json and stored run one process would have produced. Shards
//! must prove they belong together (same list, options, profile and tool version; each K once); a
//! shard that never reported is not silent: its sites are listed as not checked, naming the shard,
//! and the run exits 3.

use crate::analyze::{AnalysisEvent, Analyzed};
use crate::assemble::Assembler;
use crate::options::{Output, Problem, Verbosity};
use crate::progress::ProgressReporter;
use crate::results::{PageError, PageResult};
use crate::run::{publish, Publishing, RunError, RunOutcome};
use crate::rundir::{Manifest, RunDir, SiteEntry};
use crate::shard::{ShardInfo, MAX_SHARDS};
use crate::sources::SiteSourced;
use eldercheck_checks::check::Lang;
use std::path::{Path, PathBuf};

/// Most sites a merged batch may list (a regulator's list is a few thousand).
const MAX_LISTED_SITES: usize = 200_000;

/// What `merge` is asked to do.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    /// Shard output folders (`--out` of each shard) or their `results` folders.
    pub shards: Vec<PathBuf>,
    /// Where and how the merged reports and run go.
    pub publishing: Publishing,
    pub console_lang: Lang,
}

/// A shard's results folder with its manifest.
struct ShardResult {
    dir: RunDir,
    manifest: Manifest,
    info: ShardInfo,
}

fn open_shard(path: &Path) -> Result<ShardResult, RunError> {
    let folder = if path.join("run.json").is_file() { path.to_path_buf() } else { path.join("results") };
    let usage = |reason: String| RunError::Usage(Problem::Merge(reason));
    let dir = RunDir::open(&folder).map_err(|e| usage(e.to_string()))?;
    let manifest = dir.read_manifest().map_err(|e| usage(e.to_string()))?;
    let info = manifest
        .shard
        .clone()
        .ok_or_else(|| usage(format!("{} is not a shard's result (run with --shard K/N)", folder.display())))?;
    let named = |what: &str| usage(format!("{}: {what}", folder.join("run.json").display()));
    // A shard that names itself K of N with K ≥ N, or N = 0, is not a shard of any batch.
    if info.shard.count == 0 || info.shard.count > MAX_SHARDS || info.shard.index >= info.shard.count {
        return Err(named(&format!("the shard calls itself {}, which no batch has", info.shard)));
    }
    if info.list.len() > MAX_LISTED_SITES {
        return Err(named(&format!("its site list has {} sites, over {MAX_LISTED_SITES}", info.list.len())));
    }
    if info.positions.len() != manifest.sites.len() || info.positions.iter().any(|p| *p >= info.list.len()) {
        return Err(named("the shard's site list is inconsistent"));
    }
    // Each of its sites must be one the split gives to this shard, each once.
    let mut claimed = std::collections::HashSet::new();
    for position in &info.positions {
        if info.list[*position].shard != info.shard.index || !claimed.insert(*position) {
            return Err(named(&format!("it claims site {} of the list, which is not its own", position + 1)));
        }
    }
    Ok(ShardResult { dir, manifest, info })
}

/// Checks that every shard belongs to the batch of the first; returns the shard count.
fn same_batch(shards: &[ShardResult]) -> Result<u32, RunError> {
    let first = shards.first().ok_or_else(|| RunError::Usage(Problem::Merge("no shard results given".into())))?;
    let differs = |what: &str, shard: &ShardResult| {
        RunError::Usage(Problem::Merge(format!(
            "shard {} differs from shard {} in {what}: they are not one batch",
            shard.info.shard, first.info.shard
        )))
    };
    let mut seen = vec![false; first.info.shard.count as usize];
    for shard in shards {
        if shard.info.shard.count != first.info.shard.count {
            return Err(differs("the number of shards", shard));
        }
        if shard.info.list_digest != first.info.list_digest || shard.info.list != first.info.list {
            return Err(differs("the site list", shard));
        }
        if shard.info.options_digest != first.info.options_digest {
            return Err(differs("options or profile", shard));
        }
        if shard.manifest.tool != first.manifest.tool || shard.manifest.profile != first.manifest.profile {
            return Err(differs("tool version or profile", shard));
        }
        if shard.manifest.policy != first.manifest.policy || shard.manifest.catalogue != first.manifest.catalogue {
            return Err(differs("scoring policy or checks", shard));
        }
        let slot = &mut seen[shard.info.shard.index as usize];
        if *slot {
            return Err(RunError::Usage(Problem::Merge(format!("shard {} is given twice", shard.info.shard))));
        }
        *slot = true;
    }
    Ok(first.info.shard.count)
}

/// Merges shard results into one batch report and one stored run.
pub fn merge(request: &MergeRequest) -> Result<RunOutcome, RunError> {
    let shards = request.shards.iter().map(|p| open_shard(p)).collect::<Result<Vec<_>, _>>()?;
    let count = same_batch(&shards)?;
    let first = &shards[0];
    let list = &first.info.list;
    let out = match &request.publishing.out {
        Output::Dir(dir) => dir.clone(),
        Output::Stdout => std::env::temp_dir().join(format!("eldercheck-merge-{}", std::process::id())),
    };
    refuse_a_shards_own_folder(&out, &shards)?;
    let merged = RunDir::create(&out.join("results"))?;
    let manifest = Manifest {
        generated_at: crate::rundir::now_rfc3339(),
        sites: list
            .iter()
            .map(|s| SiteEntry { url: s.url.clone(), name: s.name.clone(), group: s.group.clone() })
            .collect(),
        shard: None,
        ..first.manifest.clone()
    };
    merged.write_manifest(&manifest)?;
    // Every site a shard reported, at its place in the list; a damaged site is listed as not checked
    // with what is wrong and in which file, and the merge goes on.
    let mut reported = vec![false; list.len()];
    let mut damaged: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    for shard in &shards {
        merged.copy_screens_from(&shard.dir)?;
        for (local, position) in shard.info.positions.iter().enumerate() {
            if shard.dir.has_site(local) {
                match merged.copy_site_checked(&shard.dir, local, *position) {
                    Ok(()) => reported[*position] = true,
                    Err(why) => {
                        damaged.insert(
                            *position,
                            format!("shard {}'s result for this site is damaged: {why}", shard.info.shard),
                        );
                    }
                }
            }
        }
    }
    // Sites of shards that never reported (or sites a shard lost) are not checked, and say why.
    let present: Vec<u32> = shards.iter().map(|s| s.info.shard.index).collect();
    let missing: Vec<usize> = (0..list.len()).filter(|i| !reported[*i]).collect();
    if !missing.is_empty() {
        let scratch = tempfile_dir(&out)?;
        let entries: Vec<SiteEntry> = missing.iter().map(|i| manifest.sites[*i].clone()).collect();
        let progress = std::sync::Arc::new(ProgressReporter::new(Verbosity::Quiet, request.console_lang));
        let assembler = Assembler::new(
            scratch.clone(),
            first.manifest.policy.clone(),
            crate::baseline::Acceptances::default(),
            entries.clone(),
            &first.manifest.catalogue,
            progress,
        );
        let (sender, receiver) = std::sync::mpsc::channel();
        for (local, position) in missing.iter().enumerate() {
            let site = &list[*position];
            let why = if let Some(damage) = damaged.remove(position) {
                damage
            } else if present.contains(&site.shard) {
                format!("shard {}/{count} did not report this site", site.shard)
            } else {
                format!("shard {}/{count} produced no results (missing, failed or still running)", site.shard)
            };
            let mut page = PageResult::new(site.url.clone(), site.url.clone(), None, 0);
            page.error = Some(PageError { kind: "shard_missing".into(), message: why });
            let _ = sender.send(AnalysisEvent::Page(Box::new(Analyzed { site: local, page, site_checks: None })));
            let sourced = SiteSourced { site: local, url: None, pages: 1, skipped_by_limit: 0, interrupted: None };
            let _ = sender.send(AnalysisEvent::SiteSourced(sourced));
        }
        drop(sender);
        assembler.run(receiver, |_| ())?;
        for (local, position) in missing.iter().enumerate() {
            merged.copy_site_from(&scratch, local, *position)?;
        }
        let _ = std::fs::remove_dir_all(scratch.path());
    }
    // The ranking of the whole batch, as one process would have decided it.
    let summary = merged.read_summary(list.len())?;
    merged.write_summary(&summary)?;
    let (sites, store_notices) = publish(&merged, &manifest, &request.publishing)?;
    if request.publishing.out == Output::Stdout {
        let _ = std::fs::remove_dir_all(&out);
    }
    Ok(RunOutcome {
        sites,
        results: out.join("results"),
        pass_mark: manifest.policy.pass_mark,
        expired_acceptances: 0,
        store_notices,
    })
}

/// `--out` may not be (or hold, or lie inside) a shard's own results: writing the merged folder would
/// delete them.
fn refuse_a_shards_own_folder(out: &Path, shards: &[ShardResult]) -> Result<(), RunError> {
    let absolute =
        |p: &Path| std::fs::canonicalize(p).or_else(|_| std::path::absolute(p)).unwrap_or_else(|_| p.to_path_buf());
    let target = absolute(&out.join("results"));
    for shard in shards {
        let folder = absolute(shard.dir.path());
        if target == folder || target.starts_with(&folder) || folder.starts_with(&target) {
            return Err(RunError::Usage(Problem::Merge(format!(
                "--out {} would overwrite the results of shard {} ({}); write the merged report elsewhere",
                out.display(),
                shard.info.shard,
                folder.display()
            ))));
        }
    }
    Ok(())
}

/// A scratch results folder beside the merged one.
fn tempfile_dir(out: &Path) -> Result<RunDir, RunError> {
    Ok(RunDir::create(&out.join(format!(".merge-scratch-{}", std::process::id())))?)
}
