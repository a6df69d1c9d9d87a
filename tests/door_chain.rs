//! The door is a server and a line has a length (issue 10), against an
//! exact continuous-time Markov chain the test solves itself
//! (`theory::door_chain`): state (riders present, empty batteries),
//! Poisson arrivals, S doors with exponential swap times, riders who balk
//! at N present, and exponential charging on C chargers.
//!
//! Seed 1, 64 replications × 120 measured days each (about 36,000–72,000
//! arrivals per replication). The exact values must lie inside the
//! simulation's own 99.9% Student-t interval over the replications, with
//! no slack: the chain leaves out nothing the engine does (it mixes in
//! hours, well within the one-day warm-up, and millisecond rounding of
//! exponential times is far below the interval). The interval is
//! narrow enough to tell the engine from the old door models, whose exact
//! chains (`theory::door_chain_taken_on_arrival`,
//! `theory::door_chain_charging_from_swap_start`) fall outside it.

use std::sync::OnceLock;

use sim_core::{Dist, Estimate, Kpis, Model, Patience, run};
use swapsim_suite::intervals::{assert_inside, interval_999};
use swapsim_suite::models::{cabinet, exponential};
use swapsim_suite::theory::{
    DoorFigures, door_chain, door_chain_charging_from_swap_start, door_chain_taken_on_arrival,
};

/// Replications of the runs held against the chain.
const CHAIN_REPLICATIONS: u32 = 64;
/// Replications of the M/M/1/1 runs.
const REPLICATIONS: u32 = 16;

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

/// An exact chain: (batteries, doors, chargers, N, λ \[1/h\], swap mean
/// \[h\], charge mean \[h\]) to its figures.
type Chain = fn(u32, u32, Option<u32>, u32, f64, f64, f64) -> DoorFigures;

impl Case {
    /// The figures of `chain` at this parameter set.
    fn exact(&self, chain: Chain) -> DoorFigures {
        chain(
            self.batteries,
            self.doors,
            self.cap,
            self.max_present,
            self.lambda_per_h,
            self.swap_seconds / 3600.0,
            self.charge_hours,
        )
    }
}

/// The network KPIs of case `k` over [`CHAIN_REPLICATIONS`], run once for
/// the tests that read them.
fn simulated(k: usize) -> &'static Kpis {
    static RUNS: [OnceLock<Kpis>; 3] = [const { OnceLock::new() }; 3];
    RUNS[k].get_or_init(|| {
        let mut model = model(&CASES[k]);
        model.replications = CHAIN_REPLICATIONS;
        run(&model, 0).network
    })
}

