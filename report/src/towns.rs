//! The roll-up by town (街道 / 镇, the sites' `town`), and the order of the
//! sites' table: by town, then name.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::format::{escape, trim};
use crate::i18n::Lang;
use crate::input::ReportInput;
use crate::summary::site_targets;

/// One town's totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Town {
    /// Sites in the town.
    pub sites: u32,
    /// Resident e-bikes.
    pub ebikes: u32,
    /// Swap subscribers.
    pub subscribers: u32,
    /// Cabinets (planned, for a plan).
    pub cabinets: u32,
    /// Batteries (planned, for a plan).
    pub batteries: u32,
    /// A plan's annualised cost, else the energy cost of a year \[CNY/yr\].
    pub annual_cny: f64,
    /// Flying-wire sessions a day (not per 1000 e-bikes).
    pub flying_wire_per_day: f64,
    /// (site, target) pairs missed.
    pub missed: u32,
}

impl Town {
    /// Flying-wire sessions per 1000 resident e-bikes a day.
    pub fn flying_wire_per_1000(&self) -> Option<f64> {
        (self.ebikes > 0).then(|| self.flying_wire_per_day * 1000.0 / f64::from(self.ebikes))
    }
}

/// The towns of the input's sites, by name (sites without one under the
/// empty name); empty when no site names its town.
pub(crate) fn towns(input: &ReportInput) -> BTreeMap<String, Town> {
    let sites = &input.context.sites;
    let mut out: BTreeMap<String, Town> = BTreeMap::new();
    if sites.iter().all(|s| s.town.is_empty()) {
        return out;
    }
    let misses = site_targets(input);
    for info in sites {
        let t = out.entry(info.town.clone()).or_default();
        t.sites += 1;
        t.ebikes += info.ebikes;
        t.subscribers += info.subscribers;
        t.cabinets += info.cabinets;
        t.batteries += info.batteries;
        let kpis = input
            .summary
            .as_ref()
            .and_then(|s| s.sites.iter().find(|x| x.name == info.name))
            .map(|x| &x.kpis);
        let planned = input
            .plan
            .as_ref()
            .and_then(|p| p.sites.iter().find(|x| x.name == info.name));
        t.annual_cny += match planned {
            Some(p) => p.annual_cost_cny,
            None => kpis
                .and_then(|k| k.get("energy_cost_cny_per_day"))
                .map_or(0.0, |e| e.mean * 365.0),
        };
        if let Some(e) = kpis.and_then(|k| k.get("flying_wire_per_1000_bikes_day")) {
            t.flying_wire_per_day += e.mean * f64::from(info.ebikes) / 1000.0;
        }
        t.missed += misses
            .iter()
            .filter(|a| a.site == info.name && a.missed())
            .count() as u32;
    }
    out
}

/// The towns section (`id="towns"`): a table, or one line saying that no
/// site names its town.
pub(crate) fn section(h: &mut String, input: &ReportInput, lang: Lang) {
    let s = lang.summary_words();
    let towns = towns(input);
    let _ = writeln!(h, "<section class=\"towns\" id=\"towns\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.towns);
    if towns.is_empty() {
        let _ = writeln!(h, "<p class=\"none\">{}</p>", s.no_towns);
        let _ = writeln!(h, "</section>");
        return;
    }
    let cost = if input.plan.is_some() {
        s.annual_cost
    } else {
        s.energy_cost_year
    };
    let _ = writeln!(h, "<table class=\"towns\">");
    let _ = write!(h, "<thead><tr><th>{}</th>", s.town);
    for head in [
        s.sites,
        s.ebikes,
        s.subscribers,
        s.cabinets,
        s.batteries,
        cost,
        s.flying_wire,
        s.targets_missed,
    ] {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(head));
    }
    let _ = writeln!(h, "</tr></thead>");
    let _ = writeln!(h, "<tbody>");
    let mut all = Town::default();
    let row = |h: &mut String, name: &str, t: &Town, class: &str| {
        let fw = t
            .flying_wire_per_1000()
            .map_or_else(|| "–".to_owned(), |x| trim(x, 2));
        let miss = if t.missed > 0 { " miss" } else { "" };
        let _ = writeln!(
            h,
            "<tr{class}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{fw}</td>\
             <td class=\"num{miss}\">{}</td></tr>",
            escape(name),
            t.sites,
            t.ebikes,
            t.subscribers,
            t.cabinets,
            t.batteries,
            trim(t.annual_cny, 0),
            t.missed
        );
    };
    for (name, t) in &towns {
        let shown = if name.is_empty() { s.no_town } else { name };
        row(h, shown, t, "");
        all.sites += t.sites;
        all.ebikes += t.ebikes;
        all.subscribers += t.subscribers;
        all.cabinets += t.cabinets;
        all.batteries += t.batteries;
        all.annual_cny += t.annual_cny;
        all.flying_wire_per_day += t.flying_wire_per_day;
        all.missed += t.missed;
    }
    row(h, s.total, &all, " class=\"total\"");
    let _ = writeln!(h, "</tbody>");
    let _ = writeln!(h, "</table>");
    let _ = writeln!(h, "</section>");
}

/// The sites' order in the sites' table: by town, then name, when some
/// site names its town; else the scenario's order. Returns indices into
/// `names` and each site's town.
pub(crate) fn site_order<'a>(input: &'a ReportInput, names: &[&str]) -> Vec<(usize, &'a str)> {
    let town = |name: &str| {
        input
            .context
            .sites
            .iter()
            .find(|s| s.name == name)
            .map_or("", |s| s.town.as_str())
    };
    let mut order: Vec<(usize, &str)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (i, town(n)))
        .collect();
    if order.iter().any(|(_, t)| !t.is_empty()) {
        order.sort_by(|a, b| a.1.cmp(b.1).then_with(|| names[a.0].cmp(names[b.0])));
    }
    order
}
