//! The assumptions table: what a scenario assumes, and where each value
//! comes from.
//!
//! [`Context::from_scenario`] reads the values from the model and their
//! sources from the comments beside the scenario file's keys
//! (`scenarios::comments`): a value with a comment shows the comment (the
//! shipped scenarios cite DOMAIN.md there, `loading ≤ 80 % [S]`), a value
//! the file sets without one shows the file, and a value it leaves out
//! shows the default of `scenarios/README.md`. Values are kept as data, not
//! text, so that the report renders them in its language.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use sim_core::{ChargeModel, ChoicePolicy, Model, Strategy, Targets};

/// What the result files do not say about the scenario: its targets, its
/// transformers (for the rating lines) and the assumptions to list.
/// `run --out` can write it as `context.json` ([`Context::to_json`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// The scenario file's path as the user gave it, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The scenario's `[targets]`.
    pub targets: Targets,
    /// Transformers, in model order.
    pub transformers: Vec<Transformer>,
    /// Assumptions to list, in order.
    pub assumptions: Vec<Assumption>,
    /// Each site's town, riders and sizing, in model order; empty in
    /// contexts written before they were added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<SiteInfo>,
}

/// What the report needs of a site beyond its KPIs: its town (for the
/// roll-up by town), its riders and its sizing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteInfo {
    /// Site name.
    pub name: String,
    /// Subdistrict or town (街道 / 镇); empty when not given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub town: String,
    /// Resident e-bikes of every kind.
    pub ebikes: u32,
    /// Swap subscribers: the resident e-bikes on a subscription (rounded)
    /// plus the couriers living at the site.
    pub subscribers: u32,
    /// Cabinets.
    pub cabinets: u32,
    /// Slots per cabinet.
    pub slots_per_cabinet: u32,
    /// Batteries stocked.
    pub batteries: u32,
    /// Charging-pile ports.
    pub pile_ports: u32,
    /// Slot charger power \[W\]; `None` = the battery's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charger_power_w: Option<f64>,
    /// Position east \[m\], for the site map.
    pub x_m: f64,
    /// Position north \[m\], for the site map.
    pub y_m: f64,
    /// The transformer feeding the site, if modelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transformer: Option<String>,
}

impl SiteInfo {
    /// The site as the model gives it.
    pub fn of(site: &sim_core::SiteSpec) -> SiteInfo {
        let couriers: u32 = site.couriers.iter().map(|&(_, n)| n).sum();
        SiteInfo {
            name: site.name.clone(),
            town: site.town.clone(),
            ebikes: site.ebikes,
            subscribers: (f64::from(site.ebikes) * site.swap_adoption).round() as u32 + couriers,
            cabinets: site.cabinets,
            slots_per_cabinet: site.slots_per_cabinet,
            batteries: site.batteries,
            pile_ports: site.pile_ports,
            charger_power_w: site.charger_power_w,
            x_m: site.x_m,
            y_m: site.y_m,
            transformer: None,
        }
    }

    /// [`SiteInfo::of`], with the name of the site's transformer in `model`.
    pub fn in_model(site: &sim_core::SiteSpec, model: &sim_core::Model) -> SiteInfo {
        SiteInfo {
            transformer: site
                .transformer
                .and_then(|t| model.grid.transformers.get(t))
                .map(|t| t.name.clone()),
            ..SiteInfo::of(site)
        }
    }
}

impl Context {
    /// `context.json`, pretty-printed, with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .expect("a context has string keys only, so it always serializes");
        text.push('\n');
        text
    }
}

/// A transformer, for the rating lines of the load charts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transformer {
    /// Name (as in `timeseries.csv`).
    pub name: String,
    /// Rating \[kVA\].
    pub rating_kva: f64,
    /// Allowed loading as a share of the rating \[0–1\].
    pub allowed_utilization: f64,
    /// Power factor of the load \[0–1\].
    pub power_factor: f64,
    /// Whether the base load is residential: derived from households by
    /// the design standard (`TransformerSpec::base_basis`). A peak the
    /// scenario gave itself may be commercial, and files written before
    /// this field say nothing: both are a plain "base load".
    #[serde(default)]
    pub household_base: bool,
}

impl Transformer {
    /// The rating as active power \[kW\].
    pub fn rating_kw(&self) -> f64 {
        self.rating_kva * self.power_factor
    }

    /// The allowed active power \[kW\].
    pub fn allowed_kw(&self) -> f64 {
        self.rating_kw() * self.allowed_utilization
    }
}

