//! The capacity planner against queueing theory and on a district.

use sim_core::planner::{Silent, Unit, plan};
use sim_core::{Patience, Targets, run};
use swapsim_suite::models::{cabinet, exponential, small_district};
use swapsim_suite::theory::erlang_b;

/// On a loss system the planner returns exactly the smallest battery count
/// whose Erlang B blocking meets the target. Each target sits at the
/// geometric mean of E(B*−1) and E(B*), so the answer B* is clear-cut.
/// Seed 1, 4–16 replications × 390 measured days per candidate.
#[test]
fn loss_plan_is_the_smallest_erlang_b_battery_count() {
    for (load, expected) in [(6.0, 12u32), (4.0, 9), (9.0, 16), (2.0, 6)] {
        let target = (erlang_b(expected - 1, load) * erlang_b(expected, load)).sqrt();
        let mut model = cabinet(15, 16, exponential(1.0), load, Patience::None);
        model.targets = Targets {
            max_stockout_probability: Some(target),
            ..Targets::default()
        };
        let p = plan(&model, 0, &Silent);
        assert!(p.feasible, "load {load}: {:?}", p.problems);
        let site = &p.sites[0];
        assert_eq!(
            site.batteries,
            expected,
            "load {load}, target {target:.4}: E({}) = {:.4}",
            site.batteries,
            erlang_b(site.batteries, load)
        );
        // The fewest cabinets that hold them with a compartment free in
        // each, of the size the site has (16 slots).
        assert_eq!(site.slots_per_cabinet, 16);
        assert!(site.cabinets * (site.slots_per_cabinet - 1) >= expected);
        assert!((site.cabinets - 1) * (site.slots_per_cabinet - 1) < expected);
        assert!(
            !site.kept_because.is_empty(),
            "the last battery is kept for a reason"
        );
    }
}

/// The planned district meets every target, and re-run with three fresh
/// seeds at the planner's precision it still does (by the upper 95% bound).
#[test]
fn district_plan_meets_targets_with_fresh_seeds() {
    let model = district_with_targets();
    let p = plan(&model, 0, &Silent);
    assert!(p.feasible, "{:?}", p.problems);
    assert!(p.simulations >= 3);
    for seed in [101, 202, 303] {
        let mut again = p.model.clone();
        again.seed = seed;
        again.replications = model.planner.max_replications;
        let result = run(&again, 0);
        let misses = result.misses(&model.targets);
        assert!(misses.is_empty(), "seed {seed}: {misses:?}");
    }
    // Planning is deterministic for a seed, at any thread count.
    let one = plan(&model, 1, &Silent);
    assert_eq!(one.sites, p.sites);
}

/// Issue 4 on the shipped pilot: the plan meets every target when re-run
/// with three fresh seeds (at twice the planner's replications), and
/// removing any single unit (a cabinet, a pile
/// port, or 10% of the batteries) either breaks a target or the plan says
/// why the unit is kept. Seed from the scenario; 4–16 replications.
#[test]
fn pilot_plan_holds_and_every_unit_is_needed_or_explained() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bishan-pilot.toml");
    let mut model = scenarios::load(&path).unwrap();
    assert!(model.targets.any(), "bishan-pilot.toml needs [targets]");
    model.days = model.days.min(14);
    let p = plan(&model, 0, &Silent);
    assert!(p.feasible, "{:?}", p.problems);
    every_cabinet_keeps_an_empty_compartment(&p);
    // Re-runs use twice the planner's replications: the planner accepts at
    // mean + 2.5 half-widths, and a fresh seed moves the mean by about one.
    let reps = 2 * model.planner.max_replications;
    for seed in [11, 22, 33] {
        let mut again = p.model.clone();
        again.seed = seed;
        again.replications = reps;
        let misses = run(&again, 0).misses(&model.targets);
        assert!(misses.is_empty(), "seed {seed}: {misses:?}");
    }
    let site = &p.sites[0];
    let explained = |what: &str| {
        site.kept_because
            .iter()
            .any(|r| r.to_string().contains(what))
    };
    let mut removals: Vec<(&str, sim_core::Model)> = Vec::new();
    let mut m = p.model.clone();
    m.sites[0].cabinets -= 1;
    m.sites[0].batteries = m.sites[0].batteries.min(m.sites[0].max_batteries());
    if site.cabinets > 1 {
        removals.push(("one cabinet", m));
    } else {
        assert!(explained("one cabinet"), "{:?}", site.kept_because);
    }
    let mut m = p.model.clone();
    m.sites[0].batteries -= (site.batteries / 10).max(1);
    removals.push(("10% of the batteries", m));
    if site.pile_ports > 0 {
        let mut m = p.model.clone();
        m.sites[0].pile_ports -= 1;
        removals.push(("one pile port", m));
    }
    for (what, mut m) in removals {
        m.replications = reps;
        let breaks = !run(&m, 0).misses(&model.targets).is_empty();
        assert!(
            breaks || explained(what),
            "removing {what} breaks nothing and the plan does not say why it is kept: {:?}",
            site.kept_because
        );
    }
}

