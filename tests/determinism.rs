//! Same scenario and seed → byte-identical results on any thread count,
//! and common random numbers across scenarios that differ in capacity, in
//! the order of their sites, or in the riders of other sites.

use sim_core::{Patience, run};
use swapsim_suite::models::{cabinet, cc_cv, exponential};

fn json(result: &sim_core::RunResult) -> String {
    serde_json::to_string_pretty(result).unwrap()
}

#[test]
fn one_thread_and_many_give_identical_json() {
    let mut model = cabinet(
        8,
        12,
        cc_cv(400.0),
        2.5,
        Patience::Exponential { mean_minutes: 5.0 },
    );
    model.days = 30;
    model.warmup_days = 2;
    model.replications = 7;
    model.sites[0].max_concurrent_charging = Some(5);
    let one = json(&run(&model, 1));
    for threads in [2, 3, 0] {
        assert_eq!(one, json(&run(&model, threads)), "threads = {threads}");
    }
    // A different seed really changes the numbers.
    model.seed = 2;
    assert_ne!(one, json(&run(&model, 1)));
}

/// Common random numbers: more batteries see the same arrivals, so the
/// request count is identical and the loss can only fall, in every
/// replication.
#[test]
fn capacity_variants_share_arrivals() {
    let mut small = cabinet(6, 12, exponential(2.0), 3.0, Patience::None);
    small.days = 60;
    let mut large = small.clone();
    large.sites[0].batteries = 9;
    let a = sim_core::run_replications(&small, 0);
    let b = sim_core::run_replications(&large, 0);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.sites[0].requests, y.sites[0].requests);
        assert!(y.sites[0].lost < x.sites[0].lost);
    }
}

/// Common random numbers follow names, not positions: listing the sites in
/// another order, or adding subscribers at one site, leaves every other
/// site's riders, trips and requests exactly as they were, replication by
/// replication. (Sites here share nothing: riders use their home cabinets,
/// and no courier works across the district.)
#[test]
fn streams_follow_sites_and_riders_not_their_positions() {
    use sim_core::ChoicePolicy;
    use swapsim_suite::models::small_district;
    let mut base = small_district();
    base.riders.district_couriers.clear();
    base.riders.choice.policy = ChoicePolicy::Home;
    base.days = 14;
    base.warmup_days = 2;
    base.replications = 3;
    let by_name = |model: &sim_core::Model| -> Vec<Vec<(String, u64, u64)>> {
        sim_core::run_replications(model, 0)
            .iter()
            .map(|rep| {
                let mut sites: Vec<_> = model
                    .sites
                    .iter()
                    .zip(&rep.sites)
                    .map(|(spec, c)| (spec.name.clone(), c.requests, c.flying_wire_sessions))
                    .collect();
                sites.sort();
                sites
            })
            .collect()
    };
    let reference = by_name(&base);
    assert!(reference[0].iter().all(|(_, requests, _)| *requests > 0));

    let mut reordered = base.clone();
    reordered.sites.reverse();
    assert_eq!(by_name(&reordered), reference, "sites listed in reverse");

    let mut adopted = base.clone();
    adopted.sites[0].swap_adoption = 0.6;
    let changed = &adopted.sites[0].name;
    let (a, b) = (by_name(&adopted), &reference);
    for (rep_a, rep_b) in a.iter().zip(b) {
        for (x, y) in rep_a.iter().zip(rep_b) {
            if &x.0 == changed {
                assert!(x.1 > y.1, "more subscribers swap more: {x:?} vs {y:?}");
            } else {
                assert_eq!(x, y, "another site's adoption moved this one");
            }
        }
    }
}
