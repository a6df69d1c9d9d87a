//! What a report is made of: the result files that `run`, `plan` and
//! `compare` write, read back into typed values, or the same values taken
//! straight from the engine's results.

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::planner::Plan;
use sim_core::{LOAD_COMPONENTS, Model, RunResult, Timeseries};
pub use sim_core::{Profile, Profiles};

use crate::Kind;

/// The JSON result of a run (DESIGN.md §2).
pub const SUMMARY_FILE: &str = "summary.json";
/// The 15-minute transformer load series.
pub const TIMESERIES_FILE: &str = "timeseries.csv";
/// The 15-minute ready-battery series.
pub const READY_FILE: &str = "ready.csv";
/// Hour-of-day profiles and wait quantiles (serde of `sim_core::Profiles`).
pub const PROFILES_FILE: &str = "profiles.json";
/// The plan as `plan --format json` prints it.
pub const PLAN_FILE: &str = "plan.json";
/// The comparison as `compare --format json` prints it.
pub const COMPARE_FILE: &str = "compare.json";
/// Targets, transformers and assumptions of the scenario ([`Context`]).
pub const CONTEXT_FILE: &str = "context.json";

/// Everything a report shows. Only `kind` is required: each part that is
/// `None` (or empty) leaves out the tables and charts that need it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportInput {
    /// Which command produced the results.
    pub kind: Kind,
    /// The run's KPIs; for a plan, its final evaluation.
    pub summary: Option<Summary>,
    /// 15-minute load per transformer (`timeseries.csv`).
    pub load: Option<LoadSeries>,
    /// 15-minute ready-battery stock per site (`ready.csv`).
    pub ready: Option<ReadySeries>,
    /// Hour-of-day profiles and wait quantiles (`profiles.json`).
    pub profiles: Option<Profiles>,
    /// The plan (`plan.json`).
    pub plan: Option<PlanData>,
    /// The comparison (`compare.json`).
    pub compare: Option<CompareData>,
    /// Targets, transformers and assumptions of the scenario.
    pub context: Context,
}

/// Why result files could not be read. Every variant is fatal for the
/// report being made; nothing has been written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read.
    #[error("cannot read '{}': {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON file does not have the expected shape.
    #[error("'{}' is not a swapsim result: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause, with line and column.
        source: serde_json::Error,
    },
    /// A CSV series does not have the expected columns or values.
    #[error("'{}', line {line}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A directory holds none of the result files.
    #[error("'{}' holds no summary.json, plan.json or compare.json", path.display())]
    NoResult {
        /// The directory.
        path: PathBuf,
    },
}

/// A KPI estimate: mean and 95% Student-t interval over replications.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub ci95_low: f64,
    /// Upper end of the 95% interval.
    pub ci95_high: f64,
}

impl From<sim_core::Estimate> for Estimate {
    fn from(e: sim_core::Estimate) -> Self {
        Estimate {
            mean: e.mean,
            ci95_low: e.ci95_low,
            ci95_high: e.ci95_high,
        }
    }
}

/// Values by KPI name, in the order of the file (a JSON object whose key
/// order matters, which `serde_json::Map` would not keep).
#[derive(Clone, Debug, PartialEq)]
pub struct KpiList<T>(pub Vec<(String, T)>);

impl<T> Default for KpiList<T> {
    fn default() -> Self {
        KpiList(Vec::new())
    }
}

impl<T> KpiList<T> {
    /// The value of KPI `name`.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for KpiList<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ordered<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Ordered<T> {
            type Value = KpiList<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of KPIs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.push((k, v));
                }
                Ok(KpiList(out))
            }
        }
        deserializer.deserialize_map(Ordered(PhantomData))
    }
}

impl<T: Serialize> Serialize for KpiList<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The JSON result of a run (DESIGN.md §2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Base seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Days per replication, warm-up included.
    pub days: u32,
    /// Warm-up days discarded.
    pub warmup_days: u32,
    /// Network-wide KPIs.
    pub network: KpiList<Estimate>,
    /// Per-site KPIs in scenario order.
    pub sites: Vec<SiteSummary>,
}

/// One site's KPIs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    /// Site name.
    pub name: String,
    /// KPIs over the requests that arose at the site.
    pub kpis: KpiList<Estimate>,
}

