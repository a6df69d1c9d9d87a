//! Runs and sweeps split across machines (issue 12): `run --shard`,
//! `sweep --shard`, `merge`, `--resume`, `--shard env` and the cluster
//! files of `run --emit` and `sweep --emit`.
//!
//! The merge of any split is byte-identical to the run on one machine:
//! every file of `--out` that depends on the numbers (summary.json,
//! profiles.json with the merged wait histograms and load bands,
//! timeseries.csv and ready.csv from the 15-minute series).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use batch::emit::{Emit, Engine};
use batch::shard::{Shard, ShardError, ShardSpec};
use swapsim_cli::{Progress, exit, main_with};
use yaml_rust2::{Yaml, YamlLoader};

/// The pilot, short: 5 replications of 4 days (3 of them warm-up) still
/// hold riders, histograms, a transformer and its 15-minute series.
const PILOT: &str = "scenarios/bishan-pilot.toml";
const SHORT: [&str; 4] = ["--replications", "5", "--days", "4"];

/// The files of `--out` whose bytes depend only on the numbers (context.json
/// and results.xlsx also name the scenario's path as given).
const EXACT_FILES: [&str; 4] = [
    "summary.json",
    "profiles.json",
    "timeseries.csv",
    "ready.csv",
];

struct Outcome {
    status: u8,
    stdout: String,
    stderr: String,
}

fn swapsim(args: &[&str]) -> Outcome {
    let argv = std::iter::once("swapsim").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = main_with(argv, &mut stdout, &mut stderr, Progress::Hidden);
    Outcome {
        status,
        stdout: String::from_utf8(stdout).expect("UTF-8"),
        stderr: String::from_utf8(stderr).expect("UTF-8"),
    }
}

fn ok(args: &[&str]) -> Outcome {
    let out = swapsim(args);
    assert_eq!(
        out.status,
        exit::SUCCESS,
        "swapsim {args:?}:\n{}",
        out.stderr
    );
    out
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// Runs shards `which` of `n` of `scenario` (with `extra` flags) into `dir`.
fn shards(scenario: &str, extra: &[&str], n: u32, which: impl Iterator<Item = u32>, dir: &Path) {
    for i in which {
        let spec = format!("{i}/{n}");
        let mut args = vec!["run", scenario, "--shard", &spec, "--out", path(dir)];
        args.extend_from_slice(extra);
        ok(&args);
    }
}

#[test]
fn merge_is_byte_identical_to_the_run_on_one_machine() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let mut args = vec!["run", PILOT, "--out", path(&whole), "--format", "json"];
    args.extend_from_slice(&SHORT);
    let printed = ok(&args).stdout;
    for n in [1, 2, 3, 5] {
        let dir = tmp.path().join(format!("shards-{n}"));
        // Out of order, as a cluster finishes them, each on one thread
        // (the whole run had all cores).
        let mut one_thread = SHORT.to_vec();
        one_thread.extend(["--threads", "1"]);
        shards(PILOT, &one_thread, n, (0..n).rev(), &dir);
        let merged = tmp.path().join(format!("merged-{n}"));
        let out = ok(&[
            "merge",
            path(&dir),
            "--out",
            path(&merged),
            "--format",
            "json",
        ]);
        assert_eq!(out.stdout, printed, "{n} shards: stdout");
        for file in EXACT_FILES {
            let (a, b) = (whole.join(file), merged.join(file));
            assert!(
                fs::read(&a).unwrap() == fs::read(&b).unwrap(),
                "{n} shards: {file} differs from the unsharded run's"
            );
        }
        for file in ["context.json", "results.xlsx", "charts/map.svg"] {
            assert!(merged.join(file).is_file(), "{n} shards: {file} missing");
        }
    }
}

/// A district's sites wait for different longest times, so their wait
/// histograms (which grow with the longest wait) have different ranges.
/// Read back from the shards, the summary adds every site's into the
/// first one's for the network's p95: the merge panicked with
/// "histograms share their bounds" (exit 101) until a histogram read back
/// grew as the engine's do.
#[test]
fn a_district_merge_adds_sites_histograms_of_different_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let district = "scenarios/bishan-district.toml";
    let short = ["--replications", "2", "--days", "4"];
    let mut args = vec!["run", district, "--format", "json"];
    args.extend_from_slice(&short);
    let printed = ok(&args).stdout;
    let dir = tmp.path().join("shards");
    shards(district, &short, 2, 0..2, &dir);
    let merged = tmp.path().join("merged");
    let out = ok(&[
        "merge",
        path(&dir),
        "--out",
        path(&merged),
        "--format",
        "json",
    ]);
    assert_eq!(out.stdout, printed);
}

#[test]
fn replications_read_back_exactly() {
    // Several sites and transformers, riders, histograms and both series.
    let model = swapsim_suite::models::small_district();
    let reps = sim_core::run_replication_range(&model, 0, 0..3);
    let text = serde_json::to_string(&reps).unwrap();
    let back: Vec<sim_core::Replication> = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    for (a, b) in reps.iter().zip(&back) {
        for (x, y) in a.series.transformer_kw.iter().zip(&b.series.transformer_kw) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        for (x, y) in a.sites.iter().zip(&b.sites) {
            assert_eq!(x.wait_hist, y.wait_hist);
            assert_eq!(x.delay_hist, y.delay_hist);
            assert_eq!(x.ready_area.to_bits(), y.ready_area.to_bits());
        }
    }
    // Everything summarised from them: KPIs, series, profiles and bands.
    assert_eq!(
        sim_core::summarise(&model, &back),
        sim_core::summarise(&model, &reps)
    );
}