/// A site's own charger power is the battery's `power_w` at that site, and
/// nothing else: the same draws, the same numbers. A faster charger
/// refills the stock sooner, so fewer requests find it empty, at a higher
/// load peak (common random numbers: the same arrivals in every variant).
#[test]
fn a_site_charger_power_is_its_battery_power() {
    use swapsim_suite::models::cc_cv;
    let mut own = cabinet(8, 12, cc_cv(400.0), 3.0, Patience::None);
    own.days = 60;
    own.replications = 4;
    own.sites[0].charger_power_w = Some(600.0);
    let mut battery = own.clone();
    battery.sites[0].charger_power_w = None;
    battery.battery = sim_core::BatterySpec {
        charge: cc_cv(600.0),
        ..own.battery.clone()
    };
    let fast = run(&own, 1);
    assert_eq!(fast, run(&battery, 1));
    let mut slow = own.clone();
    slow.sites[0].charger_power_w = Some(300.0);
    let slow = run(&slow, 1);
    let (f, s) = (&fast.network, &slow.network);
    assert!(
        f.stockout_probability.mean < s.stockout_probability.mean,
        "stockout {:?} at 600 W vs {:?} at 300 W",
        f.stockout_probability,
        s.stockout_probability
    );
    assert!(f.peak_load_kw.mean > s.peak_load_kw.mean);
}

/// Charger power is a decision when `[planner]` lists a catalogue: the plan
/// picks a power from it, meets the target when re-run with fresh seeds, and
/// one step down the catalogue either breaks the target or the plan says
/// why the charger is kept. Without a catalogue the battery's charger stays.
#[test]
fn charger_power_is_planned_from_the_catalogue() {
    use swapsim_suite::models::cc_cv;
    let mut model = cabinet(10, 16, cc_cv(400.0), 4.0, Patience::None);
    model.days = 200;
    model.targets.max_stockout_probability = Some(0.02);
    let p = plan(&model, 0, &Silent);
    assert!(p.feasible, "{:?}", p.problems);
    assert_eq!(p.sites[0].charger_power_w, None, "no catalogue, no choice");

    let catalogue = vec![300.0, 400.0, 600.0, 800.0];
    model.planner.charger_power_catalogue_w = catalogue.clone();
    let p = plan(&model, 0, &Silent);
    assert!(p.feasible, "{:?}", p.problems);
    let site = &p.sites[0];
    let power = site.charger_power_w.expect("a planned charger");
    assert!(catalogue.contains(&power), "{power} W");
    assert_eq!(p.model.sites[0].charger_power_w, Some(power));
    let reps = 2 * model.planner.max_replications;
    for seed in [5, 6] {
        let mut again = p.model.clone();
        again.seed = seed;
        again.replications = reps;
        let misses = run(&again, 0).misses(&model.targets);
        assert!(misses.is_empty(), "seed {seed}: {misses:?}");
    }
    match catalogue.iter().rev().find(|&&w| w < power) {
        Some(&slower) => {
            let mut m = p.model.clone();
            m.sites[0].charger_power_w = Some(slower);
            m.replications = reps;
            let breaks = !run(&m, 0).misses(&model.targets).is_empty();
            let explained = site
                .kept_because
                .iter()
                .any(|r| r.unit == Unit::ChargerPower);
            assert!(
                breaks || explained,
                "a {slower} W charger breaks nothing and the plan does not say why \
                 {power} W is kept: {:?}",
                site.kept_because
            );
        }
        None => assert!(
            site.kept_because
                .iter()
                .any(|r| r.unit == Unit::ChargerPower)
        ),
    }
}

