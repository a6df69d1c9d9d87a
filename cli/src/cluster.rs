//! `run --shard`, `sweep --shard`, `--emit` and `merge`: the glue between
//! the arguments and `batch`, which shards, checks, merges and writes the
//! job files.

use std::time::Instant;

use batch::emit::{Emit, Engine};
use batch::partial::{self, Job};
use batch::shard::{Shard, Unit};
use batch::sweep::{PointItem, PointResult};
use sim_core::Replication;

use crate::args::MergeArgs;
use crate::config::{RunConfig, SweepConfig, absolute, read_bytes};
use crate::error::Error;
use crate::streams::{Bar, Streams};
use crate::sweep::PointBar;
use crate::{Status, count, output, run, sweep};

/// `run --shard I/N --out DIR`: computes the shard's block of
/// replications and writes it as `DIR/shard-I-of-N.jsonl`, whose path it
/// prints. With `--resume`, a shard that `DIR` already holds, finished, for
/// the same job, is skipped.
pub(crate) fn run_shard(
    config: &RunConfig,
    shard: Shard,
    resume: bool,
    streams: &mut Streams<'_>,
) -> Result<Status, Error> {
    let dir = config.out.as_deref().expect("--shard requires --out");
    let model = &config.model;
    let input = absolute(&config.scenario)?;
    let bytes = read_bytes(&input)?;
    let job = Job::run(input, &bytes, model, config.overrides, shard.count);
    let header = job.header(shard);
    if skip_finished(dir, &header, resume, streams)? {
        return Ok(Status::Success);
    }
    let block = header.items();
    streams.say(format_args!(
        "running '{}': shard {shard}, replications {}..{} of {}, {} on {}",
        config.scenario.display(),
        block.start,
        block.end,
        model.replications,
        count(u64::from(model.days), "day"),
        count(crate::threads(config.threads) as u64, "thread"),
    ));
    let started = Instant::now();
    let bar = Bar::new(streams, block.len() as u64, model.days, "shard");
    let reps = sim_core::run_replications_with(model, config.threads, block, &bar);
    bar.clear();
    write_shard(dir, &header, &reps, started, streams)
}

/// Whether the shard of `header` is done already: with `resume`, when
/// `dir` holds it, finished, for the same job (its path is printed, as a
/// shard that ran prints it). Without `resume`, a file under its name is
/// an error, not overwritten.
fn skip_finished(
    dir: &std::path::Path,
    header: &partial::Header,
    resume: bool,
    streams: &mut Streams<'_>,
) -> Result<bool, Error> {
    let shard = header.shard();
    let path = dir.join(shard.file_name());
    if resume && partial::finished(dir, header) {
        streams.say(format_args!(
            "shard {shard}: {} already finished: skipped",
            path.display()
        ));
        streams.out(&format!("{}\n", path.display()))?;
        return Ok(true);
    }
    if path.exists() && !resume {
        return Err(Error::Usage(format!(
            "'{}' exists: pass --resume to keep it if it is this shard, finished",
            path.display()
        )));
    }
    Ok(false)
}

/// `sweep --shard I/N --out DIR`: computes the shard's block of points
/// and writes their results as `DIR/shard-I-of-N.jsonl`, whose path it
/// prints. With `--resume`, a shard that `DIR` already holds, finished,
/// for the same job, is skipped.
pub(crate) fn sweep_shard(
    config: &SweepConfig,
    shard: Shard,
    resume: bool,
    streams: &mut Streams<'_>,
) -> Result<Status, Error> {
    let dir = config.out.as_deref().expect("--shard requires --out");
    let sweep = &config.sweep;
    let input = absolute(&config.path)?;
    let bytes = read_bytes(&input)?;
    let job = sweep.job(input, &bytes, config.overrides, shard.count);
    let header = job.header(shard);
    if skip_finished(dir, &header, resume, streams)? {
        return Ok(Status::Success);
    }
    let block = header.items();
    streams.say(format_args!(
        "sweeping '{}': shard {shard}, points {}..{} of {}, on {}",
        config.path.display(),
        block.start,
        block.end,
        job.total,
        count(crate::threads(config.threads) as u64, "thread"),
    ));
    let started = Instant::now();
    let bar = PointBar(Bar::points(streams, block.len() as u64));
    let range = block.start as usize..block.end as usize;
    let items: Vec<PointItem> = sweep
        .run(range, config.threads, &bar)
        .into_iter()
        .map(PointItem::from)
        .collect();
    bar.0.clear();
    write_shard(dir, &header, &items, started, streams)
}

/// Writes a computed shard's `items` into `dir` and prints its path, as
/// `merge` and a scheduler's script expect.
fn write_shard<T: serde::Serialize>(
    dir: &std::path::Path,
    header: &partial::Header,
    items: &[T],
    started: Instant,
    streams: &mut Streams<'_>,
) -> Result<Status, Error> {
    let path = partial::write(dir, header, items)?;
    streams.say(format_args!(
        "wrote {} in {:.2} s",
        path.display(),
        started.elapsed().as_secs_f64()
    ));
    streams.out(&format!("{}\n", path.display()))?;
    Ok(Status::Success)
}

