//! Every shipped scenario loads and runs (at reduced days), and the pilot
//! and the district give figures in the ranges DOMAIN.md reports.

use std::path::Path;

use sim_core::run;
use swapsim_suite::fixtures::{root, shipped_scenarios};

fn load(path: &Path) -> sim_core::Model {
    scenarios::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_shipped_scenario_runs_at_reduced_days() {
    let shipped = shipped_scenarios();
    assert!(shipped.len() >= 8, "{shipped:?}");
    for path in shipped {
        let mut model = load(&path);
        model.warmup_days = model.warmup_days.min(1);
        model.days = model.warmup_days + 2;
        model.replications = 2;
        let result = run(&model, 0);
        let k = &result.network;
        assert!(
            k.swap_requests_per_day.mean > 0.0,
            "{}: no demand",
            path.display()
        );
        for (name, e) in k.entries() {
            assert!(
                e.mean.is_finite() && e.mean >= 0.0,
                "{}: {name} = {e:?}",
                path.display()
            );
        }
    }
}

/// The pilot community: swaps per subscriber and per site within
/// published bands (DOMAIN.md: Gogoro 0.76 swaps per rider per day, China
/// Tower about 33 swaps per site per day), and flying wire present where
/// piles are too few.
#[test]
fn pilot_figures_are_plausible() {
    let mut model = load(&root().join("scenarios/bishan-pilot.toml"));
    model.days = 10;
    model.warmup_days = 2;
    model.replications = 4;
    let reps = sim_core::run_replications(&model, 0);
    let days: f64 = reps.iter().map(|r| r.window_ms as f64 / 86_400_000.0).sum();
    for (g, group) in model.riders.groups.iter().enumerate() {
        let riders = reps[0].group_riders[g];
        if riders == 0 {
            continue;
        }
        let swaps: u64 = reps.iter().map(|r| r.group_swaps[g]).sum();
        let rate = swaps as f64 / riders as f64 / days;
        let band = if group.works_across_district {
            1.5..=3.0
        } else {
            0.3..=1.2
        };
        assert!(
            band.contains(&rate),
            "{}: {rate:.2} swaps/rider/day",
            group.name
        );
    }
    let result = sim_core::summarise(&model, &reps);
    let per_cabinet = result.network.swap_requests_per_day.mean
        / f64::from(model.sites.iter().map(|s| s.cabinets).sum::<u32>());
    assert!(
        (5.0..=150.0).contains(&per_cabinet),
        "{per_cabinet:.1} swaps per cabinet per day"
    );
}
