//! Fuzzing that stays (issue 13): property tests over mutations of the
//! shipped inputs, on stable Rust (cargo-fuzz needs nightly).
//!
//! - the scenario parser, the site table, the survey import and
//!   `report`'s readers never panic: they give a value or located
//!   diagnostics (an error naming the file);
//! - any scenario that passes `check` runs 2 days × 2 replications
//!   within bounded time and memory, or the resource estimate refuses
//!   it cleanly;
//! - `tests/fixtures/fuzz/` keeps the interesting inputs found, and every
//!   one of them is run again here.
//!
//! The default case counts keep the suite to seconds, from a fixed seed
//! per property so a plain `cargo test` is repeatable. A fuzz pass runs
//! each property for a time budget instead, from fresh random seeds:
//! `SWAPSIM_FUZZ_SECONDS=60 cargo test --test integration -- fuzz::`
//! (`.ci/run` does this; a campaign gives it 3600 and `--release`). Each
//! property prints how many cases it ran. A failure prints the shrunk
//! input: keep it in `tests/fixtures/fuzz/` once fixed.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use scenarios::{Diagnostic, SurveySheet};
use sim_core::Resources;

/// Cases per property: `PROPTEST_CASES`, else `default`.
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The fuzz pass's budget per property: `SWAPSIM_FUZZ_SECONDS`, if set.
fn budget() -> Option<Duration> {
    let seconds: f64 = std::env::var("SWAPSIM_FUZZ_SECONDS").ok()?.parse().ok()?;
    (seconds > 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// Checks `test` on values of `strategy`: `default` cases from a fixed
/// seed, or, in a fuzz pass, batches from fresh random seeds until the
/// budget is spent, printing how many ran. A failing case panics with
/// the shrunk input.
fn fuzz<S: Strategy>(
    name: &str,
    default: u32,
    strategy: &S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let Some(budget) = budget() else {
        let mut runner = TestRunner::new(Config {
            rng_seed: RngSeed::Fixed(seed_of(name)),
            ..config(default)
        });
        if let Err(e) = runner.run(strategy, &test) {
            panic!("{name}: {e}");
        }
        return;
    };
    const BATCH: u32 = 32;
    let started = Instant::now();
    let mut cases = 0u64;
    while started.elapsed() < budget {
        let mut runner = TestRunner::new(Config {
            cases: BATCH,
            ..config(BATCH)
        });
        if let Err(e) = runner.run(strategy, &test) {
            panic!("{name}: {e} (after {cases} cases)");
        }
        cases += u64::from(BATCH);
    }
    let cpu = swapsim_suite::process::thread_cpu_seconds()
        .map_or(String::new(), |s| format!(", {s:.0} s of CPU"));
    eprintln!(
        "fuzz {name}: {cases} cases in {:.0} s{cpu}",
        started.elapsed().as_secs_f64()
    );
}

/// A fixed seed from a property's name (FNV-1a).
fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Values that once broke something, or sit on a bound.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "48",
    "49",
    "1e308",
    "-1e308",
    "1e20",
    "1e-300",
    "1e-4",
    "0.05",
    "3650",
    "3651",
    "10000",
    "10001",
    "64",
    "65",
    "1000",
    "1001",
    "200000",
    "200001",
    "100000",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "nan",
    "inf",
    "-inf",
    "0.5",
    "1.0000001",
    "\"12\"",
    "[]",
    "{}",
    "true",
];

/// One edit of a text.
#[derive(Clone, Debug)]
enum Edit {
    /// Replace the `n`th number with `NUMBERS[k]`.
    Number(usize, usize),
    /// Delete line `n`.
    DeleteLine(usize),
    /// Repeat line `n`.
    RepeatLine(usize),
    /// Insert bytes at a position (as a fraction of the length).
    Insert(f64, Vec<u8>),
    /// Cut the text at a fraction of its length.
    Truncate(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0..400usize, 0..NUMBERS.len()).prop_map(|(n, k)| Edit::Number(n, k)),
        1 => (0..400usize).prop_map(Edit::DeleteLine),
        1 => (0..400usize).prop_map(Edit::RepeatLine),
        2 => (0.0..1.0f64, prop::collection::vec(
            prop_oneof![Just(b'"'), Just(b','), Just(b'['), Just(b'='), Just(b'\n'), Just(b';'),
                        Just(0u8), any::<u8>()], 1..6))
            .prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        1 => (0.0..1.0f64).prop_map(Edit::Truncate),
    ]
}