/// The planner's progress counts every replication once (extending a close
/// candidate counts only the new ones), names the sites it works on, hears
/// every simulated day of every replication, and estimates the total: never
/// below what is done, exact at the final evaluation.
#[test]
fn progress_counts_replications_once_and_names_sites() {
    use sim_core::planner::Step;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    use swapsim_suite::models::small_district;
    /// Replications counted, the notes, and (estimate, done) per step.
    type Heard = (u64, Vec<String>, Vec<(u64, u64)>);
    struct Record(Mutex<Heard>, AtomicU64);
    impl sim_core::DayProgress for Record {
        fn day_done(&self, _: u32, _: u32) {
            self.1.fetch_add(1, Ordering::Relaxed);
        }
    }
    impl sim_core::planner::Progress for Record {
        fn simulating(&self, step: &Step<'_>) {
            let Step {
                new, total, note, ..
            } = *step;
            assert!(new <= total && total > 0, "{new} of {total}");
            let mut r = self.0.lock().unwrap();
            assert_eq!(step.done, r.0, "replications done before");
            assert!(step.estimate >= step.done + u64::from(new), "{step:?}");
            r.0 += u64::from(new);
            r.1.push(format!("{}{note}", if new < total { "+" } else { "" }));
            r.2.push((step.estimate, step.done + u64::from(new)));
        }
    }
    let mut model = small_district();
    model.days = 10;
    model.warmup_days = 2;
    model.targets = Targets {
        max_lost_swap_rate: Some(0.02),
        ..Targets::default()
    };
    let record = Record(Mutex::new((0, Vec::new(), Vec::new())), AtomicU64::new(0));
    let p = plan(&model, 0, &record);
    let days = record.1.load(Ordering::Relaxed);
    let (counted, notes, estimates) = record.0.into_inner().unwrap();
    // The scenario as given runs first, for the report's before → after:
    // in the bar, not in the plan's count of the search.
    assert_eq!(notes[0], "the scenario as given", "{notes:?}");
    let given = u64::from(model.replications);
    assert_eq!(counted, given + p.replications, "the bar's count");
    assert_eq!(
        days,
        (given + p.replications) * u64::from(model.days),
        "every day heard"
    );
    if notes.last().is_some_and(|n| n == "final evaluation") {
        let (estimate, done) = estimates[estimates.len() - 1];
        assert_eq!(estimate, done, "the final evaluation's estimate is exact");
    }
    // Some candidate was close and extended, so counting totals would not do.
    assert!(notes.iter().any(|n| n.starts_with('+')), "{notes:?}");
    let notes: Vec<&str> = notes.iter().map(|n| n.trim_start_matches('+')).collect();
    let names: Vec<&str> = model.sites.iter().map(|s| s.name.as_str()).collect();
    let growing_or_pruning = notes
        .iter()
        .filter(|n| n.starts_with("growing ") || n.starts_with("pruning "))
        .collect::<Vec<_>>();
    assert!(!growing_or_pruning.is_empty(), "{notes:?}");
    for note in growing_or_pruning {
        assert!(
            names.iter().any(|n| note.contains(n)),
            "no site named: {note}"
        );
    }
}

