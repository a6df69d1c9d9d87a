//! `swapsim sweep`: runs the points of a sweep file (the engine is
//! `batch::sweep`) and prints them, one row per point, and for mode
//! `check` the robustness sentence of each axis.

use std::path::Path;
use std::time::Instant;

use batch::Sweep;
use batch::sweep::{Mode, PointResult, SweepProgress};

use crate::args::Format;
use crate::config::{RunMode, SweepConfig};
use crate::error::Error;
use crate::streams::{Bar, Streams};
use crate::{Status, cluster, count, html, output, table, workbook};

/// The sweep's report in `--out DIR`.
pub(crate) const REPORT_FILE: &str = "report.html";
/// `sweep.json` in `--out DIR`.
pub(crate) const JSON_FILE: &str = "sweep.json";
/// `sweep.csv` in `--out DIR`.
pub(crate) const CSV_FILE: &str = "sweep.csv";
/// The directory of the points' own files in `--out DIR`.
pub(crate) const POINTS_DIR: &str = "points";

/// `swapsim sweep`: runs every point, writes the `--out` files and the
/// `--html` report, and prints the table (or JSON, or CSV).
pub(crate) fn sweep(config: &SweepConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    match &config.mode {
        RunMode::Whole => {}
        RunMode::Shard { shard, resume } => {
            return cluster::sweep_shard(config, *shard, *resume, streams);
        }
        RunMode::Emit { engine, job } => {
            return cluster::emit(&config.path, config.out.as_deref(), *engine, job, streams);
        }
    }
    let sweep = &config.sweep;
    let n = sweep.points().len();
    let first = sweep.model(0);
    streams.say(format_args!(
        "sweeping '{}' ({} of '{}', design {}, mode {}): {} of {} each, on {}",
        config.path.display(),
        count(n as u64, "point"),
        sweep.file.scenario.display(),
        sweep.file.design.name(),
        sweep.file.mode.name(),
        count(u64::from(first.replications), "replication"),
        count(u64::from(first.days), "day"),
        count(crate::threads(config.threads) as u64, "thread"),
    ));
    let started = Instant::now();
    let bar = PointBar(Bar::points(streams, n as u64));
    let results = sweep.run(0..n, config.threads, &bar);
    bar.0.clear();
    streams.say(format_args!(
        "done in {:.2} s",
        started.elapsed().as_secs_f64()
    ));
    finish(config, &results, streams)
}

/// Writes `results`, every point of `config`'s sweep in index order, as
/// `sweep` does: the `--out` files, the `--html` report and stdout.
/// `merge` of a sweep's shards ends the same way, so its files are the
/// sweep's.
pub(crate) fn finish(
    config: &SweepConfig,
    results: &[PointResult],
    streams: &mut Streams<'_>,
) -> Result<Status, Error> {
    let sweep = &config.sweep;
    let json = sweep.json(results);
    if let Some(dir) = &config.out {
        write_out(config, dir, &json, results, streams)?;
    }
    if let Some(page) = &config.html {
        let text = report::sweep::render_sweep_html(&sweep.report_input(results), page.lang);
        output::write_file_atomically(&page.path, text.as_bytes())?;
        streams.say(format_args!("wrote {}", page.path.display()));
    }
    let text = match config.format {
        Format::Json => json,
        Format::Csv => csv(sweep, results),
        Format::Table => table_text(sweep, results),
    };
    streams.out(&text)?;
    Ok(Status::Success)
}

/// Points done on the sweep's bar; days are not counted.
pub(crate) struct PointBar(pub(crate) Bar);

impl sim_core::DayProgress for PointBar {
    fn day_done(&self, _replication: u32, _day: u32) {}
}

impl SweepProgress for PointBar {
    fn point_done(&self, _index: usize) {
        self.0.inc();
    }
}

