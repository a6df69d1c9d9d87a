//! The first layer: raw command-line arguments as clap parses them.
//!
//! Nothing here reads files or checks one flag against another; that is
//! [`crate::config`]'s job, once parsing is done.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use scenarios::bounds::{MAX_DAYS, MAX_REPLICATIONS};

/// Most worker threads: far past the cores of any machine this runs on;
/// each thread costs a stack and a share of the replications, and 100,000
/// threads turned a 0.01 s run into minutes.
const MAX_THREADS: i64 = 1024;

/// Shown after `swapsim --help`: scripts depend on these codes. Each
/// command's `--help` lists only the codes it can return (below).
pub(crate) const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the run finished but targets were missed (run --check or merge --check, or plan found no feasible deployment),
     or a site of a swap log missed the scenario (backtest, calibrate --check)
  2  usage, scenario or I/O error, or a scenario warning with --deny-warnings";

/// `swapsim run --help`: 1 only with `--check`.
const RUN_EXIT_CODES: &str = "\
Exit codes:
  0  success; with --check, every target met
  1  --check found a target missed (the KPIs are still printed)
  2  usage, scenario or I/O error, or a scenario warning with --deny-warnings";

/// `swapsim merge --help`: 1 only with `--check`, as for `run`.
const MERGE_EXIT_CODES: &str = "\
Exit codes:
  0  success; with --check, every target met
  1  --check found a target missed (the KPIs are still printed)
  2  usage or I/O error, or shards that do not merge: missing, duplicated, of another job, damaged, or their scenario or sweep file changed";

/// `swapsim check --help`: no targets are checked, so never 1.
const CHECK_EXIT_CODES: &str = "\
Exit codes:
  0  the scenario is valid (its warnings, if any, are on stderr)
  2  the scenario is not valid or cannot be read, or has a warning with --deny-warnings";

/// `swapsim plan --help`.
const PLAN_EXIT_CODES: &str = "\
Exit codes:
  0  the plan meets every target
  1  no deployment within the planner's bounds meets the targets (the plan found is still printed)
  2  usage, scenario or I/O error, or a scenario warning with --deny-warnings";

/// `swapsim compare --help`: targets are not checked, so never 1.
const COMPARE_EXIT_CODES: &str = "\
Exit codes:
  0  success
  2  usage, scenario or I/O error, scenarios that cannot be compared, or a scenario warning with --deny-warnings";

/// `swapsim sweep --help`: missed targets are the sweep's findings, not a
/// failure.
const SWEEP_EXIT_CODES: &str = "\
Exit codes:
  0  every point ran (in mode check, points that miss a target are findings, in the table and sweep.json)
  2  usage, sweep-file or scenario error (every bad point is told before anything runs), I/O error, or a scenario warning with --deny-warnings";

/// `swapsim import-survey --help`.
const IMPORT_EXIT_CODES: &str = "\
Exit codes:
  0  success
  2  usage or I/O error, or a problem in the sheet or the template (nothing is written)";

/// `swapsim report --help`.
const REPORT_EXIT_CODES: &str = "\
Exit codes:
  0  success
  2  usage or I/O error, a result that cannot be read, or no font for --png (nothing is written)";

