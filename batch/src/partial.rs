//! A shard's partial result: one file, `DIR/shard-I-of-N.jsonl`, that says
//! what it is and holds its items.
//!
//! The first line is the [`Header`] (JSON): the job (input file and its
//! hashes, seed, days, warm-up, replications, the overrides given, what is
//! split, how many shards and items) and which shard and block of items
//! this is. Each further line is one item, `{"index": i, "item": ...}`, in
//! index order: a raw replication of a run (`sim_core::Replication`), or a
//! sweep's point result. Items are written losslessly (shortest
//! round-trip floats, read back exactly), so the merge summarises the
//! same numbers as a run on one machine.
//!
//! A partial is written to a temporary file in its directory and renamed,
//! so a file with the final name is complete.

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::shard::{Shard, Unit};

/// The version of this file layout; a merge refuses other versions.
pub const FORMAT: u32 = 1;

/// `--seed`, `--days` and `--replications` as given to the sharded
/// command (`None`: the input's own value). The merge applies them again
/// to rebuild the identical model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--days`.
    pub days: Option<u32>,
    /// `--replications`.
    pub replications: Option<u32>,
}

/// What every shard of one job shares: two partials belong together when
/// their jobs are equal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// [`FORMAT`] of the file.
    pub format: u32,
    /// The swapsim version that wrote it.
    pub swapsim: String,
    /// What is split: replications of a run, points of a sweep.
    pub unit: Unit,
    /// The input file (scenario of a run, sweep file of a sweep), absolute.
    pub input: PathBuf,
    /// SHA-256 of the input file's bytes, hex (as `sha256sum` prints it).
    pub input_sha256: String,
    /// SHA-256 of the resolved input (the model with the overrides applied,
    /// which covers files the input reads, such as site tables), hex.
    pub resolved_sha256: String,
    /// The overrides given on the command line.
    pub overrides: Overrides,
    /// Base seed, after the overrides.
    pub seed: u64,
    /// Days per replication, after the overrides.
    pub days: u32,
    /// Warm-up days.
    pub warmup_days: u32,
    /// Replications (of the run, or of each point), after the overrides.
    pub replications: u32,
    /// Shards in the job.
    pub shards: u32,
    /// Items in the job: replications of a run, points of a sweep.
    pub total: u32,
}

/// A partial's first line: its job, and which shard it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The job this shard belongs to.
    #[serde(flatten)]
    pub job: Job,
    /// This shard's index, `0..job.shards`.
    pub shard: u32,
    /// The first item this shard holds.
    pub first: u32,
    /// One past the last item this shard holds.
    pub end: u32,
}

/// A partial that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PartialError {
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Not a partial of this format, or cut short.
    #[error("{path}: not a swapsim shard file: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
}

/// SHA-256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a job computes with, after the overrides: the fields of a
/// [`Job`] that a run and a sweep both have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Base seed.
    pub seed: u64,
    /// Days per replication.
    pub days: u32,
    /// Warm-up days.
    pub warmup_days: u32,
    /// Replications (of the run, or of each point).
    pub replications: u32,
}

impl Job {
    /// The job of `shards` shards over `total` items of `unit`: `input` is
    /// the input file's absolute path and `input_bytes` its bytes,
    /// `resolved` a serialisation of everything the input resolves to
    /// (for a run, the model's JSON), so that a change of a file the input
    /// reads is caught too.
    // Each argument is a different fact of the job; a builder would only
    // rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        unit: Unit,
        input: PathBuf,
        input_bytes: &[u8],
        resolved: &[u8],
        overrides: Overrides,
        settings: Settings,
        shards: u32,
        total: u32,
    ) -> Job {
        Job {
            format: FORMAT,
            swapsim: env!("CARGO_PKG_VERSION").to_owned(),
            unit,
            input,
            input_sha256: sha256_hex(input_bytes),
            resolved_sha256: sha256_hex(resolved),
            overrides,
            seed: settings.seed,
            days: settings.days,
            warmup_days: settings.warmup_days,
            replications: settings.replications,
            shards,
            total,
        }
    }

    /// The job of a `run` of `model` (the overrides applied) read from
    /// `input` (absolute) with bytes `input_bytes`, split into `shards`
    /// blocks of replications.
    pub fn run(
        input: PathBuf,
        input_bytes: &[u8],
        model: &sim_core::Model,
        overrides: Overrides,
        shards: u32,
    ) -> Job {
        let resolved = serde_json::to_vec(model).expect("a model has string keys only");
        let settings = Settings {
            seed: model.seed,
            days: model.days,
            warmup_days: model.warmup_days,
            replications: model.replications,
        };
        Job::new(
            Unit::Replications,
            input,
            input_bytes,
            &resolved,
            overrides,
            settings,
            shards,
            model.replications,
        )
    }

    /// The header of `shard` of this job, with its block of items.
    pub fn header(&self, shard: Shard) -> Header {
        debug_assert_eq!(shard.count, self.shards);
        let block = shard.block(self.total);
        Header {
            job: self.clone(),
            shard: shard.index,
            first: block.start,
            end: block.end,
        }
    }
}