impl Summary {
    /// The summary of an engine result.
    pub fn from_result(result: &RunResult) -> Summary {
        let kpis = |k: &sim_core::Kpis| {
            KpiList(
                k.entries()
                    .into_iter()
                    .map(|(n, e)| (n.to_owned(), e.into()))
                    .collect(),
            )
        };
        Summary {
            scenario: result.scenario.clone(),
            seed: result.seed,
            replications: result.replications,
            days: result.days,
            warmup_days: result.warmup_days,
            network: kpis(&result.network),
            sites: result
                .sites
                .iter()
                .map(|s| SiteSummary {
                    name: s.name.clone(),
                    kpis: kpis(&s.kpis),
                })
                .collect(),
        }
    }

    /// Days measured per replication.
    pub fn measured_days(&self) -> u32 {
        self.days.saturating_sub(self.warmup_days)
    }
}

/// Load components of [`LoadQuarter::kw`], in order: base, cabinets,
/// piles, flying wire.
pub const COMPONENTS: [&str; 4] = LOAD_COMPONENTS;

/// The 15-minute load of each transformer, averaged over replications.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadSeries {
    /// Transformers in model order.
    pub transformers: Vec<TransformerLoad>,
}

/// One transformer's load series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransformerLoad {
    /// Transformer name.
    pub name: String,
    /// Quarter hours of the measurement window, in time order.
    pub quarters: Vec<LoadQuarter>,
}

/// The mean load of one quarter hour.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadQuarter {
    /// Start of the quarter \[min since the start of the replication\].
    pub start_minute: u64,
    /// Load of each of [`COMPONENTS`] \[kW\].
    pub kw: [f64; 4],
}

impl LoadQuarter {
    /// Total load \[kW\].
    pub fn total_kw(&self) -> f64 {
        self.kw.iter().sum()
    }
}

/// The 15-minute ready-battery stock of each site, averaged over
/// replications.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadySeries {
    /// Sites in model order.
    pub sites: Vec<SiteReady>,
}

/// One site's ready-battery series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SiteReady {
    /// Site name.
    pub name: String,
    /// `(start minute, time-average of dispensable batteries)` per quarter.
    pub quarters: Vec<(u64, f64)>,
}

/// Minutes per quarter hour.
const QUARTER_MINUTES: u64 = 15;