/// `swapsim`: size battery-swap networks by simulation.
#[derive(Debug, Parser)]
#[command(
    name = "swapsim",
    version,
    about = "Simulate battery-swap networks: cabinets, batteries, chargers and riders",
    long_about = None,
    after_help = EXIT_CODES_HELP,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub(crate) struct Cli {
    /// Show no progress on stderr (errors and target misses still show)
    #[arg(long, short, global = true, help_heading = "Output")]
    pub(crate) quiet: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Simulate a scenario and print its KPIs with 95% intervals
    #[command(after_help = RUN_EXIT_CODES)]
    Run(RunArgs),
    /// Parse and validate a scenario; report every problem, not just the first
    #[command(after_help = CHECK_EXIT_CODES)]
    Check(CheckArgs),
    /// Find the cheapest deployment that meets the scenario's [targets]
    #[command(after_help = PLAN_EXIT_CODES)]
    Plan(PlanArgs),
    /// Run scenarios on the same random numbers; KPIs side by side with paired differences
    #[command(after_help = COMPARE_EXIT_CODES)]
    Compare(CompareArgs),
    /// Run, check or plan a scenario over the values of a sweep file's axes
    #[command(after_help = SWEEP_EXIT_CODES)]
    Sweep(SweepArgs),
    /// Turn a community survey sheet (CSV or .xlsx) into a scenario
    #[command(name = "import-survey", after_help = IMPORT_EXIT_CODES)]
    ImportSurvey(ImportSurveyArgs),
    /// Write a result of run, plan or compare as a self-contained HTML report with SVG charts
    #[command(after_help = REPORT_EXIT_CODES)]
    Report(ReportArgs),
    /// Merge the shards of a run or a sweep (--shard) into exactly the result on one machine
    #[command(after_help = MERGE_EXIT_CODES)]
    Merge(MergeArgs),
    /// Measure a scenario's riders from a swap log (CSV or .xlsx) and write them into the scenario
    #[command(after_help = CALIBRATE_EXIT_CODES)]
    Calibrate(CalibrateArgs),
    /// Compare a scenario's simulated swap demand with a swap log, site by site
    #[command(after_help = BACKTEST_EXIT_CODES)]
    Backtest(BacktestArgs),
    /// A week of a swap log against the plan that `plan --out` wrote: swaps, subscribers, stockouts, actions
    #[command(after_help = WEEKLY_EXIT_CODES)]
    Weekly(WeeklyArgs),
}

/// `--seed`, `--replications` and `--days`: values that replace the
/// scenario's.
#[derive(Debug, Args)]
#[command(next_help_heading = "Scenario overrides")]
pub(crate) struct Overrides {
    /// Base seed of the random streams
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,

    /// Independent replications behind each interval
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_REPLICATIONS))
    )]
    pub(crate) replications: Option<u32>,

    /// Days per replication, warm-up included (must exceed it)
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DAYS))
    )]
    pub(crate) days: Option<u32>,
}

/// `--deny-warnings`.
#[derive(Debug, Args)]
pub(crate) struct Warnings {
    /// Exit 2, before running, if a scenario has a value outside the plausible range
    #[arg(long, help_heading = "Checks")]
    pub(crate) deny_warnings: bool,
}

/// `--threads`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Execution")]
pub(crate) struct Threads {
    /// Worker threads, 0 = all cores, at most 1024; results do not depend on it
    #[arg(
        long = "threads",
        value_name = "N",
        default_value_t = 0,
        value_parser = clap::value_parser!(u16).range(0..=MAX_THREADS).map(usize::from)
    )]
    pub(crate) n: usize,

    #[command(flatten)]
    pub(crate) limits: crate::limits::Limits,
}

/// What `--lang` applies to: the `--html` report or the charts of `--out`.
fn report_target() -> ArgGroup {
    ArgGroup::new("report_target")
        .args(["html", "out"])
        .multiple(true)
}

/// `--html` and `--lang` of `run`, `plan` and `compare`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Report")]
pub(crate) struct HtmlArgs {
    /// Also write the result as a self-contained HTML report to FILE (replaced if it exists)
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,

    /// Language of the report and of the charts in --out: zh (Chinese) or en (English)
    #[arg(
        long,
        value_enum,
        value_name = "LANG",
        default_value_t = Lang::Zh,
        hide_possible_values = true,
        requires = "report_target"
    )]
    pub(crate) lang: Lang,

    /// Also write the charts of --out as PNG, DIR/charts/NAME.png (needs a font with Chinese glyphs)
    #[arg(long, requires = "out")]
    pub(crate) png: bool,

    /// Font for --png (.ttf, .otf or .ttc); default: $SWAPSIM_FONT, else a system CJK font
    #[arg(long, value_name = "FILE", requires = "png")]
    pub(crate) font: Option<PathBuf>,

    /// Colour the report's site map by this KPI (a JSON name, like flying_wire_per_1000_bikes_day) instead of target status
    #[arg(long, value_name = "KPI", value_parser = kpi_name, requires = "report_target")]
    pub(crate) map_kpi: Option<String>,
}

