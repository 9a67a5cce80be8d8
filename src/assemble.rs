//! Assembly: page results become site results as they arrive. Each page is checked against the
//! baseline, scored, folded into its site's tally and spilled to the results folder; a site whose
//! source is done and whose pages are all in is finished (scored, ordered, written) and leaves memory.

use crate::analyze::{AnalysisEvent, Analyzed};
use crate::baseline::Acceptances;
use crate::issues::IssueTally;
use crate::policy::Policy;
use crate::progress::ProgressReporter;
use crate::results::CheckOutcome;
use crate::rundir::{PageWriter, RunDir, RunDirError, SiteEntry, SiteRecord};
use crate::score::{page_score, SiteTally};
use crate::sources::SiteSourced;
use eldercheck_checks::check::{Message, Scope};
use eldercheck_checks::CheckInfo;
use std::sync::mpsc::Receiver;

/// A finished site, as the orchestrator hears of it (its record is in the results folder).
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedSite {
    pub index: usize,
    pub pages_checked: usize,
    /// What the batch's ranking needs of it.
    pub rank: crate::ranking::RankInput,
}

/// A site being assembled.
struct Building {
    pages: PageWriter,
    tally: SiteTally,
    issues: IssueTally,
    site_checks: Option<Vec<CheckOutcome>>,
    sourced: Option<SiteSourced>,
}

pub struct Assembler {
    dir: RunDir,
    policy: Policy,
    acceptances: Acceptances,
    sites: Vec<SiteEntry>,
    /// Site-level checks of the catalogue: they get a cant_tell outcome when the home page is missing.
    site_checks: Vec<CheckInfo>,
    building: Vec<Option<Building>>,
    finished: Vec<bool>,
    progress: std::sync::Arc<ProgressReporter>,
}

impl Assembler {
    pub fn new(
        dir: RunDir,
        policy: Policy,
        acceptances: Acceptances,
        sites: Vec<SiteEntry>,
        catalogue: &[CheckInfo],
        progress: std::sync::Arc<ProgressReporter>,
    ) -> Assembler {
        let count = sites.len();
        Assembler {
            dir,
            policy,
            acceptances,
            sites,
            site_checks: catalogue.iter().filter(|c| c.scope == Scope::Site && c.enabled).cloned().collect(),
            building: (0..count).map(|_| None).collect(),
            finished: vec![false; count],
            progress,
        }
    }

    /// Assembles everything `events` brings until it closes; `on_site` hears of each finished site.
    /// Sites whose source never reported completion (a crashed source) are finished with what arrived.
    pub fn run(
        mut self,
        events: Receiver<AnalysisEvent>,
        mut on_site: impl FnMut(FinishedSite),
    ) -> Result<(), RunDirError> {
        for event in events {
            let finished = match event {
                AnalysisEvent::Page(page) => self.page(*page)?,
                AnalysisEvent::SiteSourced(done) => self.sourced(done)?,
            };
            if let Some(site) = finished {
                on_site(site);
            }
        }
        for index in 0..self.sites.len() {
            if !self.finished[index] {
                self.building(index)?;
                on_site(self.finish(index)?);
            }
        }
        Ok(())
    }

    /// The site being assembled, started on its first page.
    fn building(&mut self, index: usize) -> Result<&mut Building, RunDirError> {
        let slot = &mut self.building[index];
        if slot.is_none() {
            let pages = self.dir.page_writer(index)?;
            let issues = IssueTally::new(&self.sites[index].url);
            *slot = Some(Building { pages, tally: SiteTally::default(), issues, site_checks: None, sourced: None });
        }
        slot.as_mut().ok_or_else(|| RunDirError::Invalid {
            path: self.dir.path().display().to_string(),
            message: format!("site {} is not being assembled", index + 1),
        })
    }

    fn page(&mut self, analyzed: Analyzed) -> Result<Option<FinishedSite>, RunDirError> {
        let Analyzed { site, mut page, site_checks } = analyzed;
        if site >= self.sites.len() || self.finished[site] {
            return Ok(None);
        }
        self.progress.page_done(&page.url, page.error.as_ref().map(|e| (e.kind.as_str(), e.message.as_str())));
        self.building(site)?;
        let Some(building) = self.building[site].as_mut() else { return Ok(None) };
        building.issues.assign(&mut page);
        for check in &mut page.checks {
            self.acceptances.apply(check, &page.url);
        }
        page.score = page_score(&page, &self.policy);
        building.tally.add(&page, &self.policy);
        building.issues.add_page(&page, &self.policy);
        building.pages.write(&page)?;
        if let Some(checks) = site_checks {
            building.site_checks = Some(checks);
        }
        self.finish_if_complete(site)
    }

    fn sourced(&mut self, done: SiteSourced) -> Result<Option<FinishedSite>, RunDirError> {
        let site = done.site;
        if site >= self.sites.len() || self.finished[site] {
            return Ok(None);
        }
        if let Some(url) = &done.url {
            self.sites[site].url = url.clone();
        }
        self.building(site)?.sourced = Some(done);
        self.finish_if_complete(site)
    }

    fn finish_if_complete(&mut self, site: usize) -> Result<Option<FinishedSite>, RunDirError> {
        let complete = self.building[site]
            .as_ref()
            .and_then(|b| b.sourced.as_ref().map(|s| s.pages <= b.pages.pages()))
            .unwrap_or(false);
        if complete {
            self.finish(site).map(Some)
        } else {
            Ok(None)
        }
    }

    fn finish(&mut self, index: usize) -> Result<FinishedSite, RunDirError> {
        let mut building = self.building[index].take().ok_or_else(|| RunDirError::Invalid {
            path: self.dir.path().display().to_string(),
            message: format!("site {} finished twice", index + 1),
        })?;
        self.finished[index] = true;
        let entry = &self.sites[index];
        let mut site_checks = building.site_checks.unwrap_or_else(|| {
            self.site_checks
                .iter()
                .map(|c| {
                    CheckOutcome::cant_tell(
                        &c.id,
                        "home-page-not-checked",
                        Message::new(
                            "首页未能检查，无法判断这一项。",
                            "The home page could not be checked, so this cannot be judged.",
                        ),
                    )
                })
                .collect()
        });
        building.issues.assign_site(&mut site_checks);
        for check in &mut site_checks {
            self.acceptances.apply(check, &entry.url);
        }
        let skipped = building.sourced.as_ref().map_or(0, |s| s.skipped_by_limit);
        if let Some(signal) = building.sourced.as_ref().and_then(|s| s.interrupted) {
            building.tally.interrupted(crate::interrupt::name(signal));
        }
        let (issues, not_listed) = building.issues.finish(&site_checks, &entry.url, &building.tally, &self.policy);
        let score = building.tally.finish(&site_checks, skipped, &self.policy);
        building.pages.finish(&self.dir)?;
        let verdict = Some(crate::verdict::verdict(&score, &issues, &self.policy));
        let record = SiteRecord {
            url: entry.url.clone(),
            name: entry.name.clone(),
            group: entry.group.clone(),
            score,
            site_checks,
            issues,
            issues_not_listed: not_listed.into_iter().collect(),
            trend: Vec::new(),
            changes: None,
            verdict,
        };
        self.dir.write_site(index, &record)?;
        self.progress.site_done();
        Ok(FinishedSite { index, pages_checked: record.score.summary.pages_checked, rank: record.rank_input(index) })
    }
}
