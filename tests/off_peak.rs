//! The off-peak strategy with a reserve (issue 3) on the shipped pilot,
//! against charging at once, on common random numbers: replication `r` of
//! both runs draws the same riders, trips and plug-ins, so a KPI's
//! difference is taken replication by replication and its 95% Student-t
//! interval is that of the paired differences.

use sim_core::stats::mean_ci95;
use sim_core::{Model, Replication, RunResult, Strategy, run, run_replications, summarise};
use swapsim_suite::fixtures::root;

/// The pilot's suggested factor (commented out in the scenario file).
const RESERVE_FACTOR: f64 = 1.2;

/// `scenarios/bishan-pilot.toml` as shipped, with the given strategy and
/// size (seed 1 from the file).
fn pilot(strategy: Strategy, days: u32, warmup_days: u32, replications: u32) -> Model {
    let path = root().join("scenarios/bishan-pilot.toml");
    let mut model = scenarios::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    model.cabinet.strategy = strategy;
    (model.days, model.warmup_days, model.replications) = (days, warmup_days, replications);
    model
}

fn off_peak() -> Strategy {
    Strategy::OffPeakWithReserve {
        reserve_factor: RESERVE_FACTOR,
    }
}

/// First quarter hour of the evening peak (19:00) and the end (22:00): the
/// hours where the pilot's residential base load (`"residential"`) is
/// within 5% of its daily peak.
const EVENING: std::ops::Range<usize> = 19 * 4..22 * 4;

/// Highest load in the evening of the mean measured day \[kW\]: the
/// 15-minute series averaged per quarter hour of the day over the window
/// (which starts at midnight), then its peak over [`EVENING`]. `parts` are
/// the load components summed (`sim_core::LOAD_COMPONENTS`).
fn evening_peak_kw(rep: &Replication, transformers: usize, parts: &[usize]) -> f64 {
    let series = &rep.series;
    let mut day = [0.0f64; 96];
    for q in 0..series.quarters {
        let at = q * transformers * 4;
        day[q % 96] += parts
            .iter()
            .map(|&p| f64::from(series.transformer_kw[at + p]))
            .sum::<f64>();
    }
    let days = (series.quarters / 96) as f64;
    day[EVENING].iter().fold(0.0, |m, &x| m.max(x / days))
}

/// E[(N − r)⁺] for N ~ Poisson(m): the expected demand beyond `r`.
fn poisson_excess(m: f64, r: f64) -> f64 {
    let top = (m + 20.0 * m.sqrt() + 20.0).ceil() as u32;
    let (mut p, mut excess) = ((-m).exp(), 0.0);
    for n in 0..=top {
        if n > 0 {
            p *= m / f64::from(n);
        }
        excess += (f64::from(n) - r).max(0.0) * p;
    }
    excess
}

/// Mean and 95% interval of `f(off-peak) − f(immediate)` over paired
/// replications.
fn paired(a: &[RunResult], b: &[RunResult], f: impl Fn(&RunResult) -> f64) -> (f64, f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| f(y) - f(x)).collect();
    mean_ci95(&d)
}

/// Before a day has passed there is no history of the hours ahead, so
/// the reserve cannot be sized and off-peak charges as `immediate` does:
/// the pilot's first day (seed 1, 4 replications, no warm-up) is the same
/// run, KPI for KPI. An empty history used to make the reserve zero, which
/// deferred every charge from 8 h to the next valley: 62% of the first
/// day's requests found no battery against 10% here, and the riders sent
/// home that day still skewed the measured days after a 3-day warm-up, so
/// the two strategies no longer shared their random numbers (the paired
/// interval of the stockout rise below widened to [−0.0002, +0.0044]).
#[test]
fn off_peak_charges_as_needed_before_a_day_of_history() {
    let immediate = run(&pilot(Strategy::Immediate, 1, 0, 4), 0);
    let off_peak = run(&pilot(off_peak(), 1, 0, 4), 0);
    assert!(immediate.network.swap_requests_per_day.mean > 100.0);
    assert_eq!(
        off_peak.network, immediate.network,
        "first day: stockouts {:.4} off-peak vs {:.4} immediate",
        off_peak.network.stockout_probability.mean, immediate.network.stockout_probability.mean
    );
}

