//! `[[site_override]]` and `[[transformer_override]]`: sizing that replaces
//! what the rest of the scenario says; `[[scenario_override]]`: the seed,
//! days and replications a plan was judged with; and [`plan_file`], which
//! writes a plan as overrides.
//!
//! `swapsim plan` writes its plan as the original scenario text, unchanged,
//! followed by one block of overrides, so the plan file runs like any
//! scenario and shows what the planner decided next to what was surveyed.
//! Overrides apply after everything else, in file order: a later override
//! of the same key wins. The sites are then checked again (batteries must
//! leave one empty compartment per cabinet), and a problem points at the
//! override.

use std::fmt::Write as _;

use sim_core::TransformerSpec;
use sim_core::planner::Plan;

use crate::bounds;
use crate::diag::Sink;
use crate::scenario::Scenario;
use crate::site::{Built, COUNT, SiteNames};
use crate::walk::{At, Integer, Invalid, Kind, Reference, Table, Text};

/// The line that starts the block [`plan_file`] appends.
pub const PLAN_MARKER: &str = "# ---- plan written by `swapsim plan`";

/// One `[[site_override]]`: the site's name and the keys it sets.
pub(crate) struct SiteOverride {
    /// The site's name.
    site: String,
    cabinets: Option<(u32, At)>,
    slots_per_cabinet: Option<(u32, At)>,
    batteries: Option<(u32, At)>,
    pile_ports: Option<(u32, At)>,
    max_concurrent_charging: Option<(u32, At)>,
    max_riders_present: Option<(u32, At)>,
    charger_power_w: Option<(f64, At)>,
    nonsub_interval_days: Option<(f64, At)>,
    /// Resident e-bikes (`swapsim calibrate` writes it when the log has
    /// more subscribers than the site has e-bikes).
    ebikes: Option<(u32, At)>,
    /// Share of the e-bikes on a subscription (`swapsim calibrate`).
    swap_adoption: Option<(f64, At)>,
    /// Couriers living here, replacing the site's: `(group, count)`.
    couriers: Option<(Vec<(usize, u32)>, At)>,
    /// Prefixed to messages: "site 'A'".
    subject: String,
    /// Whether every key is valid; the keys that are not are `None`.
    complete: bool,
}

/// The overrides of one kind as read: the valid ones, and whether they
/// are all valid (each problem has been reported).
pub(crate) struct Overrides<T> {
    list: Vec<T>,
    ok: bool,
}

impl<T> Overrides<T> {
    fn collect(read: impl IntoIterator<Item = Option<T>>) -> Self {
        let mut ok = true;
        let list = read.into_iter().filter_map(|o| {
            ok &= o.is_some();
            o
        });
        let list = list.collect();
        Overrides { list, ok }
    }
}

/// One `[[transformer_override]]`.
pub(crate) struct TransformerOverride {
    /// The transformer's name, where it is written.
    transformer: (String, At),
    rating_kva: f64,
}

/// One `[[scenario_override]]`: the keys of `[scenario]` it sets.
pub(crate) struct ScenarioOverride {
    seed: Option<u64>,
    days: Option<(u32, At)>,
    replications: Option<u32>,
}

/// Reads every `[[scenario_override]]`.
pub(crate) fn read_scenario(
    tables: Vec<Option<Table<'_, '_>>>,
    sink: &mut Sink<'_>,
) -> Overrides<ScenarioOverride> {
    let overrides: Vec<Option<ScenarioOverride>> = tables
        .into_iter()
        .map(|t| {
            let mut t = t?;
            let seed = t.optional(sink, "seed", &Integer::at_least(0));
            let days = set(&mut t, sink, "days", &bounds::DAYS);
            let replications = t.optional(sink, "replications", &bounds::replications(1));
            t.finish(sink);
            Some(ScenarioOverride {
                seed: seed.ok()?,
                days: days.ok()?,
                replications: replications.ok()?,
            })
        })
        .collect();
    Overrides::collect(overrides)
}

