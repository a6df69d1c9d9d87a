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
use swapsim_suite::fixtures::{self, update_golden};

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

/// Stands for the case's own temporary directory in a `.case` file and in
/// its golden output.
const TMP: &str = "$TMP";

/// A parsed `.case` file; lines starting with `#` are comments.
///
/// - `setup: ARGS`: a command run first, which must succeed (any number);
/// - `args: ARGS`: the command under test (split on whitespace);
/// - `status: N`: its expected exit code;
/// - `contains: FILE TEXT`: afterwards FILE exists and contains TEXT (the
///   rest of the line);
/// - `absent: FILE`: afterwards FILE does not exist.
///
/// `$TMP` in any of them is a fresh temporary directory, and the temporary
/// directory's path is `$TMP` again in the output compared with the golden
/// files.
struct Case {
    setup: Vec<String>,
    args: String,
    status: u8,
    contains: Vec<(String, String)>,
    absent: Vec<String>,
}

fn read_case(path: &Path) -> Case {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut setup, mut args, mut status) = (Vec::new(), None, None);
    let (mut contains, mut absent) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some(("setup", rest)) => setup.push(rest.trim().to_owned()),
            Some(("args", rest)) => args = Some(rest.trim().to_owned()),
            Some(("status", rest)) => {
                status = Some(rest.trim().parse().expect("status is an exit code"));
            }
            Some(("contains", rest)) => {
                let (file, text) = rest
                    .trim()
                    .split_once(' ')
                    .unwrap_or_else(|| panic!("{}: `contains: FILE TEXT`", path.display()));
                contains.push((file.to_owned(), text.trim().to_owned()));
            }
            Some(("absent", rest)) => absent.push(rest.trim().to_owned()),
            _ => panic!("{}: unexpected line {line:?}", path.display()),
        }
    }
    Case {
        setup,
        args: args.unwrap_or_else(|| panic!("{}: no `args:` line", path.display())),
        status: status.unwrap_or_else(|| panic!("{}: no `status:` line", path.display())),
        contains,
        absent,
    }
}

