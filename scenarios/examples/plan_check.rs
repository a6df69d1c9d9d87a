//! Temporary: plans a scenario and prints the sizing.
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let mut model = scenarios::load(std::path::Path::new(&path)).unwrap();
    if let Some(days) = std::env::args().nth(2) {
        model.days = days.parse().unwrap();
    }
    struct P;
    impl sim_core::planner::Progress for P {
        fn simulating(&self, step: u32, reps: u32, note: &str) {
            eprintln!("step {step}: {reps} reps, {note}");
        }
    }
    let t = std::time::Instant::now();
    let plan = sim_core::planner::plan(&model, 0, &P);
    println!(
        "feasible {} in {:.1}s, {} sims, cost {:.0}",
        plan.feasible,
        t.elapsed().as_secs_f64(),
        plan.simulations,
        plan.annual_cost_cny
    );
    for p in &plan.problems {
        println!("  problem: {p}");
    }
    for s in plan.sites.iter().take(12) {
        println!(
            "{}: {} x {} slots, {} batt, {} ports, {:?} {:?} up={}",
            s.name,
            s.cabinets,
            s.slots_per_cabinet,
            s.batteries,
            s.pile_ports,
            s.transformer,
            s.transformer_kva,
            s.transformer_upgraded
        );
        for c in &s.targets {
            println!(
                "    {} {:.4} [{:.4}, {:.4}] <= {} {}",
                c.kpi, c.estimate.mean, c.estimate.ci95_low, c.estimate.ci95_high, c.limit, c.met
            );
        }
    }
    let src = std::fs::read_to_string(&path).unwrap();
    let text = scenarios::plan_file(&src, &plan, model.seed);
    std::fs::write("/tmp/x/plan.toml", text).unwrap();
}
