//! Which slice of a job a machine computes: shard `I` of `N`, given on the
//! command line (`--shard I/N`) or read from the cluster's environment
//! (`--shard env`), and the block of items (replications of a run, points
//! of a sweep) that it holds.
//!
//! Blocks are contiguous and balanced: shard `i` of `n` over `total` items
//! holds `[i·total/n, (i+1)·total/n)`, so shards differ by at most one item
//! and their blocks, in shard order, are `0..total`.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Most shards of one job: far more than any cluster array of this tool
/// would hold (Slurm's default `MaxArraySize` is 1001).
pub const MAX_SHARDS: u32 = 100_000;

/// The Slurm array task's index.
pub const SLURM_INDEX: &str = "SLURM_ARRAY_TASK_ID";
/// The number of tasks in the Slurm array.
pub const SLURM_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
/// The index of a Kubernetes Indexed Job's pod.
pub const K8S_INDEX: &str = "JOB_COMPLETION_INDEX";

/// Shard `index` of `count`, counted from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: u32,
    /// Shards in the job.
    pub count: u32,
}

/// What a job splits into shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// The replications of one `run`.
    Replications,
    /// The points of one `sweep`.
    Points,
}

impl Unit {
    /// `replications` or `points`.
    pub fn noun(self) -> &'static str {
        match self {
            Unit::Replications => "replications",
            Unit::Points => "points",
        }
    }
}

/// `--shard`: a given shard, or one to read from the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    /// `--shard I/N`.
    Given(Shard),
    /// `--shard env`: from Slurm's or Kubernetes' variables (see
    /// [`ShardSpec::resolve`]).
    Env,
}

/// A shard that cannot be: a usage error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// `--shard` is neither `I/N` nor `env`.
    #[error("expected I/N (shard I of N, counted from 0, as in 0/4) or env, not '{0}'")]
    Syntax(String),
    /// `I` is not below `N`, or `N` is 0 or too large.
    #[error("shard {index}/{count}: {why}")]
    OutOfRange {
        /// The index given.
        index: u64,
        /// The count given.
        count: u64,
        /// What is wrong.
        why: String,
    },
    /// `--shard env` found no index variable.
    #[error(
        "--shard env: neither {SLURM_INDEX} (a Slurm array task) nor {K8S_INDEX} \
         (a Kubernetes Indexed Job) is set"
    )]
    NoIndex,
    /// `--shard env` found both index variables.
    #[error(
        "--shard env: both {SLURM_INDEX} and {K8S_INDEX} are set; \
         pass --shard I/N to say which shard this is"
    )]
    TwoIndices,
    /// A variable is not a number.
    #[error("--shard env: {name}='{value}' is not a whole number")]
    NotANumber {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// `JOB_COMPLETION_INDEX` without `--shards N`, or Slurm's count
    /// unknown.
    #[error("--shard env: {name} is set but the number of shards is not known: pass --shards N")]
    NoCount {
        /// The index variable found.
        name: &'static str,
    },
    /// `--shards N` disagrees with `SLURM_ARRAY_TASK_COUNT`.
    #[error("--shard env: --shards {given} but {SLURM_COUNT}={slurm}")]
    CountMismatch {
        /// `--shards`.
        given: u32,
        /// The array's task count.
        slurm: u32,
    },
    /// More shards than items: some shards would hold nothing.
    #[error(
        "{count} shards for {total} {noun}: each shard must hold at least one; \
         pass at most {total} shards"
    )]
    TooMany {
        /// Shards asked for.
        count: u32,
        /// Items in the job.
        total: u32,
        /// What the items are.
        noun: &'static str,
    },
}

