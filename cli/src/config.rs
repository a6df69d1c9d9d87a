//! The second layer: each command's configuration, resolved once from the
//! raw arguments. Scenarios are loaded and the overrides applied here, so
//! every inconsistency is reported before anything runs.

use std::path::{Path, PathBuf};

use scenarios::Diagnostic;
use sim_core::Model;

use batch::shard::{Shard, ShardSpec, Unit};

use crate::args::{
    ClusterArgs, CompareArgs, EmitEngine, Format, HtmlArgs, ImportSurveyArgs, Lang, MergeArgs,
    Overrides, PlanArgs, PlanFormat, ReportArgs, RunArgs, SweepArgs,
};
use crate::error::{Error, WrongFile};
use crate::streams::Streams;

/// The environment variable that names the `--png` font when `--font` is
/// not given.
pub(crate) const FONT_ENV: &str = "SWAPSIM_FONT";

/// Everything `swapsim run` needs, checked.
#[derive(Debug)]
pub(crate) struct RunConfig {
    /// The scenario path as the user wrote it.
    pub(crate) scenario: PathBuf,
    /// The scenario's model with the command-line overrides applied.
    pub(crate) model: Model,
    /// The comments beside the scenario's keys: the sources of its values.
    pub(crate) comments: scenarios::Comments,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: Format,
    /// Directory to write the result files into; empty or new unless
    /// `--force` was given.
    pub(crate) out: Option<PathBuf>,
    /// The `--html` report and the language and format of the charts.
    pub(crate) reports: Reports,
    /// Whether to compare the KPIs with the scenario's targets (the
    /// scenario has some).
    pub(crate) check: bool,
    /// Whether the table shows every site of a large run.
    pub(crate) all_sites: bool,
    /// The scenario's implausible values.
    pub(crate) warnings: Warnings,
    /// `--seed`, `--days` and `--replications` as given, for a shard's
    /// partial result and the merge.
    pub(crate) overrides: batch::partial::Overrides,
    /// The whole run, one shard of it, or the job files for a cluster.
    pub(crate) mode: RunMode,
}

/// What `swapsim run` (or `sweep`) does with the scenario (or sweep file).
#[derive(Debug)]
pub(crate) enum RunMode {
    /// Every replication (or point), here.
    Whole,
    /// `--shard`: one block of replications (or points) into `--out DIR`.
    Shard {
        /// The shard, resolved (from the environment for `--shard env`).
        shard: batch::shard::Shard,
        /// `--resume`: skip it if `--out DIR` holds it, finished.
        resume: bool,
    },
    /// `--emit`: the cluster job files into `--out DIR`.
    Emit {
        /// The engine to write for.
        engine: batch::emit::Engine,
        /// The job, with the paths the nodes see.
        job: batch::emit::Emit,
    },
}

/// Fewest replications behind an interval that `run --check`, `plan`,
/// `backtest` and `calibrate --check` judge by: with one, Student-t has no degrees of freedom and the
/// interval collapses to the mean.
pub(crate) const MIN_CHECKED_REPLICATIONS: u32 = 2;

impl RunConfig {
    /// Loads the scenario and applies `--seed`, `--replications` and `--days`.
    pub(crate) fn resolve(args: RunArgs) -> Result<RunConfig, Error> {
        let loaded = load(&args.scenario)?;
        let warnings = Warnings::new(loaded.warnings, &args.warnings);
        let (mut model, comments) = (loaded.model, loaded.comments);
        apply(&mut model, &args.overrides, &args.scenario)?;
        if args.check && !model.targets.any() {
            return Err(Error::NoTargets {
                scenario: args.scenario,
                command: "run --check",
            });
        }
        if args.check && model.replications < MIN_CHECKED_REPLICATIONS {
            return Err(Error::TooFewReplications {
                scenario: args.scenario,
                command: "run --check",
                replications: model.replications,
                hint: "pass --replications 2 or more, or set the scenario's `replications`",
            });
        }
        let overrides = batch::partial::Overrides {
            seed: args.overrides.seed,
            days: args.overrides.days,
            replications: args.overrides.replications,
        };
        let whole = if args.check {
            Some("--check")
        } else if args.html.html.is_some() {
            Some("--html")
        } else {
            None
        };
        check_split(&args.cluster, whole, "run")?;
        let shard = resolve_shard(&args.cluster, model.replications, Unit::Replications)?;
        // Emitting runs nothing here: the shards run on the cluster's
        // nodes. A shard is judged by its own block of replications.
        if args.cluster.emit.is_none() {
            crate::limits::check_run(
                &args.scenario,
                &model,
                shard,
                args.threads.n,
                &args.threads.limits,
            )?;
        }
        let reports = Reports::resolve(args.html)?;
        let (mode, out) = split_mode(
            &args.cluster,
            shard,
            SplitJob {
                command: "run",
                input: &args.scenario,
                overrides: &args.overrides,
                threads: args.threads.n,
                total: model.replications,
                unit: Unit::Replications,
            },
            args.out,
            args.force,
        )?;
        Ok(RunConfig {
            scenario: args.scenario,
            model,
            comments,
            threads: args.threads.n,
            format: args.format,
            // The font first: a missing one leaves no --out directory behind.
            reports,
            out,
            check: args.check,
            all_sites: args.all_sites,
            warnings,
            overrides,
            mode,
        })
    }

