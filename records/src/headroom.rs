//! The adoption at which a plan stops holding: `swapsim weekly`'s
//! headroom.
//!
//! A site whose demand runs above the plan raises one question for the
//! week's meeting: how much more can the planned sizing take? The answer
//! is found from the plan's own targets, as `run --check` of the plan file
//! judges them: the plan's model, with the planned sizing, is run at other
//! values of the site's `swap_adoption` and checked against its
//! `[targets]` by the upper end of each 95 % interval. A bisection between
//! an adoption that holds and one that misses narrows the bracket to
//! [`HEADROOM_RESOLUTION`].
//!
//! Every run has the plan's seed, days and replications (its
//! `[[scenario_override]]`), so the run at the plan's own adoption is the
//! plan's check, and every run shares its random numbers (riders are
//! seeded by their site and ordinal, so a higher adoption adds riders and
//! keeps the others' draws). Fewer days or replications would widen the
//! intervals until the plan misses at its own adoption.
//!
//! This module runs nothing itself: the caller hands in the function that
//! runs a model (`cli` passes `sim_core::run`), as for the backtest.

use std::collections::BTreeSet;

use sim_core::{Demand, Model, RunResult};

/// The bisection stops when the bracket is at most this wide \[share of
/// the site's e-bikes\]: the adoption is reported to two decimals.
pub const HEADROOM_RESOLUTION: f64 = 0.01;

/// Where a plan stops holding at one site, as its adoption grows.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Headroom {
    /// The largest adoption tried at which the planned sizing meets every
    /// target (the bracket's low end); `None` when it misses even at 0.
    pub holds_up_to: Option<f64>,
    /// The smallest adoption tried at which a target is missed (the
    /// bracket's high end); `None` when the plan holds even at 1, every
    /// e-bike on a subscription.
    pub misses_at: Option<f64>,
    /// Swap requests a day at the site at `holds_up_to` (the run's mean).
    pub requests_per_day: Option<f64>,
    /// The targets missed at `misses_at`, as `site: kpi`.
    pub missed: Vec<String>,
    /// Runs the search took.
    pub runs: u32,
    /// Days of each run, warm-up included.
    pub days: u32,
    /// Replications of each run.
    pub replications: u32,
}

/// One checked run: the misses that count, and the site's requests a day.
struct Judged {
    missed: Vec<String>,
    requests_per_day: f64,
}

