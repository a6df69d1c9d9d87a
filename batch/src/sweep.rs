//! What-if sweeps: one base scenario run (or checked, or planned) at many
//! points, each point a set of values of the sweep file's axes.
//!
//! [`Sweep::load`] reads the sweep file and its scenario, lays out the
//! points of the design and validates every one of them before anything
//! runs. [`Sweep::run`] computes any range of point indices (a shard is
//! one) into [`PointResult`]s, and [`Sweep::json`] assembles `sweep.json`
//! from the full, ordered list of them, whichever machines computed them:
//! a point result reads back from its JSON as the same value.
//!
//! Every point runs with the same seed and streams (common random
//! numbers), so the differences between points are paired, and a point's
//! result is exactly what `swapsim run --format json` (or `plan --format
//! json`) prints for the scenario with the point's values.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use report::sweep::{Held, MissCount, Robustness};
use scenarios::sweep::{Axis, SweepFile};
use scenarios::{Diagnostic, LoadError};
use serde::{Deserialize, Serialize};
use sim_core::{DayProgress, Model, Profiles, Replication, RunResult, Timeseries};

use crate::partial::{Job, Settings};
use crate::shard::Unit;

pub use scenarios::sweep::{AxisValue, Design, Mode};

/// `--seed`, `--days` and `--replications`: the same for every point (the
/// same type as a shard's, which records them).
pub use crate::partial::Overrides;

/// Why a sweep cannot run. All are fatal and found before anything runs.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file or its scenario cannot be read, or a point's values
    /// do not validate: every problem, as diagnostics.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The sweep file, or points whose values do not validate: the first
    /// [`MAX_PROBLEMS`] problems, each told in the sweep file (a point's at
    /// its axis's value).
    #[error(
        "invalid sweep file: {}{}",
        count_problems(*total),
        if *total > problems.len() {
            format!(" (the first {} shown)", problems.len())
        } else {
            String::new()
        }
    )]
    Invalid {
        /// The problems told, at most [`MAX_PROBLEMS`].
        problems: Vec<Diagnostic>,
        /// All the problems found.
        total: usize,
    },
    /// `--days` leaves no measured day after the scenario's warm-up.
    #[error(
        "--days {days} must be greater than warmup_days ({warmup_days}) of '{}'",
        scenario.display()
    )]
    DaysWithinWarmup {
        /// The `--days` value \[d\].
        days: u32,
        /// The scenario's warm-up \[d\].
        warmup_days: u32,
        /// The base scenario.
        scenario: PathBuf,
    },
    /// Mode `check` or `plan` with one replication: its interval has zero
    /// width, so a target would look met or missed for certain.
    #[error(
        "mode `{mode}` needs at least 2 replications, found {replications} in '{}': one \
         replication gives a 95% interval of zero width; pass --replications 2 or more",
        scenario.display()
    )]
    TooFewReplications {
        /// The sweep's mode.
        mode: &'static str,
        /// The replications asked for.
        replications: u32,
        /// The base scenario.
        scenario: PathBuf,
    },
}

/// One point of a sweep: its index and the values it sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Position in the design, from 0.
    pub index: usize,
    /// (axis index, value) for each axis the point sets, in axis order;
    /// the base point of `one_at_a_time` sets none.
    pub values: Vec<(usize, AxisValue)>,
}

/// What a point computed: the JSON of `run` or of `plan`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Outcome {
    /// `swapsim plan --format json`.
    Plan(Box<report::PlanData>),
    /// `swapsim run --format json`.
    Run(Box<RunResult>),
}

/// One point's entry of `sweep.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// The point's index.
    pub index: usize,
    /// The values it sets, by key.
    pub values: BTreeMap<String, AxisValue>,
    /// Exactly what `run --format json` (or `plan --format json`) prints
    /// for the scenario with these values.
    pub result: Outcome,
    /// Mode `check`: whether every target is met by the upper 95% bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets_met: Option<bool>,
    /// The run behind the result, with its series (mode `plan`: the
    /// plan's run), for the point's files; not in the JSON.
    #[serde(skip)]
    pub run: Option<RunResult>,
}