#[test]
fn more_shards_than_replications_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["run", PILOT, "--shard", "5/6", "--out", path(tmp.path())];
    args.extend_from_slice(&SHORT);
    let out = swapsim(&args);
    assert_eq!(out.status, exit::ERROR);
    assert!(
        out.stderr.contains("6 shards for 5 replications") && out.stderr.contains("at most 5"),
        "{}",
        out.stderr
    );
    let mut emit = vec!["run", PILOT, "--emit", "slurm", "--shards", "6", "--out"];
    let dir = tmp.path().join("emit");
    emit.push(path(&dir));
    emit.extend_from_slice(&SHORT);
    assert_eq!(swapsim(&emit).status, exit::ERROR);
}

/// A refusal by the resource estimate: exit 2, the estimate, no output.
fn refused_by_estimate(out: &Outcome, says: &[&str]) {
    assert_eq!(out.status, exit::ERROR, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    for needle in says {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
}

/// Issues 12 and 13: a shard is estimated by the replications it
/// computes, not by the whole run's. `run --shard 0/100` of a year of
/// the district was refused ("would need about 12.0 GB") although it
/// holds one replication, so every task of a large cluster job failed.
/// Here: the pilot's 1000 replications of 28 days are about 60 MB, past
/// --max-memory 20M; one of them is about 8 MB, and runs.
#[test]
fn a_run_shard_is_estimated_by_its_own_block_of_replications() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    let job = ["--days", "28", "--replications", "1000", "--threads", "1"];
    let mut whole = vec!["run", PILOT, "--max-memory", "20M"];
    whole.extend(job);
    refused_by_estimate(
        &swapsim(&whole),
        &[
            "`run` would need about 60.5 MB",
            "(28 days × 1000 replications), past --max-memory 20.0 MB",
        ],
    );
    let mut shard = whole.clone();
    shard.extend(["--shard", "0/1000", "--out", path(&dir)]);
    let out = ok(&shard);
    assert_eq!(
        out.stdout.trim(),
        path(&dir.join("shard-0000-of-1000.jsonl"))
    );
    // Past the limit, a shard's refusal names the shard and its block.
    let mut small = vec!["run", PILOT, "--max-memory", "4M"];
    small.extend(job);
    small.extend(["--shard", "3/100", "--out", path(&dir)]);
    refused_by_estimate(
        &swapsim(&small),
        &[
            "`run --shard 3/100` would need about 8.8 MB",
            "(28 days × 10 of 1000 replications)",
        ],
    );
}

/// As a run's shard, a sweep's is estimated by its block of points: the
/// pilot's 9 points of 6 replications are about 75 MB, one point about
/// 8 MB.
#[test]
fn a_sweep_shard_is_estimated_by_its_own_block_of_points() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    let whole = [
        "sweep",
        PILOT_SWEEP,
        "--days",
        "4",
        "--threads",
        "1",
        "--max-memory",
        "20M",
    ];
    refused_by_estimate(
        &swapsim(&whole),
        &[
            "`sweep` would need about 74.6 MB",
            "(4 days × 6 replications), past --max-memory 20.0 MB",
        ],
    );
    let mut shard = whole.to_vec();
    shard.extend(["--shard", "4/9", "--out", path(&dir)]);
    let out = ok(&shard);
    assert_eq!(out.stdout.trim(), path(&dir.join("shard-4-of-9.jsonl")));
    let small = [
        "sweep",
        PILOT_SWEEP,
        "--days",
        "4",
        "--threads",
        "1",
        "--max-memory",
        "4M",
        "--shard",
        "0/4",
        "--out",
        path(&dir),
    ];
    refused_by_estimate(
        &swapsim(&small),
        &[
            "`sweep --shard 0/4` would need about ",
            "(4 days × 6 replications × 2 of 9 points)",
        ],
    );
}

/// `merge` runs nothing but holds every replication read back, as the
/// run on one machine does (100 replications of a year of the district
/// are about 12 GB, however many machines ran them): it is estimated
/// too, and refused past --max-memory before it reads a shard's items.
#[test]
fn a_merge_is_estimated_by_what_it_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    shards(PILOT, &SHORT, 2, 0..2, &dir);
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge", path(&dir), "--out", path(&merged)];
    args.extend(["--max-memory", "1M"]);
    refused_by_estimate(
        &swapsim(&args),
        &[
            "`merge` would need about ",
            "(4 days × 5 replications read back), past --max-memory 1.0 MB",
            "merge on a machine with more memory",
        ],
    );
    assert!(!merged.exists(), "refused before --out is made");
    args.truncate(4);
    ok(&args);
    // A sweep's merge holds its points' results.
    let sweep_dir = tmp.path().join("sweep-shards");
    sweep_shards(PILOT_SWEEP, &SWEEP_SHORT, 3, 0..3, &sweep_dir);
    let merged = tmp.path().join("sweep-merged");
    refused_by_estimate(
        &swapsim(&[
            "merge",
            path(&sweep_dir),
            "--out",
            path(&merged),
            "--max-memory",
            "1M",
        ]),
        &["`merge` would need about ", "(4 days × 9 points read back)"],
    );
    ok(&["merge", path(&sweep_dir), "--out", path(&merged)]);
}

