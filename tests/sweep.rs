//! `swapsim sweep` (issue 12): a point's result is exactly the `run
//! --format json` of the scenario with the point's values; results do not
//! depend on the threads or on how the points are split; point results
//! read back from `sweep.json` as the same values; bad values are told at
//! the sweep file's axis before anything runs; site tables take swept
//! values; the designs lay out the points they promise.

use std::fs;
use std::path::{Path, PathBuf};

use batch::sweep::{Document, Overrides, Sweep, SweepProgress};
use swapsim_cli::{Progress, exit, main_with};
use swapsim_suite::fixtures::{root, shipped_sweeps};

struct Outcome {
    status: u8,
    stdout: String,
    stderr: String,
}

fn swapsim<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Outcome {
    let args: Vec<String> = std::iter::once("swapsim".to_owned())
        .chain(args.into_iter().map(|a| a.as_ref().to_owned()))
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = main_with(args, &mut out, &mut err, Progress::Hidden);
    Outcome {
        status,
        stdout: String::from_utf8(out).expect("UTF-8 stdout"),
        stderr: String::from_utf8(err).expect("UTF-8 stderr"),
    }
}

fn pilot() -> PathBuf {
    root().join("scenarios/bishan-pilot.toml")
}

/// A sweep file in `dir` over the pilot with `axes` (TOML `[[axis]]`
/// tables) and `head` (more keys of `[sweep]`).
fn sweep_file(dir: &Path, head: &str, axes: &str) -> PathBuf {
    sweep_over(dir, &pilot(), head, axes)
}

/// [`sweep_file`] over `scenario`: the first axis's key is on line 6.
fn sweep_over(dir: &Path, scenario: &Path, head: &str, axes: &str) -> PathBuf {
    let path = dir.join("sweep.toml");
    let text = format!(
        "[sweep]\nscenario = {:?}\n{head}\n\n{axes}",
        scenario.display().to_string()
    );
    fs::write(&path, text).expect("write the sweep file");
    path
}

const TWO_AXES: &str = "[[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [0.25, 0.4]\n\n\
                        [[axis]]\nkey = \"cabinet.strategy.model\"\n\
                        values = [\"immediate\", \"off_peak_with_reserve\"]\n";

struct Quiet;

impl sim_core::DayProgress for Quiet {
    fn day_done(&self, _replication: u32, _day: u32) {}
}

impl SweepProgress for Quiet {
    fn point_done(&self, _index: usize) {}
}

fn short() -> Overrides {
    Overrides {
        seed: None,
        days: Some(5),
        replications: Some(2),
    }
}

#[test]
fn a_points_result_is_the_run_json_of_the_scenario_with_its_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sweep = sweep_file(dir.path(), "mode = \"check\"", TWO_AXES);
    let sweep = sweep.to_str().expect("UTF-8 path");
    let short = ["--days", "5", "--replications", "3"];
    let swept = swapsim(["sweep", sweep, "--format", "json"].iter().chain(&short));
    assert_eq!(swept.status, exit::SUCCESS, "{}", swept.stderr);
    let document: Document = serde_json::from_str(&swept.stdout).expect("sweep.json");
    assert_eq!(document.points.len(), 4);
    let point = &document.points[3];
    assert_eq!(point.index, 3);
    assert_eq!(
        serde_json::to_string(&point.values).expect("values"),
        r#"{"cabinet.strategy.model":"off_peak_with_reserve","site.*.swap_adoption":0.4}"#
    );

    // The same scenario written by hand.
    let original = fs::read_to_string(pilot()).expect("the pilot");
    let edited = original
        .replace("swap_adoption = 0.3 ", "swap_adoption = 0.4 ")
        .replace(
            "strategy = { model = \"immediate\" }",
            "strategy = { model = \"off_peak_with_reserve\" }",
        );
    assert_eq!(
        edited.matches("0.4 ").count(),
        original.matches("0.4 ").count() + 1
    );
    assert!(edited.contains("model = \"off_peak_with_reserve\" }\n"));
    let equivalent = dir.path().join("equivalent.toml");
    fs::write(&equivalent, edited).expect("write the scenario");
    let equivalent = equivalent.to_str().expect("UTF-8 path");
    let run = swapsim(["run", equivalent, "--format", "json"].iter().chain(&short));
    assert_eq!(run.status, exit::SUCCESS, "{}", run.stderr);
    let mut result = serde_json::to_string_pretty(&point.result).expect("a result");
    result.push('\n');
    assert_eq!(result, run.stdout);

    // `targets_met` is `run --check`'s verdict.
    let check = swapsim(
        ["run", equivalent, "--check", "--format", "json"]
            .iter()
            .chain(&short),
    );
    assert_eq!(
        point.targets_met,
        Some(check.status == exit::SUCCESS),
        "{}",
        check.stderr
    );
}

