//! Key performance indicators: per replication from raw counters, then mean
//! and 95% interval across replications.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::{
    Counters, DayProgress, Replication, TransformerCounters, simulate_replication,
    simulate_replication_with,
};
use crate::model::Model;
use crate::stats::{mean_ci95, quantile_sorted};
use crate::{LOAD_COMPONENTS, MS_PER_DAY, MS_PER_HOUR};

/// A KPI across replications: mean and 95% Student-t interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub ci95_low: f64,
    /// Upper end of the 95% interval.
    pub ci95_high: f64,
}

/// Declares the KPI set once: the per-replication values, the estimates and
/// their names all follow from this list, in this order.
macro_rules! kpis {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// KPIs of a site or of the network, each with its interval. Rates
        /// are fractions of the swap requests that arose there. Its JSON
        /// reads back with every KPI and no other: a KPI missing from a
        /// hand-edited file is an error, not a zero that meets every
        /// target, and one it adds is an error, not a value dropped
        /// without a word.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Kpis {
            $( $(#[$doc])* pub $name: Estimate, )*
        }

        /// One replication's KPI values.
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        struct Values {
            $( $name: f64, )*
        }

        impl Kpis {
            /// KPI names in output order.
            pub const NAMES: &'static [&'static str] = &[$( stringify!($name) ),*];

            /// The KPI called `name`.
            pub fn get(&self, name: &str) -> Option<Estimate> {
                match name {
                    $( stringify!($name) => Some(self.$name), )*
                    _ => None,
                }
            }

            /// `(name, estimate)` pairs in output order.
            pub fn entries(&self) -> Vec<(&'static str, Estimate)> {
                vec![$( (stringify!($name), self.$name) ),*]
            }

            fn from_values(values: &[Values]) -> Kpis {
                let mut samples = Vec::with_capacity(values.len());
                let mut kpis = Kpis::default();
                $(
                    samples.clear();
                    samples.extend(values.iter().map(|v| v.$name));
                    let (mean, low, high) = mean_ci95(&samples);
                    // Every KPI is non-negative and shares are at most 1: a
                    // Student-t interval from few replications can cross
                    // those bounds, so it is clipped to them.
                    let cap = if SHARES.contains(&stringify!($name)) { 1.0 } else { f64::INFINITY };
                    kpis.$name = Estimate {
                        mean,
                        ci95_low: low.max(0.0),
                        ci95_high: high.min(cap),
                    };
                )*
                kpis
            }
        }
    };
}