/// `--out DIR`: `sweep.json`, `sweep.csv`, `report.html`, and each
/// point's run files (as `run --out` writes them, `results.xlsx`
/// included; mode `plan` adds `plan.json`) in `points/NNNN/`.
fn write_out(
    config: &SweepConfig,
    dir: &Path,
    json: &str,
    results: &[PointResult],
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    let sweep = &config.sweep;
    for result in results {
        let point_dir = dir.join(POINTS_DIR).join(point_name(result.index));
        let model = sweep.model(result.index);
        let mut files = Vec::new();
        if let Some(run) = result.run_result() {
            let context = html::context(&sweep.file.scenario, model, &sweep.file.comments);
            files.extend(output::run_files(run, &context));
            let file = sweep.file.scenario.display().to_string();
            let book = workbook::run(&file, model, run, config.lang);
            files.push((workbook::RUN_FILE, book));
        }
        if let batch::sweep::Outcome::Plan(plan) = &result.result {
            let mut text = serde_json::to_string_pretty(plan)
                .expect("a plan has string keys only, so it always serializes");
            text.push('\n');
            files.push((report::PLAN_FILE, text.into_bytes()));
        }
        for (name, bytes) in &files {
            output::write_atomically(&point_dir, name, bytes)?;
        }
    }
    streams.say(format_args!(
        "wrote the files of {} in {}",
        count(results.len() as u64, "point"),
        dir.join(POINTS_DIR).display()
    ));
    let page = report::sweep::render_sweep_html(&sweep.report_input(results), config.lang);
    let files: [(&str, Vec<u8>); 3] = [
        (JSON_FILE, json.as_bytes().to_vec()),
        (CSV_FILE, output::with_bom(csv(sweep, results).as_bytes())),
        (REPORT_FILE, page.into_bytes()),
    ];
    for (name, bytes) in &files {
        output::write_atomically(dir, name, bytes)?;
        streams.say(format_args!("wrote {}", dir.join(name).display()));
    }
    Ok(())
}

/// `0007`: a point's directory, sorted as its index.
pub(crate) fn point_name(index: usize) -> String {
    format!("{index:04}")
}

/// `--format csv` (and `sweep.csv`): one row per point: its index, its
/// value on each axis (empty where it keeps the base scenario's), each
/// key KPI of its worst site (mean and 95% interval), and in mode `check`
/// whether every target is met.
fn csv(sweep: &Sweep, results: &[PointResult]) -> String {
    let kpis = report::sweep::key_kpis(&sweep.file.base.targets);
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(sweep.axes().iter().map(|a| a.name()));
    for kpi in &kpis {
        for part in ["mean", "ci95_low", "ci95_high"] {
            header.push(format!("{kpi}_{part}"));
        }
    }
    let check = sweep.file.mode == Mode::Check;
    if check {
        header.push("targets_met".into());
    }
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let mut row = vec![r.index.to_string()];
            row.extend(sweep.axes().iter().map(|a| {
                r.values
                    .get(&a.name())
                    .map_or_else(String::new, |v| v.to_string())
            }));
            for kpi in &kpis {
                let e = r
                    .run_result()
                    .and_then(|run| report::sweep::worst_site(run, kpi));
                match e {
                    Some(e) => row.extend([
                        e.mean.to_string(),
                        e.ci95_low.to_string(),
                        e.ci95_high.to_string(),
                    ]),
                    None => row.extend([String::new(), String::new(), String::new()]),
                }
            }
            if check {
                row.push(r.targets_met.unwrap_or(false).to_string());
            }
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    output::csv_text(&header, &rows)
}

/// `--format table`: one row per point (its values, each key KPI of its
/// worst site with the 95% interval, met or missed), then in mode `check`
/// one robustness sentence per axis.
fn table_text(sweep: &Sweep, results: &[PointResult]) -> String {
    let kpis = report::sweep::key_kpis(&sweep.file.base.targets);
    let check = sweep.file.mode == Mode::Check;
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(sweep.axes().iter().map(|a| a.name()));
    header.extend(kpis.iter().map(|k| (*k).to_owned()));
    if check {
        header.push("targets".into());
    }
    let mut rows = vec![header];
    for r in results {
        let mut row = vec![r.index.to_string()];
        row.extend(sweep.axes().iter().map(|a| {
            r.values
                .get(&a.name())
                .map_or_else(|| "base".to_owned(), |v| v.to_string())
        }));
        for kpi in &kpis {
            let e = r
                .run_result()
                .and_then(|run| report::sweep::worst_site(run, kpi));
            row.push(e.map_or_else(String::new, table::interval));
        }
        if check {
            row.push(
                if r.targets_met == Some(true) {
                    "met"
                } else {
                    "missed"
                }
                .to_owned(),
            );
        }
        rows.push(row);
    }
    let mut text = String::new();
    table::write_aligned(&mut text, &rows);
    text.push_str("KPIs of the worst site (highest upper 95% bound) with their 95% intervals\n");
    let robustness = sweep.robustness(results);
    if !robustness.is_empty() {
        text.push('\n');
        for r in &robustness {
            text.push_str(&r.sentence(report::Lang::En));
            text.push('\n');
        }
    }
    text
}
