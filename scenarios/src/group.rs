//! `[[group]]`: rider groups of swap subscribers, and the default groups
//! `commuter` and `courier` for scenarios that declare none.

use std::collections::HashMap;
use std::ops::Bound::Excluded;

use sim_core::{BatterySpec, Dist, RiderGroup};
use toml::de::DeValue;

use crate::bounds;
use crate::diag::Sink;
use crate::dist;
use crate::shapes;
use crate::walk::{Bool, Invalid, Item, Number, Table, Text};

/// Patience of a rider at a cabinet with no ready battery when
/// `patience_minutes` is absent [min] [E].
pub(crate) const DEFAULT_PATIENCE_MINUTES: Dist = Dist::LogNormal { mean: 8.0, sd: 5.0 };
/// Riding speed when `speed_kmh` is absent [km/h]; GB 17761 caps it at 25 [S].
pub(crate) const DEFAULT_SPEED_KMH: f64 = 15.0;

/// The groups sites and couriers can refer to by name.
pub(crate) struct Groups {
    /// Names in order: the declared groups', or the default groups' when
    /// the scenario declares none.
    pub(crate) names: Vec<String>,
    /// Whether each group works across the district (`None`: invalid).
    pub(crate) across: Vec<Option<bool>>,
    /// The declared groups; empty when there are none, `None` when one is
    /// invalid (reported).
    pub(crate) declared: Option<Vec<RiderGroup>>,
}