#[test]
fn bad_shard_specs_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    for (spec, says) in [
        ("3/3", "counted from 0"),
        ("0/0", "at least 1 shard"),
        ("a/3", "expected I/N"),
        ("1-3", "expected I/N"),
        ("99999999999999999999999/3", "counted from 0"),
    ] {
        let out = swapsim(&["run", PILOT, "--shard", spec, "--out", path(tmp.path())]);
        assert_eq!(out.status, exit::ERROR, "{spec}");
        assert!(out.stderr.contains(says), "{spec}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{spec}");
    }
    // --shard writes a partial result only, so it needs --out and takes
    // no --check or --html.
    assert_eq!(
        swapsim(&["run", PILOT, "--shard", "0/2"]).status,
        exit::ERROR
    );
    let out = swapsim(&[
        "run",
        PILOT,
        "--shard",
        "0/2",
        "--check",
        "--out",
        path(tmp.path()),
    ]);
    assert_eq!(out.status, exit::ERROR);
    let out = swapsim(&[
        "run",
        PILOT,
        "--shard",
        "0/2",
        "--shards",
        "2",
        "--out",
        path(tmp.path()),
    ]);
    assert_eq!(out.status, exit::ERROR);
    assert!(
        out.stderr.contains("--shards N goes with --shard env"),
        "{}",
        out.stderr
    );
}

/// Two shards' partials of the pilot in `dir`, a third one missing.
fn two_of_three(dir: &Path) {
    shards(PILOT, &SHORT, 3, [0, 2].into_iter(), dir);
}

fn merge_fails(dirs: &[&Path], out: &Path) -> String {
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(|d| path(d)));
    args.extend(["--out", path(out)]);
    let result = swapsim(&args);
    assert_eq!(result.status, exit::ERROR, "{}", result.stdout);
    assert!(!out.join("summary.json").exists(), "nothing is written");
    result.stderr
}

#[test]
fn a_missing_shard_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    two_of_three(&dir);
    let stderr = merge_fails(&[&dir], &tmp.path().join("out"));
    assert!(
        stderr.contains(
            "1 of 3 shards missing: shard 1/3 (replications 1..3, file shard-1-of-3.jsonl)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_duplicated_shard_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    shards(PILOT, &SHORT, 3, 0..3, &a);
    fs::create_dir(&b).unwrap();
    fs::copy(a.join("shard-1-of-3.jsonl"), b.join("shard-1-of-3.jsonl")).unwrap();
    let stderr = merge_fails(&[&a, &b], &tmp.path().join("out"));
    assert!(stderr.contains("shard 1/3 is given twice"), "{stderr}");
    assert!(stderr.contains("b/shard-1-of-3.jsonl"), "{stderr}");
}

#[test]
fn a_shard_of_another_job_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    two_of_three(&a);
    let mut other = SHORT.to_vec();
    other.extend(["--seed", "2"]);
    shards(PILOT, &other, 3, 1..2, &b);
    let stderr = merge_fails(&[&a, &b], &tmp.path().join("out"));
    assert!(
        stderr.contains("shard 1/3 (")
            && stderr.contains("belongs to another job: its seed is 2, not 1"),
        "{stderr}"
    );
    // Another split of the same run is another job too.
    let c = tmp.path().join("c");
    shards(PILOT, &SHORT, 2, 1..2, &c);
    let stderr = merge_fails(&[&a, &c], &tmp.path().join("out"));
    assert!(
        stderr.contains("shard 1/2") && stderr.contains("shard count is 2, not 3"),
        "{stderr}"
    );
}

#[test]
fn a_changed_scenario_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("pilot.toml");
    let text = fs::read_to_string(PILOT).unwrap();
    fs::write(&scenario, &text).unwrap();
    let dir = tmp.path().join("shards");
    shards(path(&scenario), &SHORT, 2, 0..2, &dir);
    fs::write(
        &scenario,
        text.replace("replications = 10", "replications = 12"),
    )
    .unwrap();
    let stderr = merge_fails(&[&dir], &tmp.path().join("out"));
    assert!(
        stderr.contains("pilot.toml: changed since the shards ran"),
        "{stderr}"
    );
    // Put back, it merges.
    fs::write(&scenario, &text).unwrap();
    ok(&["merge", path(&dir), "--out", path(&tmp.path().join("out"))]);
}

#[test]
fn damaged_or_foreign_files_are_errors_not_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    shards(PILOT, &SHORT, 2, 0..2, &dir);
    let file = dir.join("shard-1-of-2.jsonl");
    let text = fs::read_to_string(&file).unwrap();
    // Cut short: the last item is missing.
    let cut: Vec<&str> = text.lines().collect();
    fs::write(&file, cut[..cut.len() - 1].join("\n")).unwrap();
    let stderr = merge_fails(&[&dir], &tmp.path().join("out"));
    assert!(
        stderr.contains("shard-1-of-2.jsonl: not a swapsim shard file: item 4 is missing"),
        "{stderr}"
    );
    fs::write(&file, "not json\n").unwrap();
    let stderr = merge_fails(&[&dir], &tmp.path().join("out"));
    assert!(stderr.contains("not a swapsim shard file"), "{stderr}");
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let stderr = merge_fails(&[&empty], &tmp.path().join("out"));
    assert!(stderr.contains("no shard files"), "{stderr}");
}