#[test]
fn sweep_json_is_byte_identical_on_1_and_3_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sweep = sweep_file(dir.path(), "mode = \"check\"", TWO_AXES);
    let sweep = sweep.to_str().expect("UTF-8 path");
    let run = |threads: &str| {
        let args = [
            "sweep",
            sweep,
            "--format",
            "json",
            "--days",
            "5",
            "--replications",
            "3",
        ];
        swapsim(args.iter().copied().chain(["--threads", threads]))
    };
    let (one, three) = (run("1"), run("3"));
    assert_eq!(one.status, exit::SUCCESS, "{}", one.stderr);
    assert!(one.stdout.ends_with("}\n"));
    assert_eq!(one.stdout, three.stdout);
}

/// What a shard and a merge rely on: points computed in any blocks give
/// the same results, and sweep.json read back assembles to the same text.
#[test]
fn point_results_round_trip_through_sweep_json_and_blocks_of_points() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = sweep_file(dir.path(), "mode = \"check\"", TWO_AXES);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let n = sweep.points().len();
    let all = sweep.run(0..n, 2, &Quiet);
    let text = sweep.json(&all);
    let read: Document = serde_json::from_str(&text).expect("sweep.json reads back");
    assert_eq!(sweep.json(&read.points), text);
    let mut blocks = sweep.run(0..1, 1, &Quiet);
    blocks.extend(sweep.run(1..n, 2, &Quiet));
    assert_eq!(sweep.json(&blocks), text);
    assert_eq!(read.sweep, sweep.header());
}

/// Common random numbers: two points whose values give the same scenario
/// give the same result, so every difference between points is the
/// values'.
#[test]
fn points_share_their_random_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 0.3 is the pilot's own adoption: point 1 is the base scenario.
    let axes = "[[axis]]\nkey = \"site.美吉鑫小区.swap_adoption\"\nvalues = [0.2, 0.3]\n";
    let path = sweep_file(dir.path(), "", axes);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let results = sweep.run(0..2, 0, &Quiet);
    let mut base = scenarios::load(&pilot()).expect("the pilot");
    base.days = 5;
    base.replications = 2;
    assert_eq!(results[1].run_result(), Some(&sim_core::run(&base, 1)));
    assert_ne!(results[0].run_result(), results[1].run_result());
}

#[test]
fn a_bad_value_is_told_at_its_axis_with_the_field_and_what_is_valid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let axes = "[[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [0.2, 1.5]\n";
    let sweep = sweep_file(dir.path(), "", axes);
    let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
    assert_eq!(outcome.status, exit::ERROR);
    assert_eq!(outcome.stdout, "");
    // Line 7 of the sweep file, the column of `1.5`.
    let at = format!(
        "{}:7:16: site[0].swap_adoption: with site.*.swap_adoption = 1.5: site '美吉鑫小区': \
         expected a number in [0, 1], found 1.5\n7 | values = [0.2, 1.5]\n  |                ^^^",
        sweep.display()
    );
    assert!(outcome.stderr.contains(&at), "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("0.2:"), "{}", outcome.stderr);
}

#[test]
fn an_unknown_key_names_the_valid_ones_and_the_closest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("battery.capacity_kwh", "did you mean `capacity_wh`?"),
        ("batery.capacity_wh", "did you mean `battery`?"),
        (
            "site.美吉鑫.swap_adoption",
            "unknown site `美吉鑫`, expected `美吉鑫小区`",
        ),
        ("site.*.swap_adopton", "did you mean `swap_adoption`?"),
        ("scenario.days", "[scenario] cannot be swept"),
        ("battery", "names a section"),
    ];
    for (key, expected) in cases {
        let axes = format!("[[axis]]\nkey = \"{key}\"\nvalues = [1000]\n");
        let sweep = sweep_file(dir.path(), "", &axes);
        let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
        assert_eq!(outcome.status, exit::ERROR, "{key}");
        assert!(
            outcome.stderr.contains(expected),
            "{key}: {}",
            outcome.stderr
        );
        assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
    }
}

