//! The `swapsim` command line, run in-process.
//!
//! Most behaviour is data: each `tests/fixtures/cli/NAME.case` holds the
//! arguments and the expected exit code, and `NAME.stdout` / `NAME.stderr`
//! hold the exact expected streams (a missing file means the stream must be
//! empty). Paths in the cases are relative to the workspace root, where
//! cargo runs the tests, so the golden files hold no machine's paths.
//!
//! After an intended change of output, rewrite the golden files with
//! `UPDATE_GOLDEN=1 cargo test --test integration cli::` and review the diff.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use swapsim_cli::{Progress, exit, main_with};

/// Where the case files and their golden outputs live.
const CASES: &str = "tests/fixtures/cli";

/// What one in-process run of `swapsim` produced.
#[derive(Debug)]
struct Outcome {
    status: u8,
    stdout: String,
    stderr: String,
}

/// Runs `swapsim ARGS...` in-process, with progress hidden as in a pipe.
fn swapsim<I, S>(args: I) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let args: Vec<S> = args.into_iter().collect();
    let argv = std::iter::once("swapsim").chain(args.iter().map(AsRef::as_ref));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = main_with(argv, &mut stdout, &mut stderr, Progress::Hidden);
    Outcome {
        status,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// `line` split into arguments at whitespace.
fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split_whitespace()
}

/// A parsed `.case` file: `args: ...` (split on whitespace) and `status: N`;
/// lines starting with `#` are comments.
struct Case {
    args: Vec<String>,
    status: u8,
}

fn read_case(path: &Path) -> Case {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut args, mut status) = (None, None);
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some(("args", rest)) => {
                args = Some(rest.split_whitespace().map(str::to_owned).collect());
            }
            Some(("status", rest)) => {
                status = Some(rest.trim().parse().expect("status is an exit code"));
            }
            _ => panic!("{}: unexpected line {line:?}", path.display()),
        }
    }
    Case {
        args: args.unwrap_or_else(|| panic!("{}: no `args:` line", path.display())),
        status: status.unwrap_or_else(|| panic!("{}: no `status:` line", path.display())),
    }
}

/// Compares `actual` with the golden file `path` (absent = empty), or
/// rewrites the golden file under `UPDATE_GOLDEN=1`. Returns a complaint on
/// mismatch.
fn golden(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        if actual.is_empty() {
            let _ = fs::remove_file(path);
        } else {
            fs::write(path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        return None;
    }
    let expected = fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{} differs\n--- expected\n{expected}--- actual\n{actual}---",
            path.display()
        )
    })
}