    /// The configuration that `swapsim merge` writes its result with: as
    /// `run` of the shards' scenario (`job.input`) with their overrides,
    /// writing `--out` and stdout as `run` does. Refuses a scenario that
    /// changed since the shards ran, and a merge whose estimate (every
    /// replication read back from `partials`, their sizes in bytes) is
    /// past `--max-memory`.
    pub(crate) fn for_merge(
        job: &batch::partial::Job,
        partials: &[u64],
        args: MergeArgs,
    ) -> Result<RunConfig, Error> {
        let scenario = job.input.clone();
        let loaded = load(&scenario)?;
        let (mut model, comments) = (loaded.model, loaded.comments);
        let given = Overrides {
            seed: job.overrides.seed,
            replications: job.overrides.replications,
            days: job.overrides.days,
        };
        apply(&mut model, &given, &scenario)?;
        let bytes = read_bytes(&scenario)?;
        let now =
            batch::partial::Job::run(scenario.clone(), &bytes, &model, job.overrides, job.shards);
        batch::merge::check_input(job, &now)?;
        if args.check && !model.targets.any() {
            return Err(Error::NoTargets {
                scenario,
                command: "merge --check",
            });
        }
        if args.check && model.replications < MIN_CHECKED_REPLICATIONS {
            return Err(Error::TooFewReplications {
                scenario,
                command: "merge --check",
                replications: model.replications,
                hint: "run the shards with --replications 2 or more",
            });
        }
        crate::limits::check_merge_run(&scenario, &model, partials, &args.limits)?;
        let reports = Reports::resolve(args.html)?;
        Ok(RunConfig {
            scenario,
            model,
            comments,
            threads: 0,
            format: args.format,
            reports,
            out: out_dir(Some(args.out), "--out", args.force)?,
            check: args.check,
            all_sites: args.all_sites,
            warnings: Warnings::none(),
            overrides: job.overrides,
            mode: RunMode::Whole,
        })
    }
}

/// The absolute form of `path`, which exists.
pub(crate) fn absolute(path: &Path) -> Result<PathBuf, Error> {
    std::fs::canonicalize(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })
}

/// The bytes of `path`.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })
}

/// What a command splits into shards, for [`split_mode`].
struct SplitJob<'a> {
    /// `run` or `sweep`.
    command: &'static str,
    /// The scenario or sweep file, as given.
    input: &'a Path,
    /// `--seed`, `--days` and `--replications`.
    overrides: &'a Overrides,
    /// `--threads`.
    threads: usize,
    /// Items in the job: replications or points.
    total: u32,
    /// What the items are.
    unit: Unit,
}

/// Refuses cluster flags that do not go together: `--shards` without
/// `--shard env` or `--emit`, and `whole` (a flag that needs the whole
/// job, such as `--html`) with `--shard` or `--emit`, which belongs to the
/// merge.
fn check_split(
    cluster: &ClusterArgs,
    whole: Option<&'static str>,
    command: &str,
) -> Result<(), Error> {
    if cluster.shards.is_some() && cluster.emit.is_none() && cluster.shard != Some(ShardSpec::Env) {
        return Err(Error::Usage(
            "--shards N goes with --shard env or --emit (with --shard I/N, N is the count)".into(),
        ));
    }
    let split = if cluster.shard.is_some() {
        Some("--shard")
    } else if cluster.emit.is_some() {
        Some("--emit")
    } else {
        None
    };
    if let (Some(flag), Some(whole)) = (split, whole) {
        return Err(Error::Usage(format!(
            "{whole} needs the whole {command}, and {flag} computes a part of it: \
             pass {whole} to `swapsim merge` instead"
        )));
    }
    Ok(())
}

