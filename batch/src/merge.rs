//! `swapsim merge`: gathers the partials of one job, checks that they are
//! every shard exactly once, and returns their items in order.
//!
//! What is merged is raw items (replications or points), not finished
//! means: the caller summarises them exactly as the one-machine command
//! does, so the result is byte-identical to it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::partial::{self, Header, Job, PartialError};
use crate::shard::{Shard, Unit};

/// The partials of one job, one per shard, in shard order.
#[derive(Clone, Debug)]
pub struct Gathered {
    /// The job they share.
    pub job: Job,
    /// Each shard's partial file and header, in shard order.
    pub parts: Vec<(PathBuf, Header)>,
}

/// Why partials do not merge. Every one is fatal; the CLI exits 2.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A partial or directory cannot be read, or is not a partial.
    #[error(transparent)]
    Partial(#[from] PartialError),
    /// No partial found.
    #[error("no shard files (shard-*.jsonl) in {}", list(.0))]
    Empty(Vec<PathBuf>),
    /// A partial of another job among them.
    #[error("{0}")]
    Foreign(Box<ForeignShard>),
    /// One shard twice.
    #[error("shard {shard} is given twice: {} and {}", .first.display(), .second.display())]
    Duplicate {
        /// The shard.
        shard: Shard,
        /// One file.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// Shards missing.
    #[error(
        "{} of {count} shards missing: {}",
        .missing.len(),
        .missing.iter().map(|m| format!("{m}")).collect::<Vec<_>>().join(", ")
    )]
    Missing {
        /// Shards in the job.
        count: u32,
        /// The missing shards, each with its items.
        missing: Vec<MissingShard>,
    },
    /// The shards were written by another swapsim version, whose numbers
    /// may differ from this one's.
    #[error(
        "the shards were written by swapsim {shards}, this is swapsim {this}: \
         merge them with that version, or run them again with this one"
    )]
    Version {
        /// The shards' version.
        shards: String,
        /// This version.
        this: String,
    },
    /// The input changed since the shards ran.
    #[error(
        "{}: changed since the shards ran ({what} was sha256 {expected}, is {found}); \
         merge with the input the shards ran, or run the shards again",
        .input.display()
    )]
    InputChanged {
        /// The input file.
        input: PathBuf,
        /// What changed: the file, or what it resolves to.
        what: &'static str,
        /// The hash in the partials.
        expected: String,
        /// The hash now.
        found: String,
    },
}

/// A partial of another job than the first one given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignShard {
    /// The odd shard.
    pub shard: Shard,
    /// Its file.
    pub path: PathBuf,
    /// The first field that differs.
    pub field: &'static str,
    /// Its value there.
    pub found: String,
    /// The value in the first partial.
    pub expected: String,
    /// The first partial's shard.
    pub first_shard: Shard,
    /// The first partial's file.
    pub first_path: PathBuf,
}

impl std::fmt::Display for ForeignShard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "shard {} ({}) belongs to another job: its {} is {}, not {} as in shard {} ({})",
            self.shard,
            self.path.display(),
            self.field,
            self.found,
            self.expected,
            self.first_shard,
            self.first_path.display()
        )
    }
}

/// A shard that no partial holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingShard {
    /// The shard.
    pub shard: Shard,
    /// Its items.
    pub first: u32,
    /// One past its last item.
    pub end: u32,
    /// What its items are.
    pub unit: Unit,
}

impl std::fmt::Display for MissingShard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "shard {} ({} {}..{}, file {})",
            self.shard,
            self.unit.noun(),
            self.first,
            self.end,
            self.shard.file_name()
        )
    }
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The partial files that `paths` name: each directory's `shard-*.jsonl`
/// files (in name order), and each file as given.
pub fn partial_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, MergeError> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = fs::read_dir(path).map_err(|source| PartialError::Io {
            path: path.clone(),
            source,
        })?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| PartialError::Io {
                path: path.clone(),
                source,
            })?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("shard-") && name.ends_with(".jsonl") {
                found.push(entry.path());
            }
        }
        found.sort();
        files.extend(found);
    }
    if files.is_empty() {
        return Err(MergeError::Empty(paths.to_vec()));
    }
    Ok(files)
}

