//! `swapsim merge` of 64 shards of the district (175 communities), each
//! shard one replication of a short run ([`DAYS`] days, warm-up included),
//! whole process in-process: read and check the partials, summarise,
//! write every file of `run --out` (summary, series, profiles, context,
//! workbook, SVG charts). Target (issue 12): under a second per shard.
//!
//! The partials are made once, before measuring (`run --shard i/64`).
//! Run with `cargo bench --bench merge`.

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use swapsim_cli::{Progress, exit, main_with};

/// Shards, each one replication.
const SHARDS: u32 = 64;

/// Days per replication, warm-up (3 days) included \[d\].
const DAYS: &str = "5";

fn swapsim(args: &[&str]) {
    let argv = std::iter::once("swapsim").chain(args.iter().copied());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = main_with(argv, &mut out, &mut err, Progress::Hidden);
    assert_eq!(
        status,
        exit::SUCCESS,
        "swapsim {args:?}: {}",
        String::from_utf8_lossy(&err)
    );
}

fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

fn merge(c: &mut Criterion) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bishan-district.toml");
    let tmp = tempfile::tempdir().expect("temp dir");
    let shards = tmp.path().join("shards");
    let replications = SHARDS.to_string();
    for i in 0..SHARDS {
        let spec = format!("{i}/{SHARDS}");
        swapsim(&[
            "run",
            text(&scenario),
            "--replications",
            &replications,
            "--days",
            DAYS,
            "--shard",
            &spec,
            "--out",
            text(&shards),
        ]);
    }
    let out = tmp.path().join("merged");
    let mut group = c.benchmark_group("merge");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("district-64-shards", |b| {
        b.iter(|| {
            swapsim(&[
                "merge",
                text(&shards),
                "--out",
                text(&out),
                "--force",
                "--format",
                "json",
            ]);
        });
    });
    group.finish();
}

criterion_group!(benches, merge);
criterion_main!(benches);