/// The shard that `--shard` names (from the environment for `--shard
/// env`), checked to hold at least one of the job's `total` items of
/// `unit`; `None` without `--shard`.
fn resolve_shard(cluster: &ClusterArgs, total: u32, unit: Unit) -> Result<Option<Shard>, Error> {
    let Some(spec) = cluster.shard else {
        return Ok(None);
    };
    let shard = spec.resolve(|name| std::env::var(name).ok(), cluster.shards)?;
    Shard::check_fits(shard.count, total, unit)?;
    Ok(Some(shard))
}

/// The whole job, one shard of it (`shard`, as [`resolve_shard`] found
/// it) or the cluster's files, and the `--out` directory, checked: a
/// shard's may hold other shards' files, the others must be empty
/// unless `force`.
fn split_mode(
    cluster: &ClusterArgs,
    shard: Option<Shard>,
    job: SplitJob<'_>,
    out: Option<PathBuf>,
    force: bool,
) -> Result<(RunMode, Option<PathBuf>), Error> {
    Ok(match (shard, cluster.emit) {
        (Some(shard), _) => {
            // Other shards' files may be there: each shard writes its own.
            let out = out.expect("clap: --shard requires --out");
            crate::output::check_dir_writable(&out)?;
            let resume = cluster.resume;
            (RunMode::Shard { shard, resume }, Some(out))
        }
        (None, Some(engine)) => {
            let shards = cluster.shards.expect("clap: --emit requires --shards");
            Shard::check_fits(shards, job.total, job.unit)?;
            let out = out_dir(out, "--out", force)?.expect("clap: --emit requires --out");
            let (engine, job) = emit_job(engine, &job, &out, cluster)?;
            (RunMode::Emit { engine, job }, Some(out))
        }
        (None, None) => (RunMode::Whole, out_dir(out, "--out", force)?),
    })
}

/// The job that `--emit` writes: the shards run this scenario (or sweep
/// file) with these
/// overrides (and `--threads`, if given), and every path is the one the
/// nodes see: `--bin` (default this binary, or the image's for k8s),
/// `--shared-dir` (default `out`, absolute). A scenario inside `out` is
/// named inside the shared directory.
fn emit_job(
    engine: EmitEngine,
    job: &SplitJob<'_>,
    out: &Path,
    cluster: &ClusterArgs,
) -> Result<(batch::emit::Engine, batch::emit::Emit), Error> {
    let (scenario, overrides, threads) = (job.input, job.overrides, job.threads);
    let engine = match engine {
        EmitEngine::Slurm => batch::emit::Engine::Slurm,
        EmitEngine::K8s => batch::emit::Engine::Kubernetes,
    };
    let text = |p: &Path| p.to_string_lossy().into_owned();
    let out_abs = absolute(out)?;
    let shared = match &cluster.shared_dir {
        Some(dir) if !dir.is_absolute() => {
            return Err(Error::Usage(format!(
                "--shared-dir '{}' must be absolute: the path at which the nodes see --out",
                dir.display()
            )));
        }
        Some(dir) => dir.clone(),
        None => out_abs.clone(),
    };
    let scenario_abs = absolute(scenario)?;
    let scenario_seen = match scenario_abs.strip_prefix(&out_abs) {
        Ok(inside) => shared.join(inside),
        Err(_) => scenario_abs.clone(),
    };
    let bin = match (&cluster.bin, engine) {
        (Some(bin), _) => text(bin),
        (None, batch::emit::Engine::Kubernetes) => batch::emit::IMAGE_BIN.to_owned(),
        (None, batch::emit::Engine::Slurm) => {
            let exe = std::env::current_exe().map_err(|source| Error::Read {
                path: PathBuf::from("swapsim (the running binary)"),
                source,
            })?;
            text(&exe)
        }
    };
    let mut command = vec![job.command.to_owned(), text(&scenario_seen)];
    let mut flag = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            command.extend([name.to_owned(), value]);
        }
    };
    flag("--seed", overrides.seed.map(|v| v.to_string()));
    flag("--days", overrides.days.map(|v| v.to_string()));
    flag(
        "--replications",
        overrides.replications.map(|v| v.to_string()),
    );
    flag("--threads", (threads != 0).then(|| threads.to_string()));
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let job = batch::emit::Emit {
        bin,
        shared_dir: text(&shared),
        command,
        shards: cluster.shards.expect("clap: --emit requires --shards"),
        max_parallel: cluster.max_parallel,
        name: batch::emit::job_name(&stem),
        image: cluster
            .image
            .clone()
            .unwrap_or_else(|| format!("swapsim:{}", env!("CARGO_PKG_VERSION"))),
        retries: 2,
    };
    Ok((engine, job))
}