/// A KPI name of the JSON result, for `--map-kpi`.
fn kpi_name(name: &str) -> Result<String, String> {
    if sim_core::Kpis::NAMES.contains(&name) {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "expected a KPI of the JSON result, one of {}",
            sim_core::Kpis::NAMES.join(", ")
        ))
    }
}

/// `swapsim run`.
#[derive(Debug, Args)]
#[command(group = report_target())]
pub(crate) struct RunArgs {
    /// Scenario file (TOML)
    #[arg(value_name = "FILE")]
    pub(crate) scenario: PathBuf,

    #[command(flatten)]
    pub(crate) overrides: Overrides,

    #[command(flatten)]
    pub(crate) threads: Threads,

    #[command(flatten)]
    pub(crate) warnings: Warnings,

    /// Compare the KPIs with the scenario's [targets]; exit 1 if one is missed
    #[arg(long, help_heading = "Targets")]
    pub(crate) check: bool,

    /// Output on stdout: table (for people), json or csv (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: Format,

    /// Also write DIR/summary.json, timeseries.csv, ready.csv, profiles.json, context.json, results.xlsx and charts/*.svg
    #[arg(long, short, value_name = "DIR", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,

    /// Write into an --out DIR that already holds files
    #[arg(long, help_heading = "Output")]
    pub(crate) force: bool,

    /// In the table, show every site; by default a run of more than 20 sites shows the network and the 10 worst
    #[arg(long, help_heading = "Output")]
    pub(crate) all_sites: bool,

    #[command(flatten)]
    pub(crate) html: HtmlArgs,

    #[command(flatten)]
    pub(crate) cluster: ClusterArgs,
}

/// `--shard`, `--emit` and their options: a run split across machines.
/// It names no argument outside itself but `out`, so any command with an
/// `--out` (a sweep's too) can flatten it; what else does not go with a
/// shard is checked in [`crate::config`].
#[derive(Debug, Args)]
#[command(next_help_heading = "Cluster")]
pub(crate) struct ClusterArgs {
    /// Compute only shard I of N (from 0; a block of replications, or of a sweep's points) and write it to --out DIR for `swapsim merge`; env: the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX
    #[arg(
        long,
        value_name = "I/N|env",
        requires = "out",
        conflicts_with = "emit"
    )]
    pub(crate) shard: Option<batch::shard::ShardSpec>,

    /// Number of shards: for --shard env (Kubernetes does not tell a pod), and for --emit
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=i64::from(batch::shard::MAX_SHARDS))
    )]
    pub(crate) shards: Option<u32>,

    /// With --shard: skip the shard if --out DIR already holds it, finished, for the same job
    #[arg(long, requires = "shard")]
    pub(crate) resume: bool,

    /// Write what a cluster user submits into --out DIR, for --shards N shards: slurm (submit.sh) or k8s (job.yaml, merge-job.yaml); submits nothing
    #[arg(
        long,
        value_enum,
        value_name = "ENGINE",
        requires_all = ["shards", "out"]
    )]
    pub(crate) emit: Option<EmitEngine>,

    /// With --emit: most shards running at once (Slurm's % throttle, Kubernetes' parallelism)
    #[arg(
        long,
        value_name = "K",
        requires = "emit",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub(crate) max_parallel: Option<u32>,

    /// With --emit k8s: the container image (default swapsim:VERSION, built from the Containerfile)
    #[arg(long, value_name = "NAME", requires = "emit")]
    pub(crate) image: Option<String>,

    /// With --emit: the swapsim binary as the nodes see it (default: this binary; in the image for k8s)
    #[arg(long, value_name = "PATH", requires = "emit")]
    pub(crate) bin: Option<PathBuf>,

    /// With --emit: --out DIR as the nodes see it, when they mount it elsewhere (absolute)
    #[arg(long, value_name = "PATH", requires = "emit")]
    pub(crate) shared_dir: Option<PathBuf>,
}

