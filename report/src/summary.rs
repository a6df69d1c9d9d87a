//! The first page: the answer to the reader's question, in plain words.
//!
//! - a plan: whether it meets every target; the equipment, existing →
//!   planned; the one-off investment by item and the annual cost by who
//!   pays; flying wire before → after; the sites closest to a limit;
//! - a run: whether the targets are met (how many sites miss, the worst
//!   three), the network's key figures and the transformers' headroom;
//! - a comparison: which scenarios meet every target and how each differs
//!   from the first, with the paired intervals.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::format::{escape, estimate, labelled, shown, trim, with_unit};
use crate::i18n::{self, Lang};
use crate::input::{
    CompareData, CostDifference, DAYS_A_YEAR, Estimate, KpiList, PlanData, PricedDifference,
    ReportInput, Targets,
};
use sim_core::planner::{Added, Capital};

/// Sites named in a verdict or a "closest to a limit" list.
const WORST: usize = 3;

/// Network KPIs of the run's summary, when present.
const KEY_KPIS: [&str; 7] = [
    "swap_requests_per_day",
    "lost_swap_rate",
    "stockout_probability",
    "swap_delay_minutes_p95",
    "flying_wire_per_1000_bikes_day",
    "transformer_peak_utilization",
    "energy_cost_cny_per_day",
];

/// A site against one target: its upper 95% bound over the limit.
#[derive(Clone, Debug)]
pub(crate) struct Against {
    pub site: String,
    pub kpi: String,
    pub estimate: Estimate,
    pub limit: f64,
}

impl Against {
    /// Upper bound ÷ limit: above 1 misses.
    pub fn ratio(&self) -> f64 {
        if self.limit > 0.0 {
            self.estimate.ci95_high / self.limit
        } else if self.estimate.ci95_high > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// Whether the target is missed (upper bound over the limit).
    pub fn missed(&self) -> bool {
        self.estimate.ci95_high > self.limit
    }
}

/// Every (site, target) of a run or a plan, in site order.
pub(crate) fn site_targets(input: &ReportInput) -> Vec<Against> {
    if let Some(plan) = &input.plan {
        return plan
            .sites
            .iter()
            .flat_map(|s| {
                s.targets.iter().map(|t| Against {
                    site: s.name.clone(),
                    kpi: t.kpi.to_string(),
                    estimate: t.estimate,
                    limit: t.limit,
                })
            })
            .collect();
    }
    let Some(summary) = &input.summary else {
        return Vec::new();
    };
    of_lists(
        &input.context.targets,
        summary.sites.iter().map(|s| (s.name.as_str(), &s.kpis)),
    )
}

fn of_lists<'a>(
    targets: &Targets,
    sites: impl IntoIterator<Item = (&'a str, &'a KpiList<Estimate>)>,
) -> Vec<Against> {
    let mut out = Vec::new();
    for (site, kpis) in sites {
        for (kpi, limit) in targets.set() {
            if let Some(e) = kpis.get(kpi) {
                out.push(Against {
                    site: site.to_owned(),
                    kpi: kpi.to_owned(),
                    estimate: *e,
                    limit,
                });
            }
        }
    }
    out
}

/// Each site's target nearest its limit (largest ratio), the nearest
/// sites first.
pub(crate) fn closest(all: &[Against]) -> Vec<Against> {
    let mut worst: Vec<Against> = Vec::new();
    for a in all {
        match worst.iter_mut().find(|w| w.site == a.site) {
            Some(w) if a.ratio() > w.ratio() => *w = a.clone(),
            Some(_) => {}
            None => worst.push(a.clone()),
        }
    }
    worst.sort_by(|a, b| b.ratio().total_cmp(&a.ratio()));
    worst
}

/// `<li>` of a site against its target.
fn near_item(h: &mut String, a: &Against, lang: Lang) {
    let label = i18n::kpi(&a.kpi, lang);
    let class = if a.missed() { " class=\"over\"" } else { "" };
    let _ = writeln!(
        h,
        "<li{class}>{}</li>",
        escape(&i18n::near_limit(
            lang,
            &a.site,
            &label.name,
            &shown(a.estimate.ci95_high, label.scale, label.unit),
            &with_unit(a.limit, label.scale, label.unit),
        ))
    );
}