/// The scenario file a model was read from, for the sources of its
/// assumptions.
#[derive(Clone, Copy, Debug)]
pub struct ScenarioFile<'a> {
    /// The file's path as the user gave it.
    pub path: &'a str,
    /// Every key the file sets, by field path (`battery.charge`,
    /// `site[0].swap_adoption`), with the comment beside it, empty when it
    /// has none: `scenarios::comments` of the file.
    pub comments: &'a BTreeMap<String, String>,
}

/// One line of the assumptions table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assumption {
    /// What is assumed: a key the report translates (see
    /// [`Context::from_scenario`]) or free text shown as it is.
    pub key: String,
    /// Whose value it is, when not the whole scenario's: a rider group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The value (plain text in files written before values were data).
    #[serde(deserialize_with = "value_or_text")]
    pub value: Value,
    /// Where the value comes from (`null` or a string in files written
    /// before sources were data).
    #[serde(default, deserialize_with = "source_or_text")]
    pub source: Source,
}

/// Where an assumed value comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The comment beside the value in the scenario file, as written there.
    Comment {
        /// The comment, without `#`.
        text: String,
    },
    /// The scenario file, which sets the value without a comment (or its
    /// site tables).
    #[default]
    File,
    /// The default of `scenarios/README.md`: the file leaves the value out.
    Default,
    /// The planner chose the value.
    Plan,
}

/// An assumed value, rendered in the report's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    /// Shown as it is in every language: a count, or numbers with unit
    /// symbols (`1100 Wh`, `30 %`).
    Text {
        /// The text.
        text: String,
    },
    /// A number of days.
    Days {
        /// Days.
        days: f64,
    },
    /// Exponential time to dispensable.
    ExponentialCharge {
        /// Mean \[h\].
        mean_hours: f64,
    },
    /// Fixed time to dispensable.
    DeterministicCharge {
        /// Time \[h\].
        hours: f64,
    },
    /// A CC-CV charge curve.
    CcCvCharge {
        /// Grid power up to the knee \[W\].
        power_w: f64,
        /// SOC of the knee \[0–1\].
        knee_soc: f64,
        /// Stored ÷ grid energy \[0–1\].
        efficiency: f64,
    },
    /// Charge as soon as a battery is handed in.
    Immediate,
    /// Charge in the valley, keeping `reserve_factor` × the expected
    /// requests in stock.
    OffPeakWithReserve {
        /// The reserve factor.
        reserve_factor: f64,
    },
    /// Keep the transformer within its allowed load.
    GridCapped,
    /// Riders swap at their own site only.
    HomeChoice,
    /// Riders go to the nearest site with cabinets.
    NearestChoice,
    /// Riders go to the nearest site with a ready battery, as the app shows.
    AppInformedChoice,
    /// A transformer.
    Transformer {
        /// Its name.
        name: String,
        /// Rating \[kVA\].
        rating_kva: f64,
        /// Power factor of the load.
        power_factor: f64,
    },
    /// Many transformers, summarised.
    Transformers {
        /// How many.
        count: usize,
        /// The smallest rating \[kVA\].
        low_kva: f64,
        /// The largest rating \[kVA\].
        high_kva: f64,
    },
    /// A value each rider draws once.
    Distribution {
        /// Its unit.
        unit: DistUnit,
        /// The distribution, in that unit (SOC as a share).
        dist: sim_core::Dist,
    },
    /// Mean trips per day.
    Trips {
        /// On a weekday.
        weekday: f64,
        /// On a weekend day.
        weekend: f64,
    },
    /// A target: KPI `kpi` at most `limit`.
    Target {
        /// KPI name.
        kpi: String,
        /// The limit, in the KPI's JSON unit.
        limit: f64,
    },
    /// The diversity factor of the design load.
    Diversity {
        /// The factor.
        factor: f64,
        /// For this many households.
        households: u64,
    },
}

/// The unit of a [`Value::Distribution`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistUnit {
    /// Kilometres per day.
    KmPerDay,
    /// Watt-hours per kilometre.
    WhPerKm,
    /// State of charge, shown in %.
    Soc,
    /// Seconds.
    Seconds,
}

/// Keys whose values a plan chooses ([`Context::planned`]).
const PLANNED: [&str; 6] = [
    "cabinets",
    "batteries",
    "pile_ports",
    "site_charger_power",
    "transformer",
    "transformers",
];

