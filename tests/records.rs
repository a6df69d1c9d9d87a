//! Swap records (issue 14): reading a log, calibrating a scenario from it,
//! and backtesting a scenario against it.
//!
//! The sample log `scenarios/bishan-pilot-swaps.csv` is drawn by
//! `scenarios/tools/make_swaps.py` (seed 20240325) from a stated truth: 300
//! commuters at 0.65 swaps a day (each uniform 0.6–1.4 × that), 40
//! couriers at 2.4, hand-in charge normal 30 % ± 8 % (commuters) and 15 %
//! ± 5 % (couriers), the script's hourly weights, 1 % of attempts finding
//! no battery. The tolerances below are derived from the sample sizes
//! and stated beside each check.

use std::fs;
use std::path::{Path, PathBuf};

use records::{Estimates, ReadOptions, estimate, read_log, total_variation};
use swapsim_cli::{Progress, exit, main_with};
use swapsim_suite::fixtures::root;

/// What one in-process run of `swapsim` produced: status, stdout, stderr.
fn swapsim<'a>(args: impl IntoIterator<Item = &'a str>) -> (u8, String, String) {
    let argv = std::iter::once("swapsim").chain(args);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = main_with(argv, &mut stdout, &mut stderr, Progress::Hidden);
    (
        status,
        String::from_utf8(stdout).expect("stdout is UTF-8"),
        String::from_utf8(stderr).expect("stderr is UTF-8"),
    )
}

fn sample() -> PathBuf {
    root().join("scenarios/bishan-pilot-swaps.csv")
}

fn pilot() -> String {
    root()
        .join("scenarios/bishan-pilot.toml")
        .display()
        .to_string()
}

fn estimates_of(path: &Path) -> Estimates {
    let log = read_log(path, &ReadOptions::default()).expect("the log reads");
    estimate(&log.tally, records::DEFAULT_COURIER_THRESHOLD)
}

/// The generator's hourly weights (`make_swaps.py`), as written there.
const COMMUTER_WEEKDAY: [f64; 24] = [
    1.0, 0.5, 0.3, 0.3, 0.5, 1.0, 3.0, 8.0, 9.0, 5.0, 3.0, 3.0, 4.0, 3.0, 3.0, 3.0, 4.0, 8.0, 9.0,
    6.0, 4.0, 3.0, 2.0, 1.5,
];
const COMMUTER_WEEKEND: [f64; 24] = [
    1.0, 0.5, 0.3, 0.3, 0.3, 0.5, 1.0, 2.0, 4.0, 6.0, 7.0, 7.0, 6.0, 5.0, 5.0, 5.0, 5.0, 6.0, 6.0,
    5.0, 4.0, 3.0, 2.0, 1.5,
];
const COURIER: [f64; 24] = [
    0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 9.0, 10.0, 6.0, 3.0, 2.0, 3.0, 6.0, 9.0,
    8.0, 5.0, 3.0, 2.0, 1.0,
];

/// Twice the expected total variation distance of a multinomial sample of
/// `n` from `weights` to its truth: E ≈ ½ Σ √(2 p (1 − p) / (π n)).
fn profile_tolerance(weights: &[f64; 24], n: u64) -> f64 {
    let total: f64 = weights.iter().sum();
    let expected: f64 = weights
        .iter()
        .map(|w| {
            let p = w / total;
            (2.0 * p * (1.0 - p) / (std::f64::consts::PI * n as f64)).sqrt()
        })
        .sum::<f64>()
        * 0.5;
    2.0 * expected
}

#[test]
fn records_calibrate_recovers_the_generators_truth() {
    let e = estimates_of(&sample());
    assert_eq!((e.first_day.as_str(), e.days), ("2024-03-25", 28));
    assert_eq!(e.sites.len(), 1);
    let site = &e.sites[0];
    assert_eq!(site.site, "美吉鑫小区");
    // Every one of the 340 users swaps in 28 days: a commuter at the
    // lowest rate (0.39 a day) misses all of them with probability e^-11.
    assert_eq!(site.subscribers, 340);
    // Classification: a commuter (at most 0.91 a day) averages 1.5 over 28
    // days with p < 0.001, a courier (2.4) falls below with p < 0.001.
    assert_eq!((site.commuters.users, site.couriers.users), (300, 40));
    // Swaps per user and day: the truth inside the 95 % interval over users.
    let c = site.commuters.swaps_per_user_day;
    assert!(c.low <= 0.65 && 0.65 <= c.high, "commuters {c:?}");
    let k = site.couriers.swaps_per_user_day;
    assert!(k.low <= 2.4 && 2.4 <= k.high, "couriers {k:?}");
    let all = site.swaps_per_subscriber_day;
    let truth = (300.0 * 0.65 + 40.0 * 2.4) / 340.0;
    assert!(
        all.low <= truth && truth <= all.high,
        "all {all:?} vs {truth}"
    );
    // Hand-in charge: mean within 0.5 points (4 standard errors of ~0.11
    // points over 5,500 swaps, plus rounding to whole percent), sd within
    // 0.5 points.
    for (who, b, mean, sd) in [
        ("commuters", &site.commuters, 0.30, 0.08),
        ("couriers", &site.couriers, 0.15, 0.05),
    ] {
        let h = &b.hand_in;
        assert!((h.mean.value - mean).abs() < 0.005, "{who}: {h:?}");
        assert!((h.sd - sd).abs() < 0.005, "{who}: {h:?}");
    }
    // Profiles: within twice the expected sampling distance of the truth.
    for (who, profile, truth, n) in [
        (
            "commuters weekdays",
            &site.commuters.profile_weekday,
            &COMMUTER_WEEKDAY,
            site.commuters.profile_n.0,
        ),
        (
            "commuters weekends",
            &site.commuters.profile_weekend,
            &COMMUTER_WEEKEND,
            site.commuters.profile_n.1,
        ),
        (
            "couriers weekdays",
            &site.couriers.profile_weekday,
            &COURIER,
            site.couriers.profile_n.0,
        ),
        (
            "couriers weekends",
            &site.couriers.profile_weekend,
            &COURIER,
            site.couriers.profile_n.1,
        ),
    ] {
        let d = total_variation(profile, truth);
        let limit = profile_tolerance(truth, n);
        assert!(d <= limit, "{who}: distance {d:.3} > {limit:.3} (n = {n})");
    }
    // Stockouts: 1 % of attempts, inside the Wilson interval; each is
    // retried, so requests = swaps × 1.01.
    let s = site.stockout_share.expect("the log has result");
    assert!(s.low <= 0.01 && 0.01 <= s.high, "{s:?}");
    assert_eq!(site.cabinets, ["C01", "C02", "C03", "C04", "C05", "C06"]);
}

/// The sample drawn at 1.5 × the rates, as `scenarios/tools/make_swaps.py
/// --scale 1.5` writes it (committed, so the tests need no Python; the
/// generator is deterministic, seed 20240325).
fn fast_log() -> PathBuf {
    root().join("tests/fixtures/records/bishan-pilot-swaps-1.5x.csv")
}

