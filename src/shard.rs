//! Sharded batches: `check --sites LIST --shard K/N` checks the sites of LIST whose stable hash falls
//! in shard K (0-based, as Kubernetes' `JOB_COMPLETION_INDEX`) of N, and records in its results
//! folder what a merge needs to prove the shards belong together: the list's digest, the options'
//! digest, the tool version, and every site of the list with its shard. `merge` (src/merge.rs) then
//! builds the report one process would have written.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `--shard K/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// Most shards a batch may be split into.
pub const MAX_SHARDS: u32 = 10_000;

impl Shard {
    /// Parses `K/N` (0 ≤ K < N ≤ 10,000).
    pub fn parse(text: &str) -> Option<Shard> {
        let (index, count) = text.trim().split_once('/')?;
        let shard = Shard { index: index.trim().parse().ok()?, count: count.trim().parse().ok()? };
        (shard.count >= 1 && shard.count <= MAX_SHARDS && shard.index < shard.count).then_some(shard)
    }

    /// The shard a site belongs to: FNV-1a of its site key (host without `www.`, lower-cased; the
    /// line itself when it is not a URL), so that `www.a.gov.cn` and `https://a.gov.cn/` land together
    /// and the split never changes between runs or machines.
    pub fn of(site: &str, count: u32) -> u32 {
        let key = url::Url::parse(site.trim())
            .ok()
            .filter(|u| u.host_str().is_some())
            .map(|u| crate::net::scope::site_key(&u))
            .unwrap_or_else(|| site.trim().to_lowercase());
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in key.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        (hash % u64::from(count.max(1))) as u32
    }
}

impl std::str::FromStr for Shard {
    type Err = crate::options::Problem;

    fn from_str(text: &str) -> Result<Shard, Self::Err> {
        Shard::parse(text).ok_or_else(|| crate::options::Problem::BadShard(text.to_string()))
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One site of the whole list, with the shard that checks it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedSite {
    pub url: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub shard: u32,
}

/// What a shard's results folder records about the batch it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub shard: Shard,
    /// SHA-256 of the `--sites` file's bytes.
    pub list_digest: String,
    /// SHA-256 of every option that changes results (profile, policy, crawl limits, viewport …).
    pub options_digest: String,
    /// Every site of the list (duplicates merged), in list order, with its shard.
    pub list: Vec<ListedSite>,
    /// For each site of this shard's manifest, its position in `list`.
    pub positions: Vec<usize>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_stably() {
        assert_eq!(Shard::parse("2/4"), Some(Shard { index: 2, count: 4 }));
        for bad in ["4/4", "-1/4", "1/0", "x/2", "1", "1/10001"] {
            assert_eq!(Shard::parse(bad), None, "{bad}");
        }
        assert_eq!(Shard::of("https://www.a.gov.cn/", 7), Shard::of("http://a.gov.cn/zwgk/", 7), "one site, one shard");
        let spread: std::collections::HashSet<u32> =
            (0..200).map(|i| Shard::of(&format!("https://site{i}.gov.cn/"), 4)).collect();
        assert_eq!(spread.len(), 4, "sites spread over every shard");
    }
}