/// Where the planned sizing of `plan` stops meeting its targets as the
/// `swap_adoption` of `site` grows (or, when it misses at the plan's own
/// adoption, shrinks), running each candidate through `run`.
///
/// A run holds when it misses no target at `site`, and no target at
/// another site that the run at the plan's adoption meets: a target
/// another site misses already is not this site's doing, and would
/// otherwise stop every search in a district. `None` for a site the plan
/// does not have, with Poisson demand or with no e-bikes (its adoption
/// means nothing).
pub fn headroom(
    plan: &Model,
    site: &str,
    run: &mut dyn FnMut(&Model) -> RunResult,
) -> Option<Headroom> {
    let at = plan.sites.iter().position(|s| s.name == site)?;
    let spec = &plan.sites[at];
    if spec.demand != Demand::Riders || spec.ebikes == 0 {
        return None;
    }
    let planned = spec.swap_adoption;
    let mut model = plan.clone();
    let mut runs = 0;
    // Misses at other sites at the plan's own adoption.
    let mut elsewhere: Option<BTreeSet<(String, &'static str)>> = None;
    let mut check = |adoption: f64| -> Judged {
        // A share in [0, 1] is what validation accepts for this key, and
        // nothing else in the model is derived from it: set on the model.
        model.sites[at].swap_adoption = adoption;
        runs += 1;
        let result = run(&model);
        let misses = result.misses(&model.targets);
        let already = elsewhere.get_or_insert_with(|| {
            misses
                .iter()
                .filter(|m| m.site != site)
                .map(|m| (m.site.clone(), m.kpi))
                .collect()
        });
        let missed = misses
            .iter()
            .filter(|m| m.site == site || !already.contains(&(m.site.clone(), m.kpi)))
            .map(|m| format!("{}: {}", m.site, m.kpi))
            .collect();
        let requests_per_day = result
            .sites
            .iter()
            .find(|s| s.name == site)
            .and_then(|s| s.kpis.get("swap_requests_per_day"))
            .map_or(0.0, |e| e.mean);
        Judged {
            missed,
            requests_per_day,
        }
    };
    // The bracket: (adoption, requests a day) that holds, (adoption,
    // misses) that does not.
    let base = check(planned);
    let (mut low, mut high) = if base.missed.is_empty() {
        let low = (planned, base.requests_per_day);
        let top = check(1.0);
        if top.missed.is_empty() {
            (Some((1.0, top.requests_per_day)), None)
        } else {
            (Some(low), Some((1.0, top.missed)))
        }
    } else {
        let bottom = check(0.0);
        if bottom.missed.is_empty() {
            (
                Some((0.0, bottom.requests_per_day)),
                Some((planned, base.missed)),
            )
        } else {
            (None, Some((0.0, bottom.missed)))
        }
    };
    while let (Some((lo, _)), Some((hi, _))) = (&low, &high) {
        if hi - lo <= HEADROOM_RESOLUTION {
            break;
        }
        // Midpoints to four decimals, so the JSON reads plainly.
        let mid = (0.5 * (lo + hi) * 1e4).round() / 1e4;
        if mid <= *lo || mid >= *hi {
            break;
        }
        let judged = check(mid);
        if judged.missed.is_empty() {
            low = Some((mid, judged.requests_per_day));
        } else {
            high = Some((mid, judged.missed));
        }
    }
    let (misses_at, missed) = high.map_or((None, Vec::new()), |(a, m)| (Some(a), m));
    Some(Headroom {
        holds_up_to: low.map(|(a, _)| a),
        misses_at,
        requests_per_day: low.map(|(_, r)| r),
        missed,
        runs,
        days: plan.days,
        replications: plan.replications,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Estimate, Kpis, SiteResult};

    const PILOT: &str = include_str!("../../scenarios/bishan-pilot.toml");

    /// A run whose lost-swap rate at each site is its adoption (a share
    /// of requests lost that grows with demand), with a point interval.
    fn fake(model: &Model) -> RunResult {
        let mut result = RunResult {
            scenario: model.name.clone(),
            seed: model.seed,
            replications: model.replications,
            days: model.days,
            warmup_days: model.warmup_days,
            network: Kpis::default(),
            sites: Vec::new(),
            events: 0,
            timeseries: Default::default(),
            profiles: Default::default(),
        };
        for s in &model.sites {
            let mut kpis = Kpis::default();
            let point = |x: f64| Estimate {
                mean: x,
                ci95_low: x,
                ci95_high: x,
            };
            kpis.lost_swap_rate = point(s.swap_adoption / 10.0);
            kpis.swap_requests_per_day = point(1000.0 * s.swap_adoption);
            result.sites.push(SiteResult {
                name: s.name.clone(),
                kpis,
            });
        }
        result
    }

    fn pilot(lost: f64) -> Model {
        let mut model = scenarios::parse(PILOT, "p.toml").unwrap();
        model.targets = Default::default();
        model.targets.max_lost_swap_rate = Some(lost);
        model
    }

    #[test]
    fn the_bracket_closes_on_the_limit_from_the_plans_adoption() {
        // Lost share = adoption / 10 ≤ 0.045: holds up to adoption 0.45.
        let model = pilot(0.045);
        let mut tried = Vec::new();
        let h = headroom(&model, "美吉鑫小区", &mut |m| {
            tried.push(m.sites[0].swap_adoption);
            fake(m)
        })
        .unwrap();
        let (low, high) = (h.holds_up_to.unwrap(), h.misses_at.unwrap());
        assert!(low <= 0.45 && 0.45 < high, "{h:?}");
        assert!(high - low <= HEADROOM_RESOLUTION, "{h:?}");
        assert!(low >= 0.3, "above the plan's 0.3: {h:?}");
        assert_eq!(tried[..2], [0.3, 1.0]);
        assert_eq!(h.runs as usize, tried.len());
        assert_eq!(h.missed, ["美吉鑫小区: lost_swap_rate"]);
        assert_eq!(h.requests_per_day, Some(1000.0 * low));
    }

    #[test]
    fn a_plan_that_misses_at_its_own_adoption_is_searched_below_it() {
        // Holds up to 0.2, under the plan's 0.3.
        let h = headroom(&pilot(0.02), "美吉鑫小区", &mut fake).unwrap();
        let (low, high) = (h.holds_up_to.unwrap(), h.misses_at.unwrap());
        assert!(low <= 0.2 && 0.2 < high && high <= 0.3, "{h:?}");
    }

    #[test]
    fn the_ends_say_when_the_plan_holds_everywhere_or_nowhere() {
        let h = headroom(&pilot(0.5), "美吉鑫小区", &mut fake).unwrap();
        assert_eq!((h.holds_up_to, h.misses_at, h.runs), (Some(1.0), None, 2));
        let h = headroom(&pilot(-1.0), "美吉鑫小区", &mut fake).unwrap();
        assert_eq!((h.holds_up_to, h.misses_at, h.runs), (None, Some(0.0), 2));
        assert!(headroom(&pilot(0.5), "no such site", &mut fake).is_none());
    }
}