/// The `[targets]` key of each targeted KPI.
const TARGET_KEYS: [(&str, &str); 5] = [
    ("lost_swap_rate", "max_lost_swap_rate"),
    ("stockout_probability", "max_stockout_probability"),
    // Judged on the swap delay since issue 10 (`Targets::list`).
    ("swap_delay_minutes_p95", "max_wait_minutes_p95"),
    (
        "flying_wire_per_1000_bikes_day",
        "max_flying_wire_per_1000_bikes_day",
    ),
    (
        "transformer_peak_utilization",
        "max_transformer_utilization",
    ),
];

/// Above this many transformers the table sums them up in one row.
const TRANSFORMER_ROWS: usize = 8;

impl Context {
    /// Targets, transformers and the main assumptions of `model`, without
    /// the file it came from: every source shows as the scenario file.
    pub fn from_model(model: &Model) -> Context {
        build(model, None)
    }

    /// Targets, transformers and the main assumptions of `model`, read
    /// from `file`: each value sourced to its comment there, to the file,
    /// or to the defaults.
    ///
    /// The assumption keys: `sites`, `ebikes`, `swap_adoption`,
    /// `couriers`, `cabinets`, `batteries`, `pile_ports`,
    /// `battery_capacity`, `charge_model`, `site_charger_power` (when sites
    /// have their own chargers), `dispense_soc`, `swap_seconds`,
    /// `strategy`, `choice_policy`, `max_detour`; per rider group
    /// `daily_km`, `wh_per_km`, `trips_per_day`, `swap_threshold`;
    /// `home_charger`, `nonsub_interval`, per site with its own interval
    /// `site_nonsub_interval`, `tariff`; `transformer` (one per
    /// transformer) or `transformers`, `allowed_utilization`,
    /// `design_kw_per_household`, `diversity_factor`, `base_peak`; and a
    /// `target` per target set.
    pub fn from_scenario(model: &Model, file: ScenarioFile<'_>) -> Context {
        build(model, Some(file))
    }

    /// The context of a plan: the sizing (cabinets, batteries, pile ports,
    /// chargers, transformers) is the planner's, whatever the scenario said.
    #[must_use]
    pub fn planned(mut self) -> Context {
        for a in &mut self.assumptions {
            if PLANNED.contains(&a.key.as_str()) {
                a.source = Source::Plan;
            }
        }
        self
    }
}

/// Looks up the sources of values in the scenario file, if known.
struct Sources<'a> {
    file: Option<ScenarioFile<'a>>,
}

impl Sources<'_> {
    /// The source of the value at any of `patterns` (field paths where
    /// `[*]` stands for any index): the distinct comments of the keys
    /// found, else the file if one is set, else `unset`. Without a file,
    /// the file.
    fn of(&self, patterns: &[&str], unset: Source) -> Source {
        let Some(file) = self.file else {
            return Source::File;
        };
        let mut found = Found::default();
        found.patterns(file, patterns);
        found.source(unset)
    }

    /// The source of the sites' `key`, for the sites `which` (indices in
    /// the model) and the keys at `patterns`: each site's own key, which
    /// is its override's where a `[[site_override]]` sets it (see
    /// `scenarios::Comments`), or for a site of a site table the tables'
    /// `defaults`; then as [`Sources::of`]. A value that an override
    /// replaced shows the override's comment (`swapsim calibrate`'s
    /// interval and sample size), not the comment of the value it replaced.
    fn of_sites(
        &self,
        key: &str,
        which: impl Iterator<Item = usize>,
        patterns: &[&str],
        unset: Source,
    ) -> Source {
        let Some(file) = self.file else {
            return Source::File;
        };
        let written = self.count("site");
        let mut found = Found::default();
        let mut tables = false;
        for i in which {
            match file.comments.get_key_value(&format!("site[{i}].{key}")) {
                Some((_, comment)) => found.add(comment),
                None => tables |= i >= written,
            }
        }
        if tables {
            found.patterns(file, &[&format!("site_table[*].defaults.{key}")]);
        }
        found.patterns(file, patterns);
        found.source(unset)
    }

    /// How many tables the array `name` has in the file (`transformer` →
    /// `transformer[0]`, `transformer[1]`, ...).
    fn count(&self, name: &str) -> usize {
        let pattern = format!("{name}[*]");
        self.file.map_or(0, |f| {
            f.comments.keys().filter(|k| matches(&pattern, k)).count()
        })
    }
}

/// The keys found for a value, and their distinct comments in order.
#[derive(Default)]
struct Found<'a> {
    set: bool,
    texts: Vec<&'a str>,
}

