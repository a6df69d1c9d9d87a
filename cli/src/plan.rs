//! `swapsim plan`: the cheapest deployment that meets the scenario's
//! targets, as a sizing table, JSON or CSV, and as a scenario file.

use std::fmt::Write as _;
use std::time::Instant;

use sim_core::planner::{Plan, SitePlan};
use sim_core::{Estimate, Model};

use crate::args::PlanFormat;
use crate::config::PlanConfig;
use crate::error::Error;
use crate::output;
use crate::streams::{Bar, Streams};
use crate::table::{cell, label, plural, write_aligned};
use crate::{Status, count, html, run, workbook};

/// Runs the planner, writes the `--out` files and the `--html` report, and
/// prints the plan. An infeasible plan is still printed and written; its
/// problems go to stderr and the status says targets were missed.
///
/// `--out` holds the plan three ways (`plan.toml`, `plan.json`,
/// `plan.csv`) and the run files of its final evaluation, so that
/// `swapsim report DIR` shows the plan with its KPIs and charts.
pub(crate) fn plan(config: &PlanConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let model = &config.model;
    streams.say(format_args!(
        "planning '{}': {}, {} per replication, on {}",
        config.scenario.display(),
        count(model.sites.len() as u64, "site"),
        count(u64::from(model.days), "day"),
        count(crate::threads(config.threads) as u64, "thread"),
    ));
    let started = Instant::now();
    let bar = Bar::plan(streams, model.days);
    let plan = sim_core::planner::plan(model, config.threads, &bar);
    bar.clear();
    streams.say(format_args!(
        "planned in {:.2} s: {}, {}",
        started.elapsed().as_secs_f64(),
        count(u64::from(plan.simulations), "simulation"),
        count(plan.replications, "replication"),
    ));

    let json = json(model, &plan);
    let csv = csv(model, &plan);
    // The planned deployment with the scenario's sources; the sizing is
    // the planner's.
    let context = html::context(&config.scenario, &plan.model, &config.comments).planned();
    let input = || report::ReportInput {
        context: context.clone(),
        ..report::ReportInput::from_plan(&plan, model)
    };
    // The source is read exactly when there is an `--out`.
    let files = config.source.as_ref().map(|source| {
        let toml = scenarios::plan_file(source, &plan);
        let mut files = vec![
            (output::PLAN_TOML_FILE, toml.into_bytes()),
            (report::PLAN_FILE, json.clone().into_bytes()),
            (output::PLAN_CSV_FILE, output::with_bom(csv.as_bytes())),
        ];
        let file = config.scenario.display().to_string();
        let book = workbook::plan(&file, model, &plan, config.reports.lang);
        files.push((workbook::PLAN_FILE, book));
        // The final evaluation ran the planned deployment, not `model`.
        files.extend(output::run_files(&plan.result, &context));
        // The plan file names the scenario's site tables as it does; a
        // table named as one of the plan's own files is not copied.
        for (name, text) in &config.site_tables {
            if files.iter().all(|(n, _)| *n != name.as_str()) {
                files.push((name.as_str(), text.clone().into_bytes()));
            }
        }
        files
    });
    let out = config.out.as_deref().zip(files.as_deref());
    html::write_result(out, &config.reports, input, streams)?;
    let text = match config.format {
        PlanFormat::Table => table(model, &plan, config.all_sites),
        PlanFormat::Json => json,
        PlanFormat::Csv => csv,
    };
    streams.out(&text)?;
    if plan.feasible {
        return Ok(Status::Success);
    }
    for problem in &plan.problems {
        streams.tell(format_args!("plan infeasible: {problem}"));
    }
    Ok(Status::TargetsMissed)
}

/// The sizing table for people: one row per site, each target's KPI with
/// its interval and ✓ or ✗, then why units were kept and the total.
///
/// A plan of more than [`run::MANY_SITES`] sites shows the
/// [`run::WORST_SITES`] closest to a limit (unless `all_sites`), worst
/// first, and says how many it left out; the total covers every site.
fn table(model: &Model, plan: &Plan, all_sites: bool) -> String {
    let mut out = String::new();
    let measured = model.days.saturating_sub(model.warmup_days);
    let _ = writeln!(
        out,
        "{}: plan at seed {}, {} measured {} per replication ({} warm-up {} discarded)",
        model.name,
        model.seed,
        measured,
        plural(measured, "day", "days"),
        model.warmup_days,
        plural(model.warmup_days, "day", "days"),
    );
    let _ = writeln!(
        out,
        "a target is met (✓) when the upper end of the 95% interval is within its limit"
    );
    out.push('\n');

    let targets = set_targets(model);
    // The charger column only when the plan chose chargers.
    let chargers = plan.sites.iter().any(|s| s.charger_power_w.is_some());
    let mut header: Vec<String> = ["site", "cabinets × slots", "batteries"]
        .map(str::to_owned)
        .to_vec();
    if chargers {
        header.push("charger [W]".to_owned());
    }
    header.extend(["pile ports", "transformer [kVA]", "annual cost [CNY/yr]"].map(str::to_owned));
    for &(kpi, limit) in &targets {
        let label = label(kpi);
        header.push(format!("{} ≤ {}", label.text, number(limit * label.scale)));
    }
    let mut rows = vec![header];
    let n = plan.sites.len();
    let shown: Vec<&SitePlan> = if all_sites || n <= run::MANY_SITES {
        plan.sites.iter().collect()
    } else {
        closest_to_limit(plan, run::WORST_SITES)
            .into_iter()
            .map(|s| &plan.sites[s])
            .collect()
    };
    for &site in &shown {
        let mut row = vec![
            site.name.clone(),
            format!("{} × {}", site.cabinets, site.slots_per_cabinet),
            site.batteries.to_string(),
        ];
        if chargers {
            row.push(site.charger_power_w.map_or_else(|| "–".to_owned(), number));
        }
        row.extend([
            site.pile_ports.to_string(),
            transformer(site),
            format!("{:.0}", site.annual_cost_cny),
        ]);
        for &(kpi, _) in &targets {
            let shown = site.targets.iter().find(|t| t.kpi == kpi).map_or_else(
                || "–".to_owned(),
                |t| {
                    let mark = if t.met { "✓" } else { "✗" };
                    format!("{} {mark}", cell(t.estimate, label(kpi).scale))
                },
            );
            row.push(shown);
        }
        rows.push(row);
    }
    write_aligned(&mut out, &rows);
    if shown.len() < n {
        let _ = writeln!(
            out,
            "\nshown: the {} closest to a target's limit by the upper 95% bound; \
             {} of {n} left out: pass --all-sites to show every site",
            count(shown.len() as u64, "site"),
            n - shown.len(),
        );
    }

    if shown.iter().any(|s| !s.kept_because.is_empty()) {
        let _ = writeln!(out, "\nkept because:");
        for site in &shown {
            for why in &site.kept_because {
                let _ = writeln!(out, "  {}: {why}", site.name);
            }
        }
    }
    let _ = writeln!(
        out,
        "\ntotal annual cost: {:.0} CNY/yr; {}, {}; {}",
        plan.annual_cost_cny,
        count(u64::from(plan.simulations), "simulation"),
        count(plan.replications, "replication"),
        if plan.feasible {
            "every target met"
        } else {
            "infeasible"
        }
    );
    out
}

