//! `swapsim calibrate` and `swapsim backtest`: a swap log against a
//! scenario. The reading, estimating and writing live in the `records`
//! crate; this module parses nothing but arguments and prints.

use std::path::Path;

use records::{Backtest, Estimates, Log, ReadOptions};
use sim_core::Model;

use crate::args::{
    BacktestArgs, CalibrateArgs, Format, Headroom, LogArgs, Overrides, Threads, WeeklyArgs,
};
use crate::error::Error;
use crate::streams::Streams;
use crate::{Status, config, output, table, threads, workbook};

/// Reads the log, telling what `--skip-bad-rows` skipped on stderr.
fn read_log(path: &Path, args: &LogArgs, streams: &mut Streams<'_>) -> Result<Log, Error> {
    let options = ReadOptions {
        skip_bad_rows: args.skip_bad_rows,
        sheet: args.sheet_name.clone(),
    };
    let log = records::read_log(path, &options)?;
    if log.skipped_rows > 0 {
        for problem in &log.problems {
            streams.tell(format_args!("warning: {problem}"));
        }
        streams.tell(format_args!(
            "warning: {}: skipped {} unreadable row{} (--skip-bad-rows), read {}",
            log.file,
            log.skipped_rows,
            if log.skipped_rows == 1 { "" } else { "s" },
            log.tally.rows
        ));
    }
    Ok(log)
}

/// Loads a scenario with `--seed`, `--replications` and `--days` applied.
fn load(path: &Path, overrides: &Overrides) -> Result<Model, Error> {
    let mut model = config::load(path)?.model;
    config::apply(&mut model, overrides, path)?;
    Ok(model)
}

/// Refuses a backtest run of `model` as `run --check` refuses its run:
/// fewer than 2 replications (an interval of zero width would be judged),
/// or an estimate past `--max-memory` or the events a run may take.
fn check_run(
    scenario: &Path,
    command: &'static str,
    model: &Model,
    threads: &Threads,
) -> Result<(), Error> {
    if model.replications < config::MIN_CHECKED_REPLICATIONS {
        return Err(Error::TooFewReplications {
            scenario: scenario.to_owned(),
            command,
            replications: model.replications,
            hint: "pass --replications 2 or more, or set the scenario's `replications`",
        });
    }
    crate::limits::check(
        scenario,
        command,
        model,
        model.replications,
        threads.n,
        &threads.limits,
    )?;
    Ok(())
}

/// `swapsim calibrate LOG --scenario S.toml [--out FILE] [--check]`.
pub(crate) fn calibrate(args: &CalibrateArgs, streams: &mut Streams<'_>) -> Result<Status, Error> {
    // Before the log is read and the check runs, as `run` checks --out.
    if let Some(path) = &args.out {
        output::check_file_writable(path)?;
    }
    let log = read_log(&args.log, &args.read, streams)?;
    let estimates = records::estimate(&log.tally, args.courier_threshold);
    let source = config::read(&args.scenario)?;
    let model = config::load(&args.scenario)?.model;
    let options = records::CalibrateOptions {
        partial: args.partial,
        log_name: file_name(&args.log),
    };
    let calibrated = records::calibrate(&source, &model, &estimates, &options)?;
    for warning in &calibrated.warnings {
        streams.tell(format_args!("warning: {warning}"));
    }
    for site in &calibrated.log_only {
        streams.tell(format_args!(
            "warning: site '{site}' is in the log but not the scenario: skipped (--partial)"
        ));
    }
    for site in &calibrated.scenario_only {
        streams.tell(format_args!(
            "warning: site '{site}' is in the scenario but not the log: kept as it is (--partial)"
        ));
    }
    // The file must pass `swapsim check`; a failure here is a bug, told
    // as the scenario's diagnostics.
    let name = args.scenario.display().to_string();
    let mut checked =
        scenarios::parse_with(&calibrated.text, &name, &|p| std::fs::read_to_string(p))
            .map_err(|d| Error::Load(scenarios::LoadError::Invalid(d)))?;
    config::apply(&mut checked, &args.overrides, &args.scenario)?;
    // Before anything is written: the calibrated scenario is what runs.
    if args.check {
        check_run(&args.scenario, "calibrate --check", &checked, &args.threads)?;
    }
    match &args.out {
        Some(path) => {
            output::write_file_atomically(path, calibrated.text.as_bytes())?;
            streams.out(&estimates_table(&estimates))?;
            streams.say(format_args!("wrote {}", path.display()));
        }
        None if !args.check => streams.out(&calibrated.text)?,
        // A dry run: what the log measures and how the result fits it.
        None => streams.out(&estimates_table(&estimates))?,
    }
    if !args.check {
        return Ok(Status::Success);
    }
    let result = sim_core::run(&checked, threads(args.threads.n));
    streams.out("\n")?;
    let fits = records::backtest(
        &checked,
        &result,
        &estimates,
        args.tolerance.tolerance,
        args.tolerance.stockout_tolerance,
    );
    streams.out(&backtest_table(&fits))?;
    Ok(status(&fits, streams))
}