/// Reads the headers of the partials that `paths` name (see
/// [`partial_files`]) and checks that they are one job, every shard
/// exactly once. Reads no items. The caller merges by the job's
/// [`Job::unit`]: replications of a run, points of a sweep.
pub fn gather(paths: &[PathBuf]) -> Result<Gathered, MergeError> {
    let files = partial_files(paths)?;
    let mut headers = Vec::with_capacity(files.len());
    for file in files {
        let header = partial::read_header(&file)?;
        headers.push((file, header));
    }
    let (first_path, first) = headers[0].clone();
    for (path, header) in &headers {
        if let Some((field, found, expected)) = difference(&header.job, &first.job) {
            return Err(MergeError::Foreign(Box::new(ForeignShard {
                shard: header.shard(),
                path: path.clone(),
                field,
                found,
                expected,
                first_shard: first.shard(),
                first_path,
            })));
        }
    }
    let mut by_shard: BTreeMap<u32, (PathBuf, Header)> = BTreeMap::new();
    for (path, header) in headers {
        if let Some((seen, _)) = by_shard.get(&header.shard) {
            return Err(MergeError::Duplicate {
                shard: header.shard(),
                first: seen.clone(),
                second: path,
            });
        }
        by_shard.insert(header.shard, (path, header));
    }
    let job = first.job;
    let missing: Vec<MissingShard> = Shard::all(job.shards)
        .filter(|s| !by_shard.contains_key(&s.index))
        .map(|shard| {
            let block = shard.block(job.total);
            MissingShard {
                shard,
                first: block.start,
                end: block.end,
                unit: job.unit,
            }
        })
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            count: job.shards,
            missing,
        });
    }
    Ok(Gathered {
        job,
        parts: by_shard.into_values().collect(),
    })
}

/// The first field in which `job` differs from `first`, with both values:
/// the settings a user reads first, the hashes last.
fn difference(job: &Job, first: &Job) -> Option<(&'static str, String, String)> {
    let pairs: [(&'static str, String, String); 13] = [
        ("format", job.format.to_string(), first.format.to_string()),
        (
            "swapsim version",
            job.swapsim.clone(),
            first.swapsim.clone(),
        ),
        ("unit", job.unit.noun().into(), first.unit.noun().into()),
        (
            "input",
            job.input.display().to_string(),
            first.input.display().to_string(),
        ),
        ("seed", job.seed.to_string(), first.seed.to_string()),
        ("days", job.days.to_string(), first.days.to_string()),
        (
            "warm-up days",
            job.warmup_days.to_string(),
            first.warmup_days.to_string(),
        ),
        (
            "replications",
            job.replications.to_string(),
            first.replications.to_string(),
        ),
        (
            "overrides",
            format!("{:?}", job.overrides),
            format!("{:?}", first.overrides),
        ),
        (
            "shard count",
            job.shards.to_string(),
            first.shards.to_string(),
        ),
        ("item count", job.total.to_string(), first.total.to_string()),
        (
            "input sha256",
            job.input_sha256.clone(),
            first.input_sha256.clone(),
        ),
        (
            "resolved input sha256",
            job.resolved_sha256.clone(),
            first.resolved_sha256.clone(),
        ),
    ];
    pairs.into_iter().find(|(_, a, b)| a != b)
}

/// Refuses a merge whose input changed since the shards ran, or whose
/// shards another swapsim version wrote: `now` is the job as rebuilt from
/// the input today by this version, `gathered` the partials' job.
pub fn check_input(gathered: &Job, now: &Job) -> Result<(), MergeError> {
    let changed = |what, expected: &str, found: &str| MergeError::InputChanged {
        input: gathered.input.clone(),
        what,
        expected: expected.to_owned(),
        found: found.to_owned(),
    };
    if gathered.swapsim != now.swapsim {
        return Err(MergeError::Version {
            shards: gathered.swapsim.clone(),
            this: now.swapsim.clone(),
        });
    }
    if gathered.input_sha256 != now.input_sha256 {
        return Err(changed(
            "the file",
            &gathered.input_sha256,
            &now.input_sha256,
        ));
    }
    if gathered.resolved_sha256 != now.resolved_sha256 {
        return Err(changed(
            "what it resolves to (with the files it reads and the overrides)",
            &gathered.resolved_sha256,
            &now.resolved_sha256,
        ));
    }
    Ok(())
}

impl Gathered {
    /// Every item of the job, in index order (partials read in parallel).
    pub fn items<T: DeserializeOwned + Send>(&self) -> Result<Vec<T>, MergeError> {
        let parts: Vec<Vec<T>> = self
            .parts
            .par_iter()
            .map(|(path, header)| {
                let (found, items) = partial::read::<T>(path)?;
                if found != *header {
                    return Err(PartialError::Invalid {
                        path: path.clone(),
                        why: "changed while it was merged".to_owned(),
                    });
                }
                Ok(items)
            })
            .collect::<Result<_, PartialError>>()?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// The partial files, in shard order.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.parts.iter().map(|(path, _)| path.as_path())
    }
}
