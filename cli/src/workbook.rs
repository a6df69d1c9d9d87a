//! The `--out` workbook of `run`, `plan` and `compare` (`results.xlsx`,
//! `plan.xlsx`, `compare.xlsx`): the result for people who work in Excel,
//! with Chinese or English headers by `--lang`.
//!
//! Four sheets, in this order:
//!
//! 1. summary: what ran (scenario, seed, replications, days), whether
//!    the targets hold, for a plan its cost, and for a comparison each
//!    scenario's investment and annual cost difference against the first;
//! 2. sites: one row per site (per scenario and site for a comparison):
//!    town, e-bikes, subscribers, the sizing, and each KPI's mean;
//! 3. towns: the sites rolled up by their `town` (sites, e-bikes,
//!    subscribers, cabinets, batteries, and key KPIs: sums, and rates
//!    weighted by their denominators); the header alone when no site has
//!    a town;
//! 4. KPIs: every KPI of the network and of each site with its mean and
//!    95% interval, the rows of `--format csv` (for a comparison also the
//!    paired difference to the first scenario).
//!
//! Numbers are the JSON's `f64`s, unrounded; shares are fractions shown
//! as percentages by the cell format, so a cell reads back as the JSON
//! value. KPI names and units are the report's ([`report::kpi_label`]);
//! the other headers are here, in both languages, as the fields of one
//! struct so that a missing translation does not compile.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use sim_core::planner::Plan;
use sim_core::{Estimate, Kpis, Model, RunResult};

/// `run --out`'s workbook.
pub(crate) const RUN_FILE: &str = "results.xlsx";
/// `plan --out`'s workbook.
pub(crate) const PLAN_FILE: &str = "plan.xlsx";
/// `compare --out`'s workbook.
pub(crate) const COMPARE_FILE: &str = "compare.xlsx";

/// The KPIs of the summary and of the town roll-up.
const KEY_KPIS: [&str; 5] = [
    "swap_requests_per_day",
    "lost_swap_rate",
    "flying_wire_per_1000_bikes_day",
    "energy_kwh_per_day",
    "transformer_peak_utilization",
];

/// One scenario's figures: its name (a comparison's column name), its
/// deployment and its result.
pub(crate) struct Scenario<'a> {
    pub(crate) name: &'a str,
    pub(crate) file: &'a str,
    pub(crate) model: &'a Model,
    pub(crate) result: &'a RunResult,
}

/// One KPI row of a comparison: the scope, the KPI, and per scenario its
/// estimate and (after the first) its paired difference to the first.
pub(crate) struct CompareKpi<'a> {
    /// The site, or `None` for the network.
    pub(crate) site: Option<&'a str>,
    pub(crate) kpi: &'static str,
    pub(crate) estimates: &'a [Estimate],
    pub(crate) differences: &'a [Estimate],
}

/// `run --out`'s workbook of `result`, run from `model`.
pub(crate) fn run(file: &str, model: &Model, result: &RunResult, lang: report::Lang) -> Vec<u8> {
    let scenario = Scenario {
        name: &model.name,
        file,
        model,
        result,
    };
    let book = Book::new(lang);
    let w = book.words;
    let mut summary = about(w, w.kind_run, result);
    summary.push(Item::count(w.sites, result.sites.len()));
    summary.extend(missed(w, model, result));
    summary.extend(key_kpis(lang, &result.network));
    book.build(&summary, &[scenario], false, &|_| None, &kpi_rows(result))
}

/// `plan --out`'s workbook: the plan's sizing and its final evaluation.
pub(crate) fn plan(file: &str, model: &Model, plan: &Plan, lang: report::Lang) -> Vec<u8> {
    let result = &plan.result;
    let scenario = Scenario {
        name: &model.name,
        file,
        model: &plan.model,
        result,
    };
    let book = Book::new(lang);
    let w = book.words;
    let mut summary = about(w, w.kind_plan, result);
    summary.push(Item::count(w.sites, result.sites.len()));
    summary.push(Item::text(
        w.every_target_met,
        if plan.feasible { w.yes } else { w.no },
    ));
    summary.push(Item::number(w.annual_cost, plan.annual_cost_cny));
    summary.push(Item::count(w.simulations, plan.simulations as usize));
    summary.extend(missed(w, &plan.model, result));
    summary.extend(key_kpis(lang, &result.network));
    let cost = |site: &str| {
        plan.sites
            .iter()
            .find(|s| s.name == site)
            .map(|s| s.annual_cost_cny)
    };
    book.build(&summary, &[scenario], true, &cost, &kpi_rows(result))
}