/// Applies the valid scenario overrides in order and checks the days
/// against the warm-up again; `None` when an override is invalid or the
/// days no longer exceed the warm-up (reported at the override).
pub(crate) fn apply_scenario(
    overrides: &Overrides<ScenarioOverride>,
    scenario: &mut Scenario,
    sink: &mut Sink<'_>,
) -> Option<()> {
    let mut days_at = None;
    for o in &overrides.list {
        if let Some(seed) = o.seed {
            scenario.seed = seed;
        }
        if let Some((days, at)) = &o.days {
            scenario.days = *days;
            days_at = Some(at);
        }
        if let Some(replications) = o.replications {
            scenario.replications = replications;
        }
    }
    let mut ok = overrides.ok;
    if let Some(at) = days_at
        && scenario.warmup_days >= scenario.days
    {
        at.error(
            sink,
            None,
            format_args!(
                "warmup_days ({}) must be less than days ({})",
                scenario.warmup_days, scenario.days
            ),
        );
        ok = false;
    }
    ok.then_some(())
}

/// Reads every `[[site_override]]`; `names` are the scenario's sites.
pub(crate) fn read_sites(
    tables: Vec<Option<Table<'_, '_>>>,
    names: &SiteNames,
    ctx: &crate::site::Context<'_>,
    sink: &mut Sink<'_>,
) -> Overrides<SiteOverride> {
    let names = names.in_order();
    let sites = Reference {
        what: "site",
        defined_in: "`[[site]]` or `[[site_table]]`",
        hint: "",
        names: &names,
    };
    let overrides: Vec<Option<SiteOverride>> = tables
        .into_iter()
        .map(|t| t.and_then(|t| read_site(t, &sites, ctx, sink)))
        .collect();
    Overrides::collect(overrides)
}

/// Reads one `[[site_override]]`: `None` without a known site name, else
/// the valid keys (reported and marked incomplete when some are not).
fn read_site(
    mut t: Table<'_, '_>,
    sites: &Reference<'_>,
    ctx: &crate::site::Context<'_>,
    sink: &mut Sink<'_>,
) -> Option<SiteOverride> {
    let name = t.required(sink, "site", &Text);
    let known = name.as_ref().and_then(|name| {
        let known = sites.find(name).map_err(|m| t.error(sink, "site", m)).ok();
        if known.is_some() {
            t.set_subject(format!("site '{name}'"));
        }
        known
    });
    let cabinets = set(&mut t, sink, "cabinets", &bounds::CABINETS);
    let slots_per_cabinet = set(&mut t, sink, "slots_per_cabinet", &bounds::SLOTS);
    let batteries = set(&mut t, sink, "batteries", &COUNT);
    let pile_ports = set(&mut t, sink, "pile_ports", &bounds::PILE_PORTS);
    let max_concurrent_charging = set(
        &mut t,
        sink,
        "max_concurrent_charging",
        &bounds::CONCURRENT_CHARGING,
    );
    let max_riders_present = set(&mut t, sink, "max_riders_present", &bounds::RIDERS_PRESENT);
    let charger_power_w = set(&mut t, sink, "charger_power_w", &crate::site::CHARGER_POWER);
    let nonsub_interval_days = set(
        &mut t,
        sink,
        "nonsub_interval_days",
        &bounds::NONSUB_INTERVAL_DAYS,
    );
    let ebikes = set(&mut t, sink, "ebikes", &bounds::EBIKES);
    let swap_adoption = set(&mut t, sink, "swap_adoption", &crate::site::SHARE);
    let couriers = match t.item("couriers") {
        None => Ok(None),
        Some(item) => crate::site::read_couriers(&item, ctx, sink)
            .map(|c| Some((c, item.at())))
            .ok_or(()),
    };
    let subject = t.subject().unwrap_or_default().to_owned();
    t.finish(sink);
    known?;
    let complete = [
        &cabinets,
        &slots_per_cabinet,
        &batteries,
        &pile_ports,
        &max_concurrent_charging,
        &max_riders_present,
    ]
    .iter()
    .all(|key| key.is_ok())
        && charger_power_w.is_ok()
        && nonsub_interval_days.is_ok()
        && ebikes.is_ok()
        && swap_adoption.is_ok()
        && couriers.is_ok();
    Some(SiteOverride {
        site: name?,
        cabinets: cabinets.ok().flatten(),
        slots_per_cabinet: slots_per_cabinet.ok().flatten(),
        batteries: batteries.ok().flatten(),
        pile_ports: pile_ports.ok().flatten(),
        max_concurrent_charging: max_concurrent_charging.ok().flatten(),
        max_riders_present: max_riders_present.ok().flatten(),
        charger_power_w: charger_power_w.ok().flatten(),
        nonsub_interval_days: nonsub_interval_days.ok().flatten(),
        ebikes: ebikes.ok().flatten(),
        swap_adoption: swap_adoption.ok().flatten(),
        couriers: couriers.ok().flatten(),
        subject,
        complete,
    })
}

