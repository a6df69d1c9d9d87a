//! Engine throughput, in events per second of one replication on one core.
//!
//! Targets (DESIGN.md §7): at least 20 M events/s on the M/M/10 model, and
//! a district-month in under 10 s, both on one core. Run with
//! `cargo bench --bench engine`; record results in `benches/RESULTS.md`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
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

/// Analytic cabinets (M/M/10 is the speed target), then riders, piles and
/// transformers in a pilot community and in a courier hub with three
/// communities: fast enough for criterion's default 100 samples.
const SMALL_AND_MEDIUM: &[&str] = &["mmc10", "cc-cv-cabinet", "bishan-pilot", "courier-hub"];

/// The district-month of DESIGN.md §7 (target: under 10 s on one core).
const DISTRICT: &[&str] = &["bishan-district"];

/// The bench inputs named by `names`, built in one place so that later
/// benches reuse them.
fn inputs(names: &[&'static str]) -> Vec<Input> {
    names.iter().copied().map(input).collect()
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
    bench_inputs(&mut group, inputs(SMALL_AND_MEDIUM));
    group.finish();
}

/// The district: seconds per replication, so few samples.
fn district(c: &mut Criterion) {
    let mut group = c.benchmark_group("district_30d");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(40));
    bench_inputs(&mut group, inputs(DISTRICT));
    group.finish();
}

fn bench_inputs(group: &mut BenchmarkGroup<'_, WallTime>, inputs: Vec<Input>) {
    for input in inputs {
        group.throughput(Throughput::Elements(input.events));
        group.bench_function(input.name, |b| {
            b.iter(|| sim_core::simulate_replication(black_box(&input.model), 0));
        });
    }
}

criterion_group!(benches, replication, district);
criterion_main!(benches);