/// `compare --out`'s workbook: every scenario's sites, and each KPI's
/// estimates with the paired differences to the first scenario.
pub(crate) fn compare(
    scenarios: &[Scenario<'_>],
    costs: &[Option<report::CostDifference>],
    kpis: &[CompareKpi<'_>],
    lang: report::Lang,
) -> Vec<u8> {
    let book = Book::new(lang);
    let w = book.words;
    let first = scenarios[0].result;
    let mut summary = about(w, w.kind_compare, first);
    for (i, s) in scenarios.iter().enumerate() {
        summary.push(Item::text(
            &format!("{} {}", w.scenario, i + 1),
            &format!("{} ({})", s.name, s.file),
        ));
    }
    // Each scenario after the first: the investment against the first by
    // item and in all, and the annual cost difference with its interval;
    // words, not zeros, without `[costs]`.
    for (i, cost) in costs.iter().enumerate() {
        let name = |what: &str| format!("{} {}: {what}", w.scenario, i + 1);
        match cost {
            None => {}
            Some(report::CostDifference::NotGiven) => {
                summary.push(Item::text(&name(w.investment), w.no_costs));
                summary.push(Item::text(&name(w.annual_difference), w.no_costs));
            }
            Some(report::CostDifference::Given(p)) => {
                let c = &p.added.capital;
                let items = [
                    c.cabinets_cny,
                    c.batteries_cny,
                    c.pile_ports_cny,
                    c.chargers_cny,
                    c.transformer_cny,
                ];
                for (item, cny) in w.investment_items.iter().zip(items) {
                    summary.push(Item::number(&name(item), cny));
                }
                summary.push(Item::number(&name(w.investment), p.investment_cny));
                let annual = p.annual_cny;
                summary.push(Item::number(&name(w.annual_difference), annual.mean));
                summary.push(Item::number(&name(w.annual_low), annual.ci95_low));
                summary.push(Item::number(&name(w.annual_high), annual.ci95_high));
            }
        }
    }
    let mut rows = Vec::new();
    for row in kpis {
        for (i, (estimate, scenario)) in row.estimates.iter().zip(scenarios).enumerate() {
            rows.push(KpiRow {
                site: row.site,
                kpi: row.kpi,
                scenario: Some(scenario.name),
                estimate: *estimate,
                difference: i
                    .checked_sub(1)
                    .and_then(|d| row.differences.get(d))
                    .copied(),
            });
        }
    }
    book.build(&summary, scenarios, false, &|_| None, &rows)
}

/// The first rows of every summary: what ran.
fn about<'w>(w: &'w Words, kind: &'w str, result: &RunResult) -> Vec<Item> {
    vec![
        Item::text(w.scenario, &result.scenario),
        Item::text(w.kind, kind),
        Item::number(w.seed, result.seed as f64),
        Item::count(w.replications, result.replications as usize),
        Item::count(w.days, result.days as usize),
        Item::count(w.warmup_days, result.warmup_days as usize),
    ]
}

/// How many (site, KPI) targets the result misses, when there are targets.
fn missed(w: &Words, model: &Model, result: &RunResult) -> Option<Item> {
    model
        .targets
        .any()
        .then(|| Item::count(w.targets_missed, result.misses(&model.targets).len()))
}

/// The network's key KPIs, means.
fn key_kpis(lang: report::Lang, network: &Kpis) -> Vec<Item> {
    KEY_KPIS
        .iter()
        .filter_map(|&kpi| {
            let label = report::kpi_label(kpi, lang);
            let estimate = network.get(kpi)?;
            Some(Item {
                name: label_text(&label),
                value: Value::Number(estimate.mean),
                percent: is_percent(&label),
            })
        })
        .collect()
}

/// The KPI rows of one result: the network's, then each site's.
fn kpi_rows(result: &RunResult) -> Vec<KpiRow<'_>> {
    let scopes = std::iter::once((None, &result.network)).chain(
        result
            .sites
            .iter()
            .map(|site| (Some(site.name.as_str()), &site.kpis)),
    );
    scopes
        .flat_map(|(site, kpis)| {
            kpis.entries()
                .into_iter()
                .map(move |(kpi, estimate)| KpiRow {
                    site,
                    kpi,
                    scenario: None,
                    estimate,
                    difference: None,
                })
        })
        .collect()
}