/// The cluster engine of `--emit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum EmitEngine {
    Slurm,
    K8s,
}

/// `swapsim merge`.
#[derive(Debug, Args)]
#[command(group = report_target())]
pub(crate) struct MergeArgs {
    /// Directories holding shard files (shard-*.jsonl), or the files
    #[arg(value_name = "DIR", required = true)]
    pub(crate) shards: Vec<PathBuf>,

    /// Compare the KPIs with the scenario's [targets]; exit 1 if one is missed
    #[arg(long, help_heading = "Targets")]
    pub(crate) check: bool,

    /// Output on stdout: table (for people), json or csv (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: Format,

    /// Write the files of `run --out` (summary.json, timeseries.csv, ready.csv, profiles.json, context.json, results.xlsx, charts/*.svg) or, for a sweep's shards, of `sweep --out` into DIR
    #[arg(
        long,
        short,
        value_name = "DIR",
        required = true,
        help_heading = "Output"
    )]
    pub(crate) out: PathBuf,

    /// Write into an --out DIR that already holds files
    #[arg(long, help_heading = "Output")]
    pub(crate) force: bool,

    /// In the table, show every site; by default a run of more than 20 sites shows the network and the 10 worst
    #[arg(long, help_heading = "Output")]
    pub(crate) all_sites: bool,

    #[command(flatten)]
    pub(crate) html: HtmlArgs,

    /// `--max-memory`: a merge holds every replication's result, as the
    /// run on one machine would.
    #[command(flatten, next_help_heading = "Execution")]
    pub(crate) limits: crate::limits::Limits,
}

/// `swapsim check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Scenario file (TOML)
    #[arg(value_name = "FILE")]
    pub(crate) scenario: PathBuf,

    #[command(flatten)]
    pub(crate) warnings: Warnings,
}

/// `swapsim plan`.
#[derive(Debug, Args)]
#[command(group = report_target())]
pub(crate) struct PlanArgs {
    /// Scenario file (TOML) with a [targets] section
    #[arg(value_name = "FILE")]
    pub(crate) scenario: PathBuf,

    /// Base seed of the random streams, shared by every candidate
    #[arg(long, value_name = "N", help_heading = "Scenario overrides")]
    pub(crate) seed: Option<u64>,

    /// Days per replication, warm-up included (must exceed it)
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DAYS)),
        help_heading = "Scenario overrides"
    )]
    pub(crate) days: Option<u32>,

    #[command(flatten)]
    pub(crate) threads: Threads,

    #[command(flatten)]
    pub(crate) warnings: Warnings,

    /// Output on stdout: table (for people), json or csv (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = PlanFormat::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: PlanFormat,

    /// Also write DIR/plan.toml (a scenario `run` accepts), plan.json, plan.csv, plan.xlsx, the plan's run files and charts/*.svg
    #[arg(long, short, value_name = "DIR", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,

    /// Write into an --out DIR that already holds files
    #[arg(long, help_heading = "Output")]
    pub(crate) force: bool,

    /// In the table, show every site; by default a plan of more than 20 sites shows the 10 closest to a limit
    #[arg(long, help_heading = "Output")]
    pub(crate) all_sites: bool,

    #[command(flatten)]
    pub(crate) html: HtmlArgs,
}