/// `swapsim backtest LOG SCENARIO.toml`.
pub(crate) fn backtest(args: &BacktestArgs, streams: &mut Streams<'_>) -> Result<Status, Error> {
    // The run's bounds first, before a log of millions of rows is read.
    let model = load(&args.scenario, &args.overrides)?;
    check_run(&args.scenario, "backtest", &model, &args.threads)?;
    // The report is written after the run: its path is checked before
    // the log is read and the run starts, as `run --html` checks it.
    if let Some(path) = &args.html {
        output::check_file_writable(path)?;
    }
    let log = read_log(&args.log, &args.read, streams)?;
    let estimates = records::estimate(&log.tally, records::DEFAULT_COURIER_THRESHOLD);
    if !estimates
        .sites
        .iter()
        .any(|e| model.sites.iter().any(|s| s.name == e.site))
    {
        return Err(records::CalibrateError::NoSharedSite {
            log_sites: estimates.sites.iter().map(|e| e.site.clone()).collect(),
        }
        .into());
    }
    let result = sim_core::run(&model, threads(args.threads.n));
    let fits = records::backtest(
        &model,
        &result,
        &estimates,
        args.tolerance.tolerance,
        args.tolerance.stockout_tolerance,
    );
    let text = match args.format {
        Format::Table => backtest_table(&fits),
        // Serialising plain numbers and strings cannot fail.
        Format::Json => serde_json::to_string_pretty(&fits).unwrap_or_default() + "\n",
        Format::Csv => backtest_csv(&fits),
    };
    if let Some(path) = &args.html {
        let page = report::render_backtest_html(
            &fits,
            &model.name,
            &file_name(&args.log),
            args.lang.into(),
        );
        output::write_file_atomically(path, page.as_bytes())?;
        streams.say(format_args!("wrote {} (backtest report)", path.display()));
    }
    streams.out(&text)?;
    Ok(status(&fits, streams))
}

/// Success when every site fits; otherwise the misses on stderr.
fn status(fits: &Backtest, streams: &mut Streams<'_>) -> Status {
    for site in &fits.log_only {
        streams.tell(format_args!(
            "warning: site '{site}' is in the log but not the scenario: not compared"
        ));
    }
    let mut missed = false;
    for fit in fits.sites.iter().filter(|f| !f.pass) {
        missed = true;
        for miss in &fit.misses {
            streams.tell(format_args!("missed: site '{}': {miss}", fit.site));
        }
    }
    if missed {
        Status::TargetsMissed
    } else {
        Status::Success
    }
}

