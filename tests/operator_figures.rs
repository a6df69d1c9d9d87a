//! Figures to hold against operators' (issue 10): swaps per subscriber per
//! day, swaps per cabinet per day and batteries per subscriber, checked
//! against what the model's own counts say they must be.

use sim_core::{run, run_replications, window_hours};
use swapsim_suite::models::small_district;

/// The small district (seed 7, 6 replications × 18 measured days):
/// subscribers are round(e-bikes × 0.3) per site (293, 180 and 113) plus
/// 40 district couriers, 626 in all, for 60 batteries in cabinets.
#[test]
fn operator_figures_follow_from_the_counts() {
    let model = small_district();
    let result = run(&model, 0);
    let k = &result.network;
    let subscribers = 293.0 + 180.0 + 113.0 + 40.0;
    let batteries = 60.0;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(
        close(
            k.batteries_per_subscriber.mean,
            (batteries + subscribers) / subscribers
        ),
        "{:?}",
        k.batteries_per_subscriber
    );
    // Every swap is one subscriber's and one cabinet's: 6 cabinets.
    assert!(close(
        k.swaps_per_cabinet_day.mean * 6.0,
        k.swaps_per_subscriber_day.mean * subscribers
    ));
    // Swaps per subscriber per day from the groups' own swap counts.
    let reps = run_replications(&model, 0);
    let per_rep: Vec<f64> = reps
        .iter()
        .map(|r| {
            let swaps: u64 = r.group_swaps.iter().sum();
            let riders: u64 = r.group_riders.iter().sum();
            swaps as f64 / riders as f64 / (window_hours(r) / 24.0)
        })
        .collect();
    let mean = per_rep.iter().sum::<f64>() / per_rep.len() as f64;
    assert!(
        close(k.swaps_per_subscriber_day.mean, mean),
        "{mean} vs {k:?}"
    );
    // Plausible against DOMAIN.md: commuters swap every few days, couriers
    // about twice a day, so the network sits between Gogoro's 0.76 and
    // China Tower's 2 (couriers are 6% of subscribers here).
    assert!(
        (0.2..1.0).contains(&mean),
        "{mean} swaps per subscriber a day"
    );
    // Per site: cabinet stock plus a battery per bike living there.
    let first = &result.sites[0];
    let site = &model.sites[0];
    let residents = 293.0;
    assert!(
        first.kpis.batteries_per_subscriber.mean
            >= (f64::from(site.batteries) + residents) / (residents + 40.0)
    );
}