/// A row of the summary sheet.
struct Item {
    name: String,
    value: Value,
    percent: bool,
}

enum Value {
    Text(String),
    Number(f64),
}

impl Item {
    fn text(name: &str, value: &str) -> Item {
        Item {
            name: name.to_owned(),
            value: Value::Text(value.to_owned()),
            percent: false,
        }
    }

    fn number(name: &str, value: f64) -> Item {
        Item {
            name: name.to_owned(),
            value: Value::Number(value),
            percent: false,
        }
    }

    fn count(name: &str, n: usize) -> Item {
        Item::number(name, n as f64)
    }
}

/// A row of the KPI sheet.
struct KpiRow<'a> {
    site: Option<&'a str>,
    kpi: &'static str,
    scenario: Option<&'a str>,
    estimate: Estimate,
    difference: Option<Estimate>,
}

/// `name [unit]`, or the name alone; `%` units are the cell format's.
fn label_text(label: &report::KpiLabel) -> String {
    if is_percent(label) {
        label.name.clone()
    } else {
        label.with_unit()
    }
}

/// Whether a KPI is a share, shown in %.
fn is_percent(label: &report::KpiLabel) -> bool {
    label.unit == "%"
}

/// The workbook being written, and its formats.
struct Book {
    workbook: Workbook,
    words: &'static Words,
    lang: report::Lang,
    bold: Format,
    percent: Format,
}

/// A new workbook. Excel stamps a workbook with its creation time, so
/// two runs differ in that one property; with `SOURCE_DATE_EPOCH` set (the
/// reproducible-builds convention, seconds since 1970) the stamp is that
/// time instead, and the same result gives the same bytes.
fn workbook() -> Workbook {
    workbook_at(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())
}

/// A new workbook stamped `epoch` (seconds since 1970), if that reads.
fn workbook_at(epoch: Option<&str>) -> Workbook {
    let mut book = Workbook::new();
    if let Some(time) = epoch
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|t| ExcelDateTime::from_timestamp(t).ok())
    {
        book.set_properties(&DocProperties::new().set_creation_datetime(&time));
    }
    book
}

impl Book {
    fn new(lang: report::Lang) -> Book {
        Book {
            workbook: workbook(),
            words: match lang {
                report::Lang::Zh => &ZH,
                report::Lang::En => &EN,
            },
            lang,
            bold: Format::new().set_bold(),
            percent: Format::new().set_num_format("0.00%"),
        }
    }

