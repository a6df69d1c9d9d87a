//! Engine throughput, in events per second of one replication on one core.
//!
//! Target (DESIGN.md §7): at least 20 M events/s on the M/M/10 model. Run
//! with `cargo bench --bench engine`; record results in `benches/RESULTS.md`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sim_core::Model;

/// Simulated days of every bench replication, with no warm-up [d].
const DAYS: u32 = 30;

/// One bench input: a shipped scenario cut down to a single replication.
struct Input {
    /// Bench id: the scenario's file stem.
    name: &'static str,
    /// The model, with one replication of [`DAYS`] days and no warm-up.
    model: Model,
    /// Events one replication handles, counted once before timing.
    events: u64,
}

/// Every bench input, built in one place so that later benches reuse them.
fn inputs() -> Vec<Input> {
    ["mmc10", "cc-cv-cabinet"].into_iter().map(input).collect()
}

/// Loads `scenarios/{name}.toml` and shortens it to one replication.
fn input(name: &'static str) -> Input {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let mut model = scenarios::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    model.replications = 1;
    model.days = DAYS;
    model.warmup_days = 0;
    let events = sim_core::simulate_replication(&model, 0).events;
    Input {
        name,
        model,
        events,
    }
}

/// One replication of each input, reported in events per second.
fn replication(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication_30d");
    for input in inputs() {
        group.throughput(Throughput::Elements(input.events));
        group.bench_function(input.name, |b| {
            b.iter(|| sim_core::simulate_replication(black_box(&input.model), 0));
        });
    }
    group.finish();
}

criterion_group!(benches, replication);
criterion_main!(benches);
