//! The first layer: raw command-line arguments as clap parses them.
//!
//! Nothing here reads files or checks one flag against another; that is
//! [`crate::config`]'s job, once parsing is done.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shown after every `--help`: scripts depend on these codes.
pub(crate) const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the run finished but targets were missed (reserved)
  2  usage, scenario or I/O error";

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
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Simulate a scenario and print its KPIs with 95% intervals
    #[command(after_help = EXIT_CODES_HELP)]
    Run(RunArgs),
    /// Parse and validate a scenario; report every problem, not just the first
    #[command(after_help = EXIT_CODES_HELP)]
    Check(CheckArgs),
}

/// `swapsim run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario file (TOML)
    #[arg(value_name = "FILE")]
    pub(crate) scenario: PathBuf,

    /// Base seed of the random streams
    #[arg(long, value_name = "N", help_heading = "Scenario overrides")]
    pub(crate) seed: Option<u64>,

    /// Independent replications behind each interval
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Scenario overrides"
    )]
    pub(crate) replications: Option<u32>,

    /// Days per replication, warm-up included (must exceed it)
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Scenario overrides"
    )]
    pub(crate) days: Option<u32>,

    /// Worker threads, 0 = all cores; results do not depend on it
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        help_heading = "Execution"
    )]
    pub(crate) threads: usize,

    /// Output on stdout: table (for people) or json (for scripts)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub(crate) format: Format,

    /// Also write DIR/summary.json (DIR is created if missing)
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub(crate) out: Option<PathBuf>,
}

/// `swapsim check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Scenario file (TOML)
    #[arg(value_name = "FILE")]
    pub(crate) scenario: PathBuf,
}

/// How `run` prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    // No doc comments here: clap would turn them into a long `--help`.
    Table,
    Json,
}