/// The file name of `path`, for the calibrated block's comment.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// What the log measures, one row per site.
fn estimates_table(e: &Estimates) -> String {
    let mut out = format!(
        "swap log {} to {} ({} days); couriers: {} swaps a day or more\n\n",
        e.first_day, e.last_day, e.days, e.courier_threshold
    );
    let mut rows = vec![vec![
        "site".to_owned(),
        "subscribers".to_owned(),
        "couriers".to_owned(),
        "swaps/sub/day".to_owned(),
        "requests/day".to_owned(),
        "hand-in SOC".to_owned(),
        "stockout".to_owned(),
        "cabinets".to_owned(),
    ]];
    for s in &e.sites {
        rows.push(vec![
            s.site.clone(),
            s.subscribers.to_string(),
            format!(
                "{} ({:.1} %)",
                s.couriers.users,
                100.0 * s.courier_share.value
            ),
            format!(
                "{:.3} [{:.3}, {:.3}]",
                s.swaps_per_subscriber_day.value,
                s.swaps_per_subscriber_day.low,
                s.swaps_per_subscriber_day.high
            ),
            format!(
                "{:.1} [{:.1}, {:.1}]",
                s.requests_per_day.value, s.requests_per_day.low, s.requests_per_day.high
            ),
            {
                let all = &s.commuters.hand_in;
                format!("{:.1} %", 100.0 * all.mean.value)
            },
            s.stockout_share
                .map_or("-".to_owned(), |x| format!("{:.2} %", 100.0 * x.value)),
            s.cabinets.len().to_string(),
        ]);
    }
    table::write_aligned(&mut out, &rows);
    out
}

/// The fits, one row per site, with the tolerances above.
fn backtest_table(b: &Backtest) -> String {
    let stockout = match b.stockout_tolerance {
        Some(t) => format!("stockout share within ±{:.1} points", 100.0 * t),
        None => "stockout share shown, not judged".to_owned(),
    };
    let mut out = format!(
        "backtest: requests a day within ±{:.0} % (or inside the simulated 95 % interval), \
         hourly profile within {} (total variation), {stockout}\n\n",
        100.0 * b.tolerance,
        b.profile_tolerance,
    );
    let mut rows = vec![vec![
        "site".to_owned(),
        "requests/day observed".to_owned(),
        "simulated [95 %]".to_owned(),
        "miss".to_owned(),
        "profile TVD".to_owned(),
        "stockout obs".to_owned(),
        "sim".to_owned(),
        "fit".to_owned(),
    ]];
    for f in &b.sites {
        let sim = f.simulated_requests_per_day;
        rows.push(vec![
            f.site.clone(),
            format!("{:.1}", f.observed_requests_per_day.value),
            format!(
                "{:.1} [{:.1}, {:.1}]",
                sim.mean, sim.ci95_low, sim.ci95_high
            ),
            format!("{:+.1} %", 100.0 * f.requests_miss),
            format!("{:.3}", f.profile_distance),
            f.observed_stockout
                .map_or("-".to_owned(), |x| format!("{:.2} %", 100.0 * x)),
            format!("{:.2} %", 100.0 * f.simulated_stockout),
            if f.pass { "ok" } else { "MISS" }.to_owned(),
        ]);
    }
    table::write_aligned(&mut out, &rows);
    out
}

/// The fits as CSV, one row per site.
fn backtest_csv(b: &Backtest) -> String {
    let header = [
        "site",
        "observed_requests_per_day",
        "simulated_requests_per_day",
        "simulated_ci95_low",
        "simulated_ci95_high",
        "requests_miss",
        "profile_distance",
        "observed_stockout",
        "simulated_stockout",
        "pass",
    ];
    let rows: Vec<Vec<String>> = b
        .sites
        .iter()
        .map(|f| {
            let sim = f.simulated_requests_per_day;
            vec![
                f.site.clone(),
                f.observed_requests_per_day.value.to_string(),
                sim.mean.to_string(),
                sim.ci95_low.to_string(),
                sim.ci95_high.to_string(),
                f.requests_miss.to_string(),
                f.profile_distance.to_string(),
                f.observed_stockout.map_or(String::new(), |x| x.to_string()),
                f.simulated_stockout.to_string(),
                f.pass.to_string(),
            ]
        })
        .collect();
    output::csv_text(&header, &rows)
}