kpis! {
    /// Swap requests per day \[1/d\].
    swap_requests_per_day,
    /// Share of requests that found no dispensable battery on arrival at
    /// the first cabinet tried (riders who balk are not counted).
    stockout_probability,
    /// Share of requests not served by any cabinet (balked, gave up, or no
    /// cabinet within reach).
    lost_swap_rate,
    /// Share of requests whose rider found `max_riders_present` riders at
    /// the cabinet site and left at once (part of `lost_swap_rate`).
    balk_rate,
    /// Share of served requests that waited at the cabinet.
    prob_wait,
    /// Mean wait at the cabinet of served requests, from arrival to the
    /// start of the swap (a free door and a battery) \[min\].
    wait_minutes_mean,
    /// 95th percentile of that wait \[min\].
    wait_minutes_p95,
    /// Mean swap delay of served requests: from the need (plus the ride to
    /// the nearest cabinet) to the start of the swap, so waiting and any
    /// extra detour \[min\]. At analytic sites it is the wait.
    swap_delay_minutes_mean,
    /// 95th percentile of the swap delay \[min\]; `max_wait_minutes_p95`
    /// is judged on it.
    swap_delay_minutes_p95,
    /// Time-average of dispensable batteries in stock.
    full_batteries_mean,
    /// Time-average share of slots holding a charging battery.
    cabinet_utilization,
    /// Time-average share of cabinet doors holding a swap.
    door_utilization,
    /// Time-average number of riders at the cabinets, in line or at a door.
    riders_present_mean,
    /// Pile-port charging sessions started per day \[1/d\].
    pile_sessions_per_day,
    /// Flying-wire charging sessions started per day \[1/d\].
    flying_wire_sessions_per_day,
    /// Flying-wire sessions per 1000 e-bikes (every kind) per day \[1/(1000·d)\].
    flying_wire_per_1000_bikes_day,
    /// Charging hours on pile ports per day \[h/d\].
    pile_hours_per_day,
    /// Charging hours by flying wire per day \[h/d\].
    flying_wire_hours_per_day,
    /// Swaps served per subscriber per day, for requests that arose at the
    /// site over subscribers living there; network: all swaps over all
    /// subscribers \[1/d\].
    swaps_per_subscriber_day,
    /// Swaps started at the site's cabinets per cabinet per day \[1/d\].
    swaps_per_cabinet_day,
    /// Batteries per subscriber: cabinet stock plus the one on each bike,
    /// over subscribers living at the site \[–\].
    batteries_per_subscriber,
    /// Grid energy drawn by cabinets \[kWh/d\].
    cabinet_energy_kwh_per_day,
    /// Grid energy drawn by pile ports \[kWh/d\].
    pile_energy_kwh_per_day,
    /// Grid energy drawn in flats: flying wire and home plugs \[kWh/d\].
    home_energy_kwh_per_day,
    /// All grid energy for e-bike charging: cabinets, piles and flats \[kWh/d\].
    energy_kwh_per_day,
    /// Highest load of the site's transformer; network: of all transformers
    /// together. Without transformers, the highest cabinet load \[kW\].
    peak_load_kw,
    /// Highest apparent load ÷ rating of the site's transformer; network:
    /// the highest of any transformer \[–\].
    transformer_peak_utilization,
    /// Hours per day above the allowed utilisation: of the site's
    /// transformer; network: hours in which any transformer is \[h/d\].
    overload_hours_per_day,
    /// Transformer-hours above the allowed utilisation per day: the site's
    /// transformer; network: summed over transformers \[h/d\].
    transformer_overload_hours_per_day,
    /// Cabinet energy at the time-of-use tariff, paid by the operator \[CNY/d\].
    cabinet_energy_cost_cny_per_day,
    /// Pile energy at the residential price, paid by residents \[CNY/d\].
    pile_energy_cost_cny_per_day,
    /// Energy drawn in flats at the residential price, paid by residents
    /// \[CNY/d\].
    home_energy_cost_cny_per_day,
    /// All charging energy cost, whoever pays \[CNY/d\].
    energy_cost_cny_per_day,
    /// Time-average number of riders waiting (L in Little's law).
    riders_waiting_mean,
    /// Mean time in the waiting line over all requests, served or lost
    /// \[min\] (W in Little's law).
    queue_minutes_mean,
}

/// KPIs that are shares of requests or slots, bounded by 1 (the report's
/// strict reader holds a hand-edited result to it too).
pub const SHARES: &[&str] = &[
    "stockout_probability",
    "lost_swap_rate",
    "balk_rate",
    "prob_wait",
    "cabinet_utilization",
    "door_utilization",
];

/// One site's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteResult {
    /// Site name from the scenario.
    pub name: String,
    /// The site's KPIs, over requests that arose there.
    pub kpis: Kpis,
}

/// The result of a run: DESIGN.md §2's JSON, field for field. It reads
/// back from that JSON (`summary.json` for the report and `weekly`, and
/// sweeps merged from shards) without the fields the JSON leaves out,
/// which take their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
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
    pub network: Kpis,
    /// Per-site KPIs in scenario order.
    pub sites: Vec<SiteResult>,
    /// Events handled over all replications.
    #[serde(skip)]
    pub events: u64,
    /// 15-minute series averaged over replications (not part of the JSON).
    #[serde(skip)]
    pub timeseries: Timeseries,
    /// Hour-of-day profiles and wait quantiles (not part of the JSON;
    /// `run --out` writes them to `profiles.json`).
    #[serde(skip)]
    pub profiles: Profiles,
}

