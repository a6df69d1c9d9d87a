//! The `swapsim` command line as a library, so tests can run it in-process.
//!
//! Architecture invariant: this is the only crate that knows exit codes,
//! stdout and stderr. It parses arguments in two layers (raw clap arguments,
//! then a resolved configuration with the scenario loaded and the overrides
//! applied), calls the engine ([`sim_core::run`], [`sim_core::planner::plan`],
//! [`sim_core::run_replications`]) or the scenario layer
//! ([`scenarios::plan_file`], `scenarios::import_survey`), and formats the
//! result. Simulation and validation live in `sim-core` and `scenarios`;
//! the HTML report and its charts in `report`, which writes no files.
//!
//! One module per command (`run`, `plan`, `compare`, `sweep`, `survey`, and `html`
//! for `report` and every `--html`), the two argument layers (`args`,
//! `config`), and the output (`streams` for stdout and stderr, `table`,
//! `output` and `timeseries` for formats and files).
//!
//! # Files
//!
//! Every file is written to a temporary file next to it and renamed, so a
//! reader never sees half of one. An `--out` or `--charts` directory that
//! already holds files is refused unless `--force` is given; `--html FILE`
//! is replaced without asking.
//!
//! # Streams
//!
//! Data (tables, JSON, CSV) goes to stdout; errors, missed targets, and
//! progress when stderr is a terminal (unless `--quiet`), go to stderr.
//! Progress of `run`, `plan` and `compare` is an `indicatif` bar. A
//! closed stdout pipe (`swapsim run x.toml | head`) is not an error: the
//! command ends with the exit code it would have had.
//!
//! # Example
//!
//! ```no_run
//! use swapsim_cli::{Progress, exit, main_with};
//!
//! let (mut out, mut err) = (Vec::new(), Vec::new());
//! let args = ["swapsim", "check", "scenarios/erlang-b.toml"];
//! let code = main_with(args, &mut out, &mut err, Progress::Hidden);
//! assert_eq!(code, exit::SUCCESS);
//! assert_eq!(String::from_utf8(out).unwrap(), "ok: scenarios/erlang-b.toml: 1 site\n");
//! ```

mod args;
mod cluster;
mod compare;
mod config;
mod error;
mod html;
mod limits;
mod output;
mod plan;
mod run;
mod streams;
mod survey;
mod swaps;
mod sweep;
mod table;
mod timeseries;
mod workbook;

use std::ffi::OsString;
use std::io::Write;

use clap::{CommandFactory, Parser};
use sim_core::alloc::OutOfMemory;

use crate::args::{Cli, Command};
use crate::config::{
    CompareConfig, ImportConfig, PlanConfig, ReportConfig, RunConfig, SweepConfig,
};
use crate::error::{Error, report};
use crate::streams::Streams;

/// Process exit codes; the same list is in `--help` and README.md.
pub mod exit {
    /// The command did what was asked (a closed stdout pipe included).
    pub const SUCCESS: u8 = 0;
    /// The run finished but the scenario's targets were missed: `run
    /// --check` (or `merge --check` of its shards) found a KPI above its
    /// limit, or `plan` found no feasible deployment; or a site of a swap
    /// log missed the scenario by more than the tolerance (`backtest`,
    /// `calibrate --check`).
    pub const TARGETS_MISSED: u8 = 1;
    /// A usage, scenario or I/O error; the reason is on stderr.
    pub const ERROR: u8 = 2;
}

/// Whether to report progress (what runs, how long it took) on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Say nothing unless something fails: for pipes, files and tests.
    Hidden,
    /// Report progress on stderr: for a person watching a terminal. The
    /// progress bars of `run`, `plan` and `compare` draw on the process's stderr
    /// directly, so pass this only when that is the `stderr` given.
    Stderr,
}

/// How a command that ran to its end came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Done, and any targets checked were met.
    Success,
    /// Done, but a target was missed or no plan meets them.
    TargetsMissed,
}