impl LoadSeries {
    /// The series of an engine result; `warmup_days` places its quarters
    /// on the clock.
    pub fn from_timeseries(series: &Timeseries, warmup_days: u32) -> LoadSeries {
        let parts = COMPONENTS.len();
        LoadSeries {
            transformers: series
                .transformers
                .iter()
                .enumerate()
                .map(|(t, name)| TransformerLoad {
                    name: name.clone(),
                    quarters: (0..series.quarters)
                        .filter_map(|q| {
                            let start = (t * series.quarters + q) * parts;
                            let kw = series.transformer_kw.get(start..start + parts)?;
                            Some(LoadQuarter {
                                start_minute: start_minute(q, warmup_days),
                                kw: [kw[0], kw[1], kw[2], kw[3]],
                            })
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Reads `timeseries.csv` (columns `quarter, start_minute, day,
    /// hour_of_day, transformer, base_kw, cabinets_kw, piles_kw,
    /// flying_wire_kw, total_kw`); `path` names it in errors.
    pub fn from_csv(text: &str, path: &Path) -> Result<LoadSeries, ReportError> {
        let mut out = LoadSeries::default();
        let columns: Vec<String> = std::iter::once("start_minute".to_owned())
            .chain(std::iter::once("transformer".to_owned()))
            .chain(COMPONENTS.iter().map(|c| format!("{c}_kw")))
            .collect();
        for_each_row(text, path, &columns, |line, row| {
            let start_minute = number(&row[0], path, line)?;
            let name = &row[1];
            let mut kw = [0.0; 4];
            for (k, cell) in kw.iter_mut().zip(&row[2..]) {
                *k = number(cell, path, line)?;
            }
            if out.transformers.last().is_none_or(|t| t.name != *name) {
                out.transformers.push(TransformerLoad {
                    name: name.clone(),
                    quarters: Vec::new(),
                });
            }
            let last = out.transformers.len() - 1;
            out.transformers[last].quarters.push(LoadQuarter {
                start_minute: start_minute as u64,
                kw,
            });
            Ok(())
        })?;
        Ok(out)
    }
}

impl ReadySeries {
    /// The series of an engine result; `warmup_days` places its quarters
    /// on the clock.
    pub fn from_timeseries(series: &Timeseries, warmup_days: u32) -> ReadySeries {
        ReadySeries {
            sites: series
                .sites
                .iter()
                .enumerate()
                .map(|(s, name)| SiteReady {
                    name: name.clone(),
                    quarters: (0..series.quarters)
                        .filter_map(|q| {
                            let ready = *series.site_ready.get(s * series.quarters + q)?;
                            Some((start_minute(q, warmup_days), ready))
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Reads `ready.csv` (columns `quarter, start_minute, day,
    /// hour_of_day, site, ready_batteries`); `path` names it in errors.
    pub fn from_csv(text: &str, path: &Path) -> Result<ReadySeries, ReportError> {
        let mut out = ReadySeries::default();
        let columns = ["start_minute", "site", "ready_batteries"].map(str::to_owned);
        for_each_row(text, path, &columns, |line, row| {
            let start_minute = number(&row[0], path, line)?;
            let ready = number(&row[2], path, line)?;
            if out.sites.last().is_none_or(|s| s.name != row[1]) {
                out.sites.push(SiteReady {
                    name: row[1].clone(),
                    quarters: Vec::new(),
                });
            }
            let last = out.sites.len() - 1;
            out.sites[last].quarters.push((start_minute as u64, ready));
            Ok(())
        })?;
        Ok(out)
    }
}

/// Start of quarter `q` of the window \[min since the replication start\].
fn start_minute(q: usize, warmup_days: u32) -> u64 {
    u64::from(warmup_days) * 1440 + q as u64 * QUARTER_MINUTES
}

/// Calls `f` with the 1-based line and the cells of `columns` of every
/// record of the CSV `text`.
fn for_each_row(
    text: &str,
    path: &Path,
    columns: &[String],
    mut f: impl FnMut(u64, Vec<String>) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| ReportError::Csv {
        path: path.to_owned(),
        line: e.position().map_or(1, csv::Position::line),
        message: e.to_string(),
    };
    let header = reader.headers().map_err(csv_error)?.clone();
    let index: Vec<usize> = columns
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| ReportError::Csv {
                    path: path.to_owned(),
                    line: 1,
                    message: format!("no column '{c}'"),
                })
        })
        .collect::<Result<_, _>>()?;
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, csv::Position::line);
        let cells = index
            .iter()
            .map(|&i| record.get(i).unwrap_or_default().to_owned())
            .collect();
        f(line, cells)?;
    }
    Ok(())
}

/// A number cell.
fn number(cell: &str, path: &Path, line: u64) -> Result<f64, ReportError> {
    cell.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| ReportError::Csv {
            path: path.to_owned(),
            line,
            message: format!("'{cell}' is not a number"),
        })
}

/// The plan as `plan --format json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanData {
    /// Scenario name.
    pub scenario: String,
    /// Seed of every evaluation.
    pub seed: u64,
    /// Days per replication, warm-up included.
    pub days: u32,
    /// Warm-up days discarded.
    pub warmup_days: u32,
    /// Whether every target is met.
    pub feasible: bool,
    /// Annualised cost of the whole plan \[CNY/yr\].
    pub annual_cost_cny: f64,
    /// Simulations run.
    pub simulations: u32,
    /// Replications run over all simulations.
    pub replications: u64,
    /// Why the plan is infeasible: one line per site and target.
    #[serde(default)]
    pub problems: Vec<String>,
    /// Per-site sizing.
    pub sites: Vec<SitePlanData>,
    /// Every evaluated candidate.
    #[serde(default)]
    pub candidates: Vec<CandidateData>,
}

/// One site of the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SitePlanData {
    /// Site name.
    pub name: String,
    /// Cabinets.
    pub cabinets: u32,
    /// Slots per cabinet.
    pub slots_per_cabinet: u32,
    /// Batteries stocked.
    pub batteries: u32,
    /// Pile ports.
    pub pile_ports: u32,
    /// The transformer feeding the site.
    pub transformer: Option<String>,
    /// Its rating in the plan \[kVA\].
    pub transformer_kva: Option<f64>,
    /// Whether the plan upgrades it.
    pub transformer_upgraded: bool,
    /// The site's annualised cost \[CNY/yr\].
    pub annual_cost_cny: f64,
    /// Each target's KPI at the plan.
    #[serde(default)]
    pub targets: Vec<TargetCheckData>,
    /// Why units were not pruned.
    #[serde(default)]
    pub kept_because: Vec<String>,
}

/// A target's KPI at the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetCheckData {
    /// KPI name.
    pub kpi: String,
    /// The limit.
    pub limit: f64,
    /// The KPI estimate.
    pub estimate: Estimate,
    /// Whether the upper 95% bound meets the limit.
    pub met: bool,
}

/// A candidate the planner evaluated at one site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateData {
    /// Simulation number.
    pub step: u32,
    /// Site name.
    pub site: String,
    /// The site's annualised cost \[CNY/yr\].
    pub annual_cost_cny: f64,
    /// The site's targeted KPIs.
    pub kpis: KpiList<Upper>,
}

/// A KPI as the planner judged a candidate by it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Upper {
    /// Mean over replications.
    pub mean: f64,
    /// Upper end of the 95% interval.
    pub ci95_high: f64,
}

impl PlanData {
    /// The plan data of a planner answer; `model` is the planned scenario.
    pub fn from_plan(plan: &Plan, model: &Model) -> PlanData {
        PlanData {
            scenario: model.name.clone(),
            seed: model.seed,
            days: model.days,
            warmup_days: model.warmup_days,
            feasible: plan.feasible,
            annual_cost_cny: plan.annual_cost_cny,
            simulations: plan.simulations,
            replications: plan.replications,
            problems: plan.problems.iter().map(ToString::to_string).collect(),
            sites: plan
                .sites
                .iter()
                .map(|s| SitePlanData {
                    name: s.name.clone(),
                    cabinets: s.cabinets,
                    slots_per_cabinet: s.slots_per_cabinet,
                    batteries: s.batteries,
                    pile_ports: s.pile_ports,
                    transformer: s.transformer.clone(),
                    transformer_kva: s.transformer_kva,
                    transformer_upgraded: s.transformer_upgraded,
                    annual_cost_cny: s.annual_cost_cny,
                    targets: s
                        .targets
                        .iter()
                        .map(|t| TargetCheckData {
                            kpi: t.kpi.to_owned(),
                            limit: t.limit,
                            estimate: t.estimate.into(),
                            met: t.met,
                        })
                        .collect(),
                    kept_because: s.kept_because.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            candidates: plan
                .candidates
                .iter()
                .map(|c| CandidateData {
                    step: c.step,
                    site: plan
                        .sites
                        .get(c.site)
                        .map_or_else(String::new, |s| s.name.clone()),
                    annual_cost_cny: c.annual_cost_cny,
                    kpis: KpiList(
                        c.kpis
                            .iter()
                            .map(|&(k, mean, ci95_high)| (k.to_owned(), Upper { mean, ci95_high }))
                            .collect(),
                    ),
                })
                .collect(),
        }
    }
}

/// The comparison as `compare --format json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareData {
    /// Seed shared by every scenario.
    pub seed: u64,
    /// Replications per scenario.
    pub replications: u32,
    /// Days per replication, warm-up included.
    pub days: u32,
    /// Warm-up days discarded.
    pub warmup_days: u32,
    /// The scenarios, in the order given.
    pub scenarios: Vec<CompareScenario>,
    /// Network KPIs across the scenarios.
    pub network: KpiList<CompareRow>,
    /// KPIs of the sites every scenario has.
    #[serde(default)]
    pub sites: Vec<CompareSite>,
}

impl CompareData {
    /// What to call each scenario in tables and charts: its name, or, when
    /// two scenarios share a name (a plan keeps its scenario's name), its
    /// file, as `compare`'s own table does. Names that still repeat get
    /// their position.
    pub fn column_names(&self) -> Vec<String> {
        let unique = |names: &[&str]| {
            names
                .iter()
                .enumerate()
                .all(|(i, a)| !a.is_empty() && names[..i].iter().all(|b| a != b))
        };
        let names: Vec<&str> = self.scenarios.iter().map(|s| s.name.as_str()).collect();
        if unique(&names) {
            return names.into_iter().map(str::to_owned).collect();
        }
        let files: Vec<&str> = self.scenarios.iter().map(|s| s.file.as_str()).collect();
        if unique(&files) {
            return files.into_iter().map(str::to_owned).collect();
        }
        names
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{name} ({})", i + 1))
            .collect()
    }
}

/// A compared scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareScenario {
    /// Scenario name.
    pub name: String,
    /// Its file.
    #[serde(default)]
    pub file: String,
}

/// One KPI across the scenarios.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// Each scenario's estimate, in order.
    pub estimates: Vec<Estimate>,
    /// Scenario `i + 1` minus the first, paired by replication.
    #[serde(default)]
    pub differences: Vec<Estimate>,
}