#[test]
fn a_bad_sweep_file_is_told_with_every_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.toml");
    fs::write(
        &path,
        "[sweep]\nscenario = \"nowhere.toml\"\nmoed = \"check\"\ndesign = \"grid\"\n\n\
         [[axis]]\nkey = \"battery.capacity_wh\"\n",
    )
    .expect("write");
    let outcome = swapsim(["sweep", path.to_str().expect("UTF-8 path")]);
    assert_eq!(outcome.status, exit::ERROR);
    assert!(
        outcome.stderr.contains("did you mean `mode`?"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("an axis needs `values = [...]`, `range = { from, to, steps }` or `scale"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_sweep_file_error_says_sweep_file_and_when_the_list_is_cut() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 60 values the scenario rejects, each told at its place.
    let values: Vec<String> = (1..=60)
        .map(|i| format!("{:.2}", 1.0 + f64::from(i) / 100.0))
        .collect();
    let axes = format!(
        "[[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [{}]\n",
        values.join(", ")
    );
    let sweep = sweep_file(dir.path(), "", &axes);
    let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
    assert_eq!(outcome.status, exit::ERROR);
    let told = outcome
        .stderr
        .lines()
        .filter(|l| l.starts_with(&sweep.display().to_string()))
        .count();
    assert_eq!(told, batch::sweep::MAX_PROBLEMS, "{}", outcome.stderr);
    let last = outcome.stderr.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        format!(
            "error: {}: invalid sweep file: 60 problems (the first 50 shown)",
            sweep.display()
        )
    );
    // Fewer than the cap: no note.
    let axes = "[[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [0.2, 1.5]\n";
    let sweep = sweep_file(dir.path(), "", axes);
    let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
    assert!(
        outcome.stderr.ends_with(&format!(
            "error: {}: invalid sweep file: 1 problem\n",
            sweep.display()
        )),
        "{}",
        outcome.stderr
    );
}

/// `site.*` reaches the sites of a `[[site_table]]`: the value is written
/// into every row of its CSV, and a bad one is told once with the count.
#[test]
fn site_tables_take_swept_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let district = root().join("scenarios/bishan-district.toml");
    let write = |values: &str| {
        let path = dir.path().join("district.toml");
        let text = format!(
            "[sweep]\nscenario = {:?}\n\n[[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [{values}]\n\n\
             [[axis]]\nkey = \"site.璧城-02.batteries\"\nvalues = [99]\n",
            district.display().to_string()
        );
        fs::write(&path, text).expect("write");
        path
    };
    let sweep = Sweep::load(&write("0.15"), &short()).expect("a valid sweep");
    let model = sweep.model(0);
    assert_eq!(model.sites.len(), 175);
    assert!(model.sites.iter().all(|s| s.swap_adoption == 0.15));
    let base = scenarios::load(&district).expect("the district");
    for (site, surveyed) in model.sites.iter().zip(&base.sites) {
        let batteries = if site.name == "璧城-02" {
            99
        } else {
            surveyed.batteries
        };
        assert_eq!(site.batteries, batteries, "{}", site.name);
    }

    let outcome = swapsim(["sweep", write("0.15, 1.5").to_str().expect("UTF-8 path")]);
    assert_eq!(outcome.status, exit::ERROR);
    assert!(
        outcome
            .stderr
            .contains("site_table[0].row[0].swap_adoption: with site.*.swap_adoption = 1.5"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("(and 174 more like it)"),
        "{}",
        outcome.stderr
    );
}

/// `transformer.NAME.KEY` and `group.NAME.KEY` name the scenario's
/// `[[transformer]]` and `[[group]]` tables (they were looked up in the
/// sweep file, which has none, so every such key was refused).
#[test]
fn a_named_transformer_or_group_is_the_scenarios() {
    let dir = tempfile::tempdir().expect("temp dir");
    let axes = "[[axis]]\nkey = \"transformer.1号箱变.rating_kva\"\nvalues = [630, 1000]\n";
    let path = sweep_file(dir.path(), "", axes);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let rating = |point: usize| sweep.model(point).grid.transformers[0].rating_kva;
    assert_eq!((rating(0), rating(1)), (630.0, 1000.0));

    let hub = root().join("scenarios/courier-hub.toml");
    let axes = "[[axis]]\nkey = \"group.courier.speed_kmh\"\nvalues = [18.0, 22.0]\n";
    let path = sweep_over(dir.path(), &hub, "", axes);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let speeds = |point: usize| -> Vec<(String, f64)> {
        let groups = &sweep.model(point).riders.groups;
        groups
            .iter()
            .map(|g| (g.name.clone(), g.speed_kmh))
            .collect()
    };
    assert_eq!(
        speeds(0),
        [("commuter".to_owned(), 15.0), ("courier".to_owned(), 18.0)]
    );
    assert_eq!(speeds(1)[1], ("courier".to_owned(), 22.0));
}

/// A key that sets nothing in the scenario is refused at its axis, with
/// what the scenario has, before anything runs: it used to run every
/// point as the base scenario.
#[test]
fn a_key_that_sets_nothing_is_told_at_its_axis() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = |name: &str| root().join("scenarios").join(name);
    let cases = [
        (
            "bishan-pilot.toml",
            "group.*.trips_per_day",
            "`group.*.trips_per_day` sets nothing: the scenario has no `[[group]]`; its \
             riders are the default groups `commuter` and `courier`, which have no table to \
             set: declare them as `[[group]]`s to sweep their keys",
        ),
        (
            "bishan-pilot.toml",
            "group.courier.trips_per_day",
            "`group.courier.trips_per_day` sets nothing: the scenario has no `[[group]]`",
        ),
        (
            "mmc10.toml",
            "transformer.*.rating_kva",
            "`transformer.*.rating_kva` sets nothing: the scenario has no `[[transformer]]`, \
             and its sites have no transformer of their own",
        ),
        (
            "bishan-district.toml",
            "transformer.*.rating_kva",
            "`transformer.*.rating_kva` sets nothing: the scenario has no `[[transformer]]`; \
             its 175 transformers are its sites' own",
        ),
        (
            "bishan-district.toml",
            "transformer.璧城-02.rating_kva",
            "`transformer.璧城-02.rating_kva`: transformer `璧城-02` is site '璧城-02''s own, \
             set in its site table row: `site.璧城-02.transformer_kva`",
        ),
        (
            "bishan-district.toml",
            "site.璧城-02.transformer.rating_kva",
            "`site.璧城-02.transformer.rating_kva`: site `璧城-02` is a row of a site table, \
             whose cells take a single key, not `transformer.rating_kva`",
        ),
    ];
    for (name, key, expected) in cases {
        let axes = format!("[[axis]]\nkey = \"{key}\"\nvalues = [630]\n");
        let sweep = sweep_over(dir.path(), &scenario(name), "", &axes);
        let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
        assert_eq!(outcome.status, exit::ERROR, "{key}: {}", outcome.stdout);
        assert_eq!(outcome.stdout, "", "{key}");
        let at = format!("{}:6:7: axis[0].key: {expected}", sweep.display());
        assert!(outcome.stderr.contains(&at), "{key}: {}", outcome.stderr);
    }
}