impl Header {
    /// This partial's shard.
    pub fn shard(&self) -> Shard {
        Shard {
            index: self.shard,
            count: self.job.shards,
        }
    }

    /// The items this partial holds.
    pub fn items(&self) -> Range<u32> {
        self.first..self.end
    }
}

/// One item line.
#[derive(Serialize)]
struct ItemOut<'a, T> {
    index: u32,
    item: &'a T,
}

/// One item line, read back.
#[derive(Deserialize)]
struct ItemIn<T> {
    index: u32,
    item: T,
}

/// Writes `header` and `items` (the header's block, in order) as
/// `dir/<shard file name>` through a temporary file and a rename, and
/// returns the path. `dir` is created if missing.
pub fn write<T: Serialize>(
    dir: &Path,
    header: &Header,
    items: &[T],
) -> Result<PathBuf, PartialError> {
    assert_eq!(
        items.len(),
        header.items().len(),
        "a partial holds exactly its block"
    );
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| PartialError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(header.shard().file_name());
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        header.shard().file_name(),
        std::process::id()
    ));
    let written = (|| -> io::Result<()> {
        let mut out = BufWriter::new(fs::File::create(&temp)?);
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        for (index, item) in header.items().zip(items) {
            serde_json::to_writer(&mut out, &ItemOut { index, item })?;
            out.write_all(b"\n")?;
        }
        out.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()?;
        fs::rename(&temp, &path)
    })();
    if let Err(source) = written {
        let _ = fs::remove_file(&temp);
        return Err(PartialError::Io { path, source });
    }
    remove_stale_temps(dir, &header.shard().file_name());
    Ok(path)
}

/// Removes what killed runs of the shard whose partial is `name` left in
/// `dir` (`.NAME.PID.tmp`): once the partial is written, any other
/// temporary file of it is a leftover (a second run of the same shard at
/// the same time would write the same bytes). Best effort: a file that
/// cannot be removed stays.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let pid = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"));
        if pid.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Longest header line read \[bytes\]: a header is a few hundred bytes;
/// `/dev/zero` or a file of one endless line given as a partial was read
/// until memory ran out.
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// The header of the partial at `path` (its first line only). A device,
/// pipe or socket is refused before reading.
pub fn read_header(path: &Path) -> Result<Header, PartialError> {
    let io_error = |source| PartialError::Io {
        path: path.to_owned(),
        source,
    };
    scenarios::file::check_regular(path, "shard's partial result").map_err(io_error)?;
    let file = fs::File::open(path).map_err(io_error)?;
    let mut line = String::new();
    BufReader::new(file)
        .take(MAX_HEADER_BYTES)
        .read_line(&mut line)
        .map_err(io_error)?;
    let invalid = |why: String| PartialError::Invalid {
        path: path.to_owned(),
        why,
    };
    if !line.ends_with('\n') && line.len() as u64 >= MAX_HEADER_BYTES {
        return Err(invalid(format!(
            "its first line is longer than {MAX_HEADER_BYTES} bytes: not a header"
        )));
    }
    let header: Header = serde_json::from_str(&line).map_err(|e| invalid(e.to_string()))?;
    if header.job.format != FORMAT {
        return Err(invalid(format!(
            "format {} (this swapsim reads format {FORMAT})",
            header.job.format
        )));
    }
    let count = header.job.shards;
    if count == 0
        || header.shard >= count
        || header.items() != header.shard().block(header.job.total)
    {
        return Err(invalid(format!(
            "shard {}/{count} with items {}..{} of {} is not a block of the job",
            header.shard, header.first, header.end, header.job.total
        )));
    }
    Ok(header)
}

/// The header and items of the partial at `path`, checked: one line per
/// item of the header's block, in order.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<(Header, Vec<T>), PartialError> {
    let header = read_header(path)?;
    let text = fs::read_to_string(path).map_err(|source| PartialError::Io {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |why: String| PartialError::Invalid {
        path: path.to_owned(),
        why,
    };
    let mut lines = text.lines().skip(1);
    let mut items = Vec::with_capacity(header.items().len());
    for index in header.items() {
        let line = lines
            .next()
            .ok_or_else(|| invalid(format!("item {index} is missing")))?;
        let read: ItemIn<T> =
            serde_json::from_str(line).map_err(|e| invalid(format!("item {index}: {e}")))?;
        if read.index != index {
            return Err(invalid(format!(
                "item {} where item {index} belongs",
                read.index
            )));
        }
        items.push(read.item);
    }
    if lines.next().is_some() {
        return Err(invalid("more lines than its items".to_owned()));
    }
    Ok((header, items))
}

/// Whether `dir` already holds `header`'s shard, finished: a partial with
/// exactly this header (same job, same shard). `--resume` skips the shard
/// then. Any other file there (another job's, an older format, damaged)
/// is not finished work.
pub fn finished(dir: &Path, header: &Header) -> bool {
    let path = dir.join(header.shard().file_name());
    path.is_file() && read_header(&path).is_ok_and(|found| found == *header)
}