/// Reads every `[[transformer_override]]`; the names are checked when the
/// overrides are applied, since a site's own transformer is named after it.
pub(crate) fn read_transformers(
    tables: Vec<Option<Table<'_, '_>>>,
    sink: &mut Sink<'_>,
) -> Overrides<TransformerOverride> {
    let overrides: Vec<Option<TransformerOverride>> = tables
        .into_iter()
        .map(|t| {
            let mut t = t?;
            let name = t.required(sink, "transformer", &Text);
            if let Some(name) = &name {
                t.set_subject(format!("transformer '{name}'"));
            }
            let rating_kva = t.required(sink, "rating_kva", &crate::bounds::RATING_KVA);
            let at = t.at("transformer");
            t.finish(sink);
            Some(TransformerOverride {
                transformer: (name?, at),
                rating_kva: rating_kva?,
            })
        })
        .collect();
    Overrides::collect(overrides)
}

/// A key of an override and where it is written: `Ok(None)` when absent.
fn set<K: Kind>(
    t: &mut Table<'_, '_>,
    sink: &mut Sink<'_>,
    key: &'static str,
    kind: &K,
) -> Result<Option<(K::Out, At)>, Invalid> {
    let value = t.optional(sink, key, kind)?;
    Ok(value.map(|value| (value, t.at(key))))
}

/// Applies the valid site overrides in order and checks each overridden
/// site's batteries against its slots again, unless one of its overrides
/// has an invalid key. `None` when an override is invalid or a site no
/// longer holds (reported at the override).
pub(crate) fn apply_sites(
    overrides: &Overrides<SiteOverride>,
    sites: &mut [Built],
    sink: &mut Sink<'_>,
) -> Option<()> {
    // Per site: where its overrides last set the slots and the batteries.
    let mut last: Vec<Option<Last<'_>>> = vec![None; sites.len()];
    let mut unchecked = vec![false; sites.len()];
    let mut unchecked_ok = true;
    for o in &overrides.list {
        let Some(index) = sites.iter().position(|s| s.spec.name == o.site) else {
            debug_assert!(false, "unknown site '{}' was not reported", o.site);
            continue;
        };
        let spec = &mut sites[index].spec;
        unchecked[index] |= !o.complete;
        let last = last[index].get_or_insert(Last {
            slots_at: None,
            batteries_at: None,
            subject: &o.subject,
        });
        if let Some((n, at)) = &o.cabinets {
            spec.cabinets = *n;
            last.slots_at = Some(at);
        }
        if let Some((n, at)) = &o.slots_per_cabinet {
            spec.slots_per_cabinet = *n;
            last.slots_at = Some(at);
        }
        if let Some((n, at)) = &o.batteries {
            spec.batteries = *n;
            last.batteries_at = Some(at);
        }
        if let Some((n, _)) = o.pile_ports {
            spec.pile_ports = n;
        }
        if let Some((n, _)) = o.max_concurrent_charging {
            spec.max_concurrent_charging = Some(n);
        }
        if let Some((n, _)) = o.max_riders_present {
            spec.max_riders_present = Some(n);
        }
        if let Some((power, _)) = o.charger_power_w {
            spec.charger_power_w = Some(power);
        }
        if let Some((days, _)) = o.nonsub_interval_days {
            spec.nonsub_interval_days = Some(days);
        }
        let rider_keys = [
            o.ebikes.as_ref().map(|(_, at)| at),
            o.swap_adoption.as_ref().map(|(_, at)| at),
            o.couriers.as_ref().map(|(_, at)| at),
        ];
        if spec.demand != sim_core::Demand::Riders
            && let Some(at) = rider_keys.into_iter().flatten().next()
        {
            at.error(
                sink,
                Some(&o.subject),
                "ebikes, swap_adoption and couriers apply to rider-driven sites, \
                 but this site has `demand`",
            );
            unchecked_ok = false;
            continue;
        }
        if let Some((n, _)) = o.ebikes {
            spec.ebikes = n;
        }
        if let Some((share, _)) = o.swap_adoption {
            spec.swap_adoption = share;
        }
        if let Some((couriers, _)) = &o.couriers {
            spec.couriers.clone_from(couriers);
        }
    }
    let mut ok = overrides.ok && unchecked_ok;
    for ((site, last), unchecked) in sites.iter().zip(last).zip(unchecked) {
        let spec = &site.spec;
        let Some(last) = last.filter(|_| !unchecked) else {
            continue;
        };
        let Some(at) = last.batteries_at.or(last.slots_at) else {
            continue;
        };
        let message = match spec.cabinets.checked_mul(spec.slots_per_cabinet) {
            None => format!(
                "slots ({} × {}) exceed the limit of {}",
                spec.cabinets,
                spec.slots_per_cabinet,
                u32::MAX
            ),
            Some(_) => match crate::site::no_empty_compartment(
                spec.batteries,
                spec.cabinets,
                spec.slots_per_cabinet,
            ) {
                Some(message) => message,
                None => continue,
            },
        };
        // Blame the slots when they overflow, else the batteries if set.
        let at = if spec.cabinets.checked_mul(spec.slots_per_cabinet).is_none() {
            last.slots_at.unwrap_or(at)
        } else {
            at
        };
        at.error(sink, Some(last.subject), message);
        ok = false;
    }
    ok.then_some(())
}

