//! The `swapsim` command line as a library, so tests can run it in-process.
//!
//! Architecture invariant: this is the only crate that knows exit codes,
//! stdout and stderr. It parses arguments in two layers (raw clap arguments,
//! then a resolved configuration with the scenario loaded and the overrides
//! applied), calls [`sim_core::run`], and formats the result. Simulation and
//! validation live in `sim-core` and `scenarios`.
//!
//! # Streams
//!
//! Data (tables, JSON) goes to stdout; errors, and progress when stderr is a
//! terminal, go to stderr. A closed stdout pipe (`swapsim run x.toml | head`)
//! counts as success.
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
mod config;
mod error;
mod output;
mod table;

use std::ffi::OsString;
use std::io::Write;
use std::time::Instant;

use clap::{CommandFactory, Parser};

use crate::args::{CheckArgs, Cli, Command, Format, RunArgs};
use crate::config::RunConfig;
use crate::error::{Error, report};

/// Process exit codes; the same list is in `--help` and README.md.
pub mod exit {
    /// The command did what was asked (a closed stdout pipe included).
    pub const SUCCESS: u8 = 0;
    /// The run finished but the scenario's targets were missed. Reserved:
    /// no command returns it yet.
    pub const TARGETS_MISSED: u8 = 1;
    /// A usage, scenario or I/O error; the reason is on stderr.
    pub const ERROR: u8 = 2;
}

/// Whether to report progress (what runs, how long it took) on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Say nothing unless something fails: for pipes, files and tests.
    Hidden,
    /// Report progress on stderr: for a person watching a terminal.
    Stderr,
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
            let shown = stdout.write_all(e.render().to_string().as_bytes());
            return exit_code(shown.map_err(Error::Stdout), stdout, stderr);
        }
    };
    let done = match cli.command {
        Command::Run(args) => run(args, stdout, stderr, progress),
        Command::Check(args) => check(&args, stdout),
    };
    exit_code(done, stdout, stderr)
}

/// Flushes stdout and turns the outcome into an exit code, reporting an
/// error on stderr. A closed stdout pipe counts as success.
fn exit_code(done: Result<(), Error>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    match done.and_then(|()| stdout.flush().map_err(Error::Stdout)) {
        Ok(()) => exit::SUCCESS,
        Err(e) if e.is_broken_pipe() => exit::SUCCESS,
        Err(e) => {
            report(&e, stderr);
            exit::ERROR
        }
    }
}

/// `swapsim run`.
fn run(
    args: RunArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress: Progress,
) -> Result<(), Error> {
    let config = RunConfig::resolve(args)?;
    let model = &config.model;
    let say = |stderr: &mut dyn Write, text: std::fmt::Arguments<'_>| {
        if progress == Progress::Stderr {
            let _ = writeln!(stderr, "swapsim: {text}");
        }
    };
    let threads = match config.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    say(
        stderr,
        format_args!(
            "running '{}': {} of {} on {}",
            config.scenario.display(),
            count(u64::from(model.replications), "replication"),
            count(u64::from(model.days), "day"),
            count(threads as u64, "thread"),
        ),
    );
    let started = Instant::now();
    let result = sim_core::run(model, config.threads);
    let seconds = started.elapsed().as_secs_f64();
    say(
        stderr,
        format_args!(
            "done in {seconds:.2} s: {} events, {:.1} M events/s",
            result.events,
            result.events as f64 / seconds.max(1e-9) / 1e6,
        ),
    );

    let json = output::json(&result);
    if let Some(dir) = &config.out {
        output::write_atomically(dir, output::SUMMARY_FILE, json.as_bytes())?;
        say(
            stderr,
            format_args!("wrote {}", dir.join(output::SUMMARY_FILE).display()),
        );
    }
    let text = match config.format {
        Format::Json => json,
        Format::Table => table::render(&result),
    };
    stdout.write_all(text.as_bytes()).map_err(Error::Stdout)
}

/// `swapsim check`: prints `ok: FILE: N sites` when the scenario is valid.
fn check(args: &CheckArgs, stdout: &mut dyn Write) -> Result<(), Error> {
    let model = scenarios::load(&args.scenario)?;
    let n = model.sites.len();
    writeln!(
        stdout,
        "ok: {}: {}",
        args.scenario.display(),
        count(n as u64, "site")
    )
    .map_err(Error::Stdout)
}

/// `1 site`, `2 sites`.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
