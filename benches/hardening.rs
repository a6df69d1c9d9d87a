//! The costs issue 13 made linear, measured so they stay linear.
//!
//! - `survey_import/rows/N`: `import-survey` of a sheet of N communities
//!   (the sample's 12 rows repeated under new names), read and turned
//!   into a scenario; it once took 12.5 s at 10k rows and did not finish
//!   at 100k.
//! - `error_grouping/repeats/N`: `check` of one `slot_catalogue` line
//!   with N repeats of one size: one diagnostic with a count, where it
//!   once gave N diagnostics each quoting the whole line.
//!
//! Run with `cargo bench --bench hardening`; figures in
//! `benches/RESULTS.md`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scenarios::SurveySheet;

fn shipped(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The sample survey with its rows repeated to `rows` rows, each
/// community under a name of its own.
fn survey(rows: usize) -> String {
    let sample = shipped("bishan-survey-sample.csv");
    let mut lines = sample.lines();
    let header = lines.next().expect("header");
    let body: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let mut text = String::with_capacity(rows * 120);
    text.push_str(header);
    text.push('\n');
    for i in 0..rows {
        let row = body[i % body.len()];
        let (_, rest) = row.split_once(',').expect("serial number");
        let (name, rest) = rest.split_once(',').expect("name");
        text.push_str(&format!("{},{name}{i},{rest}\n", i + 1));
    }
    text
}

fn survey_import(c: &mut Criterion) {
    let template = shipped("survey-template.toml");
    let mut group = c.benchmark_group("survey_import");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    for rows in [1_000usize, 10_000, 99_999] {
        let text = survey(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::new("rows", rows), &text, |b, text| {
            b.iter(|| {
                let sheet = SurveySheet::read(text.as_bytes(), "survey.csv", None).expect("CSV");
                let scenario =
                    scenarios::import_survey_sheet(sheet, &template, "survey-template.toml")
                        .expect("a valid sheet");
                black_box(scenario.len())
            });
        });
    }
    group.finish();
}

fn error_grouping(c: &mut Criterion) {
    let base = shipped("erlang-b.toml");
    let mut group = c.benchmark_group("error_grouping");
    group.sample_size(10);
    for repeats in [1_000usize, 20_000, 100_000] {
        let catalogue = vec!["12"; repeats].join(", ");
        let text = format!("{base}\n[planner]\nslot_catalogue = [{catalogue}]\n");
        group.throughput(Throughput::Elements(repeats as u64));
        group.bench_with_input(BenchmarkId::new("repeats", repeats), &text, |b, text| {
            b.iter(|| {
                let diagnostics = scenarios::parse(text, "repeats.toml").expect_err("duplicates");
                let rendered: usize = diagnostics.iter().map(|d| d.render().len()).sum();
                assert!(rendered < 10_000, "{rendered} bytes of diagnostics");
                black_box(rendered)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, survey_import, error_grouping);
criterion_main!(benches);