impl PointResult {
    /// The run's KPIs: the point's run, or the plan's.
    pub fn run_result(&self) -> Option<&RunResult> {
        match &self.result {
            Outcome::Run(run) => Some(run),
            Outcome::Plan(_) => self.run.as_ref(),
        }
    }
}

/// A point's result as a shard's partial holds it: the [`PointResult`],
/// in mode `plan` the plan's run (which `sweep.json` leaves out), and what
/// the run's JSON leaves out, so that the merge writes the point's files
/// in `points/NNNN/` exactly as the one-machine sweep does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointItem {
    /// The point's entry of `sweep.json`.
    pub point: PointResult,
    /// Mode `plan`: the plan's run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunResult>,
    /// Events handled over the point's replications.
    pub events: u64,
    /// The run's 15-minute series.
    pub timeseries: Timeseries,
    /// The run's hour-of-day profiles and wait quantiles.
    pub profiles: Profiles,
}

impl From<PointResult> for PointItem {
    fn from(mut point: PointResult) -> PointItem {
        let run = point.run.take();
        let source = match &point.result {
            Outcome::Run(run) => Some(&**run),
            Outcome::Plan(_) => run.as_ref(),
        };
        let (events, timeseries, profiles) = source.map_or_else(Default::default, |r| {
            (r.events, r.timeseries.clone(), r.profiles.clone())
        });
        PointItem {
            point,
            run,
            events,
            timeseries,
            profiles,
        }
    }
}

impl From<PointItem> for PointResult {
    fn from(item: PointItem) -> PointResult {
        let mut point = item.point;
        point.run = item.run;
        let target = match &mut point.result {
            Outcome::Run(run) => Some(&mut **run),
            Outcome::Plan(_) => point.run.as_mut(),
        };
        if let Some(run) = target {
            run.events = item.events;
            run.timeseries = item.timeseries;
            run.profiles = item.profiles;
        }
        point
    }
}

/// `sweep.json`'s `"sweep"`: what was swept, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The sweep file's name without its directory and extension.
    pub name: String,
    /// The base scenario, as the sweep file names it.
    pub scenario: String,
    /// `run`, `check` or `plan`.
    pub mode: String,
    /// `grid`, `one_at_a_time` or `latin_hypercube`.
    pub design: String,
    /// Latin hypercube: the points drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
    /// Latin hypercube: the seed of the draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design_seed: Option<u64>,
    /// The seed every point runs with.
    pub seed: u64,
    /// Days per replication, warm-up included.
    pub days: u32,
    /// Replications per point.
    pub replications: u32,
    /// The axes, in file order.
    pub axes: Vec<HeaderAxis>,
    /// Points in the design.
    pub points: usize,
}

/// One axis of [`Header`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeaderAxis {
    /// The axis's name ([`Axis::name`]): the dotted key, with `×` after
    /// it for a `scale` axis; the points' `values` are keyed by it.
    pub key: String,
    /// Whether the values are factors of the scenario's own values (a
    /// `scale` axis).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scale: bool,
    /// Its values (a range's steps; a latin hypercube draws within them).
    pub values: Vec<AxisValue>,
}

/// `sweep.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// What was swept.
    pub sweep: Header,
    /// Every point, in index order.
    pub points: Vec<PointResult>,
}

/// What a sweep tells while it runs: simulated days, and each point done.
pub trait SweepProgress: DayProgress {
    /// Point `index` is computed (points finish in any order).
    fn point_done(&self, index: usize);
}

/// A validated sweep: its file, its points and each point's model.
#[derive(Debug)]
pub struct Sweep {
    /// The sweep file and its base scenario.
    pub file: SweepFile,
    points: Vec<Point>,
    models: Vec<Model>,
}

