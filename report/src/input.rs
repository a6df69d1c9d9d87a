//! What a report is made of: the result files that `run`, `plan` and
//! `compare` write, read back into typed values, or the same values taken
//! straight from the engine's results.

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::planner::{Added, Capital, Kept, Plan, Problem, TargetCheck};
pub use sim_core::{Estimate, Profile, Profiles, Targets};
use sim_core::{Kpis, LOAD_COMPONENTS, Model, RunResult, Timeseries};

use crate::Kind;
use crate::assumptions::{Context, SiteInfo};

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
    /// The KPI that colours the site map (`--map-kpi`); `None` colours the
    /// sites by their targets: met, close (within 10% of a limit) or
    /// missed.
    pub map_kpi: Option<String>,
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
    /// A value of a result is outside its range, or a list has the wrong
    /// length.
    #[error("'{}': {field}: {message}", path.display())]
    Value {
        /// The file.
        path: PathBuf,
        /// The field, as a path (`sites[3].kpis.lost_swap_rate.mean`).
        field: String,
        /// What is wrong, and what was expected.
        message: String,
    },
    /// A directory holds none of the result files.
    #[error("'{}' holds no summary.json, plan.json or compare.json", path.display())]
    NoResult {
        /// The directory.
        path: PathBuf,
    },
}

/// Values by KPI name, in the order of sim-core's [`Kpis`] or of the file
/// (a JSON object whose key order matters, which `serde_json::Map` would
/// not keep).
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

    /// Whether it holds no KPI.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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

/// A run's result as the report reads it: sim-core's [`RunResult`] (the
/// one type that `summary.json` is written from and read back as), its
/// KPIs looked up by name ([`Summary::from_result`]).
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
pub struct SiteSummary {
    /// Site name.
    pub name: String,
    /// KPIs over the requests that arose at the site.
    pub kpis: KpiList<Estimate>,
}