/// Hour-of-day profiles of the network and each site, per day, averaged
/// over replications; wait quantiles from the merged histograms; and the
/// spread of the transformer load by time of day. `profiles.json` is its
/// serde form, read back by the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profiles {
    /// The whole network.
    pub network: Profile,
    /// Each site, in model order.
    pub sites: Vec<Profile>,
    /// The total load of each transformer by quarter of the day, in model
    /// order; empty without transformers.
    pub transformer_load: Vec<LoadBand>,
    /// The total load of all transformers together by quarter of the day;
    /// `None` without transformers.
    pub network_load: Option<LoadBand>,
}

/// Quarters of an hour in a day.
const QUARTERS_PER_DAY: usize = 96;

/// The spread of a total load over days and replications: per quarter of
/// the day, the 5th and 95th percentiles of the quarter's mean load over
/// every (replication, measured day) pair. The mean over the same samples
/// is the day-folded `timeseries.csv`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadBand {
    /// Transformer name, or "network".
    pub name: String,
    /// Samples per quarter: replications × measured days.
    pub samples: usize,
    /// 5th percentile per quarter of the day, from 00:00, to the watt \[kW\].
    pub total_kw_p05: Vec<f64>,
    /// 95th percentile per quarter of the day, from 00:00, to the watt \[kW\].
    pub total_kw_p95: Vec<f64>,
}

impl LoadBand {
    /// The band of the total `load(rep, quarter)` over `reps`, each with
    /// `quarters` quarters from midnight of the first measured day.
    /// `samples` is scratch space, reused between calls.
    fn of(
        name: &str,
        reps: &[Replication],
        quarters: impl Fn(&Replication) -> usize,
        load: impl Fn(&Replication, usize) -> f64,
        samples: &mut Vec<f64>,
    ) -> LoadBand {
        let watt = |kw: f64| (kw * 1000.0).round() / 1000.0;
        let mut band = LoadBand {
            name: name.to_owned(),
            samples: 0,
            total_kw_p05: Vec::with_capacity(QUARTERS_PER_DAY),
            total_kw_p95: Vec::with_capacity(QUARTERS_PER_DAY),
        };
        for k in 0..QUARTERS_PER_DAY {
            samples.clear();
            for rep in reps {
                let n = quarters(rep);
                samples.extend((k..n).step_by(QUARTERS_PER_DAY).map(|q| load(rep, q)));
            }
            samples.sort_by(f64::total_cmp);
            band.samples = band.samples.max(samples.len());
            // A window of whole days has every quarter of the day.
            band.total_kw_p05.push(watt(quantile_sorted(samples, 0.05)));
            band.total_kw_p95.push(watt(quantile_sorted(samples, 0.95)));
        }
        band
    }

    /// Each transformer's band, then the network's; nothing without
    /// transformers. Computed once per run from the replications'
    /// 15-minute series (quarter-major: every transformer's components
    /// per quarter), never per event.
    fn build(model: &Model, reps: &[Replication]) -> (Vec<LoadBand>, Option<LoadBand>) {
        let transformers = model.grid.transformers.len();
        if transformers == 0 || reps.is_empty() {
            return (Vec::new(), None);
        }
        let parts = LOAD_COMPONENTS.len();
        let per_quarter = transformers * parts;
        let quarters = |rep: &Replication| rep.series.transformer_kw.len() / per_quarter;
        let total = |rep: &Replication, from: usize, len: usize| {
            rep.series.transformer_kw[from..from + len]
                .iter()
                .map(|&kw| f64::from(kw))
                .sum::<f64>()
        };
        let mut samples = Vec::new();
        let each = model
            .grid
            .transformers
            .iter()
            .enumerate()
            .map(|(t, spec)| {
                LoadBand::of(
                    &spec.name,
                    reps,
                    quarters,
                    |rep, q| total(rep, q * per_quarter + t * parts, parts),
                    &mut samples,
                )
            })
            .collect();
        let network = LoadBand::of(
            "network",
            reps,
            quarters,
            |rep, q| total(rep, q * per_quarter, per_quarter),
            &mut samples,
        );
        (each, Some(network))
    }
}