impl<'a> Found<'a> {
    /// A key set with `comment` (empty: none).
    fn add(&mut self, comment: &'a str) {
        self.set = true;
        if !comment.is_empty() && !self.texts.contains(&comment) {
            self.texts.push(comment);
        }
    }

    /// The keys of `file` at any of `patterns`.
    fn patterns(&mut self, file: ScenarioFile<'a>, patterns: &[&str]) {
        if patterns.is_empty() {
            return;
        }
        for (path, comment) in file.comments {
            if patterns.iter().any(|p| matches(p, path)) {
                self.add(comment);
            }
        }
    }

    /// The comments found, else the file if a key was, else `unset`.
    fn source(self, unset: Source) -> Source {
        if !self.texts.is_empty() {
            Source::Comment {
                text: self.texts.join(" / "),
            }
        } else if self.set {
            Source::File
        } else {
            unset
        }
    }
}

/// Whether field path `path` matches `pattern`, where `[*]` stands for any
/// index.
fn matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split("[*]");
    let Some(mut rest) = path.strip_prefix(parts.next().unwrap_or_default()) else {
        return false;
    };
    for part in parts {
        let Some(inner) = rest.strip_prefix('[') else {
            return false;
        };
        let digits = inner.len() - inner.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Some(after) = inner[digits..].strip_prefix(']') else {
            return false;
        };
        let Some(after) = after.strip_prefix(part).filter(|_| digits > 0) else {
            return false;
        };
        rest = after;
    }
    rest.is_empty()
}