impl Summary {
    /// The summary of an engine result, or of a `summary.json` read back.
    pub fn from_result(result: &RunResult) -> Summary {
        let kpis = |k: &Kpis| {
            KpiList(
                k.entries()
                    .into_iter()
                    .map(|(n, e)| (n.to_owned(), e))
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
    /// Why the plan is infeasible, in English: one line per site and target.
    #[serde(default)]
    pub problems: Vec<String>,
    /// The same reasons as data, which the report renders in its language;
    /// empty in plans written before they were added.
    #[serde(default)]
    pub problem_reasons: Vec<Problem>,
    /// Per-site sizing.
    pub sites: Vec<SitePlanData>,
    /// Every evaluated candidate.
    #[serde(default)]
    pub candidates: Vec<CandidateData>,
    /// The sites as the scenario gave them, before planning; empty in
    /// plans written before it was added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub existing: Vec<SiteInfo>,
    /// The network KPIs of the scenario as given (one run outside the
    /// search, `sim_core::planner::Plan::baseline`); `None` in older plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Kpis>,
    /// Capital recovery factor of `[costs]`: annual payment per CNY of
    /// capital \[1/yr\]; 0 in older plans.
    #[serde(default)]
    pub annuity_factor: f64,
    /// Maintenance per year as a share of the capital \[1/yr\].
    #[serde(default)]
    pub maintenance_share_per_year: f64,
    /// Equipment lifetime of `[costs]`, over which `annuity_factor`
    /// spreads the capital (batteries included) \[yr\]; 0 in older plans.
    #[serde(default)]
    pub lifetime_years: f64,
    /// `[costs] swap_fee_cny`: what a subscriber pays per swap \[CNY\];
    /// `None` = not given (no revenue or payback is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap_fee_cny: Option<f64>,
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
    /// Slot charger power the plan chose \[W\]; `None` = the battery's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charger_power_w: Option<f64>,
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
    /// The capital in its annual cost, by item: the whole planned fleet
    /// as the planner prices it (not the investment: see `added`); zero
    /// in older plans.
    #[serde(default)]
    pub capital: Capital,
    /// What the plan adds here, and its price: the one-off investment;
    /// `None` in plans written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<Added>,
    /// Each target's KPI at the plan.
    #[serde(default)]
    pub targets: Vec<TargetCheck>,
    /// Why units were not pruned, in English.
    #[serde(default)]
    pub kept_because: Vec<String>,
    /// The same reasons as data, which the report renders in its language;
    /// empty in plans written before they were added.
    #[serde(default)]
    pub kept_reasons: Vec<Kept>,
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
            problem_reasons: plan.problems.clone(),
            sites: plan
                .sites
                .iter()
                .map(|s| SitePlanData {
                    name: s.name.clone(),
                    cabinets: s.cabinets,
                    slots_per_cabinet: s.slots_per_cabinet,
                    batteries: s.batteries,
                    charger_power_w: s.charger_power_w,
                    pile_ports: s.pile_ports,
                    transformer: s.transformer.clone(),
                    transformer_kva: s.transformer_kva,
                    transformer_upgraded: s.transformer_upgraded,
                    annual_cost_cny: s.annual_cost_cny,
                    capital: s.capital,
                    added: Some(s.added),
                    targets: s.targets.clone(),
                    kept_because: s.kept_because.iter().map(ToString::to_string).collect(),
                    kept_reasons: s.kept_because.clone(),
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
            existing: model
                .sites
                .iter()
                .map(|s| SiteInfo::in_model(s, model))
                .collect(),
            baseline: Some(plan.baseline.clone()),
            annuity_factor: plan.model.costs.annuity_factor(),
            maintenance_share_per_year: plan.model.costs.maintenance_share_per_year,
            lifetime_years: plan.model.costs.lifetime_years,
            swap_fee_cny: plan.model.costs.swap_fee_cny,
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
    /// What to call each scenario in tables and charts: its label, else
    /// its name, or, when two scenarios would share one (a plan keeps its
    /// scenario's name), the shortest tail of its file that tells the
    /// files apart: the file stem (`bishan-pilot-plan`), else the last
    /// parts of the path (`before/plan/plan.toml`). A whole path makes a
    /// column too wide to print. Names that still repeat get their
    /// position.
    pub fn column_names(&self) -> Vec<String> {
        let unique = |names: &[&str]| {
            names
                .iter()
                .enumerate()
                .all(|(i, a)| !a.is_empty() && names[..i].iter().all(|b| a != b))
        };
        let names: Vec<&str> = self
            .scenarios
            .iter()
            .map(|s| {
                if s.label.is_empty() {
                    s.name.as_str()
                } else {
                    s.label.as_str()
                }
            })
            .collect();
        if unique(&names) {
            return names.into_iter().map(str::to_owned).collect();
        }
        // The shortest tail of the files that tells them apart: the file
        // stems, else the last two parts of the paths, and so on.
        let parts: Vec<Vec<&str>> = self
            .scenarios
            .iter()
            .map(|s| {
                s.file
                    .split(['/', '\\'])
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .collect();
        let longest = parts.iter().map(Vec::len).max().unwrap_or(0);
        for k in 1..=longest {
            let tails: Vec<String> = parts
                .iter()
                .map(|p| {
                    let tail = p[p.len().saturating_sub(k)..].join("/");
                    match tail.rsplit_once('.') {
                        Some((stem, _)) if k == 1 && !stem.is_empty() => stem.to_owned(),
                        _ => tail,
                    }
                })
                .collect();
            let tails_ref: Vec<&str> = tails.iter().map(String::as_str).collect();
            if unique(&tails_ref) {
                return tails;
            }
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
    /// Its `[scenario] label`; empty when it has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Its file.
    #[serde(default)]
    pub file: String,
    /// Its equipment, summed over its sites; `None` in comparisons
    /// written before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizing: Option<Sizing>,
    /// What moving from the first scenario's deployment to this one
    /// costs; `None` for the first scenario, and in comparisons written
    /// before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_difference: Option<CostDifference>,
}

/// Days in a year of energy cost, as the planner counts them.
pub const DAYS_A_YEAR: f64 = 365.0;

/// What moving from the first compared scenario's deployment to another
/// costs, at the other's `[costs]`: `{"costs": "not_given"}`, or
/// `{"costs": "given", ...}` with the figures of [`PricedDifference`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "costs", rename_all = "snake_case")]
pub enum CostDifference {
    /// The scenario gives no `[costs]`: nothing is priced (its default
    /// prices are no one's).
    NotGiven,
    /// Priced at the scenario's `[costs]`.
    Given(PricedDifference),
}

/// The investment and the annual cost difference of one scenario
/// against the first. Only what it adds is priced
/// ([`sim_core::planner::investment`]): what the first has and it lacks
/// is neither bought nor credited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PricedDifference {
    /// What it adds over the first scenario, summed over its sites, with
    /// the price by item: the one-off investment.
    pub added: Added,
    /// The transformers it upgrades (or adds), by name.
    pub transformers_upgraded: Vec<String>,
    /// The one-off investment, every item \[CNY\].
    pub investment_cny: f64,
    /// Annual payment per CNY of capital (`[costs]`' lifetime and rate).
    pub annuity_factor: f64,
    /// Maintenance per year as a share of the capital.
    pub maintenance_share_per_year: f64,
    /// The investment's annual payment \[CNY/yr\].
    pub annualised_investment_cny: f64,
    /// Its maintenance \[CNY/yr\].
    pub maintenance_cny: f64,
    /// The energy cost's difference to the first, paired by replication,
    /// a year of it \[CNY/yr\].
    pub energy_cny: Estimate,
    /// The annual cost difference: the annualised investment and its
    /// maintenance (fixed) plus the energy's (its interval) \[CNY/yr\].
    pub annual_cny: Estimate,
}

impl PricedDifference {
    /// The difference of a deployment that adds `added` (with the names of
    /// the transformers it upgrades) at `costs`, with `energy_per_day`,
    /// the paired difference of the energy cost a day.
    pub fn new(
        added: Added,
        transformers_upgraded: Vec<String>,
        costs: &sim_core::Costs,
        energy_per_day: Estimate,
    ) -> PricedDifference {
        let investment_cny = added.capital.total_cny();
        let annuity_factor = costs.annuity_factor();
        let maintenance_share_per_year = costs.maintenance_share_per_year;
        let annualised_investment_cny = investment_cny * annuity_factor;
        let maintenance_cny = investment_cny * maintenance_share_per_year;
        let year = |x: f64| x * DAYS_A_YEAR;
        let energy_cny = Estimate {
            mean: year(energy_per_day.mean),
            ci95_low: year(energy_per_day.ci95_low),
            ci95_high: year(energy_per_day.ci95_high),
        };
        let fixed = annualised_investment_cny + maintenance_cny;
        PricedDifference {
            added,
            transformers_upgraded,
            investment_cny,
            annuity_factor,
            maintenance_share_per_year,
            annualised_investment_cny,
            maintenance_cny,
            energy_cny,
            annual_cny: Estimate {
                mean: fixed + energy_cny.mean,
                ci95_low: fixed + energy_cny.ci95_low,
                ci95_high: fixed + energy_cny.ci95_high,
            },
        }
    }
}

/// A scenario's equipment, summed over its sites.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sizing {
    /// Cabinets.
    pub cabinets: u32,
    /// Slots.
    pub slots: u32,
    /// Batteries.
    pub batteries: u32,
    /// Charging-pile ports.
    pub pile_ports: u32,
}

impl Sizing {
    /// The totals of `model`'s sites.
    pub fn of(model: &Model) -> Sizing {
        model.sites.iter().fold(Sizing::default(), |t, s| Sizing {
            cabinets: t.cabinets + s.cabinets,
            slots: t.slots + s.slots(),
            batteries: t.batteries + s.batteries,
            pile_ports: t.pile_ports + s.pile_ports,
        })
    }
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
            map_kpi: None,
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
            context: Context::from_model(&plan.model).planned(),
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
        input.summary = Some(summary(&text, &file)?);
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
            summary: Some(summary(text, path)?),
            ..ReportInput::new(Kind::Run)
        }
    })
}

fn read(path: &Path) -> Result<String, ReportError> {
    crate::file::read_regular(path, crate::file::MAX_RESULT_BYTES, "result file")
        .and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                )
            })
        })
        .map_err(|source| ReportError::Read {
            path: path.to_owned(),
            source,
        })
}