/// `swapsim compare`.
#[derive(Debug, Args)]
#[command(group = report_target())]
pub(crate) struct CompareArgs {
    /// Scenario files (TOML); differences are to the first
    #[arg(value_name = "FILE", required = true, num_args = 2..)]
    pub(crate) scenarios: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) overrides: Overrides,

    #[command(flatten)]
    pub(crate) threads: Threads,

    #[command(flatten)]
    pub(crate) warnings: Warnings,

    /// Output on stdout: table (for people), json or csv (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: Format,

    /// Also write DIR/compare.json, context.json, compare.xlsx and charts/*.svg (DIR is created if missing)
    #[arg(long, short, value_name = "DIR", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,

    /// Write into an --out DIR that already holds files
    #[arg(long, help_heading = "Output")]
    pub(crate) force: bool,

    /// In the table, show every shared site; by default a comparison of more than 20 sites shows the 10 closest to a limit
    #[arg(long, help_heading = "Output")]
    pub(crate) all_sites: bool,

    #[command(flatten)]
    pub(crate) html: HtmlArgs,
}

/// `swapsim sweep`.
#[derive(Debug, Args)]
#[command(group = report_target())]
pub(crate) struct SweepArgs {
    /// Sweep file (TOML): a [sweep] naming the scenario, mode and design, and [[axis]] tables
    #[arg(value_name = "FILE")]
    pub(crate) sweep: PathBuf,

    #[command(flatten)]
    pub(crate) overrides: Overrides,

    #[command(flatten)]
    pub(crate) threads: Threads,

    #[command(flatten)]
    pub(crate) warnings: Warnings,

    /// Output on stdout: table (for people), json (sweep.json) or csv (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: Format,

    /// Also write DIR/sweep.json, sweep.csv, report.html and each point's run files in DIR/points/NNNN/
    #[arg(long, short, value_name = "DIR", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,

    /// Write into an --out DIR that already holds files
    #[arg(long, help_heading = "Output")]
    pub(crate) force: bool,

    /// Also write the sweep's report to FILE (replaced if it exists)
    #[arg(long, value_name = "FILE", help_heading = "Report")]
    pub(crate) html: Option<PathBuf>,

    /// Language of the report: zh (Chinese) or en (English)
    #[arg(
        long,
        value_enum,
        value_name = "LANG",
        default_value_t = Lang::Zh,
        hide_possible_values = true,
        requires = "report_target",
        help_heading = "Report"
    )]
    pub(crate) lang: Lang,

    #[command(flatten)]
    pub(crate) cluster: ClusterArgs,
}

/// `swapsim import-survey`.
#[derive(Debug, Args)]
pub(crate) struct ImportSurveyArgs {
    /// Survey sheet (CSV UTF-8, or an .xlsx workbook), one row per community
    #[arg(value_name = "SHEET")]
    pub(crate) sheet: PathBuf,

    /// Sheet of an .xlsx workbook to read (default: its first)
    #[arg(long = "sheet", value_name = "NAME")]
    pub(crate) sheet_name: Option<String>,

    /// Scenario (TOML) that supplies everything the sheet does not
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) template: PathBuf,

    /// Write the scenario to FILE instead of stdout
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,
}

/// `swapsim report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// A directory that run, plan or compare --out wrote, or one JSON result of theirs
    #[arg(value_name = "RESULT")]
    pub(crate) result: PathBuf,

    /// HTML file to write (replaced if it exists)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub(crate) html: PathBuf,

    /// Language of the report: zh (Chinese) or en (English)
    #[arg(
        long,
        value_enum,
        value_name = "LANG",
        default_value_t = Lang::Zh,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) lang: Lang,

    /// Also write each chart as DIR/NAME.svg (DIR is created if missing)
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub(crate) charts: Option<PathBuf>,

    /// Write into a --charts DIR that already holds files
    #[arg(long, help_heading = "Output")]
    pub(crate) force: bool,

    /// Also write each chart as DIR/NAME.png (needs a font with Chinese glyphs)
    #[arg(long, requires = "charts", help_heading = "Output")]
    pub(crate) png: bool,

    /// Font for --png (.ttf, .otf or .ttc); default: $SWAPSIM_FONT, else a system CJK font
    #[arg(long, value_name = "FILE", requires = "png", help_heading = "Output")]
    pub(crate) font: Option<PathBuf>,

    /// Colour the site map by this KPI (a JSON name, like flying_wire_per_1000_bikes_day) instead of target status
    #[arg(long, value_name = "KPI", value_parser = kpi_name, help_heading = "Output")]
    pub(crate) map_kpi: Option<String>,
}

