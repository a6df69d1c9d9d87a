//! `swapsim run` and `swapsim check`.

use std::time::Instant;

use sim_core::RunResult;

use crate::args::{CheckArgs, Format};
use crate::config::RunConfig;
use crate::error::Error;
use crate::streams::Streams;
use crate::{Status, count, output, table, timeseries};

/// `swapsim run`: simulates, prints the KPIs, writes `--out` files and,
/// with `--check`, compares the KPIs with the scenario's targets.
pub(crate) fn run(config: &RunConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let model = &config.model;
    streams.say(format_args!(
        "running '{}': {} of {} on {}",
        config.scenario.display(),
        count(u64::from(model.replications), "replication"),
        count(u64::from(model.days), "day"),
        count(crate::threads(config.threads) as u64, "thread"),
    ));
    let started = Instant::now();
    let result = sim_core::run(model, config.threads);
    let seconds = started.elapsed().as_secs_f64();
    streams.say(format_args!(
        "done in {seconds:.2} s: {} events, {:.1} M events/s",
        result.events,
        result.events as f64 / seconds.max(1e-9) / 1e6,
    ));

    let json = output::json(&result);
    if let Some(dir) = &config.out {
        let series = &result.timeseries;
        let files = [
            (output::SUMMARY_FILE, json.clone().into_bytes()),
            (
                output::TIMESERIES_FILE,
                timeseries::load_csv(series, result.warmup_days),
            ),
            (
                output::READY_FILE,
                timeseries::ready_csv(series, result.warmup_days),
            ),
        ];
        for (name, contents) in files {
            output::write_atomically(dir, name, &contents)?;
            streams.say(format_args!("wrote {}", dir.join(name).display()));
        }
    }
    let text = match config.format {
        Format::Json => json,
        Format::Table => table::render(&result),
    };
    streams.out(&text)?;
    if config.check {
        Ok(check_targets(config, &result, streams))
    } else {
        Ok(Status::Success)
    }
}

/// Tells every missed target on stderr, one line each, or that all are
/// met.
fn check_targets(config: &RunConfig, result: &RunResult, streams: &mut Streams<'_>) -> Status {
    let misses = result.misses(&config.model.targets);
    for miss in &misses {
        streams.tell(format_args!(
            "target missed: site '{}': {} {} > {}",
            miss.site,
            miss.kpi,
            table::interval(miss.estimate),
            miss.limit
        ));
    }
    if misses.is_empty() {
        let checked = config
            .model
            .targets
            .list()
            .iter()
            .filter(|(_, limit)| limit.is_some())
            .count();
        streams.tell(format_args!(
            "all targets met: {} at {} by the upper 95% bound",
            count(checked as u64, "target"),
            count(result.sites.len() as u64, "site"),
        ));
        Status::Success
    } else {
        Status::TargetsMissed
    }
}

/// `swapsim check`: prints `ok: FILE: N sites` when the scenario is valid.
pub(crate) fn check(args: &CheckArgs, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let model = scenarios::load(&args.scenario)?;
    let n = model.sites.len();
    streams.out(&format!(
        "ok: {}: {}\n",
        args.scenario.display(),
        count(n as u64, "site")
    ))?;
    Ok(Status::Success)
}
