//! `swapsim compare`: scenarios run on the same random numbers, KPIs side
//! by side, and each scenario's difference to the first with a paired 95%
//! interval.
//!
//! Every scenario runs with the same seed, so replication `r` of each draws
//! from the same streams (common random numbers). The difference of a KPI
//! is computed per replication, `x_i[r] − x_0[r]`, and its mean and
//! Student-t interval are taken over the replications: the noise the
//! scenarios share cancels, so the interval is narrower than the two
//! scenarios' intervals suggest.

use std::fmt::Write as _;
use std::path::Path;

use report::{CostDifference, PricedDifference};
use serde::Serialize;
use sim_core::stats::mean_ci95;
use sim_core::{Estimate, Kpis, Model, RunResult};

use crate::args::Format;
use crate::config::CompareConfig;
use crate::error::Error;
use crate::output::{self, Ordered};
use crate::streams::{Bar, Streams};
use crate::table::{cell, label, plural, write_aligned};
use crate::{Status, count, html, run, workbook};

/// Other scenarios per table (each brings a value and a difference column).
const SCENARIOS_PER_TABLE: usize = 2;

/// One scenario's run: the summary and each replication on its own.
struct Runs {
    summary: RunResult,
    per_replication: Vec<RunResult>,
}

/// Where a KPI is read: the network or a site (by name).
#[derive(Clone, Copy)]
enum Scope<'a> {
    Network,
    Site(&'a str),
}

impl Scope<'_> {
    fn kpis(self, result: &RunResult) -> &Kpis {
        match self {
            Scope::Network => &result.network,
            Scope::Site(name) => result
                .sites
                .iter()
                .find(|s| s.name == name)
                .map(|s| &s.kpis)
                .expect("a compared site is in every scenario"),
        }
    }
}

/// One KPI across the scenarios.
#[derive(Serialize)]
struct Row {
    /// Each scenario's estimate, in the order given.
    estimates: Vec<Estimate>,
    /// Scenario `i + 1` minus the first, paired by replication.
    differences: Vec<Estimate>,
}