/// Why-kept bounds describe the final plan, not the moment they were first
/// met: a site pruned further after "18 batteries are too few for 10%
/// steps" says 16 if it ends with 16. A surveyed transformer off the
/// standard sizes (315 kVA) is a size the plan can return to.
#[test]
fn kept_bounds_describe_the_final_plan() {
    use sim_core::planner::{KeptWhy, Unit};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/old-open-community.toml");
    let mut model = scenarios::load(&path).unwrap();
    model.days = model.days.min(14);
    let p = plan(&model, 0, &Silent);
    let mut checked = 0;
    for site in &p.sites {
        for kept in &site.kept_because {
            match (kept.unit, &kept.why) {
                (Unit::BatteriesTenth, KeptWhy::TooFewForTenth { count, .. }) => {
                    assert_eq!(*count, site.batteries, "{kept:?}");
                    checked += 1;
                }
                (Unit::PilePortsTenth, KeptWhy::TooFewForTenth { count, .. }) => {
                    assert_eq!(*count, site.pile_ports, "{kept:?}");
                    checked += 1;
                }
                (Unit::TransformerSize, KeptWhy::SurveyedSize { kva }) => {
                    assert_eq!(Some(*kva), site.transformer_kva, "{kept:?}");
                    checked += 1;
                }
                (
                    Unit::Cabinet,
                    KeptWhy::HoldsBatteries {
                        batteries,
                        capacity,
                    },
                ) => {
                    assert_eq!(*batteries, site.batteries, "{kept:?}");
                    let without_one = (site.cabinets - 1) * (site.slots_per_cabinet - 1);
                    assert_eq!(*capacity, without_one, "{kept:?}");
                    assert!(capacity < batteries, "{kept:?}");
                    checked += 1;
                }
                _ => {}
            }
        }
    }
    assert!(
        checked > 0,
        "no bound to check: {:?}",
        p.sites[0].kept_because
    );
}

/// Issue 10: a swap opens an empty compartment for the returned battery,
/// so no planned site stocks more than cabinets × (slots − 1) batteries.
fn every_cabinet_keeps_an_empty_compartment(p: &sim_core::planner::Plan) {
    for (site, spec) in p.sites.iter().zip(&p.model.sites) {
        assert!(
            site.batteries <= site.cabinets * (site.slots_per_cabinet - 1),
            "site '{}': {} batteries in {} × {}",
            site.name,
            site.batteries,
            site.cabinets,
            site.slots_per_cabinet
        );
        assert_eq!(
            (spec.cabinets, spec.slots_per_cabinet, spec.batteries),
            (site.cabinets, site.slots_per_cabinet, site.batteries)
        );
    }
}

/// The shipped old open community, planned without pile ports: flying
/// wire cannot be met, whatever else grows.
fn old_open_community_without_piles() -> sim_core::Model {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/old-open-community.toml");
    let mut model = scenarios::load(&path).unwrap();
    model.planner.max_pile_ports_per_site = 0;
    model
}

/// (site, KPI) pairs.
type SiteKpis = Vec<(String, String)>;

/// The (site, KPI) of every target the plan's final evaluation misses, and
/// of every problem the plan gives.
fn missed_and_explained(
    p: &sim_core::planner::Plan,
    model: &sim_core::Model,
) -> (SiteKpis, SiteKpis) {
    let missed = p
        .result
        .misses(&model.targets)
        .into_iter()
        .map(|m| (m.site, m.kpi.to_owned()))
        .collect();
    let explained = p
        .problems
        .iter()
        .map(|x| (x.site.clone(), x.kpi.to_string()))
        .collect();
    (missed, explained)
}