#[test]
fn resume_skips_a_finished_shard_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    shards(PILOT, &SHORT, 2, 0..1, &dir);
    let file = dir.join("shard-0-of-2.jsonl");
    // Mark the items: a skipped shard keeps them, a recomputed one not.
    let text = fs::read_to_string(&file).unwrap();
    let marked = text.replacen("\"index\":0,", "\"index\":0 ,", 1);
    assert_ne!(marked, text);
    fs::write(&file, &marked).unwrap();
    let spec = ["--shard", "0/2", "--out", path(&dir)];
    let mut args = vec!["run", PILOT];
    args.extend(spec);
    args.extend(SHORT);
    // Without --resume, a shard file there is an error.
    let out = swapsim(&args);
    assert_eq!(out.status, exit::ERROR);
    assert!(out.stderr.contains("pass --resume"), "{}", out.stderr);
    args.push("--resume");
    let out = ok(&args);
    assert_eq!(out.stdout.trim(), path(&file));
    assert_eq!(fs::read_to_string(&file).unwrap(), marked, "skipped");
    // Another job's file under the same name is not finished work: with
    // another seed the shard runs and replaces it.
    args.extend(["--seed", "9"]);
    ok(&args);
    let header = batch::partial::read_header(&file).unwrap();
    assert_eq!(header.job.seed, 9);
    assert_eq!(header.job.overrides.seed, Some(9));
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn shard_env_reads_slurm_and_kubernetes_variables() {
    let shard = |index, count| Shard { index, count };
    let slurm = env(&[
        ("SLURM_ARRAY_TASK_ID", "3"),
        ("SLURM_ARRAY_TASK_COUNT", "8"),
    ]);
    assert_eq!(ShardSpec::Env.resolve(&slurm, None), Ok(shard(3, 8)));
    assert_eq!(ShardSpec::Env.resolve(&slurm, Some(8)), Ok(shard(3, 8)));
    assert_eq!(
        ShardSpec::Env.resolve(&slurm, Some(4)),
        Err(ShardError::CountMismatch { given: 4, slurm: 8 })
    );
    let k8s = env(&[("JOB_COMPLETION_INDEX", "5")]);
    assert_eq!(ShardSpec::Env.resolve(&k8s, Some(6)), Ok(shard(5, 6)));
    assert!(matches!(
        ShardSpec::Env.resolve(&k8s, None),
        Err(ShardError::NoCount {
            name: "JOB_COMPLETION_INDEX"
        })
    ));
    assert!(matches!(
        ShardSpec::Env.resolve(&k8s, Some(5)),
        Err(ShardError::OutOfRange {
            index: 5,
            count: 5,
            ..
        })
    ));
    assert_eq!(
        ShardSpec::Env.resolve(env(&[]), Some(4)),
        Err(ShardError::NoIndex)
    );
    let both = env(&[("SLURM_ARRAY_TASK_ID", "1"), ("JOB_COMPLETION_INDEX", "1")]);
    assert_eq!(
        ShardSpec::Env.resolve(both, Some(4)),
        Err(ShardError::TwoIndices)
    );
    let junk = env(&[("JOB_COMPLETION_INDEX", "x1")]);
    assert!(matches!(
        ShardSpec::Env.resolve(junk, Some(4)),
        Err(ShardError::NotANumber {
            name: "JOB_COMPLETION_INDEX",
            ..
        })
    ));
    // Only when asked: a given shard ignores the environment.
    assert_eq!(
        ShardSpec::Given(shard(1, 2)).resolve(&slurm, None),
        Ok(shard(1, 2))
    );
    assert_eq!("env".parse(), Ok(ShardSpec::Env));
    assert_eq!("2/7".parse(), Ok(ShardSpec::Given(shard(2, 7))));
}

/// A job with paths that need quoting.
fn odd_job() -> Emit {
    Emit {
        bin: "/opt/swap sim/bin/swapsim".into(),
        shared_dir: "/shared/it's here".into(),
        command: vec![
            "run".into(),
            "/shared/it's here/美吉鑫.toml".into(),
            "--seed".into(),
            "7".into(),
        ],
        shards: 4,
        max_parallel: Some(2),
        name: batch::emit::job_name("美吉鑫 pilot"),
        image: "registry.example/swapsim:0.1.0".into(),
        retries: 2,
    }
}

/// `sh -c 'printf "%s\n" WORDS'`: how the shell splits `words`.
fn shell_split(words: &str) -> Vec<String> {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("printf '%s\\n' {words}")])
        .output()
        .expect("sh");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn slurm_script_submits_an_array_then_the_merge() {
    let job = odd_job();
    let script = job.slurm();
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    assert!(script.contains("\n#SBATCH --array=0-3%2\n"), "{script}");
    assert!(
        script.contains("--dependency=afterok:\"$shards\""),
        "{script}"
    );
    assert!(script.contains("echo \"shards: job $shards"), "{script}");
    // The shard and merge commands read back, through the shell, as the
    // exact arguments.
    let exec: Vec<&str> = script
        .lines()
        .filter_map(|l| l.strip_prefix("exec "))
        .collect();
    assert_eq!(exec.len(), 2, "{script}");
    assert_eq!(shell_split(exec[0]), job.shard_command());
    assert_eq!(shell_split(exec[1]), job.merge_command());
    assert_eq!(
        job.shard_command()[1..],
        [
            "run",
            "/shared/it's here/美吉鑫.toml",
            "--seed",
            "7",
            "--shard",
            "env",
            "--shards",
            "4",
            "--resume",
            "--quiet",
            "--out",
            "/shared/it's here/shards"
        ]
    );
    assert_eq!(job.merge_command()[2], "/shared/it's here/shards");
    assert_eq!(job.merge_command()[4], "/shared/it's here/result");
    // Valid shell.
    let checked = std::process::Command::new("sh")
        .args(["-n", "-c", &script])
        .status()
        .unwrap();
    assert!(checked.success());
}