/// `text` with `edits` applied; byte edits may break UTF-8, which is
/// replaced so the text stays a `str` (the parser's input).
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_owned();
    for e in edits {
        text = match e {
            Edit::Number(n, k) => {
                let spans = number_spans(&text);
                if spans.is_empty() {
                    text
                } else {
                    let (a, b) = spans[n % spans.len()];
                    format!("{}{}{}", &text[..a], NUMBERS[*k], &text[b..])
                }
            }
            Edit::DeleteLine(n) | Edit::RepeatLine(n) => {
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let i = n % lines.len();
                    if matches!(e, Edit::DeleteLine(_)) {
                        lines.remove(i);
                    } else {
                        lines.insert(i, lines[i]);
                    }
                }
                lines.join("\n") + "\n"
            }
            Edit::Insert(at, bytes) => {
                let mut b = text.into_bytes();
                let i = ((b.len() as f64) * at) as usize;
                b.splice(i..i, bytes.iter().copied());
                String::from_utf8_lossy(&b).into_owned()
            }
            Edit::Truncate(at) => {
                let mut i = ((text.len() as f64) * at) as usize;
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                text[..i].to_owned()
            }
        };
    }
    text
}

/// Byte spans of the numbers in `text` (digits, dots, exponents, signs).
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'_');
        if starts {
            let a = i;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || matches!(b[i], b'.' | b'e' | b'E' | b'_' | b'-' | b'+'))
            {
                i += 1;
            }
            spans.push((a, i));
        } else {
            i += 1;
        }
    }
    spans
}

/// Every diagnostic is located: a file, a line and a column.
fn located(diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    prop_assert!(!diagnostics.is_empty());
    for d in diagnostics {
        prop_assert!(d.line >= 1 && d.column >= 1 && !d.file.is_empty(), "{d:?}");
    }
    Ok(())
}

fn shipped(name: &str) -> String {
    fs::read_to_string(format!("scenarios/{name}")).expect("shipped file")
}

const SCENARIOS: &[&str] = &[
    "bishan-pilot.toml",
    "mmc10.toml",
    "erlang-b.toml",
    "erlang-c.toml",
    "cc-cv-cabinet.toml",
    "courier-hub.toml",
    "old-open-community.toml",
    "bishan-district.toml",
];

/// Scenarios small enough to run in a property case.
const RUNNABLE: &[&str] = &[
    "bishan-pilot.toml",
    "mmc10.toml",
    "erlang-b.toml",
    "erlang-c.toml",
    "cc-cv-cabinet.toml",
    "courier-hub.toml",
    "old-open-community.toml",
];

/// The site table `bishan-district.toml` names, for the parser's reads.
fn district_table(path: &Path, table: &str) -> std::io::Result<String> {
    if path.ends_with("bishan-district-sites.csv") {
        Ok(table.to_owned())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not in the fuzz case",
        ))
    }
}

/// Parses `text` as a scenario: a model or located diagnostics.
fn parse_located(text: &str, table: &str) -> Result<Option<sim_core::Model>, TestCaseError> {
    match scenarios::parse_with(text, "fuzz.toml", &|p| district_table(p, table)) {
        Ok(model) => Ok(Some(model)),
        Err(diagnostics) => located(&diagnostics).map(|()| None),
    }
}

#[test]
fn mutated_scenarios_parse_or_give_located_diagnostics() {
    let table = shipped("bishan-district-sites.csv");
    let texts: Vec<String> = SCENARIOS.iter().map(|s| shipped(s)).collect();
    fuzz(
        "scenario parser",
        200,
        &(0..texts.len(), prop::collection::vec(edit(), 1..6)),
        |(k, edits)| parse_located(&apply(&texts[k], &edits), &table).map(drop),
    );
}

#[test]
fn mutated_site_tables_parse_or_give_located_diagnostics() {
    let district = shipped("bishan-district.toml");
    let table = shipped("bishan-district-sites.csv");
    fuzz(
        "site table",
        64,
        &prop::collection::vec(edit(), 1..6),
        |edits| parse_located(&district, &apply(&table, &edits)).map(drop),
    );
}

#[test]
fn mutated_surveys_import_or_give_located_diagnostics() {
    let survey = shipped("bishan-survey-sample.csv");
    let template = shipped("survey-template.toml");
    fuzz(
        "survey import",
        200,
        &prop::collection::vec(edit(), 1..6),
        |edits| {
            let text = apply(&survey, &edits);
            let Ok(sheet) = SurveySheet::read(text.as_bytes(), "fuzz.csv", None) else {
                return Ok(());
            };
            match scenarios::import_survey_sheet(sheet, &template, "template.toml") {
                Ok(scenario) => {
                    // What the import writes, `check` reads.
                    parse_located(&scenario, "").map(drop)
                }
                Err(diagnostics) => located(&diagnostics),
            }
        },
    );
}