/// Compares `actual` with the golden file `path` (absent = empty), or
/// rewrites the golden file under `UPDATE_GOLDEN=1`. Returns a complaint on
/// mismatch.
fn golden(path: &Path, actual: &str) -> Option<String> {
    if update_golden() {
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

/// Runs the case at `path`; returns what differs from its expectations.
fn run_case(path: &Path) -> Vec<String> {
    let case = read_case(path);
    let tmp = tempfile::tempdir().expect("temp dir");
    let tmp_path = tmp.path().to_str().expect("UTF-8 temp path");
    let here = |text: &str| text.replace(TMP, tmp_path);
    let name = path.display();
    for line in &case.setup {
        let setup = swapsim(words(&here(line)));
        assert_eq!(
            setup.status,
            exit::SUCCESS,
            "{name}: setup `{line}`:\n{}",
            setup.stderr
        );
    }
    let outcome = swapsim(words(&here(&case.args)));
    let mut failures = Vec::new();
    if outcome.status != case.status {
        failures.push(format!(
            "{name}: exit code {}, expected {}\nstderr:\n{}",
            outcome.status, case.status, outcome.stderr
        ));
    }
    for (file, text) in &case.contains {
        match fs::read_to_string(here(file)) {
            Ok(found) if found.contains(&here(text)) => {}
            Ok(_) => failures.push(format!("{name}: {file} does not contain {text:?}")),
            Err(e) => failures.push(format!("{name}: {file}: {e}")),
        }
    }
    for file in &case.absent {
        if Path::new(&here(file)).exists() {
            failures.push(format!("{name}: {file} exists"));
        }
    }
    let back = |text: &str| text.replace(tmp_path, TMP);
    failures.extend(golden(
        &path.with_extension("stdout"),
        &back(&outcome.stdout),
    ));
    failures.extend(golden(
        &path.with_extension("stderr"),
        &back(&outcome.stderr),
    ));
    failures
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
    let failures: Vec<String> = cases.iter().flat_map(|path| run_case(path)).collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Every shipped scenario, except templates for `import-survey`
/// (`*-template.toml`), which have no sites of their own; as paths relative
/// to the root, like the goldens.
fn shipped_scenarios() -> Vec<PathBuf> {
    fixtures::shipped_scenarios()
        .iter()
        .map(|path| fixtures::relative(path))
        .filter(|path| !path.ends_with("-template.toml"))
        .map(PathBuf::from)
        .collect()
}

#[test]
fn every_shipped_scenario_checks_ok() {
    for path in shipped_scenarios() {
        let path = path.to_str().expect("UTF-8 path");
        let outcome = swapsim(["check", "--deny-warnings", path]);
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
        let days = (model.warmup_days + 2).to_string();
        let path = path.to_str().expect("UTF-8 path");
        let args = |threads: &'static str| {
            let line = format!("run {path} --format json --replications 3 --days {days}");
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
    // Twice: the second run replaces the first files (with --force).
    for force in [&[][..], &["--force"][..]] {
        let args = words(run)
            .chain(["--out", out_arg])
            .chain(force.iter().copied());
        let outcome = swapsim(args);
        assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
        assert_eq!(outcome.stderr, "");
        assert!(outcome.stdout.contains("[1/d]"), "the table is on stdout");
        assert_eq!(
            file_names(&out),
            [
                "charts",
                "context.json",
                "profiles.json",
                "ready.csv",
                "results.xlsx",
                "summary.json",
                "timeseries.csv"
            ],
            "the result files and no temporary file"
        );
        let summary = fs::read_to_string(out.join("summary.json")).expect("summary.json");
        assert_eq!(
            summary, json.stdout,
            "summary.json is the --format json output"
        );
    }
}

/// The names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
        .collect();
    names.sort();
    names
}

/// `run --out` writes the 15-minute series: one row per transformer (or
/// site) and quarter hour of the measured days, and a total that adds up.
#[test]
fn out_writes_the_load_and_ready_series() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().to_str().expect("UTF-8 temp path");
    let run = "run scenarios/bishan-pilot.toml --days 4 --replications 2 --out";
    let outcome = swapsim(words(run).chain([out]));
    assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
    let model = scenarios::load(Path::new("scenarios/bishan-pilot.toml")).expect("valid");
    let quarters = 4 * 24 * (4 - model.warmup_days as usize);
    let read = |name: &str| fs::read_to_string(tmp.path().join(name)).expect(name);

    let load = read("timeseries.csv");
    // A byte-order mark, so that Excel reads the UTF-8 (see tests/excel.rs).
    let load = load.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut lines = load.lines();
    assert_eq!(
        lines.next(),
        Some(
            "quarter,start_minute,day,hour_of_day,transformer,base_kw,cabinets_kw,piles_kw,\
             flying_wire_kw,total_kw"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), model.grid.transformers.len() * quarters);
    let first_minute = (model.warmup_days * 1440).to_string();
    assert_eq!(rows[0][..4], ["0", first_minute.as_str(), "3", "0"]);
    assert_eq!(rows[0][4], model.grid.transformers[0].name);
    // 07:45 on the first measured day.
    assert_eq!(rows[31][..4], ["31", "4785", "3", "7"]);
    for row in &rows {
        let kw: Vec<f64> = row[5..].iter().map(|x| x.parse().expect("kW")).collect();
        let sum: f64 = kw[..4].iter().sum();
        assert!((sum - kw[4]).abs() < 0.003, "{row:?}");
        assert!(kw[0] > 0.0, "the base load never stops: {row:?}");
    }

    let ready = read("ready.csv");
    let ready = ready.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut lines = ready.lines();
    assert_eq!(
        lines.next(),
        Some("quarter,start_minute,day,hour_of_day,site,ready_batteries")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), model.sites.len() * quarters);
    assert!(rows[0].starts_with(&format!("0,4320,3,0,{},", model.sites[0].name)));
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
        "plan scenarios/erlang-b-plan.toml --days 20",
        "compare scenarios/erlang-b.toml scenarios/erlang-c.toml --days 12 --replications 2",
    ] {
        let mut stderr = Vec::new();
        let argv = std::iter::once("swapsim").chain(words(line));
        let status = main_with(argv, &mut ClosedPipe, &mut stderr, Progress::Hidden);
        assert_eq!(status, exit::SUCCESS, "{line}");
        assert_eq!(String::from_utf8_lossy(&stderr), "", "{line}");
    }
}