/// The indices of the `k` planned sites closest to a target's limit, worst
/// first: by the largest ratio of a KPI's upper 95% bound to its limit.
/// Ties keep the scenario's order.
fn closest_to_limit(plan: &Plan, k: usize) -> Vec<usize> {
    let score = |site: &SitePlan| -> f64 {
        site.targets
            .iter()
            .map(|t| match t.estimate.ci95_high / t.limit {
                // A zero limit met by a zero estimate.
                ratio if ratio.is_nan() => 0.0,
                ratio => ratio,
            })
            .fold(0.0, f64::max)
    };
    let scores: Vec<f64> = plan.sites.iter().map(score).collect();
    let mut order: Vec<usize> = (0..plan.sites.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order.truncate(k);
    order
}

/// `630`, `630 upgrade`, or `–` for a site without a transformer.
fn transformer(site: &SitePlan) -> String {
    match site.transformer_kva {
        Some(kva) if site.transformer_upgraded => format!("{} upgrade", number(kva)),
        Some(kva) => number(kva),
        None => "–".to_owned(),
    }
}

/// The targets the scenario sets: `(KPI, limit)`.
fn set_targets(model: &Model) -> Vec<(&'static str, f64)> {
    model
        .targets
        .list()
        .iter()
        .filter_map(|&(kpi, limit)| Some((kpi, limit?)))
        .collect()
}

/// `x` with at most six decimals and no trailing zeros: `1.67`, `630`.
fn number(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// `--format json`: the plan, pretty-printed, with a final newline.
fn json(model: &Model, plan: &Plan) -> String {
    // The report's own reading of plan.json, so the two cannot drift.
    // `problems` and each site's `kept_because` are English sentences for
    // people; `problem_reasons` and `kept_reasons` are the same reasons as
    // data (the report renders them in its language).
    let document = report::PlanData::from_plan(plan, model);
    let mut text = serde_json::to_string_pretty(&document)
        .expect("a plan has string keys only, so it always serializes");
    text.push('\n');
    text
}

/// `--format csv`: one row per site; for each target its KPI's mean and
/// interval, the limit, and whether it is met.
fn csv(model: &Model, plan: &Plan) -> String {
    let targets = set_targets(model);
    let mut header: Vec<String> = [
        "site",
        "cabinets",
        "slots_per_cabinet",
        "batteries",
        "charger_power_w",
        "pile_ports",
        "transformer",
        "transformer_kva",
        "transformer_upgraded",
        "annual_cost_cny",
    ]
    .map(str::to_owned)
    .to_vec();
    for (kpi, _) in &targets {
        for column in ["mean", "ci95_low", "ci95_high", "limit", "met"] {
            header.push(format!("{kpi}_{column}"));
        }
    }
    let mut rows = Vec::with_capacity(plan.sites.len());
    for site in &plan.sites {
        let mut row = vec![
            site.name.clone(),
            site.cabinets.to_string(),
            site.slots_per_cabinet.to_string(),
            site.batteries.to_string(),
            site.charger_power_w
                .map(|w| w.to_string())
                .unwrap_or_default(),
            site.pile_ports.to_string(),
            site.transformer.clone().unwrap_or_default(),
            site.transformer_kva
                .map(|k| k.to_string())
                .unwrap_or_default(),
            site.transformer_upgraded.to_string(),
            site.annual_cost_cny.to_string(),
        ];
        for &(kpi, limit) in &targets {
            match site.targets.iter().find(|t| t.kpi == kpi) {
                Some(t) => {
                    let Estimate {
                        mean,
                        ci95_low,
                        ci95_high,
                    } = t.estimate;
                    row.extend([mean, ci95_low, ci95_high, t.limit].map(|x| x.to_string()));
                    row.push(t.met.to_string());
                }
                None => {
                    row.extend([String::new(), String::new(), String::new()]);
                    row.push(limit.to_string());
                    row.push(String::new());
                }
            }
        }
        rows.push(row);
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    output::csv_text(&header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(0.0167 * 100.0), "1.67");
        assert_eq!(number(630.0), "630");
        assert_eq!(number(0.8), "0.8");
        assert_eq!(number(-0.0), "0");
    }
}
