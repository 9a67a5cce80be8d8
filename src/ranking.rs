//! A batch's ranking and group statistics, decided once after the sites are assembled and kept with
//! the results (`summary.json`), so that report.json and the HTML index show the same order.
//!
//! Sites that passed come first, then sites that were checked but did not pass (a veto or a score
//! below the pass mark), each by score; a site that could not be fully checked has no rank and is
//! listed last. A higher score never puts a vetoed site above a site that passed.

use crate::score::SiteStatus;
use serde::{Deserialize, Serialize};

/// What ranking needs of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct RankInput {
    /// The site's position in the run.
    pub index: usize,
    pub group: Option<String>,
    pub score: Option<f64>,
    pub status: SiteStatus,
    pub passed: bool,
}

/// A site's place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub index: usize,
    /// 1 for the best; none for sites that were not fully checked.
    pub rank: Option<usize>,
}

/// One group of a batch (the `group` column of `--sites`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// None for sites without a group.
    pub group: Option<String>,
    pub sites: usize,
    /// Sites fully checked: pass rates and means are over these.
    pub checked: usize,
    pub passed: usize,
    /// Mean score of the checked sites; none when no site of the group was checked.
    pub mean_score: Option<f64>,
}

/// The run's ranking and totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Every site, best first.
    pub ranking: Vec<Ranked>,
    /// Groups in name order, sites without a group last; empty when no site has a group.
    pub groups: Vec<GroupSummary>,
    pub sites: usize,
    pub passed: usize,
    /// Checked and not passed.
    pub failed: usize,
    /// Not checked, or only partly.
    pub not_checked: usize,
}

impl RunSummary {
    /// The rank of the site at `index`.
    pub fn rank_of(&self, index: usize) -> Option<usize> {
        self.ranking.iter().find(|r| r.index == index).and_then(|r| r.rank)
    }
}

/// Ranks the sites and sums up their groups.
pub fn summarise(sites: &[RankInput]) -> RunSummary {
    let mut order: Vec<&RankInput> = sites.iter().collect();
    let class = |s: &RankInput| match (s.status, s.passed) {
        (SiteStatus::Checked, true) => 0,
        (SiteStatus::Checked, false) => 1,
        _ => 2,
    };
    order.sort_by(|a, b| {
        class(a)
            .cmp(&class(b))
            .then(b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)))
            .then(a.index.cmp(&b.index))
    });
    let ranking = order
        .iter()
        .enumerate()
        .map(|(place, s)| Ranked { index: s.index, rank: (s.status == SiteStatus::Checked).then_some(place + 1) })
        .collect();
    let mut groups: Vec<GroupSummary> = Vec::new();
    if sites.iter().any(|s| s.group.is_some()) {
        let mut names: Vec<Option<String>> = sites.iter().map(|s| s.group.clone()).collect();
        names.sort_by(|a, b| a.is_none().cmp(&b.is_none()).then(a.cmp(b)));
        names.dedup();
        for name in names {
            let members: Vec<&RankInput> = sites.iter().filter(|s| s.group == name).collect();
            let checked: Vec<&&RankInput> = members.iter().filter(|s| s.status == SiteStatus::Checked).collect();
            let scores: Vec<f64> = checked.iter().filter_map(|s| s.score).collect();
            groups.push(GroupSummary {
                group: name,
                sites: members.len(),
                checked: checked.len(),
                passed: checked.iter().filter(|s| s.passed).count(),
                mean_score: (!scores.is_empty())
                    .then(|| crate::score::round1(scores.iter().sum::<f64>() / scores.len() as f64)),
            });
        }
    }
    let passed = sites.iter().filter(|s| s.status == SiteStatus::Checked && s.passed).count();
    let not_checked = sites.iter().filter(|s| s.status != SiteStatus::Checked).count();
    RunSummary { ranking, groups, sites: sites.len(), passed, failed: sites.len() - passed - not_checked, not_checked }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(index: usize, score: f64, status: SiteStatus, passed: bool, group: Option<&str>) -> RankInput {
        RankInput { index, group: group.map(str::to_string), score: Some(score), status, passed }
    }

    #[test]
    fn sites_that_passed_rank_before_higher_scores_that_did_not() {
        // The regulator's batch: 86.5 vetoed, 79.5 passed, 90.1 only partly checked.
        let sites = [
            site(0, 86.5, SiteStatus::Checked, false, Some("省级")),
            site(1, 79.5, SiteStatus::Checked, true, Some("省级")),
            site(2, 90.1, SiteStatus::Incomplete, false, None),
            site(3, 40.0, SiteStatus::Checked, false, Some("市级")),
        ];
        let summary = summarise(&sites);
        let order: Vec<(usize, Option<usize>)> = summary.ranking.iter().map(|r| (r.index, r.rank)).collect();
        assert_eq!(order, [(1, Some(1)), (0, Some(2)), (3, Some(3)), (2, None)]);
        assert_eq!((summary.passed, summary.failed, summary.not_checked), (1, 2, 1));
        assert_eq!(summary.rank_of(0), Some(2));
        let group = |name: Option<&str>, sites, checked, passed, mean_score| GroupSummary {
            group: name.map(str::to_string),
            sites,
            checked,
            passed,
            mean_score,
        };
        let expected = [
            group(Some("市级"), 1, 1, 0, Some(40.0)),
            group(Some("省级"), 2, 2, 1, Some(83.0)),
            group(None, 1, 0, 0, None),
        ];
        assert_eq!(summary.groups, expected);
    }

    #[test]
    fn no_groups_without_a_group_column() {
        let summary = summarise(&[site(0, 50.0, SiteStatus::Checked, false, None)]);
        assert!(summary.groups.is_empty());
        assert_eq!(summary.rank_of(0), Some(1));
    }
}