/// One hour-of-day profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Site name, or "network".
    pub name: String,
    /// Swap requests per day by hour of day (rider-driven runs).
    pub requests_by_hour: Vec<f64>,
    /// Stockouts per day by hour of day (rider-driven runs).
    pub stockouts_by_hour: Vec<f64>,
    /// Pile sessions started per day by hour of day.
    pub pile_sessions_by_hour: Vec<f64>,
    /// Flying-wire sessions started per day by hour of day.
    pub flying_wire_sessions_by_hour: Vec<f64>,
    /// `(quantile, wait [min])` of served requests, all replications merged.
    pub wait_quantiles_minutes: Vec<(f64, f64)>,
}

impl Profiles {
    fn build(model: &Model, reps: &[Replication]) -> Profiles {
        let profile = |name: &str, pick: &dyn Fn(&Replication) -> Vec<&Counters>| {
            let days: f64 = reps
                .iter()
                .map(|r| r.window_ms as f64 / MS_PER_DAY as f64)
                .sum::<f64>()
                .max(1e-9);
            let hourly = |f: fn(&Counters) -> &[u64; 24]| -> Vec<f64> {
                (0..24)
                    .map(|h| {
                        reps.iter()
                            .flat_map(pick)
                            .map(|c| f(c)[h] as f64)
                            .sum::<f64>()
                            / days
                    })
                    .collect()
            };
            let mut hist: Option<hdrhistogram::Histogram<u32>> = None;
            for c in reps.iter().flat_map(pick) {
                match &mut hist {
                    None => hist = Some(c.wait_hist.clone()),
                    Some(h) => h.add(&c.wait_hist).expect("histograms share their bounds"),
                }
            }
            let wait_quantiles_minutes = hist
                .filter(|h| !h.is_empty())
                .map(|h| {
                    [0.5, 0.75, 0.9, 0.95, 0.99, 1.0]
                        .iter()
                        .map(|&q| (q, h.value_at_quantile(q) as f64 / 60_000.0))
                        .collect()
                })
                .unwrap_or_default();
            Profile {
                name: name.to_owned(),
                requests_by_hour: hourly(|c| &c.requests_by_hour),
                stockouts_by_hour: hourly(|c| &c.stockouts_by_hour),
                pile_sessions_by_hour: hourly(|c| &c.pile_by_hour),
                flying_wire_sessions_by_hour: hourly(|c| &c.flying_wire_by_hour),
                wait_quantiles_minutes,
            }
        };
        let (transformer_load, network_load) = LoadBand::build(model, reps);
        Profiles {
            transformer_load,
            network_load,
            network: profile("network", &|r| r.sites.iter().collect()),
            sites: model
                .sites
                .iter()
                .enumerate()
                .map(|(s, spec)| profile(&spec.name, &|r| vec![&r.sites[s]]))
                .collect(),
        }
    }
}

/// 15-minute series of the measurement window, averaged over replications.
/// Its serde form carries a sweep's point between machines (a shard's
/// partial result); floats read back exactly.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeseries {
    /// Quarter hours in the window.
    pub quarters: usize,
    /// Transformer names, in model order.
    pub transformers: Vec<String>,
    /// Mean load per transformer, quarter and component
    /// ([`crate::LOAD_COMPONENTS`]), transformer-major \[kW\].
    pub transformer_kw: Vec<f64>,
    /// Site names, in model order.
    pub sites: Vec<String>,
    /// Mean dispensable batteries per site and quarter, site-major.
    pub site_ready: Vec<f64>,
}

