//! The capacity planner on one site, on one thread.
//!
//! - `plan/erlang-b-plan`: the loss system with a known answer (12
//!   batteries), with [`ERLANG_B_DAYS`] days instead of the file's 200.
//! - `plan/bishan-pilot`: the rider-driven pilot community, with
//!   [`PILOT_DAYS`] days instead of the file's 28.
//!
//! The district plan (175 communities, target: under 5 minutes on 2 cores)
//! takes minutes, so it is measured once with the CLI, not here; see
//! `benches/RESULTS.md`. Run with `cargo bench --bench planner`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sim_core::Model;
use sim_core::planner::{Silent, plan};

/// Days per replication of the Erlang B plan, warm-up included \[d\].
const ERLANG_B_DAYS: u32 = 40;

/// Days per replication of the pilot plan, warm-up included \[d\].
const PILOT_DAYS: u32 = 10;

/// Loads `scenarios/{name}.toml` with `days` per replication.
fn input(name: &str, days: u32) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let mut model = scenarios::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    model.days = days;
    model
}

/// One whole plan of each one-site scenario.
fn one_site(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (name, days) in [
        ("erlang-b-plan", ERLANG_B_DAYS),
        ("bishan-pilot", PILOT_DAYS),
    ] {
        let model = input(name, days);
        let once = plan(&model, 1, &Silent);
        eprintln!(
            "plan/{name}: {days} days, {} simulations, {} replications, feasible: {}",
            once.simulations, once.replications, once.feasible
        );
        group.bench_function(name, |b| b.iter(|| plan(black_box(&model), 1, &Silent)));
    }
    group.finish();
}

criterion_group!(benches, one_site);
criterion_main!(benches);