/// How `run` and `compare` print their result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    // No doc comments here: clap would turn them into a long `--help`.
    Table,
    Json,
    Csv,
}

/// How `plan` prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    Table,
    Json,
    Csv,
}

/// The language of an HTML report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Lang {
    Zh,
    En,
}

/// The sites `weekly` searches for the adoption at which the plan stops
/// holding (each search is about ten runs of the plan).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Headroom {
    /// The sites whose demand runs above the plan's interval.
    Above,
    /// Every site.
    All,
    /// None: no runs.
    None,
}

/// `swapsim calibrate --help`: 1 only with `--check`.
const CALIBRATE_EXIT_CODES: &str = "\
Exit codes:
  0  success; with --check, every site of the log fits the calibrated scenario
  1  --check found a site that misses by more than the tolerance (the file is still written)
  2  usage or I/O error, a log or scenario that cannot be read, sites that differ without --partial,
     or with --check a run past --max-memory or of fewer than 2 replications";

/// `swapsim backtest --help`.
const BACKTEST_EXIT_CODES: &str = "\
Exit codes:
  0  every site of the log fits the scenario within the tolerances
  1  a site misses by more than a tolerance (the fits are still printed)
  2  usage or I/O error, a log or scenario that cannot be read, or a run past --max-memory or of fewer than 2 replications";

/// How to read a swap log: `--skip-bad-rows` and `--sheet`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Swap log")]
pub(crate) struct LogArgs {
    /// Skip rows that cannot be read, and count them, instead of failing
    #[arg(long)]
    pub(crate) skip_bad_rows: bool,

    /// Sheet of an .xlsx log to read (default: its first)
    #[arg(long = "sheet", value_name = "NAME")]
    pub(crate) sheet_name: Option<String>,
}

/// `--tolerance` of `backtest` and `calibrate --check`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Backtest")]
pub(crate) struct ToleranceArgs {
    /// Largest relative miss of a site's daily swap requests (0.15 = 15 %)
    #[arg(long, value_name = "SHARE", default_value_t = records::DEFAULT_TOLERANCE, value_parser = share)]
    pub(crate) tolerance: f64,

    /// Also judge the stockout share: the largest difference, in share of requests (0.05 = 5 points)
    #[arg(long, value_name = "SHARE", value_parser = share)]
    pub(crate) stockout_tolerance: Option<f64>,
}

/// A share in (0, 10].
fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 10.0 => Ok(x),
        _ => Err("expected a share above 0, like 0.15 for 15 %".to_owned()),
    }
}

/// `swapsim calibrate`.
#[derive(Debug, Args)]
pub(crate) struct CalibrateArgs {
    /// Swap log: CSV (UTF-8) or an .xlsx workbook, one row per swap attempt
    #[arg(value_name = "LOG")]
    pub(crate) log: PathBuf,

    /// Scenario (TOML) to calibrate; its sites are the log's
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) scenario: PathBuf,

    /// Write the calibrated scenario to FILE (and the estimates to stdout) instead of the scenario to stdout
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,

    /// Users averaging at least this many swaps a day are couriers
    #[arg(long, value_name = "SWAPS", default_value_t = records::DEFAULT_COURIER_THRESHOLD, value_parser = share)]
    pub(crate) courier_threshold: f64,

    /// Calibrate the sites the log and the scenario share; skip the others
    #[arg(long)]
    pub(crate) partial: bool,

    /// Then backtest the calibrated scenario on the log; exit 1 if a site misses (without --out: print the estimates and the fits only)
    #[arg(long, help_heading = "Backtest")]
    pub(crate) check: bool,

    #[command(flatten)]
    pub(crate) tolerance: ToleranceArgs,

    #[command(flatten)]
    pub(crate) read: LogArgs,

    #[command(flatten)]
    pub(crate) overrides: Overrides,

    #[command(flatten)]
    pub(crate) threads: Threads,
}