#[test]
fn records_backtest_passes_the_calibrated_scenario_and_fails_at_one_and_a_half_times_the_rates() {
    let dir = tempfile::tempdir().unwrap();
    let calibrated = dir.path().join("calibrated.toml");
    let log = sample().display().to_string();
    let pilot = pilot();
    let (code, out, err) = swapsim([
        "calibrate",
        &log,
        "--scenario",
        &pilot,
        "--out",
        calibrated.to_str().unwrap(),
        "--check",
        "--threads",
        "2",
    ]);
    assert_eq!(code, exit::SUCCESS, "{out}{err}");
    assert!(out.contains("美吉鑫小区"), "{out}");
    let text = fs::read_to_string(&calibrated).unwrap();
    assert!(text.starts_with(&fs::read_to_string(&pilot).unwrap()));
    assert!(text.contains("swap_adoption = 0.3\n"), "{text}");
    assert!(text.contains("couriers = { courier = 40 }\n"), "{text}");
    // Each estimate's interval and sample size is its key's source.
    let (_, comments) = scenarios::load_commented(&calibrated).unwrap();
    let source = comments
        .get("site_override[0].swap_adoption")
        .cloned()
        .unwrap_or_default();
    assert!(source.contains("n = 340 users"), "{source}");
    let source = comments
        .get("group[0].swap_threshold_soc")
        .cloned()
        .unwrap_or_default();
    assert!(source.contains("Charge at hand-in 29.8 %"), "{source}");
    let (code, out, err) = swapsim(["check", calibrated.to_str().unwrap()]);
    assert_eq!(code, exit::SUCCESS, "{out}{err}");

    // Its own log fits.
    let cal = calibrated.to_str().unwrap();
    let (code, out, err) = swapsim(["backtest", &log, cal, "--threads", "2"]);
    assert_eq!(code, exit::SUCCESS, "{out}{err}");
    assert!(out.contains(" ok"), "{out}");
    // A log at 1.5 × the rates misses: +50 % against a 15 % tolerance.
    let fast = fast_log();
    let fast = fast.to_str().unwrap();
    let (code, out, err) = swapsim(["backtest", fast, cal, "--threads", "2"]);
    assert_eq!(code, exit::TARGETS_MISSED, "{out}{err}");
    assert!(out.contains("MISS"), "{out}");
    assert!(
        err.contains("missed: site '美吉鑫小区': swap requests a day"),
        "{err}"
    );
    // A looser tolerance lets it pass; JSON and CSV say the same.
    let (code, _, _) = swapsim(["backtest", fast, cal, "--tolerance", "0.8"]);
    assert_eq!(code, exit::SUCCESS);
    let (_, json, _) = swapsim(["backtest", fast, cal, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["sites"][0]["pass"], false);
    assert!(json["sites"][0]["requests_miss"].as_f64().unwrap() > 0.3);
    let (_, csv, _) = swapsim(["backtest", fast, cal, "--format", "csv"]);
    assert!(csv.starts_with("site,observed_requests_per_day,"), "{csv}");
    assert!(csv.trim_end().ends_with(",false"), "{csv}");
}

const HEADER: &str = "time,site,cabinet_id,user_id,battery_in,soc_in,battery_out,soc_out,result";

#[test]
fn records_bad_rows_are_reported_by_row_and_column_or_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let good = fs::read_to_string(sample()).unwrap();
    let mut lines: Vec<String> = good.lines().take(400).map(str::to_owned).collect();
    lines[2] = lines[2].replacen(",success", ",perhaps", 1);
    lines[5] = "2024-13-01 08:00:00,美吉鑫小区,C01,U0001,,35,,,success".into();
    lines[9] = "2024-03-25 08:00:00,美吉鑫小区,C01,U0001,,1.5e9,,,success".into();
    lines[11] = "2024-03-25 08:00:00,美吉鑫小区,C01,U0001,,abc,,,success".into();
    fs::write(&path, lines.join("\n")).unwrap();
    let bad = path.to_str().unwrap();
    let pilot = pilot();
    let (code, out, err) = swapsim(["calibrate", bad, "--scenario", &pilot]);
    assert_eq!(code, exit::ERROR, "{out}");
    assert!(out.is_empty(), "nothing is written: {out}");
    let expected = format!(
        "{bad}: row 3, column 9 (result): expected `成功`/`success` or `无电池`/`no_battery`, found 'perhaps'\n\
         {bad}: row 6, column 1 (time): not a calendar date: expected `YYYY-MM-DD` from 1970, found '2024-13-01 08:00:00'\n\
         {bad}: row 10, column 6 (soc_in): a charge above 100 %: expected 0–100 (%) or 0–1, found '1.5e9'\n\
         {bad}: row 12, column 6 (soc_in): expected a charge 0–100 (%) or 0–1, found 'abc'\n\
         error: '{bad}': 4 rows cannot be read (--skip-bad-rows skips them)\n"
    );
    assert_eq!(err, expected);
    let (code, out, err) = swapsim(["calibrate", bad, "--scenario", &pilot, "--skip-bad-rows"]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(out.contains("[[site_override]]"), "{out}");
    assert!(
        err.ends_with(&format!(
            "warning: {bad}: skipped 4 unreadable rows (--skip-bad-rows), read 395\n"
        )),
        "{err}"
    );
    // Errors repeat once per distinct problem, with a count.
    let many: Vec<String> = std::iter::once(HEADER.to_owned())
        .chain((0..50).map(|i| format!("2024-03-25 08:{i:02}:00,A,C01,U{i},,x,,,success")))
        .collect();
    fs::write(&path, many.join("\n")).unwrap();
    let (code, _, err) = swapsim(["backtest", bad, &pilot]);
    assert_eq!(code, exit::ERROR);
    assert!(
        err.starts_with(&format!(
            "{bad}: row 2, column 6 (soc_in): expected a charge 0–100 (%) or 0–1, found 'x' (and 49 more rows like it)\n"
        )),
        "{err}"
    );
    // A missing column names both headers; no panic on an empty file.
    fs::write(&path, "time,site\n").unwrap();
    let (code, _, err) = swapsim(["backtest", bad, &pilot]);
    assert_eq!(code, exit::ERROR);
    assert!(
        err.contains("has no column 'cabinet_id' (or '柜机编号')"),
        "{err}"
    );
    fs::write(&path, "").unwrap();
    let (code, _, err) = swapsim(["backtest", bad, &pilot]);
    assert_eq!(code, exit::ERROR);
    assert!(err.contains("is empty"), "{err}");
}

#[test]
fn records_chinese_headers_and_an_xlsx_workbook_read_as_the_english_csv() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(sample()).unwrap();
    let english = estimates_of(&sample());
    let zh_header = "换电时间,站点,柜机编号,用户ID,换入电池编号,换入SOC,换出电池编号,换出SOC,结果";
    let zh = text
        .replacen(HEADER, zh_header, 1)
        .replace(",success\n", ",成功\n")
        .replace(",no_battery\n", ",无电池\n");
    let zh_path = dir.path().join("zh.csv");
    fs::write(&zh_path, &zh).unwrap();
    assert_eq!(estimates_of(&zh_path), english);

    // The same rows in a workbook: times as text, charges as numbers.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("换电记录").unwrap();
    for (r, line) in zh.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(x) if r > 0 => sheet.write_number(r, c, x).map(|_| ()),
                _ => sheet.write_string(r, c, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    let xlsx = dir.path().join("swaps.xlsx");
    book.save(&xlsx).unwrap();
    assert_eq!(estimates_of(&xlsx), english);
    let (code, out, err) = swapsim([
        "calibrate",
        xlsx.to_str().unwrap(),
        "--scenario",
        &pilot(),
        "--sheet",
        "换电记录",
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(out.contains("couriers = { courier = 40 }"), "{out}");
    let (code, _, err) = swapsim([
        "calibrate",
        xlsx.to_str().unwrap(),
        "--scenario",
        &pilot(),
        "--sheet",
        "Sheet9",
    ]);
    assert_eq!(code, exit::ERROR);
    assert!(
        err.contains("no sheet 'Sheet9', expected one of '换电记录'"),
        "{err}"
    );
}

#[test]
fn records_sites_that_differ_fail_unless_partial() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.csv");
    let mut text = fs::read_to_string(sample()).unwrap();
    text.push_str("2024-04-21 20:00:00,北苑小区,D01,X1,BT1,30,BT2,99,success\n");
    fs::write(&path, text).unwrap();
    let log = path.to_str().unwrap();
    let pilot = pilot();
    let (code, _, err) = swapsim(["calibrate", log, "--scenario", &pilot]);
    assert_eq!(code, exit::ERROR);
    assert_eq!(
        err,
        "error: the log and the scenario differ in sites: in the log but not the scenario: \
         '北苑小区' (--partial calibrates the sites they share)\n"
    );
    let (code, out, err) = swapsim(["calibrate", log, "--scenario", &pilot, "--partial"]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(out.contains("site = \"美吉鑫小区\""), "{out}");
    assert!(!out.contains("北苑小区\"\n"), "{out}");
    assert!(err.contains("'北苑小区' is in the log but not the scenario: skipped (--partial)"));
    // A scenario with analytic sites only shares no rider-driven site.
    let erlang = root().join("scenarios/erlang-b.toml").display().to_string();
    let (code, _, err) = swapsim(["calibrate", log, "--scenario", &erlang, "--partial"]);
    assert_eq!(code, exit::ERROR);
    assert!(err.contains("share no site"), "{err}");
}

/// What `swapsim plan scenarios/bishan-pilot.toml --out DIR` wrote (its
/// plan.toml and summary.json, all `weekly` reads), committed so each
/// weekly test needs no plan of its own; the test below checks it against
/// a fresh `plan --out` (about 2 s here, 24 s from an unoptimised binary).
fn pilot_plan() -> PathBuf {
    root().join("tests/fixtures/records/bishan-pilot-plan")
}

/// The committed plan directory is what `plan --out` writes today.
#[test]
fn records_the_pilot_plan_fixture_is_what_plan_out_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan");
    let (code, _, err) = swapsim(["plan", &pilot(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    for name in ["plan.toml", "summary.json"] {
        assert_eq!(
            fs::read_to_string(out.join(name)).unwrap(),
            fs::read_to_string(pilot_plan().join(name)).unwrap(),
            "{name}: regenerate tests/fixtures/records/bishan-pilot-plan with plan --out"
        );
    }
    // The shipped plan is the same plan.toml under a header comment.
    let shipped = fs::read_to_string(root().join("scenarios/bishan-pilot-plan.toml")).unwrap();
    let written = fs::read_to_string(out.join("plan.toml")).unwrap();
    let header = shipped.strip_suffix(written.as_str()).unwrap_or_else(|| {
        panic!("scenarios/bishan-pilot-plan.toml: regenerate it as a header over plan --out's plan.toml")
    });
    assert!(header.lines().all(|l| l.starts_with('#')), "{header}");
}

#[test]
fn records_weekly_reports_a_week_against_the_plan_and_lists_sites_above_it() {
    let log = sample().display().to_string();
    let plan = pilot_plan();
    let plan = plan.to_str().unwrap();
    // The pilot's plan (not calibrated) expects about 217 requests a day;
    // the log has about 294: the week runs above the plan.
    let (code, out, err) = swapsim(["weekly", &log, "--plan", plan, "--week", "2024-W14"]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(
        out.starts_with("week 2024-W14 (2024-04-01 to 2024-04-07)"),
        "{out}"
    );
    assert!(
        out.contains("actions:\n  美吉鑫小区: re-plan: demand +35 % on the plan"),
        "{out}"
    );
    // With a tolerance wide enough, no site is above it.
    let (code, out, err) = swapsim([
        "weekly",
        &log,
        "--plan",
        plan,
        "--week",
        "2024-W14",
        "--tolerance",
        "0.5",
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(out.ends_with("no site runs above the plan\n"), "{out}");
    let (_, json, _) = swapsim([
        "weekly", &log, "--plan", plan, "--week", "2024-W14", "--format", "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let site = &json["sites"][0];
    // The week's subscribers: the 340 less those who did not swap that week.
    let subscribers = site["subscribers"].as_u64().unwrap();
    assert!((330..=340).contains(&subscribers), "{site}");
    assert_eq!(site["planned_subscribers"], 340.0);
    // Each planned figure has its 95 % interval: the subscribers'
    // binomial over the pilot's e-bikes at its adoption, the stockouts'
    // Poisson, the requests' a week's prediction interval (wider than 7 ×
    // the daily mean's interval, which is the plan's, not a week's, spread).
    let pair = |field: &str| {
        let v = site[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {site}"));
        (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
    };
    let plan_model = scenarios::load(&pilot_plan().join("plan.toml")).expect("the plan's model");
    let spec = &plan_model.sites[0];
    let (ebikes, adoption) = (f64::from(spec.ebikes), spec.swap_adoption);
    let spread = 1.96 * (ebikes * adoption * (1.0 - adoption)).sqrt();
    let (low, high) = pair("planned_subscribers_interval");
    assert!((high - low - 2.0 * spread).abs() < 1e-9, "{site}");
    assert!(low < 340.0 && 340.0 < high, "{site}");
    let stockouts = site["planned_stockouts"].as_f64().unwrap();
    let (low, high) = pair("planned_stockouts_interval");
    assert!(
        (high - stockouts - 1.96 * stockouts.sqrt()).abs() < 1e-9,
        "{site}"
    );
    assert!(low < stockouts && low >= 0.0, "{site}");
    let day: sim_core::RunResult =
        serde_json::from_str(&std::fs::read_to_string(pilot_plan().join("summary.json")).unwrap())
            .unwrap();
    let day = day.sites[0].kpis.swap_requests_per_day;
    let requests = site["planned_requests"].as_array().unwrap();
    let (low, mean, high) = (
        requests[0].as_f64().unwrap(),
        requests[1].as_f64().unwrap(),
        requests[2].as_f64().unwrap(),
    );
    assert_eq!(
        (low, mean, high),
        records::week_interval(day),
        "the JSON's interval is week_interval's"
    );
    assert!((mean - 7.0 * day.mean).abs() < 1e-9);
    assert!(
        high - mean > 7.0 * (day.ci95_high - day.mean) && high - mean > 1.96 * mean.sqrt(),
        "a week's spread, Poisson at least: {requests:?} from {day:?}"
    );
    assert_eq!(
        (
            site["cabinets_seen"].as_u64(),
            site["cabinets_planned"].as_u64()
        ),
        (Some(6), Some(6))
    );
    let growth = site["growth"].as_f64().unwrap();
    assert!(growth.abs() < 0.1, "a steady log grows little: {growth}");
    // At 1.5 × the rates the site runs above the plan, with an action.
    let fast = fast_log();
    let (code, out, err) = swapsim([
        "weekly",
        fast.to_str().unwrap(),
        "--plan",
        plan,
        "--week",
        "2024-W15",
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(
        out.contains("actions:\n  美吉鑫小区: re-plan: demand +"),
        "{out}"
    );
    let (code, _, err) = swapsim(["weekly", &log, "--plan", plan, "--week", "2024-W55"]);
    assert_eq!(code, exit::ERROR);
    assert_eq!(
        err,
        "error: --week: 2024 has weeks 1 to 52, found '2024-W55'\n"
    );
}

/// The HTML parsed as XML: the report is well-formed as well as HTML.
fn parse_html(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, options)
        .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"))
}

/// The element with `id`, or a panic naming it.
fn by_id<'a, 'i>(doc: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element with id=\"{id}\""))
}

/// All the text under `n`.
fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

/// The pilot's plan directory with its site in a town, in `dir`.
fn plan_with_town(dir: &Path) -> PathBuf {
    let plan = dir.join("plan");
    fs::create_dir(&plan).unwrap();
    let toml = fs::read_to_string(pilot_plan().join("plan.toml")).unwrap();
    let toml = toml.replacen(
        "name = \"美吉鑫小区\"\n",
        "name = \"美吉鑫小区\"\ntown = \"碧城街道\"\n",
        1,
    );
    assert!(toml.contains("town = \"碧城街道\""));
    fs::write(plan.join("plan.toml"), toml).unwrap();
    fs::copy(pilot_plan().join("summary.json"), plan.join("summary.json")).unwrap();
    plan
}

#[test]
fn records_weekly_html_opens_with_the_summary_and_its_table_is_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_with_town(dir.path());
    let plan = plan.to_str().unwrap();
    let fast = fast_log();
    let fast = fast.to_str().unwrap();
    let html = dir.path().join("weekly.html");
    let args = ["weekly", fast, "--plan", plan, "--week", "2024-W15"];
    let (code, _, err) =
        swapsim(
            args.into_iter()
                .chain(["--html", html.to_str().unwrap(), "--lang", "en"]),
        );
    assert_eq!(code, exit::SUCCESS, "{err}");
    let (_, json, _) = swapsim(args.into_iter().chain(["--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let site = &json["sites"][0];
    assert_eq!(site["above_plan"], true);
    let add = site["batteries_to_add"].as_u64().unwrap();
    assert!(add > 0, "{site}");

    let page = fs::read_to_string(&html).unwrap();
    let doc = parse_html(&page);
    assert_eq!(doc.root_element().attribute("lang"), Some("en"));
    // The summary comes first, in plain words, with the action.
    let sections: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "section")
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(sections, ["summary", "towns", "sites", "actions"]);
    let summary = text_of(by_id(&doc, "summary"));
    assert!(
        summary.contains("1 of 1 site runs above the plan's interval"),
        "{summary}"
    );
    assert!(
        summary.contains("美吉鑫小区: re-plan: demand +"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("add about {add} batteries")),
        "{summary}"
    );
    // Each figure of the sites' table is the JSON's.
    let row = by_id(&doc, "sites")
        .descendants()
        .find(|n| n.attribute("data-site") == Some("美吉鑫小区"))
        .expect("a row for the site");
    let cell = |field: &str| -> String {
        row.descendants()
            .find(|n| n.attribute("data-field") == Some(field))
            .map(text_of)
            .unwrap_or_else(|| panic!("no cell {field}"))
    };
    for field in [
        "requests",
        "subscribers",
        "stockouts",
        "cabinets_seen",
        "cabinets_planned",
    ] {
        assert_eq!(cell(field), site[field].to_string(), "{field}");
    }
    let growth = site["growth"].as_f64().unwrap();
    assert_eq!(cell("growth"), format!("{:+.1}%", 100.0 * growth));
    // The town roll-up sums the sites of its town.
    let towns = text_of(by_id(&doc, "towns"));
    assert!(towns.contains("碧城街道"), "{towns}");
    assert!(towns.contains(&site["requests"].to_string()), "{towns}");
    // The action list names the batteries to add.
    let actions = by_id(&doc, "actions");
    let added = actions
        .descendants()
        .find(|n| n.attribute("data-field") == Some("batteries_to_add"))
        .map(text_of);
    assert_eq!(added, Some(add.to_string()));

    // In Chinese, with a steady log and a wide tolerance: nothing to do,
    // and the plan without towns says so.
    let (code, _, err) = swapsim([
        "weekly",
        sample().to_str().unwrap(),
        "--plan",
        pilot_plan().to_str().unwrap(),
        "--week",
        "2024-W14",
        "--tolerance",
        "0.5",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    let page = fs::read_to_string(&html).unwrap();
    let doc = parse_html(&page);
    assert_eq!(doc.root_element().attribute("lang"), Some("zh"));
    let summary = text_of(by_id(&doc, "summary"));
    assert!(summary.contains("本周 1 个站点中有 0 个"), "{summary}");
    assert!(summary.contains("无需调整"), "{summary}");
    assert!(text_of(by_id(&doc, "towns")).contains("站点未填写所属街道/镇"));

    // A report that cannot be written (its directory is a file) is an
    // error, not a panic.
    let (code, _, err) = swapsim(
        args.into_iter()
            .chain(["--html", html.join("w.html").to_str().unwrap()]),
    );
    assert_eq!(code, exit::ERROR, "{err}");
    assert!(err.starts_with("error: "), "{err}");
}

#[test]
fn records_weekly_out_writes_json_csv_and_an_xlsx_that_reads_back_as_the_json() {
    use calamine::{Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_with_town(dir.path());
    let out = dir.path().join("week");
    let fast = fast_log();
    let args = [
        "weekly",
        fast.to_str().unwrap(),
        "--plan",
        plan.to_str().unwrap(),
        "--week",
        "2024-W15",
        "--headroom",
        "none",
    ];
    let (code, printed, err) = swapsim(args.into_iter().chain([
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
        "--lang",
        "en",
    ]));
    assert_eq!(code, exit::SUCCESS, "{err}");
    // weekly.json is what --format json prints.
    assert_eq!(
        fs::read_to_string(out.join("weekly.json")).unwrap(),
        printed
    );
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let site = &json["sites"][0];
    // weekly.csv is --format csv with a BOM, for Excel.
    let (_, csv, _) = swapsim(args.into_iter().chain(["--format", "csv"]));
    let bytes = fs::read(out.join("weekly.csv")).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    assert_eq!(std::str::from_utf8(&bytes[3..]).unwrap(), csv);
    // weekly.xlsx reads back with the JSON's figures, English headers.
    let mut book: Xlsx<_> = calamine::open_workbook(out.join("weekly.xlsx")).unwrap();
    let range = book.worksheet_range("Week").unwrap();
    let column = |name: &str| only_row_cell(&range, name);
    assert_eq!(column("Site"), &Data::String("美吉鑫小区".into()));
    assert_eq!(column("Town"), &Data::String("碧城街道".into()));
    for (header, field) in [
        ("Requests", "requests"),
        ("Requests last week", "requests_last_week"),
        ("Growth", "growth"),
        ("Subscribers", "subscribers"),
        ("Planned subscribers", "planned_subscribers"),
        ("Stockouts", "stockouts"),
        ("Planned stockouts", "planned_stockouts"),
        ("Cabinets seen", "cabinets_seen"),
        ("Cabinets planned", "cabinets_planned"),
        ("Batteries to add", "batteries_to_add"),
    ] {
        assert_eq!(
            column(header),
            &Data::Float(site[field].as_f64().unwrap()),
            "{header}"
        );
    }
    let planned = site["planned_requests"].as_array().unwrap();
    assert_eq!(
        column("Planned"),
        &Data::Float(planned[1].as_f64().unwrap())
    );
    for (header, field, end) in [
        ("Planned subscribers low", "planned_subscribers_interval", 0),
        (
            "Planned subscribers high",
            "planned_subscribers_interval",
            1,
        ),
        ("Planned stockouts low", "planned_stockouts_interval", 0),
        ("Planned stockouts high", "planned_stockouts_interval", 1),
    ] {
        assert_eq!(
            column(header),
            &Data::Float(site[field][end].as_f64().unwrap()),
            "{header}"
        );
    }
    assert_eq!(column("Above plan"), &Data::Bool(true));
    // The towns' sheet is the JSON's towns, as the report rolls them up.
    let town = &json["towns"][0];
    assert_eq!(json["towns"].as_array().unwrap().len(), 1);
    assert_eq!(town["town"], "碧城街道");
    assert_eq!(town["requests"], site["requests"]);
    let range = book.worksheet_range("Towns").unwrap();
    let column = |name: &str| only_row_cell(&range, name);
    assert_eq!(column("Town"), &Data::String("碧城街道".into()));
    for (header, field) in [
        ("Sites", "sites"),
        ("Requests", "requests"),
        ("Planned", "planned_requests"),
        ("Subscribers", "subscribers"),
        ("Stockouts", "stockouts"),
        ("Sites above plan", "above_plan"),
        ("Batteries to add", "batteries_to_add"),
    ] {
        assert_eq!(
            column(header),
            &Data::Float(town[field].as_f64().unwrap()),
            "{header}"
        );
    }
    // In Chinese, the headers are Chinese.
    let (code, _, err) =
        swapsim(
            args.into_iter()
                .chain(["--out", out.to_str().unwrap(), "--force"]),
        );
    assert_eq!(code, exit::SUCCESS, "{err}");
    let mut book: Xlsx<_> = calamine::open_workbook(out.join("weekly.xlsx")).unwrap();
    let range = book.worksheet_range("本周").unwrap();
    assert_eq!(range.get((0, 3)), Some(&Data::String("换电需求".into())));
    let range = book.worksheet_range("街镇").unwrap();
    assert_eq!(range.get((1, 1)), Some(&Data::String("碧城街道".into())));
    // Without towns in the plan, no towns' sheet.
    let bare = dir.path().join("bare");
    let (code, _, err) = swapsim([
        "weekly",
        fast.to_str().unwrap(),
        "--plan",
        pilot_plan().to_str().unwrap(),
        "--week",
        "2024-W15",
        "--headroom",
        "none",
        "--out",
        bare.to_str().unwrap(),
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    let book: Xlsx<_> = calamine::open_workbook(bare.join("weekly.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["本周"]);
    // An --out that is a file is an error, not a panic.
    let (code, _, err) = swapsim(
        args.into_iter()
            .chain(["--out", out.join("weekly.json").to_str().unwrap()]),
    );
    assert_eq!(code, exit::ERROR, "{err}");
    assert!(err.starts_with("error: "), "{err}");
}

#[test]
fn records_backtest_html_has_a_table_and_a_chart_per_fit() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("backtest.html");
    let log = sample().display().to_string();
    let scenario = pilot_plan().join("plan.toml").display().to_string();
    // A short run: the page, not the fit, is under test.
    let args = [
        "backtest",
        log.as_str(),
        scenario.as_str(),
        "--days",
        "5",
        "--replications",
        "2",
        "--threads",
        "2",
    ];
    let (code, _, err) =
        swapsim(
            args.into_iter()
                .chain(["--html", html.to_str().unwrap(), "--lang", "en"]),
        );
    assert!(
        code == exit::SUCCESS || code == exit::TARGETS_MISSED,
        "{err}"
    );
    let (_, json, _) = swapsim(args.into_iter().chain(["--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fit = &json["sites"][0];
    assert_eq!(fit["observed_profile"].as_array().unwrap().len(), 24);
    assert_eq!(fit["simulated_profile"].as_array().unwrap().len(), 24);

    let page = fs::read_to_string(&html).unwrap();
    let doc = parse_html(&page);
    // The answer first, in plain words: how many sites fit, by which
    // tolerances, and the worst fits.
    let sections: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "section")
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(
        sections,
        ["summary", "sites", "requests", "profiles", "stockouts"]
    );
    let summary = text_of(by_id(&doc, "summary"));
    let fitting = if fit["pass"] == true { 1 } else { 0 };
    assert!(
        summary.contains(&format!(
            "{fitting} of 1 site fits the log: requests a day within ±15% of the simulated mean \
             (or inside its 95% interval), the hourly profile within 0.15 (total variation); \
             the stockout share is shown, not judged."
        )),
        "{summary}"
    );
    let miss = fit["requests_miss"].as_f64().unwrap();
    assert!(
        summary.contains("Worst fits:")
            && summary.contains(&format!("美吉鑫小区: requests {:+.1}%", 100.0 * miss)),
        "{summary}"
    );
    let row = by_id(&doc, "sites")
        .descendants()
        .find(|n| n.attribute("data-site") == Some("美吉鑫小区"))
        .expect("a row for the site");
    let verdict = if fit["pass"] == true { "ok" } else { "miss" };
    let cells: Vec<String> = row
        .children()
        .filter(|n| n.is_element())
        .map(text_of)
        .collect();
    assert_eq!(cells.last().map(String::as_str), Some(verdict), "{cells:?}");
    let profiles = by_id(&doc, "profiles");
    let figure = profiles
        .descendants()
        .find(|n| n.tag_name().name() == "figure")
        .expect("a chart");
    assert_eq!(figure.attribute("data-site"), Some("美吉鑫小区"));
    let series: Vec<(&str, usize)> = figure
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline")
        .map(|n| {
            (
                n.attribute("data-series").unwrap(),
                n.attribute("points").unwrap().split(' ').count(),
            )
        })
        .collect();
    assert_eq!(series, [("observed", 24), ("simulated", 24)]);
    // Both are drawn as shares of the day on one axis: neither line lies
    // flat on the floor while the other fills the plot (the run's profile
    // is counts, the log's shares). The plot spans y 16 to 224.
    for line in figure
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline")
    {
        let ys: Vec<f64> = line
            .attribute("points")
            .unwrap()
            .split(' ')
            .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        let highest = ys.iter().fold(f64::INFINITY, |a, &b| a.min(b));
        assert!(ys.iter().all(|y| (16.0..=224.0).contains(y)), "{ys:?}");
        assert!(highest < 150.0, "a flat line: {ys:?}");
    }

    // A chart per fit. Requests a day: per site the simulated 95 %
    // interval (a bar) and the observed mean (a dot), the dot inside the
    // bar exactly when the observed mean is inside the interval.
    let num = |n: roxmltree::Node<'_, '_>, name: &str| -> f64 {
        n.attribute(name).unwrap().parse().unwrap()
    };
    let site_mark = |section: &str, class: &str| {
        let g = by_id(&doc, section)
            .descendants()
            .find(|n| n.tag_name().name() == "g" && n.attribute("data-site") == Some("美吉鑫小区"))
            .unwrap_or_else(|| panic!("{section}: no marks for the site"));
        g.descendants()
            .find(|n| n.attribute("class") == Some(class))
            .unwrap_or_else(|| panic!("{section}: no {class}"))
    };
    let bar = site_mark("requests", "simulated");
    let dot = site_mark("requests", "observed");
    let (from, to, at) = (
        num(bar, "x"),
        num(bar, "x") + num(bar, "width"),
        num(dot, "cx"),
    );
    let observed = fit["observed_requests_per_day"]["value"].as_f64().unwrap();
    let sim = &fit["simulated_requests_per_day"];
    let inside = (sim["ci95_low"].as_f64().unwrap()..=sim["ci95_high"].as_f64().unwrap())
        .contains(&observed);
    assert_eq!((from..=to).contains(&at), inside, "{from} {to} {at}");
    let words = text_of(by_id(&doc, "requests"));
    assert!(words.contains(&format!("{observed:.1}")), "{words}");
    // The stockout share: the simulated share (a bar from 0) against the
    // observed (a dot), in order.
    let bar = site_mark("stockouts", "simulated");
    let dot = site_mark("stockouts", "observed");
    let (end, at) = (num(bar, "x") + num(bar, "width"), num(dot, "cx"));
    let observed = fit["observed_stockout"].as_f64().unwrap();
    let simulated = fit["simulated_stockout"].as_f64().unwrap();
    assert_eq!(at > end, observed > simulated, "{end} {at}");

    // A scenario whose sites name their town gets the roll-up by town,
    // after the summary; in Chinese, with the stockout share judged.
    let towns = plan_with_town(dir.path()).join("plan.toml");
    let args = args.map(|a| {
        if a == scenario {
            towns.to_str().unwrap()
        } else {
            a
        }
    });
    let (code, _, err) = swapsim(args.into_iter().chain([
        "--html",
        html.to_str().unwrap(),
        "--stockout-tolerance",
        "0.5",
    ]));
    assert!(
        code == exit::SUCCESS || code == exit::TARGETS_MISSED,
        "{err}"
    );
    let page = fs::read_to_string(&html).unwrap();
    let doc = parse_html(&page);
    let sections: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "section")
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(
        sections,
        [
            "summary",
            "towns",
            "sites",
            "requests",
            "profiles",
            "stockouts"
        ]
    );
    let summary = text_of(by_id(&doc, "summary"));
    assert!(summary.contains("1 个站点中有"), "{summary}");
    assert!(summary.contains("±15%"), "{summary}");
    assert!(
        summary.contains("缺电比例相差不超过 50 个百分点"),
        "{summary}"
    );
    let town = by_id(&doc, "towns")
        .descendants()
        .find(|n| n.attribute("data-town") == Some("碧城街道"))
        .map(|row| {
            row.children()
                .filter(|n| n.is_element())
                .map(text_of)
                .collect::<Vec<_>>()
        })
        .expect("a row for the town");
    assert_eq!(town[..2], ["碧城街道", "1"]);
}

/// The pilot's plan model as `weekly` reads it, with `adoption` at its
/// site, run and checked as `run --check` of the plan file would be: the
/// targets it misses, as `site: kpi`.
fn plan_misses_at(adoption: f64) -> Vec<String> {
    let mut model = scenarios::load(&pilot_plan().join("plan.toml")).expect("the plan loads");
    model.sites[0].swap_adoption = adoption;
    let result = sim_core::run(&model, 2);
    result
        .misses(&model.targets)
        .iter()
        .map(|m| format!("{}: {}", m.site, m.kpi))
        .collect()
}

/// Issue 14: "the adoption at which the plan stops holding (from the
/// plan's own targets)". The sample log runs about 37 % above the pilot's
/// plan; the search brackets the adoption where the planned sizing stops
/// meeting the plan's targets, and each end of the bracket is checked
/// here by a run of its own: the low end meets every target, the high end
/// misses one.
#[test]
fn records_weekly_headroom_brackets_the_adoption_at_which_the_plan_stops_holding() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_with_town(dir.path());
    let out = dir.path().join("week");
    let html = dir.path().join("weekly.html");
    let log = sample().display().to_string();
    let args = [
        "weekly",
        log.as_str(),
        "--plan",
        plan.to_str().unwrap(),
        "--week",
        "2024-W16",
        "--threads",
        "2",
    ];
    let (code, printed, err) = swapsim(args.into_iter().chain([
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--lang",
        "en",
    ]));
    assert_eq!(code, exit::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let site = &json["sites"][0];
    assert_eq!(site["above_plan"], true, "{site}");
    assert_eq!(site["adoption_planned"], 0.3);
    let h = &site["headroom"];
    let low = h["holds_up_to"].as_f64().expect("a bracket");
    let high = h["misses_at"].as_f64().expect("a bracket");
    assert!(
        0.3 <= low && low < high && high - low <= records::HEADROOM_RESOLUTION,
        "{h}"
    );
    // The plan's own settings: its check at its own adoption is the plan's.
    assert_eq!(
        (h["days"].as_u64(), h["replications"].as_u64()),
        (Some(28), Some(10))
    );
    // Each end, run on its own: the plan holds at the low end and misses
    // at the high end what the search says it misses.
    assert_eq!(plan_misses_at(low), Vec::<String>::new(), "{h}");
    let missed: Vec<String> = h["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    assert!(!missed.is_empty(), "{h}");
    assert_eq!(plan_misses_at(high), missed, "{h}");
    // Today's adoption as the plan counts subscribers: the week's less
    // the plan's 40 couriers, over its 1000 e-bikes.
    let today = site["adoption_today"].as_f64().unwrap();
    let subscribers = site["subscribers"].as_f64().unwrap();
    assert!(
        (today - (subscribers - 40.0) / 1000.0).abs() < 1e-12,
        "{site}"
    );

    // The page says it in the summary, in plain words.
    let page = fs::read_to_string(&html).unwrap();
    let doc = parse_html(&page);
    let summary = text_of(by_id(&doc, "summary"));
    let floor = format!("{:.2}", (low * 100.0 + 1e-7).floor() / 100.0);
    assert!(
        summary.contains(&format!(
            "Demand at 美吉鑫小区 runs {:.0}% above plan; the plan holds up to adoption {floor}",
            100.0
                * (site["requests"].as_f64().unwrap()
                    / site["planned_requests"][1].as_f64().unwrap()
                    - 1.0)
        )),
        "{summary}"
    );
    assert!(summary.contains(&format!("today {today:.2}")), "{summary}");
    // The week's demand, about 297 a day, is past the 222 or so at which
    // the plan stops holding: the page says so.
    let at_limit = h["requests_per_day"].as_f64().unwrap();
    assert!(site["requests"].as_f64().unwrap() / 7.0 > at_limit, "{h}");
    assert!(summary.contains("a day, already past it)"), "{summary}");
    let cell = by_id(&doc, "sites")
        .descendants()
        .find(|n| n.attribute("data-field") == Some("headroom"))
        .map(text_of);
    assert_eq!(cell, Some(format!("{low:.3} [{high:.3}]")));
    // The CSV and the workbook carry the bracket too.
    let (_, csv, _) = swapsim(args.into_iter().chain(["--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let field = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(field("headroom_holds_up_to"), low.to_string());
    assert_eq!(field("headroom_misses_at"), high.to_string());
    assert_eq!(field("adoption_today"), today.to_string());
    {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = calamine::open_workbook(out.join("weekly.xlsx")).unwrap();
        let range = book.worksheet_range("Week").unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let column = |name: &str| -> &Data {
            let at = rows[0]
                .iter()
                .position(|c| c == &Data::String(name.to_owned()))
                .unwrap_or_else(|| panic!("no column {name}"));
            &rows[1][at]
        };
        assert_eq!(column("Plan holds up to adoption"), &Data::Float(low));
        assert_eq!(column("Plan misses at adoption"), &Data::Float(high));
        assert_eq!(column("Adoption today"), &Data::Float(today));
    }

    // --headroom none runs nothing and says nothing of it.
    let (code, printed, err) =
        swapsim(
            args.into_iter()
                .chain(["--format", "json", "--headroom", "none"]),
        );
    assert_eq!(code, exit::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json["sites"][0]["headroom"], serde_json::Value::Null);
    // Below the plan's interval (a wide tolerance), the default searches
    // nothing; --headroom all searches every site.
    let wide = ["--tolerance", "0.5", "--format", "json"];
    let (_, printed, _) = swapsim(args.into_iter().chain(wide));
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json["sites"][0]["headroom"], serde_json::Value::Null);
    let (_, printed, _) = swapsim(args.into_iter().chain(wide).chain(["--headroom", "all"]));
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(
        json["sites"][0]["headroom"]["holds_up_to"].as_f64(),
        Some(low)
    );
}

/// Issue 14: `weekly --out` replaces a report already in DIR only with
/// `--force`, as `run --out` does; a plan's own files do not count.
#[test]
fn records_weekly_out_refuses_to_replace_a_report_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_with_town(dir.path());
    let plan = plan.to_str().unwrap();
    let log = sample().display().to_string();
    let args = [
        "weekly",
        log.as_str(),
        "--plan",
        plan,
        "--week",
        "2024-W14",
        "--headroom",
        "none",
        "--out",
        plan,
    ];
    // Into the plan's own directory: its files stay.
    let (code, _, err) = swapsim(args);
    assert_eq!(code, exit::SUCCESS, "{err}");
    let written = fs::read(Path::new(plan).join("weekly.json")).unwrap();
    assert!(Path::new(plan).join("plan.toml").exists());
    // Again, without --force: refused before anything is read or run.
    let other_week = args.map(|a| if a == "2024-W14" { "2024-W15" } else { a });
    let (code, out, err) = swapsim(other_week);
    assert_eq!(code, exit::ERROR);
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!(
            "error: --out '{plan}' already holds weekly.json, weekly.csv, weekly.xlsx: \
             pass --force to replace them\n"
        )
    );
    assert_eq!(
        fs::read(Path::new(plan).join("weekly.json")).unwrap(),
        written
    );
    // One file is enough to refuse.
    let lone = dir.path().join("lone");
    fs::create_dir(&lone).unwrap();
    fs::write(lone.join("weekly.xlsx"), "not mine").unwrap();
    let into_lone = args.map(|a| if a == plan { lone.to_str().unwrap() } else { a });
    let (code, _, err) = swapsim(into_lone);
    assert_eq!(code, exit::ERROR);
    assert!(
        err.ends_with("already holds weekly.xlsx: pass --force to replace it\n"),
        "{err}"
    );
    // With --force the week is replaced.
    let (code, _, err) = swapsim(other_week.into_iter().chain(["--force"]));
    assert_eq!(code, exit::SUCCESS, "{err}");
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(Path::new(plan).join("weekly.json")).unwrap()).unwrap();
    assert_eq!(json["week"], "2024-W15");
}

/// Issue 14: calibrate no longer refuses a scenario with its own
/// `[[group]]`s; it keeps them, applies the per-site estimates, and says
/// on stderr what it left.
#[test]
fn records_calibrate_keeps_a_scenarios_own_groups_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("groups.toml");
    let text = fs::read_to_string(pilot()).unwrap().replace(
        "# No [[group]]:",
        "[[group]]\nname = \"commuter\"\ndaily_km = 25\nwh_per_km = 16\ntrips_per_day = 2\n\
         profile = \"commuter\"\nswap_threshold_soc = 0.3\n\n[[group]]\nname = \"courier\"\n\
         daily_km = 120\nwh_per_km = 14\ntrips_per_day = 20\nprofile = \"courier\"\n\
         swap_threshold_soc = 0.2\nworks_across_district = true\n\n# Groups above:",
    );
    fs::write(&scenario, &text).unwrap();
    let calibrated = dir.path().join("calibrated.toml");
    let (code, _, err) = swapsim([
        "calibrate",
        sample().to_str().unwrap(),
        "--scenario",
        scenario.to_str().unwrap(),
        "--out",
        calibrated.to_str().unwrap(),
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(
        err.starts_with(
            "warning: the scenario declares its own [[group]]s ('commuter', 'courier'): kept as written"
        ),
        "{err}"
    );
    let model = scenarios::load(&calibrated).unwrap_or_else(|e| panic!("{e:?}"));
    // The log's 300 commuters on 1000 e-bikes, its 40 couriers.
    let site = &model.sites[0];
    assert!(
        (site.swap_adoption - 0.3).abs() < 0.01,
        "{}",
        site.swap_adoption
    );
    assert_eq!(site.couriers, [(1, 40)]);
    let (code, out, err) = swapsim(["check", calibrated.to_str().unwrap()]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(out.starts_with("ok: "), "{out}");
}

/// Issue 14: "Each estimate's interval and sample size goes in the comment
/// beside its key, so the report shows it as the source." The report of
/// the calibrated pilot showed the measured adoption with the comment of
/// the `[[site]]` value it replaced ("the pilot's target [E]").
#[test]
fn records_the_report_of_a_calibrated_scenario_cites_each_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let calibrated = dir.path().join("calibrated.toml");
    let (code, _, err) = swapsim([
        "calibrate",
        sample().to_str().unwrap(),
        "--scenario",
        &pilot(),
        "--out",
        calibrated.to_str().unwrap(),
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    let out = dir.path().join("out");
    let (code, _, err) = swapsim([
        "run",
        calibrated.to_str().unwrap(),
        "--days",
        "5",
        "--replications",
        "2",
        "--threads",
        "2",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    let html = dir.path().join("r.html");
    let (code, _, err) = swapsim([
        "report",
        out.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    let html = fs::read_to_string(&html).unwrap();
    let doc = parse_html(&html);
    let rows: Vec<Vec<String>> = doc
        .descendants()
        .filter(|n| n.has_tag_name("table") && n.attribute("class") == Some("assumptions"))
        .flat_map(|t| t.descendants().filter(|n| n.has_tag_name("tr")))
        .map(|tr| {
            tr.children()
                .filter(|c| c.has_tag_name("td"))
                .map(text_of)
                .collect()
        })
        .filter(|cells: &Vec<String>| cells.len() == 3)
        .collect();
    let row = |label: &str| {
        rows.iter()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("no row '{label}' in {rows:?}"))
    };
    // The adoption: 300 commuters of the log on the site's 1000 e-bikes,
    // with the interval and sample size calibrate wrote beside it.
    let adoption = row("Swap adoption");
    assert_eq!(adoption[1], "30 %");
    assert!(
        adoption[2].starts_with("300 of 340 users active 2024-03-25 to 2024-04-21")
            && adoption[2].contains("(95 % 0.798–0.926, n = 340 users)"),
        "{adoption:?}"
    );
    assert!(!adoption[2].contains("the pilot's target"), "{adoption:?}");
    // The couriers, replaced by the override as well.
    let couriers = row("Couriers (by group)");
    assert!(
        couriers[2].starts_with("40 users averaged 1.5 swaps a day or more")
            && couriers[2].contains("n = 340 users"),
        "{couriers:?}"
    );
    // The groups calibrate wrote: their comments, as before.
    let daily = row("Distance per day (commuter)");
    assert!(
        daily[2].contains("(95 % 0.636–0.685, n = 300 users)"),
        "{daily:?}"
    );
    let threshold = row("Swaps below SOC (courier)");
    assert!(
        threshold[2].starts_with("Charge at hand-in 15.0 % (95 % 14.8–15.2 %")
            && threshold[2].contains("n = 2661 swaps"),
        "{threshold:?}"
    );
    // What calibrate leaves alone keeps the pilot's own comment.
    assert_eq!(row("E-bikes")[2], "about 0.75 per household [S/E]");
}

/// The cell under header `name` of a sheet that has a header row and one
/// row of data.
fn only_row_cell<'a>(range: &'a calamine::Range<calamine::Data>, name: &str) -> &'a calamine::Data {
    let rows: Vec<&[calamine::Data]> = range.rows().collect();
    assert_eq!(rows.len(), 2, "a header and one row");
    let at = rows[0]
        .iter()
        .position(|c| c == &calamine::Data::String(name.to_owned()))
        .unwrap_or_else(|| panic!("no column {name}"));
    &rows[1][at]
}

/// A copy of the sample log with its line `index` (0 = the header)
/// replaced by `line`, in `dir`.
fn sample_with_line(dir: &Path, index: usize, line: &str) -> PathBuf {
    let mut lines: Vec<String> = fs::read_to_string(sample())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    lines[index] = line.to_owned();
    let path = dir.join("swaps.csv");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Audit of issue 14, A: a stray `"` swallowed the rest of the log into
/// one cell, and `--skip-bad-rows` then calibrated from the 7 rows before
/// it.
#[test]
fn records_an_unterminated_quote_stops_the_read_where_it_opens_even_with_skip_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let stray = "2024-03-25 08:00:00,美吉鑫小区,C01,U0001,BT1,35,BT2,98,\"success";
    let path = sample_with_line(dir.path(), 8, stray);
    let log = path.to_str().unwrap();
    let pilot = pilot();
    let expected = format!(
        "error: '{log}': row 9, column 9 (result): unterminated quote: the `\"` that opens \
         this cell never closes, so every row after it would be read as part of the cell; \
         close it, or double a quote inside a cell (`\"\"`); --skip-bad-rows cannot skip \
         it, as the rows after it would be lost\n"
    );
    for skip in [None, Some("--skip-bad-rows")] {
        let args = ["calibrate", log, "--scenario", &pilot];
        let (code, out, err) = swapsim(args.into_iter().chain(skip));
        assert_eq!(code, exit::ERROR, "{skip:?}: {out}");
        assert!(out.is_empty(), "nothing is written: {out}");
        assert_eq!(err, expected, "{skip:?}");
    }
}

/// Audit of issue 14, B: a UTF-16 log got the advice for GBK, and logs
/// separated by semicolons or tabs were told of a missing `time` column.
#[test]
fn records_utf16_semicolon_and_tab_logs_are_named_as_the_survey_import_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(sample()).unwrap();
    let pilot = pilot();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for (name, bytes, named) in [
        ("utf16.csv", utf16, "UTF-16 text"),
        (
            "semicolons.csv",
            text.replace(',', ";").into_bytes(),
            "separated by semicolons",
        ),
        (
            "tabs.csv",
            text.replace(',', "\t").into_bytes(),
            "separated by tabs",
        ),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let log = path.to_str().unwrap();
        let (code, _, err) = swapsim(["backtest", log, &pilot]);
        assert_eq!(code, exit::ERROR, "{name}");
        assert!(
            err.starts_with(&format!("error: '{log}' is {named}")),
            "{name}: {err}"
        );
        assert!(!err.contains("GBK") && !err.contains("no column"), "{err}");
    }
}

/// Audit of issue 14, C: `cabinets_seen` counted the whole log's cabinets
/// in every week, not those seen up to the week's end.
#[test]
fn records_weekly_counts_the_cabinets_seen_up_to_the_weeks_end() {
    let dir = tempfile::tempdir().unwrap();
    // In 2024-W13 (25 to 31 March) the pilot ran C01–C03 only.
    let text: String = fs::read_to_string(sample())
        .unwrap()
        .lines()
        .map(|line| {
            let line = if line.starts_with("2024-03-") {
                line.replacen(",C04,", ",C01,", 1)
                    .replacen(",C05,", ",C02,", 1)
                    .replacen(",C06,", ",C03,", 1)
            } else {
                line.to_owned()
            };
            line + "\n"
        })
        .collect();
    let path = dir.path().join("swaps.csv");
    fs::write(&path, text).unwrap();
    let plan = pilot_plan();
    for (week, cabinets) in [("2024-W13", 3), ("2024-W14", 6), ("2024-W16", 6)] {
        let (code, json, err) = swapsim([
            "weekly",
            path.to_str().unwrap(),
            "--plan",
            plan.to_str().unwrap(),
            "--week",
            week,
            "--headroom",
            "none",
            "--format",
            "json",
        ]);
        assert_eq!(code, exit::SUCCESS, "{err}");
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["sites"][0]["cabinets_seen"], cabinets, "{week}");
    }
}

/// Audit of issue 14, D: a week outside the log reported 0 requests,
/// "−100 %" growth and no site above the plan, with exit 0.
#[test]
fn records_weekly_refuses_a_week_outside_the_log_naming_its_first_and_last_week() {
    let log = sample().display().to_string();
    let plan = pilot_plan();
    for (week, from, to) in [
        ("2024-W12", "2024-03-18", "2024-03-24"),
        ("2024-W17", "2024-04-22", "2024-04-28"),
        ("2025-W14", "2025-03-31", "2025-04-06"),
    ] {
        let (code, out, err) = swapsim([
            "weekly",
            &log,
            "--plan",
            plan.to_str().unwrap(),
            "--week",
            week,
        ]);
        assert_eq!(code, exit::ERROR, "{week}: {out}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(
            err,
            format!(
                "error: '{log}': --week {week} ({from} to {to}) is outside the log, which runs \
                 from 2024-W13 (2024-03-25) to 2024-W16 (2024-04-21): expected a week from \
                 2024-W13 to 2024-W16\n"
            )
        );
    }
}

/// Audit of issue 14, E: one row dated 9999-12-31 stretched the window to
/// millions of days, and `calibrate` wrote 0.000 swaps a day, exit 0.
#[test]
fn records_a_row_far_outside_the_logs_dates_is_a_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = "9999-12-31 23:59:00,美吉鑫小区,C01,U0001,BT1,35,BT2,98,success";
    let path = sample_with_line(dir.path(), 100, wrong);
    let log = path.to_str().unwrap();
    let pilot = pilot();
    let (code, out, err) = swapsim(["calibrate", log, "--scenario", &pilot]);
    assert_eq!(code, exit::ERROR, "{out}");
    assert_eq!(
        err,
        format!(
            "{log}: row 101, column 1 (time): more than 31 days from the rest of the log \
             (2024-03-25 to 2024-04-21): expected a time from 2024-02-23 to 2024-05-22, \
             found '9999-12-31 23:59:00'\n\
             error: '{log}': 1 row cannot be read (--skip-bad-rows skips them)\n"
        )
    );
    let (code, out, err) = swapsim(["calibrate", log, "--scenario", &pilot, "--skip-bad-rows"]);
    assert_eq!(code, exit::SUCCESS, "{err}");
    assert!(
        err.contains("row 101, column 1 (time): more than 31 days"),
        "{err}"
    );
    assert!(out.contains("couriers = { courier = 40 }"), "{out}");
    let e = estimates_of_skipping(&path);
    assert_eq!((e.first_day.as_str(), e.days), ("2024-03-25", 28));
}

fn estimates_of_skipping(path: &Path) -> Estimates {
    let options = ReadOptions {
        skip_bad_rows: true,
        sheet: None,
    };
    let log = read_log(path, &options).expect("the log reads");
    estimate(&log.tally, records::DEFAULT_COURIER_THRESHOLD)
}

/// Audit of issue 14, F: `backtest` and `calibrate --check` ran without
/// the resource check of `run`, and judged one replication's interval of
/// zero width.
#[test]
fn records_backtest_and_calibrate_check_keep_runs_bounds_and_two_replications() {
    let log = sample().display().to_string();
    let pilot = pilot();
    let backtest = ["backtest", log.as_str(), pilot.as_str(), "--days", "8"];
    let check = [
        "calibrate",
        log.as_str(),
        "--scenario",
        pilot.as_str(),
        "--check",
        "--days",
        "8",
    ];
    for (args, command) in [
        (&backtest[..], "backtest"),
        (&check[..], "calibrate --check"),
    ] {
        let (code, out, err) =
            swapsim(
                args.iter()
                    .copied()
                    .chain(["--replications", "2", "--max-memory", "1K"]),
            );
        assert_eq!(code, exit::ERROR, "{command}: {out}{err}");
        assert!(
            err.starts_with(&format!("error: '{pilot}': `{command}` would need about ")),
            "{err}"
        );
        assert!(err.contains("past --max-memory 1.0 KB"), "{err}");
        let (code, out, err) = swapsim(args.iter().copied().chain(["--replications", "1"]));
        assert_eq!(code, exit::ERROR, "{command}: {out}{err}");
        assert!(
            err.starts_with(&format!(
                "error: `{command}` needs at least 2 replications, found 1 in '{pilot}'"
            )),
            "{err}"
        );
    }
}