/// The summary section (`id="summary"`), then the insertion point of the
/// site map.
pub(crate) fn summary(h: &mut String, input: &ReportInput, lang: Lang) {
    let s = lang.summary_words();
    let _ = writeln!(h, "<section class=\"summary\" id=\"summary\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.summary);
    if input.plan.is_some() {
        plan(h, input, lang);
    } else if input.compare.is_some() {
        compare(h, input, lang);
    } else {
        run(h, input, lang);
    }
    let _ = writeln!(h, "</section>");
    if let Some(map) = site_map_of(input, lang) {
        let _ = writeln!(h, "<section class=\"map\" id=\"map\">");
        let _ = writeln!(h, "<h2>{}</h2>", escape(&map.title));
        let _ = writeln!(h, "<figure class=\"chart\">");
        h.push_str(map.svg.trim());
        h.push('\n');
        let _ = writeln!(h, "<figcaption>{}</figcaption>", escape(&map.caption));
        let _ = writeln!(h, "</figure>");
        let _ = writeln!(h, "</section>");
    }
}

/// Share of a target's limit from which a site that meets it is "close".
const CLOSE_SHARE: f64 = 0.9;

/// A site's name and its KPIs (a comparison's first scenario's are
/// collected, a run's borrowed).
type SiteKpis<'a> = (&'a str, Cow<'a, KpiList<Estimate>>);

/// The site map of a run, a plan or a comparison: sites where the
/// scenario puts them, marker area by swap requests a day, colour by
/// target status (missed when a KPI's upper 95% bound is over its limit,
/// close when it is above 90% of it, else met) or by `input.map_kpi`;
/// labelled with their cabinets (planned, for a plan) and grouped by
/// transformer. A comparison's map is of its first scenario (the one the
/// others are measured against), over the sites they share, and says so.
/// `None` without per-site results.
pub fn site_map_of(input: &ReportInput, lang: Lang) -> Option<crate::SiteMap> {
    use crate::map::{MapColour, MapSite, TargetStatus};
    let (sites, first): (Vec<SiteKpis<'_>>, Option<String>) = match &input.compare {
        Some(c) => {
            let sites = c
                .sites
                .iter()
                .map(|site| {
                    let first = site
                        .kpis
                        .0
                        .iter()
                        .filter_map(|(k, row)| Some((k.clone(), *row.estimates.first()?)));
                    (site.name.as_str(), Cow::Owned(KpiList(first.collect())))
                })
                .collect();
            (sites, c.column_names().into_iter().next())
        }
        None => {
            let summary = input.summary.as_ref()?;
            let sites = summary
                .sites
                .iter()
                .map(|s| (s.name.as_str(), Cow::Borrowed(&s.kpis)))
                .collect();
            (sites, None)
        }
    };
    if sites.is_empty() {
        return None;
    }
    let targets = input.context.targets.set();
    let kpi_label = input
        .map_kpi
        .as_deref()
        .map(|name| (name, i18n::kpi(name, lang)));
    let sites = sites
        .iter()
        .map(|(name, kpis)| {
            let info = input.context.sites.iter().find(|i| i.name == *name);
            let mean = |kpi: &str| kpis.get(kpi).map(|e| e.mean);
            let mut status = TargetStatus::Met;
            for &(kpi, limit) in &targets {
                let Some(e) = kpis.get(kpi) else {
                    continue;
                };
                if e.ci95_high > limit {
                    status = TargetStatus::Missed;
                } else if e.ci95_high > CLOSE_SHARE * limit && status == TargetStatus::Met {
                    status = TargetStatus::Close;
                }
            }
            MapSite {
                name: (*name).to_owned(),
                x_m: info.map_or(0.0, |i| i.x_m),
                y_m: info.map_or(0.0, |i| i.y_m),
                requests_per_day: mean("swap_requests_per_day").unwrap_or(0.0),
                status: Some(status),
                kpi: kpi_label
                    .as_ref()
                    .and_then(|(name, label)| Some(mean(name)? * label.scale)),
                label: info
                    .filter(|i| i.cabinets > 0)
                    .map(|i| i.cabinets.to_string()),
                transformer: info.and_then(|i| i.transformer.clone()),
            }
        })
        .collect::<Vec<_>>();
    let colour = match &kpi_label {
        Some((_, label)) => MapColour::Kpi {
            label: label.with_unit(),
        },
        None => MapColour::Status,
    };
    let map = crate::site_map(&sites, &colour, lang);
    Some(match first {
        Some(scenario) => {
            let mut map = map.titled(i18n::map_title_of(lang, &scenario));
            map.caption = format!("{}{}", i18n::map_of_first(lang, &scenario), map.caption);
            map
        }
        None => map,
    })
}

fn plan(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(plan) = &input.plan else { return };
    let w = lang.words();
    let s = lang.summary_words();
    if plan.feasible {
        let _ = writeln!(h, "<p class=\"ok verdict\">{}</p>", w.plan_feasible);
    } else {
        // The verdict ends in a colon: say what follows it.
        let missing = plan
            .sites
            .iter()
            .filter(|x| x.targets.iter().any(|t| !t.met))
            .count();
        let detail = match lang {
            Lang::Zh => format!(
                "{} 个站点中有 {missing} 个仍未达到目标，逐项见“{}”一节。",
                plan.sites.len(),
                w.findings
            ),
            Lang::En => format!(
                "{missing} of {} sites still miss a target; each is listed under {}.",
                plan.sites.len(),
                w.findings
            ),
        };
        let _ = writeln!(
            h,
            "<p class=\"bad verdict\">{} {}</p>",
            w.plan_infeasible,
            escape(&detail)
        );
    }

    // Equipment, existing → planned.
    let sum = |f: &dyn Fn(usize) -> u32, n: usize| (0..n).map(f).sum::<u32>();
    let ex = &plan.existing;
    let pl = &plan.sites;
    let own = |power: Option<f64>, slots: u32| if power.is_some() { slots } else { 0 };
    let mut upgraded: Vec<&str> = pl
        .iter()
        .filter(|x| x.transformer_upgraded)
        .filter_map(|x| x.transformer.as_deref())
        .collect();
    upgraded.sort_unstable();
    upgraded.dedup();
    let rows: [(&str, Option<u32>, u32); 6] = [
        (
            s.cabinets,
            (!ex.is_empty()).then(|| sum(&|i| ex[i].cabinets, ex.len())),
            sum(&|i| pl[i].cabinets, pl.len()),
        ),
        (
            s.slots,
            (!ex.is_empty()).then(|| sum(&|i| ex[i].cabinets * ex[i].slots_per_cabinet, ex.len())),
            sum(&|i| pl[i].cabinets * pl[i].slots_per_cabinet, pl.len()),
        ),
        (
            s.batteries,
            (!ex.is_empty()).then(|| sum(&|i| ex[i].batteries, ex.len())),
            sum(&|i| pl[i].batteries, pl.len()),
        ),
        (
            s.slot_chargers,
            (!ex.is_empty()).then(|| {
                sum(
                    &|i| {
                        own(
                            ex[i].charger_power_w,
                            ex[i].cabinets * ex[i].slots_per_cabinet,
                        )
                    },
                    ex.len(),
                )
            }),
            sum(
                &|i| {
                    own(
                        pl[i].charger_power_w,
                        pl[i].cabinets * pl[i].slots_per_cabinet,
                    )
                },
                pl.len(),
            ),
        ),
        (
            s.pile_ports,
            (!ex.is_empty()).then(|| sum(&|i| ex[i].pile_ports, ex.len())),
            sum(&|i| pl[i].pile_ports, pl.len()),
        ),
        (
            s.transformer_upgrades,
            (!ex.is_empty()).then_some(0),
            upgraded.len() as u32,
        ),
    ];
    let _ = writeln!(h, "<h3>{}</h3>", s.totals);
    let _ = writeln!(h, "<table class=\"totals compact\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>",
        s.item, s.existing, s.planned
    );
    let _ = writeln!(h, "<tbody>");
    for (label, before, after) in rows {
        let before = before.map_or_else(|| "–".to_owned(), |b| b.to_string());
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td class=\"num\">{before}</td><td class=\"num\">{after}</td></tr>"
        );
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");

    // The money: the one-off investment is what the plan adds over what
    // exists; the annual cost is the whole planned fleet's, which the
    // planner minimises.
    let fleet = pl.iter().fold([0.0; 5], |mut acc, x| {
        for (a, v) in acc.iter_mut().zip(items(&x.capital)) {
            *a += v;
        }
        acc
    });
    let fleet_total: f64 = fleet.iter().sum();
    let added = investment(h, plan, &upgraded, lang);

    let year = |kpi: &str| {
        input
            .summary
            .as_ref()
            .and_then(|x| x.network.get(kpi))
            .map(|e| e.mean * DAYS_A_YEAR)
    };
    let operator = year("cabinet_energy_cost_cny_per_day");
    let residents = match (
        year("pile_energy_cost_cny_per_day"),
        year("home_energy_cost_cny_per_day"),
    ) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    };
    let batteries = fleet[1];
    let maintenance = fleet_total * plan.maintenance_share_per_year;
    let annual: [(&str, Option<f64>); 5] = [
        (
            s.annualised_equipment,
            Some((fleet_total - batteries) * plan.annuity_factor),
        ),
        (s.battery_annuity, Some(batteries * plan.annuity_factor)),
        (s.maintenance, Some(maintenance)),
        (s.energy_operator, operator),
        (s.energy_residents, residents),
    ];
    let annual = annual
        .into_iter()
        .filter_map(|(label, v)| Some((label, v?)));
    money_table(
        h,
        "money annual compact",
        (s.annual, s.cny_per_year),
        annual,
        s.total,
    );
    let _ = writeln!(
        h,
        "<p class=\"note annual-note\">{}</p>",
        escape(&i18n::annual_note(
            lang,
            plan.annuity_factor,
            (plan.lifetime_years > 0.0).then_some(plan.lifetime_years),
            plan.maintenance_share_per_year,
        ))
    );
    if let Some(fee) = plan.swap_fee_cny {
        let network = input.summary.as_ref().map(|x| &x.network);
        let requests = network
            .and_then(|n| n.get("swap_requests_per_day"))
            .map_or(0.0, |e| e.mean);
        let lost = network
            .and_then(|n| n.get("lost_swap_rate"))
            .map_or(0.0, |e| e.mean);
        let swaps = requests * (1.0 - lost);
        let revenue = swaps * fee * DAYS_A_YEAR;
        let _ = writeln!(
            h,
            "<p class=\"revenue\">{}</p>",
            escape(&i18n::revenue(
                lang,
                &trim(swaps, 0),
                &trim(fee, 2),
                &trim(revenue, 0)
            ))
        );
        // Payback of what the plan adds, from the network's revenue less
        // the operator's running costs of the planned fleet.
        if let Some(added) = added {
            let net = revenue - maintenance - operator.unwrap_or(0.0);
            let payback = if added <= 0.0 {
                Payback::NothingAdded
            } else if net > 0.0 {
                Payback::Years(trim(added / net, 1))
            } else {
                Payback::Never
            };
            let _ = writeln!(
                h,
                "<p class=\"payback\">{}</p>",
                escape(&i18n::payback(lang, &payback))
            );
        }
    }

    // Flying wire, before → after.
    let fw = "flying_wire_per_1000_bikes_day";
    let after = input.summary.as_ref().and_then(|x| x.network.get(fw));
    let before = plan.baseline.as_ref().and_then(|b| b.get(fw));
    if let (Some(before), Some(after)) = (before, after) {
        let label = i18n::kpi(fw, lang);
        let _ = writeln!(
            h,
            "<p class=\"before-after\">{}</p>",
            escape(&i18n::before_after(
                lang,
                &label.name,
                &estimate(before, 1.0).0,
                &estimate(*after, 1.0).0
            ))
        );
    }
    closest_list(h, &site_targets(input), lang);
}

