//! The report as one self-contained HTML file: inline CSS and SVG, no
//! scripts, no external fetches. The markup is also well-formed XML, so
//! tests can parse it.

use std::fmt::Write as _;

use crate::charts::{Chart, charts};
use crate::format::{escape, estimate, labelled, shown, trim, with_unit};
use crate::i18n::{self, Lang};
use crate::input::{
    CompareRow, Estimate, KpiList, PLAN_FILE, PlanData, ReportInput, SUMMARY_FILE, Targets,
};
use crate::reference::{self, Figure};
use crate::{summary, towns};

/// Missed targets listed one per line; more are rolled up by target, with
/// the full list in the appendix.
const MAX_MISS_LINES: usize = 10;

/// Transformers whose load charts (the total and the charging load) are
/// drawn in the page, the ones closest to their allowed load; `--charts
/// DIR` writes them all.
const MAX_LOAD_CHARTS: usize = 6;

/// Sites with a row of their own in the operator figures, and, in a
/// plan, in the table of each site's KPIs; a larger network shows its
/// figures and leaves the sites to `summary.json` (a plan's sites' table
/// still has each site's sizing and targets).
const MAX_OPERATOR_SITES: usize = 30;

/// Lines of a plan's reasons for keeping units shown one by one; more are
/// counted by kind, with the full list in `plan.json`.
const MAX_KEPT_LINES: usize = 30;

/// Energy and its cost by where it is drawn: `(energy KPI, cost KPI)` for
/// cabinets, piles, flats and the total, in the order of `Words::places`.
const ENERGY_KPIS: [(&str, &str); 4] = [
    (
        "cabinet_energy_kwh_per_day",
        "cabinet_energy_cost_cny_per_day",
    ),
    ("pile_energy_kwh_per_day", "pile_energy_cost_cny_per_day"),
    ("home_energy_kwh_per_day", "home_energy_cost_cny_per_day"),
    ("energy_kwh_per_day", "energy_cost_cny_per_day"),
];

/// KPIs of the per-site tables, when present.
const SITE_KPIS: [&str; 8] = [
    "swap_requests_per_day",
    "lost_swap_rate",
    "stockout_probability",
    "wait_minutes_p95",
    "swap_delay_minutes_p95",
    "full_batteries_mean",
    "flying_wire_per_1000_bikes_day",
    "transformer_peak_utilization",
];

