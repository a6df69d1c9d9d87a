//! The door is a server and a line has a length (issue 10), against an
//! exact continuous-time Markov chain the test solves itself
//! (`theory::door_chain`): state (riders present, empty batteries),
//! Poisson arrivals, S doors with exponential swap times, riders who balk
//! at N present, and exponential charging on C chargers.
//!
//! Seed 1, 16 replications × 120 measured days each (about 36,000–58,000
//! arrivals per replication). Tolerance: the replications' 99.9% Student-t
//! interval (from their 95% one) plus 2% of the theory value for the
//! millisecond rounding and the one-day warm-up.

use sim_core::{Dist, Model, Patience, run};
use swapsim_suite::intervals::assert_matches;
use swapsim_suite::models::{cabinet, exponential};
use swapsim_suite::theory::door_chain;

const REPLICATIONS: u32 = 16;
const SLACK: f64 = 0.02;

/// One parameter set of the chain.
struct Case {
    what: &'static str,
    batteries: u32,
    doors: u32,
    cap: Option<u32>,
    max_present: u32,
    lambda_per_h: f64,
    swap_seconds: f64,
    charge_hours: f64,
}

fn model(c: &Case) -> Model {
    // One cabinet per door; slots to spare, so compartments never bind.
    let slots_per_cabinet = c.batteries.div_ceil(c.doors) + 2;
    let mut model = cabinet(
        c.batteries,
        slots_per_cabinet,
        exponential(c.charge_hours),
        c.lambda_per_h,
        Patience::Infinite,
    );
    let site = &mut model.sites[0];
    site.cabinets = c.doors;
    site.max_concurrent_charging = c.cap;
    site.max_riders_present = Some(c.max_present);
    model.cabinet.swap_seconds = Dist::Exponential {
        mean: c.swap_seconds,
    };
    (model.days, model.warmup_days, model.replications) = (121, 1, REPLICATIONS);
    model
}

const CASES: [Case; 3] = [
    // One slow door, batteries to spare: the door is the bottleneck
    // (door load 0.83 Erlang; charging could serve 40 an hour).
    Case {
        what: "door-limited",
        batteries: 40,
        doors: 1,
        cap: None,
        max_present: 6,
        lambda_per_h: 20.0,
        swap_seconds: 150.0,
        charge_hours: 1.0,
    },
    // Three quick doors, four chargers for ten batteries: charging is the
    // bottleneck (at most 4 an hour for 4.5 an hour of demand).
    Case {
        what: "charge-limited",
        batteries: 10,
        doors: 3,
        cap: Some(4),
        max_present: 6,
        lambda_per_h: 4.5,
        swap_seconds: 60.0,
        charge_hours: 1.0,
    },
    // Both bind: one door at 0.69 Erlang, chargers for 20 an hour.
    Case {
        what: "mixed",
        batteries: 14,
        doors: 1,
        cap: Some(10),
        max_present: 5,
        lambda_per_h: 25.0,
        swap_seconds: 100.0,
        charge_hours: 0.5,
    },
];

/// The loss share (riders who balk) and the mean number present fall in
/// the simulation's interval at every parameter set; so do the busy doors.
#[test]
fn doors_and_a_line_cap_match_the_exact_chain() {
    for c in &CASES {
        let theory = door_chain(
            c.batteries,
            c.doors,
            c.cap,
            c.max_present,
            c.lambda_per_h,
            c.swap_seconds / 3600.0,
            c.charge_hours,
        );
        let k = run(&model(c), 0).network;
        assert!(theory.balk > 0.01, "{}: the cap must bind", c.what);
        assert_matches(
            &format!("{}: balk share", c.what),
            k.balk_rate,
            theory.balk,
            REPLICATIONS,
            SLACK,
        );
        // Riders wait without limit: every loss is a balk.
        assert_eq!(k.balk_rate, k.lost_swap_rate, "{}", c.what);
        assert_matches(
            &format!("{}: riders present", c.what),
            k.riders_present_mean,
            theory.present,
            REPLICATIONS,
            SLACK,
        );
        let doors = f64::from(c.doors);
        assert_matches(
            &format!("{}: busy doors", c.what),
            sim_core::Estimate {
                mean: k.door_utilization.mean * doors,
                ci95_low: k.door_utilization.ci95_low * doors,
                ci95_high: k.door_utilization.ci95_high * doors,
            },
            theory.busy_doors,
            REPLICATIONS,
            SLACK,
        );
    }
}

/// Which resource binds shows in the chain and in the simulation alike:
/// the door-limited case keeps batteries ready while riders balk, the
/// charge-limited case runs out of them.
#[test]
fn the_binding_resource_is_the_one_the_case_names() {
    let door = run(&model(&CASES[0]), 0).network;
    assert!(
        door.door_utilization.mean > 0.7,
        "{:?}",
        door.door_utilization
    );
    assert!(door.full_batteries_mean.mean > 20.0);
    let charge = run(&model(&CASES[1]), 0).network;
    assert!(charge.door_utilization.mean < 0.1);
    assert!(charge.stockout_probability.mean > 0.3);
}

/// Without a cap nobody balks, and a cap of N = 1 turns one door into a
/// loss system: M/M/1/1 loses ρ / (1 + ρ).
#[test]
fn a_cap_of_one_is_a_loss_system_at_the_door() {
    let mut c = Case {
        what: "M/M/1/1",
        batteries: 40,
        doors: 1,
        cap: None,
        max_present: 1,
        lambda_per_h: 20.0,
        swap_seconds: 120.0,
        charge_hours: 0.5,
    };
    let k = run(&model(&c), 0).network;
    let rho = c.lambda_per_h * c.swap_seconds / 3600.0;
    assert_matches(
        "M/M/1/1 loss",
        k.balk_rate,
        rho / (1.0 + rho),
        REPLICATIONS,
        SLACK,
    );
    c.max_present = u32::MAX;
    let mut uncapped = model(&c);
    uncapped.sites[0].max_riders_present = None;
    let k = run(&uncapped, 0).network;
    assert_eq!(k.balk_rate.ci95_high, 0.0);
    assert_eq!(k.lost_swap_rate.ci95_high, 0.0);
}