    /// Writes the four sheets and returns the workbook's bytes. `plan`
    /// adds each site's annual cost from `cost`.
    fn build(
        mut self,
        summary: &[Item],
        scenarios: &[Scenario<'_>],
        plan: bool,
        cost: &dyn Fn(&str) -> Option<f64>,
        kpis: &[KpiRow<'_>],
    ) -> Vec<u8> {
        self.write(summary, scenarios, plan, cost, kpis)
            .expect("a workbook in memory has valid sheet names and cells");
        self.workbook
            .save_to_buffer()
            .expect("a workbook in memory saves")
    }

    fn write(
        &mut self,
        summary: &[Item],
        scenarios: &[Scenario<'_>],
        plan: bool,
        cost: &dyn Fn(&str) -> Option<f64>,
        kpis: &[KpiRow<'_>],
    ) -> Result<(), XlsxError> {
        let w = self.words;
        let (bold, percent) = (self.bold.clone(), self.percent.clone());
        let many = scenarios.len() > 1;

        let sheet = self.workbook.add_worksheet().set_name(w.sheet_summary)?;
        header(sheet, &[w.item, w.value], &bold)?;
        for (row, item) in (1..).zip(summary) {
            sheet.write_string(row, 0, &item.name)?;
            match &item.value {
                Value::Text(text) => sheet.write_string(row, 1, text)?,
                Value::Number(x) if item.percent => {
                    sheet.write_number_with_format(row, 1, *x, &percent)?
                }
                Value::Number(x) => sheet.write_number(row, 1, *x)?,
            };
        }
        sheet.set_column_width(0, 36)?;
        sheet.set_column_width(1, 24)?;

        // Sites.
        let labels: Vec<report::KpiLabel> = Kpis::NAMES
            .iter()
            .map(|k| report::kpi_label(k, self.lang))
            .collect();
        let mut columns: Vec<String> = Vec::new();
        if many {
            columns.push(w.scenario.to_owned());
        }
        columns.extend(
            [
                w.site,
                w.town,
                w.ebikes,
                w.subscribers,
                w.cabinets,
                w.slots_per_cabinet,
                w.batteries,
                w.pile_ports,
            ]
            .map(str::to_owned),
        );
        if plan {
            columns.push(w.annual_cost.to_owned());
        }
        columns.extend(labels.iter().map(label_text));
        let sheet = self.workbook.add_worksheet().set_name(w.sheet_sites)?;
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        header(sheet, &names, &bold)?;
        let mut row = 1;
        for scenario in scenarios {
            for site in &scenario.result.sites {
                let spec = scenario.model.sites.iter().find(|s| s.name == site.name);
                let mut col = 0;
                if many {
                    sheet.write_string(row, col, scenario.name)?;
                    col += 1;
                }
                sheet.write_string(row, col, &site.name)?;
                sheet.write_string(row, col + 1, spec.map_or("", |s| s.town.as_str()))?;
                col += 2;
                let sizing = spec.map(|s| {
                    [
                        s.ebikes,
                        subscribers(s),
                        s.cabinets,
                        s.slots_per_cabinet,
                        s.batteries,
                        s.pile_ports,
                    ]
                });
                for n in sizing.into_iter().flatten() {
                    sheet.write_number(row, col, f64::from(n))?;
                    col += 1;
                }
                col = if many { 9 } else { 8 };
                if plan {
                    if let Some(cny) = cost(&site.name) {
                        sheet.write_number(row, col, cny)?;
                    }
                    col += 1;
                }
                for (name, label) in Kpis::NAMES.iter().zip(&labels) {
                    if let Some(e) = site.kpis.get(name) {
                        number(sheet, row, col, e.mean, is_percent(label), &percent)?;
                    }
                    col += 1;
                }
                row += 1;
            }
        }
        sheet.set_freeze_panes(1, if many { 2 } else { 1 })?;

        // Towns.
        let key: Vec<(&str, report::KpiLabel)> = KEY_KPIS
            .iter()
            .filter(|&&k| k != "transformer_peak_utilization")
            .map(|&k| (k, report::kpi_label(k, self.lang)))
            .collect();
        let mut columns: Vec<String> = Vec::new();
        if many {
            columns.push(w.scenario.to_owned());
        }
        columns.extend(
            [
                w.town,
                w.sites,
                w.ebikes,
                w.subscribers,
                w.cabinets,
                w.batteries,
            ]
            .map(str::to_owned),
        );
        if plan {
            columns.push(w.annual_cost.to_owned());
        }
        columns.extend(key.iter().map(|(_, l)| label_text(l)));
        let sheet = self.workbook.add_worksheet().set_name(w.sheet_towns)?;
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        header(sheet, &names, &bold)?;
        let mut row = 1;
        for scenario in scenarios {
            for town in towns(scenario, cost) {
                let mut col = 0;
                if many {
                    sheet.write_string(row, col, scenario.name)?;
                    col += 1;
                }
                let name = if town.name.is_empty() {
                    w.no_town
                } else {
                    &town.name
                };
                sheet.write_string(row, col, name)?;
                col += 1;
                for n in [
                    town.sites,
                    town.ebikes,
                    town.subscribers,
                    town.cabinets,
                    town.batteries,
                ] {
                    sheet.write_number(row, col, n as f64)?;
                    col += 1;
                }
                if plan {
                    sheet.write_number(row, col, town.annual_cost_cny)?;
                    col += 1;
                }
                for (kpi, label) in &key {
                    if let Some(x) = town.kpi(kpi) {
                        number(sheet, row, col, x, is_percent(label), &percent)?;
                    }
                    col += 1;
                }
                row += 1;
            }
        }

        // KPIs.
        let mut columns = vec![w.scope, w.site, w.kpi, w.kpi_id];
        if many {
            columns.push(w.scenario);
        }
        columns.extend([w.mean, w.ci95_low, w.ci95_high]);
        if many {
            columns.extend([w.diff_mean, w.diff_ci95_low, w.diff_ci95_high]);
        }
        let sheet = self.workbook.add_worksheet().set_name(w.sheet_kpis)?;
        header(sheet, &columns, &bold)?;
        for (row, k) in (1..).zip(kpis) {
            let label = report::kpi_label(k.kpi, self.lang);
            let pct = is_percent(&label);
            let scope = if k.site.is_some() { w.site } else { w.network };
            sheet.write_string(row, 0, scope)?;
            sheet.write_string(row, 1, k.site.unwrap_or(""))?;
            sheet.write_string(row, 2, label_text(&label))?;
            sheet.write_string(row, 3, k.kpi)?;
            let mut col = 4;
            if let Some(name) = k.scenario {
                sheet.write_string(row, col, name)?;
                col += 1;
            }
            let mut estimates = vec![k.estimate];
            estimates.extend(k.difference);
            for e in estimates {
                for x in [e.mean, e.ci95_low, e.ci95_high] {
                    number(sheet, row, col, x, pct, &percent)?;
                    col += 1;
                }
            }
        }
        sheet.set_column_width(2, 28)?;
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    }
}

/// Writes the header row in bold.
fn header(sheet: &mut Worksheet, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (col, name) in (0..).zip(names) {
        sheet.write_string_with_format(0, col, *name, bold)?;
    }
    Ok(())
}

/// Writes a number, in % when it is a share.
fn number(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    x: f64,
    percent: bool,
    format: &Format,
) -> Result<(), XlsxError> {
    if percent {
        sheet.write_number_with_format(row, col, x, format)?;
    } else {
        sheet.write_number(row, col, x)?;
    }
    Ok(())
}

/// A site's swap subscribers: its e-bikes on a subscription, counted as
/// the engine counts them, and the couriers living there.
fn subscribers(site: &sim_core::SiteSpec) -> u32 {
    let residents = (f64::from(site.ebikes) * site.swap_adoption).round() as u32;
    residents + site.couriers.iter().map(|&(_, n)| n).sum::<u32>()
}

/// The sites of one town, added up.
#[derive(Default)]
struct Town {
    name: String,
    sites: u64,
    ebikes: u64,
    subscribers: u64,
    cabinets: u64,
    batteries: u64,
    annual_cost_cny: f64,
    requests_per_day: f64,
    lost_per_day: f64,
    flying_wire_per_day: f64,
    energy_kwh_per_day: f64,
}

impl Town {
    /// A key KPI of the town: sums of the sites' means, and rates over
    /// the town's totals.
    fn kpi(&self, kpi: &str) -> Option<f64> {
        match kpi {
            "swap_requests_per_day" => Some(self.requests_per_day),
            "lost_swap_rate" => {
                (self.requests_per_day > 0.0).then(|| self.lost_per_day / self.requests_per_day)
            }
            "flying_wire_per_1000_bikes_day" => {
                (self.ebikes > 0).then(|| self.flying_wire_per_day * 1000.0 / self.ebikes as f64)
            }
            "energy_kwh_per_day" => Some(self.energy_kwh_per_day),
            _ => None,
        }
    }
}

/// The towns of a scenario's sites, in the order they first appear;
/// none when no site has a town (sites without one then make a town of
/// their own, named "").
fn towns(scenario: &Scenario<'_>, cost: &dyn Fn(&str) -> Option<f64>) -> Vec<Town> {
    let specs = &scenario.model.sites;
    if specs.iter().all(|s| s.town.is_empty()) {
        return Vec::new();
    }
    let mut towns: Vec<Town> = Vec::new();
    for site in &scenario.result.sites {
        let Some(spec) = specs.iter().find(|s| s.name == site.name) else {
            continue;
        };
        let at = match towns.iter().position(|t| t.name == spec.town) {
            Some(at) => at,
            None => {
                towns.push(Town {
                    name: spec.town.clone(),
                    ..Town::default()
                });
                towns.len() - 1
            }
        };
        let town = &mut towns[at];
        let mean = |kpi: &str| site.kpis.get(kpi).map_or(0.0, |e| e.mean);
        town.sites += 1;
        town.ebikes += u64::from(spec.ebikes);
        town.subscribers += u64::from(subscribers(spec));
        town.cabinets += u64::from(spec.cabinets);
        town.batteries += u64::from(spec.batteries);
        town.annual_cost_cny += cost(&site.name).unwrap_or(0.0);
        let requests = mean("swap_requests_per_day");
        town.requests_per_day += requests;
        town.lost_per_day += requests * mean("lost_swap_rate");
        town.flying_wire_per_day += mean("flying_wire_sessions_per_day");
        town.energy_kwh_per_day += mean("energy_kwh_per_day");
    }
    towns
}

/// The workbook's own words in one language; KPI names are the report's.
struct Words {
    sheet_summary: &'static str,
    sheet_sites: &'static str,
    sheet_towns: &'static str,
    sheet_kpis: &'static str,
    item: &'static str,
    value: &'static str,
    scenario: &'static str,
    kind: &'static str,
    kind_run: &'static str,
    kind_plan: &'static str,
    kind_compare: &'static str,
    seed: &'static str,
    replications: &'static str,
    days: &'static str,
    warmup_days: &'static str,
    sites: &'static str,
    targets_missed: &'static str,
    every_target_met: &'static str,
    yes: &'static str,
    no: &'static str,
    annual_cost: &'static str,
    simulations: &'static str,
    site: &'static str,
    town: &'static str,
    no_town: &'static str,
    ebikes: &'static str,
    subscribers: &'static str,
    cabinets: &'static str,
    slots_per_cabinet: &'static str,
    batteries: &'static str,
    pile_ports: &'static str,
    scope: &'static str,
    network: &'static str,
    kpi: &'static str,
    kpi_id: &'static str,
    mean: &'static str,
    ci95_low: &'static str,
    ci95_high: &'static str,
    diff_mean: &'static str,
    diff_ci95_low: &'static str,
    diff_ci95_high: &'static str,
    investment: &'static str,
    investment_items: [&'static str; 5],
    annual_difference: &'static str,
    annual_low: &'static str,
    annual_high: &'static str,
    no_costs: &'static str,
}

const ZH: Words = Words {
    sheet_summary: "概要",
    sheet_sites: "站点",
    sheet_towns: "街镇",
    sheet_kpis: "指标",
    item: "项目",
    value: "值",
    scenario: "场景",
    kind: "结果类型",
    kind_run: "模拟",
    kind_plan: "规划",
    kind_compare: "对比",
    seed: "随机种子",
    replications: "重复次数",
    days: "模拟天数",
    warmup_days: "预热天数",
    sites: "站点数",
    targets_missed: "未达标（站点×指标）",
    every_target_met: "全部达标",
    yes: "是",
    no: "否",
    annual_cost: "年化成本 [元/年]",
    simulations: "模拟次数",
    site: "站点",
    town: "街道/镇",
    no_town: "（未填街镇）",
    ebikes: "电动车",
    subscribers: "换电用户",
    cabinets: "换电柜",
    slots_per_cabinet: "每柜仓位",
    batteries: "电池",
    pile_ports: "充电桩端口",
    scope: "范围",
    network: "全网",
    kpi: "指标",
    kpi_id: "指标代码",
    mean: "均值",
    ci95_low: "95%区间下限",
    ci95_high: "95%区间上限",
    diff_mean: "与场景1之差 均值",
    diff_ci95_low: "与场景1之差 95%下限",
    diff_ci95_high: "与场景1之差 95%上限",
    investment: "一次性投资（相对场景1新增）[元]",
    investment_items: [
        "投资：换电柜 [元]",
        "投资：电池 [元]",
        "投资：充电桩端口 [元]",
        "投资：仓位充电模块 [元]",
        "投资：变压器增容 [元]",
    ],
    annual_difference: "年成本差（相对场景1）[元/年]",
    annual_low: "年成本差 95%下限 [元/年]",
    annual_high: "年成本差 95%上限 [元/年]",
    no_costs: "未计价：场景没有 [costs]",
};

const EN: Words = Words {
    sheet_summary: "summary",
    sheet_sites: "sites",
    sheet_towns: "towns",
    sheet_kpis: "KPIs",
    item: "item",
    value: "value",
    scenario: "scenario",
    kind: "result",
    kind_run: "run",
    kind_plan: "plan",
    kind_compare: "compare",
    seed: "seed",
    replications: "replications",
    days: "days",
    warmup_days: "warm-up days",
    sites: "sites",
    targets_missed: "targets missed (site × KPI)",
    every_target_met: "every target met",
    yes: "yes",
    no: "no",
    annual_cost: "annual cost [CNY/yr]",
    simulations: "simulations",
    site: "site",
    town: "town",
    no_town: "(no town)",
    ebikes: "e-bikes",
    subscribers: "subscribers",
    cabinets: "cabinets",
    slots_per_cabinet: "slots per cabinet",
    batteries: "batteries",
    pile_ports: "pile ports",
    scope: "scope",
    network: "network",
    kpi: "KPI",
    kpi_id: "kpi",
    mean: "mean",
    ci95_low: "ci95_low",
    ci95_high: "ci95_high",
    diff_mean: "diff_mean",
    diff_ci95_low: "diff_ci95_low",
    diff_ci95_high: "diff_ci95_high",
    investment: "investment over scenario 1 [CNY]",
    investment_items: [
        "investment: cabinets [CNY]",
        "investment: batteries [CNY]",
        "investment: pile ports [CNY]",
        "investment: slot chargers [CNY]",
        "investment: transformer upgrades [CNY]",
    ],
    annual_difference: "annual cost difference to scenario 1 [CNY/yr]",
    annual_low: "annual cost difference, 95% low [CNY/yr]",
    annual_high: "annual cost difference, 95% high [CNY/yr]",
    no_costs: "not priced: the scenario has no [costs]",
};

/// `weekly --out`'s workbook.
pub(crate) const WEEKLY_FILE: &str = "weekly.xlsx";

/// `weekly --out`'s workbook: the sheet of sites, one row per site, the
/// columns of `weekly.csv` (the week, the site, its figures against the
/// plan, the adoption and where the plan stops holding), then, when the
/// plan's sites name their town, the towns' sheet (the JSON's `towns`,
/// as the report rolls them up), with Chinese or English headers.
/// Numbers are the JSON's; growth is a fraction shown as a percentage;
/// an empty cell is a figure the log does not have (no week before) or
/// a search not made.
pub(crate) fn weekly(week: &records::Weekly, lang: report::Lang) -> Vec<u8> {
    let w = match lang {
        report::Lang::Zh => &WEEKLY_ZH,
        report::Lang::En => &WEEKLY_EN,
    };
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = workbook();
        let bold = Format::new().set_bold();
        let percent = Format::new().set_num_format("0.0%");
        let share = Format::new().set_num_format("0.000");
        let sheet = book.add_worksheet();
        sheet.set_name(w.sheet_sites)?;
        header(sheet, &w.sites, &bold)?;
        for (row, s) in (1..).zip(&week.sites) {
            sheet.write_string(row, 0, &week.week)?;
            sheet.write_string(row, 1, &s.site)?;
            sheet.write_string(row, 2, &s.town)?;
            sheet.write_number(row, 3, s.requests as f64)?;
            sheet.write_number(row, 4, s.planned_requests.1)?;
            sheet.write_number(row, 5, s.planned_requests.0)?;
            sheet.write_number(row, 6, s.planned_requests.2)?;
            if let Some(r) = s.requests_last_week {
                sheet.write_number(row, 7, r as f64)?;
            }
            if let Some(g) = s.growth {
                number(sheet, row, 8, g, true, &percent)?;
            }
            sheet.write_number(row, 9, s.subscribers as f64)?;
            sheet.write_number(row, 10, s.planned_subscribers)?;
            sheet.write_number(row, 11, s.stockouts as f64)?;
            sheet.write_number(row, 12, s.planned_stockouts)?;
            sheet.write_number(row, 13, s.cabinets_seen as f64)?;
            sheet.write_number(row, 14, f64::from(s.cabinets_planned))?;
            sheet.write_boolean(row, 15, s.above_plan)?;
            sheet.write_number(row, 16, f64::from(s.batteries_to_add))?;
            sheet.write_number_with_format(row, 17, s.adoption_planned, &share)?;
            if let Some(a) = s.adoption_today {
                sheet.write_number_with_format(row, 18, a, &share)?;
            }
            if let Some(h) = &s.headroom {
                if let Some(a) = h.holds_up_to {
                    sheet.write_number_with_format(row, 19, a, &share)?;
                }
                if let Some(a) = h.misses_at {
                    sheet.write_number_with_format(row, 20, a, &share)?;
                }
                sheet.write_string(row, 21, h.missed.join("; "))?;
            }
            sheet.write_number(row, 22, s.planned_subscribers_interval.0)?;
            sheet.write_number(row, 23, s.planned_subscribers_interval.1)?;
            sheet.write_number(row, 24, s.planned_stockouts_interval.0)?;
            sheet.write_number(row, 25, s.planned_stockouts_interval.1)?;
        }
        sheet.set_column_width(1, 16)?;
        sheet.set_freeze_panes(1, 0)?;
        if !week.towns.is_empty() {
            let sheet = book.add_worksheet();
            sheet.set_name(w.sheet_towns)?;
            header(sheet, &w.towns, &bold)?;
            for (row, t) in (1..).zip(&week.towns) {
                let name = if t.town.is_empty() {
                    w.no_town
                } else {
                    t.town.as_str()
                };
                sheet.write_string(row, 0, &week.week)?;
                sheet.write_string(row, 1, name)?;
                sheet.write_number(row, 2, f64::from(t.sites))?;
                sheet.write_number(row, 3, t.requests as f64)?;
                sheet.write_number(row, 4, t.planned_requests)?;
                sheet.write_number(row, 5, t.subscribers as f64)?;
                sheet.write_number(row, 6, t.stockouts as f64)?;
                sheet.write_number(row, 7, f64::from(t.above_plan))?;
                sheet.write_number(row, 8, f64::from(t.batteries_to_add))?;
            }
            sheet.set_column_width(1, 16)?;
            sheet.set_freeze_panes(1, 0)?;
        }
        book.save_to_buffer()
    };
    build().expect("a workbook in memory has valid sheet names and cells, and saves")
}

/// The weekly workbook's words in one language.
struct WeeklyWords {
    sheet_sites: &'static str,
    sheet_towns: &'static str,
    no_town: &'static str,
    sites: [&'static str; 26],
    towns: [&'static str; 9],
}

const WEEKLY_ZH: WeeklyWords = WeeklyWords {
    sheet_sites: "本周",
    sheet_towns: "街镇",
    no_town: "（未填街镇）",
    sites: [
        "周",
        "站点",
        "街道/镇",
        "换电需求",
        "方案预测",
        "方案下限",
        "方案上限",
        "上周需求",
        "环比",
        "换电用户",
        "方案用户",
        "缺电次数",
        "方案缺电",
        "在用换电柜",
        "方案换电柜",
        "超出方案",
        "建议增加电池",
        "方案换电渗透率",
        "本周渗透率",
        "方案可承受渗透率",
        "不达标渗透率",
        "不达标指标",
        "方案用户下限",
        "方案用户上限",
        "方案缺电下限",
        "方案缺电上限",
    ],
    towns: [
        "周",
        "街道/镇",
        "站点数",
        "换电需求",
        "方案预测",
        "换电用户",
        "缺电次数",
        "超出方案的站点",
        "建议增加电池",
    ],
};

const WEEKLY_EN: WeeklyWords = WeeklyWords {
    sheet_sites: "Week",
    sheet_towns: "Towns",
    no_town: "(no town)",
    sites: [
        "Week",
        "Site",
        "Town",
        "Requests",
        "Planned",
        "Plan low",
        "Plan high",
        "Requests last week",
        "Growth",
        "Subscribers",
        "Planned subscribers",
        "Stockouts",
        "Planned stockouts",
        "Cabinets seen",
        "Cabinets planned",
        "Above plan",
        "Batteries to add",
        "Adoption planned",
        "Adoption today",
        "Plan holds up to adoption",
        "Plan misses at adoption",
        "Targets missed there",
        "Planned subscribers low",
        "Planned subscribers high",
        "Planned stockouts low",
        "Planned stockouts high",
    ],
    towns: [
        "Week",
        "Town",
        "Sites",
        "Requests",
        "Planned",
        "Subscribers",
        "Stockouts",
        "Sites above plan",
        "Batteries to add",
    ],
};

#[cfg(test)]
mod tests {
    use super::workbook_at;

    fn bytes(epoch: Option<&str>) -> Vec<u8> {
        let mut book = workbook_at(epoch);
        book.add_worksheet()
            .write_string(0, 0, "换电")
            .expect("a cell");
        book.save_to_buffer().expect("a workbook")
    }

    /// Excel's creation stamp has whole seconds: a second apart, two
    /// workbooks differ in it, unless SOURCE_DATE_EPOCH fixes it.
    #[test]
    fn source_date_epoch_fixes_the_creation_stamp() {
        let (a, b) = (bytes(Some("86400")), bytes(None));
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(a, bytes(Some("86400")), "the same stamp, the same bytes");
        assert_ne!(b, bytes(None), "a workbook carries its creation time");
    }
}