/// `summary.json`, read back as the [`RunResult`] it was written from.
fn summary(text: &str, path: &Path) -> Result<Summary, ReportError> {
    json::<RunResult>(text, path).map(|result| Summary::from_result(&result))
}

fn json<T: for<'de> Deserialize<'de>>(text: &str, path: &Path) -> Result<T, ReportError> {
    // Checked as a `Value` first, then read in the file's own key order.
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|source| ReportError::Json {
            path: path.to_owned(),
            source,
        })?;
    crate::strict::check(&value, path)?;
    serde_json::from_str(text).map_err(|source| ReportError::Json {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use sim_core::planner::{KeptWhy as Why, ProblemWhy as Problems, Unit};

    use super::*;

    /// Every unit and every reason of the planner, each named in a match
    /// so that one added there fails to compile here until it is listed.
    fn every_kept() -> Vec<Kept> {
        let units = [
            Unit::Cabinet,
            Unit::BatteriesTenth,
            Unit::Battery,
            Unit::Batteries(3),
            Unit::PilePortsTenth,
            Unit::PilePort,
            Unit::TransformerSize,
            Unit::ChargerPower,
        ];
        for unit in units {
            match unit {
                Unit::Cabinet
                | Unit::BatteriesTenth
                | Unit::Battery
                | Unit::Batteries(_)
                | Unit::PilePortsTenth
                | Unit::PilePort
                | Unit::TransformerSize
                | Unit::ChargerPower => {}
            }
        }
        let whys = [
            Why::RaisesKpi {
                kpi: "lost_swap_rate".into(),
                mean: 0.03,
                check: 0.05,
                limit: 0.02,
            },
            Why::LastOne,
            Why::HoldsBatteries {
                batteries: 17,
                capacity: 11,
            },
            Why::TooFewForTenth {
                count: 12,
                existing: 3,
            },
            Why::TenthStepsOnly { ports: 20 },
            Why::ExistingPorts { existing: 3 },
            Why::NoTransformer,
            Why::SharedTransformer,
            Why::SurveyedSize { kva: 630.0 },
            Why::OwnCharger,
            Why::SmallestCharger { power_w: 300.0 },
        ];
        for why in &whys {
            match why {
                Why::RaisesKpi { .. }
                | Why::LastOne
                | Why::HoldsBatteries { .. }
                | Why::TooFewForTenth { .. }
                | Why::TenthStepsOnly { .. }
                | Why::ExistingPorts { .. }
                | Why::NoTransformer
                | Why::SharedTransformer
                | Why::SurveyedSize { .. }
                | Why::OwnCharger
                | Why::SmallestCharger { .. } => {}
            }
        }
        units
            .iter()
            .flat_map(|&unit| {
                whys.iter().map(move |why| Kept {
                    unit,
                    why: why.clone(),
                })
            })
            .collect()
    }

    fn compared(scenarios: &[(&str, &str)]) -> CompareData {
        CompareData {
            seed: 1,
            replications: 2,
            days: 4,
            warmup_days: 1,
            scenarios: scenarios
                .iter()
                .map(|&(name, file)| CompareScenario {
                    name: name.to_owned(),
                    label: String::new(),
                    file: file.to_owned(),
                    sizing: None,
                    cost_difference: None,
                })
                .collect(),
            network: KpiList(Vec::new()),
            sites: Vec::new(),
        }
    }

    /// Issue 11 audit: scenarios of one name (a plan keeps its scenario's)
    /// are told apart by the shortest part of their files that differs,
    /// not by whole paths that make the print too wide.
    #[test]
    fn compare_columns_of_one_name_take_the_shortest_distinct_file_part() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
        let cases: [Case<'_>; 5] = [
            (&[("a", "x/a.toml"), ("b", "x/b.toml")], &["a", "b"]),
            (
                &[
                    ("bishan-pilot", "scenarios/bishan-pilot.toml"),
                    ("bishan-pilot", "scenarios/bishan-pilot-plan.toml"),
                ],
                &["bishan-pilot", "bishan-pilot-plan"],
            ),
            (
                &[
                    ("erlang-b-plan", "scenarios/erlang-b-plan.toml"),
                    ("erlang-b-plan", "/tmp/.tmpA1b2/plan/plan.toml"),
                ],
                &["erlang-b-plan", "plan"],
            ),
            (
                &[
                    ("district", "/work/runs/before/plan/plan.toml"),
                    ("district", "/work/runs/after/plan/plan.toml"),
                ],
                &["before/plan/plan.toml", "after/plan/plan.toml"],
            ),
            (
                &[("same", "one.toml"), ("same", "one.toml")],
                &["same (1)", "same (2)"],
            ),
        ];
        for (scenarios, want) in cases {
            assert_eq!(compared(scenarios).column_names(), want, "{scenarios:?}");
        }
    }

    /// Issue 10: the wait target is judged on the swap delay, as sim-core
    /// judges it; the report reads sim-core's targets back from
    /// `context.json`, and a target missing there is not set.
    #[test]
    fn the_wait_target_is_judged_on_the_swap_delay() {
        let targets = Targets {
            max_wait_minutes_p95: Some(10.0),
            max_lost_swap_rate: Some(0.02),
            ..Targets::default()
        };
        assert_eq!(targets.limit("swap_delay_minutes_p95"), Some(10.0));
        assert_eq!(targets.limit("wait_minutes_p95"), None);
        assert_eq!(
            targets.set(),
            [("lost_swap_rate", 0.02), ("swap_delay_minutes_p95", 10.0)]
        );
        let json = serde_json::to_string(&targets).expect("targets serialize");
        assert_eq!(serde_json::from_str::<Targets>(&json).ok(), Some(targets));
        let partial: Targets =
            serde_json::from_str(r#"{"max_lost_swap_rate": 0.02}"#).expect("a partial list reads");
        assert_eq!(partial.set(), [("lost_swap_rate", 0.02)]);
    }

    /// A large plan counts its reasons by kind: every reason has a kind,
    /// in Chinese without English, and the same for every site whatever
    /// its figures.
    #[test]
    fn every_planner_reason_has_a_kind_without_the_sites_figures() {
        use crate::i18n::{Lang, kept_kind, unit_kind};
        for kept in every_kept() {
            let zh = kept_kind(&kept, Lang::Zh);
            assert!(!zh.is_empty() && !zh.contains('：'), "{zh}");
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic()),
                "English in {zh} ({kept:?})"
            );
            assert!(!kept_kind(&kept, Lang::En).is_empty());
            assert!(!unit_kind(kept.unit, Lang::Zh).is_empty());
            let mut other = kept.clone();
            match &mut other.why {
                Why::RaisesKpi { mean, check, .. } => (*mean, *check) = (0.5, 0.6),
                Why::HoldsBatteries {
                    batteries,
                    capacity,
                } => (*batteries, *capacity) = (99, 88),
                Why::TooFewForTenth { count, existing } => (*count, *existing) = (7, 1),
                Why::ExistingPorts { existing } => *existing = 42,
                Why::SurveyedSize { kva } => *kva = 1250.0,
                Why::SmallestCharger { power_w } => *power_w = 150.0,
                Why::TenthStepsOnly { .. }
                | Why::LastOne
                | Why::NoTransformer
                | Why::SharedTransformer
                | Why::OwnCharger => {}
            }
            for lang in [Lang::Zh, Lang::En] {
                assert_eq!(kept_kind(&kept, lang), kept_kind(&other, lang), "{kept:?}");
            }
        }
    }

    #[test]
    fn every_planner_reason_reads_back() {
        for kept in every_kept() {
            let json = serde_json::to_string(&kept).expect("a reason serializes");
            assert_eq!(serde_json::from_str::<Kept>(&json).ok(), Some(kept));
        }
        let problems = [
            Problems::NoTransformer,
            Problems::LargestTransformer { kva: 1250.0 },
            Problems::PilePorts { max: 200 },
            Problems::Cabinets {
                max: 20,
                slots_per_cabinet: 12,
            },
            Problems::Iterations { max: 30 },
            Problems::Missed {
                mean: 0.03,
                ci95_high: 0.04,
                limit: 0.02,
            },
        ];
        for why in problems {
            match why {
                Problems::NoTransformer
                | Problems::LargestTransformer { .. }
                | Problems::PilePorts { .. }
                | Problems::Cabinets { .. }
                | Problems::Iterations { .. }
                | Problems::Missed { .. } => {}
            }
            let problem = Problem {
                site: "美吉鑫小区".into(),
                kpi: "lost_swap_rate".into(),
                why,
            };
            let json = serde_json::to_string(&problem).expect("a reason serializes");
            assert_eq!(serde_json::from_str::<Problem>(&json).ok(), Some(problem));
        }
    }
}