fn closest_list(h: &mut String, all: &[Against], lang: Lang) {
    let near = closest(all);
    if near.is_empty() {
        return;
    }
    let _ = writeln!(h, "<h3>{}</h3>", lang.summary_words().closest);
    let _ = writeln!(h, "<ol class=\"closest\">");
    for a in near.iter().take(WORST) {
        near_item(h, a, lang);
    }
    let _ = writeln!(h, "</ol>");
}

fn run(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(summary) = &input.summary else {
        return;
    };
    let w = lang.words();
    let s = lang.summary_words();
    let all = site_targets(input);
    let mut missing: Vec<&str> = all
        .iter()
        .filter(|a| a.missed())
        .map(|a| a.site.as_str())
        .collect();
    missing.dedup();
    if input.context.targets.set().is_empty() {
        let _ = writeln!(h, "<p class=\"none verdict\">{}</p>", w.no_targets);
    } else if missing.is_empty() {
        let _ = writeln!(h, "<p class=\"ok verdict\">{}</p>", w.all_met);
        closest_list(h, &all, lang);
    } else {
        let _ = writeln!(
            h,
            "<p class=\"bad verdict\">{}</p>",
            escape(&i18n::sites_missing(
                lang,
                missing.len(),
                summary.sites.len()
            ))
        );
        let _ = writeln!(h, "<ol class=\"closest\">");
        for a in closest(&all).iter().take(WORST) {
            near_item(h, a, lang);
        }
        let _ = writeln!(h, "</ol>");
    }

    let _ = writeln!(h, "<h3>{}</h3>", s.network_kpis);
    let _ = writeln!(h, "<table class=\"key compact\">");
    let _ = writeln!(h, "<tbody>");
    for kpi in KEY_KPIS {
        let Some(e) = summary.network.get(kpi) else {
            continue;
        };
        let label = i18n::kpi(kpi, lang);
        let (mean, ci) = estimate(*e, label.scale);
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td class=\"num\">{mean} <span class=\"ci\">{}</span></td></tr>",
            escape(&label.with_unit()),
            ci.unwrap_or_default()
        );
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    headroom(h, input, lang);
}