/// `weekly --out`'s JSON, as `--format json` prints it.
const WEEKLY_JSON_FILE: &str = "weekly.json";
/// `weekly --out`'s CSV, as `--format csv` prints it, with a BOM.
const WEEKLY_CSV_FILE: &str = "weekly.csv";

/// `weekly --out`'s files, which it refuses to replace without `--force`.
const WEEKLY_FILES: [&str; 3] = [WEEKLY_JSON_FILE, WEEKLY_CSV_FILE, workbook::WEEKLY_FILE];

/// `swapsim weekly LOG --plan PLANDIR --week 2024-W14`.
pub(crate) fn weekly(args: &WeeklyArgs, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let monday =
        records::iso_week(&args.week).map_err(|m| Error::Weekly(format!("--week: {m}")))?;
    // Both outputs are written after the headroom search's runs: checked
    // before the log is read and anything runs, as `run` checks them.
    if let Some(dir) = &args.out {
        check_weekly_out(dir, args.force)?;
    }
    if let Some(path) = &args.html {
        output::check_file_writable(path)?;
    }
    let log = read_log(&args.log, &args.read, streams)?;
    let plan_path = args.plan.join(output::PLAN_TOML_FILE);
    let plan = config::load(&plan_path)?.model;
    let summary_path = args.plan.join("summary.json");
    let summary = config::read(&summary_path)?;
    let predicted = predicted(&summary).map_err(|e| {
        Error::Weekly(format!(
            "'{}' is not the summary.json of a run or plan: {e}",
            summary_path.display()
        ))
    })?;
    let mut week = records::weekly(
        &log.tally,
        monday,
        &args.week,
        &plan,
        &predicted,
        args.tolerance,
    )
    .map_err(|source| Error::Week {
        log: args.log.clone(),
        source,
    })?;
    for site in &week.unplanned {
        streams.tell(format_args!(
            "warning: site '{site}' is in the log but not the plan: not reported"
        ));
    }
    search_headroom(&mut week, &plan, &plan_path, args, streams)?;
    let text = match args.format {
        Format::Table => weekly_table(&week),
        // Serialising plain numbers and strings cannot fail.
        Format::Json => serde_json::to_string_pretty(&week).unwrap_or_default() + "\n",
        Format::Csv => weekly_csv(&week),
    };
    if let Some(dir) = &args.out {
        // Written one by one, not through `output::write_dir`: that removes
        // other commands' result files, and a weekly report may well go
        // into the plan's own directory.
        let json = serde_json::to_string_pretty(&week).unwrap_or_default() + "\n";
        let files = [
            (WEEKLY_JSON_FILE, json.into_bytes()),
            (
                WEEKLY_CSV_FILE,
                output::with_bom(weekly_csv(&week).as_bytes()),
            ),
            (
                workbook::WEEKLY_FILE,
                workbook::weekly(&week, args.lang.into()),
            ),
        ];
        for (name, contents) in &files {
            output::write_atomically(dir, name, contents)?;
            streams.say(format_args!("wrote {}", dir.join(name).display()));
        }
    }
    if let Some(path) = &args.html {
        let page = report::render_weekly_html(&week, &plan.name, args.lang.into());
        output::write_file_atomically(path, page.as_bytes())?;
        streams.say(format_args!("wrote {} (weekly report)", path.display()));
    }
    streams.out(&text)?;
    Ok(Status::Success)
}

/// Refuses an `--out` directory that already holds a weekly report
/// unless `force` (checked before anything is read or run, as `run
/// --out` checks its directory); the directory's other files, a plan's
/// say, do not count. With `force`, killed runs' temp files are cleared.
fn check_weekly_out(dir: &Path, force: bool) -> Result<(), Error> {
    let there: Vec<&'static str> = WEEKLY_FILES
        .into_iter()
        .filter(|name| dir.join(name).symlink_metadata().is_ok())
        .collect();
    if !there.is_empty() && !force {
        return Err(Error::OutExists {
            dir: dir.to_owned(),
            files: there,
        });
    }
    output::check_dir_writable(dir)?;
    if force {
        output::remove_stale_temps(dir)?;
    }
    Ok(())
}