/// Issue 10: an infeasible plan explains every target it misses. On the
/// old open community without pile ports (seed 1, the scenario's 28 days),
/// the flying wire cannot be met; the transformer, which used to be left
/// at 83.55 % ✗ with no reason, is grown where it can be, and where it
/// cannot (only the surveyed 315 kVA on offer) it has its own problem.
#[test]
fn an_infeasible_plan_explains_every_missed_target() {
    use sim_core::planner::ProblemWhy;
    let model = old_open_community_without_piles();
    let p = plan(&model, 0, &Silent);
    assert!(!p.feasible);
    every_cabinet_keeps_an_empty_compartment(&p);
    let (missed, explained) = missed_and_explained(&p, &model);
    assert!(!missed.is_empty());
    assert_eq!(missed, explained, "{:?}", p.problems);
    assert!(
        p.problems
            .iter()
            .any(|x| x.kpi == "flying_wire_per_1000_bikes_day"
                && x.why == ProblemWhy::PilePorts { max: 0 }),
        "{:?}",
        p.problems
    );
    let transformer = &p.sites[0].targets;
    assert!(
        transformer
            .iter()
            .any(|t| t.kpi == "transformer_peak_utilization" && t.met),
        "{transformer:?}"
    );

    let mut surveyed_only = model.clone();
    surveyed_only.planner.transformer_sizes_kva = vec![315.0];
    let p = plan(&surveyed_only, 0, &Silent);
    let (missed, explained) = missed_and_explained(&p, &surveyed_only);
    assert_eq!(missed, explained, "{:?}", p.problems);
    assert!(
        p.problems
            .iter()
            .any(|x| x.kpi == "transformer_peak_utilization"
                && x.why == ProblemWhy::LargestTransformer { kva: 315.0 }),
        "{:?}",
        p.problems
    );
}

/// Issue 10: the plan's figures are the planned deployment run with the
/// scenario's seed, days and replications (not the planner's last count),
/// so `run` of the plan gives exactly the same result.
#[test]
fn the_plan_result_is_the_run_of_the_plan() {
    let model = old_open_community_without_piles();
    let p = plan(&model, 0, &Silent);
    assert_eq!(p.model.replications, model.replications);
    assert_eq!((p.model.seed, p.model.days), (model.seed, model.days));
    assert_eq!(p.result, run(&p.model, 1));
}

/// Issue 15: the demand probe is not simulated: it takes its
/// replications from the run of the scenario as given (the same model and
/// seed), and the plan's counts are the simulations it announced. The
/// plan still meets every target. Seed 1, the small district of `models`,
/// 2–8 replications.
#[test]
fn issue_15_the_demand_probe_reuses_the_scenario_run() {
    use std::sync::Mutex;

    use sim_core::DayProgress;
    use sim_core::planner::{Progress, Step};

    #[derive(Default)]
    struct Notes(Mutex<Vec<(u32, String)>>);
    impl DayProgress for Notes {
        fn day_done(&self, _: u32, _: u32) {}
    }
    impl Progress for Notes {
        fn simulating(&self, step: &Step<'_>) {
            let mut notes = self.0.lock().unwrap();
            notes.push((step.new, step.note.to_owned()));
        }
    }

    let model = district_with_targets();
    assert!(model.replications >= model.planner.min_replications.max(2));
    let notes = Notes::default();
    let p = plan(&model, 0, &notes);
    assert!(p.feasible, "{:?}", p.problems);
    let notes = notes.0.into_inner().unwrap();
    assert!(
        notes.iter().all(|(_, note)| note != "demand probe"),
        "the probe runs again: {notes:?}"
    );
    // First the scenario as given, not one of the search's simulations.
    assert_eq!(
        notes[0],
        (model.replications, "the scenario as given".to_owned())
    );
    let search = &notes[1..];
    assert_eq!(p.simulations as usize, search.len());
    let announced: u64 = search.iter().map(|&(new, _)| u64::from(new)).sum();
    assert_eq!(p.replications, announced);
}

/// The small district with the targets its plans are checked against:
/// 2% lost swaps, a 10-minute p95 wait, 80% of the transformers' rating.
fn district_with_targets() -> sim_core::Model {
    let mut model = small_district();
    model.targets = Targets {
        max_lost_swap_rate: Some(0.02),
        max_wait_minutes_p95: Some(10.0),
        max_transformer_utilization: Some(0.8),
        ..Targets::default()
    };
    model
}

/// The small district's three sites, no shared transformer, and a fourth
/// site 5 km away: two parts. With `district_wide`, the couriers work
/// across the district (the district couriers and the sites' own).
fn two_part_district(district_wide: bool) -> sim_core::Model {
    let mut model = swapsim_suite::models::small_district();
    let mut far = model.sites[2].clone();
    far.name = "D".into();
    far.x_m = 5_000.0;
    model.sites.push(far);
    for site in &mut model.sites {
        site.transformer = None;
        site.couriers = vec![(1, 3)];
    }
    model.grid.transformers.clear();
    model.days = 6;
    model.warmup_days = 1;
    model.riders.groups[1].works_across_district = district_wide;
    if !district_wide {
        model.riders.district_couriers.clear();
    }
    model
}