impl Sweep {
    /// Reads the sweep file at `path` and its scenario, applies
    /// `overrides` to every point, and validates every point: every
    /// problem is reported at once, before anything runs.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Sweep, SweepError> {
        let sweep_file = path.display().to_string();
        let file = scenarios::sweep::load_sweep(path).map_err(|e| match e {
            // The sweep file's own problems; the base scenario's stay a
            // scenario's.
            LoadError::Invalid(mut problems)
                if problems.first().is_some_and(|d| d.file == sweep_file) =>
            {
                let total = problems.len();
                problems.truncate(MAX_PROBLEMS);
                SweepError::Invalid { problems, total }
            }
            other => SweepError::Load(other),
        })?;
        let points = layout(&file);
        let mut models = Vec::with_capacity(points.len());
        let mut problems = Vec::new();
        for point in &points {
            let settings: Vec<(usize, &AxisValue)> =
                point.values.iter().map(|(a, v)| (*a, v)).collect();
            match file.model(&settings) {
                Ok(model) => models.push(model),
                Err(found) => problems.extend(found),
            }
        }
        if !problems.is_empty() {
            let total = problems.len();
            problems.truncate(MAX_PROBLEMS);
            return Err(SweepError::Invalid { problems, total });
        }
        let base = &file.base;
        // The command line first, then the sweep file.
        let overrides = Overrides {
            seed: overrides.seed,
            days: overrides.days.or(file.days),
            replications: overrides.replications.or(file.replications),
        };
        for model in &mut models {
            apply(model, &overrides, base, &file.scenario)?;
        }
        let replications = overrides.replications.unwrap_or(base.replications);
        if file.mode != Mode::Run && replications < 2 {
            return Err(SweepError::TooFewReplications {
                mode: file.mode.name(),
                replications,
                scenario: file.scenario.clone(),
            });
        }
        Ok(Sweep {
            file,
            points,
            models,
        })
    }

    /// Every point, in index order.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The validated model of point `index`, overrides applied.
    pub fn model(&self, index: usize) -> &Model {
        &self.models[index]
    }

    /// The sweep's axes.
    pub fn axes(&self) -> &[Axis] {
        &self.file.axes
    }

    /// The job of this sweep split into `shards` blocks of points: `input`
    /// is the sweep file (absolute) with bytes `input_bytes`, `overrides`
    /// the command line's. What it resolves to is every point's model, so
    /// a change to the base scenario, a site table or the overrides (not
    /// only to the sweep file) is refused at the merge.
    pub fn job(
        &self,
        input: PathBuf,
        input_bytes: &[u8],
        overrides: Overrides,
        shards: u32,
    ) -> Job {
        let resolved = serde_json::to_vec(&self.models).expect("a model has string keys only");
        let header = self.header();
        let base = self.models.first().unwrap_or(&self.file.base);
        let settings = Settings {
            seed: header.seed,
            days: header.days,
            warmup_days: base.warmup_days,
            replications: header.replications,
        };
        let total = u32::try_from(self.points.len()).unwrap_or(u32::MAX);
        Job::new(
            Unit::Points,
            input,
            input_bytes,
            &resolved,
            overrides,
            settings,
            shards,
            total,
        )
    }

    /// Computes the points `range` on `threads` threads (0 = all cores),
    /// spreading points and replications over them, and returns their
    /// results in index order. A point depends on its model alone, so the
    /// results do not depend on the threads or the range.
    pub fn run(
        &self,
        range: Range<usize>,
        threads: usize,
        progress: &dyn SweepProgress,
    ) -> Vec<PointResult> {
        debug_assert!(range.end <= self.points.len(), "points out of range");
        match self.file.mode {
            Mode::Plan => range
                .map(|index| {
                    let model = &self.models[index];
                    let plan = sim_core::planner::plan(model, threads, &PlanProgress(progress));
                    progress.point_done(index);
                    let data = report::PlanData::from_plan(&plan, model);
                    PointResult {
                        index,
                        values: self.values(index),
                        result: Outcome::Plan(Box::new(data)),
                        targets_met: None,
                        run: Some(plan.result),
                    }
                })
                .collect(),
            Mode::Run | Mode::Check => self.simulate(range, threads, progress),
        }
    }

    /// Runs every replication of the points `range` as one pool of work.
    fn simulate(
        &self,
        range: Range<usize>,
        threads: usize,
        progress: &dyn SweepProgress,
    ) -> Vec<PointResult> {
        let start = range.start;
        let left: Vec<AtomicU32> = range
            .clone()
            .map(|i| AtomicU32::new(self.models[i].replications))
            .collect();
        let jobs: Vec<(usize, u32)> = range
            .clone()
            .flat_map(|i| (0..self.models[i].replications).map(move |r| (i, r)))
            .collect();
        let one = |&(i, r): &(usize, u32)| -> Replication {
            let rep = sim_core::simulate_replication_with(&self.models[i], r, progress);
            if left[i - start].fetch_sub(1, Ordering::AcqRel) == 1 {
                progress.point_done(i);
            }
            rep
        };
        let summarise = |reps: Vec<Replication>| -> Vec<PointResult> {
            let mut reps = reps.into_iter();
            let grouped: Vec<(usize, Vec<Replication>)> = range
                .clone()
                .map(|i| {
                    let n = self.models[i].replications as usize;
                    (i, reps.by_ref().take(n).collect())
                })
                .collect();
            grouped
                .into_par_iter()
                .map(|(i, reps)| self.point_result(i, &reps))
                .collect()
        };
        let work = || summarise(jobs.par_iter().map(one).collect());
        match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(pool) => pool.install(work),
            // A pool that cannot start threads still gives the same numbers.
            Err(_) => {
                let reps = jobs.iter().map(one).collect();
                summarise(reps)
            }
        }
    }

    fn point_result(&self, index: usize, reps: &[Replication]) -> PointResult {
        let model = &self.models[index];
        let result = sim_core::summarise(model, reps);
        let targets_met =
            (self.file.mode == Mode::Check).then(|| result.misses(&model.targets).is_empty());
        PointResult {
            index,
            values: self.values(index),
            result: Outcome::Run(Box::new(result)),
            targets_met,
            run: None,
        }
    }

    /// The values of point `index` by key.
    fn values(&self, index: usize) -> BTreeMap<String, AxisValue> {
        self.points[index]
            .values
            .iter()
            .map(|(a, v)| (self.file.axes[*a].name(), v.clone()))
            .collect()
    }

    /// `sweep.json`'s header.
    pub fn header(&self) -> Header {
        let (samples, design_seed) = match self.file.design {
            Design::LatinHypercube { samples, seed } => (Some(samples), Some(seed)),
            _ => (None, None),
        };
        let base = self.models.first().unwrap_or(&self.file.base);
        Header {
            name: self
                .file
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            scenario: self.file.scenario_name.clone(),
            mode: self.file.mode.name().to_owned(),
            design: self.file.design.name().to_owned(),
            samples,
            design_seed,
            seed: base.seed,
            days: base.days,
            replications: base.replications,
            axes: self
                .file
                .axes
                .iter()
                .map(|a| HeaderAxis {
                    key: a.name(),
                    scale: a.scale,
                    values: a.values.clone(),
                })
                .collect(),
            points: self.points.len(),
        }
    }

    /// `sweep.json`: the header and `results`, which must be every
    /// point's, in index order; pretty-printed with a final newline.
    pub fn json(&self, results: &[PointResult]) -> String {
        debug_assert!(
            results.iter().enumerate().all(|(i, r)| r.index == i)
                && results.len() == self.points.len(),
            "sweep.json needs every point, in order"
        );
        let document = DocumentRef {
            sweep: self.header(),
            points: results,
        };
        let mut text = serde_json::to_string_pretty(&document)
            .expect("a sweep has string keys only, so it always serializes");
        text.push('\n');
        text
    }

    /// What the report of the sweep shows, from every point's result in
    /// index order.
    pub fn report_input(&self, results: &[PointResult]) -> report::sweep::SweepInput {
        let header = self.header();
        let kpis = report::sweep::key_kpis(&self.file.base.targets);
        let points = self
            .points
            .iter()
            .zip(results)
            .map(|(point, result)| report::sweep::SweepPoint {
                index: point.index,
                values: (0..self.file.axes.len())
                    .map(|a| {
                        point.values.iter().find(|(i, _)| *i == a).map(|(_, v)| {
                            report::sweep::Cell {
                                text: v.to_string(),
                                number: v.as_f64(),
                            }
                        })
                    })
                    .collect(),
                kpis: kpis
                    .iter()
                    .map(|k| {
                        result
                            .run_result()
                            .and_then(|run| report::sweep::worst_site(run, k))
                    })
                    .collect(),
                met: result.targets_met,
            })
            .collect();
        report::sweep::SweepInput {
            name: header.name,
            scenario: header.scenario,
            mode: header.mode,
            design: header.design,
            seed: header.seed,
            days: header.days,
            replications: header.replications,
            axes: header.axes.into_iter().map(|a| a.key).collect(),
            kpis,
            targets: self.file.base.targets.clone(),
            points,
            robustness: self.robustness(results),
        }
    }

    /// Mode `check`: for each axis, up to which value the plan meets
    /// every target (see [`robustness`]).
    pub fn robustness(&self, results: &[PointResult]) -> Vec<Robustness> {
        if self.file.mode != Mode::Check {
            return Vec::new();
        }
        (0..self.file.axes.len())
            .filter_map(|axis| robustness(self, axis, results))
            .collect()
    }
}