/// A site's KPIs across the scenarios.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareSite {
    /// Site name.
    pub name: String,
    /// Its KPIs.
    pub kpis: KpiList<CompareRow>,
}

/// What the result files do not say about the scenario: its targets, its
/// transformers (for the rating lines) and the assumptions to list.
/// `run --out` can write it as `context.json` ([`Context::to_json`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// The scenario's `[targets]`.
    pub targets: Targets,
    /// Transformers, in model order.
    pub transformers: Vec<Transformer>,
    /// Assumptions to list, in order.
    pub assumptions: Vec<Assumption>,
}

/// The scenario's targets; each holds when the KPI's upper 95% bound is
/// within it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Targets {
    /// Largest share of requests not served by any cabinet.
    pub max_lost_swap_rate: Option<f64>,
    /// Largest share of requests finding no battery at the first cabinet.
    pub max_stockout_probability: Option<f64>,
    /// Longest 95th-percentile wait \[min\].
    pub max_wait_minutes_p95: Option<f64>,
    /// Most flying-wire sessions per 1000 e-bikes per day.
    pub max_flying_wire_per_1000_bikes_day: Option<f64>,
    /// Highest transformer peak utilisation \[0–1\].
    pub max_transformer_utilization: Option<f64>,
}

impl Targets {
    /// `(KPI name, limit)` of every target that is set.
    pub fn list(&self) -> Vec<(&'static str, f64)> {
        [
            ("lost_swap_rate", self.max_lost_swap_rate),
            ("stockout_probability", self.max_stockout_probability),
            ("wait_minutes_p95", self.max_wait_minutes_p95),
            (
                "flying_wire_per_1000_bikes_day",
                self.max_flying_wire_per_1000_bikes_day,
            ),
            (
                "transformer_peak_utilization",
                self.max_transformer_utilization,
            ),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
    }

    /// The limit on KPI `kpi`, if set.
    pub fn limit(&self, kpi: &str) -> Option<f64> {
        self.list()
            .into_iter()
            .find(|(k, _)| *k == kpi)
            .map(|(_, v)| v)
    }
}

impl From<&sim_core::Targets> for Targets {
    fn from(t: &sim_core::Targets) -> Self {
        Targets {
            max_lost_swap_rate: t.max_lost_swap_rate,
            max_stockout_probability: t.max_stockout_probability,
            max_wait_minutes_p95: t.max_wait_minutes_p95,
            max_flying_wire_per_1000_bikes_day: t.max_flying_wire_per_1000_bikes_day,
            max_transformer_utilization: t.max_transformer_utilization,
        }
    }
}

/// A transformer, for the rating lines of the load charts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transformer {
    /// Name (as in `timeseries.csv`).
    pub name: String,
    /// Rating \[kVA\].
    pub rating_kva: f64,
    /// Allowed loading as a share of the rating \[0–1\].
    pub allowed_utilization: f64,
    /// Power factor of the load \[0–1\].
    pub power_factor: f64,
}