/// Everything `swapsim plan` needs, checked.
#[derive(Debug)]
pub(crate) struct PlanConfig {
    /// The scenario path as the user wrote it.
    pub(crate) scenario: PathBuf,
    /// The scenario's text, for the plan file; read only with `--out`.
    pub(crate) source: Option<String>,
    /// The site tables beside the scenario, by the name its `[[site_table]]`
    /// gives, and their text: copied beside the plan file, which names
    /// them the same way. Read only with `--out`.
    pub(crate) site_tables: Vec<(String, String)>,
    /// The scenario's model with `--seed` and `--days` applied; it has targets.
    pub(crate) model: Model,
    /// The comments beside the scenario's keys: the sources of its values.
    pub(crate) comments: scenarios::Comments,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: PlanFormat,
    /// Directory to write `plan.toml`, `plan.json`, `plan.csv` and the
    /// plan's run files into; empty or new unless `--force` was given.
    pub(crate) out: Option<PathBuf>,
    /// The `--html` report and the language and format of the charts.
    pub(crate) reports: Reports,
    /// The scenario's implausible values.
    pub(crate) warnings: Warnings,
    /// Whether the table shows every site of a large plan.
    pub(crate) all_sites: bool,
}

impl PlanConfig {
    /// Loads the scenario, applies `--seed` and `--days`, and makes sure it
    /// has targets to plan for.
    pub(crate) fn resolve(args: PlanArgs) -> Result<PlanConfig, Error> {
        let loaded = load(&args.scenario)?;
        let warnings = Warnings::new(loaded.warnings, &args.warnings);
        let (mut model, comments) = (loaded.model, loaded.comments);
        let overrides = Overrides {
            seed: args.seed,
            replications: None,
            days: args.days,
        };
        apply(&mut model, &overrides, &args.scenario)?;
        if !model.targets.any() {
            return Err(Error::NoTargets {
                scenario: args.scenario,
                command: "plan",
            });
        }
        if model.replications < MIN_CHECKED_REPLICATIONS {
            return Err(Error::TooFewReplications {
                scenario: args.scenario,
                command: "plan",
                replications: model.replications,
                hint: "set the scenario's `replications` to 2 or more",
            });
        }
        // The planner runs up to its most replications per candidate.
        let most = model.replications.max(model.planner.max_replications);
        crate::limits::check(
            &args.scenario,
            "plan",
            &model,
            most,
            args.threads.n,
            &args.threads.limits,
        )?;
        let out = out_dir(args.out, "--out", args.force)?;
        let source = match &out {
            Some(_) => Some(read(&args.scenario)?),
            None => None,
        };
        let mut site_tables = Vec::new();
        if out.is_some() {
            let dir = args.scenario.parent().unwrap_or(Path::new(""));
            for table in &loaded.site_tables {
                // A table beside the scenario goes beside the plan; one in
                // another directory stays where it is.
                let Some(name) = table
                    .strip_prefix(dir)
                    .ok()
                    .filter(|name| name.components().count() == 1)
                    .and_then(Path::to_str)
                else {
                    continue;
                };
                let text =
                    scenarios::file::read_site_table(table).map_err(|source| Error::Read {
                        path: table.clone(),
                        source,
                    })?;
                site_tables.push((name.to_owned(), text));
            }
        }
        Ok(PlanConfig {
            scenario: args.scenario,
            source,
            site_tables,
            model,
            comments,
            threads: args.threads.n,
            format: args.format,
            out,
            reports: Reports::resolve(args.html)?,
            warnings,
            all_sites: args.all_sites,
        })
    }
}

/// Everything `swapsim compare` needs, checked: the scenarios share their
/// seed, days, warm-up and replications.
#[derive(Debug)]
pub(crate) struct CompareConfig {
    /// Each scenario's path as the user wrote it, and its model; the first
    /// is the baseline.
    pub(crate) scenarios: Vec<(PathBuf, Model)>,
    /// The comments beside the first scenario's keys, whose assumptions
    /// the report lists.
    pub(crate) comments: scenarios::Comments,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: Format,
    /// Directory to write `compare.json` and `context.json` into; empty or
    /// new unless `--force` was given.
    pub(crate) out: Option<PathBuf>,
    /// The `--html` report and the language and format of the charts.
    pub(crate) reports: Reports,
    /// The implausible values of every scenario, in the order given.
    pub(crate) warnings: Warnings,
    /// Whether the table shows every shared site of a large comparison.
    pub(crate) all_sites: bool,
}