/// Most diagnostics a sweep reports: one bad value can break every point
/// of a grid.
pub const MAX_PROBLEMS: usize = 50;

/// `1 problem`, `3 problems`.
fn count_problems(n: usize) -> String {
    if n == 1 {
        "1 problem".to_owned()
    } else {
        format!("{n} problems")
    }
}

/// [`Document`] borrowing its points.
#[derive(Serialize)]
struct DocumentRef<'a> {
    sweep: Header,
    points: &'a [PointResult],
}

/// Applies `--seed`, `--days` and `--replications` to a point's model;
/// every point keeps the base scenario's seed (common random numbers).
fn apply(
    model: &mut Model,
    overrides: &Overrides,
    base: &Model,
    scenario: &Path,
) -> Result<(), SweepError> {
    model.seed = overrides.seed.unwrap_or(base.seed);
    if let Some(replications) = overrides.replications {
        model.replications = replications;
    }
    if let Some(days) = overrides.days {
        if days <= model.warmup_days {
            return Err(SweepError::DaysWithinWarmup {
                days,
                warmup_days: model.warmup_days,
                scenario: scenario.to_owned(),
            });
        }
        model.days = days;
    }
    Ok(())
}

/// The points of `file`'s design.
fn layout(file: &SweepFile) -> Vec<Point> {
    let axes = &file.axes;
    let values: Vec<Vec<(usize, AxisValue)>> = match file.design {
        Design::Grid => {
            let mut points = vec![Vec::new()];
            for (a, axis) in axes.iter().enumerate() {
                points = points
                    .into_iter()
                    .flat_map(|p: Vec<(usize, AxisValue)>| {
                        axis.values.iter().map(move |v| {
                            let mut p = p.clone();
                            p.push((a, v.clone()));
                            p
                        })
                    })
                    .collect();
            }
            points
        }
        Design::OneAtATime => std::iter::once(Vec::new())
            .chain(
                axes.iter()
                    .enumerate()
                    .flat_map(|(a, axis)| axis.values.iter().map(move |v| vec![(a, v.clone())])),
            )
            .collect(),
        Design::LatinHypercube { samples, seed } => latin_hypercube(axes, samples, seed),
    };
    values
        .into_iter()
        .enumerate()
        .map(|(index, values)| Point { index, values })
        .collect()
}