impl Shard {
    /// Shard `index` of `count`; `index < count <= MAX_SHARDS`.
    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        let out = |why: &str| ShardError::OutOfRange {
            index,
            count,
            why: why.to_owned(),
        };
        if count == 0 {
            return Err(out("a job has at least 1 shard"));
        }
        if count > u64::from(MAX_SHARDS) {
            return Err(out(&format!("at most {MAX_SHARDS} shards")));
        }
        if index >= count {
            return Err(out(&format!(
                "shards are counted from 0, so the index is at most {}",
                count - 1
            )));
        }
        // Both fit: count <= MAX_SHARDS.
        Ok(Shard {
            index: u32::try_from(index).expect("index < count <= MAX_SHARDS"),
            count: u32::try_from(count).expect("count <= MAX_SHARDS"),
        })
    }

    /// Every shard of a job of `count`, in order.
    pub fn all(count: u32) -> impl Iterator<Item = Shard> {
        (0..count).map(move |index| Shard { index, count })
    }

    /// The items of `total` that this shard holds (see the module docs).
    pub fn block(self, total: u32) -> Range<u32> {
        let at = |i: u32| {
            u32::try_from(u64::from(i) * u64::from(total) / u64::from(self.count))
                .expect("at most total")
        };
        at(self.index)..at(self.index + 1)
    }

    /// Refuses a job of `total` items split into more shards than items.
    pub fn check_fits(count: u32, total: u32, unit: Unit) -> Result<(), ShardError> {
        if count > total {
            return Err(ShardError::TooMany {
                count,
                total,
                noun: unit.noun(),
            });
        }
        Ok(())
    }

    /// The name of this shard's partial result in its directory:
    /// `shard-03-of-64.jsonl`, the index padded to the count's width so
    /// that names sort in shard order.
    pub fn file_name(self) -> String {
        let width = self.count.to_string().len();
        format!(
            "shard-{:0width$}-of-{}.jsonl",
            self.index,
            self.count,
            width = width
        )
    }
}

impl fmt::Display for Shard {
    /// `3/64`, as `--shard` takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for ShardSpec {
    type Err = ShardError;

    /// `I/N` or `env`.
    fn from_str(text: &str) -> Result<ShardSpec, ShardError> {
        if text == "env" {
            return Ok(ShardSpec::Env);
        }
        let syntax = || ShardError::Syntax(text.to_owned());
        let (index, count) = text.split_once('/').ok_or_else(syntax)?;
        let number = |s: &str| {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            // Too many digits for u64 is out of range, not a syntax error.
            Ok(s.parse::<u64>().unwrap_or(u64::MAX))
        };
        Shard::new(number(index)?, number(count)?).map(ShardSpec::Given)
    }
}

impl ShardSpec {
    /// The shard this process computes. `env` looks a variable up (the
    /// process environment in `swapsim`, a map in tests); `shards` is
    /// `--shards N`.
    ///
    /// With `env`: a Slurm array task (`SLURM_ARRAY_TASK_ID`) is shard
    /// `ID` of `SLURM_ARRAY_TASK_COUNT` (or of `--shards N`, which must
    /// agree); a pod of a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`)
    /// is shard `INDEX` of `--shards N`, which it needs, since Kubernetes
    /// does not tell a pod the number of completions. Both set, or
    /// neither, is an error: nothing is guessed.
    pub fn resolve(
        self,
        env: impl Fn(&str) -> Option<String>,
        shards: Option<u32>,
    ) -> Result<Shard, ShardError> {
        let shard = match self {
            ShardSpec::Given(shard) => return Ok(shard),
            ShardSpec::Env => shard_from_env(&env, shards)?,
        };
        Ok(shard)
    }
}

fn shard_from_env(
    env: &impl Fn(&str) -> Option<String>,
    shards: Option<u32>,
) -> Result<Shard, ShardError> {
    let number = |name: &'static str| -> Result<Option<u64>, ShardError> {
        match env(name) {
            None => Ok(None),
            Some(value) => value
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| ShardError::NotANumber { name, value }),
        }
    };
    match (number(SLURM_INDEX)?, number(K8S_INDEX)?) {
        (Some(_), Some(_)) => Err(ShardError::TwoIndices),
        (None, None) => Err(ShardError::NoIndex),
        (Some(index), None) => {
            let slurm = number(SLURM_COUNT)?;
            let count = match (slurm, shards) {
                (Some(slurm), Some(given)) if slurm != u64::from(given) => {
                    return Err(ShardError::CountMismatch {
                        given,
                        slurm: u32::try_from(slurm).unwrap_or(u32::MAX),
                    });
                }
                (Some(slurm), _) => slurm,
                (None, Some(given)) => u64::from(given),
                (None, None) => return Err(ShardError::NoCount { name: SLURM_INDEX }),
            };
            Shard::new(index, count)
        }
        (None, Some(index)) => {
            let count = shards.ok_or(ShardError::NoCount { name: K8S_INDEX })?;
            Shard::new(index, u64::from(count))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_every_item_once_in_order() {
        for total in [1, 5, 7, 64, 100] {
            for count in 1..=total.min(70) {
                let mut next = 0;
                for shard in Shard::all(count) {
                    let block = shard.block(total);
                    assert_eq!(block.start, next, "{shard} of {total}");
                    assert!(!block.is_empty(), "{shard} of {total}");
                    next = block.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn file_names_sort_in_shard_order() {
        let names: Vec<String> = Shard::all(12).map(Shard::file_name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names[3], "shard-03-of-12.jsonl");
    }
}