/// The chain's figures beside the simulated ones: (name, simulated, exact).
fn side_by_side(k: &Kpis, doors: u32, exact: DoorFigures) -> [(&'static str, Estimate, f64); 3] {
    let doors = f64::from(doors);
    let busy = Estimate {
        mean: k.door_utilization.mean * doors,
        ci95_low: k.door_utilization.ci95_low * doors,
        ci95_high: k.door_utilization.ci95_high * doors,
    };
    [
        ("balk share", k.balk_rate, exact.balk),
        ("riders present", k.riders_present_mean, exact.present),
        ("busy doors", busy, exact.busy_doors),
    ]
}

/// The loss share (riders who balk) and the mean number present fall in
/// the simulation's 99.9% interval at every parameter set, with no
/// slack; so do the busy doors. Measured, interval: exact value
/// - door-limited: balk share [0.07624, 0.07806]: 0.07742, riders
///   present [2.2786, 2.3006]: 2.2902, busy doors [0.7675, 0.7710]: 0.7688;
/// - charge-limited: balk share [0.13033, 0.13669]: 0.13392, riders
///   present [2.3329, 2.4155]: 2.3701, busy doors [0.06475, 0.06540]:
///   0.06496;
/// - mixed: balk share [0.22349, 0.22624]: 0.22530, riders present
///   [2.7658, 2.7842]: 2.7749, busy doors [0.5372, 0.5395]: 0.5380.
#[test]
fn doors_and_a_line_cap_match_the_exact_chain() {
    for (i, c) in CASES.iter().enumerate() {
        let exact = c.exact(door_chain);
        let k = simulated(i);
        assert!(exact.balk > 0.01, "{}: the cap must bind", c.what);
        // Riders wait without limit: every loss is a balk.
        assert_eq!(k.balk_rate, k.lost_swap_rate, "{}", c.what);
        for (what, simulated, exact) in side_by_side(k, c.doors, exact) {
            assert_inside(
                &format!("{}: {what}", c.what),
                simulated,
                exact,
                CHAIN_REPLICATIONS,
            );
        }
    }
}

/// The interval above tells the engine from the door models it replaced:
/// their exact values fall outside it, farther from the engine's exact
/// value than the interval is wide, so an engine that behaved like either
/// would fail `doors_and_a_line_cap_match_the_exact_chain`. Where both
/// the door and charging bind (the mixed case), the old model (a battery
/// taken on arrival, the returned one charging at once, then a wait for
/// the door) balks 0.21798 of riders and keeps 2.7207 present, against
/// the exact 0.22530 and 2.7749; charging the returned battery from the
/// swap's start gives 0.22133 and 2.7455. Where only one binds, the old
/// models differ by less than the interval: a battery is always ready at
/// the door-limited case, and the doors are idle 98% of the time at the
/// charge-limited one.
#[test]
fn the_interval_rules_out_the_old_door_models() {
    let mixed = CASES
        .iter()
        .position(|c| c.what == "mixed")
        .expect("a mixed case");
    let c = &CASES[mixed];
    let exact = c.exact(door_chain);
    let k = simulated(mixed);
    for (name, chain) in [
        (
            "battery taken on arrival",
            door_chain_taken_on_arrival as Chain,
        ),
        (
            "returned battery charging from the swap's start",
            door_chain_charging_from_swap_start,
        ),
    ] {
        let old = c.exact(chain);
        let figures = side_by_side(k, c.doors, exact)
            .into_iter()
            .zip(side_by_side(k, c.doors, old));
        // Balk share and riders present; the busy doors differ less.
        for ((what, simulated, exact), (_, _, old)) in figures.take(2) {
            let (low, high) = interval_999(simulated, CHAIN_REPLICATIONS);
            assert!(
                !(low..=high).contains(&old),
                "{name}, {what}: {old:.5} inside [{low:.5}, {high:.5}]"
            );
            assert!(
                (old - exact).abs() > high - low,
                "{name}, {what}: {old:.5} vs exact {exact:.5}, interval [{low:.5}, {high:.5}]"
            );
        }
    }
}

/// Which resource binds shows in the chain and in the simulation alike:
/// the door-limited case keeps batteries ready while riders balk, the
/// charge-limited case runs out of them.
#[test]
fn the_binding_resource_is_the_one_the_case_names() {
    let door = simulated(0);
    assert!(
        door.door_utilization.mean > 0.7,
        "{:?}",
        door.door_utilization
    );
    assert!(door.full_batteries_mean.mean > 20.0);
    let charge = simulated(1);
    assert!(charge.door_utilization.mean < 0.1);
    assert!(charge.stockout_probability.mean > 0.3);
}

/// Without a cap nobody balks, and a cap of N = 1 turns one door into a
/// loss system: M/M/1/1 loses ρ / (1 + ρ), inside the simulation's 99.9%
/// interval over 16 replications.
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
    assert_inside("M/M/1/1 loss", k.balk_rate, rho / (1.0 + rho), REPLICATIONS);
    c.max_present = u32::MAX;
    let mut uncapped = model(&c);
    uncapped.sites[0].max_riders_present = None;
    let k = run(&uncapped, 0).network;
    assert_eq!(k.balk_rate.ci95_high, 0.0);
    assert_eq!(k.lost_swap_rate.ci95_high, 0.0);
}