/// Peak of each transformer's mean daily load against its allowed load,
/// the tightest first (at most three).
fn headroom(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(load) = &input.load else { return };
    let s = lang.summary_words();
    let mut rows: Vec<(&str, f64, f64)> = load
        .transformers
        .iter()
        .filter_map(|t| {
            let spec = input
                .context
                .transformers
                .iter()
                .find(|x| x.name == t.name)?;
            let peak = t.quarters.iter().map(|q| q.total_kw()).fold(0.0, f64::max);
            Some((t.name.as_str(), peak, spec.allowed_kw()))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    rows.sort_by(|a, b| (a.2 - a.1).total_cmp(&(b.2 - b.1)));
    let _ = writeln!(h, "<h3>{}</h3>", s.headroom);
    let _ = writeln!(h, "<table class=\"headroom compact\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th></tr></thead>",
        s.transformer, s.peak_kw, s.allowed_kw, s.headroom_kw
    );
    let _ = writeln!(h, "<tbody>");
    for (name, peak, allowed) in rows.iter().take(WORST) {
        let class = if peak > allowed { " miss" } else { "" };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num{class}\">{}</td></tr>",
            escape(name),
            trim(*peak, 0),
            trim(*allowed, 0),
            trim(allowed - peak, 0)
        );
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
}

/// The energy cost a day, which the comparison's summary shows a year
/// of ([`DAYS_A_YEAR`] days).
const ENERGY_COST: &str = "energy_cost_cny_per_day";

/// KPIs of the comparison's summary, each with its paired difference;
/// the energy cost as a year's.
const COMPARE_KPIS: [&str; 4] = [
    ENERGY_COST,
    "lost_swap_rate",
    "flying_wire_per_1000_bikes_day",
    "transformer_peak_utilization",
];

fn compare(h: &mut String, input: &ReportInput, lang: Lang) {
    let Some(c) = &input.compare else { return };
    let s = lang.summary_words();
    let names = c.column_names();
    let targets = &input.context.targets;
    let kpis: Vec<&str> = COMPARE_KPIS
        .iter()
        .copied()
        .filter(|k| c.network.get(k).is_some())
        .collect();
    let _ = writeln!(h, "<table class=\"compare-summary\">");
    let _ = write!(
        h,
        "<thead><tr><th>{}</th><th>{}</th>",
        lang.words().scenario,
        s.meets_all
    );
    for kpi in &kpis {
        let head = match *kpi {
            ENERGY_COST => s.energy_cost_year.to_owned(),
            _ => i18n::kpi(kpi, lang).with_unit(),
        };
        // The unit stays whole; the name may break before it.
        let head = match head.rfind(" [") {
            Some(at) if head.ends_with(']') => format!(
                "{} <span class=\"unit\">{}</span>",
                escape(&head[..at]),
                escape(&head[at + 1..])
            ),
            _ => escape(&head),
        };
        let _ = write!(h, "<th class=\"num\">{head}</th>");
    }
    let sized = c.scenarios.iter().all(|x| x.sizing.is_some());
    if sized {
        for head in [s.cabinets, s.batteries, s.pile_ports] {
            let _ = write!(h, "<th class=\"num\">{head}</th>");
        }
    }
    let _ = writeln!(h, "</tr></thead>");
    let _ = writeln!(h, "<tbody>");
    for (i, name) in names.iter().enumerate() {
        let lists: Vec<(&str, KpiList<Estimate>)> = c
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
                (site.name.as_str(), list)
            })
            .collect();
        let missed = of_lists(targets, lists.iter().map(|(n, l)| (*n, l)))
            .iter()
            .filter(|a| a.missed())
            .count();
        let verdict = if targets.set().is_empty() {
            "–".to_owned()
        } else if missed == 0 {
            s.yes.to_owned()
        } else {
            i18n::missed_count(lang, missed)
        };
        let class = if missed == 0 { "met" } else { "miss" };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"verdict {class}\">{}</td>",
            escape(name),
            escape(&verdict)
        );
        for kpi in &kpis {
            let Some(row) = c.network.get(kpi) else {
                continue;
            };
            let scale = match *kpi {
                ENERGY_COST => DAYS_A_YEAR,
                _ => i18n::kpi(kpi, lang).scale,
            };
            let value = row
                .estimates
                .get(i)
                .map_or_else(|| "–".to_owned(), |e| estimate(*e, scale).0);
            let diff = if i == 0 {
                String::new()
            } else {
                row.differences.get(i - 1).map_or_else(String::new, |d| {
                    let (mean, ci) = estimate(*d, scale);
                    let signed = if mean.starts_with('-') || mean == "0" {
                        mean
                    } else {
                        format!("+{mean}")
                    };
                    // The difference and its interval on lines of their
                    // own: the columns stay narrow enough to print.
                    let ci =
                        ci.map_or_else(String::new, |c| format!("<span class=\"ci\">{c}</span>"));
                    format!("<span class=\"ci\">Δ {signed}</span>{ci}")
                })
            };
            let _ = write!(h, "<td class=\"num\">{value}{diff}</td>");
        }
        let first = c.scenarios.first().and_then(|x| x.sizing);
        if let (true, Some(this), Some(first)) = (sized, c.scenarios[i].sizing, first) {
            for (n, base) in [
                (this.cabinets, first.cabinets),
                (this.batteries, first.batteries),
                (this.pile_ports, first.pile_ports),
            ] {
                let diff = if i == 0 {
                    String::new()
                } else {
                    let d = i64::from(n) - i64::from(base);
                    let sign = if d > 0 { "+" } else { "" };
                    format!("<span class=\"ci\">Δ {sign}{d}</span>")
                };
                let _ = write!(h, "<td class=\"num\">{n}{diff}</td>");
            }
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    let _ = writeln!(h, "<p class=\"note\">{}</p>", s.compare_diff_note);
    compare_cost(h, c, &names, lang);
}

/// The cost of each scenario after the first against it: the one-off
/// investment by item (the amount, and the count it buys), its annuity
/// and maintenance, the paired energy-cost difference and the annual
/// cost difference with its interval. A scenario without `[costs]` says
/// so instead of showing zeros; a comparison written before costs were
/// recorded shows nothing.
fn compare_cost(h: &mut String, c: &CompareData, names: &[String], lang: Lang) {
    let Some(first) = names.first() else { return };
    let columns: Vec<(&str, Option<&PricedDifference>)> = c
        .scenarios
        .iter()
        .zip(names)
        .skip(1)
        .filter_map(|(x, name)| {
            let priced = match x.cost_difference.as_ref()? {
                CostDifference::Given(p) => Some(p),
                CostDifference::NotGiven => None,
            };
            Some((name.as_str(), priced))
        })
        .collect();
    if columns.iter().any(|(_, p)| p.is_some()) {
        cost_table(h, &columns, first, lang);
    }
    let unpriced: Vec<&str> = columns
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !unpriced.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note no-costs\">{}</p>",
            escape(&i18n::not_priced(lang, &unpriced))
        );
    }
}

