//! Quick wall-clock look at the M/M/10 engine speed (the criterion bench is
//! the reference; this is for profiling with perf or callgrind).

use sim_core::{BatterySpec, ChargeModel, Demand, Model, Patience, SiteSpec};

fn main() {
    let days: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let model = Model {
        name: "mmc10".into(),
        days,
        warmup_days: 0,
        seed: 1,
        replications: 1,
        battery: BatterySpec {
            capacity_wh: 1000.0,
            charge: ChargeModel::Exponential { mean_hours: 1.0 },
            dispense_soc: 0.95,
            return_soc: 0.2,
            ..BatterySpec::default()
        },
        sites: vec![SiteSpec {
            name: "A".into(),
            cabinets: 1,
            slots_per_cabinet: 12,
            batteries: 10,
            demand: Demand::Poisson {
                swaps_per_hour: 9.0,
            },
            patience: Patience::Infinite,
            max_concurrent_charging: None,
            ..SiteSpec::default()
        }],
        ..Model::default()
    };
    let start = std::time::Instant::now();
    let rep = sim_core::simulate_replication(&model, 0);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} events in {secs:.3} s: {:.1} M events/s",
        rep.events,
        rep.events as f64 / secs / 1e6
    );
}