/// Where the overrides of one site last set its slots and batteries.
#[derive(Clone, Copy)]
struct Last<'o> {
    slots_at: Option<&'o At>,
    batteries_at: Option<&'o At>,
    subject: &'o str,
}

/// Applies the valid transformer overrides in order; `None` when one is
/// invalid or names no transformer (reported).
pub(crate) fn apply_transformers(
    overrides: &Overrides<TransformerOverride>,
    transformers: &mut [TransformerSpec],
    sink: &mut Sink<'_>,
) -> Option<()> {
    let names: Vec<&str> = transformers.iter().map(|t| t.name.as_str()).collect();
    let reference = Reference {
        what: "transformer",
        defined_in: "`[[transformer]]` or site's own transformer",
        hint: "",
        names: &names,
    };
    let mut found = Vec::new();
    let mut ok = overrides.ok;
    for o in &overrides.list {
        let (name, at) = &o.transformer;
        match reference.find(name) {
            Ok(index) => found.push((index, o.rating_kva)),
            Err(message) => {
                at.error(sink, None, message);
                ok = false;
            }
        }
    }
    for (index, rating_kva) in found {
        transformers[index].rating_kva = rating_kva;
    }
    ok.then_some(())
}

/// The plan as a scenario file: `original_source` unchanged, then a block of
/// overrides with the plan's sizing, which `swapsim run` reads like any
/// scenario.
///
/// The block starts with a `[[scenario_override]]` of the seed, days and
/// replications of the plan's final evaluation (`plan.model`'s: the
/// scenario's, or `plan --seed/--days`), so that `swapsim run` of the plan
/// file gives exactly the plan's figures. It has a `[[site_override]]` for
/// every site, with its cabinets, slots per cabinet, batteries and pile
/// ports (and its charging cap, if it has one), whether the plan changed
/// them or not: the block is the plan's whole sizing, readable without the
/// original. It has a `[[transformer_override]]` for every transformer the
/// plan upgrades.
///
/// ```
/// let source = include_str!("../erlang-b-plan.toml");
/// let mut model = scenarios::parse(source, "erlang-b-plan.toml").unwrap();
/// model.days = 40; // a quick plan for the example
/// let plan = sim_core::planner::plan(&model, 1, &sim_core::planner::Silent);
/// let text = scenarios::plan_file(source, &plan);
/// assert!(text.starts_with(source));
/// let planned = scenarios::parse(&text, "plan.toml").unwrap();
/// assert_eq!(planned.sites[0].batteries, plan.sites[0].batteries);
/// assert_eq!(planned.days, 40);
/// ```
pub fn plan_file(original_source: &str, plan: &Plan) -> String {
    let mut out = original_source.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let model = &plan.model;
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "\n{PLAN_MARKER} (seed {}): overrides below replace the values above ----",
        model.seed
    );
    let _ = write!(
        out,
        "\n[[scenario_override]]\nseed = {}\ndays = {}\nreplications = {}\n",
        model.seed, model.days, model.replications
    );
    for site in &plan.model.sites {
        let _ = write!(
            out,
            "\n[[site_override]]\nsite = {}\ncabinets = {}\nslots_per_cabinet = {}\n\
             batteries = {}\npile_ports = {}\n",
            toml_string(&site.name),
            site.cabinets,
            site.slots_per_cabinet,
            site.batteries,
            site.pile_ports
        );
        if let Some(cap) = site.max_concurrent_charging {
            let _ = writeln!(out, "max_concurrent_charging = {cap}");
        }
        if let Some(power) = site.charger_power_w {
            let _ = writeln!(out, "charger_power_w = {power}");
        }
    }
    let mut written: Vec<&str> = Vec::new();
    for site in plan.sites.iter().filter(|s| s.transformer_upgraded) {
        let Some(name) = site.transformer.as_deref() else {
            continue;
        };
        let Some(spec) = plan.model.grid.transformers.iter().find(|t| t.name == name) else {
            continue;
        };
        if written.contains(&name) {
            continue;
        }
        written.push(name);
        let _ = write!(
            out,
            "\n[[transformer_override]]\ntransformer = {}\nrating_kva = {}\n",
            toml_string(name),
            spec.rating_kva
        );
    }
    out
}