impl Groups {
    /// The names as `&str`s, for [`crate::walk::Reference`].
    pub(crate) fn name_refs(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    /// Index of the first group that does not work across the district:
    /// the default `mix` of a site. `Err` when an invalid group (reported)
    /// comes first, so the first is unknown.
    pub(crate) fn first_resident(&self) -> Result<Option<usize>, Invalid> {
        self.first(false)
    }

    /// Index of the first group that works across the district: the group
    /// of a site's `couriers = N`; `Err` as for [`Groups::first_resident`].
    pub(crate) fn first_courier(&self) -> Result<Option<usize>, Invalid> {
        self.first(true)
    }

    fn first(&self, across: bool) -> Result<Option<usize>, Invalid> {
        for (index, a) in self.across.iter().enumerate() {
            match a {
                None => return Err(Invalid),
                Some(a) if *a == across => return Ok(Some(index)),
                Some(_) => {}
            }
        }
        Ok(None)
    }
}

/// Reads every `[[group]]`; `dispense_soc` is the battery's, when valid.
pub(crate) fn read_all(
    tables: Vec<Option<Table<'_, '_>>>,
    dispense_soc: Option<f64>,
    sink: &mut Sink<'_>,
) -> Groups {
    if tables.is_empty() {
        return Groups {
            names: vec!["commuter".into(), "courier".into()],
            across: vec![Some(false), Some(true)],
            declared: Some(Vec::new()),
        };
    }
    let mut first_use = HashMap::new();
    let mut names = Vec::new();
    let mut across = Vec::new();
    let mut groups = Vec::new();
    for (index, t) in tables.into_iter().enumerate() {
        let Some(mut t) = t else {
            // Keep indices in step with the array; nothing can refer to it.
            names.push(String::new());
            across.push(None);
            groups.push(None);
            continue;
        };
        let name = t.required(sink, "name", &Text);
        if let Some(name) = &name {
            t.set_subject(format!("group '{name}'"));
            if let Some(first) = first_use.get(name) {
                t.error(
                    sink,
                    "name",
                    format_args!("duplicate name, already used by group[{first}]"),
                );
            } else {
                first_use.insert(name.clone(), index);
            }
        }
        let group = read(&mut t, name.clone(), dispense_soc, sink);
        t.finish(sink);
        names.push(name.unwrap_or_default());
        across.push(group.as_ref().map(|g| g.works_across_district));
        groups.push(group);
    }
    Groups {
        names,
        across,
        declared: groups.into_iter().collect(),
    }
}

/// Reads the keys of one group after its name.
fn read(
    t: &mut Table<'_, '_>,
    name: Option<String>,
    dispense_soc: Option<f64>,
    sink: &mut Sink<'_>,
) -> Option<RiderGroup> {
    let daily_km = dist::required(
        t,
        sink,
        "daily_km",
        &Number::POSITIVE,
        Some(&bounds::DAILY_KM),
    );
    let wh_per_km = dist::required(
        t,
        sink,
        "wh_per_km",
        &Number::POSITIVE,
        Some(&bounds::WH_PER_KM),
    );
    let trips = t
        .required_item(
            sink,
            "trips_per_day",
            "a positive number or `{ weekday, weekend }`",
        )
        .and_then(|item| {
            weekday_weekend(&item, sink, "a positive number", &|item, sink| {
                item.read(sink, &bounds::TRIPS_PER_DAY)
            })
        });
    let profile = t
        .required_item(
            sink,
            "profile",
            &format!("{} or `{{ weekday, weekend }}`", shapes::EXPECTED),
        )
        .and_then(|item| weekday_weekend(&item, sink, shapes::EXPECTED, &shapes::read));
    // A rider handed a battery at dispense_soc must not want another.
    let below_dispense = Number::new(Excluded(0.0), Excluded(dispense_soc.unwrap_or(1.0)));
    let threshold = dist::required(t, sink, "swap_threshold_soc", &below_dispense, None);
    let patience_minutes = dist::defaulted(
        t,
        sink,
        "patience_minutes",
        &Number::NON_NEGATIVE,
        Some(&bounds::PATIENCE_MINUTES),
        DEFAULT_PATIENCE_MINUTES,
    );
    let speed_kmh = t.defaulted(sink, "speed_kmh", &bounds::SPEED_KMH, DEFAULT_SPEED_KMH);
    let works_across_district = t.defaulted(sink, "works_across_district", &Bool, false);
    let (trips_weekday, trips_weekend) = trips?;
    let (profile_weekday, profile_weekend) = profile?;
    Some(RiderGroup {
        name: name?,
        daily_km: daily_km?,
        wh_per_km: wh_per_km?,
        trips_weekday,
        trips_weekend,
        profile_weekday,
        profile_weekend,
        swap_threshold_soc: threshold?,
        patience_minutes: patience_minutes?,
        speed_kmh: speed_kmh?,
        works_across_district: works_across_district?,
    })
}

/// Reads a value that is either one value for every day, or a table
/// `{ weekday = ..., weekend = ... }` of two; `expected` describes one.
pub(crate) fn weekday_weekend<T: Clone>(
    item: &Item<'_, '_>,
    sink: &mut Sink<'_>,
    expected: &str,
    read_one: &dyn Fn(&Item<'_, '_>, &mut Sink<'_>) -> Option<T>,
) -> Option<(T, T)> {
    let DeValue::Table(_) = item.get() else {
        let one = read_one(item, sink)?;
        return Some((one.clone(), one));
    };
    let mut t = item.table(sink)?;
    let weekday = t
        .required_item(sink, "weekday", expected)
        .and_then(|item| read_one(&item, sink));
    let weekend = t
        .required_item(sink, "weekend", expected)
        .and_then(|item| read_one(&item, sink));
    t.finish(sink);
    Some((weekday?, weekend?))
}

/// Swaps a default courier makes a day: about 2 [S, DOMAIN.md].
const COURIER_SWAPS_PER_DAY: f64 = 2.0;
/// Daily distance of a default courier: about 120 km [S, DOMAIN.md].
const COURIER_DAILY_KM: f64 = 120.0;
/// Swap threshold of a default courier: runs the battery low [E].
const COURIER_THRESHOLD: (f64, f64) = (0.1, 0.3);
/// Swap threshold of a default commuter: between 0.2 and 0.5, below the
/// 60 % above which nobody swaps [S, Zou et al. 2024].
const COMMUTER_THRESHOLD: (f64, f64) = (0.2, 0.5);

/// The groups of a scenario that has rider-driven sites but no `[[group]]`:
/// `commuter` (residents) and `courier` (works across the district).
///
/// Commuters ride about 25 km a day at 12–20 Wh/km; with a 1 kWh battery
/// and a threshold of 0.2–0.5 that is about 0.5–0.9 swaps a day (swap
/// subscribers are heavier riders than the "charge every 3 days" average).
/// Couriers ride about 120 km a day and swap about twice [S]. The model has
/// one battery type, usually smaller than the 1.2–1.8 kWh courier packs
/// [E], so the courier's energy use is an effective figure that keeps 2
/// swaps a day with `battery`: Wh/km = 2 × capacity × (SOC handed out −
/// mean threshold) ÷ 120 km, ±20 %, where a handed-out battery holds
/// (dispense_soc + 1) / 2.
pub(crate) fn defaults(battery: &BatterySpec) -> Vec<RiderGroup> {
    let handed_out = 0.5 * (battery.dispense_soc + 1.0);
    let mean_threshold = 0.5 * (COURIER_THRESHOLD.0 + COURIER_THRESHOLD.1);
    let wh_per_swap = battery.capacity_wh * (handed_out - mean_threshold);
    let courier_wh_per_km = COURIER_SWAPS_PER_DAY * wh_per_swap / COURIER_DAILY_KM;
    vec![
        RiderGroup {
            name: "commuter".into(),
            daily_km: Dist::LogNormal {
                mean: 25.0,
                sd: 6.0,
            },
            wh_per_km: Dist::Uniform {
                low: 12.0,
                high: 20.0,
            },
            trips_weekday: 2.3,
            trips_weekend: 1.8,
            profile_weekday: shapes::COMMUTER,
            profile_weekend: shapes::FLAT,
            swap_threshold_soc: Dist::Uniform {
                low: COMMUTER_THRESHOLD.0,
                high: COMMUTER_THRESHOLD.1,
            },
            patience_minutes: DEFAULT_PATIENCE_MINUTES,
            speed_kmh: DEFAULT_SPEED_KMH,
            works_across_district: false,
        },
        RiderGroup {
            name: "courier".into(),
            daily_km: Dist::LogNormal {
                mean: COURIER_DAILY_KM,
                sd: 25.0,
            },
            wh_per_km: Dist::Uniform {
                low: 0.8 * courier_wh_per_km,
                high: 1.2 * courier_wh_per_km,
            },
            trips_weekday: 20.0,
            trips_weekend: 16.0,
            profile_weekday: shapes::COURIER,
            profile_weekend: shapes::COURIER,
            swap_threshold_soc: Dist::Uniform {
                low: COURIER_THRESHOLD.0,
                high: COURIER_THRESHOLD.1,
            },
            patience_minutes: Dist::LogNormal { mean: 5.0, sd: 3.0 },
            speed_kmh: 20.0,
            works_across_district: true,
        },
    ]
}

/// The highest swap threshold of the default groups, which must stay below
/// the battery's `dispense_soc`.
pub(crate) const DEFAULT_HIGHEST_THRESHOLD: f64 = COMMUTER_THRESHOLD.1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{RIDERS, model, problems, riders_with};

    /// Whether `profile` is the shape called `name`.
    fn is_shape(profile: &shapes::Shape, name: &str) -> bool {
        shapes::named(name).is_some_and(|shape| shape == *profile)
    }

    /// Swaps a day of an average rider of `group` with `battery`, handed a
    /// battery at (dispense_soc + 1) / 2.
    fn swaps_per_day(group: &RiderGroup, battery: &BatterySpec) -> f64 {
        let handed_out = 0.5 * (battery.dispense_soc + 1.0);
        let per_swap = battery.capacity_wh * (handed_out - group.swap_threshold_soc.mean());
        group.daily_km.mean() * group.wh_per_km.mean() / per_swap
    }

    #[test]
    fn default_groups_swap_as_domain_md_says() {
        for capacity_wh in [1000.0, 1100.0, 1500.0] {
            let battery = BatterySpec {
                capacity_wh,
                dispense_soc: 0.95,
                ..BatterySpec::default()
            };
            let groups = defaults(&battery);
            let commuter = swaps_per_day(&groups[0], &battery);
            let courier = swaps_per_day(&groups[1], &battery);
            assert!(
                (0.5..=0.9).contains(&commuter) || capacity_wh > 1000.0,
                "{commuter}"
            );
            assert!((courier - 2.0).abs() < 1e-9, "{courier}");
        }
        let one_kwh = BatterySpec {
            capacity_wh: 1000.0,
            dispense_soc: 0.95,
            ..BatterySpec::default()
        };
        let commuter = swaps_per_day(&defaults(&one_kwh)[0], &one_kwh);
        assert!((0.5..=0.9).contains(&commuter), "{commuter}");
    }

    #[test]
    fn a_scenario_without_groups_gets_the_defaults() {
        let m = model(RIDERS);
        let names: Vec<_> = m.riders.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["commuter", "courier"]);
        assert!(is_shape(&m.riders.groups[0].profile_weekday, "commuter"));
        assert!(m.riders.groups[1].works_across_district);
    }