/// The YAML document at `path`.
fn yaml(text: &str) -> Yaml {
    let mut docs = YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn strings(list: &Yaml) -> Vec<String> {
    list.as_vec()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

#[test]
fn kubernetes_manifests_are_an_indexed_job_and_a_merge_job() {
    let job = odd_job();
    let shards = yaml(&job.k8s_job());
    assert_eq!(shards["apiVersion"].as_str(), Some("batch/v1"));
    assert_eq!(shards["kind"].as_str(), Some("Job"));
    let spec = &shards["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    assert_eq!(spec["completions"].as_i64(), Some(4));
    assert_eq!(spec["parallelism"].as_i64(), Some(2));
    assert_eq!(spec["backoffLimitPerIndex"].as_i64(), Some(2));
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"].as_str(), Some("Never"));
    let container = &pod["containers"][0];
    assert_eq!(
        container["image"].as_str(),
        Some("registry.example/swapsim:0.1.0")
    );
    let command = strings(&container["command"]);
    assert_eq!(command, job.shard_command());
    // The pod's index is JOB_COMPLETION_INDEX, which `--shard env` reads
    // given the count.
    let at = command.iter().position(|a| a == "--shard").unwrap();
    assert_eq!(command[at + 1], "env");
    let at = command.iter().position(|a| a == "--shards").unwrap();
    assert_eq!(command[at + 1], "4");
    let mount = &container["volumeMounts"][0];
    assert_eq!(mount["mountPath"].as_str(), Some("/shared/it's here"));
    let volume = &pod["volumes"][0];
    assert_eq!(mount["name"], volume["name"]);
    assert_eq!(
        volume["persistentVolumeClaim"]["claimName"].as_str(),
        Some(batch::emit::K8S_CLAIM)
    );
    assert!(
        shards["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("swapsim-pilot")
    );

    let merge = yaml(&job.k8s_merge_job());
    assert_eq!(merge["kind"].as_str(), Some("Job"));
    assert!(merge["spec"]["completionMode"].is_badvalue());
    let pod = &merge["spec"]["template"]["spec"];
    assert_eq!(
        strings(&pod["containers"][0]["command"]),
        job.merge_command()
    );
    assert_eq!(
        pod["containers"][0]["volumeMounts"][0]["mountPath"].as_str(),
        Some("/shared/it's here")
    );

    // A sweep's manifests, as `sweep --emit k8s` writes them: the same
    // Indexed Job over its points, running the sweep file.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k8s");
    ok(&[
        "sweep",
        "scenarios/bishan-pilot.sweep.toml",
        "--emit",
        "k8s",
        "--shards",
        "3",
        "--max-parallel",
        "2",
        "--shared-dir",
        "/mnt/swapsim",
        "--out",
        path(&dir),
    ]);
    let shards = yaml(&fs::read_to_string(dir.join("job.yaml")).unwrap());
    assert_eq!(shards["kind"].as_str(), Some("Job"));
    let spec = &shards["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    assert_eq!(spec["completions"].as_i64(), Some(3));
    assert_eq!(spec["parallelism"].as_i64(), Some(2));
    let pod = &spec["template"]["spec"];
    let container = &pod["containers"][0];
    let command = strings(&container["command"]);
    let sweep = fs::canonicalize("scenarios/bishan-pilot.sweep.toml").unwrap();
    assert_eq!(
        command[..3],
        [batch::emit::IMAGE_BIN, "sweep", path(&sweep)]
    );
    let at = command.iter().position(|a| a == "--shard").unwrap();
    assert_eq!(command[at + 1..at + 4], ["env", "--shards", "3"]);
    let at = command.iter().position(|a| a == "--out").unwrap();
    assert_eq!(command[at + 1], "/mnt/swapsim/shards");
    let mount = &container["volumeMounts"][0];
    assert_eq!(mount["mountPath"].as_str(), Some("/mnt/swapsim"));
    assert_eq!(mount["name"], pod["volumes"][0]["name"]);
    assert!(
        shards["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("swapsim-bishan-pilot-sweep")
    );
    let merge = yaml(&fs::read_to_string(dir.join("merge-job.yaml")).unwrap());
    assert_eq!(merge["kind"].as_str(), Some("Job"));
    let command = strings(&merge["spec"]["template"]["spec"]["containers"][0]["command"]);
    assert_eq!(
        command[..4],
        [
            batch::emit::IMAGE_BIN,
            "merge",
            "/mnt/swapsim/shards",
            "--out"
        ]
    );
}

#[test]
fn emit_writes_the_files_with_absolute_paths_and_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("job");
    let args = [
        "run",
        PILOT,
        "--seed",
        "7",
        "--emit",
        "slurm",
        "--shards",
        "3",
        "--max-parallel",
        "2",
        "--bin",
        "/cluster/bin/swapsim",
        "--out",
        path(&dir),
    ];
    let out = ok(&args);
    let script_path = dir.join("submit.sh");
    assert!(out.stdout.contains(path(&script_path)), "{}", out.stdout);
    assert!(out.stdout.contains("submit: sh "), "{}", out.stdout);
    let script = fs::read_to_string(&script_path).unwrap();
    let scenario = fs::canonicalize(PILOT).unwrap();
    let dir_abs = fs::canonicalize(&dir).unwrap();
    let exec = script
        .lines()
        .find_map(|l| l.strip_prefix("exec "))
        .unwrap();
    let words = shell_split(exec);
    assert_eq!(
        words[..5],
        [
            "/cluster/bin/swapsim",
            "run",
            path(&scenario),
            "--seed",
            "7"
        ]
    );
    assert_eq!(
        words.last().map(String::as_str),
        Some(path(&dir_abs.join("shards")))
    );
    assert!(script.contains("#SBATCH --array=0-2%2"), "{script}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&script_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o100, 0o100, "submit.sh is executable");
    }

    // Kubernetes: the image's binary by default, --shared-dir for the
    // nodes' view, and a scenario inside the directory named inside it.
    let k8s = tmp.path().join("k8s");
    fs::create_dir(&k8s).unwrap();
    fs::copy(PILOT, k8s.join("pilot.toml")).unwrap();
    let scenario = k8s.join("pilot.toml");
    ok(&[
        "run",
        path(&scenario),
        "--emit",
        "k8s",
        "--shards",
        "2",
        "--shared-dir",
        "/mnt/swapsim",
        "--image",
        "swapsim:test",
        "--out",
        path(&k8s),
        "--force",
    ]);
    let job = yaml(&fs::read_to_string(k8s.join("job.yaml")).unwrap());
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let command = strings(&container["command"]);
    assert_eq!(
        command[..3],
        [batch::emit::IMAGE_BIN, "run", "/mnt/swapsim/pilot.toml"]
    );
    assert_eq!(container["image"].as_str(), Some("swapsim:test"));
    assert_eq!(
        container["volumeMounts"][0]["mountPath"].as_str(),
        Some("/mnt/swapsim")
    );
    assert!(k8s.join("merge-job.yaml").is_file());

    // A relative --shared-dir cannot be what the nodes see.
    let out = swapsim(&[
        "run",
        PILOT,
        "--emit",
        "k8s",
        "--shards",
        "2",
        "--shared-dir",
        "rel",
        "--out",
        path(&tmp.path().join("rel")),
    ]);
    assert_eq!(out.status, exit::ERROR);
    assert!(out.stderr.contains("must be absolute"), "{}", out.stderr);
}

#[test]
fn the_binary_emitted_by_default_is_the_running_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("job");
    ok(&[
        "run",
        PILOT,
        "--emit",
        "slurm",
        "--shards",
        "2",
        "--out",
        path(&dir),
    ]);
    let script = fs::read_to_string(dir.join("submit.sh")).unwrap();
    let exe = std::env::current_exe().unwrap();
    let exec = script
        .lines()
        .find_map(|l| l.strip_prefix("exec "))
        .unwrap();
    assert_eq!(shell_split(exec)[0], path(&exe));
}

#[test]
fn emit_files_round_trip_through_the_engine_list() {
    let job = odd_job();
    let names: Vec<&str> = job
        .files(Engine::Kubernetes)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(names, ["job.yaml", "merge-job.yaml"]);
    let names: Vec<&str> = job.files(Engine::Slurm).iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["submit.sh"]);
    let _: PathBuf = PathBuf::from(job.shards_dir());
}

#[test]
fn shards_of_another_swapsim_version_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    shards(PILOT, &SHORT, 2, 0..2, &dir);
    let this = format!("\"swapsim\":\"{}\"", env!("CARGO_PKG_VERSION"));
    for i in 0..2 {
        let file = dir.join(format!("shard-{i}-of-2.jsonl"));
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.contains(&this));
        fs::write(&file, text.replacen(&this, "\"swapsim\":\"0.0.1\"", 1)).unwrap();
    }
    let stderr = merge_fails(&[&dir], &tmp.path().join("out"));
    assert!(stderr.contains("written by swapsim 0.0.1"), "{stderr}");
}

#[test]
fn merge_check_judges_the_targets_as_run_check_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    shards(PILOT, &SHORT, 2, 0..2, &dir);
    let mut args = vec!["run", PILOT, "--check"];
    args.extend(SHORT);
    let run = swapsim(&args);
    let out = tmp.path().join("out");
    let merged = swapsim(&["merge", path(&dir), "--out", path(&out), "--check"]);
    assert_eq!(merged.status, run.status, "{}", merged.stderr);
    assert_eq!(merged.stdout, run.stdout);
    assert_eq!(merged.stderr, run.stderr);
    // --check and --html need the whole run, so a shard refuses them.
    let mut shard = vec![
        "run",
        PILOT,
        "--shard",
        "0/2",
        "--out",
        path(&dir),
        "--check",
    ];
    shard.extend(SHORT);
    let refused = swapsim(&shard);
    assert_eq!(refused.status, exit::ERROR);
    assert!(
        refused
            .stderr
            .contains("pass --check to `swapsim merge` instead"),
        "{}",
        refused.stderr
    );
}