/// `text` as a TOML basic string, quoted and escaped.
pub(crate) fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use sim_core::planner::{Silent, plan};

    use super::*;
    use crate::testing::{RIDERS, VALID, model, model_with, problems, riders_with};

    /// The shipped planning scenario, shortened for a quick plan.
    fn quick_plan(source: &str) -> Plan {
        let mut m = model(source);
        m.days = 60;
        m.warmup_days = 2;
        plan(&m, 1, &Silent)
    }

    #[test]
    fn a_plan_file_reads_back_as_the_planned_model() {
        let source = include_str!("../erlang-b-plan.toml");
        let p = quick_plan(source);
        assert!(p.feasible, "{:?}", p.problems);
        let text = plan_file(source, &p);
        assert!(text.starts_with(source));
        let mut read = model(&text);
        // The plan file carries the days the plan was judged with; the
        // warm-up is the scenario's (`plan` has no --warmup-days).
        assert_eq!((read.days, read.replications), (60, 8));
        read.warmup_days = 2;
        assert_eq!(read, p.model);
        // A plan of the plan file appends its own block, which wins.
        let again = plan_file(&text, &p);
        assert_eq!(again, format!("{}{}", text, &text[source.len()..]));
        assert_eq!(model(&again), model(&text));
    }

    #[test]
    fn upgraded_transformers_are_written_and_names_are_escaped() {
        let source = riders_with(
            "[[site]]\nname = \"B \\\"北\\\"\"\ncabinets = 1\nslots_per_cabinet = 12\n\
             batteries = 11\nhouseholds = 100\ntransformer = { rating_kva = 400 }\n\
             max_concurrent_charging = 6\n",
        );
        let mut p = quick_plan(&source.replace("ebikes = 600", "ebikes = 60"));
        p.model.grid.transformers[0].rating_kva = 630.0;
        let b = &mut p.model.sites[1];
        (b.cabinets, b.slots_per_cabinet, b.batteries) = (1, 16, 12);
        p.sites[1].transformer_upgraded = true;
        p.model.seed = 7;
        let text = plan_file(&source, &p);
        assert!(text.contains("(seed 7)"), "{text}");
        assert!(
            text.contains("\n[[scenario_override]]\nseed = 7\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "\n[[site_override]]\nsite = \"B \\\"北\\\"\"\ncabinets = 1\n\
                 slots_per_cabinet = 16\nbatteries = 12\npile_ports = 0\n\
                 max_concurrent_charging = 6\n\n[[transformer_override]]\n\
                 transformer = \"B \\\"北\\\"\"\nrating_kva = 630\n"
            ),
            "{text}"
        );
        let read = model(&text);
        assert_eq!(read.seed, 7);
        assert_eq!(read.grid.transformers[0].rating_kva, 630.0);
        assert_eq!(read.sites[1].batteries, 12);
        assert_eq!(toml_string("a\\b\u{1}"), "\"a\\\\b\\u0001\"");
    }

    #[test]
    fn scenario_overrides_set_the_run_and_are_checked_against_the_warm_up() {
        let source = format!(
            "{VALID}\n[[scenario_override]]\nseed = 9\ndays = 50\n\
             [[scenario_override]]\nreplications = 3\n"
        );
        let m = model(&source);
        assert_eq!((m.seed, m.days, m.replications), (9, 50, 3));
        let short = format!("{VALID}\n[[scenario_override]]\ndays = 10\n");
        assert_eq!(
            problems(&short),
            [
                "t.toml:26:8: scenario_override[0].days: warmup_days (10) must be less than days (10)"
            ]
        );
    }

    #[test]
    fn overrides_replace_the_sizing_in_file_order() {
        let source = riders_with(
            "[[site_override]]\nsite = \"A\"\ncabinets = 3\nbatteries = 30\n\
             [[site_override]]\nsite = \"A\"\nbatteries = 33\npile_ports = 4\n\
             max_concurrent_charging = 20",
        );
        let site = &model(&source).sites[0];
        assert_eq!(
            (site.cabinets, site.slots_per_cabinet, site.batteries),
            (3, 12, 33)
        );
        assert_eq!(
            (site.pile_ports, site.max_concurrent_charging),
            (4, Some(20))
        );
    }

    #[test]
    fn overrides_are_checked_again_at_the_override() {
        let source = riders_with(
            "[[site_override]]\nsite = \"A\"\nbatteries = 30\n\
             [[site_override]]\nsite = \"a\"\ncabinets = 0\nslot = 8\n\
             [[transformer_override]]\ntransformer = \"T1\"\nrating_kva = 0",
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:19:13: site_override[0].batteries: site 'A': batteries (30) leave no \
                 empty compartment in 2 × 12 slots; leave one per cabinet for the returned \
                 battery: at most 22 batteries, or add a cabinet",
                "t.toml:21:8: site_override[1].site: unknown site `a`, expected `A`; did you \
                 mean `A`?",
                "t.toml:22:12: site_override[1].cabinets: expected an integer from 1 to 1000, found 0",
                "t.toml:23:1: site_override[1].slot: unknown key, expected one of `site`, \
                 `cabinets`, `slots_per_cabinet`, `batteries`, `pile_ports`, \
                 `max_concurrent_charging`, `max_riders_present`, `charger_power_w`, \
                 `nonsub_interval_days`, `ebikes`, `swap_adoption`, `couriers`",
                "t.toml:26:14: transformer_override[0].rating_kva: transformer 'T1': expected a \
                 number in (0, 10000000], found 0",
            ]
        );
        // Fewer slots blame the slots' override when batteries are not set.
        let source = riders_with("[[site_override]]\nsite = \"A\"\nslots_per_cabinet = 8");
        assert_eq!(
            problems(&source),
            [
                "t.toml:19:21: site_override[0].slots_per_cabinet: site 'A': batteries (20) \
                 leave no empty compartment in 2 × 8 slots; leave one per cabinet for the \
                 returned battery: at most 14 batteries, or add a cabinet"
            ]
        );
        let source =
            riders_with("[[transformer_override]]\ntransformer = \"T1\"\nrating_kva = 800");
        assert_eq!(
            problems(&source),
            [
                "t.toml:18:15: transformer_override[0].transformer: unknown transformer `T1`: \
                 the scenario defines no `[[transformer]]` or site's own transformer"
            ]
        );
    }

    #[test]
    fn calibrated_overrides_set_the_subscribers_of_rider_sites_only() {
        // `swapsim calibrate` writes these (issue 14).
        let source = riders_with(
            "[[site_override]]\nsite = \"A\"\nswap_adoption = 0.45\n\
             couriers = { courier = 7 }\n\
             [[site_override]]\nsite = \"A\"\nebikes = 900\n",
        );
        let site = &model(&source).sites[0];
        assert_eq!((site.ebikes, site.swap_adoption), (900, 0.45));
        assert_eq!(site.couriers, [(1, 7)]);
        let bad = riders_with(
            "[[site_override]]\nsite = \"A\"\nswap_adoption = 1.5\ncouriers = { commuter = 3 }\n",
        );
        assert_eq!(
            problems(&bad),
            [
                "t.toml:19:17: site_override[0].swap_adoption: site 'A': expected a number in \
                 [0, 1], found 1.5",
                "t.toml:20:14: site_override[0].couriers.commuter: site 'A': group `commuter` \
                 does not work across the district (`works_across_district`); expected `courier`",
            ]
        );
        let analytic = format!("{VALID}\n[[site_override]]\nsite = \"A\"\nswap_adoption = 0.2\n");
        let found = problems(&analytic);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].ends_with(
                "ebikes, swap_adoption and couriers apply to rider-driven sites, but this \
                 site has `demand`"
            ),
            "{found:?}"
        );
    }

    #[test]
    fn overrides_find_sites_of_site_tables_by_name() {
        let head = &RIDERS[..RIDERS.find("[[site]]").unwrap()];
        let source = format!(
            "{head}[[site_table]]\nfile = \"sites.csv\"\n\n[[site_override]]\n\
             site = \"北苑\"\nbatteries = 11\n\n[[transformer_override]]\n\
             transformer = \"北苑\"\nrating_kva = 1000\n"
        );
        let csv = "name,cabinets,slots_per_cabinet,batteries,transformer_kva\n\
                   A,1,12,11,\n北苑,1,12,10,630\n";
        let m = model_with(&source, &[("sites.csv", csv)]);
        assert_eq!(m.sites[1].batteries, 11);
        assert_eq!(m.grid.transformers[0].name, "北苑");
        assert_eq!(m.grid.transformers[0].rating_kva, 1000.0);
    }

    #[test]
    fn an_own_transformer_may_not_take_a_named_one_s_name() {
        let source = riders_with("[[transformer]]\nname = \"A\"\nrating_kva = 630\n").replace(
            "swap_adoption = 0.3",
            "swap_adoption = 0.3\ntransformer = { rating_kva = 400 }",
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:16:15: site[0].transformer: site 'A': the site's own transformer is named \
                 after the site, but a `[[transformer]]` is already called `A`; rename one of \
                 them"
            ]
        );
        assert!(VALID.contains("[[site]]"));
    }

    /// A site's charger power: read on CC-CV sites, refused where charging
    /// has no power, set by an override, and written back by `plan_file`;
    /// the planner's catalogue and the charger price are read too.
    #[test]
    fn charger_power_is_read_overridden_and_planned() {
        let site = riders_with("").replace(
            "batteries = 20\n",
            "batteries = 20\ncharger_power_w = 600\n",
        );
        assert_eq!(model(&site).sites[0].charger_power_w, Some(600.0));
        assert_eq!(model(RIDERS).sites[0].charger_power_w, None);
        let analytic = VALID.replace("batteries = 11", "batteries = 11\ncharger_power_w = 600");
        let refused = problems(&analytic);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(
            refused[0].contains("site[0].charger_power_w: site 'A': a charger power needs"),
            "{refused:?}"
        );
        let overridden = riders_with("[[site_override]]\nsite = \"A\"\ncharger_power_w = 300");
        assert_eq!(model(&overridden).sites[0].charger_power_w, Some(300.0));
        let sections = "[planner]\ncharger_power_catalogue_w = [300, 600]\n\
                        [costs]\ncharger_cny_per_kw = 250";
        let m = model(&riders_with(sections));
        assert_eq!(m.planner.charger_power_catalogue_w, [300.0, 600.0]);
        assert_eq!(m.costs.charger_cny_per_kw, 250.0);
        let descending = riders_with("[planner]\ncharger_power_catalogue_w = [600, 300]");
        assert!(
            problems(&descending)[0].contains("ascending"),
            "{:?}",
            problems(&descending)
        );

        let p = plan(&m, 1, &Silent);
        let written = plan_file(&riders_with(sections), &p);
        let again = model(&written);
        assert_eq!(
            again.sites[0].charger_power_w,
            p.model.sites[0].charger_power_w
        );
        assert!(p.model.sites[0].charger_power_w.is_some());
    }
}