/// The reader of stdout going away does not hide missed targets.
#[test]
fn broken_pipe_keeps_the_exit_code_of_missed_targets() {
    let line = "run scenarios/erlang-b-plan.toml --check --days 12 --replications 2";
    let mut stderr = Vec::new();
    let argv = std::iter::once("swapsim").chain(words(line));
    let status = main_with(argv, &mut ClosedPipe, &mut stderr, Progress::Hidden);
    assert_eq!(status, exit::TARGETS_MISSED);
    let stderr = String::from_utf8(stderr).expect("UTF-8");
    assert!(stderr.starts_with("target missed: site 'A': "), "{stderr}");
}

/// `plan --out` writes the plan three ways, and the run files of its final
/// evaluation for `report`; `plan.toml` is the original scenario plus the
/// plan's overrides, and `run --check` confirms it with the days and
/// replications of the plan (60 days, the scenario's 8 replications).
#[test]
fn plan_out_writes_a_scenario_that_run_check_confirms() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("plan");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let plan = "plan scenarios/erlang-b-plan.toml --days 60";
    let outcome = swapsim(words(plan).chain(["--out", out_arg]));
    assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
    // 12 batteries and an empty compartment in each cabinet: the site's
    // 12-slot cabinet and one more of its size.
    assert!(outcome.stdout.contains("2 × 12"), "{}", outcome.stdout);

    assert_eq!(
        file_names(&out),
        [
            "charts",
            "context.json",
            "plan.csv",
            "plan.json",
            "plan.toml",
            "plan.xlsx",
            "profiles.json",
            "ready.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
    let read = |name: &str| fs::read_to_string(out.join(name)).expect(name);
    for (name, format) in [("plan.json", "json"), ("plan.csv", "csv")] {
        let printed = swapsim(words(plan).chain(["--format", format]));
        // The CSV file starts with a byte-order mark for Excel; stdout not.
        let file = read(name);
        let file = file.strip_prefix('\u{feff}').unwrap_or(&file);
        assert_eq!(
            file, printed.stdout,
            "{name} is the --format {format} output"
        );
    }
    let original = fs::read_to_string("scenarios/erlang-b-plan.toml").expect("shipped");
    let toml = read("plan.toml");
    assert!(toml.starts_with(&original), "the original text comes first");
    assert!(toml[original.len()..].contains(scenarios::PLAN_MARKER));

    let planned = out.join("plan.toml");
    let planned = planned.to_str().expect("UTF-8 temp path");
    let model = scenarios::load(Path::new(planned)).expect("plan.toml is a valid scenario");
    assert_eq!(model.sites[0].batteries, 12, "Erlang B's answer");
    let check = swapsim(["run", planned, "--check"]);
    assert_eq!(check.status, exit::SUCCESS, "{}", check.stderr);
    assert_eq!(
        check.stderr,
        "all targets met: 1 target at 1 site by the upper 95% bound\n"
    );
}

/// Issue 10: one set of numbers. `run plan.toml --out` writes byte for byte
/// the run files of the plan's final evaluation, also when `plan` was given
/// `--seed` and `--days` (the plan file carries them).
#[test]
fn run_of_the_plan_file_writes_the_plan_s_own_figures() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (planned, ran) = (tmp.path().join("plan"), tmp.path().join("run"));
    let path = |p: &Path| p.to_str().expect("UTF-8 temp path").to_owned();
    let plan = swapsim([
        "plan",
        "scenarios/erlang-b-plan.toml",
        "--days",
        "40",
        "--seed",
        "5",
        "--out",
        &path(&planned),
    ]);
    assert_eq!(plan.status, exit::SUCCESS, "{}", plan.stderr);
    let plan_toml = path(&planned.join("plan.toml"));
    let run = swapsim(["run", plan_toml.as_str(), "--out", &path(&ran)]);
    assert_eq!(run.status, exit::SUCCESS, "{}", run.stderr);
    let model = scenarios::load(Path::new(&plan_toml)).expect("plan.toml is a valid scenario");
    assert_eq!((model.seed, model.days, model.replications), (5, 40, 8));
    for name in [
        "summary.json",
        "timeseries.csv",
        "ready.csv",
        "profiles.json",
    ] {
        let read = |dir: &Path| fs::read(dir.join(name)).expect(name);
        assert!(read(&planned) == read(&ran), "{name} differs");
    }
}