impl CompareConfig {
    /// Loads every scenario, applies the overrides to each, gives them all
    /// `--seed` (or the first scenario's seed) and checks that they run for
    /// the same days, warm-up and replications.
    pub(crate) fn resolve(args: CompareArgs) -> Result<CompareConfig, Error> {
        let mut scenarios = Vec::with_capacity(args.scenarios.len());
        let mut first_comments = None;
        let mut warnings = Vec::new();
        for path in args.scenarios {
            let loaded = load(&path)?;
            warnings.extend(loaded.warnings);
            let (mut model, comments) = (loaded.model, loaded.comments);
            first_comments.get_or_insert(comments);
            apply(&mut model, &args.overrides, &path)?;
            scenarios.push((path, model));
        }
        let (first_path, first) = &scenarios[0];
        let seed = first.seed;
        for (path, model) in &scenarios[1..] {
            let differs = [
                ("days", "--days", first.days, model.days),
                ("warmup_days", "", first.warmup_days, model.warmup_days),
                (
                    "replications",
                    "--replications",
                    first.replications,
                    model.replications,
                ),
            ];
            for (field, flag, a, b) in differs {
                if a != b {
                    return Err(Error::ScenariosDiffer {
                        field,
                        flag,
                        first: first_path.clone(),
                        first_value: a,
                        other: path.clone(),
                        other_value: b,
                    });
                }
            }
        }
        for (_, model) in &mut scenarios {
            model.seed = seed;
        }
        crate::limits::check_compare(&scenarios, args.threads.n, &args.threads.limits)?;
        Ok(CompareConfig {
            scenarios,
            comments: first_comments.unwrap_or_default(),
            threads: args.threads.n,
            format: args.format,
            // The font first: a missing one leaves no --out directory behind.
            reports: Reports::resolve(args.html)?,
            out: out_dir(args.out, "--out", args.force)?,
            warnings: Warnings::new(warnings, &args.warnings),
            all_sites: args.all_sites,
        })
    }
}

/// Everything `swapsim sweep` needs: the sweep, every point validated.
#[derive(Debug)]
pub(crate) struct SweepConfig {
    /// The sweep file as the user wrote it.
    pub(crate) path: PathBuf,
    /// The sweep, its points and their models, overrides applied.
    pub(crate) sweep: batch::Sweep,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: Format,
    /// Directory to write the sweep's files into; empty or new unless
    /// `--force` was given.
    pub(crate) out: Option<PathBuf>,
    /// The `--html` report.
    pub(crate) html: Option<HtmlReport>,
    /// The language of the reports.
    pub(crate) lang: report::Lang,
    /// The base scenario's implausible values.
    pub(crate) warnings: Warnings,
    /// `--seed`, `--days` and `--replications` as given, for a shard's
    /// partial result and the merge.
    pub(crate) overrides: batch::partial::Overrides,
    /// The whole sweep, one shard of its points, or the job files for a
    /// cluster.
    pub(crate) mode: RunMode,
}

impl SweepConfig {
    /// Loads the sweep and validates every point with the overrides.
    pub(crate) fn resolve(args: SweepArgs) -> Result<SweepConfig, Error> {
        let overrides = batch::partial::Overrides {
            seed: args.overrides.seed,
            days: args.overrides.days,
            replications: args.overrides.replications,
        };
        let sweep = load_sweep(&args.sweep, &overrides)?;
        let warnings = Warnings::new(sweep.file.warnings.clone(), &args.warnings);
        check_split(
            &args.cluster,
            args.html.is_some().then_some("--html"),
            "sweep",
        )?;
        let total = u32::try_from(sweep.points().len()).unwrap_or(u32::MAX);
        let shard = resolve_shard(&args.cluster, total, Unit::Points)?;
        // A shard is judged by its own block of points.
        if args.cluster.emit.is_none() {
            crate::limits::check_sweep(
                &args.sweep,
                &sweep,
                shard,
                args.threads.n,
                &args.threads.limits,
            )?;
        }
        if let Some(path) = &args.html {
            crate::output::check_file_writable(path)?;
        }
        let lang = args.lang.into();
        let (mode, out) = split_mode(
            &args.cluster,
            shard,
            SplitJob {
                command: "sweep",
                input: &args.sweep,
                overrides: &args.overrides,
                threads: args.threads.n,
                total,
                unit: Unit::Points,
            },
            args.out,
            args.force,
        )?;
        Ok(SweepConfig {
            path: args.sweep,
            sweep,
            threads: args.threads.n,
            format: args.format,
            out,
            html: args.html.map(|path| HtmlReport { path, lang }),
            lang,
            warnings,
            overrides,
            mode,
        })
    }

