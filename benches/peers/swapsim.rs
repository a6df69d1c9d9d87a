//! swapsim's side of the SimPy comparison (`benches/peers/run.sh`).
//!
//! Not a criterion bench: a plain binary that loads each scenario file
//! given, runs its replications one after the other on this thread, and
//! prints one JSON line per scenario with the events handled, the seconds
//! spent in `sim_core::simulate_replication` (loading and summarising are
//! not timed) and the network KPIs, as `swapsim run --format json` reports
//! them:
//!
//! ```text
//! cargo bench --bench peers -- [--days N] [--replications N] FILE.toml...
//! ```
//!
//! Without files it runs `scenarios/mmc10.toml` and
//! `scenarios/cc-cv-cabinet.toml` as they are, so `cargo bench` stays quick.
//!
//! Events are counted as the engine counts them (`Replication::events`):
//! handled events, stale ones excluded. On M/M/10 that is one arrival per
//! request plus one charge completion per swap; on the CC-CV cabinet,
//! arrivals, charge stages that run to their end, and abandonments.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Scenarios run when none is given.
const DEFAULT_SCENARIOS: [&str; 2] = ["scenarios/mmc10.toml", "scenarios/cc-cv-cabinet.toml"];

/// What to run.
struct Args {
    /// Days per replication, warm-up included; `None` = the file's.
    days: Option<u32>,
    /// Replications; `None` = the file's.
    replications: Option<u32>,
    /// Scenario files.
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("peers: {message}");
            eprintln!(
                "usage: cargo bench --bench peers -- [--days N] [--replications N] FILE.toml..."
            );
            return ExitCode::from(2);
        }
    };
    for file in &args.files {
        let mut model = match scenarios::load(file) {
            Ok(model) => model,
            Err(e) => {
                eprintln!("peers: {}: {e}", file.display());
                return ExitCode::from(2);
            }
        };
        if let Some(days) = args.days {
            model.days = days;
        }
        if let Some(replications) = args.replications {
            model.replications = replications;
        }
        println!("{}", measure(&model));
    }
    ExitCode::SUCCESS
}

/// Runs every replication of `model` in turn and reports it as one JSON line.
fn measure(model: &sim_core::Model) -> serde_json::Value {
    let mut seconds = 0.0;
    let mut reps = Vec::with_capacity(model.replications as usize);
    for r in 0..model.replications {
        let started = Instant::now();
        let rep = sim_core::simulate_replication(model, r);
        seconds += started.elapsed().as_secs_f64();
        reps.push(rep);
    }
    let events: u64 = reps.iter().map(|r| r.events).sum();
    let result = sim_core::summarise(model, &reps);
    serde_json::json!({
        "side": "swapsim",
        "scenario": model.name,
        "days": model.days,
        "warmup_days": model.warmup_days,
        "replications": model.replications,
        "events": events,
        "seconds": seconds,
        "events_per_s": events as f64 / seconds.max(1e-12),
        "network": result.network,
    })
}

/// Reads `--days N`, `--replications N` and file names; ignores the
/// `--bench` flag that `cargo bench` passes to every bench binary.
fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        days: None,
        replications: None,
        files: Vec::new(),
    };
    while let Some(arg) = raw.next() {
        match arg.as_str() {
            "--bench" => {}
            "--days" => args.days = Some(number(&arg, raw.next())?),
            "--replications" => args.replications = Some(number(&arg, raw.next())?),
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`")),
            file => args.files.push(PathBuf::from(file)),
        }
    }
    if args.files.is_empty() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        args.files = DEFAULT_SCENARIOS.iter().map(|f| root.join(f)).collect();
    }
    Ok(args)
}

/// The positive integer after `flag`.
fn number(flag: &str, value: Option<String>) -> Result<u32, String> {
    value
        .as_deref()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{flag}` needs a positive integer"))
}