/// The clap command, for `--help` and for `Command::debug_assert()` tests.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Runs `swapsim` with `args` (the program name first, as in
/// [`std::env::args_os`]) and returns the process exit code (see [`exit`]).
///
/// Never panics on bad input: usage, scenario and I/O errors are written to
/// `stderr` and give [`exit::ERROR`].
pub fn main_with<I, T>(
    args: I,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress: Progress,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            let _ = stderr.write_all(e.render().to_string().as_bytes());
            return exit::ERROR;
        }
        // `--help` and `--version`: data for stdout.
        Err(e) => {
            let mut streams = Streams::new(stdout, stderr, false);
            let shown = streams.out(&e.render().to_string());
            return exit_code(shown.map(|()| Status::Success), &mut streams);
        }
    };
    let show_progress = progress == Progress::Stderr && !cli.quiet;
    let mut streams = Streams::new(stdout, stderr, show_progress);
    let done = out_of_memory_as_error(|| dispatch(cli.command, &mut streams));
    exit_code(done, &mut streams)
}

/// Runs `command`, turning a refused allocation of the engine
/// ([`sim_core::alloc::OutOfMemory`]) into an error instead of an abort.
/// Any other panic goes on unwinding: it is a bug, and says where.
fn out_of_memory_as_error(
    command: impl FnOnce() -> Result<Status, Error>,
) -> Result<Status, Error> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        // The refusal is reported as an error; the default hook would
        // print it as a panic first.
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<OutOfMemory>().is_none() {
                default(info);
            }
        }));
    });
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(command)) {
        Ok(done) => done,
        Err(payload) => match payload.downcast::<OutOfMemory>() {
            Ok(refused) => Err(Error::OutOfMemory(*refused)),
            Err(other) => std::panic::resume_unwind(other),
        },
    }
}

/// Runs one command.
fn dispatch(command: Command, streams: &mut Streams<'_>) -> Result<Status, Error> {
    match command {
        Command::Run(args) => RunConfig::resolve(args).and_then(|config| {
            config.warnings.tell(streams)?;
            run::run(&config, streams)
        }),
        Command::Check(args) => run::check(&args, streams),
        Command::Plan(args) => PlanConfig::resolve(args).and_then(|config| {
            config.warnings.tell(streams)?;
            plan::plan(&config, streams)
        }),
        Command::Compare(args) => CompareConfig::resolve(args).and_then(|config| {
            config.warnings.tell(streams)?;
            compare::compare(&config, streams)
        }),
        Command::Sweep(args) => SweepConfig::resolve(args).and_then(|config| {
            config.warnings.tell(streams)?;
            sweep::sweep(&config, streams)
        }),
        Command::ImportSurvey(args) => {
            ImportConfig::resolve(args).and_then(|config| survey::import(config, streams))
        }
        Command::Report(args) => {
            ReportConfig::resolve(args).and_then(|config| html::report(&config, streams))
        }
        Command::Merge(args) => cluster::merge(args, streams),
        Command::Calibrate(args) => swaps::calibrate(&args, streams),
        Command::Backtest(args) => swaps::backtest(&args, streams),
        Command::Weekly(args) => swaps::weekly(&args, streams),
    }
}

/// Flushes stdout and turns the outcome into an exit code, reporting an
/// error on stderr.
fn exit_code(done: Result<Status, Error>, streams: &mut Streams<'_>) -> u8 {
    match done.and_then(|status| streams.flush().map(|()| status)) {
        Ok(Status::Success) => exit::SUCCESS,
        Ok(Status::TargetsMissed) => exit::TARGETS_MISSED,
        Err(e) if e.is_broken_pipe() => exit::SUCCESS,
        Err(e) => {
            report(&e, streams.stderr());
            exit::ERROR
        }
    }
}

/// The worker threads that `threads` (0 = all cores) stands for.
pub(crate) fn threads(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
}

/// `1 site`, `2 sites`.
pub(crate) fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