/// Issue 3: on the shipped pilot (seed 1, 16 replications × 21 measured
/// days after 3 warm-up days), `off_peak_with_reserve` (factor 1.2)
/// against `immediate`:
///
/// - the energy bill falls (measured −5.1 [−5.4, −4.9] CNY/d of 110);
/// - the evening peak falls: the highest quarter hour of the mean day in
///   19–22 h, of the transformer (−4.5 [−4.8, −4.2] kW of 541) and of the
///   cabinets alone (−1.7 [−2.0, −1.5] kW of 17);
///
/// each with the upper end of the paired 95% interval below zero.
///
/// - Stockouts and lost swaps rise by no more than the reserve promises.
///   Outside the valley a charge waits only while ready plus charging
///   batteries reach ⌈f·m_h⌉, with m_h the requests expected from hour h
///   to the valley; so deferring can cost a rider a battery only when the
///   requests until the valley exceed that reserve. With Poisson demand
///   that excess is E[(N − ⌈f·m_h⌉)⁺], N ~ Poisson(m_h), at most one
///   episode a day; its largest value over the hours h outside the valley,
///   divided by the requests per day, is the promised bound ε on the rise
///   of both rates (m_h from the immediate run's hourly requests; ε is
///   0.0023 here, at 22 h). The upper end of the paired 95% interval of
///   each rise must stay within ε: measured −0.0002 [−0.0011, +0.0008]
///   for stockouts and +0.0000 [−0.0004, +0.0005] for lost swaps (the
///   upper ends stayed below 0.0017 for seeds 2–13).
#[test]
fn off_peak_lowers_cost_and_evening_peak_within_the_reserves_promise() {
    let (days, warmup, replications) = (24, 3, 16);
    let a_model = pilot(Strategy::Immediate, days, warmup, replications);
    let b_model = pilot(off_peak(), days, warmup, replications);
    let transformers = a_model.grid.transformers.len();
    assert_eq!(transformers, 1, "the pilot has one transformer");
    let a_reps = run_replications(&a_model, 0);
    let b_reps = run_replications(&b_model, 0);
    let one = |model: &Model, reps: &[Replication]| -> Vec<RunResult> {
        reps.iter()
            .map(|r| summarise(model, std::slice::from_ref(r)))
            .collect()
    };
    let (a, b) = (one(&a_model, &a_reps), one(&b_model, &b_reps));

    let cost = paired(&a, &b, |r| r.network.energy_cost_cny_per_day.mean);
    assert!(cost.2 < 0.0, "energy cost change {cost:?} CNY/d");

    let peak = |parts: &'static [usize]| {
        let d: Vec<f64> = a_reps
            .iter()
            .zip(&b_reps)
            .map(|(x, y)| {
                evening_peak_kw(y, transformers, parts) - evening_peak_kw(x, transformers, parts)
            })
            .collect();
        mean_ci95(&d)
    };
    let total = peak(&[0, 1, 2, 3]);
    assert!(
        total.2 < 0.0,
        "evening transformer peak change {total:?} kW"
    );
    let cabinets = peak(&[1]);
    assert!(
        cabinets.2 < 0.0,
        "evening cabinet peak change {cabinets:?} kW"
    );

    // The reserve's promise, from the immediate run's hourly demand.
    let immediate = summarise(&a_model, &a_reps);
    let requests = &immediate.profiles.network.requests_by_hour;
    let per_day: f64 = requests.iter().sum();
    let valley = &a_model.grid.tariff.valley;
    let mut epsilon: f64 = 0.0;
    for h in (0..24).filter(|&h| !valley[h]) {
        let mut m = 0.0;
        let mut k = h;
        while !valley[k] {
            m += requests[k];
            k = (k + 1) % 24;
        }
        let reserve = (RESERVE_FACTOR * m).ceil();
        epsilon = epsilon.max(poisson_excess(m, reserve) / per_day);
    }
    // An informative bound: a promise of several points would prove nothing.
    assert!(epsilon > 0.0 && epsilon < 0.005, "promise ε = {epsilon}");
    let stockouts = paired(&a, &b, |r| r.network.stockout_probability.mean);
    let lost = paired(&a, &b, |r| r.network.lost_swap_rate.mean);
    assert!(
        stockouts.2 <= epsilon,
        "stockout rise {stockouts:?} beyond the reserve's promise {epsilon:.5}"
    );
    assert!(
        lost.2 <= epsilon,
        "lost-swap rise {lost:?} beyond the reserve's promise {epsilon:.5}"
    );
    eprintln!(
        "cost {cost:.3?} CNY/d; evening peak {total:.3?} kW, cabinets {cabinets:.3?} kW; \
         stockouts {stockouts:.5?}, lost {lost:.5?}, ε {epsilon:.5}"
    );
}