// Sweeps: a shard holds a block of points.

/// The pilot's shipped sweep (9 points, one axis at a time), short.
const PILOT_SWEEP: &str = "scenarios/bishan-pilot.sweep.toml";
const SWEEP_SHORT: [&str; 4] = ["--replications", "2", "--days", "4"];

/// The files of a sweep's `--out` whose bytes depend only on the numbers,
/// and of each point's directory (context.json and results.xlsx also name
/// the scenario's path as given).
const SWEEP_FILES: [&str; 3] = ["sweep.json", "sweep.csv", "report.html"];

/// Runs shards `which` of `n` of the sweep `file` (with `extra` flags)
/// into `dir`.
fn sweep_shards(file: &str, extra: &[&str], n: u32, which: impl Iterator<Item = u32>, dir: &Path) {
    for i in which {
        let spec = format!("{i}/{n}");
        let mut args = vec!["sweep", file, "--shard", &spec, "--out", path(dir)];
        args.extend_from_slice(extra);
        ok(&args);
    }
}

/// Every file of `whole`'s `--out` that depends only on the numbers is
/// byte-identical in `merged`.
fn assert_same_sweep(whole: &Path, merged: &Path, points: usize, what: &str) {
    for file in SWEEP_FILES {
        assert!(
            fs::read(whole.join(file)).unwrap() == fs::read(merged.join(file)).unwrap(),
            "{what}: {file} differs from the one-machine sweep's"
        );
    }
    for point in 0..points {
        let dir = format!("points/{point:04}");
        for file in EXACT_FILES {
            let (a, b) = (whole.join(&dir).join(file), merged.join(&dir).join(file));
            assert!(
                fs::read(&a).unwrap() == fs::read(&b).unwrap(),
                "{what}: {dir}/{file} differs from the one-machine sweep's"
            );
        }
        assert!(merged.join(&dir).join("results.xlsx").is_file(), "{what}");
    }
}