    #[test]
    fn every_key_reads() {
        let group = r#"
[[group]]
name = "commuter"
daily_km = { dist = "lognormal", mean = 25.0, sd = 10.0 }
wh_per_km = { dist = "uniform", low = 12.0, high = 20.0 }
trips_per_day = { weekday = 2.3, weekend = 1.8 }
profile = { weekday = "commuter", weekend = "flat" }
swap_threshold_soc = { dist = "normal", mean = 0.35, sd = 0.1, low = 0.1, high = 0.6 }
patience_minutes = 0
speed_kmh = 18
works_across_district = false
"#;
        let g = model(&riders_with(group)).riders.groups.remove(0);
        assert_eq!(
            g.daily_km,
            Dist::LogNormal {
                mean: 25.0,
                sd: 10.0
            }
        );
        assert_eq!((g.trips_weekday, g.trips_weekend), (2.3, 1.8));
        assert!(is_shape(&g.profile_weekday, "commuter"));
        assert!(is_shape(&g.profile_weekend, "flat"));
        assert_eq!(
            g.swap_threshold_soc,
            Dist::Normal {
                mean: 0.35,
                sd: 0.1,
                low: 0.1,
                high: 0.6
            }
        );
        assert_eq!(g.patience_minutes, Dist::Fixed { value: 0.0 });
        assert_eq!(g.speed_kmh, 18.0);
    }