/// `swapsim backtest`.
#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    /// Swap log: CSV (UTF-8) or an .xlsx workbook, one row per swap attempt
    #[arg(value_name = "LOG")]
    pub(crate) log: PathBuf,

    /// Scenario file (TOML)
    #[arg(value_name = "SCENARIO")]
    pub(crate) scenario: PathBuf,

    #[command(flatten)]
    pub(crate) tolerance: ToleranceArgs,

    /// Output on stdout: table (for people), json or csv (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: Format,

    /// Also write the backtest's report to FILE (replaced if it exists)
    #[arg(long, value_name = "FILE", help_heading = "Report")]
    pub(crate) html: Option<PathBuf>,

    /// Language of the report: zh (Chinese) or en (English)
    #[arg(
        long,
        value_enum,
        value_name = "LANG",
        default_value_t = Lang::Zh,
        hide_possible_values = true,
        requires = "html",
        help_heading = "Report"
    )]
    pub(crate) lang: Lang,

    #[command(flatten)]
    pub(crate) read: LogArgs,

    #[command(flatten)]
    pub(crate) overrides: Overrides,

    #[command(flatten)]
    pub(crate) threads: Threads,
}

/// `swapsim weekly --help`.
const WEEKLY_EXIT_CODES: &str = "\
Exit codes:
  0  success (sites above the plan are listed with their actions)
  2  usage or I/O error, a log or plan directory that cannot be read, or a week outside the log";

/// `swapsim weekly`.
#[derive(Debug, Args)]
pub(crate) struct WeeklyArgs {
    /// Swap log: CSV (UTF-8) or an .xlsx workbook, one row per swap attempt
    #[arg(value_name = "LOG")]
    pub(crate) log: PathBuf,

    /// The directory `plan --out` wrote (plan.toml, summary.json)
    #[arg(long, value_name = "PLANDIR", required = true)]
    pub(crate) plan: PathBuf,

    /// The ISO week to report, like 2024-W14
    #[arg(long, value_name = "YYYY-Www", required = true)]
    pub(crate) week: String,

    /// A site runs above the plan past the top of its interval by more than this share
    #[arg(long, value_name = "SHARE", default_value_t = records::DEFAULT_TOLERANCE, value_parser = share)]
    pub(crate) tolerance: f64,

    /// Where to search for the adoption at which the plan stops holding: above (sites above the plan), all, or none
    #[arg(
        long,
        value_enum,
        value_name = "SITES",
        default_value_t = Headroom::Above,
        hide_possible_values = true,
        help_heading = "Headroom"
    )]
    pub(crate) headroom: Headroom,

    /// Output on stdout: table (for people), json or csv (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: Format,

    /// Also write weekly.json, weekly.csv and weekly.xlsx into DIR (created if missing; other files left alone)
    #[arg(long, short, value_name = "DIR", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,

    /// Replace weekly.json, weekly.csv and weekly.xlsx if DIR already holds them
    #[arg(long, help_heading = "Output")]
    pub(crate) force: bool,

    /// Also write the weekly operations report to FILE (replaced if it exists)
    #[arg(long, value_name = "FILE", help_heading = "Report")]
    pub(crate) html: Option<PathBuf>,

    /// Language of the report: zh (Chinese) or en (English)
    #[arg(
        long,
        value_enum,
        value_name = "LANG",
        default_value_t = Lang::Zh,
        hide_possible_values = true,
        help_heading = "Report"
    )]
    pub(crate) lang: Lang,

    #[command(flatten)]
    pub(crate) read: LogArgs,

    #[command(flatten)]
    pub(crate) threads: Threads,
}