impl Timeseries {
    fn average(model: &Model, reps: &[Replication]) -> Timeseries {
        let Some(first) = reps.first() else {
            return Timeseries::default();
        };
        let quarters = first.series.quarters;
        let mut transformer_kw = vec![0.0; first.series.transformer_kw.len()];
        let mut site_ready = vec![0.0; first.series.site_ready.len()];
        let n = reps.len() as f64;
        for rep in reps {
            // The series is quarter-major per tick; reorder to transformer-major.
            let per_quarter = model.grid.transformers.len() * 4;
            for (k, &x) in rep.series.transformer_kw.iter().enumerate() {
                let (q, rest) = (k / per_quarter.max(1), k % per_quarter.max(1));
                let (t, part) = (rest / 4, rest % 4);
                transformer_kw[(t * quarters + q) * 4 + part] += f64::from(x) / n;
            }
            for (acc, &x) in site_ready.iter_mut().zip(&rep.series.site_ready) {
                *acc += f64::from(x) / n;
            }
        }
        Timeseries {
            quarters,
            transformers: model
                .grid
                .transformers
                .iter()
                .map(|t| t.name.clone())
                .collect(),
            transformer_kw,
            sites: model.sites.iter().map(|s| s.name.clone()).collect(),
            site_ready,
        }
    }
}

/// Runs every replication of `model` on `threads` threads (0 = all cores)
/// and summarises them. The result does not depend on `threads`.
pub fn run(model: &Model, threads: usize) -> RunResult {
    let reps = run_replications(model, threads);
    summarise(model, &reps)
}

/// Runs the replications in parallel; the output is in replication order.
pub fn run_replications(model: &Model, threads: usize) -> Vec<Replication> {
    run_replication_range(model, threads, 0..model.replications)
}

/// Runs replications `range` only. Replication `r` depends on `(seed, r)`
/// alone, so runs of disjoint ranges concatenate into exactly the run of
/// their union (the planner adds replications this way).
pub fn run_replication_range(
    model: &Model,
    threads: usize,
    range: std::ops::Range<u32>,
) -> Vec<Replication> {
    run_range(model, threads, range, None)
}

/// `run_replication_range`, telling `progress` each simulated day of
/// each replication (see [`DayProgress`]). The result does not depend on
/// `progress`.
pub fn run_replications_with(
    model: &Model,
    threads: usize,
    range: std::ops::Range<u32>,
    progress: &dyn DayProgress,
) -> Vec<Replication> {
    run_range(model, threads, range, Some(progress))
}

fn run_range(
    model: &Model,
    threads: usize,
    range: std::ops::Range<u32>,
    progress: Option<&dyn DayProgress>,
) -> Vec<Replication> {
    let one = |r: u32| match progress {
        Some(progress) => simulate_replication_with(model, r, progress),
        None => simulate_replication(model, r),
    };
    let work = || range.clone().into_par_iter().map(one).collect::<Vec<_>>();
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        // A pool that cannot start threads still gives the same numbers.
        Err(_) => range.clone().map(one).collect(),
    }
}

/// Turns raw replications into estimates.
pub fn summarise(model: &Model, reps: &[Replication]) -> RunResult {
    let mut network_values = Vec::with_capacity(reps.len());
    let mut site_values = vec![Vec::with_capacity(reps.len()); model.sites.len()];
    let price = model.grid.tariff.residential_cny_per_kwh;
    for rep in reps {
        let window_ms = rep.window_ms;
        for (s, v) in site_values.iter_mut().enumerate() {
            v.push(site_values_of(model, rep, s));
        }
        let grid = if rep.transformers.is_empty() {
            Grid::cabinets_only(rep.sites.iter().map(|c| c.cabinet_peak_w).sum())
        } else {
            Grid::network(rep)
        };
        network_values.push(values(&rep.sites, window_ms, grid, price));
    }
    RunResult {
        scenario: model.name.clone(),
        seed: model.seed,
        replications: model.replications,
        days: model.days,
        warmup_days: model.warmup_days,
        network: Kpis::from_values(&network_values),
        sites: model
            .sites
            .iter()
            .zip(&site_values)
            .map(|(spec, v)| SiteResult {
                name: spec.name.clone(),
                kpis: Kpis::from_values(v),
            })
            .collect(),
        events: reps.iter().map(|r| r.events).sum(),
        timeseries: Timeseries::average(model, reps),
        profiles: Profiles::build(model, reps),
    }
}