fn build(model: &Model, file: Option<ScenarioFile<'_>>) -> Context {
    let sources = Sources { file };
    let mut a = Vec::new();
    let mut push = |key: &str, value: Value, source: Source| {
        a.push(Assumption {
            key: key.to_owned(),
            subject: None,
            value,
            source,
        });
    };
    let text = |t: String| Value::Text { text: t };
    let all_sites = || 0..model.sites.len();

    let sites = &model.sites;
    push("sites", text(sites.len().to_string()), Source::File);
    let sum = |f: fn(&sim_core::SiteSpec) -> u32| sites.iter().map(f).sum::<u32>();
    let ebikes = sum(|s| s.ebikes);
    push(
        "ebikes",
        text(ebikes.to_string()),
        sources.of_sites("ebikes", all_sites(), &[], Source::File),
    );
    if ebikes > 0 {
        let shares = sites
            .iter()
            .filter(|s| s.ebikes > 0)
            .map(|s| s.swap_adoption);
        push(
            "swap_adoption",
            text(range(shares, 100.0, " %")),
            sources.of_sites(
                "swap_adoption",
                all_sites().filter(|&i| sites[i].ebikes > 0),
                &[],
                Source::File,
            ),
        );
    }
    let mut couriers: Vec<(usize, u32)> = Vec::new();
    let mut add = |group: usize, count: u32| match couriers.iter_mut().find(|c| c.0 == group) {
        Some(c) => c.1 += count,
        None => couriers.push((group, count)),
    };
    for &(group, count) in sites.iter().flat_map(|s| &s.couriers) {
        add(group, count);
    }
    for c in &model.riders.district_couriers {
        add(c.group, c.count);
    }
    if couriers.iter().any(|c| c.1 > 0) {
        let listed: Vec<String> = couriers
            .iter()
            .map(|&(g, n)| match model.riders.groups.get(g) {
                Some(group) => format!("{} {n}", group.name),
                None => n.to_string(),
            })
            .collect();
        push(
            "couriers",
            text(listed.join(", ")),
            sources.of_sites(
                "couriers",
                all_sites(),
                &["couriers[*]", "couriers[*].count"],
                Source::File,
            ),
        );
    }
    push(
        "cabinets",
        text(sum(|s| s.cabinets).to_string()),
        sources.of_sites("cabinets", all_sites(), &[], Source::File),
    );
    push(
        "batteries",
        text(sum(|s| s.batteries).to_string()),
        sources.of_sites("batteries", all_sites(), &[], Source::File),
    );
    push(
        "pile_ports",
        text(sum(|s| s.pile_ports).to_string()),
        sources.of_sites("pile_ports", all_sites(), &[], Source::File),
    );

    let battery = &model.battery;
    push(
        "battery_capacity",
        text(format!("{} Wh", trim(battery.capacity_wh))),
        sources.of(&["battery.capacity_wh"], Source::File),
    );
    push(
        "charge_model",
        match &battery.charge {
            ChargeModel::Exponential { mean_hours } => Value::ExponentialCharge {
                mean_hours: *mean_hours,
            },
            ChargeModel::Deterministic { hours } => Value::DeterministicCharge { hours: *hours },
            ChargeModel::CcCv(c) => Value::CcCvCharge {
                power_w: c.power_w,
                knee_soc: c.knee_soc,
                efficiency: c.efficiency,
            },
        },
        sources.of(&["battery.charge"], Source::File),
    );
    let chargers = sites.iter().filter_map(|s| s.charger_power_w);
    if sites.iter().any(|s| s.charger_power_w.is_some()) {
        push(
            "site_charger_power",
            text(range(chargers, 1.0, " W")),
            sources.of_sites(
                "charger_power_w",
                all_sites().filter(|&i| sites[i].charger_power_w.is_some()),
                &[],
                Source::File,
            ),
        );
    }
    push(
        "dispense_soc",
        text(format!("{} %", trim(battery.dispense_soc * 100.0))),
        sources.of(&["battery.dispense_soc"], Source::Default),
    );
    push(
        "swap_seconds",
        Value::Distribution {
            unit: DistUnit::Seconds,
            dist: model.cabinet.swap_seconds,
        },
        sources.of(&["cabinet.swap_seconds"], Source::Default),
    );
    push(
        "strategy",
        match model.cabinet.strategy {
            Strategy::Immediate => Value::Immediate,
            Strategy::OffPeakWithReserve { reserve_factor } => {
                Value::OffPeakWithReserve { reserve_factor }
            }
            Strategy::GridCapped => Value::GridCapped,
        },
        sources.of(&["cabinet.strategy"], Source::Default),
    );
    let choice = &model.riders.choice;
    push(
        "choice_policy",
        match choice.policy {
            ChoicePolicy::Home => Value::HomeChoice,
            ChoicePolicy::Nearest => Value::NearestChoice,
            ChoicePolicy::AppInformed => Value::AppInformedChoice,
        },
        sources.of(&["choice.policy"], Source::Default),
    );
    push(
        "max_detour",
        text(format!("{} m", trim(choice.max_detour_m))),
        sources.of(&["choice.max_detour_m"], Source::Default),
    );

    for (i, group) in model.riders.groups.iter().enumerate() {
        let of = |key: &str| sources.of(&[&format!("group[{i}].{key}")], Source::Default);
        let dist = |unit, d: sim_core::Dist| Value::Distribution { unit, dist: d };
        let rows = [
            (
                "daily_km",
                dist(DistUnit::KmPerDay, group.daily_km),
                of("daily_km"),
            ),
            (
                "wh_per_km",
                dist(DistUnit::WhPerKm, group.wh_per_km),
                of("wh_per_km"),
            ),
            (
                "trips_per_day",
                Value::Trips {
                    weekday: group.trips_weekday,
                    weekend: group.trips_weekend,
                },
                of("trips_per_day"),
            ),
            (
                "swap_threshold",
                dist(DistUnit::Soc, group.swap_threshold_soc),
                of("swap_threshold_soc"),
            ),
        ];
        for (key, value, source) in rows {
            a.push(Assumption {
                key: key.to_owned(),
                subject: Some(group.name.clone()),
                value,
                source,
            });
        }
    }

    // A site's own interval (a survey's daily charging sessions set it),
    // sourced to the comment beside its key, or its override's.
    for (i, site) in sites.iter().enumerate() {
        let Some(days) = site.nonsub_interval_days else {
            continue;
        };
        let source = sources.of(&[&format!("site[{i}].nonsub_interval_days")], Source::File);
        a.push(Assumption {
            key: "site_nonsub_interval".to_owned(),
            subject: Some(site.name.clone()),
            value: Value::Days { days },
            source,
        });
    }

    let home = &model.riders.home;
    let mut push = |key: &str, value: Value, source: Source| {
        a.push(Assumption {
            key: key.to_owned(),
            subject: None,
            value,
            source,
        });
    };
    push(
        "home_charger",
        text(format!("{} W", trim(home.charger_w))),
        sources.of(&["home_charging.charger_w"], Source::Default),
    );
    if ebikes > 0 {
        push(
            "nonsub_interval",
            Value::Days {
                days: home.nonsub_interval_days,
            },
            sources.of(&["home_charging.nonsub_interval_days"], Source::Default),
        );
    }
    let prices = model.grid.tariff.price_per_kwh.iter().copied();
    push(
        "tariff",
        text(range(prices, 1.0, " CNY/kWh")),
        sources.of(
            &["tariff", "tariff.peak", "tariff.flat", "tariff.valley"],
            Source::Default,
        ),
    );
    // Residents pay it for piles and charging at home (issue 10).
    push(
        "residential_price",
        text(format!(
            "{} CNY/kWh",
            trim(model.grid.tariff.residential_cny_per_kwh)
        )),
        sources.of(&["tariff.residential_price"], Source::Default),
    );

    let transformers = &model.grid.transformers;
    // Named transformers come first in the model, in file order; a site's
    // own transformer follows, and is the site's `transformer` key.
    let named = sources.count("transformer");
    let own_site = |t: usize| sites.iter().position(|s| s.transformer == Some(t));
    let file_sites = sources.count("site");
    let transformer_path = |t: usize| -> Option<String> {
        if t < named {
            Some(format!("transformer[{t}]"))
        } else {
            own_site(t)
                .filter(|&s| s < file_sites)
                .map(|s| format!("site[{s}].transformer"))
        }
    };
    if transformers.len() <= TRANSFORMER_ROWS {
        for (t, spec) in transformers.iter().enumerate() {
            let source = match transformer_path(t) {
                Some(path) => sources.of(&[&path, &format!("{path}.rating_kva")], Source::File),
                None => Source::File,
            };
            push(
                "transformer",
                Value::Transformer {
                    name: spec.name.clone(),
                    rating_kva: spec.rating_kva,
                    power_factor: spec.power_factor,
                },
                source,
            );
        }
    } else {
        let kva = transformers.iter().map(|t| t.rating_kva);
        push(
            "transformers",
            Value::Transformers {
                count: transformers.len(),
                low_kva: kva.clone().fold(f64::INFINITY, f64::min),
                high_kva: kva.fold(f64::NEG_INFINITY, f64::max),
            },
            Source::File,
        );
    }
    let of_transformers = |key: &str, unset: Source| {
        let named = format!("transformer[*].{key}");
        let own = format!("site[*].transformer.{key}");
        let defaults = format!("site_table[*].defaults.transformer.{key}");
        sources.of(&[&named, &own, &defaults], unset)
    };
    if !transformers.is_empty() {
        push(
            "allowed_utilization",
            text(range(
                transformers.iter().map(|t| t.allowed_utilization),
                100.0,
                " %",
            )),
            of_transformers("allowed_utilization", Source::Default),
        );
    }
    let bases: Vec<sim_core::BaseLoadBasis> =
        transformers.iter().filter_map(|t| t.base_basis).collect();
    if !bases.is_empty() {
        push(
            "design_kw_per_household",
            text(range(
                bases.iter().map(|b| b.design_kw_per_household),
                1.0,
                " kW",
            )),
            of_transformers("design_kw_per_household", Source::Default),
        );
        let diversity = match bases.as_slice() {
            [one] => Value::Diversity {
                factor: one.diversity_factor,
                households: one.households,
            },
            _ => text(range(bases.iter().map(|b| b.diversity_factor), 1.0, "")),
        };
        // The factor is always the design standard's, by household count.
        let standard = if sources.file.is_some() {
            Source::Default
        } else {
            Source::File
        };
        push("diversity_factor", diversity, standard);
    }
    let given: Vec<f64> = transformers
        .iter()
        .filter(|t| t.base_basis.is_none())
        .map(|t| t.base_peak_kw)
        .collect();
    if !given.is_empty() {
        push(
            "base_peak",
            text(range(given.into_iter(), 1.0, " kW")),
            of_transformers("base_peak_kw", Source::File),
        );
    }

    for (kpi, limit) in model.targets.set() {
        let key = TARGET_KEYS
            .iter()
            .find(|(k, _)| *k == kpi)
            .map_or(String::new(), |(_, key)| format!("targets.{key}"));
        push(
            "target",
            Value::Target {
                kpi: kpi.to_owned(),
                limit,
            },
            sources.of(&[&key], Source::File),
        );
    }

    Context {
        file: file.map(|f| f.path.to_owned()),
        targets: model.targets.clone(),
        transformers: transformers
            .iter()
            .map(|t| Transformer {
                name: t.name.clone(),
                rating_kva: t.rating_kva,
                allowed_utilization: t.allowed_utilization,
                power_factor: t.power_factor,
                household_base: t.base_basis.is_some(),
            })
            .collect(),
        assumptions: a,
        sites: model
            .sites
            .iter()
            .map(|s| SiteInfo::in_model(s, model))
            .collect(),
    }
}