/// Issue 15: the planner sizes a district part by part. A part is what no
/// resident crosses (reach, transformers), and where no rider works across
/// the district a part simulated alone gives exactly the whole model's
/// counters at its sites.
#[test]
fn issue_15_a_part_alone_is_the_whole_model_at_its_sites() {
    use sim_core::planner::{parts, simulate_part};
    let model = two_part_district(false);
    assert_eq!(parts(&model), vec![vec![0, 1, 2], vec![3]]);
    let mut shared = model.clone();
    shared.grid.transformers = swapsim_suite::models::small_district().grid.transformers;
    shared.sites[0].transformer = Some(0);
    shared.sites[3].transformer = Some(0);
    assert_eq!(
        parts(&shared),
        vec![vec![0, 1, 2, 3]],
        "a shared transformer joins"
    );
    for rep in 0..2 {
        let whole = sim_core::simulate_replication(&model, rep);
        for part in parts(&model) {
            let alone = simulate_part(&model, &part, rep);
            assert!(alone.events < whole.events);
            for &s in &part {
                assert_eq!(
                    serde_json::to_string(&alone.sites[s]).unwrap(),
                    serde_json::to_string(&whole.sites[s]).unwrap(),
                    "site {s}, replication {rep}"
                );
            }
        }
    }
}

/// Issue 15: riders who work across the district keep coming to a part's
/// sites from everywhere in its sub-model (those living outside it
/// included), so its swap requests stay those of the whole model, within
/// a few percent; without them, the part alone would see fewer.
#[test]
fn issue_15_a_part_keeps_the_riders_who_work_across_the_district() {
    use sim_core::planner::{parts, simulate_part};
    let model = two_part_district(true);
    let part = &parts(&model)[0];
    let requests =
        |rep: &sim_core::Replication| -> u64 { part.iter().map(|&s| rep.sites[s].requests).sum() };
    let (mut whole, mut alone) = (0, 0);
    for rep in 0..4 {
        whole += requests(&sim_core::simulate_replication(&model, rep));
        alone += requests(&simulate_part(&model, part, rep));
    }
    let gap = (alone as f64 - whole as f64).abs() / whole as f64;
    assert!(gap < 0.03, "requests: {alone} alone, {whole} whole");
    // The couriers living at the far site D do swap in the first part.
    let mut no_d = model.clone();
    no_d.sites[3].couriers.clear();
    let fewer: u64 = (0..4)
        .map(|rep| requests(&simulate_part(&no_d, part, rep)))
        .sum();
    assert!(fewer < alone, "{fewer} without D's couriers, {alone} with");
}

/// Issue 15: a district of two parts is sized part by part, with riders
/// who work across both; the search ends with an evaluation of the whole
/// model, so the plan holds when re-run whole with fresh seeds, and is the
/// same at any thread count.
#[test]
fn issue_15_a_plan_sized_part_by_part_holds_for_the_whole_model() {
    let mut model = two_part_district(true);
    model.days = 10;
    model.warmup_days = 2;
    model.targets = Targets {
        max_lost_swap_rate: Some(0.03),
        ..Targets::default()
    };
    let p = plan(&model, 0, &Silent);
    assert!(p.feasible, "{:?}", p.problems);
    assert_eq!(
        p.result,
        run(&p.model, 1),
        "the plan's figures are a whole run"
    );
    for seed in [101, 202] {
        let mut again = p.model.clone();
        again.seed = seed;
        again.replications = 2 * model.planner.max_replications;
        let misses = run(&again, 0).misses(&model.targets);
        assert!(misses.is_empty(), "seed {seed}: {misses:?}");
    }
    assert_eq!(plan(&model, 1, &Silent).sites, p.sites);
}