impl Transformer {
    /// The rating as active power \[kW\].
    pub fn rating_kw(&self) -> f64 {
        self.rating_kva * self.power_factor
    }

    /// The allowed active power \[kW\].
    pub fn allowed_kw(&self) -> f64 {
        self.rating_kw() * self.allowed_utilization
    }
}

/// One line of the assumptions table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assumption {
    /// What is assumed: a key the report translates (see
    /// [`Context::from_model`]) or free text shown as it is.
    pub key: String,
    /// The value with its unit, as the scenario states it.
    pub value: String,
    /// Where the value comes from; `None` shows "scenario file".
    #[serde(default)]
    pub source: Option<String>,
}

impl Context {
    /// Targets, transformers and the main assumptions of `model`, each
    /// assumption sourced to the scenario file.
    pub fn from_model(model: &Model) -> Context {
        let mut a = Vec::new();
        let mut push = |key: &str, value: String| {
            a.push(Assumption {
                key: key.to_owned(),
                value,
                source: None,
            });
        };
        push("sites", model.sites.len().to_string());
        let sum = |f: fn(&sim_core::SiteSpec) -> u32| model.sites.iter().map(f).sum::<u32>();
        push("ebikes", sum(|s| s.ebikes).to_string());
        push("cabinets", sum(|s| s.cabinets).to_string());
        push("batteries", sum(|s| s.batteries).to_string());
        push("pile_ports", sum(|s| s.pile_ports).to_string());
        push(
            "battery_capacity",
            format!("{} Wh", trim(model.battery.capacity_wh)),
        );
        push(
            "charge_model",
            match &model.battery.charge {
                sim_core::ChargeModel::Exponential { mean_hours } => {
                    format!("exponential, {} h", trim(*mean_hours))
                }
                sim_core::ChargeModel::Deterministic { hours } => {
                    format!("deterministic, {} h", trim(*hours))
                }
                sim_core::ChargeModel::CcCv(c) => format!(
                    "CC-CV {} W, knee {} %, η {}",
                    trim(c.power_w),
                    trim(c.knee_soc * 100.0),
                    trim(c.efficiency)
                ),
            },
        );
        push(
            "dispense_soc",
            format!("{} %", trim(model.battery.dispense_soc * 100.0)),
        );
        push(
            "swap_seconds",
            format!("{} s", trim(model.cabinet.swap_seconds)),
        );
        push(
            "strategy",
            match model.cabinet.strategy {
                sim_core::Strategy::Immediate => "immediate".to_owned(),
                sim_core::Strategy::OffPeakWithReserve { reserve_factor } => {
                    format!("off_peak_with_reserve × {}", trim(reserve_factor))
                }
                sim_core::Strategy::GridCapped => "grid_capped".to_owned(),
            },
        );
        push(
            "choice",
            format!(
                "{}, ≤ {} m",
                match model.riders.choice.policy {
                    sim_core::ChoicePolicy::Home => "home",
                    sim_core::ChoicePolicy::Nearest => "nearest",
                    sim_core::ChoicePolicy::AppInformed => "app_informed",
                },
                trim(model.riders.choice.max_detour_m)
            ),
        );
        push(
            "home_charger",
            format!("{} W", trim(model.riders.home.charger_w)),
        );
        let prices = &model.grid.tariff.price_per_kwh;
        let lo = prices.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = prices.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        push("tariff", format!("{}–{} CNY/kWh", trim(lo), trim(hi)));
        for t in &model.grid.transformers {
            push(
                "transformer",
                format!(
                    "{}: {} kVA, cos φ {}, ≤ {} %",
                    t.name,
                    trim(t.rating_kva),
                    trim(t.power_factor),
                    trim(t.allowed_utilization * 100.0)
                ),
            );
        }
        Context {
            targets: (&model.targets).into(),
            transformers: model
                .grid
                .transformers
                .iter()
                .map(|t| Transformer {
                    name: t.name.clone(),
                    rating_kva: t.rating_kva,
                    allowed_utilization: t.allowed_utilization,
                    power_factor: t.power_factor,
                })
                .collect(),
            assumptions: a,
        }
    }

