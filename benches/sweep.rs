//! A sweep against the runs it replaces (issue 12): 12 points of the pilot
//! in mode `check` (adoption × strategy, [`DAYS`] days and
//! [`REPLICATIONS`] replications each) as one `swapsim sweep`, against the
//! 12 equivalent scenario files each run with `swapsim run --check`. Both
//! in-process, on all cores; the sweep parses once and keeps every core
//! busy across points, where each run waits for its slowest replication.
//!
//! Run with `cargo bench --bench sweep`; results in `benches/RESULTS.md`.

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use swapsim_cli::{Progress, exit, main_with};

/// Days per replication, warm-up included \[d\].
const DAYS: &str = "7";
/// Replications per point.
const REPLICATIONS: &str = "4";
/// The adoption values: with the two strategies, 12 points.
const ADOPTION: [&str; 6] = ["0.2", "0.25", "0.3", "0.35", "0.4", "0.45"];
/// The strategies.
const STRATEGIES: [&str; 2] = ["immediate", "off_peak_with_reserve"];

fn pilot() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bishan-pilot.toml")
}

/// The sweep file and the 12 scenario files of its points, in `dir`.
fn inputs(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let sweep = dir.join("pilot.sweep.toml");
    let text = format!(
        "[sweep]\nscenario = {:?}\nmode = \"check\"\n\n\
         [[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [{}]\n\n\
         [[axis]]\nkey = \"cabinet.strategy.model\"\nvalues = [\"{}\"]\n",
        pilot().display().to_string(),
        ADOPTION.join(", "),
        STRATEGIES.join("\", \"")
    );
    fs::write(&sweep, text).expect("write the sweep file");
    let original = fs::read_to_string(pilot()).expect("the pilot");
    let mut scenarios = Vec::new();
    for adoption in ADOPTION {
        for strategy in STRATEGIES {
            let text = original
                .replace(
                    "swap_adoption = 0.3 ",
                    &format!("swap_adoption = {adoption} "),
                )
                .replace(
                    "strategy = { model = \"immediate\" }",
                    &format!("strategy = {{ model = \"{strategy}\" }}"),
                );
            let path = dir.join(format!("pilot-{adoption}-{strategy}.toml"));
            fs::write(&path, text).expect("write a point's scenario");
            scenarios.push(path);
        }
    }
    (sweep, scenarios)
}

fn swapsim(args: &[&str]) -> u8 {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = std::iter::once("swapsim").chain(args.iter().copied());
    let code = main_with(args, &mut out, &mut err, Progress::Hidden);
    black_box(out.len());
    code
}

fn sweep_vs_runs(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sweep, scenarios) = inputs(dir.path());
    let sweep = sweep.to_str().expect("UTF-8 path");
    let common = [
        "--days",
        DAYS,
        "--replications",
        REPLICATIONS,
        "--format",
        "json",
    ];
    let sweep_args: Vec<&str> = ["sweep", sweep].iter().copied().chain(common).collect();
    assert_eq!(swapsim(&sweep_args), exit::SUCCESS);
    let runs: Vec<Vec<&str>> = scenarios
        .iter()
        .map(|path| {
            let path = path.to_str().expect("UTF-8 path");
            ["run", path, "--check"]
                .iter()
                .copied()
                .chain(common)
                .collect()
        })
        .collect();
    for run in &runs {
        let code = swapsim(run);
        assert!(
            code == exit::SUCCESS || code == exit::TARGETS_MISSED,
            "{run:?}"
        );
    }

    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("12 pilot points, one sweep", |b| {
        b.iter(|| swapsim(&sweep_args))
    });
    group.bench_function("12 pilot points, 12 run --check", |b| {
        b.iter(|| runs.iter().map(|run| swapsim(run)).max())
    });
    group.finish();
}

criterion_group!(benches, sweep_vs_runs);
criterion_main!(benches);
