//! A scenario's simulated run against a log: `swapsim backtest`.
//!
//! Per site in both, three fits:
//! - daily swap requests: the run's mean with its 95 % interval against
//!   the log's mean a day; it misses when the observed mean is outside the
//!   interval and more than `tolerance` (relative) from the simulated mean;
//! - the hour-of-day profile of requests: the total variation distance
//!   between the run's and the log's, at most [`PROFILE_TOLERANCE`];
//! - the stockout share (when the log has `result`): the run's
//!   `stockout_probability` against the log's share of attempts that found
//!   no battery. It is shown, and judged only when a stockout tolerance
//!   is given: it depends on the cabinets' sizing, charging and the
//!   operator's rebalancing, which a log does not calibrate, so a
//!   difference says the scenario's sizing differs from the site's (what
//!   `plan` answers), not that its demand does.

use sim_core::{Model, RunResult};

use crate::estimate::{Estimates, Interval, total_variation};

/// Default relative miss of daily swap requests.
pub const DEFAULT_TOLERANCE: f64 = 0.15;
/// Largest total variation distance between the hourly profiles: 0.15
/// moves 15 % of the day's requests to other hours; the sample log's
/// profile is within 0.05 of its truth.
pub const PROFILE_TOLERANCE: f64 = 0.15;

/// The fits of one site.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SiteFit {
    /// The site's name.
    pub site: String,
    /// Its town in the scenario, or empty.
    pub town: String,
    /// Swap requests a day in the log, with the interval over days.
    pub observed_requests_per_day: Interval,
    /// Simulated swap requests a day: mean and 95 % interval.
    pub simulated_requests_per_day: sim_core::Estimate,
    /// (observed − simulated) ÷ simulated.
    pub requests_miss: f64,
    /// Total variation distance of the hourly profiles, 0–1.
    pub profile_distance: f64,
    /// The log's share of requests in each hour of the day (24, sum 1).
    pub observed_profile: Vec<f64>,
    /// The run's requests in each hour of the day (24, as its profile
    /// holds them; empty when the run has no profile for the site).
    pub simulated_profile: Vec<f64>,
    /// Stockout share in the log, when it has `result`.
    pub observed_stockout: Option<f64>,
    /// Simulated stockout probability (mean).
    pub simulated_stockout: f64,
    /// Whether every fit is within its tolerance.
    pub pass: bool,
    /// The fits that miss, in words.
    pub misses: Vec<String>,
}

/// A backtest of a scenario on a log.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Backtest {
    /// The relative tolerance of daily requests.
    pub tolerance: f64,
    /// The profile's tolerance (total variation distance).
    pub profile_tolerance: f64,
    /// The stockout share's tolerance (absolute), when it is judged.
    pub stockout_tolerance: Option<f64>,
    /// Per site in both, in log order.
    pub sites: Vec<SiteFit>,
    /// Sites of the log not in the scenario.
    pub log_only: Vec<String>,
    /// Sites of the scenario not in the log.
    pub scenario_only: Vec<String>,
}

impl Backtest {
    /// Whether every site fits.
    pub fn pass(&self) -> bool {
        self.sites.iter().all(|s| s.pass)
    }
}

/// Compares the run `result` of `model` with the log's `estimates`.
pub fn backtest(
    model: &Model,
    result: &RunResult,
    estimates: &Estimates,
    tolerance: f64,
    stockout_tolerance: Option<f64>,
) -> Backtest {
    let mut sites = Vec::new();
    for e in &estimates.sites {
        let Some(index) = model.sites.iter().position(|s| s.name == e.site) else {
            continue;
        };
        let kpis = &result.sites[index].kpis;
        let sim = kpis.swap_requests_per_day;
        let observed = e.requests_per_day;
        let requests_miss = if sim.mean > 0.0 {
            (observed.value - sim.mean) / sim.mean
        } else if observed.value > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        let simulated_profile = result
            .profiles
            .sites
            .get(index)
            .map(|p| p.requests_by_hour.clone())
            .unwrap_or_default();
        let profile_distance = if simulated_profile.len() == 24 {
            total_variation(&simulated_profile, &e.profile)
        } else {
            1.0
        };
        let observed_stockout = e.stockout_share.map(|s| s.value);
        let simulated_stockout = kpis.stockout_probability.mean;
        let mut misses = Vec::new();
        let inside = (sim.ci95_low..=sim.ci95_high).contains(&observed.value);
        if !inside && requests_miss.abs() > tolerance {
            misses.push(format!(
                "swap requests a day {:.1} observed, {:.1} simulated ({:+.0} %, tolerance ±{:.0} %)",
                observed.value,
                sim.mean,
                100.0 * requests_miss,
                100.0 * tolerance
            ));
        }
        if profile_distance > PROFILE_TOLERANCE {
            misses.push(format!(
                "hourly profile {profile_distance:.3} apart (total variation; tolerance {PROFILE_TOLERANCE})"
            ));
        }
        if let (Some(o), Some(limit)) = (observed_stockout, stockout_tolerance)
            && (o - simulated_stockout).abs() > limit
        {
            misses.push(format!(
                "stockout share {:.1} % observed, {:.1} % simulated (tolerance ±{:.0} points)",
                100.0 * o,
                100.0 * simulated_stockout,
                100.0 * limit
            ));
        }
        sites.push(SiteFit {
            site: e.site.clone(),
            town: model.sites[index].town.clone(),
            observed_requests_per_day: observed,
            simulated_requests_per_day: sim,
            requests_miss,
            profile_distance,
            observed_profile: e.profile.to_vec(),
            simulated_profile,
            observed_stockout,
            simulated_stockout,
            pass: misses.is_empty(),
            misses,
        });
    }
    Backtest {
        tolerance,
        profile_tolerance: PROFILE_TOLERANCE,
        stockout_tolerance,
        sites,
        log_only: estimates
            .sites
            .iter()
            .filter(|e| !model.sites.iter().any(|s| s.name == e.site))
            .map(|e| e.site.clone())
            .collect(),
        scenario_only: model
            .sites
            .iter()
            .filter(|s| !estimates.sites.iter().any(|e| e.site == s.name))
            .map(|s| s.name.clone())
            .collect(),
    }
}