/// Runs every scenario, writes the `--out` files and the `--html` report,
/// and prints the comparison.
pub(crate) fn compare(config: &CompareConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let (_, first) = &config.scenarios[0];
    let total = config.scenarios.len() as u64 * u64::from(first.replications);
    streams.say(format_args!(
        "comparing {} with {} of {} each, on {}",
        count(config.scenarios.len() as u64, "scenario"),
        count(u64::from(first.replications), "replication"),
        count(u64::from(first.days), "day"),
        count(crate::threads(config.threads) as u64, "thread"),
    ));
    let bar = Bar::new(streams, total, first.days, "compare");
    let runs: Vec<Runs> = config
        .scenarios
        .iter()
        .map(|(path, model)| {
            bar.message(path.display().to_string());
            let reps = run::replications(model, config.threads, &bar);
            Runs {
                summary: sim_core::summarise(model, &reps),
                per_replication: reps
                    .iter()
                    .map(|rep| sim_core::summarise(model, std::slice::from_ref(rep)))
                    .collect(),
            }
        })
        .collect();
    bar.clear();

    let shared = shared_sites(&config.scenarios);
    let network = rows(&runs, Scope::Network);
    let sites: Vec<(&str, Vec<(&'static str, Row)>)> = shared
        .iter()
        .map(|&name| (name, rows(&runs, Scope::Site(name))))
        .collect();
    let costs = cost_differences(&config.scenarios, &network);
    let json = json(config, &network, &sites, &costs);
    let (first_path, _) = &config.scenarios[0];
    let context = html::context(first_path, first, &config.comments);
    let input = || {
        let mut input = report::ReportInput::from_compare_json(&json)
            .expect("the comparison's own JSON reads back");
        input.context = context.clone();
        input
    };
    let files = config.out.as_ref().map(|_| {
        let book = book(config, &runs, &network, &sites, &costs);
        vec![
            (report::COMPARE_FILE, json.clone().into_bytes()),
            (report::CONTEXT_FILE, context.to_json().into_bytes()),
            (workbook::COMPARE_FILE, book),
        ]
    });
    let out = config.out.as_deref().zip(files.as_deref());
    html::write_result(out, &config.reports, input, streams)?;
    let text = match config.format {
        Format::Table => table(config, &shared, &network, &sites, &costs),
        Format::Json => json,
        Format::Csv => csv(config, &network, &sites),
    };
    streams.out(&text)?;
    Ok(Status::Success)
}

/// The `--out` workbook: every scenario's sites and towns, and the rows
/// of the comparison.
fn book(
    config: &CompareConfig,
    runs: &[Runs],
    network: &[(&'static str, Row)],
    sites: &[(&str, Vec<(&'static str, Row)>)],
    costs: &[Option<CostDifference>],
) -> Vec<u8> {
    let names = names(&config.scenarios);
    let files: Vec<String> = config
        .scenarios
        .iter()
        .map(|(path, _)| path.display().to_string())
        .collect();
    let scenarios: Vec<workbook::Scenario<'_>> = config
        .scenarios
        .iter()
        .zip(runs)
        .enumerate()
        .map(|(i, ((_, model), run))| workbook::Scenario {
            name: &names[i],
            file: &files[i],
            model,
            result: &run.summary,
        })
        .collect();
    let scopes = std::iter::once((None, network)).chain(
        sites
            .iter()
            .map(|(name, rows)| (Some(*name), rows.as_slice())),
    );
    let kpis: Vec<workbook::CompareKpi<'_>> = scopes
        .flat_map(|(site, rows)| {
            rows.iter().map(move |(kpi, row)| workbook::CompareKpi {
                site,
                kpi,
                estimates: &row.estimates,
                differences: &row.differences,
            })
        })
        .collect();
    workbook::compare(&scenarios, costs, &kpis, config.reports.lang)
}

/// The energy cost a day, whose paired difference the annual cost
/// difference carries.
const ENERGY_COST: &str = "energy_cost_cny_per_day";

/// Each scenario's cost against the first: `None` for the first; for
/// the others, what each adds over the first's equipment priced at its
/// own `[costs]` as the planner prices a plan's investment
/// ([`sim_core::planner::investment`]), and the annual cost difference
/// with the energy cost's paired interval; not priced without `[costs]`.
fn cost_differences(
    scenarios: &[(std::path::PathBuf, Model)],
    network: &[(&'static str, Row)],
) -> Vec<Option<CostDifference>> {
    let (_, first) = &scenarios[0];
    let energy = network
        .iter()
        .find(|(kpi, _)| *kpi == ENERGY_COST)
        .map(|(_, row)| row);
    scenarios
        .iter()
        .enumerate()
        .map(|(i, (_, model))| {
            let other = i.checked_sub(1)?;
            if !model.costs.given {
                return Some(CostDifference::NotGiven);
            }
            let investment = sim_core::planner::investment(first, model);
            let energy = energy
                .and_then(|row| row.differences.get(other))
                .copied()
                .unwrap_or_default();
            Some(CostDifference::Given(PricedDifference::new(
                investment.total(),
                investment.transformers,
                &model.costs,
                energy,
            )))
        })
        .collect()
}

/// Sites that every scenario has, in the first scenario's order.
fn shared_sites(scenarios: &[(std::path::PathBuf, Model)]) -> Vec<&str> {
    let (_, first) = &scenarios[0];
    first
        .sites
        .iter()
        .map(|s| s.name.as_str())
        .filter(|name| {
            scenarios[1..]
                .iter()
                .all(|(_, m)| m.sites.iter().any(|s| s.name == *name))
        })
        .collect()
}

/// Every KPI of `scope` across the scenarios, in `Kpis::NAMES` order.
fn rows(runs: &[Runs], scope: Scope<'_>) -> Vec<(&'static str, Row)> {
    let baseline = &runs[0];
    Kpis::NAMES
        .iter()
        .map(|&kpi| {
            let value = |result: &RunResult| {
                scope
                    .kpis(result)
                    .get(kpi)
                    .expect("every name in Kpis::NAMES is a KPI")
                    .mean
            };
            let estimates = runs
                .iter()
                .map(|r| scope.kpis(&r.summary).get(kpi).unwrap_or_default())
                .collect();
            let differences = runs[1..]
                .iter()
                .map(|other| {
                    let paired: Vec<f64> = other
                        .per_replication
                        .iter()
                        .zip(&baseline.per_replication)
                        .map(|(x, base)| value(x) - value(base))
                        .collect();
                    let (mean, ci95_low, ci95_high) = mean_ci95(&paired);
                    Estimate {
                        mean,
                        ci95_low,
                        ci95_high,
                    }
                })
                .collect();
            (
                kpi,
                Row {
                    estimates,
                    differences,
                },
            )
        })
        .collect()
}

/// Column names: the scenarios' labels, else their names, or their paths
/// where these repeat.
fn names(scenarios: &[(std::path::PathBuf, Model)]) -> Vec<String> {
    let called = |m: &Model| {
        if m.label.is_empty() {
            m.name.clone()
        } else {
            m.label.clone()
        }
    };
    let unique = scenarios
        .iter()
        .enumerate()
        .all(|(i, (_, a))| scenarios[..i].iter().all(|(_, b)| called(a) != called(b)));
    scenarios
        .iter()
        .map(|(path, model)| {
            if unique {
                called(model)
            } else {
                path.display().to_string()
            }
        })
        .collect()
}

/// The comparison for people: a table for the network and one per shared
/// site, each KPI with every scenario's `mean [interval]` and, after each
/// scenario but the first, its difference `Δ` to the first.
fn table(
    config: &CompareConfig,
    shared: &[&str],
    network: &[(&'static str, Row)],
    sites: &[(&str, Vec<(&'static str, Row)>)],
    costs: &[Option<CostDifference>],
) -> String {
    let (_, first) = &config.scenarios[0];
    let names = names(&config.scenarios);
    let measured = first.days.saturating_sub(first.warmup_days);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "compare {}: seed {}, {} {} of {} {} ({} warm-up {} discarded)",
        count(config.scenarios.len() as u64, "scenario"),
        first.seed,
        first.replications,
        plural(first.replications, "replication", "replications"),
        first.days,
        plural(first.days, "day", "days"),
        first.warmup_days,
        plural(first.warmup_days, "day", "days"),
    );
    let _ = writeln!(
        out,
        "KPIs over {measured} measured {}: mean [95% interval]; Δ = difference to {}, \
         paired by replication (common random numbers)",
        plural(measured, "day", "days"),
        names[0],
    );
    for (i, (path, _)) in config.scenarios.iter().enumerate() {
        let _ = writeln!(out, "  {}: {}", names[i], display(path));
    }
    let left_out: Vec<String> = config
        .scenarios
        .iter()
        .flat_map(|(_, m)| m.sites.iter().map(|s| s.name.as_str()))
        .filter(|name| !shared.contains(name))
        .fold(Vec::new(), |mut seen, name| {
            if !seen.iter().any(|s| s == name) {
                seen.push(name.to_owned());
            }
            seen
        });
    if !left_out.is_empty() {
        let _ = writeln!(
            out,
            "sites not in every scenario, compared in the network only: {}",
            left_out.join(", ")
        );
    }
    cost_section(&mut out, &names, costs);
    section(&mut out, "network", &names, network);
    // A site that is the whole network in every scenario would repeat it.
    let one_site_each = config.scenarios.iter().all(|(_, m)| m.sites.len() == 1);
    if one_site_each {
        return out;
    }
    let n = sites.len();
    let shown = if config.all_sites || n <= run::MANY_SITES {
        (0..n).collect()
    } else {
        closest_to_limit(&first.targets, sites, run::WORST_SITES)
    };
    for &s in &shown {
        let (name, rows) = &sites[s];
        section(&mut out, &format!("site '{name}'"), &names, rows);
    }
    if shown.len() < n {
        let which = if first.targets.any() {
            "closest to a target's limit in any scenario (upper 95% bound)"
        } else {
            "with the highest lost-swap rate in any scenario"
        };
        let _ = writeln!(
            out,
            "\nshown: the network and the {} {which}; {} of {n} left out: \
             pass --all-sites to show every site",
            count(shown.len() as u64, "site"),
            n - shown.len(),
        );
    }
    out
}

/// The indices of the `k` shared sites closest to a limit of `targets`
/// (the first scenario's) in any scenario, worst first: by the largest
/// ratio of a KPI's upper 95% bound to its limit; without targets, by the
/// highest lost-swap rate. Ties keep the first scenario's order.
fn closest_to_limit(
    targets: &sim_core::Targets,
    sites: &[(&str, Vec<(&'static str, Row)>)],
    k: usize,
) -> Vec<usize> {
    let limits: Vec<(&'static str, f64)> = targets
        .list()
        .iter()
        .filter_map(|&(kpi, limit)| Some((kpi, limit?)))
        .collect();
    let score = |rows: &[(&'static str, Row)]| -> f64 {
        let highest = |row: &Row, limit: f64| {
            row.estimates
                .iter()
                .map(|e| match e.ci95_high / limit {
                    ratio if ratio.is_nan() => 0.0,
                    ratio => ratio,
                })
                .fold(0.0, f64::max)
        };
        rows.iter()
            .filter_map(|(kpi, row)| {
                if limits.is_empty() {
                    (*kpi == "lost_swap_rate").then(|| highest(row, 1.0))
                } else {
                    let &(_, limit) = limits.iter().find(|(k, _)| k == kpi)?;
                    Some(highest(row, limit))
                }
            })
            .fold(0.0, f64::max)
    };
    let scores: Vec<f64> = sites.iter().map(|(_, rows)| score(rows)).collect();
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order.truncate(k);
    order
}

/// A path as the user wrote it.
fn display(path: &Path) -> String {
    path.display().to_string()
}

/// One table (split into several if there are many scenarios): `title` in
/// the corner, one row per KPI.
fn section(out: &mut String, title: &str, names: &[String], rows: &[(&'static str, Row)]) {
    let others: Vec<usize> = (1..names.len()).collect();
    for chunk in others.chunks(SCENARIOS_PER_TABLE) {
        out.push('\n');
        let mut header = vec![title.to_owned(), names[0].clone()];
        for &i in chunk {
            header.push(names[i].clone());
            header.push(format!("Δ {}", names[i]));
        }
        let mut lines = vec![header];
        for (kpi, row) in rows {
            let label = label(kpi);
            let mut line = vec![label.text.into_owned(), cell(row.estimates[0], label.scale)];
            for &i in chunk {
                line.push(cell(row.estimates[i], label.scale));
                line.push(signed(cell(row.differences[i - 1], label.scale)));
            }
            lines.push(line);
        }
        write_aligned(out, &lines);
    }
}

/// The cost of each scenario against the first: the investment by item
/// (the amount, and what it buys), the investment's annuity and
/// maintenance, the paired energy-cost difference, and the annual cost
/// difference, their sum; one line when no scenario is priced.
fn cost_section(out: &mut String, names: &[String], costs: &[Option<CostDifference>]) {
    let priced: Vec<Option<&PricedDifference>> = costs[1..]
        .iter()
        .map(|c| match c {
            Some(CostDifference::Given(p)) => Some(p),
            _ => None,
        })
        .collect();
    if priced.iter().all(Option::is_none) {
        let n = names.len() - 1;
        let _ = writeln!(
            out,
            "\ncost against {}: not priced, {} {} no [costs]",
            names[0],
            names[1..].join(", "),
            if n == 1 { "gives" } else { "give" }
        );
        return;
    }
    // Each row: its label, its cell of a priced scenario, and of one
    // without `[costs]`.
    type Cell = fn(&PricedDifference) -> String;
    let rows: [(&str, Cell, &str); 10] = [
        (
            "investment: cabinets [CNY]",
            |p| bought(p.added.capital.cabinets_cny, p.added.cabinets, ""),
            "–",
        ),
        (
            "investment: batteries [CNY]",
            |p| bought(p.added.capital.batteries_cny, p.added.batteries, ""),
            "–",
        ),
        (
            "investment: pile ports [CNY]",
            |p| bought(p.added.capital.pile_ports_cny, p.added.pile_ports, ""),
            "–",
        ),
        (
            "investment: slot chargers [CNY]",
            |p| {
                bought(
                    p.added.capital.chargers_cny,
                    p.added.charger_slots,
                    " slots",
                )
            },
            "–",
        ),
        (
            "investment: transformer upgrades [CNY]",
            |p| {
                let n = u32::try_from(p.transformers_upgraded.len()).unwrap_or(u32::MAX);
                bought(p.added.capital.transformer_cny, n, "")
            },
            "–",
        ),
        (
            "investment, total [CNY]",
            |p| yuan(p.investment_cny),
            "no [costs]",
        ),
        (
            "annuity of the investment [CNY/yr]",
            |p| yuan(p.annualised_investment_cny),
            "–",
        ),
        (
            "maintenance of it [CNY/yr]",
            |p| yuan(p.maintenance_cny),
            "–",
        ),
        (
            "energy cost, paired [CNY/yr]",
            |p| signed(cell(p.energy_cny, 1.0)),
            "–",
        ),
        (
            "annual cost [CNY/yr]",
            |p| signed(cell(p.annual_cny, 1.0)),
            "no [costs]",
        ),
    ];
    let others: Vec<usize> = (1..names.len()).collect();
    for chunk in others.chunks(crate::table::COLUMNS_PER_TABLE) {
        out.push('\n');
        let mut header = vec![format!("cost against {}", names[0])];
        header.extend(chunk.iter().map(|&i| names[i].clone()));
        let mut lines = vec![header];
        for (label, of, none) in &rows {
            let mut line = vec![(*label).to_owned()];
            line.extend(
                chunk
                    .iter()
                    .map(|&i| priced[i - 1].map_or_else(|| (*none).to_owned(), of)),
            );
            lines.push(line);
        }
        write_aligned(out, &lines);
    }
    let mut rates: Vec<String> = Vec::new();
    for p in priced.iter().flatten() {
        let rate = format!(
            "{:.4} + {}",
            p.annuity_factor,
            trim_share(p.maintenance_share_per_year)
        );
        if !rates.contains(&rate) {
            rates.push(rate);
        }
    }
    let _ = writeln!(
        out,
        "investment: what a scenario adds to the equipment of {}, at its own [costs] (what it \
         has less of is neither bought nor credited)\n\
         annual cost: investment × (annuity + maintenance: {}) + the energy cost's paired \
         difference, whose 95% interval it takes",
        names[0],
        rates.join("; ")
    );
}

/// Whole yuan.
fn yuan(x: f64) -> String {
    let text = format!("{x:.0}");
    if text == "-0" { "0".to_owned() } else { text }
}

/// An amount and what it buys: `86400 (+108)`, `4320 (+72 slots)`.
fn bought(cny: f64, count: u32, unit: &str) -> String {
    if count == 0 {
        yuan(cny)
    } else {
        format!("{} (+{count}{unit})", yuan(cny))
    }
}

/// A share as few digits as it needs: `0.05`.
fn trim_share(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A difference with its sign: `+1.2 [0.4, 2.0]`.
fn signed(text: String) -> String {
    if text.starts_with('-') || text == "0" {
        text
    } else {
        format!("+{text}")
    }
}

/// The comparison as JSON.
#[derive(Serialize)]
struct CompareJson<'a> {
    seed: u64,
    replications: u32,
    days: u32,
    warmup_days: u32,
    scenarios: Vec<ScenarioJson<'a>>,
    network: Ordered<'a, &'a Row>,
    sites: Vec<SiteJson<'a>>,
}

#[derive(Serialize)]
struct ScenarioJson<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    label: &'a str,
    file: String,
    sizing: report::Sizing,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_difference: Option<&'a CostDifference>,
}

#[derive(Serialize)]
struct SiteJson<'a> {
    name: &'a str,
    kpis: Ordered<'a, &'a Row>,
}

/// `--format csv`, in long form: one row per scope, KPI and scenario, with
/// the paired difference to the first scenario (empty for the first):
/// `scope` (`network` or `site`), `site`, `kpi`, `scenario`, `file`,
/// `mean`, `ci95_low`, `ci95_high`, `diff_mean`, `diff_ci95_low`,
/// `diff_ci95_high`.
fn csv(
    config: &CompareConfig,
    network: &[(&'static str, Row)],
    sites: &[(&str, Vec<(&'static str, Row)>)],
) -> String {
    let scopes = std::iter::once(("network", "", network)).chain(
        sites
            .iter()
            .map(|(name, rows)| ("site", *name, rows.as_slice())),
    );
    let mut out: Vec<Vec<String>> = Vec::new();
    for (scope, site, rows) in scopes {
        for (kpi, row) in rows {
            for (i, ((path, model), e)) in config.scenarios.iter().zip(&row.estimates).enumerate() {
                let mut line = vec![
                    scope.to_owned(),
                    site.to_owned(),
                    (*kpi).to_owned(),
                    model.name.clone(),
                    display(path),
                    e.mean.to_string(),
                    e.ci95_low.to_string(),
                    e.ci95_high.to_string(),
                ];
                match i.checked_sub(1).map(|k| row.differences[k]) {
                    Some(d) => {
                        line.extend([d.mean, d.ci95_low, d.ci95_high].map(|x| x.to_string()))
                    }
                    None => line.extend([String::new(), String::new(), String::new()]),
                }
                out.push(line);
            }
        }
    }
    output::csv_text(
        &[
            "scope",
            "site",
            "kpi",
            "scenario",
            "file",
            "mean",
            "ci95_low",
            "ci95_high",
            "diff_mean",
            "diff_ci95_low",
            "diff_ci95_high",
        ],
        &out,
    )
}

/// `--format json`, pretty-printed, with a final newline.
fn json<'a>(
    config: &'a CompareConfig,
    network: &'a [(&'static str, Row)],
    sites: &'a [(&'a str, Vec<(&'static str, Row)>)],
    costs: &'a [Option<CostDifference>],
) -> String {
    let ordered = |rows: &'a [(&'static str, Row)]| {
        Ordered(rows.iter().map(|(kpi, row)| (*kpi, row)).collect())
    };
    let (_, first) = &config.scenarios[0];
    let document = CompareJson {
        seed: first.seed,
        replications: first.replications,
        days: first.days,
        warmup_days: first.warmup_days,
        scenarios: config
            .scenarios
            .iter()
            .zip(costs)
            .map(|((path, model), cost)| ScenarioJson {
                name: &model.name,
                label: &model.label,
                file: display(path),
                sizing: report::Sizing::of(model),
                cost_difference: cost.as_ref(),
            })
            .collect(),
        network: ordered(network),
        sites: sites
            .iter()
            .map(|(name, rows)| SiteJson {
                name,
                kpis: ordered(rows),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document)
        .expect("a comparison has string keys only, so it always serializes");
    text.push('\n');
    text
}