#[test]
fn sweep_merge_is_byte_identical_to_the_sweep_on_one_machine() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let mut args = vec![
        "sweep",
        PILOT_SWEEP,
        "--out",
        path(&whole),
        "--format",
        "json",
    ];
    args.extend_from_slice(&SWEEP_SHORT);
    let printed = ok(&args).stdout;
    let points = serde_json::from_str::<serde_json::Value>(&printed).unwrap()["points"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(points, 9);
    for n in [1, 2, 4, 9] {
        let dir = tmp.path().join(format!("shards-{n}"));
        // Out of order, each on one thread; the whole sweep had all cores.
        let mut one_thread = SWEEP_SHORT.to_vec();
        one_thread.extend(["--threads", "1"]);
        sweep_shards(PILOT_SWEEP, &one_thread, n, (0..n).rev(), &dir);
        let merged = tmp.path().join(format!("merged-{n}"));
        let out = ok(&[
            "merge",
            path(&dir),
            "--out",
            path(&merged),
            "--format",
            "json",
        ]);
        assert_eq!(out.stdout, printed, "{n} shards: stdout");
        assert_same_sweep(&whole, &merged, points, &format!("{n} shards"));
    }
}

#[test]
fn sweep_merge_in_mode_check_keeps_the_verdicts_and_the_robustness_sentence() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("check.sweep.toml");
    let scenario = fs::canonicalize(PILOT).unwrap();
    fs::write(
        &file,
        format!(
            "[sweep]\nscenario = {:?}\nmode = \"check\"\ndesign = \"grid\"\n\n\
             [[axis]]\nkey = \"site.*.swap_adoption\"\nscale = [0.4, 1.3]\n\n\
             [[axis]]\nkey = \"cabinet.strategy.model\"\n\
             values = [\"immediate\", \"off_peak_with_reserve\"]\n",
            scenario.display().to_string()
        ),
    )
    .unwrap();
    let file = path(&file);
    let whole = tmp.path().join("whole");
    let mut args = vec!["sweep", file, "--out", path(&whole)];
    args.extend_from_slice(&SWEEP_SHORT);
    let table = ok(&args).stdout;
    // Adoption scaled (0.3 × 0.4, × 1.3): a scale merges as values do.
    assert!(table.contains("site.*.swap_adoption×"), "{table}");
    let dir = tmp.path().join("shards");
    sweep_shards(file, &SWEEP_SHORT, 3, [2, 0, 1].into_iter(), &dir);
    let merged = tmp.path().join("merged");
    let out = ok(&["merge", path(&dir), "--out", path(&merged)]);
    assert_eq!(out.stdout, table, "the table and its robustness sentences");
    assert_same_sweep(&whole, &merged, 4, "mode check");
    let json = fs::read_to_string(merged.join("sweep.json")).unwrap();
    assert!(json.contains("\"targets_met\""), "{json}");
}