/// `30 %`, or `15–30 %` when the values differ: each × `scale`, then
/// `unit`.
fn range(values: impl Iterator<Item = f64>, scale: f64, unit: &str) -> String {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if !lo.is_finite() {
        return "–".to_owned();
    }
    let (lo, hi) = (trim(lo * scale), trim(hi * scale));
    if lo == hi {
        format!("{lo}{unit}")
    } else {
        format!("{lo}–{hi}{unit}")
    }
}

/// `x` with at most four decimals and no trailing zeros.
fn trim(x: f64) -> String {
    crate::format::trim(x, 4)
}

/// A value, or the plain string of files written before values were data.
fn value_or_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Value(Value),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::Text(text) => Value::Text { text },
        Either::Value(value) => value,
    })
}

/// A source, or the `null` (the file) or string (a source as text) of
/// files written before sources were data.
fn source_or_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Source, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(Option<String>),
        Source(Source),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::Text(None) => Source::File,
        Either::Text(Some(text)) => Source::Comment { text },
        Either::Source(source) => source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_any_index() {
        assert!(matches("site[*].ebikes", "site[0].ebikes"));
        assert!(matches("site[*].ebikes", "site[12].ebikes"));
        assert!(!matches("site[*].ebikes", "site[].ebikes"));
        assert!(!matches("site[*].ebikes", "site[0].ebikes_x"));
        assert!(!matches("site[*].ebikes", "site[0].transformer.ebikes"));
        assert!(matches("battery.charge", "battery.charge"));
        assert!(!matches("battery.charge", "battery.charge.power_w"));
        assert!(matches("transformer[*]", "transformer[3]"));
        assert!(!matches("transformer[*]", "transformer[3].name"));
    }

    #[test]
    fn a_sites_own_interval_shows_with_the_comment_beside_it() {
        let site = |name: &str, days| sim_core::SiteSpec {
            name: name.into(),
            ebikes: 600,
            nonsub_interval_days: days,
            ..sim_core::SiteSpec::default()
        };
        let model = Model {
            sites: vec![site("A", None), site("B", Some(2.5))],
            ..Model::default()
        };
        let source = "日均充电车次 200: (600 e-bikes − 100 subscribers) ÷ 200 a day";
        let comments = BTreeMap::from([
            ("site[0]".to_owned(), String::new()),
            ("site[1]".to_owned(), String::new()),
            ("site[1].nonsub_interval_days".to_owned(), source.to_owned()),
        ]);
        let file = ScenarioFile {
            path: "s.toml",
            comments: &comments,
        };
        let context = Context::from_scenario(&model, file);
        let own: Vec<_> = context
            .assumptions
            .iter()
            .filter(|a| a.key == "site_nonsub_interval")
            .collect();
        assert_eq!(own.len(), 1, "{own:?}");
        assert_eq!(own[0].subject.as_deref(), Some("B"));
        assert_eq!(own[0].value, Value::Days { days: 2.5 });
        assert_eq!(
            own[0].source,
            Source::Comment {
                text: source.into()
            }
        );
    }

    /// Issue 14: a value a `[[site_override]]` replaced (`swapsim
    /// calibrate`'s estimates) shows the override's comment, which
    /// `scenarios::comments` lists at the site's key, not the comment of
    /// the value it replaced.
    #[test]
    fn an_overridden_value_shows_the_overrides_comment() {
        let site = |name: &str, ebikes, adoption| sim_core::SiteSpec {
            name: name.into(),
            ebikes,
            swap_adoption: adoption,
            ..sim_core::SiteSpec::default()
        };
        // A and B are [[site]]s, C and D rows of a site table; A and C are
        // overridden, E has no e-bikes.
        let model = Model {
            sites: vec![
                site("A", 1000, 0.3),
                site("B", 500, 0.2),
                site("C", 800, 0.25),
                site("D", 600, 0.2),
                site("E", 0, 0.0),
            ],
            ..Model::default()
        };
        let calibrated = "300 of 340 users (95 % 0.80–0.93, n = 340 users)";
        let comments = BTreeMap::from([
            ("site[0]".to_owned(), String::new()),
            ("site[1]".to_owned(), String::new()),
            ("site[0].swap_adoption".to_owned(), calibrated.to_owned()),
            (
                "site[0].ebikes".to_owned(),
                "on 1000 e-bikes [S]".to_owned(),
            ),
            (
                "site[1].swap_adoption".to_owned(),
                "B's target [E]".to_owned(),
            ),
            ("site[2].swap_adoption".to_owned(), "C measured".to_owned()),
            ("site[4].swap_adoption".to_owned(), "no e-bikes".to_owned()),
            (
                "site_override[0].swap_adoption".to_owned(),
                calibrated.to_owned(),
            ),
            (
                "site_override[1].swap_adoption".to_owned(),
                "C measured".to_owned(),
            ),
            ("site_table[0]".to_owned(), String::new()),
            (
                "site_table[0].defaults.swap_adoption".to_owned(),
                "the table's [E]".to_owned(),
            ),
        ]);
        let source = |model: &Model| {
            let file = ScenarioFile {
                path: "s.toml",
                comments: &comments,
            };
            let context = Context::from_scenario(model, file);
            let a = context
                .assumptions
                .iter()
                .find(|a| a.key == "swap_adoption");
            a.expect("an adoption row").source.clone()
        };
        let comment = |text: &str| Source::Comment { text: text.into() };
        assert_eq!(
            source(&model),
            comment(&format!(
                "{calibrated} / B's target [E] / C measured / the table's [E]"
            ))
        );
        // With D gone, no value comes from the table's defaults.
        let mut three = model.clone();
        three.sites.truncate(3);
        assert_eq!(
            source(&three),
            comment(&format!("{calibrated} / B's target [E] / C measured"))
        );
        three.sites.truncate(1);
        assert_eq!(source(&three), comment(calibrated));
    }

    /// Every target's row cites the comment beside its key: the wait
    /// target, judged on the swap delay, showed as set without one.
    #[test]
    fn every_target_shows_the_comment_beside_its_key() {
        let model = Model {
            targets: Targets {
                max_lost_swap_rate: Some(0.02),
                max_stockout_probability: Some(0.05),
                max_wait_minutes_p95: Some(10.0),
                max_flying_wire_per_1000_bikes_day: Some(100.0),
                max_transformer_utilization: Some(0.8),
            },
            ..Model::default()
        };
        let comments: BTreeMap<String, String> = TARGET_KEYS
            .iter()
            .map(|(_, key)| (format!("targets.{key}"), format!("about {key}")))
            .collect();
        let file = ScenarioFile {
            path: "s.toml",
            comments: &comments,
        };
        let context = Context::from_scenario(&model, file);
        let targets: Vec<_> = context
            .assumptions
            .iter()
            .filter(|a| a.key == "target")
            .collect();
        assert_eq!(targets.len(), 5);
        for a in targets {
            let Value::Target { kpi, .. } = &a.value else {
                panic!("{a:?}");
            };
            let key = TARGET_KEYS.iter().find(|(k, _)| k == kpi).expect(kpi).1;
            assert_eq!(
                a.source,
                Source::Comment {
                    text: format!("about {key}")
                },
                "{kpi}"
            );
        }
    }

    #[test]
    fn ranges_collapse_when_equal() {
        assert_eq!(range([0.3, 0.3].into_iter(), 100.0, " %"), "30 %");
        assert_eq!(range([0.2, 0.15].into_iter(), 100.0, " %"), "15–20 %");
        assert_eq!(range(std::iter::empty(), 1.0, ""), "–");
    }

    #[test]
    fn old_context_files_still_read() {
        let old = r#"{"key": "sites", "value": "3", "source": null}"#;
        let a: Assumption = serde_json::from_str(old).expect("an old assumption");
        assert_eq!(a.value, Value::Text { text: "3".into() });
        assert_eq!(a.source, Source::File);
        let cited = r#"{"key": "x", "value": "1", "source": "DOMAIN.md [S]"}"#;
        let a: Assumption = serde_json::from_str(cited).expect("a cited assumption");
        assert_eq!(
            a.source,
            Source::Comment {
                text: "DOMAIN.md [S]".into()
            }
        );
        let new = serde_json::to_string(&Assumption {
            key: "strategy".into(),
            subject: None,
            value: Value::OffPeakWithReserve {
                reserve_factor: 1.3,
            },
            source: Source::Default,
        })
        .expect("JSON");
        let back: Assumption = serde_json::from_str(&new).expect("round trip");
        assert_eq!(
            back.value,
            Value::OffPeakWithReserve {
                reserve_factor: 1.3
            }
        );
        assert_eq!(back.source, Source::Default);
    }
}