    /// The configuration that `swapsim merge` writes a sweep's shards
    /// with: as `sweep --out` of the shards' sweep file (`job.input`) with
    /// their overrides. Refuses a sweep file, scenario or site table that
    /// changed since the shards ran, the flags of a run's merge, and a
    /// merge whose estimate (every point's result read back from
    /// `partials`, their sizes in bytes) is past `--max-memory`.
    pub(crate) fn for_merge(
        job: &batch::partial::Job,
        partials: &[u64],
        args: MergeArgs,
    ) -> Result<SweepConfig, Error> {
        let run_only = [
            (args.check, "--check"),
            (args.all_sites, "--all-sites"),
            (args.html.png, "--png"),
            (args.html.map_kpi.is_some(), "--map-kpi"),
        ];
        if let Some((_, flag)) = run_only.iter().find(|(given, _)| *given) {
            return Err(Error::Usage(format!(
                "{flag} is for the shards of a run; these are of a sweep \
                 (in mode check, a sweep judges each point's targets itself)"
            )));
        }
        let path = job.input.clone();
        let sweep = load_sweep(&path, &job.overrides)?;
        let bytes = read_bytes(&path)?;
        let now = sweep.job(path.clone(), &bytes, job.overrides, job.shards);
        batch::merge::check_input(job, &now)?;
        crate::limits::check_merge_sweep(&path, &sweep, partials, &args.limits)?;
        if let Some(page) = &args.html.html {
            crate::output::check_file_writable(page)?;
        }
        let lang = args.html.lang.into();
        Ok(SweepConfig {
            path,
            sweep,
            threads: 0,
            format: args.format,
            out: out_dir(Some(args.out), "--out", args.force)?,
            html: args.html.html.map(|path| HtmlReport { path, lang }),
            lang,
            warnings: Warnings::none(),
            overrides: job.overrides,
            mode: RunMode::Whole,
        })
    }
}

/// Loads the sweep at `path` and validates every point with `overrides`.
fn load_sweep(path: &Path, overrides: &batch::partial::Overrides) -> Result<batch::Sweep, Error> {
    batch::Sweep::load(path, overrides).map_err(|e| match e {
        batch::SweepError::Load(e) => Error::Load(e),
        batch::SweepError::DaysWithinWarmup {
            days,
            warmup_days,
            scenario,
        } => Error::DaysWithinWarmup {
            days,
            warmup_days,
            scenario,
        },
        other => Error::Sweep(other),
    })
}

/// The warnings about a command's scenarios (values outside the plausible
/// range of an e-bike network), and whether `--deny-warnings` makes them
/// fatal.
#[derive(Debug)]
pub(crate) struct Warnings {
    /// Every warning, each naming its file.
    pub(crate) found: Vec<Diagnostic>,
    /// `--deny-warnings`.
    pub(crate) deny: bool,
}

impl Warnings {
    /// `found`, denied if `args` say so.
    pub(crate) fn new(found: Vec<Diagnostic>, args: &crate::args::Warnings) -> Self {
        Warnings {
            found,
            deny: args.deny_warnings,
        }
    }

    /// No warnings: a merge's, whose shards told theirs.
    pub(crate) fn none() -> Self {
        Warnings {
            found: Vec::new(),
            deny: false,
        }
    }

    /// Writes every warning to stderr with its source line and caret;
    /// then, under `--deny-warnings`, fails if there was one, so that
    /// nothing runs.
    pub(crate) fn tell(&self, streams: &mut Streams<'_>) -> Result<(), Error> {
        for warning in &self.found {
            streams.tell(format_args!("{}\n", warning.render()));
        }
        if self.deny && !self.found.is_empty() {
            return Err(Error::WarningsDenied {
                count: self.found.len(),
            });
        }
        Ok(())
    }
}

/// Everything `swapsim import-survey` needs: both files read.
#[derive(Debug)]
pub(crate) struct ImportConfig {
    /// The sheet's path as the user wrote it.
    pub(crate) sheet_path: PathBuf,
    /// The sheet, read: a CSV or a worksheet of a workbook.
    pub(crate) sheet: scenarios::SurveySheet,
    /// The template's path as the user wrote it.
    pub(crate) template: PathBuf,
    /// The template's text.
    pub(crate) template_text: String,
    /// Where to write the scenario; stdout if `None`.
    pub(crate) out: Option<PathBuf>,
}