    /// `context.json`, pretty-printed, with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .expect("a context has string keys only, so it always serializes");
        text.push('\n');
        text
    }
}

/// `x` with at most four decimals and no trailing zeros.
fn trim(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0" } else { text }.to_owned()
}

impl ReportInput {
    /// An empty input of `kind`.
    pub fn new(kind: Kind) -> ReportInput {
        ReportInput {
            kind,
            summary: None,
            load: None,
            ready: None,
            profiles: None,
            plan: None,
            compare: None,
            context: Context::default(),
        }
    }

    /// A run's report input, straight from the engine: `model` is the
    /// scenario that was run.
    pub fn from_run(result: &RunResult, model: &Model) -> ReportInput {
        ReportInput {
            summary: Some(Summary::from_result(result)),
            load: Some(LoadSeries::from_timeseries(
                &result.timeseries,
                result.warmup_days,
            )),
            ready: Some(ReadySeries::from_timeseries(
                &result.timeseries,
                result.warmup_days,
            )),
            profiles: Some(result.profiles.clone()),
            context: Context::from_model(model),
            ..ReportInput::new(Kind::Run)
        }
    }

    /// A plan's report input: the sizing, the candidates and the plan's
    /// final evaluation. `model` is the scenario that was planned.
    pub fn from_plan(plan: &Plan, model: &Model) -> ReportInput {
        ReportInput {
            kind: Kind::Plan,
            plan: Some(PlanData::from_plan(plan, model)),
            context: Context::from_model(&plan.model),
            ..ReportInput::from_run(&plan.result, &plan.model)
        }
    }

