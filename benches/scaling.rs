//! How the engine's cost grows with the district, and how replications
//! scale with threads.
//!
//! Inputs are built in one place, [`district_of`]: `bishan-district.toml`
//! tiled to about 10,000, 50,000, 200,000 and 1,000,000 resident e-bikes
//! (the last a synthetic city of about 950 communities). The first
//! `k` communities of the site table are kept, in table order; past its 175
//! rows the table repeats as a copy of the district placed east of the last
//! one, far enough that no rider's detour crosses between copies. District
//! couriers scale with the e-bikes. So every input is the same kind of
//! district, and the cost per e-bike should stay flat (DESIGN.md §7: memory
//! and time linear in the entities).
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
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sim_core::Model;

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

/// The district tiled to about `ebikes` resident e-bikes, with one
/// replication of [`DAYS`] days and no warm-up.
///
/// Sites are taken in table order and the count stops where the total is
/// closest to `ebikes`. A site copied from row `i` of copy `c` (0 = the
/// original) is named `"{name} #{c + 1}"`, sits `c` district widths east
/// and gets its own copy of its transformer. Couriers who work across the
/// district scale with the resident e-bikes kept.
fn district_of(ebikes: u64) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bishan-district.toml");
    let base = scenarios::load(&path).unwrap_or_else(|e| panic!("bishan-district: {e}"));
    let mut model = base.clone();
    model.replications = 1;
    model.days = DAYS;
    model.warmup_days = 0;
    model.sites.clear();
    model.grid.transformers.clear();

    // A copy sits one district width plus two detours east of the last.
    let (west, east) = base.sites.iter().fold((f64::MAX, f64::MIN), |(w, e), s| {
        (w.min(s.x_m), e.max(s.x_m))
    });
    let shift_m = east - west + 2.0 * base.riders.choice.max_detour_m + 1000.0;

    let mut total = 0u64;
    for i in 0.. {
        let (copy, row) = (i / base.sites.len(), i % base.sites.len());
        let mut site = base.sites[row].clone();
        let next = total + u64::from(site.ebikes);
        // Stop at the count closest to the aim.
        if next.abs_diff(ebikes) > total.abs_diff(ebikes) {
            break;
        }
        total = next;
        if copy > 0 {
            site.name = format!("{} #{}", site.name, copy + 1);
            site.x_m += shift_m * copy as f64;
        }
        if let Some(t) = site.transformer {
            let mut transformer = base.grid.transformers[t].clone();
            if copy > 0 {
                transformer.name = format!("{} #{}", transformer.name, copy + 1);
            }
            site.transformer = Some(model.grid.transformers.len());
            model.grid.transformers.push(transformer);
        }
        model.sites.push(site);
    }

    let base_ebikes: u64 = base.sites.iter().map(|s| u64::from(s.ebikes)).sum();
    let share = total as f64 / base_ebikes as f64;
    for couriers in &mut model.riders.district_couriers {
        couriers.count = (f64::from(couriers.count) * share).round() as u32;
    }
    model.name = format!(
        "bishan-district, {} sites, {total} e-bikes",
        model.sites.len()
    );
    model
}

/// One replication of each district size, reported in events per second.
fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling_30d");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    for (id, ebikes) in SIZES {
        let model = district_of(ebikes);
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
    let mut model = district_of(50_000);
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