/// Searches, per `--headroom`, the adoption at which the plan stops
/// holding at each site, and sets it in `week`.
fn search_headroom(
    week: &mut records::Weekly,
    plan: &Model,
    plan_path: &Path,
    args: &WeeklyArgs,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    let searched: Vec<usize> = (0..week.sites.len())
        .filter(|&i| match args.headroom {
            Headroom::Above => week.sites[i].above_plan,
            Headroom::All => true,
            Headroom::None => false,
        })
        .collect();
    if searched.is_empty() {
        return Ok(());
    }
    // The largest run the search makes: every searched site at adoption 1.
    let mut largest = plan.clone();
    for site in &mut largest.sites {
        if searched.iter().any(|&i| week.sites[i].site == site.name) {
            site.swap_adoption = 1.0;
        }
    }
    crate::limits::check(
        plan_path,
        "weekly",
        &largest,
        largest.replications,
        args.threads.n,
        &args.threads.limits,
    )?;
    let n = threads(args.threads.n);
    for i in searched {
        let site = &mut week.sites[i];
        site.headroom = records::headroom(plan, &site.site, &mut |m| sim_core::run(m, n));
        if let Some(h) = &site.headroom {
            streams.say(format_args!(
                "headroom of {}: {} runs of {} days × {} replications",
                site.site, h.runs, h.days, h.replications
            ));
        }
    }
    Ok(())
}

/// What a run's `summary.json` predicts per site, read back as the
/// `RunResult` it was written from.
fn predicted(summary: &str) -> Result<Vec<records::Predicted>, serde_json::Error> {
    let result: sim_core::RunResult = serde_json::from_str(summary)?;
    Ok(result
        .sites
        .iter()
        .map(|site| records::Predicted {
            site: site.name.clone(),
            requests_per_day: site.kpis.swap_requests_per_day,
            stockout_probability: site.kpis.stockout_probability.mean,
        })
        .collect())
}