/// One key on two axes is refused at the second, naming the first: the
/// table and sweep.json's `values` are keyed by key, and showed one value
/// for both.
#[test]
fn a_key_on_two_axes_is_told_at_the_second() {
    let dir = tempfile::tempdir().expect("temp dir");
    let axes = "[[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [0.2, 0.4]\n\n\
                [[axis]]\nkey = \"site.*.swap_adoption\"\nvalues = [0.25]\n";
    for design in ["grid", "one_at_a_time"] {
        let head = format!("design = {design:?}");
        let sweep = sweep_file(dir.path(), &head, axes);
        let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
        assert_eq!(outcome.status, exit::ERROR, "{design}: {}", outcome.stdout);
        assert_eq!(outcome.stdout, "", "{design}");
        let at = format!(
            "{}:10:7: axis[1].key: `site.*.swap_adoption` is already the key of axis[0] \
             (line 6): put all its values in one axis\n10 | key = \"site.*.swap_adoption\"",
            sweep.display()
        );
        assert!(outcome.stderr.contains(&at), "{design}: {}", outcome.stderr);
    }
}

/// `site.*.swap_adoption` and `site.美吉鑫小区.swap_adoption` set the same
/// value: a design that sets both at a point is refused, whichever axis
/// comes first (the later one used to win silently); `one_at_a_time` sets
/// one axis a point, so there they are two bars of a tornado.
#[test]
fn overlapping_keys_are_refused_where_a_point_sets_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    let every = "site.*.swap_adoption";
    let one = "site.美吉鑫小区.swap_adoption";
    let axes = |first: &str, second: &str| {
        format!(
            "[[axis]]\nkey = \"{first}\"\nvalues = [0.2, 0.4]\n\n\
             [[axis]]\nkey = \"{second}\"\nvalues = [0.25, 0.35]\n"
        )
    };
    let designs = [
        ("grid", "design = \"grid\""),
        (
            "latin_hypercube",
            "design = \"latin_hypercube\"\nsamples = 4",
        ),
    ];
    for (first, second) in [(every, one), (one, every)] {
        for (design, head) in designs {
            let sweep = sweep_file(dir.path(), head, &axes(first, second));
            let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
            assert_eq!(outcome.status, exit::ERROR, "{design}: {}", outcome.stdout);
            // `head` moves the axes down by its lines after the first.
            let line = 6 + head.lines().count() - 1;
            let at = format!(
                "{}:{}:7: axis[1].key: `{second}` overlaps `{first}` of axis[0] (line {line}): \
                 design \"{design}\" sets both at a point, and one would hide the other; \
                 use design \"one_at_a_time\" (one axis a point) or two sweeps",
                sweep.display(),
                line + 4
            );
            assert!(outcome.stderr.contains(&at), "{}", outcome.stderr);
        }
    }

    let path = sweep_file(dir.path(), "design = \"one_at_a_time\"", &axes(every, one));
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let adoption = |point: usize| sweep.model(point).sites[0].swap_adoption;
    let points: Vec<f64> = (0..sweep.points().len()).map(adoption).collect();
    assert_eq!(points, [0.3, 0.2, 0.4, 0.25, 0.35]);
}