    #[test]
    fn one_value_serves_both_day_types_and_defaults_apply() {
        let hours: Vec<String> = (0..24)
            .map(|h| if h == 12 { "1" } else { "0" }.into())
            .collect();
        let group = format!(
            r#"
[[group]]
name = "commuter"
daily_km = 20
wh_per_km = 15
trips_per_day = 3
profile = [{}]
swap_threshold_soc = 0.3
"#,
            hours.join(", ")
        );
        let g = model(&riders_with(&group)).riders.groups.remove(0);
        assert_eq!((g.trips_weekday, g.trips_weekend), (3.0, 3.0));
        assert_eq!(g.profile_weekday, g.profile_weekend);
        assert_eq!(g.profile_weekday[12], 1.0);
        assert_eq!(g.patience_minutes, DEFAULT_PATIENCE_MINUTES);
        assert_eq!(g.speed_kmh, DEFAULT_SPEED_KMH);
        assert!(!g.works_across_district);
    }

    #[test]
    fn bad_groups_are_reported_in_one_pass() {
        let group = r#"
[[group]]
name = "commuter"
daily_km = { dist = "lognormal", mean = 25.0 }
wh_per_km = -3
trips_per_day = { weekday = 2.3 }
profile = { weekday = "comuter", weekend = [1, 2] }
swap_threshold_soc = { dist = "uniform", low = 0.2, high = 0.97 }
works_across_district = "no"

[[group]]
name = "commuter"
daily_km = 30
wh_per_km = 15
trips_per_day = 2
profile = "flat"
"#;
        let found = problems(&riders_with(group));
        let messages: Vec<_> = found
            .iter()
            .map(|p| p.split_once(": ").unwrap().1)
            .collect();
        assert_eq!(
            messages,
            [
                "group[0].daily_km.sd: group 'commuter': missing required key `sd`, expected a \
                 positive number",
                "group[0].wh_per_km: group 'commuter': expected a number in (0, 1000], found -3",
                "group[0].trips_per_day.weekend: group 'commuter': missing required key \
                 `weekend`, expected a positive number",
                "group[0].profile.weekday: group 'commuter': expected one of `flat`, \
                 `commuter`, `courier`, `evening`, `residential`, found `comuter`; did you \
                 mean `commuter`?",
                "group[0].profile.weekend: group 'commuter': expected 24 hourly weights (0 h \
                 to 23 h), found 2",
                "group[0].swap_threshold_soc.high: group 'commuter': expected a number in \
                 (0, 0.95), found 0.97",
                "group[0].works_across_district: group 'commuter': expected `true` or \
                 `false`, found string",
                "group[1].swap_threshold_soc: group 'commuter': missing required key \
                 `swap_threshold_soc`, expected a number or a distribution table like \
                 `{ dist = \"uniform\", low = 1, high = 2 }`, with values in (0, 0.95)",
                "group[1].name: group 'commuter': duplicate name, already used by group[0]",
            ]
        );
    }
}