/// The KPIs of site `s` over `reps`: what [`summarise`] gives for it,
/// without the network, the series or the profiles (the planner's sub-models).
pub(crate) fn site_kpis<R: std::borrow::Borrow<Replication>>(
    model: &Model,
    reps: &[R],
    s: usize,
) -> Kpis {
    let values: Vec<Values> = reps
        .iter()
        .map(|rep| site_values_of(model, rep.borrow(), s))
        .collect();
    Kpis::from_values(&values)
}

/// Site `s`'s KPI values in one replication.
fn site_values_of(model: &Model, rep: &Replication, s: usize) -> Values {
    let c = &rep.sites[s];
    let grid = match model.sites[s].transformer {
        Some(t) => Grid::of(&rep.transformers[t]),
        None => Grid::cabinets_only(c.cabinet_peak_w),
    };
    let price = model.grid.tariff.residential_cny_per_kwh;
    values(std::slice::from_ref(c), rep.window_ms, grid, price)
}

/// Transformer figures behind a KPI row.
struct Grid {
    peak_w: f64,
    utilization: f64,
    /// Time with a transformer over its limit \[ms\].
    overload_ms: f64,
    /// Transformer-time over the limit \[ms\].
    transformer_overload_ms: f64,
}

impl Grid {
    fn of(t: &TransformerCounters) -> Grid {
        Grid {
            peak_w: t.peak_w,
            utilization: t.peak_w / t.full_load_w,
            overload_ms: t.overload_ms,
            transformer_overload_ms: t.overload_ms,
        }
    }

    fn cabinets_only(peak_w: f64) -> Grid {
        Grid {
            peak_w,
            utilization: 0.0,
            overload_ms: 0.0,
            transformer_overload_ms: 0.0,
        }
    }

    fn network(rep: &Replication) -> Grid {
        Grid {
            peak_w: rep.network_peak_w,
            utilization: rep
                .transformers
                .iter()
                .map(|t| t.peak_w / t.full_load_w)
                .fold(0.0, f64::max),
            overload_ms: rep.any_overload_ms,
            transformer_overload_ms: rep.transformers.iter().map(|t| t.overload_ms).sum(),
        }
    }
}