/// `samples` points: each axis is cut into `samples` equal strata, each
/// stratum visited once, in an order drawn from `seed`. A range draws a
/// value within its stratum; a list takes the value the stratum falls on.
fn latin_hypercube(axes: &[Axis], samples: u32, seed: u64) -> Vec<Vec<(usize, AxisValue)>> {
    let n = samples as usize;
    let mut rng = SplitMix64(seed);
    let columns: Vec<Vec<AxisValue>> = axes
        .iter()
        .map(|axis| {
            let mut strata: Vec<usize> = (0..n).collect();
            // Fisher–Yates.
            for i in (1..n).rev() {
                let j = (rng.next() % (i as u64 + 1)) as usize;
                strata.swap(i, j);
            }
            strata
                .into_iter()
                .map(|s| {
                    let u = (s as f64 + rng.unit()) / n as f64;
                    match &axis.range {
                        Some(range) => range.at(u),
                        None => {
                            let k = ((u * axis.values.len() as f64) as usize)
                                .min(axis.values.len() - 1);
                            axis.values[k].clone()
                        }
                    }
                })
                .collect()
        })
        .collect();
    (0..n)
        .map(|i| {
            columns
                .iter()
                .enumerate()
                .map(|(a, column)| (a, column[i].clone()))
                .collect()
        })
        .collect()
}