impl ImportConfig {
    /// Reads the sheet (the `--sheet` of a workbook) and the template.
    pub(crate) fn resolve(args: ImportSurveyArgs) -> Result<ImportConfig, Error> {
        let bytes = scenarios::file::read_regular(
            &args.sheet,
            scenarios::file::MAX_SHEET_BYTES,
            "survey sheet",
        )
        .map_err(|source| Error::Read {
            path: args.sheet.clone(),
            source,
        })?;
        let name = args.sheet.display().to_string();
        let sheet = scenarios::SurveySheet::read(&bytes, &name, args.sheet_name.as_deref())
            .map_err(|error| match error {
                scenarios::SheetError::NotUtf8 { .. } => Error::NotUtf8 {
                    path: args.sheet.clone(),
                },
                other => Error::Sheet(other),
            })?;
        Ok(ImportConfig {
            sheet,
            sheet_path: args.sheet,
            template_text: read(&args.template)?,
            template: args.template,
            out: args.out,
        })
    }
}

/// Everything `swapsim report` needs, checked.
#[derive(Debug)]
pub(crate) struct ReportConfig {
    /// The result directory or JSON file as the user wrote it.
    pub(crate) result: PathBuf,
    /// The HTML report to write.
    pub(crate) html: HtmlReport,
    /// Directory to write each chart into as `NAME.svg`; empty or new
    /// unless `--force` was given.
    pub(crate) charts: Option<PathBuf>,
    /// The font to draw each chart as `NAME.png` with, if asked to.
    pub(crate) png: Option<report::Font>,
    /// The KPI that colours the site map (`--map-kpi`).
    pub(crate) map_kpi: Option<String>,
}

impl ReportConfig {
    /// Checks that `--charts` may be written into. The result is read
    /// when the command runs.
    pub(crate) fn resolve(args: ReportArgs) -> Result<ReportConfig, Error> {
        let png = png_font(args.png, args.font)?;
        Ok(ReportConfig {
            result: args.result,
            html: HtmlReport {
                path: args.html,
                lang: args.lang.into(),
            },
            charts: out_dir(args.charts, "--charts", args.force)?,
            png,
            map_kpi: args.map_kpi,
        })
    }
}

/// What `--html`, `--lang`, `--png` and `--font` ask of `run`, `plan` and
/// `compare`.
#[derive(Debug)]
pub(crate) struct Reports {
    /// The HTML report to write.
    pub(crate) html: Option<HtmlReport>,
    /// The language of the charts in `--out` (and of the report).
    pub(crate) lang: report::Lang,
    /// The font to draw the charts of `--out` as PNG with, if asked to.
    pub(crate) png: Option<report::Font>,
    /// The KPI that colours the site map (`--map-kpi`).
    pub(crate) map_kpi: Option<String>,
}

impl Reports {
    /// Finds the PNG font, if asked for, and checks that the `--html`
    /// report can be written, before anything runs.
    fn resolve(args: HtmlArgs) -> Result<Reports, Error> {
        let png = png_font(args.png, args.font.clone())?;
        if let Some(path) = &args.html {
            crate::output::check_file_writable(path)?;
        }
        Ok(Reports {
            lang: args.lang.into(),
            map_kpi: args.map_kpi.clone(),
            png,
            html: HtmlReport::from_args(args),
        })
    }
}

/// Where to write an HTML report, and in which language.
#[derive(Debug)]
pub(crate) struct HtmlReport {
    /// The file, replaced if it exists.
    pub(crate) path: PathBuf,
    /// The report's language.
    pub(crate) lang: report::Lang,
}

impl HtmlReport {
    /// The report that `--html` and `--lang` ask for, if any.
    fn from_args(args: HtmlArgs) -> Option<HtmlReport> {
        let lang = args.lang.into();
        args.html.map(|path| HtmlReport { path, lang })
    }
}

impl From<Lang> for report::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Zh => report::Lang::Zh,
            Lang::En => report::Lang::En,
        }
    }
}

/// `out`, the directory that `flag` names, unless it already holds files
/// and `force` is not set, or cannot be written (checked here, before
/// anything runs: it is created, and a probe file written and removed).
fn out_dir(
    out: Option<PathBuf>,
    flag: &'static str,
    force: bool,
) -> Result<Option<PathBuf>, Error> {
    let Some(dir) = out else {
        return Ok(None);
    };
    let holds_files = std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some());
    if holds_files && !force {
        return Err(Error::OutNotEmpty { flag, path: dir });
    }
    crate::output::check_dir_writable(&dir)?;
    if force {
        crate::output::remove_stale_temps(&dir)?;
    }
    Ok(Some(dir))
}

