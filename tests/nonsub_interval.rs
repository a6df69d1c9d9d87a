//! A site's own charging interval for bikes not on a subscription (issue
//! 10: a survey's daily charging sessions set it per community).
//!
//! Two communities of 300 e-bikes, none on a subscription. 北苑 charges
//! every 3 days (`[home_charging]`'s interval), 南苑 every 1.5 days (its
//! own `nonsub_interval_days`). Plug-ins are a Poisson process of 300 ÷
//! interval a day, so 100 and 200; each takes a pile port (南苑 has 5) or
//! the flying wire. Seed 1, 12 replications × 20 measured days; the
//! tolerance is each site's 99.9% Student-t interval over the replications
//! (`assert_matches`), with no slack: the plug-in rate holds from time 0.

use sim_core::Estimate;
use sim_core::stats::mean_ci95;
use swapsim_suite::intervals::assert_matches;

const SCENARIO: &str = r#"
[scenario]
name = "two intervals"
days = 21
warmup_days = 1
seed = 1
replications = 12

[battery]
capacity_wh = 1000
charge = { model = "cc_cv", power_w = 400, knee_soc = 0.8, efficiency = 0.92 }

[home_charging]
nonsub_interval_days = 3

[[site]]
name = "北苑"
cabinets = 1
slots_per_cabinet = 12
batteries = 8
ebikes = 300
swap_adoption = 0

[[site]]
name = "南苑"
cabinets = 1
slots_per_cabinet = 12
batteries = 8
ebikes = 300
swap_adoption = 0
pile_ports = 5
nonsub_interval_days = 1.5
"#;

#[test]
fn a_shorter_interval_gives_proportionally_more_plug_ins() {
    let model = scenarios::parse(SCENARIO, "two-intervals.toml").expect("valid scenario");
    assert_eq!(model.sites[0].nonsub_interval_days, None);
    assert_eq!(model.sites[1].nonsub_interval_days, Some(1.5));
    let reps = sim_core::run_replications(&model, 0);
    let mut per_day = Vec::new();
    for (s, expected) in [(0, 300.0 / 3.0), (1, 300.0 / 1.5)] {
        let samples: Vec<f64> = reps
            .iter()
            .map(|r| {
                let c = &r.sites[s];
                let days = r.window_ms as f64 / 86_400_000.0;
                (c.pile_sessions + c.flying_wire_sessions) as f64 / days
            })
            .collect();
        let (mean, ci95_low, ci95_high) = mean_ci95(&samples);
        let estimate = Estimate {
            mean,
            ci95_low,
            ci95_high,
        };
        let what = format!("{}: plug-ins per day", model.sites[s].name);
        assert_matches(&what, estimate, expected, model.replications, 0.0);
        per_day.push(mean);
    }
    // 南苑 used its pile ports as well as the flying wire.
    assert!(reps.iter().all(|r| r.sites[1].pile_sessions > 0));
    let ratio = per_day[1] / per_day[0];
    assert!((ratio - 2.0).abs() < 0.1, "ratio {ratio}");
}