/// SplitMix64 (Steele, Lea and Flood, 2014): the design's draws. Written
/// out so that a sweep's points never change with a dependency's version;
/// a unit test pins its output.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// The planner's progress inside a sweep: its simulated days count on the
/// sweep's bar; its steps are not told.
struct PlanProgress<'a>(&'a dyn SweepProgress);

impl DayProgress for PlanProgress<'_> {
    fn day_done(&self, replication: u32, day: u32) {
        self.0.day_done(replication, day);
    }
}

impl sim_core::planner::Progress for PlanProgress<'_> {
    fn simulating(&self, _step: &sim_core::planner::Step<'_>) {}
}

/// Up to which value of `axis` every point meets every target.
///
/// The axis's values are taken in order (numbers ascending, names as
/// listed); a value holds when every point with it meets every target.
/// The first run of values that hold is told: up to its last value when
/// it starts at the first, from its first when it ends at the last, or
/// between the two, with what the values just outside it miss (the
/// sites missing each target, over the points at that value).
pub fn robustness(sweep: &Sweep, axis: usize, results: &[PointResult]) -> Option<Robustness> {
    let key = sweep.file.axes[axis].name();
    let mut values: Vec<&AxisValue> = Vec::new();
    for point in sweep.points() {
        if let Some((_, v)) = point.values.iter().find(|(a, _)| *a == axis)
            && !values.contains(&v)
        {
            values.push(v);
        }
    }
    if values.iter().all(|v| v.as_f64().is_some()) {
        values.sort_by(|a, b| {
            a.as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b.as_f64().unwrap_or(0.0))
        });
    }
    if values.is_empty() {
        return None;
    }
    let at = |value: &AxisValue| -> (bool, Vec<MissCount>) {
        let mut sites: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let mut met = true;
        for (point, result) in sweep.points().iter().zip(results) {
            if !point.values.iter().any(|(a, v)| *a == axis && v == value) {
                continue;
            }
            met &= result.targets_met != Some(false);
            if let Some(run) = result.run_result() {
                for miss in run.misses(&sweep.models[point.index].targets) {
                    let list = sites.entry(miss.kpi).or_default();
                    if !list.contains(&miss.site) {
                        list.push(miss.site);
                    }
                }
            }
        }
        let mut misses: Vec<MissCount> = sites
            .into_iter()
            .map(|(kpi, sites)| MissCount {
                kpi: kpi.to_owned(),
                sites: sites.len(),
            })
            .collect();
        // The target missed at the most sites first.
        misses.sort_by_key(|m| std::cmp::Reverse(m.sites));
        (met, misses)
    };
    let judged: Vec<(bool, Vec<MissCount>)> = values.iter().map(|v| at(v)).collect();
    let text = |v: &AxisValue| v.to_string();
    let last = values.len() - 1;
    let held = match judged.iter().position(|(met, _)| *met) {
        None => Held::Never {
            at: text(values[0]),
            misses: judged[0].1.clone(),
        },
        Some(i) => {
            // The first run of values that hold: i..=j.
            let j = (i..=last).take_while(|&k| judged[k].0).last().unwrap_or(i);
            let at = |k: usize| (text(values[k]), judged[k].1.clone());
            match (i, j) {
                (0, j) if j == last => Held::Every {
                    first: text(values[0]),
                    last: text(values[last]),
                },
                (0, j) => Held::UpTo {
                    held: text(values[j]),
                    missed: text(values[j + 1]),
                    misses: judged[j + 1].1.clone(),
                },
                (i, j) if j == last => Held::From {
                    held: text(values[i]),
                    missed: text(values[i - 1]),
                    misses: judged[i - 1].1.clone(),
                },
                (i, j) => Held::Between {
                    first: text(values[i]),
                    last: text(values[j]),
                    below: at(i - 1),
                    above: at(j + 1),
                },
            }
        }
    };
    Some(Robustness { key, held })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_pinned() {
        // The reference output of SplitMix64 seeded with 1.
        let mut rng = SplitMix64(1);
        assert_eq!(rng.next(), 0x910a_2dec_8902_5cc1);
        assert_eq!(rng.next(), 0xbeeb_8da1_658e_ec67);
    }
}
