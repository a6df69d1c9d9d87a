//! How the engine's cost grows with the district, and how replications
//! scale with threads.
//!
//! Inputs are `bishan-district.toml` tiled to about 10,000, 50,000,
//! 200,000 and 1,000,000 resident e-bikes (the last a synthetic city of
//! about 950 communities) by `swapsim_suite::city::tiled_district`, which
//! `cargo run --release --example city` also runs.
//!
//! - `scaling_30d/{10k,50k,200k,1m}`: one replication of 30 days on one
//!   core, in events per second (target: time grows with e-bikes to an
//!   exponent below 1.05 between 200k and 1m).
//! - `threads/{1,2}`: `sim_core::run` of [`THREADS_REPLICATIONS`]
//!   replications of the 50k district for [`THREADS_DAYS`] days on one and
//!   two threads (target: ≥ 1.8× on two cores).
//!
//! Run with `cargo bench --bench scaling`; record results in
//! `benches/RESULTS.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use swapsim_suite::city::tiled_district;

/// Simulated days of a scaling replication, with no warm-up \[d\].
const DAYS: u32 = 30;

/// District sizes, as (bench id, resident e-bikes aimed at).
const SIZES: [(&str, u64); 4] = [
    ("10k", 10_000),
    ("50k", 50_000),
    ("200k", 200_000),
    ("1m", 1_000_000),
];

/// Replications of the thread-scaling input: a multiple of 2 threads.
const THREADS_REPLICATIONS: u32 = 4;

/// Simulated days of each thread-scaling replication, with no warm-up \[d\].
const THREADS_DAYS: u32 = 7;

/// One replication of each district size, reported in events per second.
fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling_30d");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    for (id, ebikes) in SIZES {
        let model = tiled_district(ebikes, DAYS);
        let events = sim_core::simulate_replication(&model, 0).events;
        eprintln!("scaling_30d/{id}: {}, {events} events", model.name);
        group.throughput(Throughput::Elements(events));
        group.bench_function(id, |b| {
            b.iter(|| sim_core::simulate_replication(black_box(&model), 0));
        });
    }
    group.finish();
}

/// All replications of the 50k district on 1 and on 2 threads.
fn threads(c: &mut Criterion) {
    let mut model = tiled_district(50_000, DAYS);
    model.replications = THREADS_REPLICATIONS;
    model.days = THREADS_DAYS;
    let events = sim_core::run(&model, 1).events;
    eprintln!(
        "threads: {}, {THREADS_REPLICATIONS} replications of {THREADS_DAYS} days, {events} events",
        model.name
    );
    let mut group = c.benchmark_group("threads");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(events));
    for threads in [1, 2] {
        group.bench_function(threads.to_string(), |b| {
            b.iter(|| sim_core::run(black_box(&model), threads));
        });
    }
    group.finish();
}

criterion_group!(benches, scaling, threads);
criterion_main!(benches);