#[test]
fn case_files_match_their_exit_codes_and_golden_output() {
    let mut cases: Vec<PathBuf> = fs::read_dir(CASES)
        .expect("the case directory exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|e| e == "case"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "case files went missing: {cases:?}");
    let mut failures = Vec::new();
    for path in &cases {
        let case = read_case(path);
        let outcome = swapsim(&case.args);
        let name = path.display();
        if outcome.status != case.status {
            failures.push(format!(
                "{name}: exit code {}, expected {}\nstderr:\n{}",
                outcome.status, case.status, outcome.stderr
            ));
        }
        failures.extend(golden(&path.with_extension("stdout"), &outcome.stdout));
        failures.extend(golden(&path.with_extension("stderr"), &outcome.stderr));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Every `scenarios/*.toml` that ships with swapsim.
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir("scenarios")
        .expect("scenarios/ exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .filter(|path| path.file_name().is_some_and(|n| n != "Cargo.toml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no shipped scenarios found");
    paths
}

#[test]
fn every_shipped_scenario_checks_ok() {
    for path in shipped_scenarios() {
        let path = path.to_str().expect("UTF-8 path");
        let outcome = swapsim(["check", path]);
        assert_eq!(outcome.status, exit::SUCCESS, "{path}:\n{}", outcome.stderr);
        assert!(
            outcome.stdout.starts_with(&format!("ok: {path}: ")),
            "{}",
            outcome.stdout
        );
        assert_eq!(outcome.stderr, "");
    }
}

#[test]
fn json_is_byte_identical_on_1_and_2_threads() {
    let mut paths = shipped_scenarios();
    paths.push(PathBuf::from(CASES).join("two-sites.toml"));
    for path in paths {
        let model = scenarios::load(&path).expect("valid scenario");
        // Short runs keep the test fast; the warm-up still applies.
        let days = (model.warmup_days + 10).to_string();
        let path = path.to_str().expect("UTF-8 path");
        let args = |threads: &'static str| {
            let line = format!("run {path} --format json --replications 4 --days {days}");
            let mut args: Vec<String> = words(&line).map(str::to_owned).collect();
            args.extend(["--threads".to_owned(), threads.to_owned()]);
            args
        };
        let one = swapsim(args("1"));
        let two = swapsim(args("2"));
        assert_eq!(one.status, exit::SUCCESS, "{path}:\n{}", one.stderr);
        assert_eq!(two.status, exit::SUCCESS, "{path}:\n{}", two.stderr);
        assert!(one.stdout.ends_with("}\n"), "{path}: {}", one.stdout);
        assert_eq!(one.stdout, two.stdout, "{path}: 1 and 2 threads differ");
    }
}

#[test]
fn out_writes_summary_json_atomically_and_leaves_no_temp_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // Two levels that do not exist yet: --out creates them.
    let out = tmp.path().join("results").join("erlang-b");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let run = "run scenarios/erlang-b.toml --days 15 --replications 2";
    let json = swapsim(words(run).chain(["--format", "json"]));
    assert_eq!(json.status, exit::SUCCESS, "{}", json.stderr);
    // Twice: the second run replaces the first file.
    for _ in 0..2 {
        let outcome = swapsim(words(run).chain(["--out", out_arg]));
        assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
        assert_eq!(outcome.stderr, "");
        assert!(outcome.stdout.contains("[1/d]"), "the table is on stdout");
        let mut names: Vec<String> = fs::read_dir(&out)
            .expect("--out created the directory")
            .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
            .collect();
        names.sort();
        assert_eq!(names, ["summary.json"], "only the summary is left");
        let summary = fs::read_to_string(out.join("summary.json")).expect("summary.json");
        assert_eq!(
            summary, json.stdout,
            "summary.json is the --format json output"
        );
    }
}

#[test]
fn out_that_is_a_file_is_one_error_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("taken");
    fs::write(&file, "not a directory").expect("write");
    let file = file.to_str().expect("UTF-8 temp path");
    let run = "run scenarios/erlang-b.toml --days 12 --replications 1 --out";
    let outcome = swapsim(words(run).chain([file]));
    assert_eq!(outcome.status, exit::ERROR);
    assert_eq!(outcome.stdout, "");
    assert!(
        outcome
            .stderr
            .starts_with(&format!("error: cannot write '{file}': ")),
        "{}",
        outcome.stderr
    );
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
}

/// A stdout whose reader has gone away, as in `swapsim run x.toml | head -1`.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn broken_pipe_on_stdout_counts_as_success() {
    for line in [
        "run scenarios/erlang-b.toml --days 12 --replications 1",
        "run scenarios/erlang-b.toml --days 12 --replications 1 --format json",
        "check scenarios/erlang-b.toml",
        "--help",
    ] {
        let mut stderr = Vec::new();
        let argv = std::iter::once("swapsim").chain(words(line));
        let status = main_with(argv, &mut ClosedPipe, &mut stderr, Progress::Hidden);
        assert_eq!(status, exit::SUCCESS, "{line}");
        assert_eq!(String::from_utf8_lossy(&stderr), "", "{line}");
    }
}

#[test]
fn clap_command_is_consistent() {
    swapsim_cli::command().debug_assert();
}
