//! `swapsim run` and `swapsim check`.

use std::time::Instant;

use rayon::prelude::*;
use sim_core::{Model, Replication, RunResult};

use crate::args::{CheckArgs, Format};
use crate::config::{RunConfig, Warnings};
use crate::error::Error;
use crate::streams::{Bar, Streams};
use crate::{Status, count, html, output, table, workbook};

/// `swapsim run`: simulates, prints the KPIs, writes the `--out` files and
/// the `--html` report and, with `--check`, compares the KPIs with the
/// scenario's targets.
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
    let bar = Bar::new(streams, Some(u64::from(model.replications)), "run");
    let result = sim_core::summarise(model, &replications(model, config.threads, &bar));
    bar.clear();
    let seconds = started.elapsed().as_secs_f64();
    streams.say(format_args!(
        "done in {seconds:.2} s: {} events, {:.1} M events/s",
        result.events,
        result.events as f64 / seconds.max(1e-9) / 1e6,
    ));

    let context = html::context(&config.scenario, model, &config.comments);
    let input = || report::ReportInput {
        context: context.clone(),
        ..report::ReportInput::from_run(&result, model)
    };
    let files = config.out.as_ref().map(|_| {
        let mut files = output::run_files(&result, &context);
        let file = config.scenario.display().to_string();
        let book = workbook::run(&file, model, &result, config.reports.lang);
        files.push((workbook::RUN_FILE, book));
        files
    });
    let out = config.out.as_deref().zip(files.as_deref());
    html::write_result(out, &config.reports, input, streams)?;
    let text = match config.format {
        Format::Json => output::json(&result),
        Format::Csv => output::run_csv(&result),
        Format::Table => table::render(&result),
    };
    streams.out(&text)?;
    if config.check {
        Ok(check_targets(config, &result, streams))
    } else {
        Ok(Status::Success)
    }
}

/// Runs every replication of `model` on `threads` threads (0 = all
/// cores), in replication order, counting each on `bar` as it finishes.
///
/// This is [`sim_core::run_replications`] with a progress count: replication
/// `r` depends on the seed and `r` alone, so the result does not depend on
/// the threads or on the bar (a test checks it against the engine's).
pub(crate) fn replications(model: &Model, threads: usize, bar: &Bar) -> Vec<Replication> {
    let one = |r: u32| {
        let replication = sim_core::simulate_replication(model, r);
        bar.advance(1);
        replication
    };
    let work = || (0..model.replications).into_par_iter().map(one).collect();
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        // A pool that cannot start threads still gives the same numbers.
        Err(_) => (0..model.replications).map(one).collect(),
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

/// `swapsim check`: prints `ok: FILE: N sites` when the scenario is valid,
/// after its warnings (which fail it under `--deny-warnings`).
pub(crate) fn check(args: &CheckArgs, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let loaded = scenarios::load_with_warnings(&args.scenario)?;
    Warnings::new(loaded.warnings, &args.warnings).tell(streams)?;
    let n = loaded.model.sites.len();
    streams.out(&format!(
        "ok: {}: {}\n",
        args.scenario.display(),
        count(n as u64, "site")
    ))?;
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two sites, so that sites and the network both count.
    fn model() -> Model {
        let site = |name: &str, batteries| sim_core::SiteSpec {
            name: name.into(),
            cabinets: 1,
            slots_per_cabinet: 12,
            batteries,
            demand: sim_core::Demand::Poisson {
                swaps_per_hour: 1.5,
            },
            ..sim_core::SiteSpec::default()
        };
        Model {
            name: "two".into(),
            days: 3,
            warmup_days: 1,
            replications: 5,
            sites: vec![site("A", 6), site("B", 8)],
            ..Model::default()
        }
    }

    #[test]
    fn replications_are_the_engines_on_any_thread_count() {
        let model = model();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let streams = Streams::new(&mut out, &mut err, false);
        let bar = Bar::new(&streams, Some(5), "test");
        let engine = sim_core::run(&model, 1);
        for threads in [1, 3] {
            let reps = replications(&model, threads, &bar);
            assert_eq!(
                sim_core::summarise(&model, &reps),
                engine,
                "{threads} threads"
            );
        }
    }
}