/// A run's result files, once, for the report's readers.
fn result_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let argv = [
        "swapsim",
        "run",
        "scenarios/bishan-pilot.toml",
        "--days",
        "5",
        "--replications",
        "2",
        "--out",
        dir.path().to_str().expect("UTF-8"),
        "--format",
        "json",
    ];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = swapsim_cli::main_with(argv, &mut out, &mut err, swapsim_cli::Progress::Hidden);
    assert_eq!(status, 0, "{}", String::from_utf8_lossy(&err));
    dir
}

#[test]
fn mutated_results_are_read_or_refused_by_report() {
    let dir = result_dir();
    let names = [
        "summary.json",
        "profiles.json",
        "context.json",
        "timeseries.csv",
        "ready.csv",
    ];
    let originals: Vec<String> = names
        .iter()
        .map(|n| fs::read_to_string(dir.path().join(n)).expect("result file"))
        .collect();
    fuzz(
        "report readers",
        64,
        &(0..names.len(), prop::collection::vec(edit(), 1..4)),
        |(k, edits)| {
            let path = dir.path().join(names[k]);
            fs::write(&path, apply(&originals[k], &edits)).expect("write");
            let read = report::load_dir(dir.path());
            fs::write(&path, &originals[k]).expect("restore");
            if let Err(e) = read {
                let message = e.to_string();
                prop_assert!(
                    message.contains(names[k])
                        || message.contains(".json")
                        || message.contains(".csv"),
                    "{message}"
                );
            }
            Ok(())
        },
    );
}

/// The most a property case may take, estimated.
const CASE_BYTES: u64 = 256 << 20;
const CASE_EVENTS: f64 = 3e6;

/// Cases that ran a simulation (the others did not parse, or their
/// estimate was past a case's share).
static RAN: AtomicUsize = AtomicUsize::new(0);

/// Runs `model` for 2 days × 2 replications if the estimate lets it;
/// never panics, and a refused estimate is a clean, finite figure.
fn runs_within_bounds(mut model: sim_core::Model) -> Result<(), TestCaseError> {
    model.days = 2;
    model.warmup_days = 1;
    model.replications = 2;
    let estimate = Resources::estimate(&model, 2, 2, 1);
    // Infinite is fine (refused); NaN would pass every limit.
    prop_assert!(estimate.events >= 0.0, "{estimate:?}");
    prop_assert!(estimate.memory_bytes > 0, "{estimate:?}");
    if estimate.memory_bytes > CASE_BYTES || estimate.events > CASE_EVENTS {
        return Ok(());
    }
    let started = Instant::now();
    RAN.fetch_add(1, Ordering::Relaxed);
    let result = sim_core::run(&model, 1);
    prop_assert_eq!(result.sites.len(), model.sites.len());
    prop_assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    Ok(())
}

#[test]
fn scenarios_that_pass_check_run_two_days_of_two_replications() {
    let texts: Vec<String> = RUNNABLE.iter().map(|s| shipped(s)).collect();
    fuzz(
        "checked scenarios run",
        24,
        &(
            0..texts.len(),
            prop::collection::vec(
                (0..400usize, 0..NUMBERS.len()).prop_map(|(n, k)| Edit::Number(n, k)),
                1..4,
            ),
        ),
        |(k, edits)| match parse_located(&apply(&texts[k], &edits), "")? {
            Some(model) => runs_within_bounds(model),
            None => Ok(()),
        },
    );
    let ran = RAN.load(Ordering::Relaxed);
    eprintln!("{ran} scenarios ran 2 days × 2 replications");
    assert!(ran > 0, "no case ran a simulation");
}

/// The corpus: inputs that once broke swapsim or sit on a bound. Each
/// parses or gives located diagnostics, and each that parses runs
/// within bounds or is refused by the estimate.
#[test]
fn the_fuzz_corpus_stays_fixed() {
    let table = shipped("bishan-district-sites.csv");
    let dir = Path::new("tests/fixtures/fuzz/scenarios");
    let mut seen = 0;
    for entry in fs::read_dir(dir).expect("corpus") {
        let path = entry.expect("entry").path();
        let text = String::from_utf8_lossy(&fs::read(&path).expect("read")).into_owned();
        let outcome =
            parse_located(&text, &table).and_then(|model| model.map_or(Ok(()), runs_within_bounds));
        assert!(outcome.is_ok(), "{}: {outcome:?}", path.display());
        seen += 1;
    }
    assert!(seen >= 5, "{seen} corpus files");
}