    /// A comparison's report input from the JSON that `compare --format
    /// json` prints. Set `context` (e.g. from the first scenario) for
    /// targets and assumptions.
    pub fn from_compare_json(text: &str) -> Result<ReportInput, serde_json::Error> {
        Ok(ReportInput {
            compare: Some(serde_json::from_str(text)?),
            ..ReportInput::new(Kind::Compare)
        })
    }
}

/// Reads a report input from `path`: a directory that `run --out`, `plan
/// --out` or a caller filled, or a single JSON result file.
///
/// In a directory every file is optional except one of `summary.json`,
/// `plan.json` or `compare.json`: the kind is `Plan` if `plan.json` is
/// there, else `Compare` if `compare.json` is, else `Run`.
/// `timeseries.csv`, `ready.csv`, `profiles.json` and `context.json` are
/// read when present. A single file's kind follows from its fields.
pub fn load_dir(path: &Path) -> Result<ReportInput, ReportError> {
    if !path.is_dir() {
        let text = read(path)?;
        return load_json(&text, path);
    }
    let optional = |name: &str| -> Result<Option<(PathBuf, String)>, ReportError> {
        let file = path.join(name);
        if file.is_file() {
            Ok(Some((file.clone(), read(&file)?)))
        } else {
            Ok(None)
        }
    };
    let mut input = if let Some((file, text)) = optional(PLAN_FILE)? {
        ReportInput {
            plan: Some(json(&text, &file)?),
            ..ReportInput::new(Kind::Plan)
        }
    } else if let Some((file, text)) = optional(COMPARE_FILE)? {
        ReportInput {
            compare: Some(json(&text, &file)?),
            ..ReportInput::new(Kind::Compare)
        }
    } else {
        ReportInput::new(Kind::Run)
    };
    if let Some((file, text)) = optional(SUMMARY_FILE)? {
        input.summary = Some(json(&text, &file)?);
    }
    if input.summary.is_none() && input.plan.is_none() && input.compare.is_none() {
        return Err(ReportError::NoResult {
            path: path.to_owned(),
        });
    }
    if let Some((file, text)) = optional(TIMESERIES_FILE)? {
        input.load = Some(LoadSeries::from_csv(&text, &file)?);
    }
    if let Some((file, text)) = optional(READY_FILE)? {
        input.ready = Some(ReadySeries::from_csv(&text, &file)?);
    }
    if let Some((file, text)) = optional(PROFILES_FILE)? {
        input.profiles = Some(json(&text, &file)?);
    }
    if let Some((file, text)) = optional(CONTEXT_FILE)? {
        input.context = json(&text, &file)?;
    }
    Ok(input)
}

/// A single JSON result: a plan if it has `candidates` or `feasible`, a
/// comparison if it has `scenarios`, else a run summary.
fn load_json(text: &str, path: &Path) -> Result<ReportInput, ReportError> {
    // Parsed twice: a `Value` tells the kind but forgets the KPIs' order.
    let value: serde_json::Value = json(text, path)?;
    let has = |key: &str| value.get(key).is_some();
    Ok(if has("feasible") || has("candidates") {
        ReportInput {
            plan: Some(json(text, path)?),
            ..ReportInput::new(Kind::Plan)
        }
    } else if has("scenarios") {
        ReportInput {
            compare: Some(json(text, path)?),
            ..ReportInput::new(Kind::Compare)
        }
    } else {
        ReportInput {
            summary: Some(json(text, path)?),
            ..ReportInput::new(Kind::Run)
        }
    })
}

fn read(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })
}

fn json<T: for<'de> Deserialize<'de>>(text: &str, path: &Path) -> Result<T, ReportError> {
    serde_json::from_str(text).map_err(|source| ReportError::Json {
        path: path.to_owned(),
        source,
    })
}