/// `run` or `sweep --emit slurm|k8s --shards N --out DIR`: writes the job
/// files into `DIR` and prints their paths and how to submit them.
/// `input` is the scenario or sweep file as given.
pub(crate) fn emit(
    input: &std::path::Path,
    out: Option<&std::path::Path>,
    engine: Engine,
    job: &Emit,
    streams: &mut Streams<'_>,
) -> Result<Status, Error> {
    let dir = out.expect("--emit requires --out");
    let mut text = String::new();
    for (name, contents) in job.files(engine) {
        output::write_atomically(dir, name, contents.as_bytes())?;
        let path = dir.join(name);
        if engine == Engine::Slurm {
            make_executable(&path)?;
        }
        text.push_str(&format!("{}\n", path.display()));
    }
    let next = match engine {
        Engine::Slurm => format!(
            "submit: sh {}",
            batch::emit::shell_quote(&dir.join(batch::emit::SLURM_FILE).to_string_lossy())
        ),
        Engine::Kubernetes => format!(
            "submit: kubectl apply -f {job}; kubectl wait --for=condition=complete --timeout=24h job/{name}-shards; kubectl apply -f {merge}",
            job = batch::emit::shell_quote(&dir.join(batch::emit::K8S_JOB_FILE).to_string_lossy()),
            merge =
                batch::emit::shell_quote(&dir.join(batch::emit::K8S_MERGE_FILE).to_string_lossy()),
            name = job.name,
        ),
    };
    streams.say(format_args!(
        "{} of '{}' for {}; the result will be in {}",
        count(u64::from(job.shards), "shard"),
        input.display(),
        match engine {
            Engine::Slurm => "Slurm",
            Engine::Kubernetes => "Kubernetes",
        },
        job.result_dir(),
    ));
    text.push_str(&next);
    text.push('\n');
    streams.out(&text)?;
    Ok(Status::Success)
}

/// `chmod a+x`-like: the owner's, group's and others' read bits become
/// execute bits too.
fn make_executable(path: &std::path::Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let write_error = |source| Error::WriteOut {
            path: path.to_owned(),
            source,
        };
        let mut permissions = std::fs::metadata(path).map_err(write_error)?.permissions();
        let mode = permissions.mode();
        permissions.set_mode(mode | ((mode & 0o444) >> 2));
        std::fs::set_permissions(path, permissions).map_err(write_error)?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `swapsim merge DIR... --out OUT`: checks that the shards are one job,
/// each shard exactly once, reloads the job's scenario or sweep file
/// (refusing one that changed), and writes what `run --out` (summarising
/// every replication in order) or `sweep --out` (every point in order) of
/// the whole job writes.
pub(crate) fn merge(args: MergeArgs, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let started = Instant::now();
    let gathered = batch::merge::gather(&args.shards)?;
    let job = &gathered.job;
    if job.unit == Unit::Points {
        return merge_sweep(&gathered, args, started, streams);
    }
    let config = RunConfig::for_merge(job, &partial_sizes(&gathered), args)?;
    let reps: Vec<Replication> = gathered.items()?;
    streams.say(format_args!(
        "merging {} of '{}': {}",
        count(u64::from(job.shards), "shard"),
        job.input.display(),
        count(reps.len() as u64, "replication"),
    ));
    let result = sim_core::summarise(&config.model, &reps);
    // As `run` does: the replications go before the files are written.
    drop(reps);
    streams.say(format_args!(
        "merged in {:.2} s",
        started.elapsed().as_secs_f64()
    ));
    run::finish(&config, &result, streams)
}

/// The sizes of the partials \[bytes\] (0 for one that cannot be
/// read now: reading it will say why), for the merge's estimate.
fn partial_sizes(gathered: &batch::merge::Gathered) -> Vec<u64> {
    gathered
        .files()
        .map(|path| std::fs::metadata(path).map_or(0, |m| m.len()))
        .collect()
}

/// `merge` of a sweep's shards: every point's result, in index order,
/// written as `sweep --out` writes them.
fn merge_sweep(
    gathered: &batch::merge::Gathered,
    args: MergeArgs,
    started: Instant,
    streams: &mut Streams<'_>,
) -> Result<Status, Error> {
    let job = &gathered.job;
    let config = SweepConfig::for_merge(job, &partial_sizes(gathered), args)?;
    let items: Vec<PointItem> = gathered.items()?;
    streams.say(format_args!(
        "merging {} of '{}': {}",
        count(u64::from(job.shards), "shard"),
        job.input.display(),
        count(items.len() as u64, "point"),
    ));
    let results: Vec<PointResult> = items.into_iter().map(PointResult::from).collect();
    let status = sweep::finish(&config, &results, streams)?;
    streams.say(format_args!(
        "merged in {:.2} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(status)
}