/// Common random numbers: a scenario compared with itself differs by
/// exactly zero in every KPI, with a zero-width interval.
#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let path = "tests/fixtures/cli/two-sites.toml";
    let outcome = swapsim(["compare", path, path, "--format", "json", "--days", "3"]);
    assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let mut scopes = vec![&json["network"]];
    let sites = json["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 2);
    scopes.extend(sites.iter().map(|s| &s["kpis"]));
    for kpis in scopes {
        let kpis = kpis.as_object().expect("KPIs");
        assert_eq!(kpis.len(), sim_core::Kpis::NAMES.len());
        for (kpi, row) in kpis {
            let estimates = row["estimates"].as_array().expect("estimates");
            assert_eq!(estimates[0], estimates[1], "{kpi}");
            let differences = row["differences"].as_array().expect("differences");
            assert_eq!(differences.len(), 1);
            for end in ["mean", "ci95_low", "ci95_high"] {
                assert_eq!(differences[0][end], 0.0, "{kpi} {end}");
            }
        }
    }
}

#[test]
fn plan_and_compare_json_are_byte_identical_on_1_and_2_threads() {
    for line in [
        "plan scenarios/erlang-b-plan.toml --days 20 --format json",
        "plan scenarios/bishan-pilot.toml --days 5 --format json",
        "compare tests/fixtures/cli/two-sites.toml tests/fixtures/cli/three-sites.toml \
         --format json",
    ] {
        let one = swapsim(words(line).chain(["--threads", "1"]));
        let two = swapsim(words(line).chain(["--threads", "2"]));
        assert!(one.stdout.ends_with("}\n"), "{line}: {}", one.stderr);
        assert_eq!(one.status, two.status, "{line}");
        assert_eq!(one.stdout, two.stdout, "{line}: 1 and 2 threads differ");
    }
}

/// The shipped sample sheet imports into a scenario that `check` accepts,
/// the same on stdout and in `--out FILE`.
#[test]
fn the_sample_survey_imports_into_a_valid_scenario() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("town").join("bicheng.toml");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let import = "import-survey scenarios/bishan-survey-sample.csv \
                  --template scenarios/survey-template.toml";
    let printed = swapsim(words(import));
    assert_eq!(printed.status, exit::SUCCESS, "{}", printed.stderr);
    let written = swapsim(words(import).chain(["--out", out_arg]));
    assert_eq!(written.status, exit::SUCCESS, "{}", written.stderr);
    assert_eq!((written.stdout.as_str(), written.stderr.as_str()), ("", ""));
    assert_eq!(
        fs::read_to_string(&out).expect("--out FILE"),
        printed.stdout
    );

    let sheet = fs::read_to_string("scenarios/bishan-survey-sample.csv").expect("shipped");
    let rows = sheet
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    let check = swapsim(["check", out_arg]);
    assert_eq!(check.status, exit::SUCCESS, "{}", check.stderr);
    let model = scenarios::load(&out).expect("valid");
    assert!(model.sites.len() >= rows, "a site per row of the sheet");
    assert_eq!(
        check.stdout,
        format!("ok: {out_arg}: {} sites\n", model.sites.len())
    );
}