/// A plan file sets its sites' sizing in `[[site_override]]`s, which apply
/// last: a swept key of a site sets them too, or the sweep would change
/// nothing.
#[test]
fn a_swept_site_key_also_sets_a_plans_override() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan-sweep.toml");
    let plan = root().join("scenarios/bishan-pilot-plan.toml");
    let text = format!(
        "[sweep]\nscenario = {:?}\n\n[[axis]]\nkey = \"site.*.batteries\"\nvalues = [40, 50]\n",
        plan.display().to_string()
    );
    fs::write(&path, text).expect("write");
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    assert_eq!(sweep.model(0).sites[0].batteries, 40);
    assert_eq!(sweep.model(1).sites[0].batteries, 50);
}

#[test]
fn one_at_a_time_starts_from_the_base_and_moves_one_axis() {
    let path = root().join("scenarios/bishan-pilot.sweep.toml");
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let axes = sweep.axes().len();
    let values: usize = sweep.axes().iter().map(|a| a.values.len()).sum();
    assert_eq!(sweep.points().len(), 1 + values);
    assert!(sweep.points()[0].values.is_empty());
    let base = scenarios::load(&pilot()).expect("the pilot");
    assert_eq!(sweep.model(0).sites, base.sites);
    let mut seen = vec![0; axes];
    for point in &sweep.points()[1..] {
        assert_eq!(point.values.len(), 1, "{point:?}");
        seen[point.values[0].0] += 1;
    }
    assert!(seen.iter().all(|&n| n >= 2), "{seen:?}");
}

/// Each of the `samples` strata of a range holds exactly one point, and
/// the same seed draws the same points.
#[test]
fn a_latin_hypercube_visits_each_stratum_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let axes = "[[axis]]\nkey = \"site.*.swap_adoption\"\nrange = { from = 0.1, to = 0.5, steps = 2 }\n\n\
                [[axis]]\nkey = \"cabinet.strategy.model\"\nvalues = [\"immediate\", \"grid_capped\"]\n";
    let path = sweep_file(
        dir.path(),
        "design = \"latin_hypercube\"\nsamples = 8\nseed = 7",
        axes,
    );
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    assert_eq!(sweep.points().len(), 8);
    let mut strata = [0; 8];
    let mut strategies = [0; 2];
    for point in sweep.points() {
        let x = point.values[0].1.as_f64().expect("a number");
        strata[((x - 0.1) / 0.05).floor() as usize] += 1;
        let strategy = point.values[1].1.to_string();
        strategies[usize::from(strategy == "grid_capped")] += 1;
    }
    assert_eq!(strata, [1; 8]);
    assert_eq!(strategies, [4, 4]);
    let again = Sweep::load(&path, &short()).expect("a valid sweep");
    assert_eq!(again.points(), sweep.points());
}