#[test]
fn a_sweep_shard_shows_its_block_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    sweep_shards(PILOT_SWEEP, &SWEEP_SHORT, 4, 1..2, &dir);
    let file = dir.join("shard-1-of-4.jsonl");
    let header = batch::partial::read_header(&file).unwrap();
    assert_eq!(header.job.unit, batch::shard::Unit::Points);
    assert_eq!((header.first, header.end, header.job.total), (2, 4, 9));
    assert_eq!(header.job.overrides.replications, Some(2));
    let text = fs::read_to_string(&file).unwrap();
    let marked = text.replacen("\"index\":2,", "\"index\":2 ,", 1);
    assert_ne!(marked, text);
    fs::write(&file, &marked).unwrap();
    let mut args = vec!["sweep", PILOT_SWEEP, "--shard", "1/4", "--out", path(&dir)];
    args.extend(SWEEP_SHORT);
    let out = swapsim(&args);
    assert_eq!(out.status, exit::ERROR);
    assert!(out.stderr.contains("pass --resume"), "{}", out.stderr);
    args.push("--resume");
    let out = ok(&args);
    assert_eq!(out.stdout.trim(), path(&file));
    assert_eq!(fs::read_to_string(&file).unwrap(), marked, "skipped");
    // Another job's file under the same name is run again.
    args.extend(["--seed", "9"]);
    ok(&args);
    assert_eq!(batch::partial::read_header(&file).unwrap().job.seed, 9);
}

#[test]
fn sweep_shards_that_do_not_fit_or_merge_are_told() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    // More shards than points.
    let out = swapsim(&["sweep", PILOT_SWEEP, "--shard", "0/10", "--out", path(&dir)]);
    assert_eq!(out.status, exit::ERROR);
    assert!(
        out.stderr.contains("10 shards for 9 points"),
        "{}",
        out.stderr
    );
    // --html needs the whole sweep.
    let out = swapsim(&[
        "sweep",
        PILOT_SWEEP,
        "--shard",
        "0/2",
        "--html",
        path(&tmp.path().join("r.html")),
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status, exit::ERROR);
    assert!(
        out.stderr.contains("--html needs the whole sweep"),
        "{}",
        out.stderr
    );
    // A missing block of points is named.
    sweep_shards(PILOT_SWEEP, &SWEEP_SHORT, 3, [0, 2].into_iter(), &dir);
    let out = swapsim(&["merge", path(&dir), "--out", path(&tmp.path().join("o"))]);
    assert_eq!(out.status, exit::ERROR);
    assert!(
        out.stderr
            .contains("1 of 3 shards missing: shard 1/3 (points 3..6, file shard-1-of-3.jsonl)"),
        "{}",
        out.stderr
    );
    // A run's merge flag on a sweep's shards.
    sweep_shards(PILOT_SWEEP, &SWEEP_SHORT, 3, 1..2, &dir);
    let out = swapsim(&[
        "merge",
        path(&dir),
        "--check",
        "--out",
        path(&tmp.path().join("o")),
    ]);
    assert_eq!(out.status, exit::ERROR);
    assert!(
        out.stderr
            .contains("--check is for the shards of a run; these are of a sweep"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn a_changed_base_scenario_is_refused_at_a_sweep_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(PILOT).unwrap();
    let scenario = tmp.path().join("bishan-pilot.toml");
    fs::write(&scenario, &text).unwrap();
    // The sweep file names its scenario relative to itself, so the copy
    // sweeps the copy; the sweep file itself never changes below.
    let sweep = tmp.path().join("pilot.sweep.toml");
    fs::copy(PILOT_SWEEP, &sweep).unwrap();
    let dir = tmp.path().join("shards");
    sweep_shards(path(&sweep), &SWEEP_SHORT, 2, 0..2, &dir);
    let changed = text.replacen("seed = ", "seed = 1", 1);
    assert_ne!(changed, text);
    fs::write(&scenario, &changed).unwrap();
    let stderr = merge_fails(&[&dir], &tmp.path().join("out"));
    assert!(
        stderr.contains("pilot.sweep.toml: changed since the shards ran (what it resolves to"),
        "{stderr}"
    );
    assert!(!tmp.path().join("out").join("sweep.json").exists());
    fs::write(&scenario, &text).unwrap();
    ok(&["merge", path(&dir), "--out", path(&tmp.path().join("out"))]);
}

#[test]
fn sweep_emit_runs_the_sweep_file_by_its_absolute_path() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = fs::canonicalize(PILOT_SWEEP).unwrap();
    let dir = tmp.path().join("slurm");
    ok(&[
        "sweep",
        PILOT_SWEEP,
        "--days",
        "4",
        "--emit",
        "slurm",
        "--shards",
        "3",
        "--bin",
        "/cluster/bin/swapsim",
        "--out",
        path(&dir),
    ]);
    let script = fs::read_to_string(dir.join("submit.sh")).unwrap();
    assert!(script.contains("#SBATCH --array=0-2"), "{script}");
    let exec = script
        .lines()
        .find_map(|l| l.strip_prefix("exec "))
        .unwrap();
    let words = shell_split(exec);
    assert_eq!(
        words[..5],
        ["/cluster/bin/swapsim", "sweep", path(&sweep), "--days", "4"]
    );
    // More shards than points cannot be emitted either.
    let out = swapsim(&[
        "sweep",
        PILOT_SWEEP,
        "--emit",
        "k8s",
        "--shards",
        "10",
        "--out",
        path(&tmp.path().join("k8s")),
    ]);
    assert_eq!(out.status, exit::ERROR);
    assert!(
        out.stderr.contains("10 shards for 9 points"),
        "{}",
        out.stderr
    );
}