/// KPI values of one replication over a set of sites (one site, or all);
/// residents pay `residential_price` \[CNY/kWh\] at piles and at home.
fn values(sites: &[Counters], window_ms: u64, grid: Grid, residential_price: f64) -> Values {
    let sum = |f: fn(&Counters) -> f64| sites.iter().map(f).sum::<f64>();
    let days = window_ms as f64 / MS_PER_DAY as f64;
    let window = window_ms as f64;
    let requests = sum(|c| c.requests as f64);
    let served = sum(|c| c.served as f64);
    let ended = sum(|c| c.ended as f64);
    let slots = sum(|c| f64::from(c.slots));
    let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
    let p95_ms = |hist: fn(&Counters) -> &hdrhistogram::Histogram<u32>| {
        if sites.len() == 1 {
            return hist(&sites[0]).value_at_quantile(0.95);
        }
        let mut merged = hist(&sites[0]).clone();
        for c in &sites[1..] {
            merged.add(hist(c)).expect("histograms share their bounds");
        }
        merged.value_at_quantile(0.95)
    };
    let subscribers = sum(|c| f64::from(c.subscribers));
    let kwh = |wh: f64| wh / 1000.0 / days;
    let cabinet_kwh = kwh(sum(|c| c.cabinet_wh));
    let pile_kwh = kwh(sum(|c| c.pile_wh));
    let home_kwh = kwh(sum(|c| c.flying_wire_wh));
    let cabinet_cost = sum(|c| c.cabinet_cost_cny) / days;
    let ms_per_min = 60_000.0;
    Values {
        swap_requests_per_day: requests / days,
        stockout_probability: ratio(sum(|c| c.stockouts as f64), requests),
        lost_swap_rate: ratio(sum(|c| c.lost as f64), requests),
        balk_rate: ratio(sum(|c| c.balked as f64), requests),
        prob_wait: ratio(sum(|c| c.served_after_wait as f64), served),
        wait_minutes_mean: ratio(sum(|c| c.wait_ms_sum), served) / ms_per_min,
        wait_minutes_p95: if served > 0.0 {
            p95_ms(|c| &c.wait_hist) as f64 / ms_per_min
        } else {
            0.0
        },
        swap_delay_minutes_mean: ratio(sum(|c| c.delay_ms_sum), served) / ms_per_min,
        swap_delay_minutes_p95: if served > 0.0 {
            p95_ms(|c| &c.delay_hist) as f64 / ms_per_min
        } else {
            0.0
        },
        full_batteries_mean: sum(|c| c.ready_area) / window,
        cabinet_utilization: ratio(sum(|c| c.charging_area) / window, slots),
        door_utilization: ratio(
            sum(|c| c.busy_area) / window,
            sum(|c| f64::from(c.cabinets)),
        ),
        riders_present_mean: sum(|c| c.waiting_area + c.busy_area) / window,
        pile_sessions_per_day: sum(|c| c.pile_sessions as f64) / days,
        flying_wire_sessions_per_day: sum(|c| c.flying_wire_sessions as f64) / days,
        flying_wire_per_1000_bikes_day: ratio(
            1000.0 * sum(|c| c.flying_wire_sessions as f64) / days,
            sum(|c| f64::from(c.ebikes)),
        ),
        pile_hours_per_day: sum(|c| c.pile_ms) / MS_PER_HOUR as f64 / days,
        flying_wire_hours_per_day: sum(|c| c.flying_wire_ms) / MS_PER_HOUR as f64 / days,
        swaps_per_subscriber_day: ratio(served / days, subscribers),
        swaps_per_cabinet_day: ratio(
            sum(|c| c.swaps_here as f64) / days,
            sum(|c| f64::from(c.cabinets)),
        ),
        batteries_per_subscriber: ratio(sum(|c| f64::from(c.batteries)) + subscribers, subscribers),
        cabinet_energy_kwh_per_day: cabinet_kwh,
        pile_energy_kwh_per_day: pile_kwh,
        home_energy_kwh_per_day: home_kwh,
        energy_kwh_per_day: cabinet_kwh + pile_kwh + home_kwh,
        peak_load_kw: grid.peak_w / 1000.0,
        transformer_peak_utilization: grid.utilization,
        overload_hours_per_day: grid.overload_ms / MS_PER_HOUR as f64 / days,
        transformer_overload_hours_per_day: grid.transformer_overload_ms
            / MS_PER_HOUR as f64
            / days,
        cabinet_energy_cost_cny_per_day: cabinet_cost,
        pile_energy_cost_cny_per_day: pile_kwh * residential_price,
        home_energy_cost_cny_per_day: home_kwh * residential_price,
        energy_cost_cny_per_day: cabinet_cost + (pile_kwh + home_kwh) * residential_price,
        riders_waiting_mean: sum(|c| c.waiting_area) / window,
        queue_minutes_mean: ratio(sum(|c| c.queue_ms_sum), ended) / ms_per_min,
    }
}

/// Simulated hours in a replication's measurement window.
pub fn window_hours(rep: &Replication) -> f64 {
    rep.window_ms as f64 / MS_PER_HOUR as f64
}

/// A target missed by a site: the upper end of the KPI's 95% interval is
/// above the limit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Miss {
    /// Site name.
    pub site: String,
    /// KPI name.
    pub kpi: &'static str,
    /// The target's limit.
    pub limit: f64,
    /// The KPI's estimate.
    pub estimate: Estimate,
}

impl RunResult {
    /// Every (site, target) whose 95% upper bound exceeds the limit.
    pub fn misses(&self, targets: &crate::model::Targets) -> Vec<Miss> {
        let mut out = Vec::new();
        for site in &self.sites {
            for (kpi, limit) in targets.list() {
                let (Some(limit), Some(estimate)) = (limit, site.kpis.get(kpi)) else {
                    continue;
                };
                if estimate.ci95_high > limit {
                    out.push(Miss {
                        site: site.name.clone(),
                        kpi,
                        limit,
                        estimate,
                    });
                }
            }
        }
        out
    }
}