/// A sheet with a problem writes nothing, and leaves an earlier file as it
/// was.
#[test]
fn a_bad_survey_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("town.toml");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let import = "import-survey tests/fixtures/cli/bad-survey.csv \
                  --template tests/fixtures/cli/survey-template.toml --out";
    let outcome = swapsim(words(import).chain([out_arg]));
    assert_eq!(outcome.status, exit::ERROR);
    assert!(!out.exists(), "nothing partial is written");
    fs::write(&out, "# earlier\n").expect("write");
    let again = swapsim(words(import).chain([out_arg]));
    assert_eq!(again.status, exit::ERROR);
    assert_eq!(again.stderr, outcome.stderr);
    assert_eq!(
        fs::read_to_string(&out).expect("still there"),
        "# earlier\n"
    );
    let names: Vec<_> = fs::read_dir(tmp.path()).expect("dir").collect();
    assert_eq!(names.len(), 1, "no temporary file is left");
}

/// A sheet saved as GBK (as Excel does on a Chinese system) gets a hint.
#[test]
fn a_survey_that_is_not_utf8_says_how_to_convert_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let sheet = tmp.path().join("gbk.csv");
    // "小区名称" in GBK.
    fs::write(&sheet, b"\xd0\xa1\xc7\xf8\xc3\xfb\xb3\xc6\n").expect("write");
    let sheet = sheet.to_str().expect("UTF-8 temp path");
    let outcome = swapsim([
        "import-survey",
        sheet,
        "--template",
        "tests/fixtures/cli/survey-template.toml",
    ]);
    assert_eq!(outcome.status, exit::ERROR);
    assert_eq!(
        outcome.stderr,
        format!(
            "error: '{sheet}' is not UTF-8 text: save it as \"CSV UTF-8\", or convert it \
             (iconv -f GBK -t UTF-8)\n"
        )
    );
}

/// `--html FILE` of run, plan and compare is the report that `swapsim
/// report` makes from their `--out DIR`, byte for byte: the files hold
/// everything the report shows.
#[test]
fn html_is_the_report_of_the_out_dir() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let at = |name: &str| tmp.path().join(name).to_str().expect("UTF-8").to_owned();
    for (name, line) in [
        (
            "run",
            "run scenarios/bishan-pilot.toml --days 4 --replications 2",
        ),
        ("plan", "plan scenarios/erlang-b-plan.toml --days 20"),
        (
            "compare",
            "compare tests/fixtures/cli/two-sites.toml tests/fixtures/cli/three-sites.toml",
        ),
    ] {
        for lang in ["zh", "en"] {
            let (dir, direct, read) = (at(name), at("direct.html"), at("read.html"));
            let args = ["--out", &dir, "--force", "--html", &direct, "--lang", lang];
            let outcome = swapsim(words(line).chain(args));
            assert!(
                outcome.status <= exit::TARGETS_MISSED,
                "{line}: {}",
                outcome.stderr
            );
            let report = swapsim(["report", &dir, "--html", &read, "--lang", lang]);
            assert_eq!(report.status, exit::SUCCESS, "{line}: {}", report.stderr);
            assert_eq!((report.stdout.as_str(), report.stderr.as_str()), ("", ""));
            let (direct, read) = (fs::read_to_string(direct), fs::read_to_string(read));
            let direct = direct.expect("--html wrote its file");
            assert!(
                direct.contains(&format!("<html lang=\"{lang}\">")),
                "{line}"
            );
            assert!(
                direct == read.expect("report wrote its file"),
                "{line} --lang {lang}"
            );
        }
    }
}