/// The table of [`compare_cost`], one column per scenario after the
/// first, and the note on how it is priced.
fn cost_table(
    h: &mut String,
    columns: &[(&str, Option<&PricedDifference>)],
    first: &str,
    lang: Lang,
) {
    let s = lang.summary_words();
    let _ = writeln!(h, "<h3>{}</h3>", escape(&i18n::cost_against(lang, first)));
    let _ = writeln!(h, "<table class=\"money compare-cost compact\">");
    let _ = write!(h, "<thead><tr><th>{}</th>", s.item);
    for (name, _) in columns {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(name));
    }
    let _ = writeln!(h, "</tr></thead>");
    let _ = writeln!(h, "<tbody>");
    // An item's amount, and the count it buys.
    let item = |p: &PricedDifference, i: usize| -> (f64, u32) {
        let a = &p.added;
        let upgraded = u32::try_from(p.transformers_upgraded.len()).unwrap_or(u32::MAX);
        let counts = [
            a.cabinets,
            a.batteries,
            a.pile_ports,
            a.charger_slots,
            upgraded,
        ];
        (items(&a.capital)[i], counts[i])
    };
    let unit = match lang {
        Lang::Zh => " [元]",
        Lang::En => " [CNY]",
    };
    for (i, label) in s.capex_items.iter().enumerate() {
        // Chargers and transformer upgrades only where a scenario has any.
        let any = columns
            .iter()
            .filter_map(|(_, p)| *p)
            .any(|p| item(p, i) != (0.0, 0));
        if i >= 3 && !any {
            continue;
        }
        let _ = write!(h, "<tr><td>{}</td>", labelled(&format!("{label}{unit}")));
        for (_, p) in columns {
            let cell = p.map_or_else(
                || "–".to_owned(),
                |p| {
                    let (cny, n) = item(p, i);
                    let count = if n > 0 {
                        format!("<span class=\"ci\">+{n}</span>")
                    } else {
                        String::new()
                    };
                    format!("{}{count}", trim(cny, 0))
                },
            );
            let _ = write!(h, "<td class=\"num\">{cell}</td>");
        }
        let _ = writeln!(h, "</tr>");
    }
    let row =
        |h: &mut String, total: bool, label: &str, of: &dyn Fn(&PricedDifference) -> String| {
            let (open, cell) = if total {
                ("<tr class=\"total\">", "th")
            } else {
                ("<tr>", "td")
            };
            let _ = write!(h, "{open}<{cell}>{}</{cell}>", labelled(label));
            for (_, p) in columns {
                // Without `[costs]`, the totals say so; the lines between
                // them are empty.
                let none = || {
                    if total {
                        escape(s.not_priced)
                    } else {
                        "–".to_owned()
                    }
                };
                let value = p.map_or_else(none, of);
                let _ = write!(h, "<{cell} class=\"num\">{value}</{cell}>");
            }
            let _ = writeln!(h, "</tr>");
        };
    let with_interval = |e: Estimate| {
        let (mean, ci) = estimate(e, 1.0);
        let signed = if mean.starts_with('-') || mean == "0" {
            mean
        } else {
            format!("+{mean}")
        };
        let ci = ci.map_or_else(String::new, |c| format!("<span class=\"ci\">{c}</span>"));
        format!("{signed}{ci}")
    };
    row(h, true, s.investment_total, &|p| trim(p.investment_cny, 0));
    row(h, false, s.annual_equipment, &|p| {
        trim(p.annualised_investment_cny + p.maintenance_cny, 0)
    });
    row(h, false, s.energy_paired, &|p| with_interval(p.energy_cny));
    row(h, true, s.annual_difference, &|p| {
        with_interval(p.annual_cny)
    });
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    let mut rates: Vec<(f64, f64)> = Vec::new();
    for p in columns.iter().filter_map(|(_, p)| *p) {
        let rate = (p.annuity_factor, p.maintenance_share_per_year);
        if !rates.contains(&rate) {
            rates.push(rate);
        }
    }
    let _ = writeln!(
        h,
        "<p class=\"note cost-note\">{}</p>",
        escape(&i18n::cost_against_note(lang, first, &rates))
    );
}