/// The week, one row per site, then the actions.
fn weekly_table(w: &records::Weekly) -> String {
    let mut out = format!(
        "week {} ({} to {}) against the plan; above it: past its 95 % interval by more than {:.0} %\n\n",
        w.week,
        w.from,
        w.to,
        100.0 * w.tolerance
    );
    let mut rows = vec![vec![
        "site".to_owned(),
        "town".to_owned(),
        "requests".to_owned(),
        "plan [95 %]".to_owned(),
        "vs last week".to_owned(),
        "subscribers".to_owned(),
        "plan".to_owned(),
        "stockouts".to_owned(),
        "plan".to_owned(),
        "cabinets".to_owned(),
        "plan".to_owned(),
        "adoption".to_owned(),
        "today".to_owned(),
        "plan holds to [misses at]".to_owned(),
    ]];
    for s in &w.sites {
        let (low, mean, high) = s.planned_requests;
        rows.push(vec![
            s.site.clone(),
            if s.town.is_empty() {
                "-".to_owned()
            } else {
                s.town.clone()
            },
            s.requests.to_string(),
            format!("{mean:.0} [{low:.0}, {high:.0}]"),
            s.growth
                .map_or("-".to_owned(), |g| format!("{:+.1} %", 100.0 * g)),
            s.subscribers.to_string(),
            {
                let (low, high) = s.planned_subscribers_interval;
                format!("{:.0} [{low:.0}, {high:.0}]", s.planned_subscribers)
            },
            s.stockouts.to_string(),
            {
                let (low, high) = s.planned_stockouts_interval;
                format!("{:.0} [{low:.0}, {high:.0}]", s.planned_stockouts)
            },
            s.cabinets_seen.to_string(),
            s.cabinets_planned.to_string(),
            format!("{:.3}", s.adoption_planned),
            s.adoption_today
                .map_or("-".to_owned(), |a| format!("{a:.3}")),
            s.headroom.as_ref().map_or("-".to_owned(), |h| {
                let end = |a: Option<f64>| a.map_or("-".to_owned(), |a| format!("{a:.3}"));
                format!("{} [{}]", end(h.holds_up_to), end(h.misses_at))
            }),
        ]);
    }
    table::write_aligned(&mut out, &rows);
    let actions: Vec<&records::SiteWeek> =
        w.sites.iter().filter(|s| !s.action.is_empty()).collect();
    if actions.is_empty() {
        out.push_str("\nno site runs above the plan\n");
    } else {
        out.push_str("\nactions:\n");
        for s in actions {
            out.push_str(&format!("  {}: {}\n", s.site, s.action));
            if let Some(line) = headroom_line(s) {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    out
}

/// Where the plan stops holding at a site, in a line, or `None` when it
/// was not searched.
fn headroom_line(s: &records::SiteWeek) -> Option<String> {
    let h = s.headroom.as_ref()?;
    let today = s
        .adoption_today
        .map_or(String::new(), |a| format!(", today {a:.3}"));
    Some(match (h.holds_up_to, h.misses_at) {
        (Some(low), Some(high)) => format!(
            "the plan holds up to adoption {low:.3} (about {:.0} requests a day; at {high:.3} it \
             misses {}){today}; planned {:.3}; this week {:.0} requests a day{}",
            h.requests_per_day.unwrap_or(0.0),
            h.missed.join(", "),
            s.adoption_planned,
            s.requests_per_day(),
            if s.past_headroom() {
                ", already past what the plan holds"
            } else {
                ""
            }
        ),
        (Some(_), None) => {
            format!("the plan holds even at adoption 1, every e-bike subscribed{today}")
        }
        (None, _) => format!(
            "the plan misses its targets even at adoption 0 ({}){today}",
            h.missed.join(", ")
        ),
    })
}

/// The week as CSV, one row per site.
fn weekly_csv(w: &records::Weekly) -> String {
    let header = [
        "week",
        "site",
        "town",
        "requests",
        "planned_requests",
        "planned_ci95_low",
        "planned_ci95_high",
        "requests_last_week",
        "growth",
        "subscribers",
        "planned_subscribers",
        "stockouts",
        "planned_stockouts",
        "cabinets_seen",
        "cabinets_planned",
        "above_plan",
        "action",
        "adoption_planned",
        "adoption_today",
        "headroom_holds_up_to",
        "headroom_misses_at",
        "headroom_requests_per_day",
        "headroom_missed",
        "planned_subscribers_ci95_low",
        "planned_subscribers_ci95_high",
        "planned_stockouts_ci95_low",
        "planned_stockouts_ci95_high",
    ];
    let rows: Vec<Vec<String>> = w
        .sites
        .iter()
        .map(|s| {
            let h = s.headroom.as_ref();
            let opt = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
            vec![
                w.week.clone(),
                s.site.clone(),
                s.town.clone(),
                s.requests.to_string(),
                s.planned_requests.1.to_string(),
                s.planned_requests.0.to_string(),
                s.planned_requests.2.to_string(),
                s.requests_last_week
                    .map_or(String::new(), |r| r.to_string()),
                s.growth.map_or(String::new(), |g| g.to_string()),
                s.subscribers.to_string(),
                s.planned_subscribers.to_string(),
                s.stockouts.to_string(),
                s.planned_stockouts.to_string(),
                s.cabinets_seen.to_string(),
                s.cabinets_planned.to_string(),
                s.above_plan.to_string(),
                s.action.clone(),
                s.adoption_planned.to_string(),
                opt(s.adoption_today),
                opt(h.and_then(|h| h.holds_up_to)),
                opt(h.and_then(|h| h.misses_at)),
                opt(h.and_then(|h| h.requests_per_day)),
                h.map_or(String::new(), |h| h.missed.join("; ")),
                s.planned_subscribers_interval.0.to_string(),
                s.planned_subscribers_interval.1.to_string(),
                s.planned_stockouts_interval.0.to_string(),
                s.planned_stockouts_interval.1.to_string(),
            ]
        })
        .collect();
    output::csv_text(&header, &rows)
}
