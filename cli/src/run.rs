//! `swapsim run` and `swapsim check`.

use std::time::Instant;

use sim_core::{Model, Replication, RunResult};

use crate::args::{CheckArgs, Format};
use crate::config::{RunConfig, RunMode, Warnings};
use crate::error::Error;
use crate::streams::{Bar, Streams};
use crate::{Status, cluster, count, html, output, table, workbook};

/// `swapsim run`: simulates, prints the KPIs, writes the `--out` files and
/// the `--html` report and, with `--check`, compares the KPIs with the
/// scenario's targets.
pub(crate) fn run(config: &RunConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    match &config.mode {
        RunMode::Whole => {}
        RunMode::Shard { shard, resume } => {
            return cluster::run_shard(config, *shard, *resume, streams);
        }
        RunMode::Emit { engine, job } => {
            return cluster::emit(
                &config.scenario,
                config.out.as_deref(),
                *engine,
                job,
                streams,
            );
        }
    }
    let model = &config.model;
    streams.say(format_args!(
        "running '{}': {} of {} on {}",
        config.scenario.display(),
        count(u64::from(model.replications), "replication"),
        count(u64::from(model.days), "day"),
        count(crate::threads(config.threads) as u64, "thread"),
    ));
    let started = Instant::now();
    let bar = Bar::new(streams, u64::from(model.replications), model.days, "run");
    let result = sim_core::summarise(model, &replications(model, config.threads, &bar));
    bar.clear();
    let seconds = started.elapsed().as_secs_f64();
    streams.say(format_args!(
        "done in {seconds:.2} s: {} events, {:.1} M events/s",
        result.events,
        result.events as f64 / seconds.max(1e-9) / 1e6,
    ));
    finish(config, &result, streams)
}

/// Writes `result`, the run of `config`, as `run` does: the `--out`
/// files, the `--html` report, stdout and, with `--check`, the targets.
/// `merge` ends the same way, so its files are the run's.
pub(crate) fn finish(
    config: &RunConfig,
    result: &RunResult,
    streams: &mut Streams<'_>,
) -> Result<Status, Error> {
    let model = &config.model;
    let context = html::context(&config.scenario, model, &config.comments);
    let input = || report::ReportInput {
        context: context.clone(),
        ..report::ReportInput::from_run(result, model)
    };
    let files = config.out.as_ref().map(|_| {
        let mut files = output::run_files(result, &context);
        let file = config.scenario.display().to_string();
        let book = workbook::run(&file, model, result, config.reports.lang);
        files.push((workbook::RUN_FILE, book));
        files
    });
    let out = config.out.as_deref().zip(files.as_deref());
    html::write_result(out, &config.reports, input, streams)?;
    let text = match config.format {
        Format::Json => output::json(result),
        Format::Csv => output::run_csv(result),
        Format::Table => table_text(config, result),
    };
    streams.out(&text)?;
    if config.check {
        Ok(check_targets(config, result, streams))
    } else {
        Ok(Status::Success)
    }
}

/// Runs of more sites than this print the network and the worst sites
/// only, unless `--all-sites` is given.
pub(crate) const MANY_SITES: usize = 20;

/// The worst sites a large run's table shows.
pub(crate) const WORST_SITES: usize = 10;

/// `--format table`: every site of a small run (or with `--all-sites`);
/// for a large run, the network and the [`WORST_SITES`] worst sites, worst
/// first, and a line saying how many were left out.
fn table_text(config: &RunConfig, result: &RunResult) -> String {
    let n = result.sites.len();
    if config.all_sites || n <= MANY_SITES {
        return table::render(result);
    }
    let targets = &config.model.targets;
    let worst = worst_sites(result, targets, WORST_SITES);
    let shown = RunResult {
        sites: worst.iter().map(|&s| result.sites[s].clone()).collect(),
        ..result.clone()
    };
    let mut text = table::render(&shown);
    let which = if targets.any() {
        // A site's misses are listed together.
        let mut missing: Vec<String> = result.misses(targets).into_iter().map(|m| m.site).collect();
        missing.dedup();
        format!(
            "closest to their targets by the upper 95% bound ({} of {n} miss one)",
            missing.len()
        )
    } else {
        "with the highest lost-swap rate".to_owned()
    };
    text.push_str(&format!(
        "\nshown: the network and the {} {which}; {} of {n} left out: \
         pass --all-sites to show every site\n",
        count(worst.len() as u64, "site"),
        n - worst.len(),
    ));
    text
}

/// The indices of the `k` worst sites of `result`, worst first: by the
/// largest ratio of a KPI's upper 95% bound to its target (over 1: the
/// target is missed), or without targets by the lost-swap rate. Ties keep
/// the scenario's order.
pub(crate) fn worst_sites(result: &RunResult, targets: &sim_core::Targets, k: usize) -> Vec<usize> {
    let score = |site: &sim_core::SiteResult| -> f64 {
        if !targets.any() {
            return site.kpis.lost_swap_rate.ci95_high;
        }
        targets
            .list()
            .iter()
            .filter_map(|&(kpi, limit)| {
                let (limit, estimate) = (limit?, site.kpis.get(kpi)?);
                Some(match estimate.ci95_high / limit {
                    // A zero limit: any positive value misses it.
                    ratio if ratio.is_nan() => 0.0,
                    ratio => ratio,
                })
            })
            .fold(0.0, f64::max)
    };
    let scores: Vec<f64> = result.sites.iter().map(score).collect();
    let mut order: Vec<usize> = (0..result.sites.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order.truncate(k);
    order
}

/// Runs every replication of `model` on `threads` threads (0 = all
/// cores), in replication order, counting each simulated day on `bar`.
///
/// This is [`sim_core::run_replications`] with a progress count: replication
/// `r` depends on the seed and `r` alone, so the result does not depend on
/// the threads or on the bar (a test checks it against the engine's).
pub(crate) fn replications(model: &Model, threads: usize, bar: &Bar) -> Vec<Replication> {
    sim_core::run_replications_with(model, threads, 0..model.replications, bar)
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
    let loaded = crate::config::load(&args.scenario)?;
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
        let bar = Bar::new(&streams, 5, model.days, "test");
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