/// A capital's items in the order of `SummaryWords::capex_items`.
fn items(c: &Capital) -> [f64; 5] {
    [
        c.cabinets_cny,
        c.batteries_cny,
        c.pile_ports_cny,
        c.chargers_cny,
        c.transformer_cny,
    ]
}

/// How long the plan's added investment takes to pay back.
pub(crate) enum Payback {
    /// This many years (as shown).
    Years(String),
    /// Never: the revenue does not cover the running costs.
    Never,
    /// Nothing to pay back: the plan adds nothing.
    NothingAdded,
}

/// The one-off investment: what the plan adds over what exists, item by
/// item (added count × unit price = amount; `upgraded` names the
/// transformers it upgrades), with a note saying so. Returns its total, or
/// `None` for a plan written before what it adds was recorded (then the
/// note says so and no investment is shown).
fn investment(h: &mut String, plan: &PlanData, upgraded: &[&str], lang: Lang) -> Option<f64> {
    let s = lang.summary_words();
    let Some(added) = plan
        .sites
        .iter()
        .map(|x| x.added)
        .collect::<Option<Vec<Added>>>()
    else {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", s.no_investment);
        return None;
    };
    // Per item: the count bought, the amount, and each site's unit price.
    let counts =
        |a: &Added| -> [u32; 5] { [a.cabinets, a.batteries, a.pile_ports, a.charger_slots, 0] };
    let mut rows: Vec<(u32, f64, Vec<f64>)> = vec![(0, 0.0, Vec::new()); 5];
    for a in &added {
        for (i, (n, cny)) in counts(a).into_iter().zip(items(&a.capital)).enumerate() {
            rows[i].0 += n;
            rows[i].1 += cny;
            if n > 0 {
                rows[i].2.push(cny / f64::from(n));
            }
        }
    }
    // Cabinets and batteries have their price in the planned fleet too,
    // shown where the plan buys none.
    for x in &plan.sites {
        for (i, (cny, n)) in [
            (x.capital.cabinets_cny, x.cabinets),
            (x.capital.batteries_cny, x.batteries),
        ]
        .into_iter()
        .enumerate()
        {
            if rows[i].0 == 0 && n > 0 {
                rows[i].2.push(cny / f64::from(n));
            }
        }
    }
    // Transformers are shared between sites: counted once each.
    rows[4].0 = upgraded.len() as u32;
    if !upgraded.is_empty() {
        rows[4].2 = vec![rows[4].1 / upgraded.len() as f64];
    }
    let total: f64 = rows.iter().map(|r| r.1).sum();
    let _ = writeln!(h, "<table class=\"money capex compact\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th></tr></thead>",
        s.capex, s.added_count, s.unit_price, s.amount
    );
    let _ = writeln!(h, "<tbody>");
    for (i, (label, (count, cny, prices))) in s.capex_items.iter().zip(&rows).enumerate() {
        // Chargers and transformer upgrades only where the plan has any.
        if i >= 3 && *count == 0 && *cny == 0.0 {
            continue;
        }
        let price = match prices.first() {
            None => "–".to_owned(),
            Some(&first) if prices.iter().all(|p| (p - first).abs() < 0.5) => trim(first, 0),
            // Sizes of different prices: their mean, marked as such.
            Some(_) if *count > 0 => format!("≈ {}", trim(cny / f64::from(*count), 0)),
            Some(_) => {
                let mean = prices.iter().sum::<f64>() / prices.len() as f64;
                format!("≈ {}", trim(mean, 0))
            }
        };
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td class=\"num\">{count}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            escape(&price),
            trim(*cny, 0)
        );
    }
    let _ = writeln!(
        h,
        "<tr class=\"total\"><th>{}</th><th></th><th></th><th class=\"num\">{}</th></tr>",
        s.total,
        trim(total, 0)
    );
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    let _ = writeln!(h, "<p class=\"note capex-note\">{}</p>", s.capex_note);
    Some(total)
}

/// A table of money: a header of `head` (what, unit), one row per
/// `(label, value)` and a total row of their sum, whole yuan.
fn money_table<'a>(
    h: &mut String,
    class: &str,
    head: (&str, &str),
    rows: impl Iterator<Item = (&'a str, f64)>,
    total_label: &str,
) {
    let _ = writeln!(h, "<table class=\"{class}\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th></tr></thead>",
        head.0, head.1
    );
    let _ = writeln!(h, "<tbody>");
    let mut total = 0.0;
    for (label, v) in rows {
        total += v;
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td class=\"num\">{}</td></tr>",
            trim(v, 0)
        );
    }
    let _ = writeln!(
        h,
        "<tr class=\"total\"><th>{total_label}</th><th class=\"num\">{}</th></tr>",
        trim(total, 0)
    );
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
}