/// The font for `--png`, found before anything runs: `--font FILE`, else
/// the file `$SWAPSIM_FONT` names, else the first font with Chinese glyphs
/// in the usual places; `None` without `--png`.
fn png_font(png: bool, font: Option<PathBuf>) -> Result<Option<report::Font>, Error> {
    if !png {
        return Ok(None);
    }
    let given = font.or_else(|| {
        std::env::var_os(FONT_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    find_font(given, report::CJK_FONT_PATHS).map(Some)
}

/// The font at `given`, else the first of `candidates` with Chinese
/// glyphs.
fn find_font(given: Option<PathBuf>, candidates: &[&str]) -> Result<report::Font, Error> {
    match given {
        Some(path) => Ok(report::Font::load(&path)?),
        None => report::find_cjk_font(candidates).ok_or(Error::NoFont { env: FONT_ENV }),
    }
}

/// Applies `--seed`, `--replications` and `--days` to `model`, loaded from
/// `scenario`.
pub(crate) fn apply(
    model: &mut Model,
    overrides: &Overrides,
    scenario: &Path,
) -> Result<(), Error> {
    if let Some(seed) = overrides.seed {
        model.seed = seed;
    }
    if let Some(replications) = overrides.replications {
        model.replications = replications;
    }
    if let Some(days) = overrides.days {
        // The scenario layer checked its own days; an override must keep
        // the same promise to the engine.
        if days <= model.warmup_days {
            return Err(Error::DaysWithinWarmup {
                days,
                warmup_days: model.warmup_days,
                scenario: scenario.to_owned(),
            });
        }
        model.days = days;
    }
    Ok(())
}

/// Loads the scenario at `path` with its warnings. When it fails because
/// the file is no scenario at all (a survey sheet, an Excel workbook, a
/// directory), the error says what it is and what was probably meant; a
/// scenario that is not UTF-8 gets a hint to save it as UTF-8.
pub(crate) fn load(path: &Path) -> Result<scenarios::Loaded, Error> {
    scenarios::load_with_warnings(path).map_err(|e| match wrong_file(path, &e) {
        Some(kind) => Error::NotAScenario {
            path: path.to_owned(),
            kind,
        },
        None => Error::Load(e),
    })
}

/// What the file at `path`, which failed to load with `error`, is instead
/// of a scenario, if anything recognisable.
fn wrong_file(path: &Path, error: &scenarios::LoadError) -> Option<WrongFile> {
    if path.is_dir() {
        let plan = path.join(crate::output::PLAN_TOML_FILE);
        return Some(if plan.is_file() {
            WrongFile::PlanDirectory(plan)
        } else {
            WrongFile::Directory(toml_files(path))
        });
    }
    if !matches!(error, scenarios::LoadError::Invalid(_)) {
        return None;
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = scenarios::file::read_regular(path, scenarios::file::MAX_SHEET_BYTES, "file")
        .unwrap_or_default();
    match extension.as_deref() {
        Some("csv") => Some(WrongFile::Sheet),
        Some("xlsx" | "xlsm" | "xls" | "ods") => Some(WrongFile::Workbook),
        // A workbook is a zip archive, whatever its name.
        _ if bytes.starts_with(b"PK\x03\x04") => Some(WrongFile::Workbook),
        Some("toml") => None,
        _ if looks_like_a_sheet(&bytes) => Some(WrongFile::Sheet),
        _ => None,
    }
}

/// Whether `bytes` read like a sheet of comma-separated values: a first
/// line with commas and no `=`.
fn looks_like_a_sheet(bytes: &[u8]) -> bool {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    first.contains(&b',') && !first.contains(&b'=')
}

/// The names of the `.toml` files in `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                // A crate's manifest is never a scenario.
                .filter(|name| name.ends_with(".toml") && name != "Cargo.toml")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The text of the UTF-8 file at `path`.
pub(crate) fn read(path: &Path) -> Result<String, Error> {
    scenarios::file::read_regular_text(path, scenarios::file::MAX_SCENARIO_BYTES, "scenario")
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::InvalidData {
                Error::NotUtf8 {
                    path: path.to_owned(),
                }
            } else {
                Error::Read {
                    path: path.to_owned(),
                    source,
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_font_found_says_what_to_install_or_pass() {
        let err = find_font(None, &["/nonexistent/font.ttc"]).expect_err("no font");
        assert_eq!(
            err.to_string(),
            "--png needs a font with Chinese glyphs and none was found: install one \
             (Debian, Ubuntu: apt-get install fonts-noto-cjk) or pass --font FILE \
             (or set SWAPSIM_FONT)"
        );
        let err = find_font(Some("Cargo.toml".into()), &[]).expect_err("not a font");
        assert!(err.to_string().contains("is not a usable font"), "{err}");
        assert!(png_font(false, Some("/nonexistent".into())).is_ok_and(|f| f.is_none()));
    }
}