#[test]
fn every_shipped_sweep_file_is_valid() {
    let shipped = shipped_sweeps();
    assert!(shipped.len() >= 3, "{shipped:?}");
    for path in shipped {
        let sweep = Sweep::load(&path, &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert!(!sweep.points().is_empty(), "{}", path.display());
    }
}

/// `--out DIR`: sweep.json as `--format json` prints it, sweep.csv with a
/// byte-order mark, each point's run files, and the report with its
/// robustness sentences first; an `--out` that holds files needs --force.
#[test]
fn out_writes_the_sweep_its_points_and_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let out_str = out.to_str().expect("UTF-8 path");
    let sweep = "scenarios/bishan-pilot-plan.sweep.toml";
    let args = [
        "sweep",
        sweep,
        "--days",
        "5",
        "--replications",
        "2",
        "--format",
        "json",
    ];
    let written = swapsim(
        args.iter()
            .copied()
            .chain(["--out", out_str, "--lang", "en"]),
    );
    assert_eq!(written.status, exit::SUCCESS, "{}", written.stderr);
    assert_eq!(
        fs::read_to_string(out.join("sweep.json")).expect("sweep.json"),
        written.stdout
    );
    let csv = fs::read_to_string(out.join("sweep.csv")).expect("sweep.csv");
    assert!(
        csv.starts_with("\u{feff}point,site.*.swap_adoption,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 5);
    let document: Document = serde_json::from_str(&written.stdout).expect("sweep.json");
    for point in &document.points {
        let dir = out.join("points").join(format!("{:04}", point.index));
        let mut summary = serde_json::to_string_pretty(&point.result).expect("a result");
        summary.push('\n');
        assert_eq!(
            fs::read_to_string(dir.join("summary.json")).expect("summary.json"),
            summary
        );
        assert!(dir.join("timeseries.csv").is_file());
        assert!(dir.join("context.json").is_file());
    }
    let html = fs::read_to_string(out.join("report.html")).expect("report.html");
    let summary = html.find("id=\"summary\"").expect("a summary section");
    let sentence = html.find("<li>the plan ").expect("a sentence");
    assert!(summary < sentence && sentence < html.find("id=\"points\"").expect("points"));
    assert!(html.contains("class=\"target\""), "target lines");

    let again = swapsim(args.iter().copied().chain(["--out", out_str]));
    assert_eq!(again.status, exit::ERROR);
    let forced = swapsim(args.iter().copied().chain(["--out", out_str, "--force"]));
    assert_eq!(forced.status, exit::SUCCESS, "{}", forced.stderr);
}

/// Mode `check` ends its table with one sentence per axis; a tornado
/// chart for `one_at_a_time`.
#[test]
fn the_table_ends_with_the_robustness_sentence_and_the_report_has_a_tornado() {
    let outcome = swapsim([
        "sweep",
        "scenarios/bishan-pilot-plan.sweep.toml",
        "--days",
        "5",
        "--replications",
        "2",
    ]);
    assert_eq!(outcome.status, exit::SUCCESS, "{}", outcome.stderr);
    let last = outcome.stdout.lines().last().expect("output");
    assert!(last.starts_with("the plan "), "{}", outcome.stdout);
    assert!(last.contains("site.*.swap_adoption"), "{last}");

    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("tornado.html");
    let tornado = swapsim([
        "sweep",
        "scenarios/bishan-pilot.sweep.toml",
        "--days",
        "5",
        "--replications",
        "2",
        "--html",
        html.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(tornado.status, exit::SUCCESS, "{}", tornado.stderr);
    let page = fs::read_to_string(&html).expect("the report");
    assert!(page.contains("<html lang=\"zh\">"));
    assert!(page.contains("class=\"tornado\""), "a tornado chart");
    assert_eq!(
        roxmltree::Document::parse(&page.replace("<!DOCTYPE html>\n", "")).map(drop),
        Ok(())
    );
    // A sweep that judges no targets says in its summary which axis moves
    // each key KPI most: the widest bar of that KPI's tornado.
    let summary = &page[page.find("id=\"summary\"").expect("summary")..];
    let summary = &summary[..summary.find("</section>").expect("end")];
    let first_tornado = &page[page.find("class=\"tornado\"").expect("tornado")..];
    let widest = first_tornado
        .split("text-anchor=\"end\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the first bar's axis");
    let first_line = summary.split("<li>").nth(1).expect("a line per key KPI");
    assert!(
        first_line.contains(&format!("影响最大的是 {widest}，")),
        "{first_line} / {widest}"
    );
}

fn district() -> PathBuf {
    root().join("scenarios/bishan-district.toml")
}

/// `scale` multiplies each site's own value, wherever the site has it
/// (a site table's cell, its `defaults`, the battery's power), in every
/// design; counts round to the nearest and stay at least 1.
#[test]
fn a_scale_multiplies_each_sites_own_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let axes = "[[axis]]\nkey = \"site.*.batteries\"\nscale = [0.5, 0.05]\n\n\
                [[axis]]\nkey = \"site.*.charger_power_w\"\nscale = [1.5]\n\n\
                [[axis]]\nkey = \"site.璧城-02.swap_adoption\"\nscale = [1.2]\n";
    let path = sweep_over(dir.path(), &district(), "", axes);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let base = scenarios::load(&district()).expect("the district");
    assert_eq!(sweep.points().len(), 2);
    for (point, factor) in [(0, 0.5), (1, 0.05)] {
        let model = sweep.model(point);
        for (site, surveyed) in model.sites.iter().zip(&base.sites) {
            let scaled = (f64::from(surveyed.batteries) * factor).round().max(1.0);
            assert_eq!(f64::from(site.batteries), scaled, "{}", site.name);
            assert_eq!(site.charger_power_w, Some(600.0), "{}", site.name);
            let adoption = if site.name == "璧城-02" {
                0.348
            } else {
                surveyed.swap_adoption
            };
            assert_eq!(site.swap_adoption, adoption, "{}", site.name);
            assert_eq!(site.cabinets, surveyed.cabinets);
        }
    }
    let header = sweep.header();
    let names: Vec<(&str, bool)> = header
        .axes
        .iter()
        .map(|a| (a.key.as_str(), a.scale))
        .collect();
    assert_eq!(
        names,
        [
            ("site.*.batteries×", true),
            ("site.*.charger_power_w×", true),
            ("site.璧城-02.swap_adoption×", true)
        ]
    );

    // A key the scenario writes: the battery's power, `power_w = 400`,
    // an integer, so a whole number of watts.
    let axes =
        "[[axis]]\nkey = \"battery.charge.power_w\"\nscale = { from = 0.5, to = 1.5, steps = 2 }\n";
    let head = "design = \"latin_hypercube\"\nsamples = 4\nseed = 3";
    let path = sweep_over(dir.path(), &district(), head, axes);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let mut strata = [0; 4];
    for point in sweep.points() {
        let factor = point.values[0].1.as_f64().expect("a factor");
        strata[((factor - 0.5) / 0.25).floor() as usize] += 1;
        let power = sweep.model(point.index).battery.charger_power_w();
        assert_eq!(power, Some((400.0 * factor).round()), "× {factor}");
    }
    assert_eq!(strata, [1; 4]);

    // The pilot: one [[site]], a key that the plan file overrides too.
    let plan = root().join("scenarios/bishan-pilot-plan.toml");
    let axes = "[[axis]]\nkey = \"site.*.batteries\"\nscale = [0.5]\n\n\
                [[axis]]\nkey = \"site.*.pile_ports\"\nscale = [0.001]\n";
    let path = sweep_over(dir.path(), &plan, "", axes);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let planned = scenarios::load(&plan).expect("the plan");
    let site = &sweep.model(0).sites[0];
    assert_eq!(site.batteries, planned.sites[0].batteries / 2);
    assert_eq!(site.pile_ports, 1, "a positive count stays at least 1");
}

/// A scaled value that breaks a site is refused before anything runs, at
/// the factor, naming the site, what it can take and how many more break
/// alike: every district cabinet is stocked full.
#[test]
fn a_scale_that_overfills_a_site_is_told_with_the_site() {
    let dir = tempfile::tempdir().expect("temp dir");
    let axes = "[[axis]]\nkey = \"site.*.batteries\"\nscale = [0.9, 1.2]\n";
    let sweep = sweep_over(dir.path(), &district(), "", axes);
    let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
    assert_eq!(outcome.status, exit::ERROR);
    assert_eq!(outcome.stdout, "");
    let at = format!(
        "{}:7:15: site_table[0].row[0].batteries: with site.*.batteries× = 1.2: site \
         '璧城-01': batteries (106) leave no empty compartment in 8 × 12 slots; leave one per \
         cabinet for the returned battery: at most 88 batteries, or add a cabinet (and 174 \
         more like it)\n7 | scale = [0.9, 1.2]\n  |               ^^^",
        sweep.display()
    );
    assert!(outcome.stderr.contains(&at), "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("0.9:"), "{}", outcome.stderr);
}

/// A scale needs a number wherever its key reaches, told at the axis's
/// key.
#[test]
fn a_scale_needs_a_number_to_multiply() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "cabinet.strategy.model",
            "`cabinet.strategy.model` cannot be scaled: `strategy.model` is string, and a \
             scale multiplies numbers; give it values with `values`",
        ),
        (
            "battery.return_soc",
            "`battery.return_soc` is not written in the scenario (its default applies), so a \
             scale has no value to multiply",
        ),
        (
            "site.*.town",
            "`site.*.town` cannot be scaled: a scale multiplies a number every site has, one of",
        ),
        ("site.*.bateries", "did you mean `batteries`?"),
        (
            "site.*.max_concurrent_charging",
            "`site.*.max_concurrent_charging` sets nothing: no site it names has a \
             `max_concurrent_charging` to scale (none has a cap)",
        ),
    ];
    for (key, expected) in cases {
        let axes = format!("[[axis]]\nkey = \"{key}\"\nscale = [1.1]\n");
        let sweep = sweep_over(dir.path(), &district(), "", &axes);
        let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
        assert_eq!(outcome.status, exit::ERROR, "{key}: {}", outcome.stdout);
        let at = format!("{}:6:7: axis[0].key: ", sweep.display());
        assert!(
            outcome.stderr.contains(&at) && outcome.stderr.contains(expected),
            "{key}: {}",
            outcome.stderr
        );
    }
    let axes = "[[axis]]\nkey = \"site.*.batteries\"\nscale = [0.8, 0]\n";
    let sweep = sweep_over(dir.path(), &district(), "", axes);
    let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
    assert!(
        outcome
            .stderr
            .contains("expected a positive number, found 0"),
        "{}",
        outcome.stderr
    );
    let axes = "[[axis]]\nkey = \"site.*.batteries\"\nscale = [0.8]\nvalues = [40]\n";
    let sweep = sweep_over(dir.path(), &district(), "", axes);
    let outcome = swapsim(["sweep", sweep.to_str().expect("UTF-8 path")]);
    assert!(
        outcome
            .stderr
            .contains("an axis has one of `values`, `range` and `scale`, not two"),
        "{}",
        outcome.stderr
    );
}

/// The network's KPI `kpi` of a point, its mean over replications.
fn network(result: &batch::sweep::PointResult, kpi: &str) -> f64 {
    let run = result.run_result().expect("a run");
    run.network.get(kpi).expect("a KPI").mean
}

/// The shipped district sweeps run (issue 12: adoption, batteries,
/// charger power and the strategy on the district), briefly: each point
/// has the scaled values, and on common random numbers fewer batteries
/// or slower chargers lose no fewer swaps, and more adoption asks for
/// more.
#[test]
fn the_shipped_district_sweeps_run() {
    let brief = Overrides {
        seed: None,
        days: Some(4),
        replications: Some(2),
    };
    let base = scenarios::load(&district()).expect("the district");
    let batteries: u32 = base.sites.iter().map(|s| s.batteries).sum();
    let requests = |results: &[batch::sweep::PointResult], i: usize| {
        network(&results[i], "swap_requests_per_day")
    };

    let path = root().join("scenarios/bishan-district-tornado.sweep.toml");
    let sweep = Sweep::load(&path, &brief).expect("a valid sweep");
    let names: Vec<String> = sweep.axes().iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "site.*.swap_adoption×",
            "site.*.batteries×",
            "site.*.charger_power_w×",
            "cabinet.strategy.model"
        ]
    );
    // The base, then adoption × 0.8, × 1.25, batteries × 0.8, × 0.9,
    // power × 0.75, × 1.5 and the two strategies.
    assert_eq!(sweep.points().len(), 9);
    for point in sweep.points() {
        let model = sweep.model(point.index);
        let (factor, power) = match point.values.as_slice() {
            [(1, factor)] => (factor.as_f64().expect("a factor"), 400.0),
            [(2, factor)] => (1.0, 400.0 * factor.as_f64().expect("a factor")),
            _ => (1.0, 400.0),
        };
        let scaled: u32 = base
            .sites
            .iter()
            .map(|s| ((f64::from(s.batteries) * factor).round() as u32).max(1))
            .sum();
        let total: u32 = model.sites.iter().map(|s| s.batteries).sum();
        assert_eq!(total, scaled, "point {}", point.index);
        assert!(factor == 1.0 || total < batteries, "point {}", point.index);
        let at = |s: &sim_core::SiteSpec| model.battery.at_site(s).charger_power_w();
        assert!(
            model.sites.iter().all(|s| at(s) == Some(power)),
            "point {}",
            point.index
        );
    }
    let results = sweep.run(0..9, 0, &Quiet);
    let kpi = |i: usize, name: &str| network(&results[i], name);
    // Fewer batteries: less stock on the shelves, no fewer swaps lost.
    let (stock, lost) = ("full_batteries_mean", "lost_swap_rate");
    assert!(kpi(3, stock) < kpi(4, stock) && kpi(4, stock) < kpi(0, stock));
    assert!(kpi(3, lost) >= kpi(4, lost) && kpi(4, lost) >= kpi(0, lost));
    // Slower chargers: more slots busy charging, no fewer swaps lost.
    let charging = "cabinet_utilization";
    assert!(kpi(5, charging) > kpi(0, charging) && kpi(0, charging) > kpi(6, charging));
    assert!(kpi(5, lost) >= kpi(0, lost) && kpi(0, lost) >= kpi(6, lost));
    // More subscribers ask for more swaps.
    assert!(requests(&results, 1) < requests(&results, 0));
    assert!(requests(&results, 0) < requests(&results, 2));

    // Mode `check`, adoption × 1 and × 1.5 by strategy: a sentence per axis.
    let path = root().join("scenarios/bishan-district.sweep.toml");
    let sweep = Sweep::load(&path, &brief).expect("a valid sweep");
    assert_eq!(sweep.points().len(), 4);
    let results = sweep.run(0..4, 0, &Quiet);
    assert!(results.iter().all(|r| r.targets_met.is_some()));
    // Points 0 and 1 at × 1, 2 and 3 at × 1.5.
    for strategy in 0..2 {
        assert!(requests(&results, strategy) < requests(&results, 2 + strategy));
    }
    let sentences = sweep.robustness(&results);
    assert_eq!(sentences.len(), 2);
    assert_eq!(sentences[0].key, "site.*.swap_adoption×");
    let sentence = sentences[0].sentence(report::Lang::En);
    assert!(sentence.contains("site.*.swap_adoption× = 1"), "{sentence}");
}