/// The stylesheet: screen and A4 print.
const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #5a5a5a; --rule: #d0d0d0; --bad: #b00020; --good: #1b6e3a; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 1.5rem; line-height: 1.5; font-size: 15px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--ink); padding-bottom: .15rem; margin: 1.8rem 0 .6rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.subtitle, .generated { color: var(--muted); margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.unit { white-space: nowrap; }
p.no-chart { color: var(--muted); margin: .3rem 0; }
.ci { display: block; color: var(--muted); font-size: .8em; }
td.miss { color: var(--bad); font-weight: 600; }
td.met { color: var(--good); }
ul.misses li, ul.problems li { color: var(--bad); }
p.ok { color: var(--good); font-weight: 600; }
p.bad { color: var(--bad); font-weight: 600; }
figure.chart { margin: 1rem 0 1.4rem; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
section.map svg g.title { display: none; }
table.facts { width: auto; min-width: 50%; }
table.sites td:first-child, table.sizing td:first-child { min-width: 7em; }
table.sites td.site, table.sites td.town { white-space: nowrap; }
table.sites, table.compare, table.sizing { font-size: .82rem; }
table.facts th { width: 14rem; }
table.towns { font-size: .82rem; }
table.towns th, table.towns td, table.key th { white-space: nowrap; }
table.key .ci { display: inline; }
table.compare-summary { font-size: .82rem; }
table.compare-summary .ci { white-space: nowrap; }
td.verdict { white-space: nowrap; }
table.compare-summary td:first-child { min-width: 8em; }
table.compare th, table.compare-summary th, table.sites th { word-break: keep-all; }
table.key { width: auto; }
section.summary table.compact th, section.summary table.compact td { padding: .1rem .45rem; }
section.summary p.note { font-size: .85em; margin: .3rem 0; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure.chart, table.compact, tr, ul.misses li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  table.sites { line-height: 1.3; }
  table.sites th, table.sites td { padding: .12rem .35rem; }
  th { background: #f2f2f2; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The page's head and header, shared by every report of this crate:
/// `title` over `subtitle`, the stylesheet, and the version line.
pub(crate) fn page_head(h: &mut String, lang: Lang, title: &str, subtitle: &str) {
    let _ = writeln!(h, "<!DOCTYPE html>");
    let _ = writeln!(h, "<html lang=\"{}\">", lang.tag());
    let _ = writeln!(h, "<head>");
    let _ = writeln!(h, "<meta charset=\"utf-8\"/>");
    let _ = writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
    );
    let _ = writeln!(h, "<title>{} — {}</title>", escape(title), escape(subtitle));
    let _ = writeln!(h, "<style>{CSS}</style>");
    let _ = writeln!(h, "</head>");
    let _ = writeln!(h, "<body>");
    let _ = writeln!(h, "<header class=\"report-header\">");
    let _ = writeln!(h, "<h1>{}</h1>", escape(title));
    let _ = writeln!(h, "<p class=\"subtitle\">{}</p>", escape(subtitle));
    let _ = writeln!(
        h,
        "<p class=\"generated\">swapsim {}</p>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(h, "</header>");
}

/// The report as a self-contained HTML page in `lang`.
pub fn render_html(input: &ReportInput, lang: Lang) -> String {
    render_html_with_charts(input, lang, &charts(input, lang))
}

/// [`render_html`] with charts already drawn by [`charts`] (for the same
/// input and language), for callers that also write them as files.
pub fn render_html_with_charts(input: &ReportInput, lang: Lang, charts: &[Chart]) -> String {
    let w = lang.words();
    let title = i18n::title(input.kind, lang);
    let name = scenario_name(input);
    let mut h = String::new();
    page_head(&mut h, lang, title, &name);
    summary::summary(&mut h, input, lang);
    if input.compare.is_none() {
        towns::section(&mut h, input, lang);
    }
    overview(&mut h, input, lang);
    let appendix = findings(&mut h, input, lang);
    if input.plan.is_some() {
        sizing(&mut h, input, lang);
    }
    if input.summary.is_some() {
        kpi_tables(&mut h, input, lang);
        energy(&mut h, input, lang);
        operator_figures(&mut h, input, lang);
    }
    if input.compare.is_some() {
        comparison(&mut h, input, lang);
    }

    let _ = writeln!(h, "<section class=\"charts\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.charts);
    let omitted = crate::charts::omitted(input, lang);
    if charts.is_empty() && omitted.is_empty() {
        let _ = writeln!(h, "<p class=\"none\">{}</p>", w.no_charts);
    }
    // A chart with nothing to show is a sentence, not an empty frame.
    for o in &omitted {
        let _ = writeln!(
            h,
            "<p class=\"no-chart\" id=\"no-chart-{}\">{}</p>",
            escape(&o.name),
            escape(&o.sentence)
        );
    }
    let (charts, left_out) = chosen_charts(input, charts);
    if let Some((shown, total)) = left_out {
        let _ = writeln!(
            h,
            "<p class=\"note left-out\">{} <code>{}</code></p>",
            escape(&i18n::charts_left_out(lang, shown, total)),
            escape(i18n::charts_command(lang))
        );
    }
    for chart in charts {
        let _ = writeln!(
            h,
            "<figure class=\"chart\" id=\"chart-{}\">",
            escape(&chart.name)
        );
        h.push_str(chart.svg.trim());
        h.push('\n');
        let _ = writeln!(h, "<figcaption>{}</figcaption>", escape(&chart.caption));
        let _ = writeln!(h, "</figure>");
    }
    let _ = writeln!(h, "</section>");

    assumptions(&mut h, input, lang);
    if !appendix.is_empty() {
        misses_appendix(&mut h, &appendix, lang);
    }
    let _ = writeln!(h, "<footer class=\"method\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.method);
    let _ = writeln!(h, "<ul>");
    for line in w.method_text {
        let _ = writeln!(h, "<li>{}</li>", escape(line));
    }
    let _ = writeln!(h, "</ul>");
    let _ = writeln!(h, "</footer>");
    let _ = writeln!(h, "</body>");
    let _ = writeln!(h, "</html>");
    h
}

/// The scenario's name, or the compared scenarios' names.
fn scenario_name(input: &ReportInput) -> String {
    if let Some(s) = &input.summary {
        return s.scenario.clone();
    }
    if let Some(p) = &input.plan {
        return p.scenario.clone();
    }
    if let Some(c) = &input.compare {
        return c.column_names().join(" / ");
    }
    String::new()
}

/// Seed, replications and days; the compared scenarios and their files.
fn overview(h: &mut String, input: &ReportInput, lang: Lang) {
    let w = lang.words();
    // A plan's replications are over all its simulations: the sizing
    // section says so; here only the final evaluation's count shows.
    let facts: Option<(u64, Option<u32>, u32, u32)> = input
        .summary
        .as_ref()
        .map(|s| (s.seed, Some(s.replications), s.days, s.warmup_days))
        .or_else(|| {
            input
                .plan
                .as_ref()
                .map(|p| (p.seed, None, p.days, p.warmup_days))
        })
        .or_else(|| {
            input
                .compare
                .as_ref()
                .map(|c| (c.seed, Some(c.replications), c.days, c.warmup_days))
        });
    let _ = writeln!(h, "<section class=\"overview\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.overview);
    let _ = writeln!(h, "<table class=\"facts compact\">");
    let _ = writeln!(h, "<tbody>");
    let row = |h: &mut String, k: &str, v: &str| {
        let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    };
    if input.compare.is_none() {
        row(h, w.scenario, &scenario_name(input));
        if let Some(file) = &input.context.file {
            row(h, w.scenario_file_label, file);
        }
    }
    if let Some((seed, replications, days, warmup)) = facts {
        row(h, w.seed, &seed.to_string());
        if let Some(replications) = replications {
            row(h, w.replications, &replications.to_string());
        }
        row(h, w.days, &days.to_string());
        row(h, w.warmup_days, &warmup.to_string());
        row(h, w.measured_days, &days.saturating_sub(warmup).to_string());
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    if let Some(c) = &input.compare {
        let _ = writeln!(h, "<table class=\"scenarios compact\">");
        let _ = writeln!(
            h,
            "<thead><tr><th>{}</th><th>{}</th></tr></thead>",
            w.scenarios, w.file
        );
        let _ = writeln!(h, "<tbody>");
        for s in &c.scenarios {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&s.name),
                escape(&s.file)
            );
        }
        let _ = writeln!(h, "</tbody>");
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(h, "</section>");
}

/// A missed target: `(who, kpi, estimate, limit)`.
type Miss = (String, String, Estimate, f64);

/// Every (site, target) whose upper 95% bound exceeds the limit.
fn misses_of<'a>(
    targets: &Targets,
    sites: impl IntoIterator<Item = (String, &'a KpiList<Estimate>)>,
) -> Vec<Miss> {
    let mut out = Vec::new();
    for (who, kpis) in sites {
        for (kpi, limit) in targets.set() {
            if let Some(e) = kpis.get(kpi).filter(|e| e.ci95_high > limit) {
                out.push((who.clone(), kpi.to_owned(), *e, limit));
            }
        }
    }
    out
}

/// What misses its target, in plain words: one line each, or, when there
/// are more than [`MAX_MISS_LINES`], one line per target with its worst
/// sites; then the misses for the appendix (empty when all are shown).
fn findings(h: &mut String, input: &ReportInput, lang: Lang) -> Vec<Miss> {
    let w = lang.words();
    let targets = &input.context.targets;
    let _ = writeln!(h, "<section class=\"findings\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.findings);
    let misses: Vec<Miss> = if let Some(plan) = &input.plan {
        if plan.feasible {
            let _ = writeln!(h, "<p class=\"ok\">{}</p>", w.plan_feasible);
        } else {
            let _ = writeln!(h, "<p class=\"bad\">{}</p>", w.plan_infeasible);
        }
        plan.sites
            .iter()
            .flat_map(|s| {
                s.targets
                    .iter()
                    .filter(|t| !t.met)
                    .map(|t| (s.name.clone(), t.kpi.to_string(), t.estimate, t.limit))
            })
            .collect()
    } else if let Some(c) = &input.compare {
        let mut all = Vec::new();
        for (i, scenario) in c.column_names().iter().enumerate() {
            let lists: Vec<(String, KpiList<Estimate>)> = c
                .sites
                .iter()
                .map(|site| {
                    let list = KpiList(
                        site.kpis
                            .0
                            .iter()
                            .filter_map(|(k, row)| Some((k.clone(), *row.estimates.get(i)?)))
                            .collect(),
                    );
                    (format!("{scenario} · {}", site.name), list)
                })
                .collect();
            all.extend(misses_of(
                targets,
                lists.iter().map(|(n, l)| (n.clone(), l)),
            ));
        }
        all
    } else if let Some(s) = &input.summary {
        misses_of(targets, s.sites.iter().map(|s| (s.name.clone(), &s.kpis)))
    } else {
        Vec::new()
    };
    let any_targets = !targets.set().is_empty()
        || input
            .plan
            .as_ref()
            .is_some_and(|p| p.sites.iter().any(|s| !s.targets.is_empty()));
    let mut appendix = Vec::new();
    if misses.len() > MAX_MISS_LINES {
        rolled_up(h, &misses, lang);
        appendix = misses;
    } else if !misses.is_empty() {
        miss_list(h, &misses, lang);
    } else if input.plan.is_none() {
        if any_targets {
            let _ = writeln!(h, "<p class=\"ok\">{}</p>", w.all_met);
        } else {
            let _ = writeln!(h, "<p class=\"none\">{}</p>", w.no_targets);
        }
    }
    if let Some(plan) = &input.plan {
        // Plans written before the reasons were data have English only.
        let problems: Vec<String> = if plan.problem_reasons.is_empty() {
            plan.problems.clone()
        } else {
            plan.problem_reasons
                .iter()
                .map(|p| i18n::problem(p, lang))
                .collect()
        };
        if !problems.is_empty() {
            let _ = writeln!(h, "<ul class=\"problems\">");
            for p in &problems {
                let _ = writeln!(h, "<li>{}</li>", escape(p));
            }
            let _ = writeln!(h, "</ul>");
        }
    }
    let _ = writeln!(h, "</section>");
    appendix
}

fn miss_list(h: &mut String, misses: &[Miss], lang: Lang) {
    let _ = writeln!(h, "<ul class=\"misses\">");
    for (who, kpi, e, limit) in misses {
        let label = i18n::kpi(kpi, lang);
        let _ = writeln!(
            h,
            "<li class=\"miss\">{}</li>",
            escape(&i18n::miss(
                lang,
                who,
                &label.name,
                &shown(e.ci95_high, label.scale, label.unit),
                &with_unit(*limit, label.scale, label.unit),
                &shown(e.mean, label.scale, label.unit),
            ))
        );
    }
    let _ = writeln!(h, "</ul>");
}

/// Sites named per target in a roll-up line.
const ROLLED_UP_WORST: usize = 5;

/// One line per target: how many sites miss it and the worst ones.
fn rolled_up(h: &mut String, misses: &[Miss], lang: Lang) {
    let mut kpis: Vec<&str> = Vec::new();
    for (_, kpi, _, _) in misses {
        if !kpis.contains(&kpi.as_str()) {
            kpis.push(kpi);
        }
    }
    let _ = writeln!(h, "<ul class=\"misses rolled-up\">");
    for kpi in kpis {
        let label = i18n::kpi(kpi, lang);
        let mut of: Vec<&Miss> = misses.iter().filter(|m| m.1 == kpi).collect();
        of.sort_by(|a, b| b.2.ci95_high.total_cmp(&a.2.ci95_high));
        let worst: Vec<String> = of
            .iter()
            .take(ROLLED_UP_WORST)
            .map(|(who, _, e, _)| {
                format!("{who} ({})", shown(e.ci95_high, label.scale, label.unit))
            })
            .collect();
        let sep = if lang == Lang::Zh { "、" } else { ", " };
        let _ = writeln!(
            h,
            "<li class=\"miss\">{}</li>",
            escape(&i18n::misses_rollup(
                lang,
                &label.name,
                of.len(),
                &worst.join(sep)
            ))
        );
    }
    let _ = writeln!(h, "</ul>");
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>",
        escape(&i18n::misses_in_appendix(lang, misses.len()))
    );
}

/// The full list of missed targets, at the end of the page.
fn misses_appendix(h: &mut String, misses: &[Miss], lang: Lang) {
    let s = lang.summary_words();
    let _ = writeln!(h, "<section class=\"appendix\" id=\"appendix-misses\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.appendix);
    let _ = writeln!(h, "<h3>{}</h3>", s.all_misses);
    miss_list(h, misses, lang);
    let _ = writeln!(h, "</section>");
}

/// The charts to draw in the page: all of them, but of the transformer
/// load charts (`load-tN`) at most [`MAX_LOAD_CHARTS`], those whose mean
/// daily peak is closest to (or furthest over) the allowed load; with
/// `(shown, total)` load charts when some were left out.
fn chosen_charts<'a>(
    input: &ReportInput,
    charts: &'a [Chart],
) -> (Vec<&'a Chart>, Option<(usize, usize)>) {
    // A transformer's load chart and its charging-load chart go together.
    let index = |c: &Chart| {
        c.name
            .strip_prefix("load-t")
            .map(|n| n.strip_suffix("-charging").unwrap_or(n))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
    };
    let total = charts
        .iter()
        .filter(|c| !c.name.ends_with("-charging") && index(c).is_some())
        .count();
    if total <= MAX_LOAD_CHARTS {
        return (charts.iter().collect(), None);
    }
    let ratio = |i: usize| -> f64 {
        let Some(t) = input.load.as_ref().and_then(|l| l.transformers.get(i)) else {
            return 0.0;
        };
        let peak = t.quarters.iter().map(|q| q.total_kw()).fold(0.0, f64::max);
        input
            .context
            .transformers
            .iter()
            .find(|x| x.name == t.name)
            .map_or(0.0, |x| peak / x.allowed_kw().max(1e-9))
    };
    let mut ranked: Vec<usize> = charts
        .iter()
        .filter(|c| !c.name.ends_with("-charging"))
        .filter_map(index)
        .collect();
    ranked.sort_by(|&a, &b| ratio(b).total_cmp(&ratio(a)).then(a.cmp(&b)));
    ranked.truncate(MAX_LOAD_CHARTS);
    let kept = charts
        .iter()
        .filter(|c| index(c).is_none_or(|i| ranked.contains(&i)))
        .collect();
    (kept, Some((MAX_LOAD_CHARTS, total)))
}

/// A table cell with `mean` and its interval below it.
fn estimate_cell(e: Estimate, scale: f64, class: &str) -> String {
    let (mean, ci) = estimate(e, scale);
    let ci = ci.map_or_else(String::new, |c| format!("<span class=\"ci\">{c}</span>"));
    format!("<td class=\"num{class}\">{mean}{ci}</td>")
}

/// The per-site sizing of a plan, why units stay, and the total.
fn sizing(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(plan) = &input.plan else { return };
    let w = lang.words();
    let mut targets: Vec<(&str, f64)> = Vec::new();
    for t in plan.sites.iter().flat_map(|s| &s.targets) {
        if !targets.iter().any(|(k, _)| *k == t.kpi) {
            targets.push((&t.kpi, t.limit));
        }
    }
    // The sites' table of a plan: one row per site, by town.
    let names: Vec<&str> = plan.sites.iter().map(|s| s.name.as_str()).collect();
    let order = towns::site_order(input, &names);
    let by_town = order.iter().any(|(_, t)| !t.is_empty());
    let _ = writeln!(h, "<section class=\"sizing\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.sizing);
    let _ = writeln!(h, "<table class=\"sizing sites\" id=\"sites\">");
    // The charger column only when the plan chose chargers.
    let chargers = plan.sites.iter().any(|s| s.charger_power_w.is_some());
    let _ = write!(h, "<thead><tr>");
    if by_town {
        let _ = write!(h, "<th>{}</th>", lang.summary_words().town);
    }
    let _ = write!(
        h,
        "<th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>",
        w.site,
        w.cabinets_slots,
        labelled(w.batteries)
    );
    if chargers {
        let _ = write!(h, "<th class=\"num\">{}</th>", labelled(w.charger_w));
    }
    let _ = write!(
        h,
        "<th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>",
        w.pile_ports,
        labelled(w.transformer_kva),
        labelled(w.annual_cost)
    );
    for (kpi, limit) in &targets {
        let label = i18n::kpi(kpi, lang);
        let _ = write!(
            h,
            "<th class=\"num\">{} <span class=\"unit\">≤&#160;{}</span></th>",
            escape(&label.name),
            escape(&with_unit(*limit, label.scale, label.unit))
        );
    }
    let _ = writeln!(h, "</tr></thead>");
    let _ = writeln!(h, "<tbody>");
    for (i, town) in order {
        let site = &plan.sites[i];
        let transformer = match site.transformer_kva {
            Some(kva) if site.transformer_upgraded => format!("{} ({})", trim(kva, 1), w.upgrade),
            Some(kva) => trim(kva, 1),
            None => "–".to_owned(),
        };
        let _ = write!(h, "<tr>");
        if by_town {
            let _ = write!(h, "<td class=\"town\">{}</td>", escape(town));
        }
        let _ = write!(
            h,
            "<td class=\"site\">{}</td><td class=\"num\">{} × {}</td><td class=\"num\">{}</td>",
            escape(&site.name),
            site.cabinets,
            site.slots_per_cabinet,
            site.batteries,
        );
        if chargers {
            let power = site
                .charger_power_w
                .map_or_else(|| "–".to_owned(), |w| trim(w, 0));
            let _ = write!(h, "<td class=\"num\">{power}</td>");
        }
        let _ = write!(
            h,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            site.pile_ports,
            escape(&transformer),
            trim(site.annual_cost_cny, 0)
        );
        for (kpi, _) in &targets {
            match site.targets.iter().find(|t| t.kpi == *kpi) {
                Some(t) => {
                    let class = if t.met { " met" } else { " miss" };
                    h.push_str(&estimate_cell(
                        t.estimate,
                        i18n::kpi(kpi, lang).scale,
                        class,
                    ));
                }
                None => h.push_str("<td class=\"num\">–</td>"),
            }
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    kept_reasons(h, plan, lang);
    let _ = writeln!(
        h,
        "<p class=\"total\">{}{}</p>",
        escape(&i18n::total_cost(lang, &trim(plan.annual_cost_cny, 0))),
        escape(&i18n::plan_effort(
            lang,
            plan.simulations,
            plan.replications
        ))
    );
    let _ = writeln!(h, "</section>");
}

/// Why the plan keeps its units: each reason of each site when there are
/// at most [`MAX_KEPT_LINES`], else how many sites keep each kind of unit
/// for each kind of reason, and where the full list is.
fn kept_reasons(h: &mut String, plan: &PlanData, lang: Lang) {
    let w = lang.words();
    let lines: usize = plan
        .sites
        .iter()
        .map(|s| s.kept_reasons.len().max(s.kept_because.len()))
        .sum();
    if lines == 0 {
        return;
    }
    let _ = writeln!(h, "<h3>{}</h3>", w.kept_because);
    // Plans written before the reasons were data have English only, and
    // are listed as written.
    let as_data = plan
        .sites
        .iter()
        .all(|s| s.kept_because.is_empty() || !s.kept_reasons.is_empty());
    if lines <= MAX_KEPT_LINES || !as_data {
        let _ = writeln!(h, "<ul class=\"kept\">");
        for s in &plan.sites {
            let reasons: Vec<String> = if s.kept_reasons.is_empty() {
                s.kept_because.clone()
            } else {
                s.kept_reasons.iter().map(|k| i18n::kept(k, lang)).collect()
            };
            for why in reasons {
                let _ = writeln!(
                    h,
                    "<li>{}</li>",
                    escape(&i18n::site_says(lang, &s.name, &why))
                );
            }
        }
        let _ = writeln!(h, "</ul>");
        return;
    }
    // (kind of unit, kind of reason) → sites, in the order first met.
    let mut kinds: Vec<(String, String, usize)> = Vec::new();
    for s in &plan.sites {
        let mut seen: Vec<(String, String)> = Vec::new();
        for k in &s.kept_reasons {
            let key = (i18n::unit_kind(k.unit, lang), i18n::kept_kind(k, lang));
            if seen.contains(&key) {
                continue;
            }
            match kinds
                .iter_mut()
                .find(|(u, r, _)| (u, r) == (&key.0, &key.1))
            {
                Some(kind) => kind.2 += 1,
                None => kinds.push((key.0.clone(), key.1.clone(), 1)),
            }
            seen.push(key);
        }
    }
    let _ = writeln!(h, "<table class=\"kept-summary compact\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead>",
        w.kept_unit, w.kept_reason, w.kept_sites
    );
    let _ = writeln!(h, "<tbody>");
    for (unit, reason, sites) in &kinds {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{sites}</td></tr>",
            escape(unit),
            escape(reason)
        );
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    let _ = writeln!(
        h,
        "<p class=\"note left-out\">{} <code>{PLAN_FILE}</code>{}</p>",
        escape(&i18n::kept_left_out(lang, lines, plan.sites.len())),
        escape(i18n::kept_where(lang))
    );
}

/// The network's KPIs (all of them) and the sites' key KPIs.
fn kpi_tables(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(summary) = &input.summary else {
        return;
    };
    let w = lang.words();
    let targets = &input.context.targets;
    let _ = writeln!(h, "<section class=\"kpis\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.kpis);
    let _ = writeln!(h, "<h3>{}</h3>", w.network);
    let _ = writeln!(h, "<table class=\"kpi network\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th></tr></thead>",
        w.kpi, w.mean, w.interval, w.target
    );
    let _ = writeln!(h, "<tbody>");
    for (kpi, e) in &summary.network.0 {
        let label = i18n::kpi(kpi, lang);
        let (mean, ci) = estimate(*e, label.scale);
        let limit = targets.limit(kpi).map_or_else(String::new, |l| {
            format!("≤ {}", with_unit(l, label.scale, label.unit))
        });
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            labelled(&label.with_unit()),
            mean,
            ci.unwrap_or_default(),
            escape(&limit)
        );
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");

    // A plan's sites' table is its sizing (`id="sites"`): each site's
    // other KPIs follow for a small plan, and are left to summary.json
    // for a large one.
    let plan = input.plan.is_some();
    if plan && summary.sites.len() > MAX_OPERATOR_SITES {
        let _ = writeln!(
            h,
            "<p class=\"note left-out\">{} <code>{SUMMARY_FILE}</code></p>",
            escape(&i18n::site_kpis_left_out(lang, summary.sites.len()))
        );
    } else if !summary.sites.is_empty() {
        let columns: Vec<&str> = SITE_KPIS
            .iter()
            .copied()
            .filter(|k| summary.sites.iter().any(|s| s.kpis.get(k).is_some()))
            .collect();
        let names: Vec<&str> = summary.sites.iter().map(|s| s.name.as_str()).collect();
        let order = towns::site_order(input, &names);
        let by_town = order.iter().any(|(_, t)| !t.is_empty());
        let _ = writeln!(h, "<h3>{}</h3>", w.sites);
        let id = if plan { "site-kpis" } else { "sites" };
        let _ = writeln!(h, "<table class=\"kpi sites\" id=\"{id}\">");
        let _ = write!(h, "<thead><tr>");
        if by_town {
            let _ = write!(h, "<th>{}</th>", lang.summary_words().town);
        }
        let _ = write!(h, "<th>{}</th>", w.site);
        for kpi in &columns {
            let _ = write!(
                h,
                "<th class=\"num\">{}</th>",
                labelled(&i18n::kpi(kpi, lang).with_unit())
            );
        }
        let _ = writeln!(h, "</tr></thead>");
        let _ = writeln!(h, "<tbody>");
        for (i, town) in order {
            let site = &summary.sites[i];
            let _ = write!(h, "<tr>");
            if by_town {
                let _ = write!(h, "<td class=\"town\">{}</td>", escape(town));
            }
            let _ = write!(h, "<td class=\"site\">{}</td>", escape(&site.name));
            for kpi in &columns {
                match site.kpis.get(kpi) {
                    Some(e) => {
                        let class = match targets.limit(kpi) {
                            Some(l) if e.ci95_high > l => " miss",
                            _ => "",
                        };
                        h.push_str(&estimate_cell(*e, i18n::kpi(kpi, lang).scale, class));
                    }
                    None => h.push_str("<td class=\"num\">–</td>"),
                }
            }
            let _ = writeln!(h, "</tr>");
        }
        let _ = writeln!(h, "</tbody>");
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(h, "</section>");
}

/// The network's energy by where it is drawn and its cost by who pays,
/// with the total; nothing for results written before the split.
fn energy(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(summary) = &input.summary else {
        return;
    };
    if summary.network.get(ENERGY_KPIS[0].0).is_none() {
        return;
    }
    let w = lang.words();
    let _ = writeln!(h, "<section class=\"energy\" id=\"energy\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.energy);
    let _ = writeln!(h, "<table class=\"energy\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th>{}</th></tr></thead>",
        w.drawn_at,
        labelled(w.energy_kwh),
        labelled(w.energy_cost),
        w.paid_by
    );
    let _ = writeln!(h, "<tbody>");
    for (i, (kwh, cny)) in ENERGY_KPIS.iter().enumerate() {
        let cell = |kpi: &str| {
            summary.network.get(kpi).map_or_else(
                || "<td class=\"num\">–</td>".to_owned(),
                |e| estimate_cell(*e, 1.0, ""),
            )
        };
        let class = if i + 1 == ENERGY_KPIS.len() {
            " class=\"total\""
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<tr{class} id=\"energy-{kwh}\"><td>{}</td>{}{}<td>{}</td></tr>",
            escape(w.places[i]),
            cell(kwh),
            cell(cny),
            escape(w.payers[i])
        );
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(w.energy_note));
    let _ = writeln!(h, "</section>");
}

/// Cabinet stock per cabinet: the plan's sizing, else the scenario's
/// totals in the assumptions; `None` if neither is known.
fn batteries_per_cabinet(input: &ReportInput) -> Option<f64> {
    let (batteries, cabinets) = match &input.plan {
        Some(plan) => plan.sites.iter().fold((0.0, 0.0), |(b, c), s| {
            (b + f64::from(s.batteries), c + f64::from(s.cabinets))
        }),
        None => {
            let total = |key: &str| {
                input
                    .context
                    .assumptions
                    .iter()
                    .find_map(|a| match &a.value {
                        crate::Value::Text { text } if a.key == key && a.subject.is_none() => {
                            text.parse::<f64>().ok()
                        }
                        _ => None,
                    })
            };
            (total("batteries")?, total("cabinets")?)
        }
    };
    (cabinets > 0.0).then(|| batteries / cabinets)
}

/// Swaps per subscriber, swaps per cabinet and batteries per subscriber
/// beside the published figures of `reference::REFERENCES`, for the
/// network and each site.
fn operator_figures(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(summary) = &input.summary else {
        return;
    };
    let kpis: Vec<&str> = Figure::ALL.iter().filter_map(|f| f.kpi()).collect();
    if kpis.iter().all(|k| summary.network.get(k).is_none()) {
        return;
    }
    let w = lang.words();
    let _ = writeln!(
        h,
        "<section class=\"operator-figures\" id=\"operator-figures\">"
    );
    let _ = writeln!(h, "<h2>{}</h2>", w.operator_figures);
    let _ = writeln!(h, "<table class=\"reference\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th>{}</th><th>{}</th></tr></thead>",
        w.figure, w.this_scenario, w.reference_range, w.published, w.published_by, w.source
    );
    let _ = writeln!(h, "<tbody>");
    for figure in Figure::ALL {
        let (label, ours) = match figure.kpi() {
            Some(kpi) => {
                let label = i18n::kpi(kpi, lang);
                let ours = summary.network.get(kpi).map_or_else(
                    || "<td class=\"num\">–</td>".to_owned(),
                    |e| estimate_cell(*e, label.scale, ""),
                );
                (label.with_unit(), ours)
            }
            None => (
                w.batteries_per_cabinet.to_owned(),
                format!(
                    "<td class=\"num\">{}</td>",
                    batteries_per_cabinet(input).map_or_else(|| "–".to_owned(), |x| trim(x, 1))
                ),
            ),
        };
        let (low, high) = reference::range(figure);
        let range = if low < high {
            format!("{}–{}", trim(low, 2), trim(high, 2))
        } else {
            format!("≈ {}", trim(low, 2))
        };
        for (k, r) in reference::of(figure).enumerate() {
            let _ = write!(
                h,
                "<tr class=\"reference\" data-kpi=\"{}\">",
                escape(figure.kpi().unwrap_or("batteries_per_cabinet"))
            );
            if k == 0 {
                let _ = write!(
                    h,
                    "<td>{}</td>{ours}<td class=\"num\">{}</td>",
                    escape(&label),
                    escape(&range)
                );
            } else {
                h.push_str("<td></td><td class=\"num\"></td><td class=\"num\"></td>");
            }
            let _ = writeln!(
                h,
                "<td class=\"num\">≈ {}</td><td>{}</td><td>{}</td></tr>",
                trim(r.value, 2),
                escape(i18n::operator(r.operator, lang)),
                escape(&i18n::reference_source(r.section, r.mark, lang))
            );
        }
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    if summary.sites.len() > MAX_OPERATOR_SITES {
        let _ = writeln!(
            h,
            "<p class=\"note left-out\">{} <code>{SUMMARY_FILE}</code></p>",
            escape(&i18n::operator_sites_left_out(lang, summary.sites.len()))
        );
    } else if summary.sites.len() > 1 {
        let _ = writeln!(h, "<table class=\"reference-sites\">");
        let _ = write!(h, "<thead><tr><th>{}</th>", w.site);
        for kpi in &kpis {
            let _ = write!(
                h,
                "<th class=\"num\">{}</th>",
                labelled(&i18n::kpi(kpi, lang).with_unit())
            );
        }
        let _ = writeln!(h, "</tr></thead>");
        let _ = writeln!(h, "<tbody>");
        for site in &summary.sites {
            let _ = write!(h, "<tr><td>{}</td>", escape(&site.name));
            for kpi in &kpis {
                match site.kpis.get(kpi) {
                    Some(e) => h.push_str(&estimate_cell(*e, i18n::kpi(kpi, lang).scale, "")),
                    None => h.push_str("<td class=\"num\">–</td>"),
                }
            }
            let _ = writeln!(h, "</tr>");
        }
        let _ = writeln!(h, "</tbody>");
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(
        h,
        "<p class=\"note sources\">{}</p>",
        escape(&i18n::operator_note(lang))
    );
    let _ = writeln!(h, "</section>");
}

/// The comparison: network KPIs (all) and each shared site's key KPIs,
/// every scenario's estimate and its difference to the first.
fn comparison(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(c) = &input.compare else { return };
    let w = lang.words();
    let _ = writeln!(h, "<section class=\"compare\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.comparison);
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(w.compare_note));
    let columns = c.column_names();
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    compare_table(h, w.network, &c.network, None, &names, lang);
    for site in &c.sites {
        compare_table(h, &site.name, &site.kpis, Some(&SITE_KPIS), &names, lang);
    }
    let _ = writeln!(h, "</section>");
    if c.network.get(ENERGY_KPIS[0].0).is_some() {
        // The split side by side: moving charging from flats to piles
        // reads as a shift between rows, not as new consumption.
        let _ = writeln!(h, "<section class=\"energy\" id=\"energy\">");
        let _ = writeln!(h, "<h2>{}</h2>", w.energy);
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(w.energy_note));
        let energy = ENERGY_KPIS.map(|(e, _)| e);
        let cost = ENERGY_KPIS.map(|(_, c)| c);
        compare_table(h, w.energy_kwh, &c.network, Some(&energy), &names, lang);
        compare_table(h, w.energy_cost, &c.network, Some(&cost), &names, lang);
        let _ = writeln!(h, "</section>");
    }
}

fn compare_table(
    h: &mut String,
    title: &str,
    rows: &KpiList<CompareRow>,
    only: Option<&[&str]>,
    names: &[&str],
    lang: Lang,
) {
    let w = lang.words();
    let _ = writeln!(h, "<h3>{}</h3>", escape(title));
    let _ = writeln!(h, "<table class=\"compare\">");
    let _ = write!(h, "<thead><tr><th>{}</th>", w.kpi);
    for (i, name) in names.iter().enumerate() {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(name));
        if i > 0 {
            let _ = write!(
                h,
                "<th class=\"num\">{} Δ {}</th>",
                w.difference,
                escape(name)
            );
        }
    }
    let _ = writeln!(h, "</tr></thead>");
    let _ = writeln!(h, "<tbody>");
    for (kpi, row) in &rows.0 {
        if only.is_some_and(|o| !o.contains(&kpi.as_str())) {
            continue;
        }
        let label = i18n::kpi(kpi, lang);
        let _ = write!(h, "<tr><td>{}</td>", labelled(&label.with_unit()));
        for i in 0..names.len() {
            match row.estimates.get(i) {
                Some(e) => h.push_str(&estimate_cell(*e, label.scale, "")),
                None => h.push_str("<td class=\"num\">–</td>"),
            }
            if i > 0 {
                match row.differences.get(i - 1) {
                    Some(d) => {
                        let (mean, ci) = estimate(*d, label.scale);
                        let signed = if mean.starts_with('-') || mean == "0" {
                            mean
                        } else {
                            format!("+{mean}")
                        };
                        let ci = ci
                            .map_or_else(String::new, |c| format!("<span class=\"ci\">{c}</span>"));
                        let _ = write!(h, "<td class=\"num diff\">{signed}{ci}</td>");
                    }
                    None => h.push_str("<td class=\"num\">–</td>"),
                }
            }
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
}

/// The assumptions table with sources, and what the sources mean.
fn assumptions(h: &mut String, input: &ReportInput, lang: Lang) {
    let w = lang.words();
    let context = &input.context;
    let _ = writeln!(h, "<section class=\"assumptions\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.assumptions);
    let _ = writeln!(h, "<table class=\"assumptions\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
        w.parameter, w.value, w.source
    );
    let _ = writeln!(h, "<tbody>");
    for a in &context.assumptions {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&i18n::assumption_label(a, lang)),
            escape(&i18n::assumption_value(&a.value, lang)),
            escape(&i18n::source(&a.source, lang))
        );
    }
    // Contexts written before targets were assumptions list them apart.
    if !context.assumptions.iter().any(|a| a.key == "target") {
        for (kpi, limit) in context.targets.set() {
            let label = i18n::kpi(kpi, lang);
            let _ = writeln!(
                h,
                "<tr><td>{} {}</td><td>≤ {}</td><td>{}</td></tr>",
                w.target,
                escape(&label.name),
                escape(&with_unit(limit, label.scale, label.unit)),
                w.scenario_file
            );
        }
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    if !context.assumptions.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">{}</p>",
            escape(&i18n::sources_note(lang, context.file.as_deref()))
        );
    }
    let _ = writeln!(h, "</section>");
}

#[cfg(test)]
mod tests {
    use sim_core::planner::{Capital, Kept, KeptWhy, TargetCheck, Unit};

    use super::*;
    use crate::input::{PlanData, SitePlanData, SiteSummary, Summary};
    use crate::{Kind, SiteInfo};

    /// A plan of `n` sites in two towns, each kept for five reasons as the
    /// district's are, with its final run's KPIs.
    fn plan_of(n: usize) -> ReportInput {
        let estimate = |mean: f64| Estimate {
            mean,
            ci95_low: mean * 0.9,
            ci95_high: mean * 1.1,
        };
        let name = |i: usize| format!("小区-{i:03}");
        let kept = |i: usize| {
            vec![
                Kept {
                    unit: Unit::Cabinet,
                    why: KeptWhy::HoldsBatteries {
                        batteries: 40 + i as u32,
                        capacity: 30,
                    },
                },
                Kept {
                    unit: Unit::Battery,
                    why: KeptWhy::RaisesKpi {
                        kpi: "lost_swap_rate".into(),
                        mean: 0.015 + i as f64 * 1e-5,
                        check: 0.021,
                        limit: 0.02,
                    },
                },
                Kept {
                    unit: Unit::PilePortsTenth,
                    why: KeptWhy::RaisesKpi {
                        kpi: "flying_wire_per_1000_bikes_day".into(),
                        mean: 148.0,
                        check: 152.0,
                        limit: 150.0,
                    },
                },
                Kept {
                    unit: Unit::PilePort,
                    why: KeptWhy::TenthStepsOnly { ports: 20 },
                },
                Kept {
                    unit: Unit::TransformerSize,
                    why: KeptWhy::SurveyedSize {
                        kva: if i.is_multiple_of(2) { 630.0 } else { 800.0 },
                    },
                },
            ]
        };
        let mut input = ReportInput::new(Kind::Plan);
        input.plan = Some(PlanData {
            scenario: "district".into(),
            seed: 1,
            days: 5,
            warmup_days: 1,
            feasible: true,
            annual_cost_cny: 1e6,
            simulations: 20,
            replications: 60,
            problems: Vec::new(),
            problem_reasons: Vec::new(),
            sites: (0..n)
                .map(|i| SitePlanData {
                    name: name(i),
                    cabinets: 3,
                    slots_per_cabinet: 16,
                    batteries: 40,
                    charger_power_w: None,
                    pile_ports: 60,
                    transformer: Some(format!("T{i}")),
                    transformer_kva: Some(630.0),
                    transformer_upgraded: false,
                    annual_cost_cny: 1e5,
                    capital: Capital::default(),
                    added: None,
                    targets: vec![TargetCheck {
                        kpi: "lost_swap_rate".into(),
                        limit: 0.02,
                        estimate: estimate(0.015),
                        met: true,
                    }],
                    kept_because: kept(i).iter().map(ToString::to_string).collect(),
                    kept_reasons: kept(i),
                })
                .collect(),
            candidates: Vec::new(),
            existing: Vec::new(),
            baseline: None,
            annuity_factor: 0.15,
            maintenance_share_per_year: 0.05,
            lifetime_years: 8.0,
            swap_fee_cny: None,
        });
        input.summary = Some(Summary {
            scenario: "district".into(),
            seed: 1,
            replications: 2,
            days: 5,
            warmup_days: 1,
            network: KpiList(vec![("swap_requests_per_day".into(), estimate(5000.0))]),
            sites: (0..n)
                .map(|i| SiteSummary {
                    name: name(i),
                    kpis: KpiList(vec![
                        ("swap_requests_per_day".into(), estimate(100.0)),
                        ("lost_swap_rate".into(), estimate(0.015)),
                    ]),
                })
                .collect(),
        });
        input.context.sites = (0..n)
            .map(|i| SiteInfo {
                name: name(i),
                // Towns in the other order than the sites.
                town: if i.is_multiple_of(2) {
                    "乙镇"
                } else {
                    "甲街道"
                }
                .into(),
                ..SiteInfo::default()
            })
            .collect();
        input
    }

    fn parse(html: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse_with_options(
            html.strip_prefix("<!DOCTYPE html>").unwrap_or(html),
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..roxmltree::ParsingOptions::default()
            },
        )
        .expect("well-formed")
    }

    fn has_class(n: roxmltree::Node<'_, '_>, class: &str) -> bool {
        n.attribute("class")
            .is_some_and(|c| c.split(' ').any(|x| x == class))
    }

    fn text(n: roxmltree::Node<'_, '_>) -> String {
        n.descendants()
            .filter(|d| d.is_text())
            .filter_map(|d| d.text())
            .collect()
    }

    /// Issue 11 audit: the district's plan report printed 51 A4 pages:
    /// every kept reason of its 175 sites (875 lines) and two tables of
    /// 175 rows. A large plan has one sites' table (the sizing, with the
    /// targets, by town), its reasons counted by kind with the full list
    /// left to plan.json, and no table of each site's other KPIs (left to
    /// summary.json); a small plan keeps every line.
    #[test]
    fn a_large_plan_has_one_site_table_and_counts_its_reasons() {
        let sites = 40;
        for lang in [Lang::Zh, Lang::En] {
            let html = render_html(&plan_of(sites), lang);
            let doc = parse(&html);
            let tables: Vec<roxmltree::Node<'_, '_>> = doc
                .descendants()
                .filter(|n| n.tag_name().name() == "table")
                .collect();
            let rows = |t: &roxmltree::Node<'_, '_>| {
                t.descendants()
                    .filter(|n| n.tag_name().name() == "tr")
                    .count()
            };
            let long: Vec<_> = tables.iter().filter(|t| rows(t) > sites).collect();
            assert_eq!(long.len(), 1, "{lang:?}: one table with a row per site");
            let table = long[0];
            assert_eq!(table.attribute("id"), Some("sites"));
            assert!(has_class(*table, "sizing"));
            // By town first, then name.
            let first: Vec<String> = table
                .descendants()
                .filter(|n| n.tag_name().name() == "tr")
                .skip(1)
                .map(|tr| text(tr.children().find(|c| c.is_element()).expect("a cell")))
                .collect();
            assert_eq!(first[0], "乙镇", "{lang:?}");
            assert_eq!(first[sites - 1], "甲街道", "{lang:?}");
            // The reasons: no line each, a count per kind adding up.
            assert!(!doc.descendants().any(|n| has_class(n, "kept")));
            let counts: Vec<usize> = doc
                .descendants()
                .find(|n| has_class(*n, "kept-summary"))
                .expect("the reasons counted")
                .descendants()
                .filter(|n| n.tag_name().name() == "tr")
                .skip(1)
                .map(|tr| {
                    let cells: Vec<_> = tr.children().filter(|c| c.is_element()).collect();
                    text(*cells.last().expect("a count"))
                        .parse()
                        .expect("a number")
                })
                .collect();
            assert_eq!(counts, [sites; 5], "{lang:?}");
            assert!(
                html.contains("plan.json"),
                "{lang:?}: says where the reasons are"
            );
            assert!(
                html.contains("summary.json"),
                "{lang:?}: says where the KPIs are"
            );
        }
        // A small plan keeps each reason and each site's KPIs.
        let html = render_html(&plan_of(3), Lang::Zh);
        let doc = parse(&html);
        let kept = doc
            .descendants()
            .find(|n| has_class(*n, "kept"))
            .expect("every reason");
        assert_eq!(
            kept.children()
                .filter(|c| c.tag_name().name() == "li")
                .count(),
            15
        );
        assert!(
            doc.descendants()
                .any(|n| n.attribute("id") == Some("site-kpis"))
        );
    }
}
