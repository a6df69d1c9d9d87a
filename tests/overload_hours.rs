//! Network overload hours (issue 10): the hours in which any transformer is
//! over its allowed load, never more than 24 a day; transformer-hours keep
//! their own name.

use sim_core::{Grid, Model, Tariff, TransformerSpec, run};
use swapsim_suite::models::{cabinet, exponential, peaks};

/// A transformer whose base load is 100 kW in `hours` and 10 kW otherwise,
/// against an allowed 50 kW: over its limit exactly in `hours`.
fn transformer(name: &str, hours: (usize, usize)) -> TransformerSpec {
    TransformerSpec {
        name: name.into(),
        rating_kva: 62.5,
        power_factor: 1.0,
        allowed_utilization: 0.8,
        base_peak_kw: 100.0,
        base_profile: peaks(&[hours], 0.1),
        base_basis: None,
    }
}

/// One analytic site (on no transformer) and two transformers with the
/// given peak hours; seed 1, 2 replications × 3 measured days.
fn grid(a: (usize, usize), b: (usize, usize)) -> Model {
    let mut model = cabinet(10, 12, exponential(1.0), 2.0, sim_core::Patience::None);
    (model.days, model.warmup_days, model.replications) = (4, 1, 2);
    model.grid = Grid {
        transformers: vec![transformer("T1", a), transformer("T2", b)],
        tariff: Tariff::default(),
    };
    model
}

#[test]
fn network_overload_counts_hours_not_transformer_hours() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    // Both over from 19 to 22 h: 3 hours a day, 6 transformer-hours.
    let same = run(&grid((19, 22), (19, 22)), 0).network;
    assert!(close(same.overload_hours_per_day.mean, 3.0), "{same:?}");
    assert!(close(same.transformer_overload_hours_per_day.mean, 6.0));
    // Over at different times: 6 hours a day either way.
    let apart = run(&grid((19, 22), (1, 4)), 0).network;
    assert!(close(apart.overload_hours_per_day.mean, 6.0));
    assert!(close(apart.transformer_overload_hours_per_day.mean, 6.0));
    // Overlapping by an hour: 19–22 and 21–24 cover 5 hours.
    let overlap = run(&grid((19, 22), (21, 24)), 0).network;
    assert!(close(overlap.overload_hours_per_day.mean, 5.0));
    assert!(close(overlap.transformer_overload_hours_per_day.mean, 6.0));
    // All day on both: never more than 24 hours in a day.
    let always = run(&grid((0, 24), (0, 24)), 0).network;
    assert!(close(always.overload_hours_per_day.mean, 24.0));
    assert!(close(always.transformer_overload_hours_per_day.mean, 48.0));
}