/// A key's values and its factors are two axes of their own names: two
/// bars of a tornado, but refused where a point would set both.
#[test]
fn a_key_takes_values_and_a_scale_as_two_axes_of_a_tornado() {
    let dir = tempfile::tempdir().expect("temp dir");
    let axes = "[[axis]]\nkey = \"site.*.batteries\"\nvalues = [44]\n\n\
                [[axis]]\nkey = \"site.*.batteries\"\nscale = [0.5]\n";
    let path = sweep_file(dir.path(), "design = \"one_at_a_time\"", axes);
    let sweep = Sweep::load(&path, &short()).expect("a valid sweep");
    let batteries: Vec<u32> = (0..3).map(|p| sweep.model(p).sites[0].batteries).collect();
    assert_eq!(batteries, [66, 44, 33]);
    let names: Vec<String> = sweep.axes().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["site.*.batteries", "site.*.batteries×"]);

    let path = sweep_file(dir.path(), "design = \"grid\"", axes);
    let outcome = swapsim(["sweep", path.to_str().expect("UTF-8 path")]);
    assert_eq!(outcome.status, exit::ERROR);
    assert!(
        outcome.stderr.contains(
            "axis[1].key: `site.*.batteries` overlaps `site.*.batteries` of axis[0] (line 6)"
        ),
        "{}",
        outcome.stderr
    );
}