/// With `--force`, one command's files replace another's, so that
/// `report DIR` shows the new result alone; `plan.toml` (the scenario being
/// run here) and files swapsim does not write stay.
#[test]
fn force_replaces_the_result_files_of_another_command() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().to_str().expect("UTF-8 temp path");
    let plan = swapsim([
        "plan",
        "scenarios/erlang-b-plan.toml",
        "--days",
        "20",
        "--out",
        dir,
    ]);
    assert_eq!(plan.status, exit::SUCCESS, "{}", plan.stderr);
    fs::write(tmp.path().join("notes.txt"), "mine").expect("write");
    let before = file_names(tmp.path());
    let planned = tmp.path().join("plan.toml");
    let planned = planned.to_str().expect("UTF-8 temp path");
    let run = format!("run {planned} --days 12 --replications 2 --out {dir}");

    let refused = swapsim(words(&run));
    assert_eq!(refused.status, exit::ERROR);
    assert_eq!(
        refused.stderr,
        format!("error: --out '{dir}' already holds files: pass --force to write into it\n")
    );
    assert_eq!(refused.stdout, "", "nothing runs");
    assert_eq!(file_names(tmp.path()), before, "nothing is written");
    let load = report::load_dir(tmp.path()).expect("the plan's files");
    assert_eq!(load.kind, report::Kind::Plan);

    let forced = swapsim(words(&run).chain(["--force"]));
    assert_eq!(forced.status, exit::SUCCESS, "{}", forced.stderr);
    assert_eq!(
        file_names(tmp.path()),
        [
            "charts",
            "context.json",
            "notes.txt",
            "plan.toml",
            "profiles.json",
            "ready.csv",
            "results.xlsx",
            "summary.json",
            "timeseries.csv"
        ]
    );
    let load = report::load_dir(tmp.path()).expect("the run's files");
    assert_eq!(load.kind, report::Kind::Run);
    assert_eq!(load.summary.expect("summary").days, 12);
    // The plan's charts went with its files. An Erlang B run has none of
    // its own: no series, and its waits are all zero, so no wait chart.
    let charts = file_names(&tmp.path().join("charts"));
    assert!(charts.iter().all(|c| !c.starts_with("plan-")), "{charts:?}");
    assert!(!charts.contains(&"wait.svg".to_owned()), "{charts:?}");
}

#[test]
fn clap_command_is_consistent() {
    swapsim_cli::command().debug_assert();
}

/// `report --charts DIR --png` and `run --out DIR --png` write each chart
/// as PNG next to its SVG; a later `--force`d run without `--png` removes
/// the PNGs it did not draw. Needs the font of the report tests.
#[test]
fn png_charts_go_next_to_the_svgs() {
    let Some(font) = crate::report::png_font() else {
        return;
    };
    let font = font.path().to_str().expect("UTF-8 font path").to_owned();
    let tmp = tempfile::tempdir().expect("temp dir");
    let at = |name: &str| tmp.path().join(name).to_str().expect("UTF-8").to_owned();
    let (out, charts) = (at("out"), at("charts"));
    let run = "run scenarios/bishan-pilot.toml --days 4 --replications 2";
    let outcome = swapsim(words(run).chain(["--out", &out, "--png", "--font", &font]));
    assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
    let drawn = file_names(&tmp.path().join("out/charts"));
    let svgs: Vec<&String> = drawn.iter().filter(|n| n.ends_with(".svg")).collect();
    assert!(svgs.len() >= 4, "{drawn:?}");
    assert_eq!(
        drawn.len(),
        2 * svgs.len(),
        "an SVG and a PNG each: {drawn:?}"
    );

    // `report` from the directory draws the same PNGs, byte for byte.
    let html = at("report.html");
    let args = [
        "report", &out, "--html", &html, "--charts", &charts, "--png",
    ];
    let outcome = swapsim(args.into_iter().chain(["--font", &font]));
    assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
    assert_eq!(file_names(Path::new(&charts)), drawn);
    for name in drawn.iter().filter(|n| n.ends_with(".png")) {
        let (a, b) = (
            fs::read(tmp.path().join("out/charts").join(name)).expect("PNG"),
            fs::read(Path::new(&charts).join(name)).expect("PNG"),
        );
        assert!(a == b, "{name} differs");
        let image = crate::report::decode_png(&a);
        assert_eq!(image.width, 1600, "{name}");
    }

    let again = swapsim(words(run).chain(["--out", &out, "--force"]));
    assert_eq!(again.status, exit::SUCCESS, "{}", again.stderr);
    let left = file_names(&tmp.path().join("out/charts"));
    assert!(left.iter().all(|n| n.ends_with(".svg")), "{left:?}");
    assert_eq!(left.len(), svgs.len());
}

