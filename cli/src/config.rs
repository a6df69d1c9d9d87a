//! The second layer: a run's configuration, resolved once from the raw
//! arguments. The scenario is loaded and the overrides are applied here, so
//! every inconsistency is reported before anything runs.

use std::path::PathBuf;

use sim_core::Model;

use crate::args::{Format, RunArgs};
use crate::error::Error;

/// Everything `swapsim run` needs, checked.
#[derive(Debug)]
pub(crate) struct RunConfig {
    /// The scenario path as the user wrote it.
    pub(crate) scenario: PathBuf,
    /// The scenario's model with the command-line overrides applied.
    pub(crate) model: Model,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: Format,
    /// Directory to write `summary.json` into.
    pub(crate) out: Option<PathBuf>,
}

impl RunConfig {
    /// Loads the scenario and applies `--seed`, `--replications` and `--days`.
    pub(crate) fn resolve(args: RunArgs) -> Result<RunConfig, Error> {
        let mut model = scenarios::load(&args.scenario)?;
        if let Some(seed) = args.seed {
            model.seed = seed;
        }
        if let Some(replications) = args.replications {
            model.replications = replications;
        }
        if let Some(days) = args.days {
            // The scenario layer checked its own days; an override must keep
            // the same promise to the engine.
            if days <= model.warmup_days {
                return Err(Error::DaysWithinWarmup {
                    days,
                    warmup_days: model.warmup_days,
                    scenario: args.scenario,
                });
            }
            model.days = days;
        }
        Ok(RunConfig {
            scenario: args.scenario,
            model,
            threads: args.threads,
            format: args.format,
            out: args.out,
        })
    }
}