/// Issue 13: one `slot_catalogue` line of N repeats gave N errors, each
/// quoting the whole line (2.4 GB of stderr at N = 20,000). Now it is one
/// error with a count, quoting at most an excerpt of the line.
#[test]
fn issue_13_repeated_mistakes_on_one_long_line_print_little() {
    const N: usize = 20_000;
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("repeats.toml");
    let base =
        fs::read_to_string("tests/fixtures/cli/erlang-b-12-batteries.toml").expect("fixture");
    let catalogue = vec!["12"; N].join(", ");
    fs::write(
        &scenario,
        format!("{base}\n[planner]\nslot_catalogue = [{catalogue}]\n"),
    )
    .expect("write");
    let outcome = swapsim(["check", scenario.to_str().expect("UTF-8 temp path")]);
    assert_eq!(outcome.status, exit::ERROR, "{}", outcome.stderr);
    assert!(
        outcome.stderr.len() < 100_000,
        "{} bytes of stderr",
        outcome.stderr.len()
    );
    assert!(
        outcome.stderr.contains(&format!(
            "duplicate size 12, already at slot_catalogue[0] (and {} more like it)",
            "19,998"
        )),
        "{}",
        outcome.stderr
    );
}

/// Issue 13: 10⁵ sites and more once took gigabytes; past the bound of
/// 100,000 sites `check` refuses the file before reading the sites.
#[test]
fn issue_13_sites_past_the_bound_are_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("sites.toml");
    let mut text = String::from(
        "[scenario]\nname = \"too many\"\n\n[battery]\ncapacity_wh = 1000\n\
         charge = { model = \"exponential\", mean_hours = 3.0 }\n",
    );
    for i in 0..=scenarios::bounds::MAX_SITES {
        text.push_str(&format!("\n[[site]]\nname = \"s{i}\"\n"));
    }
    fs::write(&scenario, text).expect("write");
    let outcome = swapsim(["check", scenario.to_str().expect("UTF-8 temp path")]);
    assert_eq!(outcome.status, exit::ERROR, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("100001 sites exceed the bound of 100000"),
        "{}",
        outcome.stderr
    );
}

/// `plan --out` of a scenario whose sites come from a `[[site_table]]`
/// writes the table beside `plan.toml`, which names it as the scenario
/// did: `run` of the plan file reads it (it failed with "cannot read
/// DIR/site-table.csv").
#[test]
fn a_plan_file_runs_with_the_site_table_beside_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let valid = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/valid");
    let table = fs::read_to_string(valid.join("site-table.csv")).expect("the fixture's table");
    let mut scenario = fs::read_to_string(valid.join("site-table.toml")).expect("the fixture");
    scenario.push_str(
        "\n[targets]\nmax_lost_swap_rate = 0.05\n\n[planner]\nmin_replications = 2\n\
         max_replications = 2\nmax_iterations = 5\n",
    );
    let path = tmp.path().join("site-table.toml");
    fs::write(&path, scenario).expect("scenario written");
    fs::write(tmp.path().join("site-table.csv"), &table).expect("table written");
    let out = tmp.path().join("plan");
    let (path, out_arg) = (path.to_str().unwrap(), out.to_str().unwrap());
    let planned = swapsim(["plan", path, "--days", "4", "-q", "--out", out_arg]);
    assert_eq!(planned.status, exit::SUCCESS, "{}", planned.stderr);
    assert_eq!(
        fs::read_to_string(out.join("site-table.csv")).expect("the table beside the plan"),
        table
    );
    let plan_file = out.join("plan.toml");
    let ran = swapsim(["run", plan_file.to_str().unwrap(), "--days", "4", "-q"]);
    assert_eq!(ran.status, exit::SUCCESS, "{}", ran.stderr);
}
